"""The ITI-42 rule table, one case per rule (checklist 2.6): a valid submission passes, each defect is found
with its rule's error code and a message naming the object and the attribute."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from builders import (
    DE_CODE_SCHEMES,
    OTHER_PATIENT,
    PATIENT,
    Author,
    SubmissionBuilder,
    association,
    folder,
    one_document,
)
from lxml import etree

from registry.codes import ValueSets, load_value_sets, parse_value_sets
from registry.validation import RULES, validate_submission
from xds.ebxml import vocabulary as v
from xds.ebxml.namespaces import NSMAP, RIM
from xds.ebxml.parse_submit import parse_submit_objects_request
from xds.ebxml.transform import to_submission
from xds.errors import ErrorCode, RegistryError
from xds.xmlsafe import parse_xml

SHARED = Path(__file__).resolve().parents[3] / "shared"
META = ErrorCode.REGISTRY_METADATA_ERROR
UNRESOLVED = ErrorCode.UNRESOLVED_REFERENCE
HM = v.AssociationType.HAS_MEMBER
UUID_A = "urn:uuid:0b7b1c3e-6b1f-4a55-9d7e-5b1b1f0c2a11"


def errors_of(builder: SubmissionBuilder, value_sets: ValueSets | None = None) -> list[RegistryError]:
    return validate_submission(to_submission(builder.request()), value_sets)


def test_valid_submission_passes() -> None:
    b = one_document().document("Document02", authors=[Author(person=None, telecoms=["^Internet^x@y.org"])])
    b.folder("Folder01")
    b.add_to_folder("Folder01", "Document01")
    b.relate(v.AssociationType.APND, "Document02", "Document01")
    b.reference(UUID_A)
    assert errors_of(b) == []


def test_rule_names_are_unique() -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))


def ss(**kw: object) -> Callable[[], SubmissionBuilder]:
    """A one-document submission whose SubmissionSet gets `kw`."""
    return lambda: SubmissionBuilder(**kw).document("Document01")


def doc(**kw: object) -> Callable[[], SubmissionBuilder]:
    """A one-document submission whose DocumentEntry gets `kw`."""
    return lambda: one_document(**kw)


def plus(mutate: Callable[[SubmissionBuilder], object]) -> Callable[[], SubmissionBuilder]:
    """A one-document submission, then `mutate`."""

    def build() -> SubmissionBuilder:
        b = one_document()
        mutate(b)
        return b

    return build


def _package_without_node() -> etree._Element:
    pkg = folder("Package01")
    pkg.remove(pkg.find(f"{{{RIM}}}Classification[@id='Package01-node']"))
    return pkg


def _twice_identified(obj: etree._Element) -> etree._Element:
    """`obj` with a copy of its last ExternalIdentifier (a second uniqueId)."""
    copy = etree.fromstring(etree.tostring(obj.findall(f"{{{RIM}}}ExternalIdentifier")[-1]))
    copy.set("id", "ei-copy")
    obj.append(copy)
    return obj


def _standalone_classification(classified: str) -> etree._Element:
    cl = etree.Element(f"{{{RIM}}}Classification", nsmap=NSMAP, id="cl-standalone")
    cl.set("classifiedObject", classified)
    cl.set("classificationNode", v.SUBMISSION_SET_NODE)
    return cl


def _limit(obj: etree._Element) -> None:
    """Mark a DocumentEntry as limitedMetadata (TF-3 4.2.3.2.29), which ITI-42 refuses."""
    cl = etree.SubElement(obj, f"{{{RIM}}}Classification", id="cl-limited")
    cl.set("classifiedObject", obj.get("id"))
    cl.set("classificationNode", v.DE_LIMITED_METADATA)


Case = tuple[str, Callable[[], SubmissionBuilder], ErrorCode, str]

# (rule, a submission with one defect, expected code, expected message fragment).
CASES: list[Case] = [
    (
        "submission_set_exactly_one",
        plus(lambda b: b.add(*SubmissionBuilder(ss_id="SubmissionSet02").objects)),
        META,
        "exactly one SubmissionSet, it contains 2",
    ),
    ("submission_set_required_attributes", ss(source_id=None), META, "sourceId is missing"),
    ("submission_set_required_attributes", ss(content_type=None), META, "contentTypeCode is missing"),
    ("submission_set_required_attributes", ss(submission_time=None), META, "submissionTime is missing"),
    ("submission_set_required_attributes", ss(patient_id=None), META, "patientId is missing"),
    (
        "submission_set_single_values",
        ss(slots={"submissionTime": ["2004", "2005"]}),
        META,
        "submissionTime must have exactly one value",
    ),
    (
        "submission_set_coded_values",
        ss(content_type=("x", "", "X")),
        META,
        "contentTypeCode 'x' needs exactly one codingScheme",
    ),
    ("submission_set_value_formats", ss(source_id="3670984664x"), META, "sourceId '3670984664x'"),
    ("submission_set_value_formats", ss(unique_id="Sub.01"), META, "uniqueId 'Sub.01'"),
    ("submission_set_value_formats", ss(submission_time="20041325"), META, "month 13"),
    (
        "submission_set_authors",
        ss(authors=[Author(person=None, institutions=[], roles=["Attending"])]),
        META,
        "author has none of",
    ),
    ("document_entry_object_type_stable", doc(object_type=v.DOCUMENT_ENTRY_ON_DEMAND), META, "ITI-61"),
    ("document_entry_object_type_stable", doc(object_type=None), META, "objectType None"),
    ("document_entry_required_attributes", doc(mime_type=None), META, "mimeType is missing"),
    ("document_entry_required_attributes", doc(patient_id=None), META, "patientId is missing"),
    (
        "document_entry_single_values",
        doc(slots={"creationTime": ["2005", "2006"]}),
        META,
        "creationTime must have exactly one value",
    ),
    (
        "document_entry_single_values",
        doc(codes={"classCode": [("A", "1.2", "A"), ("B", "1.2", "B")]}),
        META,
        "classCode is single-valued but sent 2 times",
    ),
    (
        "document_entry_coded_values",
        doc(codes={"eventCodeList": [("E", "", "Event")]}),
        META,
        "eventCodeList 'E' needs exactly one codingScheme",
    ),
    (
        "document_entry_coded_values",
        doc(codes={"typeCode": ("", "2.16.840.1.113883.6.1", "empty")}),
        META,
        "typeCode has an empty code",
    ),
    ("document_entry_value_formats", doc(creation_time="2005-12-24"), META, "creationTime"),
    ("document_entry_value_formats", doc(patient_id="PAT-1^^^1.2.3"), META, "patientId"),
    (
        "document_entry_value_formats",
        doc(slots={"sourcePatientId": ["x^^^&1.2&ISO^^y"]}),
        META,
        "sourcePatientId",
    ),
    ("document_entry_value_formats", doc(hash_="xyz"), META, "hash 'xyz' is not a SHA-1"),
    ("document_entry_value_formats", doc(size="-4"), META, "size '-4'"),
    ("document_entry_value_formats", doc(slots={"repositoryUniqueId": ["repo"]}), META, "repositoryUniqueId"),
    ("document_entry_value_formats", doc(unique_id="1." * 70 + "1"), META, "longer than 128"),
    (
        "document_entry_service_period",
        doc(service_start="200412240800", service_stop="20041223"),
        META,
        "serviceStartTime 200412240800 is after serviceStopTime 20041223",
    ),
    ("document_entry_authors", doc(authors=[Author(person=None, institutions=[])]), META, "author has none"),
    (
        "document_entry_authors",
        doc(authors=[Author(person="^^^^^")]),
        META,
        "authorPerson '^^^^^' has neither",
    ),
    (
        "document_entry_authors",
        doc(authors=[Author(institutions=["^^^^^^^^^1.2.3"])]),
        META,
        "authorInstitution '^^^^^^^^^1.2.3' has no organization name",
    ),
    (
        "document_entry_source_patient_info",
        doc(slots={"sourcePatientInfo": ["PID-7|1956", "PID-7|1957"]}),
        META,
        "PID-7 2 times",
    ),
    (
        "document_entry_source_patient_info",
        doc(slots={"sourcePatientInfo": ["Doe^John"]}),
        META,
        "is not PID-n",
    ),
    ("folder_required_attributes", plus(lambda b: b.folder(codes=[])), META, "codeList is missing"),
    ("folder_required_attributes", plus(lambda b: b.folder(title=None)), META, "title is missing"),
    (
        "folder_single_values",
        plus(lambda b: b.add(_twice_identified(folder("Folder01"))).has_member("Folder01")),
        META,
        f"Folder Folder01: 2 ExternalIdentifiers with scheme {v.FD_UNIQUE_ID}",
    ),
    ("folder_coded_values", plus(lambda b: b.folder(codes=[("R", "", "R")])), META, "codeList 'R'"),
    ("folder_value_formats", plus(lambda b: b.folder(unique_id="F01")), META, "uniqueId 'F01'"),
    (
        "unclassified_packages",
        plus(lambda b: b.add(_package_without_node())),
        META,
        "RegistryPackage Package01 is classified neither as SubmissionSet nor as Folder",
    ),
    (
        "unattached_classifications",
        plus(lambda b: b.add(_standalone_classification("Nowhere01"))),
        META,
        "classifies Nowhere01, which is not in the submission",
    ),
    ("unique_object_ids", plus(lambda b: b.document("Document01")), META, "id Document01 is used by 2"),
    (
        "uuid_syntax",
        plus(lambda b: b.document("urn:uuid:0B7B1C3E-6B1F-4A55-9D7E-5B1B1F0C2A11")),
        META,
        "not a valid lower-case urn:uuid",
    ),
    (
        "unique_ids_in_message",
        plus(lambda b: b.document("Document02", unique_id=b.unique_ids["Document01"])),
        ErrorCode.REGISTRY_DUPLICATE_UNIQUE_ID_IN_MESSAGE,
        "is used by Document01, Document02",
    ),
    (
        "single_patient",
        plus(lambda b: b.document("Document02", patient_id=OTHER_PATIENT)),
        ErrorCode.PATIENT_ID_DOES_NOT_MATCH,
        f"DocumentEntry Document02: patientId {OTHER_PATIENT} differs from {PATIENT}",
    ),
    (
        "single_patient",
        plus(lambda b: b.folder("Folder01", patient_id=OTHER_PATIENT)),
        ErrorCode.PATIENT_ID_DOES_NOT_MATCH,
        "Folder Folder01",
    ),
    ("no_limited_metadata", plus(lambda b: _limit(b.objects[-2])), META, "limitedMetadata is not allowed"),
    (
        "long_names",
        doc(slots={"urn:example:long": ["x" * 257]}),
        META,
        "slot urn:example:long is longer than 256",
    ),
    (
        "long_names",
        doc(codes={"eventCodeList": [("c" * 257, "1.2", "long")]}),
        META,
        "nodeRepresentation is longer than 256",
    ),
    (
        "extra_metadata_names",
        doc(slots={"myslot": ["x"]}),
        META,
        "slot 'myslot' is neither IHE-defined nor a URN",
    ),
    (
        "extra_metadata_names",
        doc(slots={"urn:ihe:iti:xds:2099:invented": ["x"]}),
        META,
        "is not an IHE-defined slot",
    ),
    (
        "association_known_type",
        plus(
            lambda b: b.relate(
                "urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus", "Document01", UUID_A
            )
        ),
        META,
        "unknown associationType",
    ),
    (
        "association_submission_set_status",
        plus(lambda b: b.document("Document02", link=False).has_member("Document02")),
        META,
        "SubmissionSetStatus must be Original or Reference, is None",
    ),
    (
        "association_documentation_on_relationships",
        plus(
            lambda b: b.document("Document02", link=False).has_member(
                "Document02",
                "Original",
                documentation=("Additional_Information", "1.3.6.1.4.1.21367.2017.3", "x"),
            )
        ),
        META,
        "associationDocumentation is only allowed on relationships",
    ),
    (
        "association_references_resolvable",
        plus(lambda b: b.relate(v.AssociationType.APND, "Document01", "Document99")),
        UNRESOLVED,
        "targetObject 'Document99' is neither in the submission nor a UUID",
    ),
    (
        "association_relationship_source",
        plus(lambda b: b.relate(v.AssociationType.XFRM, UUID_A, "Document01")),
        UNRESOLVED,
        "source is not a DocumentEntry of this submission",
    ),
    (
        "association_relationship_target",
        plus(lambda b: b.document("Document02").relate(v.AssociationType.RPLC, "Document02", "Document01")),
        UNRESOLVED,
        "the target must be an entry already in the registry",
    ),
    (
        "association_endpoint_kinds",
        plus(lambda b: b.folder("Folder01").relate(v.AssociationType.SIGNS, "Document01", "Folder01")),
        META,
        "target Folder01 is not of a kind",
    ),
    (
        "association_endpoint_kinds",
        plus(lambda b: b.add(association("bad", HM, "Document01", UUID_A))),
        META,
        "a HasMember source must be the SubmissionSet or a Folder",
    ),
    (
        "association_members_of_submission_set",
        plus(lambda b: b.document("Document02", link=False)),
        META,
        "DocumentEntry Document02 is not linked to the SubmissionSet",
    ),
    (
        "association_folder_membership_recorded",
        plus(lambda b: b.folder("Folder01").add_to_folder("Folder01", "Document01", record=False)),
        META,
        "no HasMember from the SubmissionSet records this folder membership",
    ),
    (
        "codes_in_value_sets",
        doc(codes={"classCode": ("NOPE", "1.3.6.1.4.1.19376.1.2.6.1", "Unknown")}),
        META,
        "classCode NOPE^^^&1.3.6.1.4.1.19376.1.2.6.1&ISO is not in the domain value set",
    ),
    (
        "codes_in_value_sets",
        doc(codes={"classCode": ("REPORTS", "2.16.840.1.113883.6.1", "right code, wrong scheme")}),
        META,
        "classCode REPORTS^^^&2.16.840.1.113883.6.1&ISO",
    ),
    ("codes_in_value_sets", doc(mime_type="text/x-unknown"), META, "mimeType 'text/x-unknown'"),
    (
        "codes_in_value_sets",
        plus(lambda b: b.folder(codes=[("Nope", "1.3.6.1.4.1.21367.2017.3", "x")])),
        META,
        "codeList Nope",
    ),
]


@pytest.fixture(scope="module")
def nist_value_sets() -> ValueSets:
    path = SHARED / "testkit/nist/environment/codes.xml"
    if not path.is_file():
        pytest.skip(f"NIST codes.xml not found at {path}")
    return load_value_sets(path)


@pytest.mark.parametrize(
    ("rule", "build", "code", "fragment"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_rule_finds_its_defect(
    rule: str,
    build: Callable[[], SubmissionBuilder],
    code: ErrorCode,
    fragment: str,
    nist_value_sets: ValueSets,
) -> None:
    (by_rule,) = [r for r in RULES if r.name == rule]
    assert by_rule.code == code
    errors = errors_of(build(), nist_value_sets)
    assert any(e.code == code and fragment in e.context for e in errors), errors


def test_every_rule_has_a_case() -> None:
    assert {rule.name for rule in RULES} == {c[0] for c in CASES}


def test_all_findings_are_reported_at_once() -> None:
    """A vendor sees every problem of a submission in one answer (brief; IPF collects likewise)."""
    b = SubmissionBuilder(source_id="bad").document("Document01", hash_="xyz", size="big", mime_type=None)
    contexts = [e.context for e in errors_of(b)]
    for fragment in ("sourceId 'bad'", "hash 'xyz'", "size 'big'", "mimeType is missing"):
        assert any(fragment in c for c in contexts), contexts


@pytest.mark.parametrize(
    "attribute",
    [
        "classCode",
        "confidentialityCode",
        "formatCode",
        "healthcareFacilityTypeCode",
        "practiceSettingCode",
        "typeCode",
        "creationTime",
        "languageCode",
        "sourcePatientId",
        "hash",
        "size",
        "repositoryUniqueId",
    ],
)
def test_each_required_document_attribute(attribute: str) -> None:
    """NIST 11998a (one missing attribute each) and 12084 (repositoryUniqueId); TF-3 4.3 DR column."""
    if attribute in DE_CODE_SCHEMES:
        b = one_document(codes={attribute: None})
    else:
        b = one_document(slots={attribute: None})
    errors = errors_of(b)
    assert [(e.code, e.context) for e in errors] == [
        (META, f"DocumentEntry Document01: required attribute {attribute} is missing")
    ]


def test_delayed_assembly_placeholder_hash_and_size_accepted() -> None:
    """Delayed Document Assembly registers size 0 and the empty SHA-1 (TF-2 3.42.4.1.2.1)."""
    assert errors_of(one_document(hash_=v.EMPTY_SHA1, size="0")) == []


def test_submission_set_classification_outside_the_package() -> None:
    """The SubmissionSet node Classification may stand beside the package (TF-3 4.2.1.2.1)."""
    assert errors_of(SubmissionBuilder(classification_inside=False).document("Document01")) == []


def test_valid_extra_metadata_accepted() -> None:
    assert errors_of(one_document(slots={"urn:nist:extraDESlot": ["important"]})) == []


def test_value_sets_off_accepts_any_code() -> None:
    b = one_document(codes={"classCode": ("NOPE", "1.2.3", "Unknown")}, mime_type="text/x-unknown")
    assert errors_of(b, None) == []


def test_value_sets_accept_the_builder_defaults(nist_value_sets: ValueSets) -> None:
    b = one_document().folder("Folder01")
    b.add_to_folder("Folder01", "Document01")
    assert errors_of(b, nist_value_sets) == []


def test_value_set_file_format() -> None:
    data = b"""<Codes>
      <CodeType name="classCode" classScheme="urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a">
        <Code code="A" codingScheme="1.2" display="a"/>
      </CodeType>
      <CodeType name="mimeType"><Code code="text/xml" ext="xml"/></CodeType>
      <AssigningAuthority id="&amp;1.2&amp;ISO" display="x"/>
    </Codes>"""
    sets = parse_value_sets(data)
    assert sets.accepts(v.DE_CLASS_CODE, "A", "1.2")
    assert not sets.accepts(v.DE_CLASS_CODE, "A", "1.3")
    assert sets.accepts(v.DE_TYPE_CODE, "anything", "1.9")  # not governed by this file
    assert sets.accepts_mime_type("text/xml") and not sets.accepts_mime_type("text/plain")


@pytest.mark.parametrize("sample", ["SubmitObjectsRequest_ebrs30.xml", "SubmitObjectsRequest_ebrs30_2.xml"])
def test_ipf_samples_report_every_defect(sample: str) -> None:
    """IPF's ITI-41 test messages lack what only a Repository adds (hash, size, repositoryUniqueId), and
    their sourceId is not an OID: all four are reported, and nothing else (spaces inside scheme UUIDs,
    the classification outside the package and authorSpeciality are tolerated)."""
    path = SHARED / "samples/ipf" / sample
    if not path.is_file():
        pytest.skip(f"IPF sample not found at {path}")
    req = parse_submit_objects_request(parse_xml(path.read_bytes()))
    errors = validate_submission(to_submission(req))
    assert sorted(e.context for e in errors) == [
        "DocumentEntry Document01: required attribute hash is missing",
        "DocumentEntry Document01: required attribute repositoryUniqueId is missing",
        "DocumentEntry Document01: required attribute size is missing",
        "SubmissionSet SubmissionSet01: sourceId '3670984664' is not an OID (at most 64 characters)",
    ]
    assert {e.code for e in errors} == {META}
