"""The xds: elements of ITI-41 and ITI-43 (XDS.b_DocumentRepository.xsd): read requests, write responses.

The ebRIM inside ITI-41 is the platform codec's business (xds/ebxml); this module only knows the IHE
wrapper elements around it. Request problems that the schema forbids (no DocumentRequest, a
Document without id) are SOAP Sender faults: the message is malformed, not the metadata.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from xds.ebxml.namespaces import RS, XDS, q
from xds.ebxml.render import render_registry_response
from xds.ebxml.vocabulary import ResponseStatus
from xds.errors import RegistryError
from xds.soap.faults import SoapFault
from xds.soap.mtom import xop_include

PROVIDE_AND_REGISTER = q(XDS, "ProvideAndRegisterDocumentSetRequest")
RETRIEVE_REQUEST = q(XDS, "RetrieveDocumentSetRequest")
RETRIEVE_RESPONSE = q(XDS, "RetrieveDocumentSetResponse")
DOCUMENT = q(XDS, "Document")
_DOCUMENT_REQUEST = q(XDS, "DocumentRequest")
_HOME = q(XDS, "HomeCommunityId")
_REPOSITORY = q(XDS, "RepositoryUniqueId")
_UNIQUE_ID = q(XDS, "DocumentUniqueId")
# A MIME part's Content-Type must be one header line; anything else is sent as octets (mimeType still
# travels, exact, in the XML: NIST 12360).
_MEDIA_TYPE = re.compile(r"[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(\s*;[\x20-\x7e]*)?")


def expect(body: etree._Element, tag: str) -> None:
    if body.tag != tag:
        raise SoapFault.sender(f"the SOAP Body must hold {tag}, not {body.tag}")


def provided_documents(body: etree._Element) -> list[etree._Element]:
    """The xds:Document elements of ITI-41, each linked to its DocumentEntry by @id (TF-2 3.41.4.1.2)."""
    docs = [child for child in body if child.tag == DOCUMENT]
    for doc in docs:
        if not doc.get("id"):
            raise SoapFault.sender("an xds:Document has no id attribute (XDS.b_DocumentRepository.xsd)")
    return docs


@dataclass(frozen=True, slots=True)
class DocumentRequest:
    repository_unique_id: str
    document_unique_id: str
    home_community_id: str | None = None


def parse_retrieve_request(body: etree._Element) -> list[DocumentRequest]:
    """xds:RetrieveDocumentSetRequest -> its DocumentRequests, in order (TF-2 3.43.4.1.2)."""
    expect(body, RETRIEVE_REQUEST)
    requests = []
    for el in body:
        if el.tag != _DOCUMENT_REQUEST:
            continue
        repository = (el.findtext(_REPOSITORY) or "").strip()
        unique_id = (el.findtext(_UNIQUE_ID) or "").strip()
        if not repository or not unique_id:
            raise SoapFault.sender("a DocumentRequest needs RepositoryUniqueId and DocumentUniqueId")
        home = el.findtext(_HOME)
        requests.append(DocumentRequest(repository, unique_id, home.strip() if home is not None else None))
    if not requests:
        raise SoapFault.sender("RetrieveDocumentSetRequest holds no DocumentRequest")
    return requests


@dataclass(frozen=True, slots=True)
class DocumentResponse:
    request: DocumentRequest
    mime_type: str
    content_id: str


def part_content_type(mime_type: str) -> str:
    return mime_type if _MEDIA_TYPE.fullmatch(mime_type) else "application/octet-stream"


def render_retrieve_response(
    status: ResponseStatus, errors: Sequence[RegistryError], documents: Sequence[DocumentResponse]
) -> etree._Element:
    """xds:RetrieveDocumentSetResponse: rs:RegistryResponse, then one DocumentResponse per document.

    HomeCommunityId only when the request had one (checklist 1.2 notes); the document is an xop:Include.
    """
    root = etree.Element(RETRIEVE_RESPONSE, nsmap={"xds": XDS, "rs": RS})
    root.append(render_registry_response(status, errors))
    for doc in documents:
        el = etree.SubElement(root, q(XDS, "DocumentResponse"))
        if doc.request.home_community_id is not None:
            etree.SubElement(el, _HOME).text = doc.request.home_community_id
        etree.SubElement(el, _REPOSITORY).text = doc.request.repository_unique_id
        etree.SubElement(el, _UNIQUE_ID).text = doc.request.document_unique_id
        etree.SubElement(el, q(XDS, "mimeType")).text = doc.mime_type
        xop_include(etree.SubElement(el, DOCUMENT), doc.content_id)
    return root
