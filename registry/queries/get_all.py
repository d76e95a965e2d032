"""GetAll (TF-2 3.18.4.1.2.3.7.4; checklist 3.2): everything of one patient, by status.

Returns the SubmissionSets, DocumentEntries and Folders of the patient with the requested statuses, and
every Association that has one of them at either end (it may reference an object outside the result).
"""

from __future__ import annotations

from sqlalchemy import and_, or_, union

from registry.queries import params as qp
from registry.queries.conditions import entry_filters
from registry.queries.params import QueryParams
from registry.queries.plan import Part, Plan, select_ids
from registry.tables import association, document_entry, folder, submission_set


def get_all(query: QueryParams) -> Plan:
    patients = query.strings(qp.PATIENT_ID)  # the id and any ids merged into it
    ss, de, fd, a = submission_set.c, document_entry.c, folder.c, association.c
    ss_where = and_(ss.patient_id.in_(patients), ss.status.in_(query.strings(qp.SS_STATUS)))
    de_where = and_(
        de.patient_id.in_(patients), de.status.in_(query.strings(qp.DE_STATUS)), *entry_filters(query)
    )
    fd_where = and_(fd.patient_id.in_(patients), fd.status.in_(query.strings(qp.FD_STATUS)))
    returned = union(select_ids(ss.id, ss_where), select_ids(de.id, de_where), select_ids(fd.id, fd_where))
    return [
        Part(submission_set, ss_where),
        Part(document_entry, de_where),
        Part(folder, fd_where),
        Part(association, or_(a.source.in_(returned), a.target.in_(returned))),
    ]
