"""FindDocuments and FindDocumentsByReferenceId (TF-2 3.18.4.1.2.3.7.1 and .14; checklist 3.2).

The hot path of a registry: one SELECT on `document_entry` driven by the (patient_id, status) index, with
single-valued codes as indexed columns and multi-valued attributes (event and confidentiality codes,
authors, reference ids) as EXISTS subqueries on their child tables.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists

from registry.queries import params as qp
from registry.queries.conditions import (
    CONFIDENTIALITY,
    EVENT,
    codes_filter,
    entry_code_groups,
    like_any,
    time_range,
)
from registry.queries.params import QueryParams
from registry.queries.plan import Part, Plan
from registry.tables import document_author, document_entry, document_reference_id


def document_conditions(query: QueryParams) -> list[ColumnElement[bool]]:
    """Every FindDocuments parameter as a condition on `document_entry` (absent parameters add nothing)."""
    de = document_entry.c
    conditions = [
        de.patient_id.in_(query.strings(qp.DE_PATIENT_ID)),
        de.status.in_(query.strings(qp.DE_STATUS)),
        de.object_type.in_(query.entry_types()),
        *codes_filter(de.class_code, de.class_scheme, query, qp.DE_CLASS_CODE),
        *codes_filter(de.type_code, de.type_scheme, query, qp.DE_TYPE_CODE),
        *codes_filter(de.practice_code, de.practice_scheme, query, qp.DE_PRACTICE_SETTING_CODE),
        *codes_filter(de.hcft_code, de.hcft_scheme, query, qp.DE_HCFT_CODE),
        *codes_filter(de.format_code, de.format_scheme, query, qp.DE_FORMAT_CODE),
        *time_range(de.creation_time, query.string(qp.DE_CREATION_FROM), query.string(qp.DE_CREATION_TO)),
        *time_range(
            de.service_start_time,
            query.string(qp.DE_SERVICE_START_FROM),
            query.string(qp.DE_SERVICE_START_TO),
        ),
        *time_range(
            de.service_stop_time, query.string(qp.DE_SERVICE_STOP_FROM), query.string(qp.DE_SERVICE_STOP_TO)
        ),
        *entry_code_groups(EVENT, query.code_groups(qp.DE_EVENT_CODE)),
        *entry_code_groups(CONFIDENTIALITY, query.code_groups(qp.DE_CONFIDENTIALITY_CODE)),
    ]
    authors = query.strings(qp.DE_AUTHOR)
    if authors:
        conditions.append(
            exists().where(document_author.c.entry_seq == de.seq, like_any(document_author.c.person, authors))
        )
    return conditions


def find_documents(query: QueryParams) -> Plan:
    return [Part(document_entry, and_(*document_conditions(query)))]


def find_documents_by_reference_id(query: QueryParams) -> Plan:
    """FindDocuments plus: at least one referenceIdList value equals one of the given values.

    Matched exactly, as NIST 11897 `refid` does; the TF footnote allows LIKE-compatible matching, but an
    exact match keeps the `document_reference_id.value` index usable.
    """
    reference_ids = exists().where(
        document_reference_id.c.entry_seq == document_entry.c.seq,
        document_reference_id.c.value.in_(query.strings(qp.DE_REFERENCE_ID)),
    )
    return [Part(document_entry, and_(*document_conditions(query), reference_ids))]
