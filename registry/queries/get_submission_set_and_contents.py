"""GetSubmissionSetAndContents (TF-2 3.18.4.1.2.3.7.10; checklist 3.2 and 3.3).

Returns the SubmissionSet, its member DocumentEntries (filtered by format code, confidentiality code and
entry type) and Folders, and the HasMember Associations among them: SubmissionSet to DocumentEntry or
Folder, Folder to DocumentEntry, and SubmissionSet to such a Folder-DocumentEntry Association (NIST 11906
`sswithOneDocOneFol`). An Association is returned only if both its ends are in the result, so a filtered-out
DocumentEntry takes its Associations with it.
"""

from __future__ import annotations

from sqlalchemy import and_, or_, union

from registry.queries import params as qp
from registry.queries.conditions import by_entry, entry_filters
from registry.queries.params import QueryParams
from registry.queries.plan import Part, Plan, select_ids
from registry.tables import association, document_entry, folder, submission_set
from xds.ebxml.vocabulary import AssociationType


def get_submission_set_and_contents(query: QueryParams) -> Plan:
    ss_where = by_entry(submission_set, query, qp.SS_ENTRY_UUID, qp.SS_UNIQUE_ID)
    sets = select_ids(submission_set.c.id, ss_where)
    a = association.c
    members = select_ids(a.target, a.type == AssociationType.HAS_MEMBER, a.source.in_(sets))
    de_where = and_(document_entry.c.id.in_(members), *entry_filters(query))
    fd_where = folder.c.id.in_(members)
    returned = union(
        select_ids(submission_set.c.id, ss_where),
        select_ids(document_entry.c.id, de_where),
        select_ids(folder.c.id, fd_where),
    )
    inner = association.alias("link")
    links = select_ids(
        inner.c.id,
        inner.c.type == AssociationType.HAS_MEMBER,
        inner.c.source.in_(returned),
        inner.c.target.in_(returned),
    )
    assoc_where = and_(
        a.type == AssociationType.HAS_MEMBER,
        or_(
            and_(a.source.in_(returned), a.target.in_(returned)),
            and_(a.source.in_(sets), a.target.in_(links)),
        ),
    )
    return [
        Part(submission_set, ss_where),
        Part(document_entry, de_where),
        Part(folder, fd_where),
        Part(association, assoc_where),
    ]
