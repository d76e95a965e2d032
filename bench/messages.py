"""Compact ebRIM 3.0 message builders for the benchmarks (full DR-column metadata, symbolic ids)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable

RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
LCM = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"
QUERY = "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"
ROOT = "1.3.6.1.4.1.21367.2005.3.99"
# In a submission template, stands for a per-request number (a load driver substitutes it, see below).
REQUEST_NUMBER = "@N@"


def _slot(name: str, *values: str) -> str:
    vals = "".join(f"<rim:Value>{v}</rim:Value>" for v in values)
    return f'<rim:Slot name="{name}"><rim:ValueList>{vals}</rim:ValueList></rim:Slot>'


def _code(obj: str, scheme: str, code: str, coding: str, display: str, n: str) -> str:
    return (
        f'<rim:Classification id="{obj}-{n}" classificationScheme="{scheme}" classifiedObject="{obj}" '
        f'nodeRepresentation="{code}">{_slot("codingScheme", coding)}'
        f'<rim:Name><rim:LocalizedString value="{display}"/></rim:Name></rim:Classification>'
    )


def _ext(obj: str, scheme: str, value: str, name: str, n: str) -> str:
    return (
        f'<rim:ExternalIdentifier id="{obj}-{n}" registryObject="{obj}" identificationScheme="{scheme}" '
        f'value="{value}"><rim:Name><rim:LocalizedString value="{name}"/></rim:Name></rim:ExternalIdentifier>'
    )


AUTHOR = "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d"
HAS_MEMBER = "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember"
LOINC, SNOMED = "2.16.840.1.113883.6.1", "2.16.840.1.113883.6.96"


def _de_codes(event: str) -> list[tuple[str, str, str, str, str]]:
    """(scheme, code, coding scheme, display, id suffix) of every coded DocumentEntry attribute."""
    return [
        ("urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a", "11488-4", LOINC, "Consult", "cl"),
        ("urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f", "N", "2.16.840.1.113883.5.25", "Normal", "cf"),
        ("urn:uuid:2c6b8cb7-8b2a-4051-b291-b1ae6a575ef4", event, SNOMED, "Event", "ev"),
        (
            "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d",
            "urn:ihe:pcc:xphr:2007",
            "1.3.6.1.4.1.19376.1.2.3",
            "PHR",
            "fc",
        ),
        ("urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1", "SA01", "1.2.250.1.71.4.2.4", "Hospital", "hc"),
        ("urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead", "394802001", SNOMED, "Medicine", "ps"),
        ("urn:uuid:f0306f51-975f-434e-a61c-c59651d33983", "34108-1", LOINC, "Outpatient", "tc"),
    ]


def unique_oid() -> str:
    return f"{ROOT}.{uuid.uuid4().int}"[:64]


def document_entry(
    sym: str,
    patient: str,
    *,
    creation: str = "20240102103000",
    event: str = "T-D4909",
    unique_id: Callable[[], str] = unique_oid,
) -> str:
    content = sym.encode()
    return (
        f'<rim:ExtrinsicObject id="{sym}" mimeType="text/xml" '
        f'objectType="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1">'
        + _slot("creationTime", creation)
        + _slot("hash", hashlib.sha1(content).hexdigest())
        + _slot("size", str(len(content)))
        + _slot("languageCode", "fr-FR")
        + _slot("repositoryUniqueId", "1.3.6.1.4.1.21367.2010.1.2.1125")
        + _slot("serviceStartTime", "20240101")
        + _slot("serviceStopTime", "20240102")
        + _slot("sourcePatientId", patient)
        + '<rim:Name><rim:LocalizedString value="Compte rendu"/></rim:Name>'
        + f'<rim:Classification id="{sym}-au" classificationScheme="{AUTHOR}" '
        f'classifiedObject="{sym}" nodeRepresentation="">'
        + _slot("authorPerson", "^Dupont^Jean^^^Dr")
        + "</rim:Classification>"
        + "".join(
            _code(sym, scheme, code, coding, display, n)
            for scheme, code, coding, display, n in _de_codes(event)
        )
        + _ext(
            sym, "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427", patient, "XDSDocumentEntry.patientId", "pid"
        )
        + _ext(
            sym,
            "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab",
            unique_id(),
            "XDSDocumentEntry.uniqueId",
            "uid",
        )
        + "</rim:ExtrinsicObject>"
    )


def submission(patient: str, documents: int = 1, *, unique_id: Callable[[], str] = unique_oid) -> bytes:
    """A SubmitObjectsRequest registering `documents` entries for `patient` (CX, XML-escaped)."""
    patient = patient.replace("&", "&amp;")
    parts = [document_entry(f"Document{i:02d}", patient, unique_id=unique_id) for i in range(documents)]
    ss = "SubmissionSet01"
    parts.append(
        f'<rim:RegistryPackage id="{ss}">'
        + _slot("submissionTime", "20240102110000")
        + _code(
            ss,
            "urn:uuid:aa543740-bdda-424e-8c96-df4873be8500",
            "34133-9",
            "2.16.840.1.113883.6.1",
            "Summary",
            "ct",
        )
        + _ext(
            ss,
            "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8",
            unique_id(),
            "XDSSubmissionSet.uniqueId",
            "uid",
        )
        + _ext(ss, "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832", ROOT, "XDSSubmissionSet.sourceId", "src")
        + _ext(
            ss, "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446", patient, "XDSSubmissionSet.patientId", "pid"
        )
        + "</rim:RegistryPackage>"
        + f'<rim:Classification id="{ss}-node" classifiedObject="{ss}" '
        'classificationNode="urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"/>'
    )
    for i in range(documents):
        parts.append(
            f'<rim:Association id="as{i:02d}" associationType="{HAS_MEMBER}" sourceObject="{ss}" '
            f'targetObject="Document{i:02d}">{_slot("SubmissionSetStatus", "Original")}</rim:Association>'
        )
    return (
        f'<lcm:SubmitObjectsRequest xmlns:lcm="{LCM}" xmlns:rim="{RIM}"><rim:RegistryObjectList>'
        + "".join(parts)
        + "</rim:RegistryObjectList></lcm:SubmitObjectsRequest>"
    ).encode()


def submission_template(patient: str) -> bytes:
    """A single-document submission whose uniqueIds contain REQUEST_NUMBER.

    A driver replaces REQUEST_NUMBER with a number unique to the request (run, client, counter) so that a
    few prepared bodies serve any number of registrations; the uniqueIds stay valid OIDs.
    """
    suffixes = iter((1, 2))
    return submission(patient, 1, unique_id=lambda: f"{ROOT}.{REQUEST_NUMBER}.{next(suffixes)}")


def find_documents(patient: str, return_type: str = "LeafClass") -> bytes:
    patient = patient.replace("&", "&amp;")
    return (
        f'<query:AdhocQueryRequest xmlns:query="{QUERY}" xmlns:rim="{RIM}">'
        f'<query:ResponseOption returnComposedObjects="true" returnType="{return_type}"/>'
        '<rim:AdhocQuery id="urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d">'
        + _slot("$XDSDocumentEntryPatientId", f"'{patient}'")
        + _slot("$XDSDocumentEntryStatus", "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')")
        + "</rim:AdhocQuery></query:AdhocQueryRequest>"
    ).encode()


def patient_id(n: int) -> str:
    return f"BENCH{n:08d}^^^&{ROOT}&ISO"
