"""The Document Source / Consumer side of ITI-41, ITI-42, ITI-18 and ITI-43 on httpx (SOAP 1.2 + WS-A).

Written from the client's point of view so that it can talk to any XDS.b system, not only ours: requests
follow Appendix V (WS-Addressing Action, MessageID, ReplyTo anonymous, To) and ITI-41/ITI-43 go as MTOM
(TF-2 3.41.4.1.2, 3.43.4.1.2). Answers are read whether they come back plain or as MTOM.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from lxml import etree

from conformance.response import Response, read_response
from xds.ebxml.namespaces import SOAP12, WSA
from xds.ebxml.vocabulary import Action
from xds.soap.addressing import new_message_id
from xds.soap.faults import SoapFault
from xds.soap.mtom import MtomReader, OutgoingAttachment, is_multipart, render_mtom, resolve_xop
from xds.xmlsafe import XmlInputError, XmlLimits, parse_xml

_ANONYMOUS = "http://www.w3.org/2005/08/addressing/anonymous"
# Answers may carry whole documents (ITI-43): read them with generous limits.
_LIMITS = XmlLimits(max_bytes=512 * 1024 * 1024)


@dataclass(frozen=True, slots=True)
class Exchange:
    """What was sent (envelope text, attachment summary) and what came back."""

    endpoint: str
    action: str
    request_text: str
    response: Response


def build_request_envelope(action: str, to: str, body: etree._Element) -> bytes:
    env = etree.Element(f"{{{SOAP12}}}Envelope", nsmap={"soapenv": SOAP12, "wsa": WSA})
    header = etree.SubElement(env, f"{{{SOAP12}}}Header")
    must = f"{{{SOAP12}}}mustUnderstand"
    etree.SubElement(header, f"{{{WSA}}}Action", {must: "true"}).text = action
    etree.SubElement(header, f"{{{WSA}}}MessageID").text = new_message_id()
    reply_to = etree.SubElement(header, f"{{{WSA}}}ReplyTo")
    etree.SubElement(reply_to, f"{{{WSA}}}Address").text = _ANONYMOUS
    etree.SubElement(header, f"{{{WSA}}}To", {must: "true"}).text = to
    etree.SubElement(env, f"{{{SOAP12}}}Body").append(body)
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


def _describe(body_text: str, attachments: list[OutgoingAttachment]) -> str:
    lines = [body_text]
    for att in attachments:
        size = len(att.source) if isinstance(att.source, bytes) else "?"
        lines.append(f"[MIME part <{att.content_id}> {att.content_type}, {size} bytes]")
    return "\n".join(lines)


class XdsClient:
    """One client per run; `registry` and `repository` are the SOAP endpoint URLs of the system under test."""

    def __init__(
        self, registry: str, repository: str, *, timeout: float = 60.0, http: httpx.Client | None = None
    ):
        self.registry = registry
        self.repository = repository
        self._http = http or httpx.Client(timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def register(self, request: etree._Element) -> Exchange:
        return self._send(self.registry, Action.REGISTER, request, mtom=False)

    def stored_query(self, request: etree._Element) -> Exchange:
        return self._send(self.registry, Action.STORED_QUERY, request, mtom=False)

    def provide_and_register(
        self, request: etree._Element, attachments: list[OutgoingAttachment]
    ) -> Exchange:
        return self._send(
            self.repository, Action.PROVIDE_AND_REGISTER, request, mtom=True, attachments=attachments
        )

    def retrieve(self, request: etree._Element) -> Exchange:
        return self._send(self.repository, Action.RETRIEVE, request, mtom=True)

    def _send(
        self,
        endpoint: str,
        action: str,
        body: etree._Element,
        *,
        mtom: bool,
        attachments: list[OutgoingAttachment] | None = None,
    ) -> Exchange:
        attachments = attachments or []
        envelope = build_request_envelope(action, endpoint, body)
        request_text = _describe(etree.tostring(body, pretty_print=True, encoding="unicode"), attachments)
        if mtom:
            content_type, stream = render_mtom(envelope, attachments, action=action)
            content: bytes = b"".join(stream)
        else:
            content_type = f'application/soap+xml; charset=UTF-8; action="{action}"'
            content = envelope
        try:
            answer = self._http.post(endpoint, content=content, headers={"Content-Type": content_type})
        except httpx.HTTPError as exc:
            return Exchange(endpoint, action, request_text, Response(0, "", problem=f"HTTP error: {exc}"))
        return Exchange(endpoint, action, request_text, parse_http_answer(answer))


def parse_http_answer(answer: httpx.Response) -> Response:
    """Read a SOAP answer, plain or MTOM; anything unreadable becomes a Response with `problem` set."""
    content_type = answer.headers.get("content-type", "")
    data = answer.content
    attachments: dict[etree._Element, bytes] = {}
    try:
        if is_multipart(content_type):
            reader = MtomReader(content_type, max_root_bytes=_LIMITS.max_bytes)
            reader.feed(data)
            message = reader.finish()
            try:
                envelope = parse_xml(message.root, _LIMITS)
                attachments = {
                    el: part.read_bytes() for el, part in resolve_xop(envelope, message.parts).items()
                }
            finally:
                message.close()
        else:
            envelope = parse_xml(data, _LIMITS)
    except (SoapFault, XmlInputError) as exc:
        text = data[:4000].decode("utf-8", errors="replace")
        return Response(
            answer.status_code, text, problem=f"unreadable answer (HTTP {answer.status_code}): {exc}"
        )
    return read_response(answer.status_code, envelope, attachments)
