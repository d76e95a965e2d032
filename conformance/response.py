"""What a server answered, read once into what the expectations check: status, errors, objects, documents.

Registry responses, stored-query responses and retrieve responses share the status and RegistryErrorList
(TF-3 4.2.4); a SOAP Fault is its own status, `Fault`, since plans may expect one (checklist 6.1.3).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

from lxml import etree

from conformance.vocabulary import ExpectedStatus
from xds.ebxml.namespaces import RS, SOAP11, SOAP12, XDS, q
from xds.ebxml.vocabulary import ResponseStatus

_STATUS_WORDS: dict[str, ExpectedStatus] = {
    ResponseStatus.SUCCESS: ExpectedStatus.SUCCESS,
    ResponseStatus.FAILURE: ExpectedStatus.FAILURE,
    ResponseStatus.PARTIAL_SUCCESS: ExpectedStatus.PARTIAL_SUCCESS,
}


@dataclass(frozen=True, slots=True)
class ResponseError:
    code: str
    context: str
    severity: str
    location: str


@dataclass(frozen=True, slots=True)
class RetrievedDocument:
    repository_unique_id: str
    document_unique_id: str
    mime_type: str
    content: bytes


@dataclass(slots=True)
class Response:
    """One answer. `body` is the first child of the SOAP Body (None for transport failures)."""

    http_status: int
    text: str
    body: etree._Element | None = None
    status: ExpectedStatus | None = None
    status_urn: str = ""
    fault: str | None = None
    errors: list[ResponseError] = field(default_factory=list)
    documents: list[RetrievedDocument] = field(default_factory=list)
    problem: str | None = None  # why the answer could not be read, if it could not

    @property
    def error_codes(self) -> list[str]:
        return [e.code for e in self.errors]


def _fault_reason(fault: etree._Element) -> str:
    texts = [t.strip() for t in fault.itertext() if t.strip()]
    return " | ".join(texts) or "SOAP Fault"


def read_response(
    http_status: int, envelope: etree._Element, attachments: dict[etree._Element, bytes] | None = None
) -> Response:
    """Read a parsed envelope; `attachments` maps elements that held an xop:Include to their bytes."""
    text = etree.tostring(envelope, pretty_print=True, encoding="unicode")
    resp = Response(http_status, text)
    body = envelope.find(q(SOAP12, "Body"))
    if body is None:
        body = envelope.find(q(SOAP11, "Body"))
    if body is None or len(body) == 0:
        resp.problem = "the response has no SOAP Body content"
        return resp
    first = body[0]
    resp.body = first
    if etree.QName(first).localname == "Fault":
        resp.status = ExpectedStatus.FAULT
        resp.fault = _fault_reason(first)
        return resp
    registry_response = first if first.get("status") else first.find(q(RS, "RegistryResponse"))
    if registry_response is None:
        resp.problem = f"no response status in {etree.QName(first).localname}"
        return resp
    resp.status_urn = registry_response.get("status", "")
    resp.status = _STATUS_WORDS.get(resp.status_urn)
    if resp.status is None:
        resp.problem = f"unknown response status {resp.status_urn!r}"
    for err in first.iter(q(RS, "RegistryError")):
        resp.errors.append(
            ResponseError(
                err.get("errorCode", ""),
                err.get("codeContext", ""),
                err.get("severity", ""),
                err.get("location", ""),
            )
        )
    for doc in first.iter(q(XDS, "DocumentResponse")):
        content_el = doc.find(q(XDS, "Document"))
        content = b""
        if content_el is not None:
            if attachments and content_el in attachments:
                content = attachments[content_el]
            else:
                try:
                    content = base64.b64decode("".join(content_el.itertext()), validate=False)
                except binascii.Error:
                    resp.problem = "a retrieved Document is neither an xop:Include nor base64"
        resp.documents.append(
            RetrievedDocument(
                doc.findtext(q(XDS, "RepositoryUniqueId"), "").strip(),
                doc.findtext(q(XDS, "DocumentUniqueId"), "").strip(),
                doc.findtext(q(XDS, "mimeType"), "").strip(),
                content,
            )
        )
    return resp
