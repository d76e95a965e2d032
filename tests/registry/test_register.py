"""ITI-42 Register Document Set-b through `register()` on SQLite and PostgreSQL (checklist 2.3-2.6)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from builders import OTHER_PATIENT, PATIENT, SubmissionBuilder, new_oid, one_document
from lxml import etree
from sqlalchemy import Engine, Row, func, select

from pix_pdq.patients import PatientDirectory, add_patient
from registry.lookup import Found
from registry.register import register
from registry.settings import RegistrySettings
from registry.tables import (
    association,
    document_author,
    document_code,
    document_entry,
    document_reference_id,
    folder,
    folder_code,
    submission_set,
    submission_set_author,
)
from xds.ebxml import rim
from xds.ebxml import vocabulary as v
from xds.ebxml.datatypes import is_uuid_urn
from xds.ebxml.parse_submit import parse_submit_objects_request
from xds.errors import ErrorCode, RegistryError, XdsError
from xds.xmlsafe import parse_xml

SHARED = Path(__file__).resolve().parents[3] / "shared"
APPROVED, DEPRECATED = v.Status.APPROVED, v.Status.DEPRECATED
T = v.AssociationType
UNKNOWN_UUID = "urn:uuid:0b7b1c3e-6b1f-4a55-9d7e-5b1b1f0c2a11"
ALL_TABLES = (
    document_entry,
    document_code,
    document_author,
    document_reference_id,
    submission_set,
    submission_set_author,
    folder,
    folder_code,
    association,
)


@dataclass
class Registry:
    """`register()` against one database, with a settable clock and a few read helpers."""

    engine: Engine
    settings: RegistrySettings = field(default_factory=RegistrySettings)
    clock: datetime = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)

    def submit(self, b: SubmissionBuilder | rim.SubmitObjectsRequest) -> list[RegistryError]:
        req = b.request() if isinstance(b, SubmissionBuilder) else b
        return register(
            self.engine,
            req,
            patients=PatientDirectory(self.engine),
            settings=self.settings,
            now=lambda: self.clock,
        )

    def fails(self, b: SubmissionBuilder | rim.SubmitObjectsRequest) -> list[RegistryError]:
        with pytest.raises(XdsError) as info:
            self.submit(b)
        return info.value.errors

    def codes(self, b: SubmissionBuilder) -> set[ErrorCode]:
        return {e.code for e in self.fails(b)}

    def entry(self, unique_id: str) -> Row:
        with self.engine.connect() as conn:
            (row,) = conn.execute(select(document_entry).where(document_entry.c.unique_id == unique_id)).all()
        return row

    def folder(self, unique_id: str) -> Row:
        with self.engine.connect() as conn:
            return conn.execute(select(folder).where(folder.c.unique_id == unique_id)).one()

    def associations(self, **where: str) -> list[Row]:
        with self.engine.connect() as conn:
            stmt = select(association).where(*(association.c[k] == val for k, val in where.items()))
            return list(conn.execute(stmt))

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {t.name: conn.scalar(select(func.count()).select_from(t)) for t in ALL_TABLES}


@pytest.fixture
def reg(engine: Engine) -> Registry:
    add_patient(engine, PATIENT)
    add_patient(engine, OTHER_PATIENT)
    return Registry(engine)


def _ids_in(xml: str) -> set[str]:
    """Every id and reference inside a stored fragment."""
    el = etree.fromstring(xml.encode())
    attributes = ("id", "lid", "classifiedObject", "registryObject", "sourceObject", "targetObject")
    return {node.get(a) for node in el.iter() for a in attributes if node.get(a) is not None}


# --- accepted submissions -------------------------------------------------------------------------------


def test_single_document_is_stored_with_uuids_and_indexed_columns(reg: Registry) -> None:
    """NIST 11990; TF-2 3.42.4.1.3.7 (symbolic ids -> UUIDs); architecture section 3 (indexed columns)."""
    b = one_document(
        codes={"eventCodeList": [("E1", "1.2.3", "e1"), ("E2", "1.2.3", "e2")]},
        reference_ids=["ref1^^^&1.2.3&ISO^urn:ihe:iti:xds:2013:accession"],
        hash_="E543712C0E10501972DE13A5BFCBE826C49FEB75",
    )
    assert reg.submit(b) == []
    de = reg.entry(b.unique_ids["Document01"])
    assert is_uuid_urn(de.id) and de.lid == de.id
    assert (de.status, de.patient_id, de.object_type) == (APPROVED, PATIENT, v.DOCUMENT_ENTRY_STABLE)
    assert (de.class_code, de.class_scheme) == ("REPORTS", "1.3.6.1.4.1.19376.1.2.6.1")
    assert (de.creation_time, de.service_start_time, de.service_stop_time) == (
        "20051224000000",
        "20041223080000",
        "20041223080100",
    )
    assert (de.hash, de.size, de.repository_unique_id) == (
        "e543712c0e10501972de13a5bfcbe826c49feb75",
        43,
        "1.19.6.24.109.42.1",
    )
    with reg.engine.connect() as conn:
        codes = set(
            conn.execute(
                select(document_code.c.kind, document_code.c.code).where(document_code.c.entry_seq == de.seq)
            )
        )
        persons = list(
            conn.scalars(select(document_author.c.person).where(document_author.c.entry_seq == de.seq))
        )
        refs = list(conn.scalars(select(document_reference_id.c.value)))
        ss = conn.execute(select(submission_set)).one()
    assert codes == {("e", "E1"), ("e", "E2"), ("c", "N")}
    assert persons == ["^Smitty^Gerald^^^"]
    assert refs == ["ref1^^^&1.2.3&ISO^urn:ihe:iti:xds:2013:accession"]
    assert ss.unique_id == b.ss_unique_id and ss.submission_time == "20041225235050"
    # Every id and reference in every stored fragment is a UUID; the same symbol became the same UUID.
    for row in (de, ss, *reg.associations()):
        assert all(is_uuid_urn(i) for i in _ids_in(row.xml)), row.xml
        assert f'status="{APPROVED}"' in row.xml
    (hm,) = reg.associations()
    assert (hm.source, hm.target, hm.type, hm.status) == (ss.id, de.id, T.HAS_MEMBER, APPROVED)
    assert f'classifiedObject="{de.id}"' in de.xml and f'registryObject="{de.id}"' in de.xml


def test_submitted_uuids_are_kept(reg: Registry) -> None:
    doc_uuid = "urn:uuid:5f0e9a56-43a2-4b9c-8e0e-1c7d2a3b4c5d"
    b = one_document(doc_id=doc_uuid)
    reg.submit(b)
    assert reg.entry(b.unique_ids[doc_uuid]).id == doc_uuid
    (hm,) = reg.associations(target=doc_uuid)
    assert hm.type == T.HAS_MEMBER


def test_two_documents_and_a_folder(reg: Registry) -> None:
    """NIST 11991, 12000: a new Folder with a new document, lastUpdateTime set by the registry."""
    b = one_document().document("Document02").folder("Folder01")
    fd_de = b.add_to_folder("Folder01", "Document02")
    reg.submit(b)
    fd = reg.folder(b.unique_ids["Folder01"])
    doc2 = reg.entry(b.unique_ids["Document02"])
    assert fd.last_update_time == "20240506070809"
    assert "<rim:Value>20240506070809</rim:Value>" in fd.xml
    (member,) = reg.associations(source=fd.id)
    assert member.target == doc2.id
    (recorded,) = reg.associations(target=member.id)
    assert recorded.type == T.HAS_MEMBER and fd_de not in member.xml
    assert reg.counts()["folder_code"] == 1


def test_empty_folder(reg: Registry) -> None:
    """NIST 11999."""
    b = SubmissionBuilder().folder("Folder01")
    reg.submit(b)
    assert reg.folder(b.unique_ids["Folder01"]).status == APPROVED


def test_extra_metadata_is_stored_and_no_warning(reg: Registry) -> None:
    """NIST 12379 section `support`: extra slots on DE, SS and Association are kept in the stored XML."""
    b = SubmissionBuilder(slots={"urn:nist:extraSSSlot": ["ss-value"]})
    b.document("Document01", link=False, slots={"urn:nist:extraDESlot": ["de-value"]})
    b.has_member("Document01", "Original", slots={"urn:nist:extraAssocSlot": ["as-value"]})
    assert reg.submit(b) == []
    with reg.engine.connect() as conn:
        ss_xml = conn.scalar(select(submission_set.c.xml))
    assert 'name="urn:nist:extraDESlot"' in reg.entry(b.unique_ids["Document01"]).xml
    assert 'name="urn:nist:extraSSSlot"' in ss_xml
    assert 'name="urn:nist:extraAssocSlot"' in reg.associations()[0].xml


def test_ipf_sample_registers_once_completed(reg: Registry) -> None:
    """A message another implementation wrote (IPF): spaces inside scheme UUIDs, the SS node outside the
    package, `authorSpeciality`, extra metadata. Completed with what a Repository adds, it registers."""
    path = SHARED / "samples/ipf/SubmitObjectsRequest_ebrs3_extra_metadata.xml"
    if not path.is_file():
        pytest.skip(f"IPF sample not found at {path}")
    req = parse_submit_objects_request(parse_xml(path.read_bytes()))
    (doc,) = req.extrinsic_objects
    doc.slots += [rim.Slot("hash", ["da39a3ee5e6b4b0d3255bfef95601890afd80709"]), rim.Slot("size", ["0"])]
    doc.slots.append(rim.Slot("repositoryUniqueId", ["1.2.3.4"]))
    (ss,) = req.registry_packages
    next(e for e in ss.external_identifiers if e.value == "3670984664").value = "1.3.6.1.4.1.21367.2005.3.7"
    req.associations = [a for a in req.associations if a.association_type == T.HAS_MEMBER]
    add_patient(reg.engine, "SELF-5^^^&1.3.6.1.4.1.21367.2005.3.7&ISO")
    assert reg.submit(req) == []
    de = reg.entry("1.3.6.1.4.1.21367.2005.3.9999.32")
    assert 'name="urn:my:company:slot"' in de.xml
    assert de.patient_id == "SELF-5^^^&1.3.6.1.4.1.21367.2005.3.7&ISO"


def test_same_document_registered_twice(reg: Registry) -> None:
    """NIST 12004: the same uniqueId with the same hash and size is a second DocumentEntry."""
    uid = new_oid()
    reg.submit(one_document(unique_id=uid))
    reg.submit(one_document(unique_id=uid, hash_="E543712C0E10501972DE13A5BFCBE826C49FEB75"))
    with reg.engine.connect() as conn:
        assert conn.scalar(select(func.count()).where(document_entry.c.unique_id == uid)) == 2


def test_document_joins_by_reference_across_patients(reg: Registry) -> None:
    """SS-DE by Reference need not match the SubmissionSet's patient (TF-3 4.2.2.1.1)."""
    first = one_document(OTHER_PATIENT)
    reg.submit(first)
    other = reg.entry(first.unique_ids["Document01"])
    b = one_document().reference(other.id)
    reg.submit(b)
    with reg.engine.connect() as conn:
        new_ss = conn.scalar(select(submission_set.c.id).where(submission_set.c.unique_id == b.ss_unique_id))
    (hm,) = reg.associations(source=new_ss, target=other.id)
    assert hm.type == T.HAS_MEMBER and "<rim:Value>Reference</rim:Value>" in hm.xml
    assert reg.entry(other.unique_id).status == APPROVED


# --- refused submissions: nothing stored -----------------------------------------------------------------


def test_unknown_patient(reg: Registry) -> None:
    """NIST 11996: XDSUnknownPatientId naming the patient id."""
    pid = "NOBODY^^^&1.3.6.1.4.1.21367.13.20.1000&ISO"
    (error,) = reg.fails(one_document(pid))
    assert error.code == ErrorCode.UNKNOWN_PATIENT_ID and pid in error.context


def test_patient_mismatch_between_submission_set_and_document(reg: Registry) -> None:
    """NIST 11997."""
    b = SubmissionBuilder(PATIENT).document("Document01", patient_id=OTHER_PATIENT)
    assert reg.codes(b) == {ErrorCode.PATIENT_ID_DOES_NOT_MATCH}


def test_all_or_nothing(reg: Registry) -> None:
    """NIST 12084: one of two documents lacks repositoryUniqueId; nothing at all is stored."""
    b = one_document().document("Document02", slots={"repositoryUniqueId": None})
    errors = reg.fails(b)
    assert [e.code for e in errors] == [ErrorCode.REGISTRY_METADATA_ERROR]
    assert "Document02: required attribute repositoryUniqueId is missing" in errors[0].context
    assert set(reg.counts().values()) == {0}


def test_failure_late_in_the_transaction_rolls_back(reg: Registry) -> None:
    """An error found against the registry (after the rule table) also leaves nothing behind."""
    b = one_document()
    b.relate(T.APND, "Document01", UNKNOWN_UUID)
    assert reg.codes(b) == {ErrorCode.UNRESOLVED_REFERENCE}
    assert set(reg.counts().values()) == {0}


def test_uuid_resubmission_rejected(reg: Registry) -> None:
    """NIST 15806: an object whose UUID is already registered is refused (XDSRegistryMetadataError)."""
    doc_uuid = "urn:uuid:7d4f9a56-43a2-4b9c-8e0e-1c7d2a3b4c5e"
    reg.submit(one_document(doc_id=doc_uuid))
    before = reg.counts()
    errors = reg.fails(one_document(doc_id=doc_uuid))
    assert [(e.code, e.location) for e in errors] == [(ErrorCode.REGISTRY_METADATA_ERROR, doc_uuid)]
    assert reg.counts() == before


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"hash_": "0" * 40}, ErrorCode.NON_IDENTICAL_HASH),
        ({"size": "44"}, ErrorCode.NON_IDENTICAL_SIZE),
    ],
)
def test_document_unique_id_with_other_content(
    reg: Registry, changes: dict[str, str], code: ErrorCode
) -> None:
    """NIST 12004 resubmit_doc_diff_hash; TF-3 Table 4.2.4.1-2."""
    uid = new_oid()
    reg.submit(one_document(unique_id=uid))
    (error,) = reg.fails(one_document(unique_id=uid, **changes))
    assert error.code == code and uid in error.context


@pytest.mark.parametrize("owner", ["Document01", "SubmissionSet01", "Folder01"])
@pytest.mark.parametrize("reuser", ["SubmissionSet", "Folder"])
def test_submission_set_or_folder_unique_id_already_registered(
    reg: Registry, owner: str, reuser: str
) -> None:
    """An SS or Folder uniqueId equal to ANY registered object's uniqueId (checklist 2.6)."""
    first = one_document().folder("Folder01")
    reg.submit(first)
    taken = first.unique_ids[owner]
    b = (
        SubmissionBuilder(unique_id=taken)
        if reuser == "SubmissionSet"
        else SubmissionBuilder().folder(unique_id=taken)
    )
    b.document("Document01")
    (error,) = reg.fails(b)
    assert error.code == ErrorCode.DUPLICATE_UNIQUE_ID_IN_REGISTRY and taken in error.context


def test_unique_id_twice_in_message(reg: Registry) -> None:
    b = one_document()
    b.document("Document02", unique_id=b.unique_ids["Document01"])
    assert reg.codes(b) == {ErrorCode.REGISTRY_DUPLICATE_UNIQUE_ID_IN_MESSAGE}


@pytest.mark.parametrize(
    "build",
    [
        lambda b: b.relate(T.APND, "Document01", UNKNOWN_UUID),
        lambda b: b.reference(UNKNOWN_UUID),
        lambda b: b.relate(T.APND, "Document01", "NotInSubmission"),
    ],
    ids=["uuid-not-registered", "reference-not-registered", "symbolic-outside-submission"],
)
def test_unresolved_reference(reg: Registry, build: Callable[[SubmissionBuilder], object]) -> None:
    b = one_document()
    build(b)
    assert reg.codes(b) == {ErrorCode.UNRESOLVED_REFERENCE}


def test_on_demand_entry_refused(reg: Registry) -> None:
    assert reg.codes(one_document(object_type=v.DOCUMENT_ENTRY_ON_DEMAND)) == {
        ErrorCode.REGISTRY_METADATA_ERROR
    }


def test_affinity_domain_codes(reg: Registry) -> None:
    codes_file = SHARED / "testkit/nist/environment/codes.xml"
    if not codes_file.is_file():
        pytest.skip(f"NIST codes.xml not found at {codes_file}")
    reg.settings = RegistrySettings(codes_file=codes_file)
    reg.submit(one_document())
    b = one_document(codes={"typeCode": ("00000-0", "2.16.840.1.113883.6.1", "No such type")})
    (error,) = reg.fails(b)
    assert error.code == ErrorCode.REGISTRY_METADATA_ERROR and "typeCode 00000-0" in error.context


# --- lifecycle: replacement, transformation, addendum, signature -----------------------------------------


def _registered(reg: Registry, patient: str = PATIENT, **doc: object) -> Row:
    b = one_document(patient, **doc)
    reg.submit(b)
    return reg.entry(b.unique_ids["Document01"])


@pytest.mark.parametrize("kind", [T.RPLC, T.XFRM_RPLC])
def test_replacement_deprecates_original(reg: Registry, kind: str) -> None:
    """NIST 11992, 11995: the original becomes Deprecated in column and stored XML; the new one Approved."""
    original = _registered(reg)
    b = one_document()
    b.relate(kind, "Document01", original.id)
    reg.submit(b)
    replaced, replacement = reg.entry(original.unique_id), reg.entry(b.unique_ids["Document01"])
    assert replaced.status == DEPRECATED and f'status="{DEPRECATED}"' in replaced.xml
    assert replacement.status == APPROVED
    (rel,) = reg.associations(type=kind)
    assert (rel.source, rel.target) == (replacement.id, original.id)


def test_replacement_deprecates_transforms_and_addenda(reg: Registry) -> None:
    """NIST 11993, 11994 (TF-2 3.42.4.1.3.5): XFRM and APND of the replaced entry are deprecated with it."""
    original = _registered(reg)
    xfrm = one_document()
    xfrm.relate(T.XFRM, "Document01", original.id)
    apnd = one_document()
    apnd.relate(T.APND, "Document01", original.id)
    signature = one_document()
    signature.relate(T.SIGNS, "Document01", original.id)
    for b in (xfrm, apnd, signature):
        reg.submit(b)
    assert reg.entry(original.unique_id).status == APPROVED  # XFRM, APND and signs leave the target alone
    rplc = one_document()
    rplc.relate(T.RPLC, "Document01", original.id)
    reg.submit(rplc)
    assert reg.entry(original.unique_id).status == DEPRECATED
    assert reg.entry(xfrm.unique_ids["Document01"]).status == DEPRECATED
    assert reg.entry(apnd.unique_ids["Document01"]).status == DEPRECATED
    assert reg.entry(signature.unique_ids["Document01"]).status == APPROVED
    assert reg.entry(rplc.unique_ids["Document01"]).status == APPROVED


def test_replacement_with_other_patient_refused(reg: Registry) -> None:
    """NIST 11998: nothing changes, the original stays Approved."""
    original = _registered(reg)
    b = one_document(OTHER_PATIENT)
    b.relate(T.RPLC, "Document01", original.id)
    before = reg.counts()
    assert reg.codes(b) == {ErrorCode.PATIENT_ID_DOES_NOT_MATCH}
    assert reg.entry(original.unique_id).status == APPROVED
    assert reg.counts() == before


@pytest.mark.parametrize("kind", [T.RPLC, T.XFRM, T.APND, T.XFRM_RPLC, T.SIGNS])
def test_relationship_to_deprecated_entry_refused(reg: Registry, kind: str) -> None:
    """TF-2 3.42.4.1.3.5 check 4: XDSRegistryDeprecatedDocumentError."""
    original = _registered(reg)
    rplc = one_document()
    rplc.relate(T.RPLC, "Document01", original.id)
    reg.submit(rplc)
    b = one_document()
    b.relate(kind, "Document01", original.id)
    assert reg.codes(b) == {ErrorCode.REGISTRY_DEPRECATED_DOCUMENT_ERROR}


def test_reference_to_deprecated_entry_refused(reg: Registry) -> None:
    original = _registered(reg)
    rplc = one_document()
    rplc.relate(T.RPLC, "Document01", original.id)
    reg.submit(rplc)
    assert reg.codes(one_document().reference(original.id)) == {ErrorCode.REGISTRY_DEPRECATED_DOCUMENT_ERROR}


def test_relationship_to_a_folder_refused(reg: Registry) -> None:
    first = SubmissionBuilder().folder("Folder01")
    reg.submit(first)
    fd = reg.folder(first.unique_ids["Folder01"])
    b = one_document()
    b.relate(T.APND, "Document01", fd.id)
    assert reg.codes(b) == {ErrorCode.REGISTRY_METADATA_ERROR}


def test_is_snapshot_of_needs_an_on_demand_target(reg: Registry) -> None:
    stable = _registered(reg)
    b = one_document()
    b.relate(T.IS_SNAPSHOT_OF, "Document01", stable.id)
    (error,) = reg.fails(b)
    assert error.code == ErrorCode.REGISTRY_METADATA_ERROR and "On-Demand" in error.context


# --- folders ----------------------------------------------------------------------------------------------


def _existing_folder(reg: Registry, patient: str = PATIENT) -> Row:
    b = SubmissionBuilder(patient).folder("Folder01")
    reg.submit(b)
    return reg.folder(b.unique_ids["Folder01"])


def test_new_document_into_existing_folder(reg: Registry) -> None:
    """NIST 12001, 12323: the Folder's lastUpdateTime (column and XML) moves to the registration time."""
    fd = _existing_folder(reg)
    reg.clock = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    b = one_document()
    b.add_to_folder(fd.id, "Document01")
    reg.submit(b)
    updated = reg.folder(fd.unique_id)
    assert updated.last_update_time == "20250102030405"
    assert "<rim:Value>20250102030405</rim:Value>" in updated.xml
    assert "20240506070809" not in updated.xml
    (member,) = reg.associations(source=fd.id)
    assert member.target == reg.entry(b.unique_ids["Document01"]).id


def test_existing_document_into_existing_folder(reg: Registry) -> None:
    """NIST 12326: FD-DE plus SS-HM, no SubmissionSetStatus needed."""
    fd = _existing_folder(reg)
    doc = _registered(reg)
    reg.clock = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    b = SubmissionBuilder()
    fd_de = b.add_to_folder(fd.id, doc.id)
    reg.submit(b)
    (member,) = reg.associations(source=fd.id)
    assert member.target == doc.id and fd_de not in member.id
    assert reg.folder(fd.unique_id).last_update_time == "20250102030405"


def test_folder_of_other_patient_refused(reg: Registry) -> None:
    """NIST 12002: a DocumentEntry's patient equals that of every Folder it joins."""
    fd = _existing_folder(reg, OTHER_PATIENT)
    b = one_document()
    b.add_to_folder(fd.id, "Document01")
    assert reg.codes(b) == {ErrorCode.PATIENT_ID_DOES_NOT_MATCH}
    assert reg.folder(fd.unique_id).last_update_time == "20240506070809"


def test_deprecated_document_cannot_join_a_folder(reg: Registry) -> None:
    fd = _existing_folder(reg)
    original = _registered(reg)
    rplc = one_document()
    rplc.relate(T.RPLC, "Document01", original.id)
    reg.submit(rplc)
    b = SubmissionBuilder()
    b.add_to_folder(fd.id, original.id)
    assert reg.codes(b) == {ErrorCode.REGISTRY_DEPRECATED_DOCUMENT_ERROR}


def test_registered_submission_set_cannot_get_members(reg: Registry) -> None:
    first = one_document()
    reg.submit(first)
    with reg.engine.connect() as conn:
        ss_id = conn.scalar(select(submission_set.c.id))
    b = one_document()
    b.add_to_folder(ss_id, "Document01")
    assert reg.codes(b) == {ErrorCode.REGISTRY_METADATA_ERROR}


def test_replacement_joins_the_folders_of_the_original(reg: Registry) -> None:
    """NIST 12327; TF-2 3.42.4.1.3.5: a new FD-DE HasMember to the replacement, recorded by an SS-HM from
    the replacing SubmissionSet, and lastUpdateTime of the Folder moves."""
    first = one_document().folder("Folder01")
    first.add_to_folder("Folder01", "Document01")
    reg.submit(first)
    fd, original = reg.folder(first.unique_ids["Folder01"]), reg.entry(first.unique_ids["Document01"])
    reg.clock = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    b = one_document()
    b.relate(T.RPLC, "Document01", original.id)
    reg.submit(b)
    replacement = reg.entry(b.unique_ids["Document01"])
    members = {m.target: m for m in reg.associations(source=fd.id)}
    assert set(members) == {original.id, replacement.id}
    new_member = members[replacement.id]
    assert new_member.status == APPROVED and all(is_uuid_urn(i) for i in _ids_in(new_member.xml))
    (recorded,) = reg.associations(target=new_member.id)
    with reg.engine.connect() as conn:
        new_ss = conn.scalar(select(submission_set.c.id).where(submission_set.c.unique_id == b.ss_unique_id))
    assert (recorded.source, recorded.type) == (new_ss, T.HAS_MEMBER)
    assert reg.folder(fd.unique_id).last_update_time == "20250102030405"


# --- concurrency ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "code"),
    [("unique_id", ErrorCode.DUPLICATE_UNIQUE_ID_IN_REGISTRY), ("id", ErrorCode.REGISTRY_METADATA_ERROR)],
)
def test_unique_constraint_caught_after_the_checks(
    reg: Registry, monkeypatch: pytest.MonkeyPatch, column: str, code: ErrorCode
) -> None:
    """What a concurrent registration commits between our checks and our insert is caught by the unique
    constraints and mapped to the code the check would have given (the next test's race, made certain)."""
    doc_uuid = "urn:uuid:3c1d2f7e-9a0b-4c5d-8e6f-7a8b9c0d1e2f"
    first = one_document(doc_id=doc_uuid)
    reg.submit(first)
    monkeypatch.setattr("registry.register.find_registered", lambda conn, ids, uids: Found({}, []))
    if column == "unique_id":
        b = SubmissionBuilder(unique_id=first.ss_unique_id).document("Document01")
    else:
        b = one_document(doc_id=doc_uuid)
    before = reg.counts()
    assert [e.code for e in reg.fails(b)] == [code]
    assert reg.counts() == before


def _race(reg: Registry, requests: list[rim.SubmitObjectsRequest]) -> list[XdsError]:
    """Submit `requests` at the same instant from threads; assert one succeeded, return the failures."""
    barrier = threading.Barrier(len(requests))
    outcomes: list[object] = []

    def run(req: rim.SubmitObjectsRequest) -> None:
        barrier.wait()
        try:
            outcomes.append(reg.submit(req))
        except XdsError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=run, args=(r,)) for r in requests]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    failures = [o for o in outcomes if isinstance(o, XdsError)]
    assert len(outcomes) == len(requests) and len(failures) == len(requests) - 1, outcomes
    return failures


def test_racing_submissions_with_one_submission_set_unique_id(reg: Registry) -> None:
    """Two simultaneous submissions reusing one SubmissionSet uniqueId: exactly one succeeds, the other gets
    XDSDuplicateUniqueIdInRegistry (a check if it ran second, the unique constraint if both checked first)."""
    uid = new_oid()
    requests = [SubmissionBuilder(unique_id=uid).document("Document01").request() for _ in range(2)]
    failures = _race(reg, requests)
    assert [e.code for e in failures[0].errors] == [ErrorCode.DUPLICATE_UNIQUE_ID_IN_REGISTRY]
    counts = reg.counts()
    assert (counts["submission_set"], counts["document_entry"], counts["association"]) == (1, 1, 1)


def test_racing_replacements_of_one_document(reg: Registry) -> None:
    """Two simultaneous RPLC of one entry: one wins, the other finds it Deprecated (row lock on PostgreSQL,
    BEGIN IMMEDIATE on SQLite) instead of both deprecating it."""
    original = _registered(reg)
    requests = []
    for _ in range(2):
        b = one_document()
        b.relate(T.RPLC, "Document01", original.id)
        requests.append(b.request())
    failures = _race(reg, requests)
    assert [e.code for e in failures[0].errors] == [ErrorCode.REGISTRY_DEPRECATED_DOCUMENT_ERROR]
    assert len(reg.associations(type=T.RPLC)) == 1
