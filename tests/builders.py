"""Build ITI-42 SubmitObjectsRequests for tests: valid by default, every piece overridable.

    sub = SubmissionBuilder(PATIENT)
    sub.document("Doc1", codes={"classCode": ("REPORTS", "1.3.6.1.4.1.19376.1.2.6.1", "Reports")})
    sub.folder("Fol1")
    sub.add_to_folder("Fol1", "Doc1")
    req = sub.request()          # rim.SubmitObjectsRequest, parsed by the real codec
    xml = sub.xml()              # the bytes a Document Repository would send

`document()` and `folder()` also link the object to the SubmissionSet (HasMember, Original) unless
`link=False`; `slots={"hash": None}` removes a slot, `codes={"classCode": None}` removes a code, so a test
can take away exactly one required attribute.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from lxml import etree

from xds.ebxml import rim
from xds.ebxml import vocabulary as v
from xds.ebxml.namespaces import LCM, NSMAP, RIM, q
from xds.ebxml.parse_submit import parse_submit_objects_request

PATIENT = "PAT-1^^^&1.3.6.1.4.1.21367.13.20.1000&ISO"
OTHER_PATIENT = "PAT-2^^^&1.3.6.1.4.1.21367.13.20.1000&ISO"
REPOSITORY = "1.19.6.24.109.42.1"
SOURCE_ID = "1.3.6.1.4.1.21367.2008.1.2.178"

CodeSpec = tuple[str, str, str]  # code, codingScheme, displayName


def new_oid() -> str:
    """A fresh OID for uniqueIds: the UUID-derived arc 2.25 (ITU-T X.667), unique across processes too."""
    return f"2.25.{uuid.uuid4().int}"


DE_CODE_SCHEMES = {
    "classCode": v.DE_CLASS_CODE,
    "typeCode": v.DE_TYPE_CODE,
    "formatCode": v.DE_FORMAT_CODE,
    "healthcareFacilityTypeCode": v.DE_HEALTHCARE_FACILITY_TYPE_CODE,
    "practiceSettingCode": v.DE_PRACTICE_SETTING_CODE,
    "confidentialityCode": v.DE_CONFIDENTIALITY_CODE,
    "eventCodeList": v.DE_EVENT_CODE,
}
# Values from the NIST codes.xml, so submissions also pass with the affinity-domain value sets on.
DEFAULT_DE_CODES: dict[str, CodeSpec | list[CodeSpec]] = {
    "classCode": ("REPORTS", "1.3.6.1.4.1.19376.1.2.6.1", "Reports"),
    "typeCode": ("11369-6", "2.16.840.1.113883.6.1", "Immunization"),
    "formatCode": (
        "urn:ihe:iti:xds:2017:mimeTypeSufficient",
        "1.3.6.1.4.1.19376.1.2.3",
        "mimeType Sufficient",
    ),
    "healthcareFacilityTypeCode": ("264372000", "2.16.840.1.113883.6.96", "Pharmacy"),
    "practiceSettingCode": ("Practice-C", "1.3.6.1.4.1.21367.2017.3", "Laboratory"),
    "confidentialityCode": [("N", "2.16.840.1.113883.5.25", "normal")],
    "eventCodeList": [],
}
DEFAULT_CONTENT_TYPE: CodeSpec = ("225728007", "2.16.840.1.113883.6.96", "Accident and Emergency department")
DEFAULT_FOLDER_CODES: list[CodeSpec] = [("Referrals", "1.3.6.1.4.1.21367.2017.3", "Referrals")]


@dataclass
class Author:
    person: str | None = "^Smitty^Gerald^^^"
    institutions: list[str] = field(default_factory=lambda: ["Cleveland Clinic"])
    roles: list[str] = field(default_factory=list)
    specialties: list[str] = field(default_factory=list)
    telecoms: list[str] = field(default_factory=list)


def _el(tag: str, parent: etree._Element | None = None, **attrs: str) -> etree._Element:
    el = etree.Element(q(RIM, tag), nsmap=NSMAP) if parent is None else etree.SubElement(parent, q(RIM, tag))
    for key, value in attrs.items():
        el.set(key, value)
    return el


def _child_id(obj_id: str, suffix: str) -> str:
    """A symbolic id for a nested Classification or ExternalIdentifier (never a malformed UUID)."""
    return f"{obj_id.removeprefix('urn:uuid:')}-{suffix}"


def _slot(parent: etree._Element, name: str, values: Iterable[str]) -> None:
    value_list = _el("ValueList", _el("Slot", parent, name=name))
    for value in values:
        _el("Value", value_list).text = value


def _name(parent: etree._Element, value: str | None, tag: str = "Name") -> None:
    if value is not None:
        _el("LocalizedString", _el(tag, parent), value=value)


def _slots(
    parent: etree._Element,
    defaults: Mapping[str, Sequence[str]],
    overrides: Mapping[str, Sequence[str] | None],
):
    for name, values in {**defaults, **overrides}.items():
        if values is not None:
            _slot(parent, name, values)


def _code(parent: etree._Element, scheme: str, obj_id: str, spec: CodeSpec, n: int) -> None:
    code, coding_scheme, display = spec
    cl = _el("Classification", parent, id=_child_id(obj_id, f"code-{n}"), classificationScheme=scheme)
    cl.set("classifiedObject", obj_id)
    cl.set("nodeRepresentation", code)
    _slot(cl, "codingScheme", [coding_scheme])
    _name(cl, display)


def _author(parent: etree._Element, scheme: str, obj_id: str, author: Author, n: int) -> None:
    cl = _el("Classification", parent, id=_child_id(obj_id, f"author-{n}"), classificationScheme=scheme)
    cl.set("classifiedObject", obj_id)
    cl.set("nodeRepresentation", "")
    for name, values in (
        ("authorPerson", [author.person] if author.person else []),
        ("authorInstitution", author.institutions),
        ("authorRole", author.roles),
        ("authorSpecialty", author.specialties),
        ("authorTelecommunication", author.telecoms),
    ):
        if values:
            _slot(cl, name, values)


def _external_id(parent: etree._Element, scheme: str, obj_id: str, value: str | None, n: int) -> None:
    if value is None:
        return
    ei = _el("ExternalIdentifier", parent, id=_child_id(obj_id, f"ei-{n}"), registryObject=obj_id)
    ei.set("identificationScheme", scheme)
    ei.set("value", value)
    _name(ei, v.EXTERNAL_ID_NAMES[scheme])


def document_entry(
    doc_id: str = "Document01",
    *,
    patient_id: str | None = PATIENT,
    unique_id: str | None = None,
    object_type: str | None = v.DOCUMENT_ENTRY_STABLE,
    mime_type: str | None = "text/xml",
    title: str | None = "Discharge summary",
    slots: Mapping[str, Sequence[str] | None] | None = None,
    codes: Mapping[str, CodeSpec | list[CodeSpec] | None] | None = None,
    authors: Sequence[Author] | None = None,
    reference_ids: Sequence[str] = (),
    hash_: str = "e543712c0e10501972de13a5bfcbe826c49feb75",
    size: str = "43",
    creation_time: str = "20051224",
    service_start: str | None = "200412230800",
    service_stop: str | None = "200412230801",
) -> etree._Element:
    """A valid Stable DocumentEntry (every DR-required attribute present) with overridable parts."""
    el = _el("ExtrinsicObject", id=doc_id)
    if object_type is not None:
        el.set("objectType", object_type)
    if mime_type is not None:
        el.set("mimeType", mime_type)
    defaults: dict[str, Sequence[str]] = {
        "creationTime": [creation_time],
        "hash": [hash_],
        "size": [size],
        "languageCode": ["en-us"],
        "repositoryUniqueId": [REPOSITORY],
        "sourcePatientId": ["89765a87b^^^&1.2.3.4.5&ISO"],
        "sourcePatientInfo": ["PID-3|pid1^^^&1.2.3&ISO", "PID-5|Doe^John^^^", "PID-7|19560527", "PID-8|M"],
    }
    if service_start is not None:
        defaults["serviceStartTime"] = [service_start]
    if service_stop is not None:
        defaults["serviceStopTime"] = [service_stop]
    if reference_ids:
        defaults[v.REFERENCE_ID_LIST_SLOT] = list(reference_ids)
    _slots(el, defaults, slots or {})
    _name(el, title)
    for n, author in enumerate(authors if authors is not None else [Author()]):
        _author(el, v.DE_AUTHOR, doc_id, author, n)
    n = 0
    for attribute, spec in {**DEFAULT_DE_CODES, **(codes or {})}.items():
        for one in [spec] if isinstance(spec, tuple) else spec or []:
            _code(el, DE_CODE_SCHEMES[attribute], doc_id, one, n)
            n += 1
    _external_id(el, v.DE_PATIENT_ID, doc_id, patient_id, 0)
    _external_id(el, v.DE_UNIQUE_ID, doc_id, unique_id if unique_id is not None else new_oid(), 1)
    return el


def folder(
    folder_id: str = "Folder01",
    *,
    patient_id: str | None = PATIENT,
    unique_id: str | None = None,
    title: str | None = "Referrals",
    codes: Sequence[CodeSpec] | None = None,
    slots: Mapping[str, Sequence[str] | None] | None = None,
) -> etree._Element:
    el = _el("RegistryPackage", id=folder_id)
    _slots(el, {}, slots or {})
    _name(el, title)
    for n, spec in enumerate(DEFAULT_FOLDER_CODES if codes is None else codes):
        _code(el, v.FD_CODE_LIST, folder_id, spec, n)
    cl = _el("Classification", el, id=_child_id(folder_id, "node"), classifiedObject=folder_id)
    cl.set("classificationNode", v.FOLDER_NODE)
    _external_id(el, v.FD_PATIENT_ID, folder_id, patient_id, 0)
    _external_id(el, v.FD_UNIQUE_ID, folder_id, unique_id if unique_id is not None else new_oid(), 1)
    return el


def submission_set(
    ss_id: str = "SubmissionSet01",
    *,
    patient_id: str | None = PATIENT,
    unique_id: str | None = None,
    source_id: str | None = SOURCE_ID,
    submission_time: str | None = "20041225235050",
    content_type: CodeSpec | None = DEFAULT_CONTENT_TYPE,
    authors: Sequence[Author] | None = None,
    slots: Mapping[str, Sequence[str] | None] | None = None,
    classification_inside: bool = True,
) -> list[etree._Element]:
    """The SubmissionSet package; its node Classification is a sibling unless `classification_inside`."""
    el = _el("RegistryPackage", id=ss_id)
    defaults = {"submissionTime": [submission_time]} if submission_time is not None else {}
    _slots(el, defaults, slots or {})
    _name(el, "Submission")
    for n, author in enumerate(authors if authors is not None else [Author()]):
        _author(el, v.SS_AUTHOR, ss_id, author, n)
    if content_type is not None:
        _code(el, v.SS_CONTENT_TYPE_CODE, ss_id, content_type, 0)
    node = _el(
        "Classification",
        el if classification_inside else None,
        id=_child_id(ss_id, "node"),
        classifiedObject=ss_id,
    )
    node.set("classificationNode", v.SUBMISSION_SET_NODE)
    _external_id(el, v.SS_UNIQUE_ID, ss_id, unique_id if unique_id is not None else new_oid(), 0)
    _external_id(el, v.SS_SOURCE_ID, ss_id, source_id, 1)
    _external_id(el, v.SS_PATIENT_ID, ss_id, patient_id, 2)
    return [el] if classification_inside else [el, node]


def association(
    assoc_id: str,
    assoc_type: str,
    source: str,
    target: str,
    *,
    submission_set_status: str | None = None,
    slots: Mapping[str, Sequence[str] | None] | None = None,
    documentation: CodeSpec | None = None,
) -> etree._Element:
    el = _el("Association", id=assoc_id, associationType=assoc_type, sourceObject=source, targetObject=target)
    defaults = {v.SUBMISSION_SET_STATUS_SLOT: [submission_set_status]} if submission_set_status else {}
    _slots(el, defaults, slots or {})
    if documentation is not None:
        _code(el, v.ASSOCIATION_DOCUMENTATION, assoc_id, documentation, 0)
    return el


class SubmissionBuilder:
    """A SubmitObjectsRequest assembled object by object; the SubmissionSet comes first."""

    def __init__(
        self, patient_id: str = PATIENT, ss_id: str = "SubmissionSet01", **ss_overrides: object
    ) -> None:
        self.patient_id = patient_id
        self.ss_id = ss_id
        self.ss_unique_id = str(ss_overrides.pop("unique_id", None) or new_oid())
        ss_overrides.setdefault("patient_id", patient_id)
        self.objects: list[etree._Element] = submission_set(
            ss_id, unique_id=self.ss_unique_id, **ss_overrides
        )
        self.unique_ids: dict[str, str] = {ss_id: self.ss_unique_id}
        self._n = 0

    def _assoc_id(self) -> str:
        self._n += 1
        return f"assoc-{self._n}"

    def add(self, *elements: etree._Element) -> SubmissionBuilder:
        """Any raw element (an object made by the functions above, or hand-written)."""
        self.objects.extend(elements)
        return self

    def document(
        self, doc_id: str = "Document01", *, link: bool = True, **overrides: object
    ) -> SubmissionBuilder:
        overrides.setdefault("patient_id", self.patient_id)
        overrides.setdefault("unique_id", new_oid())
        self.unique_ids[doc_id] = str(overrides["unique_id"])
        self.objects.append(document_entry(doc_id, **overrides))  # type: ignore[arg-type]
        if link:
            self.has_member(doc_id, v.SUBMISSION_SET_STATUS_ORIGINAL)
        return self

    def folder(
        self, folder_id: str = "Folder01", *, link: bool = True, **overrides: object
    ) -> SubmissionBuilder:
        overrides.setdefault("patient_id", self.patient_id)
        overrides.setdefault("unique_id", new_oid())
        self.unique_ids[folder_id] = str(overrides["unique_id"])
        self.objects.append(folder(folder_id, **overrides))  # type: ignore[arg-type]
        if link:
            self.has_member(folder_id)
        return self

    def has_member(
        self, target: str, submission_set_status: str | None = None, **kw: object
    ) -> SubmissionBuilder:
        """SS -> target HasMember (SubmissionSetStatus for a DocumentEntry: Original or Reference)."""
        el = association(
            self._assoc_id(),
            v.AssociationType.HAS_MEMBER,
            self.ss_id,
            target,
            submission_set_status=submission_set_status,
            **kw,  # type: ignore[arg-type]
        )
        self.objects.append(el)
        return self

    def reference(self, entry_uuid: str) -> SubmissionBuilder:
        """Put a registered DocumentEntry in this SubmissionSet by Reference (TF-3 4.2.2.1.1)."""
        return self.has_member(entry_uuid, v.SUBMISSION_SET_STATUS_REFERENCE)

    def add_to_folder(self, folder_id: str, doc_id: str, *, record: bool = True) -> str:
        """FD-DE HasMember plus the SS-HM HasMember recording it; returns the FD-DE association id."""
        assoc_id = self._assoc_id()
        self.objects.append(association(assoc_id, v.AssociationType.HAS_MEMBER, folder_id, doc_id))
        if record:
            self.has_member(assoc_id)
        return assoc_id

    def relate(self, assoc_type: str, source: str, target: str, **kw: object) -> str:
        """A document relationship (RPLC, XFRM, APND, XFRM_RPLC, signs, IsSnapshotOf); returns its id."""
        assoc_id = self._assoc_id()
        self.objects.append(association(assoc_id, assoc_type, source, target, **kw))  # type: ignore[arg-type]
        return assoc_id

    def element(self) -> etree._Element:
        root = etree.Element(q(LCM, "SubmitObjectsRequest"), nsmap=NSMAP)
        object_list = _el("RegistryObjectList", root)
        for obj in self.objects:
            object_list.append(obj)
        return root

    def xml(self) -> bytes:
        return etree.tostring(self.element())

    def request(self) -> rim.SubmitObjectsRequest:
        """The request as the real codec parses it (from serialized bytes, as on the wire)."""
        return parse_submit_objects_request(etree.fromstring(self.xml()))


def one_document(
    patient_id: str = PATIENT, doc_id: str = "Document01", **overrides: object
) -> SubmissionBuilder:
    """The smallest valid ITI-42 submission: a SubmissionSet with one DocumentEntry."""
    return SubmissionBuilder(patient_id).document(doc_id, **overrides)
