"""FindSubmissionSets (TF-2 3.18.4.1.2.3.7.2; checklist 3.2): SubmissionSets of one patient."""

from __future__ import annotations

from sqlalchemy import and_, exists

from registry.queries import params as qp
from registry.queries.conditions import codes_filter, like_any, time_range
from registry.queries.params import QueryParams
from registry.queries.plan import Part, Plan
from registry.tables import submission_set, submission_set_author


def find_submission_sets(query: QueryParams) -> Plan:
    ss = submission_set.c
    conditions = [
        ss.patient_id.in_(query.strings(qp.SS_PATIENT_ID)),
        ss.status.in_(query.strings(qp.SS_STATUS)),
        *time_range(
            ss.submission_time, query.string(qp.SS_SUBMISSION_FROM), query.string(qp.SS_SUBMISSION_TO)
        ),
        *codes_filter(ss.content_type_code, ss.content_type_scheme, query, qp.SS_CONTENT_TYPE),
    ]
    sources = query.strings(qp.SS_SOURCE_ID)
    if sources:
        conditions.append(ss.source_id.in_(sources))
    authors = query.strings(qp.SS_AUTHOR)  # single-valued in the TF; a list of one pattern here
    if authors:
        conditions.append(
            exists().where(
                submission_set_author.c.ss_seq == ss.seq, like_any(submission_set_author.c.person, authors)
            )
        )
    return [Part(submission_set, and_(*conditions))]
