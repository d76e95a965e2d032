"""GetSubmissionSets (TF-2 3.18.4.1.2.3.7.9; checklist 3.2).

For DocumentEntry or Folder uuids: the SubmissionSets holding them through HasMember, and those
HasMember Associations.
"""

from __future__ import annotations

from sqlalchemy import and_

from registry.queries import params as qp
from registry.queries.params import QueryParams
from registry.queries.plan import Part, Plan, select_ids
from registry.tables import association, submission_set
from xds.ebxml.vocabulary import AssociationType


def get_submission_sets(query: QueryParams) -> Plan:
    a = association.c
    memberships = and_(
        a.type == AssociationType.HAS_MEMBER,
        a.target.in_(query.strings(qp.UUID)),
        a.source.in_(select_ids(submission_set.c.id)),
    )
    return [
        Part(submission_set, submission_set.c.id.in_(select_ids(a.source, memberships))),
        Part(association, memberships),
    ]
