"""SQL conditions shared by the stored queries (TF-2 3.18.4.1.2.3.6 and .7; checklist 3.1).

Everything is SQLAlchemy Core with bound parameters, so a parameter value is data, never SQL text.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Table, and_, exists, or_

from registry.queries import params as qp
from registry.queries.params import Code, QueryParams
from registry.tables import document_code, document_entry

# document_code.kind (registry/tables.py)
EVENT = "e"
CONFIDENTIALITY = "c"

LIKE_ESCAPE = "\\"  # one escape character on both backends (PostgreSQL's default; SQLite has none)


def code_in(
    code: ColumnElement[str], scheme: ColumnElement[str], codes: Iterable[Code]
) -> ColumnElement[bool]:
    """The coded attribute equals one of `codes`, code and scheme both (TF-2 3.18.4.1.2.3.7.1)."""
    return or_(*(and_(code == c, scheme == s) for c, s in codes))


def codes_filter(
    code: ColumnElement[str], scheme: ColumnElement[str], query: QueryParams, name: str
) -> list[ColumnElement[bool]]:
    """A single-valued coded attribute against an OR-only coded parameter; nothing when absent."""
    return [code_in(code, scheme, group) for group in query.code_groups(name)]


def entry_code_groups(kind: str, groups: list[list[Code]]) -> list[ColumnElement[bool]]:
    """Event/confidentiality codes: one EXISTS per Slot (AND), any value of the Slot (OR) (checklist 3.1)."""
    return [
        exists().where(
            document_code.c.entry_seq == document_entry.c.seq,
            document_code.c.kind == kind,
            code_in(document_code.c.code, document_code.c.scheme, group),
        )
        for group in groups
    ]


def time_range(column: ColumnElement[str], start: str | None, end: str | None) -> list[ColumnElement[bool]]:
    """`start <= t < end` on 14-digit times; an object without the attribute ignores the parameters.

    TF-2 3.18.4.1.2.3.6.1: From is inclusive, To exclusive; a DocumentEntry without serviceStartTime or
    serviceStopTime is not excluded by those parameters (and On-Demand entries have no creationTime).
    """
    bounds = ([column >= start] if start else []) + ([column < end] if end else [])
    return [or_(column.is_(None), and_(*bounds))] if bounds else []


def like_any(column: ColumnElement[str], patterns: list[str]) -> ColumnElement[bool]:
    """AuthorPerson: SQL LIKE with % and _ (checklist 3.1), case-insensitive on both backends."""
    return or_(*(column.ilike(p, escape=LIKE_ESCAPE) for p in patterns))


def entry_filters(query: QueryParams) -> list[ColumnElement[bool]]:
    """The DocumentEntry filters of GetAll, GetSubmissionSetAndContents and GetFolderAndContents.

    $XDSDocumentEntryFormatCode (OR), $XDSDocumentEntryConfidentialityCode (AND/OR) and
    $XDSDocumentEntryType (absent: Stable only) (TF-2 3.18.4.1.2.3.7.4, .10, .11).
    """
    de = document_entry.c
    return [
        *codes_filter(de.format_code, de.format_scheme, query, qp.DE_FORMAT_CODE),
        *entry_code_groups(CONFIDENTIALITY, query.code_groups(qp.DE_CONFIDENTIALITY_CODE)),
        de.object_type.in_(query.entry_types()),
    ]


def by_entry(table: Table, query: QueryParams, entry_uuid: str, unique_id: str) -> ColumnElement[bool]:
    """The objects a Get* query names, by entryUUID or by uniqueId (params guarantee exactly one is given).

    A uniqueId may name several DocumentEntries (metadata duplication, checklist 3.3): all are returned.
    """
    uuids = query.strings(entry_uuid)
    return table.c.id.in_(uuids) if uuids else table.c.unique_id.in_(query.strings(unique_id))
