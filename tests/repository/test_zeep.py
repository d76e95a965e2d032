"""zeep 4.3 with the official XDS.b_DocumentRepository.wsdl as a third-party client (checklist 6.4).

Workarounds from python-libraries.md section 2: a Transport.load override maps the xml.xsd import to the
local copy; zeep cannot send MTOM, so the transport rewrites the base64 xds:Document into an
xop:Include plus a binary part; zeep strips a trailing CRLF from binary parts it decodes, so ITI-43 is
read with raw_response and split here. The ebRIM metadata is built with lxml (zeep's own types
serialize substitution groups wrongly) and swapped into the envelope by the transport.
"""

from __future__ import annotations

import base64
import uuid
from pathlib import Path

import pytest
from builders import REPOSITORY
from checks import submission
from lxml import etree
from mtom_client import NS, SUCCESS, XOP, mtom_package, read_reply
from repository_app import Harness
from schemas import assert_valid

zeep = pytest.importorskip("zeep")

XML_XSD = "http://www.w3.org/2001/xml.xsd"
LCM = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"
XDS = "urn:ihe:iti:xds-b:2007"
BINDING = f"{{{XDS}}}DocumentRepository_Binding"
DOC = b"<ClinicalDocument>sent by zeep</ClinicalDocument>\r\n"


class MtomTransport(zeep.Transport):
    def __init__(self, xml_xsd: Path, metadata: bytes | None = None) -> None:
        super().__init__()
        self.xml_xsd = xml_xsd
        self.metadata = metadata

    def load(self, url: str) -> bytes:
        if url == XML_XSD:
            return self.xml_xsd.read_bytes()
        return super().load(url)

    def post_xml(self, address, envelope, headers):  # type: ignore[no-untyped-def]
        parts = []
        for doc in envelope.iter(f"{{{XDS}}}Document"):
            cid = f"{uuid.uuid4().hex}@zeep.example"
            parts.append((cid, "application/octet-stream", base64.b64decode(doc.text or "")))
            doc.text = None
            etree.SubElement(doc, f"{{{XOP}}}Include", nsmap={"xop": XOP}).set("href", f"cid:{cid}")
        for placeholder in list(envelope.iter(f"{{{LCM}}}SubmitObjectsRequest")):
            placeholder.getparent().replace(placeholder, etree.fromstring(self.metadata or b""))
        content_type, body = mtom_package(etree.tostring(envelope), parts)
        return self.post(address, body, {**headers, "Content-Type": content_type})


def _service(harness: Harness, shared: Path, metadata: bytes | None = None):  # type: ignore[no-untyped-def]
    ihe = shared / "ihe"
    transport = MtomTransport(ihe / "schema/w3c/xml.xsd", metadata)
    client = zeep.Client(str(ihe / "wsdl/XDS.b_DocumentRepository.wsdl"), transport=transport)
    return client, client.create_service(BINDING, harness.url)


def test_zeep_provides_then_retrieves(harness: Harness, shared: Path) -> None:
    xml, _, uids = submission({"Doc1": DOC}, mime_type="text/xml")
    client, service = _service(harness, shared, metadata=xml)
    response = service["DocumentRepository_ProvideAndRegisterDocumentSet-b"](
        SubmitObjectsRequest={"RegistryObjectList": {}}, Document=[{"_value_1": DOC, "id": "Doc1"}]
    )
    assert response.status == SUCCESS  # zeep decoded our MTOM response itself

    with client.settings(raw_response=True):
        raw = service["DocumentRepository_RetrieveDocumentSet"](
            DocumentRequest=[{"RepositoryUniqueId": REPOSITORY, "DocumentUniqueId": uids["Doc1"]}]
        )
    reply = read_reply(raw)
    assert reply.status == SUCCESS
    assert reply.documents() == {uids["Doc1"]: ("text/xml", DOC)}
    assert_valid(reply.resolved_body(), "xdsb")
    assert reply.body.find("xds:DocumentResponse/xds:Document/xop:Include", NS) is not None
