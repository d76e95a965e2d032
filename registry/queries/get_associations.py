"""GetAssociations (TF-2 3.18.4.1.2.3.7.7; checklist 3.2): Associations with a given object at either end."""

from __future__ import annotations

from sqlalchemy import or_

from registry.queries import params as qp
from registry.queries.params import QueryParams
from registry.queries.plan import Part, Plan
from registry.tables import association


def get_associations(query: QueryParams) -> Plan:
    uuids = query.strings(qp.UUID)
    return [Part(association, or_(association.c.source.in_(uuids), association.c.target.in_(uuids)))]
