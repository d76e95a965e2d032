"""GetFolderAndContents (TF-2 3.18.4.1.2.3.7.11; checklist 3.2 and 3.3).

Returns the Folder, its member DocumentEntries (filtered by format code, confidentiality code and entry
type) and the Folder-to-DocumentEntry HasMember Associations whose DocumentEntry is returned.
"""

from __future__ import annotations

from sqlalchemy import and_

from registry.queries import params as qp
from registry.queries.conditions import by_entry, entry_filters
from registry.queries.params import QueryParams
from registry.queries.plan import Part, Plan, select_ids
from registry.tables import association, document_entry, folder
from xds.ebxml.vocabulary import AssociationType


def get_folder_and_contents(query: QueryParams) -> Plan:
    fd_where = by_entry(folder, query, qp.FD_ENTRY_UUID, qp.FD_UNIQUE_ID)
    folders = select_ids(folder.c.id, fd_where)
    a = association.c
    members = select_ids(a.target, a.type == AssociationType.HAS_MEMBER, a.source.in_(folders))
    de_where = and_(document_entry.c.id.in_(members), *entry_filters(query))
    assoc_where = and_(
        a.type == AssociationType.HAS_MEMBER,
        a.source.in_(folders),
        a.target.in_(select_ids(document_entry.c.id, de_where)),
    )
    return [Part(folder, fd_where), Part(document_entry, de_where), Part(association, assoc_where)]
