"""GetRelatedDocuments on both backends (TF-2 3.18.4.1.2.3.7.13; checklist 3.2)."""

from __future__ import annotations

from builders import SubmissionBuilder
from query_support import ask, error_code, ids, load, quoted, slot, uuid_of
from sqlalchemy import Engine, select

from registry.tables import association
from xds.ebxml.vocabulary import AssociationType, StoredQuery
from xds.errors import ErrorCode

Q = StoredQuery.GET_RELATED_DOCUMENTS


def related(engine: Engine, types: tuple[str, ...], **entry: str) -> list[str]:
    parameters = {"$AssociationTypes": slot(*types), **{f"${k}": v for k, v in entry.items()}}
    return ids(ask(engine, Q, parameters, return_type="LeafClass"))


def link(engine: Engine, source: str, target: str) -> str:
    a = association.c
    with engine.connect() as conn:
        return conn.execute(select(a.id).where(a.source == source, a.target == target)).scalar_one()


def test_replacement_and_addendum_in_both_directions(engine: Engine) -> None:
    first = SubmissionBuilder().document("Old").document("Alone")
    load(engine, first)
    old, alone = uuid_of(engine, first, "Old"), uuid_of(engine, first, "Alone")
    second = SubmissionBuilder().document("New").document("Addendum")
    second.relate(AssociationType.RPLC, "New", old)
    second.relate(AssociationType.APND, "Addendum", old)
    load(engine, second)
    new, addendum = uuid_of(engine, second, "New"), uuid_of(engine, second, "Addendum")
    rplc, apnd = link(engine, new, old), link(engine, addendum, old)

    # From the original (target end): both relatives; order by registration
    assert related(
        engine, (AssociationType.RPLC, AssociationType.APND), XDSDocumentEntryEntryUUID=quoted(old)
    ) == [
        old,
        new,
        addendum,
        rplc,
        apnd,
    ]
    # Only the requested types
    assert related(engine, (AssociationType.RPLC,), XDSDocumentEntryEntryUUID=quoted(old)) == [old, new, rplc]
    # From the replacement (source end), by uniqueId
    new_uid = second.unique_ids["New"]
    assert related(engine, (AssociationType.RPLC,), XDSDocumentEntryUniqueId=quoted(new_uid)) == [
        old,
        new,
        rplc,
    ]
    # No relationship of the type: empty, not the lone document
    assert related(engine, (AssociationType.XFRM,), XDSDocumentEntryEntryUUID=quoted(old)) == []
    assert related(engine, (AssociationType.RPLC,), XDSDocumentEntryEntryUUID=quoted(alone)) == []
    # HasMember is not a document relationship: the SubmissionSet end is not a DocumentEntry
    assert related(engine, (AssociationType.HAS_MEMBER,), XDSDocumentEntryEntryUUID=quoted(alone)) == []


def test_association_types_are_required(engine: Engine) -> None:
    result = ask(
        engine, Q, {"$XDSDocumentEntryEntryUUID": quoted("urn:uuid:00000000-0000-4000-8000-000000000000")}
    )
    assert error_code(result) is ErrorCode.STORED_QUERY_MISSING_PARAM
