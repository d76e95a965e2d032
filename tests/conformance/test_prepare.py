"""Placeholders and identifier assignment of a submission (checklist 6.1.6)."""

from __future__ import annotations

from datetime import UTC, datetime

from builders import SubmissionBuilder
from lxml import etree

from conformance.identifiers import PatientIdAllocator, UniqueIdAllocator
from conformance.placeholders import clock_values, substitute, unresolved
from conformance.prepare import Assignment, prepare_submission
from xds.ebxml.namespaces import RIM, q
from xds.ebxml.vocabulary import DE_PATIENT_ID, DE_UNIQUE_ID, SS_PATIENT_ID


def _submission() -> etree._Element:
    sub = SubmissionBuilder("$patientid$")
    sub.document("Document01", unique_id="Document01", slots={"comment": ["$note$"]})
    return sub.element()


def _ei(root: etree._Element, scheme: str) -> etree._Element:
    return next(
        ei for ei in root.iter(q(RIM, "ExternalIdentifier")) if ei.get("identificationScheme") == scheme
    )


def test_substitute_and_unresolved() -> None:
    root = etree.fromstring("<a x='$one$'><b>'$two$' and $XDSParam</b></a>")
    substitute(root, {"$one$": "1"})
    assert root.get("x") == "1"
    assert unresolved(root) == ["$two$"]


def test_clock_values_are_dtm() -> None:
    values = clock_values(datetime(2024, 2, 29, 12, 0, 0, 500, tzinfo=UTC))
    assert values == {"$now$": "20240229120001", "$lastyear$": "20230228120001"}


def test_patient_uid_and_uuid_assignment() -> None:
    prepared = prepare_submission(
        _submission(),
        Assignment(patient_id="P9^^^&1.2&ISO", values={"$note$": "hello"}, assign_uuids=True),
        UniqueIdAllocator("1.2.42"),
    )
    root = prepared.root
    assert _ei(root, DE_PATIENT_ID).get("value") == "P9^^^&1.2&ISO"
    assert prepared.patient_id == _ei(root, SS_PATIENT_ID).get("value") == "P9^^^&1.2&ISO"
    uid = _ei(root, DE_UNIQUE_ID).get("value")
    assert uid.startswith("1.2.42.") and prepared.uids["Document01"] == uid
    doc_uuid = prepared.uuids["Document01"]
    assert doc_uuid.startswith("urn:uuid:")
    eo = root.find(f".//{q(RIM, 'ExtrinsicObject')}")
    assert eo.get("id") == doc_uuid
    assert all(a.get("targetObject") != "Document01" for a in root.iter(q(RIM, "Association")))
    assert unresolved(root) == []


def test_no_patient_id_and_kept_uid() -> None:
    prepared = prepare_submission(
        _submission(),
        Assignment(
            patient_id=None, values={"$patientid$": "P1^^^&1.2&ISO"}, keep_uid_of=frozenset({"Document01"})
        ),
        UniqueIdAllocator(),
    )
    assert _ei(prepared.root, DE_PATIENT_ID).get("value") == "P1^^^&1.2&ISO"
    assert _ei(prepared.root, DE_UNIQUE_ID).get("value") == "Document01"
    assert "Document01" not in prepared.uids and prepared.uuids == {}


def test_patient_ids_are_unique_cx() -> None:
    patients = PatientIdAllocator("1.2.3")
    first, second = patients.next(), patients.next()
    assert first != second and first.endswith("^^^&1.2.3&ISO")
