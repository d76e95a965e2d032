"""GetRelatedDocuments (TF-2 3.18.4.1.2.3.7.13; checklist 3.2).

For one DocumentEntry and a list of association types: the Associations of those types that have it at
either end, and the DocumentEntries at their ends (the original included). No such Association means an
empty result, not the lone original; an Association counts only when both its ends are DocumentEntries
of the asked $XDSDocumentEntryType (so HasMember from a SubmissionSet never does).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, FromClause, Select, and_, or_, union

from registry.queries import params as qp
from registry.queries.conditions import by_entry
from registry.queries.params import QueryParams
from registry.queries.plan import Part, Plan, select_ids
from registry.tables import association, document_entry


def _related(
    table: FromClause, origin: Select[tuple[str]], entries: Select[tuple[str]], types: list[str]
) -> ColumnElement[bool]:
    """Associations of the asked types at the original, both ends DocumentEntries of the asked entry types."""
    return and_(
        table.c.type.in_(types),
        or_(table.c.source.in_(origin), table.c.target.in_(origin)),
        table.c.source.in_(entries),
        table.c.target.in_(entries),
    )


def get_related_documents(query: QueryParams) -> Plan:
    de = document_entry.c
    origin = select_ids(de.id, by_entry(document_entry, query, qp.DE_ENTRY_UUID, qp.DE_UNIQUE_ID))
    entries = select_ids(de.id, de.object_type.in_(query.entry_types()))
    types = query.strings(qp.ASSOCIATION_TYPES)
    rel = association.alias("rel")
    related = _related(rel, origin, entries, types)
    ends = union(select_ids(rel.c.source, related), select_ids(rel.c.target, related))
    return [
        Part(document_entry, de.id.in_(ends)),
        Part(association, _related(association, origin, entries, types)),
    ]
