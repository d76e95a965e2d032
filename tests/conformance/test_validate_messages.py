"""`xds conformance validate`: one broken message per rule family, each named by its XDS error code."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import OTHER_PATIENT, PATIENT, SubmissionBuilder, one_document
from click.testing import CliRunner
from lxml import etree

from conformance.cli import make_conformance_group
from conformance.validate import SCHEMA, SchemaSet, validate_message
from registry.codes import load_value_sets
from xds.ebxml.namespaces import XDS, q
from xds.soap.mtom import render_mtom

ENVELOPE = '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header/><s:Body>{}</s:Body></s:Envelope>'
QUERY = (
    '<query:AdhocQueryRequest xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0" '
    'xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"><query:ResponseOption returnType="LeafClass"/>'
    '<rim:AdhocQuery id="{id}">{slots}</rim:AdhocQuery></query:AdhocQueryRequest>'
)
FIND_DOCUMENTS = "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d"
PATIENT_SLOT = (
    '<rim:Slot name="$XDSDocumentEntryPatientId"><rim:ValueList>'
    "<rim:Value>'P1^^^&amp;1.2&amp;ISO'</rim:Value>"
    "</rim:ValueList></rim:Slot>"
    '<rim:Slot name="$XDSDocumentEntryStatus"><rim:ValueList>'
    "<rim:Value>('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')</rim:Value></rim:ValueList></rim:Slot>"
)
RETRIEVE = (
    f'<xds:RetrieveDocumentSetRequest xmlns:xds="{XDS}"><xds:DocumentRequest>'
    "<xds:RepositoryUniqueId>1.2.3</xds:RepositoryUniqueId>{uid}</xds:DocumentRequest></xds:RetrieveDocumentSetRequest>"
)
RESPONSE = (
    '<rs:RegistryResponse xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0" '
    'status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:{status}">{errors}</rs:RegistryResponse>'
)


def provide_and_register(documents: list[str]) -> bytes:
    request = etree.Element(q(XDS, "ProvideAndRegisterDocumentSetRequest"), nsmap={"xds": XDS})
    request.append(one_document().element())
    for doc_id in documents:
        etree.SubElement(request, q(XDS, "Document"), id=doc_id).text = "aGVsbG8="
    return etree.tostring(request)


def codes(report_findings: list) -> list[str]:  # type: ignore[type-arg]
    return [f.code for f in report_findings]


@pytest.mark.parametrize(
    ("message", "code"),
    [
        (
            SubmissionBuilder(PATIENT).document("D", patient_id=OTHER_PATIENT).xml(),
            "XDSPatientIdDoesNotMatch",
        ),
        (one_document(codes={"classCode": None}).xml(), "XDSRegistryMetadataError"),
        (one_document(slots={"hash": ["xyz"]}).xml(), "XDSRegistryMetadataError"),
        (
            QUERY.format(id="urn:uuid:00000000-0000-0000-0000-000000000000", slots="").encode(),
            "XDSUnknownStoredQuery",
        ),
        (QUERY.format(id=FIND_DOCUMENTS, slots="").encode(), "XDSStoredQueryMissingParam"),
        (provide_and_register([]), "XDSMissingDocument"),
        (provide_and_register(["Document01", "Other"]), "XDSMissingDocumentMetadata"),
        (RETRIEVE.format(uid="").encode(), "SOAP"),
        (RESPONSE.format(status="Failure", errors="").encode(), "XDSRegistryError"),
        (RESPONSE.format(status="Maybe", errors="").encode(), "XDSRegistryError"),
    ],
)
def test_broken_message_names_its_error_code(message: bytes, code: str) -> None:
    report = validate_message(message)
    assert code in codes(report.findings)
    assert not report.ok


@pytest.mark.parametrize(
    "message",
    [
        one_document().xml(),
        QUERY.format(id=FIND_DOCUMENTS, slots=PATIENT_SLOT).encode(),
        provide_and_register(["Document01"]),
        RETRIEVE.format(uid="<xds:DocumentUniqueId>1.2.3.4</xds:DocumentUniqueId>").encode(),
        RESPONSE.format(status="Success", errors="").encode(),
    ],
)
def test_valid_messages_have_no_finding(message: bytes) -> None:
    assert validate_message(message).findings == []


def test_code_outside_the_affinity_domain(shared: Path) -> None:
    value_sets = load_value_sets(shared / "testkit/nist/environment/codes.xml")
    message = one_document(codes={"classCode": ("NOPE", "9.9.9", "Nope")}).xml()
    assert "XDSRegistryMetadataError" in codes(validate_message(message, value_sets=value_sets).findings)


def test_soap_envelope_and_mtom_capture_are_unwrapped() -> None:
    envelope = ENVELOPE.format(one_document().xml().decode()).encode()
    assert validate_message(envelope).kind.startswith("ITI-42")
    content_type, stream = render_mtom(envelope, [])
    assert validate_message(b"".join(stream)).findings == []
    assert content_type.startswith("multipart/related")


def test_schema_findings(shared: Path) -> None:
    schemas = SchemaSet(shared / "ihe/schema")
    assert validate_message(one_document().xml(), schemas=schemas).findings == []
    broken = RETRIEVE.format(uid="<xds:Bogus/>").encode()
    assert SCHEMA in codes(validate_message(broken, schemas=schemas).findings)


def test_cli_prints_one_line_per_finding(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_bytes(SubmissionBuilder(PATIENT).document("D", patient_id=OTHER_PATIENT).xml())
    good = tmp_path / "good.xml"
    good.write_bytes(one_document().xml())
    result = CliRunner().invoke(make_conformance_group(), ["validate", str(good), str(bad)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[0] == f"{good}: ok (ITI-42 Register Document Set-b request)"
    assert lines[1].startswith(f"{bad}: error XDSPatientIdDoesNotMatch [D] DocumentEntry D: patientId")
    assert CliRunner().invoke(make_conformance_group(), ["validate", str(good)]).exit_code == 0
