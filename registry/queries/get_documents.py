"""GetDocuments and GetDocumentsAndAssociations (TF-2 3.18.4.1.2.3.7.5 and .8; checklist 3.2).

DocumentEntries by entryUUID or uniqueId, whatever their status; the second query adds every
Association that has one of them at either end (NIST 11904: SubmissionSet and Folder HasMembers).
"""

from __future__ import annotations

from sqlalchemy import or_

from registry.queries import params as qp
from registry.queries.conditions import by_entry
from registry.queries.params import QueryParams
from registry.queries.plan import Part, Plan, select_ids
from registry.tables import association, document_entry


def get_documents(query: QueryParams) -> Plan:
    return [Part(document_entry, by_entry(document_entry, query, qp.DE_ENTRY_UUID, qp.DE_UNIQUE_ID))]


def get_documents_and_associations(query: QueryParams) -> Plan:
    where = by_entry(document_entry, query, qp.DE_ENTRY_UUID, qp.DE_UNIQUE_ID)
    entries = select_ids(document_entry.c.id, where)
    a = association.c
    return [Part(document_entry, where), Part(association, or_(a.source.in_(entries), a.target.in_(entries)))]
