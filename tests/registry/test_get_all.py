"""GetAll on both backends (TF-2 3.18.4.1.2.3.7.4; checklist 3.2)."""

from __future__ import annotations

from builders import OTHER_PATIENT, PATIENT, SubmissionBuilder
from query_support import APPROVED, DEPRECATED, ask, codes, ids, load, quoted, slot, tags, uuid_of
from sqlalchemy import Engine, select

from registry.queries import params as qp
from registry.tables import association
from xds.ebxml.vocabulary import AssociationType, StoredQuery

CONF = "2.16.840.1.113883.5.25"


def get_all(
    engine: Engine, return_type: str = "ObjectRef", de_status: str = slot(APPROVED), **extra: str
) -> list[str]:
    parameters = {
        qp.PATIENT_ID: quoted(PATIENT),
        qp.DE_STATUS: de_status,
        qp.SS_STATUS: slot(APPROVED),
        qp.FD_STATUS: slot(APPROVED),
        **{f"${name}": value for name, value in extra.items()},
    }
    return ids(ask(engine, StoredQuery.GET_ALL, parameters))


def associations(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(select(association.c.id).order_by(association.c.seq)))


def test_everything_of_the_patient_with_associations(engine: Engine) -> None:
    sub = SubmissionBuilder().document("D1").document("D2", codes={"confidentialityCode": [("R", CONF, "r")]})
    sub.folder("F1")
    sub.add_to_folder("F1", "D1")
    load(engine, sub, SubmissionBuilder(OTHER_PATIENT).document("DX"))
    ss, d1, d2, f1 = (uuid_of(engine, sub, x) for x in ("SubmissionSet01", "D1", "D2", "F1"))
    mine = associations(engine)[:5]  # SS-D1, SS-D2, SS-F1, F1-D1, SS-(F1-D1)
    assert get_all(engine) == [ss, d1, d2, f1, *mine]
    parameters = {qp.PATIENT_ID: quoted(PATIENT), qp.DE_STATUS: slot(APPROVED), qp.SS_STATUS: slot(APPROVED)}
    parameters[qp.FD_STATUS] = slot(APPROVED)
    result = ask(engine, StoredQuery.GET_ALL, parameters, return_type="LeafClass")
    assert (
        tags(result)
        == ["RegistryPackage", "ExtrinsicObject", "ExtrinsicObject", "RegistryPackage"] + ["Association"] * 5
    )
    # Confidentiality filters DocumentEntries only; associations touching SS or Folder stay.
    assert get_all(engine, XDSDocumentEntryConfidentialityCode=codes(("R", CONF))) == [ss, d2, f1, *mine]


def test_status_per_object_kind(engine: Engine) -> None:
    original = SubmissionBuilder().document("Old")
    load(engine, original)
    old = uuid_of(engine, original, "Old")
    replacement = SubmissionBuilder().document("New")
    replacement.relate(AssociationType.RPLC, "New", old)
    load(engine, replacement)
    new = uuid_of(engine, replacement, "New")
    assert old not in get_all(engine)
    assert new in get_all(engine)
    only_deprecated = get_all(engine, de_status=slot(DEPRECATED))
    assert old in only_deprecated and new not in only_deprecated


def test_format_code(engine: Engine) -> None:
    sub = SubmissionBuilder().document("D1", codes={"formatCode": ("F-1", "1.2", "f")}).document("D2")
    load(engine, sub)
    result = get_all(engine, XDSDocumentEntryFormatCode=codes(("F-1", "1.2")))
    assert uuid_of(engine, sub, "D1") in result and uuid_of(engine, sub, "D2") not in result
