"""Turn a plan's submission file into the request to send, in the toolkit's order (checklist 6.1.6).

1. translate ebXML 2.1 to ebRIM 3.0; 2. set the patient id on every patientId ExternalIdentifier (unless
`<NoPatientId/>`); 3. substitute the linked values (`UseId`, `UseReport`); 4. give DocumentEntries,
SubmissionSets and Folders fresh uniqueIds (unless `<NoAssignUids/>`); 5. with `<AssignUuids/>`, replace
symbolic ids by UUIDs everywhere they are referenced. What was assigned is returned, for later steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from conformance.identifiers import UniqueIdAllocator, new_uuid
from conformance.placeholders import substitute
from conformance.translate import to_rim3
from xds.ebxml.namespaces import RIM, q
from xds.ebxml.vocabulary import (
    DE_PATIENT_ID,
    DE_UNIQUE_ID,
    FD_PATIENT_ID,
    FD_UNIQUE_ID,
    SS_PATIENT_ID,
    SS_SOURCE_ID,
    SS_UNIQUE_ID,
)

PATIENT_ID_SCHEMES = frozenset({DE_PATIENT_ID, SS_PATIENT_ID, FD_PATIENT_ID})
UNIQUE_ID_SCHEMES = frozenset({DE_UNIQUE_ID, SS_UNIQUE_ID, FD_UNIQUE_ID})
_EXTERNAL_IDENTIFIER = q(RIM, "ExternalIdentifier")
# Attributes that hold a reference to another object's id (ebRIM 3.0 rim.xsd).
_REFERENCE_ATTRIBUTES = ("id", "classifiedObject", "registryObject", "sourceObject", "targetObject", "lid")


@dataclass(slots=True)
class Prepared:
    """The request metadata and what was assigned, keyed by the file's symbolic ids."""

    root: etree._Element
    patient_id: str | None = None
    uids: dict[str, str] = field(default_factory=dict)
    uuids: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Assignment:
    """What a step asks for: the patient id to set (None: keep), substitutions, and uid/uuid policy."""

    patient_id: str | None
    values: Mapping[str, str]
    assign_uids: bool = True
    keep_uid_of: frozenset[str] = frozenset()
    assign_uuids: bool = False
    uuid_excludes: frozenset[str] = frozenset()
    source_id: str | None = None


def _owner_id(ei: etree._Element) -> str:
    parent = ei.getparent()
    return ei.get("registryObject") or (parent.get("id", "") if parent is not None else "")


def _external_identifiers(root: etree._Element, schemes: frozenset[str]) -> list[etree._Element]:
    return [ei for ei in root.iter(_EXTERNAL_IDENTIFIER) if ei.get("identificationScheme") in schemes]


def _submission_set_patient(root: etree._Element) -> str | None:
    for ei in _external_identifiers(root, frozenset({SS_PATIENT_ID})):
        return ei.get("value")
    return None


def _assign_uuids(root: etree._Element, excludes: frozenset[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        sym = el.get("id")
        if sym and not sym.startswith("urn:uuid:") and sym not in excludes and sym not in mapping:
            mapping[sym] = new_uuid()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for name in _REFERENCE_ATTRIBUTES:
            value = el.get(name)
            if value in mapping:
                el.set(name, mapping[value])
    return mapping


def prepare_submission(
    document: etree._Element, assignment: Assignment, uid_allocator: UniqueIdAllocator
) -> Prepared:
    root = to_rim3(document)
    if assignment.patient_id is not None:
        for ei in _external_identifiers(root, PATIENT_ID_SCHEMES):
            ei.set("value", assignment.patient_id)
    substitute(root, assignment.values)
    prepared = Prepared(root)
    if assignment.assign_uids:
        for ei in _external_identifiers(root, UNIQUE_ID_SCHEMES):
            owner = _owner_id(ei)
            if owner in assignment.keep_uid_of:
                continue
            uid = uid_allocator.next()
            ei.set("value", uid)
            prepared.uids[owner] = uid
    if assignment.source_id:
        for ei in _external_identifiers(root, frozenset({SS_SOURCE_ID})):
            ei.set("value", assignment.source_id)
    if assignment.assign_uuids:
        prepared.uuids = _assign_uuids(root, assignment.uuid_excludes)
    prepared.patient_id = _submission_set_patient(root)
    return prepared


def prepare_message(document: etree._Element, values: Mapping[str, str]) -> etree._Element:
    """Query and retrieve files: placeholders only (they are always ebRS 3.0 / XDS.b already)."""
    substitute(document, values)
    return document
