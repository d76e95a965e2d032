"""Wire model -> XDS metadata model (`rim.SubmitObjectsRequest` -> `metadata.Submission`), TF-3 4.2.3.

The transform interprets, it never judges: a missing or malformed value stays None (or an empty list, or a
`Code` with empty parts) and the validator reports it. Where a rule needs to count occurrences the typed
field cannot show (classCode sent twice), `code_counts` keeps the count and `rim` keeps everything.

Scheme and node UUIDs are matched after removing whitespace: some real-world senders (e.g. IPF's own
test messages) break long UUIDs with a space, and a UUID never contains one, so the match is unambiguous.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TypeVar

from xds.ebxml import metadata, rim
from xds.ebxml import vocabulary as v

# Slots IHE defines per object type (TF-3 Tables 4.2.3.2-1, 4.2.3.3-1, 4.2.3.4-1). Any other slot is
# extra metadata (TF-3 4.2.3.1.6): stored and returned, or warned about with XDSExtraMetadataNotSaved.
DOCUMENT_ENTRY_SLOTS = frozenset(
    {
        "creationTime",
        "hash",
        "languageCode",
        "legalAuthenticator",
        "repositoryUniqueId",
        "serviceStartTime",
        "serviceStopTime",
        "size",
        "sourcePatientId",
        "sourcePatientInfo",
        "URI",
        v.REFERENCE_ID_LIST_SLOT,
    }
)
# The IHE DocumentEntry slots that may carry several values; every other one holds exactly one.
DOCUMENT_ENTRY_MULTI_VALUED_SLOTS = frozenset({"sourcePatientInfo", v.REFERENCE_ID_LIST_SLOT})
SUBMISSION_SET_SLOTS = frozenset({"submissionTime", "intendedRecipient"})
FOLDER_SLOTS = frozenset({"lastUpdateTime"})
# Association slots are not extra metadata: SubmissionSetStatus and the MU slots are protocol.

# Slots of an author Classification (TF-3 4.2.3.1.4).
AUTHOR_PERSON = "authorPerson"
AUTHOR_INSTITUTION = "authorInstitution"
AUTHOR_ROLE = "authorRole"
AUTHOR_SPECIALTY = "authorSpecialty"
AUTHOR_TELECOMMUNICATION = "authorTelecommunication"
CODING_SCHEME = "codingScheme"

_R = TypeVar("_R", bound=rim.RegistryObject)

# Single-valued DocumentEntry codes: scheme -> (attribute name in TF-3, DocumentEntry field).
_DE_SINGLE_CODES = {
    v.DE_CLASS_CODE: ("classCode", "class_code"),
    v.DE_TYPE_CODE: ("typeCode", "type_code"),
    v.DE_FORMAT_CODE: ("formatCode", "format_code"),
    v.DE_HEALTHCARE_FACILITY_TYPE_CODE: ("healthcareFacilityTypeCode", "healthcare_facility_type_code"),
    v.DE_PRACTICE_SETTING_CODE: ("practiceSettingCode", "practice_setting_code"),
}
# Every coded DocumentEntry attribute: classification scheme -> TF-3 attribute name.
DOCUMENT_ENTRY_CODE_NAMES = {
    **{scheme: names[0] for scheme, names in _DE_SINGLE_CODES.items()},
    v.DE_CONFIDENTIALITY_CODE: "confidentialityCode",
    v.DE_EVENT_CODE: "eventCodeList",
}


def _key(uuid: str | None) -> str | None:
    return "".join(uuid.split()) if uuid else uuid


def to_submission(req: rim.SubmitObjectsRequest) -> metadata.Submission:
    """Map every object of the request to its XDS meaning; stand-alone Classifications join their object.

    A stand-alone Classification (the SubmissionSet node may sit outside its package, TF-3 4.2.1.2.1) is
    added to a copy of the object it classifies, so that the object's `rim` renders self-contained. The
    request itself is not modified. Classifications whose object is not in the request end up in
    `Submission.unattached_classifications`.
    """
    outside: dict[str, list[rim.Classification]] = {}
    for cl in req.classifications:
        outside.setdefault(cl.classified_object, []).append(cl)

    def attach(obj: _R) -> _R:
        extra = outside.pop(obj.id, None)
        if not extra:
            return obj
        return dataclasses.replace(obj, classifications=[*obj.classifications, *extra])

    sub = metadata.Submission()
    sub.documents = [_document_entry(attach(eo)) for eo in req.extrinsic_objects]
    for pkg in req.registry_packages:
        pkg = attach(pkg)
        nodes = {_key(c.node) for c in pkg.classifications if c.node}
        if v.SUBMISSION_SET_NODE in nodes:
            sub.submission_sets.append(_submission_set(pkg))
        elif v.FOLDER_NODE in nodes:
            sub.folders.append(_folder(pkg))
        else:
            sub.unclassified_packages.append(pkg)
    sub.associations = [_association(attach(a)) for a in req.associations]
    sub.unattached_classifications = [cl for cls in outside.values() for cl in cls]
    return sub


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


def _text(strings: list[rim.LocalizedString]) -> str | None:
    return strings[0].value if strings else None


def _code(cl: rim.Classification) -> metadata.Code:
    """code = nodeRepresentation, scheme = the single codingScheme value, display = Name (TF-3 4.2.3.1.2).

    Missing parts become "" rather than None so `Code` stays hashable and comparable; the validator
    reports empty parts and several codingScheme values by reading `cl` itself.
    """
    schemes = [value for s in cl.slots if s.name == CODING_SCHEME for value in s.values]
    return metadata.Code(
        code=cl.node_representation or "",
        scheme=schemes[0] if len(schemes) == 1 else "",
        display=_text(cl.name) or "",
    )


def _author(cl: rim.Classification) -> metadata.Author:
    author = metadata.Author()
    for s in cl.slots:
        if s.name == AUTHOR_PERSON:
            author.person = _first(s.values)
        elif s.name == AUTHOR_INSTITUTION:
            author.institutions.extend(s.values)
        elif s.name == AUTHOR_ROLE:
            author.roles.extend(s.values)
        elif s.name == AUTHOR_SPECIALTY:
            author.specialties.extend(s.values)
        elif s.name == AUTHOR_TELECOMMUNICATION:
            author.telecoms.extend(s.values)
    return author


def _external_ids(obj: rim.RegistryObject) -> dict[str, str]:
    """scheme -> value of the first ExternalIdentifier per scheme; duplicates are the validator's business."""
    ids: dict[str, str] = {}
    for ei in obj.external_identifiers:
        ids.setdefault(_key(ei.scheme) or "", ei.value)
    return ids


def _extra(slots: Iterable[rim.Slot], known: frozenset[str]) -> list[rim.Slot]:
    return [s for s in slots if s.name not in known]


def _document_entry(eo: rim.ExtrinsicObject) -> metadata.DocumentEntry:
    ids = _external_ids(eo)
    de = metadata.DocumentEntry(
        entry_uuid=eo.id,
        rim=eo,
        unique_id=ids.get(v.DE_UNIQUE_ID),
        patient_id=ids.get(v.DE_PATIENT_ID),
        object_type=eo.object_type,
        mime_type=eo.mime_type,
        status=eo.status,
        lid=eo.lid,
        home=eo.home,
        title=_text(eo.name),
        comments=_text(eo.description),
        extra_slots=_extra(eo.slots, DOCUMENT_ENTRY_SLOTS),
    )
    for cl in eo.classifications:
        scheme = _key(cl.scheme)
        if scheme == v.DE_AUTHOR:
            de.authors.append(_author(cl))
            continue
        name = DOCUMENT_ENTRY_CODE_NAMES.get(scheme or "")
        if name is None:
            continue
        de.code_counts[name] = de.code_counts.get(name, 0) + 1
        if scheme == v.DE_CONFIDENTIALITY_CODE:
            de.confidentiality_codes.append(_code(cl))
        elif scheme == v.DE_EVENT_CODE:
            de.event_codes.append(_code(cl))
        elif de.code_counts[name] == 1:
            setattr(de, _DE_SINGLE_CODES[scheme][1], _code(cl))
    for s in eo.slots:
        values = s.values
        match s.name:
            case "creationTime":
                de.creation_time = _first(values)
            case "serviceStartTime":
                de.service_start_time = _first(values)
            case "serviceStopTime":
                de.service_stop_time = _first(values)
            case "hash":
                de.hash = _first(values)
            case "size":
                de.size = _first(values)
            case "languageCode":
                de.language_code = _first(values)
            case "repositoryUniqueId":
                de.repository_unique_id = _first(values)
            case "sourcePatientId":
                de.source_patient_id = _first(values)
            case "sourcePatientInfo":
                de.source_patient_info = list(values)
            case "legalAuthenticator":
                de.legal_authenticator = _first(values)
            case "URI":
                de.uri = _first(values)
            case v.REFERENCE_ID_LIST_SLOT:
                de.reference_ids = list(values)
    return de


def _submission_set(pkg: rim.RegistryPackage) -> metadata.SubmissionSet:
    ids = _external_ids(pkg)
    ss = metadata.SubmissionSet(
        entry_uuid=pkg.id,
        rim=pkg,
        unique_id=ids.get(v.SS_UNIQUE_ID),
        patient_id=ids.get(v.SS_PATIENT_ID),
        source_id=ids.get(v.SS_SOURCE_ID),
        status=pkg.status,
        home=pkg.home,
        title=_text(pkg.name),
        comments=_text(pkg.description),
        submission_time=pkg.first_value("submissionTime"),
        intended_recipients=list(pkg.slot_values("intendedRecipient")),
        extra_slots=_extra(pkg.slots, SUBMISSION_SET_SLOTS),
    )
    for cl in pkg.classifications:
        scheme = _key(cl.scheme)
        if scheme == v.SS_AUTHOR:
            ss.authors.append(_author(cl))
        elif scheme == v.SS_CONTENT_TYPE_CODE:
            ss.code_counts["contentTypeCode"] = ss.code_counts.get("contentTypeCode", 0) + 1
            if ss.content_type_code is None:
                ss.content_type_code = _code(cl)
    return ss


def _folder(pkg: rim.RegistryPackage) -> metadata.Folder:
    ids = _external_ids(pkg)
    return metadata.Folder(
        entry_uuid=pkg.id,
        rim=pkg,
        unique_id=ids.get(v.FD_UNIQUE_ID),
        patient_id=ids.get(v.FD_PATIENT_ID),
        status=pkg.status,
        lid=pkg.lid,
        home=pkg.home,
        title=_text(pkg.name),
        comments=_text(pkg.description),
        last_update_time=pkg.first_value("lastUpdateTime"),
        codes=[_code(cl) for cl in pkg.classifications if _key(cl.scheme) == v.FD_CODE_LIST],
        extra_slots=_extra(pkg.slots, FOLDER_SLOTS),
    )


def _association(a: rim.Association) -> metadata.Association:
    return metadata.Association(
        entry_uuid=a.id,
        rim=a,
        association_type=a.association_type,
        source=a.source_object,
        target=a.target_object,
        status=a.status,
        submission_set_status=a.first_value(v.SUBMISSION_SET_STATUS_SLOT),
        has_documentation=any(_key(cl.scheme) == v.ASSOCIATION_DOCUMENTATION for cl in a.classifications),
    )
