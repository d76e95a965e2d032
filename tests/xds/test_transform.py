"""transform.to_submission: XDS meaning of IPF's sample submissions and of edge cases (TF-3 4.2.3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from xds.ebxml import metadata, rim
from xds.ebxml import vocabulary as v
from xds.ebxml.namespaces import LCM, RIM
from xds.ebxml.parse_submit import parse_submit_objects_request
from xds.ebxml.transform import to_submission


def sample(shared: Path, name: str) -> metadata.Submission:
    el = etree.parse(str(shared / "samples" / "ipf" / name)).getroot()
    return to_submission(parse_submit_objects_request(el))


def submission(objects: str) -> metadata.Submission:
    el = etree.fromstring(
        f'<lcm:SubmitObjectsRequest xmlns:lcm="{LCM}" xmlns:rim="{RIM}">'
        f"<rim:RegistryObjectList>{objects}</rim:RegistryObjectList></lcm:SubmitObjectsRequest>"
    )
    return to_submission(parse_submit_objects_request(el))


def code(cl_id: str, scheme: str, value: str, coding: list[str] | None = None, name: str | None = "N") -> str:
    slots = "".join(f"<rim:Value>{c}</rim:Value>" for c in (coding or []))
    slot = (
        f'<rim:Slot name="codingScheme"><rim:ValueList>{slots}</rim:ValueList></rim:Slot>' if coding else ""
    )
    names = f'<rim:Name><rim:LocalizedString value="{name}"/></rim:Name>' if name else ""
    return (
        f'<rim:Classification id="{cl_id}" classificationScheme="{scheme}" nodeRepresentation="{value}">'
        f"{slot}{names}</rim:Classification>"
    )


@pytest.mark.parametrize("name", ["SubmitObjectsRequest_ebrs30.xml", "SubmitObjectsRequest_ebrs30_2.xml"])
def test_document_entry_of_ipf_sample(shared: Path, name: str) -> None:
    sub = sample(shared, name)
    (de,) = sub.documents
    assert de.entry_uuid == "Document01"
    assert de.class_code == metadata.Code(
        "History and Physical", "Connect-a-thon classCodes", "History and Physical"
    )
    assert de.type_code == metadata.Code("34108-1", "LOINC", "Outpatient Evaluation And Management")
    assert de.format_code == metadata.Code("CDAR2/IHE 1.0", "Connect-a-thon formatCodes", "CDAR2/IHE 1.0")
    assert de.healthcare_facility_type_code and de.healthcare_facility_type_code.code == "Outpatient"
    assert de.practice_setting_code and de.practice_setting_code.code == "General Medicine"
    assert de.confidentiality_codes == [
        metadata.Code("1.3.6.1.4.1.21367.2006.7.101", "Connect-a-thon confidentialityCodes", "Clinical-Staff")
    ]
    assert de.event_codes == []
    assert de.code_counts == {
        "classCode": 1,
        "confidentialityCode": 1,
        "formatCode": 1,
        "healthcareFacilityTypeCode": 1,
        "practiceSettingCode": 1,
        "typeCode": 1,
    }
    (author,) = de.authors
    assert author.person == "Gerald Smitty"
    assert author.institutions == ["Cleveland Clinic", "Parma Community"]
    assert author.roles == ["Attending"]
    assert author.specialties == []  # IPF writes "authorSpeciality", which TF-3 4.2.3.1.4 does not define
    # The sample breaks the patientId scheme UUID with a space; matching ignores it.
    assert de.patient_id == "SELF-5^^^&1.3.6.1.4.1.21367.2005.3.7&ISO"
    assert de.unique_id == "1.3.6.1.4.1.21367.2005.3.9999.32"
    assert (de.creation_time, de.service_start_time, de.service_stop_time) == (
        "20051224",
        "200412230800",
        "200412230801",
    )
    assert de.language_code == "en-us"
    assert de.source_patient_id == "ST-1000^^^&1.3.6.1.4.1.21367.2003.3.9&ISO"
    assert len(de.source_patient_info) == 5
    assert (de.mime_type, de.object_type, de.title, de.comments) == (
        "text/xml",
        v.DOCUMENT_ENTRY_STABLE,
        "Physical",
        None,
    )
    assert (de.hash, de.size, de.repository_unique_id, de.uri, de.legal_authenticator) == (None,) * 5
    assert de.extra_slots == []


@pytest.mark.parametrize("name", ["SubmitObjectsRequest_ebrs30.xml", "SubmitObjectsRequest_ebrs30_2.xml"])
def test_submission_set_is_found_whether_its_classification_is_inside_or_outside(
    shared: Path, name: str
) -> None:
    sub = sample(shared, name)
    (ss,) = sub.submission_sets
    assert (sub.folders, sub.unclassified_packages, sub.unattached_classifications) == ([], [], [])
    assert ss.entry_uuid == "SubmissionSet01"
    assert ss.unique_id == "1.3.6.1.4.1.21367.2005.3.9999.33"
    assert ss.source_id == "3670984664"
    assert ss.patient_id == "SELF-5^^^&1.3.6.1.4.1.21367.2005.3.7&ISO"
    assert ss.submission_time == "20041225235050"
    assert (ss.title, ss.comments) == ("Physical", "Annual physical")
    assert ss.content_type_code == metadata.Code(
        "History and Physical", "Connect-a-thon contentTypeCodes", "History and Physical"
    )
    assert [a.person for a in ss.authors] == ["Sherry Dopplemeyer"]
    # The node classification travels with the package, so the stored fragment is self-contained.
    assert [c.id for c in ss.rim.classifications if c.node == v.SUBMISSION_SET_NODE] == ["cl10"]


def test_transform_does_not_modify_the_request(shared: Path) -> None:
    el = etree.parse(str(shared / "samples" / "ipf" / "SubmitObjectsRequest_ebrs30.xml")).getroot()
    req = parse_submit_objects_request(el)
    to_submission(req)
    assert len(req.registry_packages[0].classifications) == 2
    assert len(req.classifications) == 1


def test_associations(shared: Path) -> None:
    has_member, snapshot = sample(shared, "SubmitObjectsRequest_ebrs30.xml").associations
    assert (has_member.association_type, has_member.source, has_member.target) == (
        v.AssociationType.HAS_MEMBER,
        "SubmissionSet01",
        "Document01",
    )
    assert has_member.submission_set_status == v.SUBMISSION_SET_STATUS_ORIGINAL
    assert has_member.has_documentation is False
    assert snapshot.association_type == v.AssociationType.IS_SNAPSHOT_OF
    assert snapshot.submission_set_status is None


def test_extra_slots_of_ipf_sample(shared: Path) -> None:
    (de,) = sample(shared, "SubmitObjectsRequest_ebrs3_extra_metadata.xml").documents
    assert de.extra_slots == [rim.Slot("urn:my:company:slot", ["somevalue"])]


def test_codes_are_counted_and_incomplete_codes_kept_empty() -> None:
    sub = submission(
        '<rim:ExtrinsicObject id="d">'
        + code("c1", v.DE_CLASS_CODE, "A", ["s1"])
        + code("c2", v.DE_CLASS_CODE, "B", ["s1"])
        + code("c3", v.DE_TYPE_CODE, "T", ["s1", "s2"], name=None)
        + code("c4", v.DE_EVENT_CODE, "E1", ["s"])
        + code("c5", v.DE_EVENT_CODE, "E2", ["s"])
        + "</rim:ExtrinsicObject>"
    )
    (de,) = sub.documents
    assert de.class_code == metadata.Code("A", "s1", "N")  # the first; the count tells the rest
    assert de.code_counts == {"classCode": 2, "typeCode": 1, "eventCodeList": 2}
    assert de.type_code == metadata.Code("T", "", "")  # two codingScheme values: no single scheme
    assert [c.code for c in de.event_codes] == ["E1", "E2"]
    assert de.format_code is None


def test_document_entry_slots_and_extra_slots() -> None:
    slots = {
        "hash": "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        "size": "12x",
        "repositoryUniqueId": "1.2.3",
        "legalAuthenticator": "^Welby^Marcus",
        "URI": "http://example.org/doc",
        v.REFERENCE_ID_LIST_SLOT: "r1^^^&amp;1.2&amp;ISO^urn:ihe:iti:xds:2013:accession",
        "urn:acme:x": "1",
        "notIHE": "2",
    }
    xml = "".join(
        f'<rim:Slot name="{k}"><rim:ValueList><rim:Value>{val}</rim:Value></rim:ValueList></rim:Slot>'
        for k, val in slots.items()
    )
    (de,) = submission(
        f'<rim:ExtrinsicObject id="d" lid="L" home="urn:oid:1.9" status="{v.Status.APPROVED}">{xml}'
        "</rim:ExtrinsicObject>"
    ).documents
    assert (de.hash, de.size, de.repository_unique_id) == (
        "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        "12x",
        "1.2.3",
    )
    assert (de.legal_authenticator, de.uri) == ("^Welby^Marcus", "http://example.org/doc")
    assert de.reference_ids == ["r1^^^&1.2&ISO^urn:ihe:iti:xds:2013:accession"]
    assert [s.name for s in de.extra_slots] == ["urn:acme:x", "notIHE"]
    assert (de.lid, de.home, de.status) == ("L", "urn:oid:1.9", v.Status.APPROVED)


def test_folder_unclassified_package_and_documented_association() -> None:
    sub = submission(
        '<rim:RegistryPackage id="f"><rim:Slot name="lastUpdateTime"><rim:ValueList><rim:Value>2020'
        '</rim:Value></rim:ValueList></rim:Slot><rim:Slot name="urn:x:y"><rim:ValueList/></rim:Slot>'
        '<rim:Name><rim:LocalizedString value="F"/></rim:Name>'
        + code("c1", v.FD_CODE_LIST, "K1", ["s"])
        + code("c2", v.FD_CODE_LIST, "K2", ["s"])
        + f'<rim:ExternalIdentifier identificationScheme="{v.FD_UNIQUE_ID}" value="1.5"/>'
        f'<rim:ExternalIdentifier identificationScheme="{v.FD_PATIENT_ID}" value="p^^^&amp;1.2&amp;ISO"/>'
        f"</rim:RegistryPackage>"
        f'<rim:Classification id="n" classifiedObject="f" classificationNode="{v.FOLDER_NODE}"/>'
        f'<rim:RegistryPackage id="p"/>'
        f'<rim:Classification id="x" classifiedObject="urn:uuid:00000000-0000-4000-8000-000000000000" '
        f'classificationNode="{v.SUBMISSION_SET_NODE}"/>'
        f'<rim:Association id="a" associationType="{v.AssociationType.RPLC}" '
        'sourceObject="d2" targetObject="d1">'
        f'<rim:Classification classificationScheme="{v.ASSOCIATION_DOCUMENTATION}" nodeRepresentation="n"/>'
        f"</rim:Association>"
    )
    (folder,) = sub.folders
    assert (folder.entry_uuid, folder.title, folder.last_update_time) == ("f", "F", "2020")
    assert [c.code for c in folder.codes] == ["K1", "K2"]
    assert (folder.unique_id, folder.patient_id) == ("1.5", "p^^^&1.2&ISO")
    assert [s.name for s in folder.extra_slots] == ["urn:x:y"]
    assert [p.id for p in sub.unclassified_packages] == ["p"]
    assert [c.id for c in sub.unattached_classifications] == ["x"]
    (assoc,) = sub.associations
    assert assoc.has_documentation is True
