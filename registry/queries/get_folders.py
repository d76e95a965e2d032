"""GetFolders and GetFoldersForDocument (TF-2 3.18.4.1.2.3.7.6 and .12; checklist 3.2)."""

from __future__ import annotations

from registry.queries import params as qp
from registry.queries.conditions import by_entry
from registry.queries.params import QueryParams
from registry.queries.plan import Part, Plan, select_ids
from registry.tables import association, document_entry, folder
from xds.ebxml.vocabulary import AssociationType


def get_folders(query: QueryParams) -> Plan:
    return [Part(folder, by_entry(folder, query, qp.FD_ENTRY_UUID, qp.FD_UNIQUE_ID))]


def get_folders_for_document(query: QueryParams) -> Plan:
    """The Folders holding the DocumentEntry: sources of a Folder-to-DocumentEntry HasMember."""
    entries = select_ids(
        document_entry.c.id, by_entry(document_entry, query, qp.DE_ENTRY_UUID, qp.DE_UNIQUE_ID)
    )
    a = association.c
    holders = select_ids(a.source, a.type == AssociationType.HAS_MEMBER, a.target.in_(entries))
    return [Part(folder, folder.c.id.in_(holders))]
