"""zeep 4.3 with the official XDS.b_DocumentRegistry.wsdl performs an ITI-42 and an ITI-18 (checklist 6.4).

zeep is a client we did not write: it builds the envelope and WS-Addressing headers from the WSDL and
parses our answers against the official schemas. Workarounds from python-libraries.md section 2: the
xml.xsd import is mapped to the local copy, and the SubmitObjectsRequest is built with lxml and put in
place by the transport, because zeep serializes ebRIM substitution groups as `xsi:type` (zeep #321).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import PATIENT, SubmissionBuilder
from live_server import Server
from lxml import etree

from pix_pdq.patients import add_patient
from xds.ebxml.vocabulary import DE_UNIQUE_ID, Status, StoredQuery

zeep = pytest.importorskip("zeep")

XML_XSD = "http://www.w3.org/2001/xml.xsd"
LCM = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
QUERY = "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"
BINDING = "{urn:ihe:iti:xds-b:2007}DocumentRegistry_Binding_Soap12"
SUCCESS = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"


class LocalTransport(zeep.Transport):
    """Offline schema imports, and our lxml-built SubmitObjectsRequest in place of zeep's."""

    def __init__(self, xml_xsd: Path) -> None:
        super().__init__()
        self.xml_xsd = xml_xsd
        self.submission: bytes | None = None

    def load(self, url: str) -> bytes:
        return self.xml_xsd.read_bytes() if url == XML_XSD else super().load(url)

    def post_xml(self, address, envelope, headers):  # type: ignore[no-untyped-def]
        for placeholder in list(envelope.iter(f"{{{LCM}}}SubmitObjectsRequest")):
            placeholder.getparent().replace(placeholder, etree.fromstring(self.submission or b""))
        return super().post_xml(address, envelope, headers)


@pytest.fixture(scope="module")
def zeep_client() -> tuple[zeep.Client, LocalTransport]:
    shared = Path(__file__).resolve().parents[3] / "shared" / "ihe"
    if not shared.is_dir():
        pytest.skip(f"official WSDL not found at {shared}")
    transport = LocalTransport(shared / "schema/w3c/xml.xsd")
    return zeep.Client(str(shared / "wsdl/XDS.b_DocumentRegistry.wsdl"), transport=transport), transport


def test_zeep_registers_and_queries(server: Server, zeep_client: tuple[zeep.Client, LocalTransport]) -> None:
    client, transport = zeep_client
    service = client.create_service(BINDING, server.registry)
    add_patient(server.engine, PATIENT)
    submission = SubmissionBuilder(PATIENT).document("Doc1")
    transport.submission = submission.xml()

    registered = service["DocumentRegistry_RegisterDocumentSet-b"](RegistryObjectList={})
    assert registered.status == SUCCESS

    rim = client.type_factory(RIM)
    query = client.type_factory(QUERY)

    def slot(name: str, value: str):  # type: ignore[no-untyped-def]
        return rim.SlotType1(name=name, ValueList=rim.ValueListType(_value_1=[{"Value": value}]))

    # zeep cannot read ebRIM substitution-group members (rim:ExtrinsicObject for rim:Identifiable) back
    # into objects either, so the answer is taken raw and read with lxml.
    with client.settings(raw_response=True):
        answer = service.DocumentRegistry_RegistryStoredQuery(
            ResponseOption=query.ResponseOptionType(returnType="LeafClass", returnComposedObjects=True),
            AdhocQuery=rim.AdhocQueryType(
                id=StoredQuery.FIND_DOCUMENTS,
                Slot=[
                    slot("$XDSDocumentEntryPatientId", f"'{PATIENT}'"),
                    slot("$XDSDocumentEntryStatus", f"('{Status.APPROVED}')"),
                ],
            ),
        )
    assert answer.status_code == 200
    envelope = etree.fromstring(answer.content)
    [response] = envelope.iter(f"{{{QUERY}}}AdhocQueryResponse")
    assert response.get("status") == SUCCESS
    unique_ids = response.xpath(
        ".//rim:ExtrinsicObject/rim:ExternalIdentifier[@identificationScheme=$s]/@value",
        namespaces={"rim": RIM},
        s=DE_UNIQUE_ID,
    )
    assert unique_ids == [submission.unique_ids["Doc1"]]
