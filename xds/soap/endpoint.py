"""The ASGI SOAP 1.2 endpoint: HTTP in, envelope checks, dispatch on wsa:Action, reply or fault out.

- HTTP binding: SOAP 1.2 Part 2 §7 (POST, `application/soap+xml`, fault -> status mapping in faults.py).
- Dispatch on wsa:Action only; SOAPAction and the `action=` media-type parameter are ignored (IHE-WSP211,
  TF2-V §V.3.2.1.3).
- Encoding: the reply uses the request's encoding, Simple SOAP or MTOM (TF2-V §V.8.1), unless the operation
  always answers MTOM (ITI-41/43) or the reply carries attachments.
- Errors: a client never sees a stack trace. Unexpected exceptions become an env:Receiver fault naming a
  correlation id that is logged with the traceback on logger "xds.soap".

The body is read asynchronously (MTOM parts stream to temp files); everything CPU-bound (XML parse,
envelope checks, the handler, serialization) runs in one thread-pool hop per request.
"""

from __future__ import annotations

import binascii
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from lxml import etree
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from xds.soap.addressing import action_not_supported
from xds.soap.envelope import Envelope, build_envelope, build_fault_envelope, parse_envelope
from xds.soap.faults import SoapFault
from xds.soap.mtom import (
    SPOOL_THRESHOLD,
    Attachment,
    MtomMessage,
    MtomReader,
    OutgoingAttachment,
    is_multipart,
    render_mtom,
    resolve_xop,
)
from xds.xmlsafe import XmlInputError, XmlLimits, parse_xml

__all__ = ["Handler", "Operation", "OutgoingAttachment", "SoapEndpoint", "SoapReply", "SoapRequest"]

log = logging.getLogger("xds.soap")

SOAP12_CONTENT_TYPE = "application/soap+xml; charset=UTF-8"
# Media types under which we look at the envelope itself; its namespace decides SOAP 1.1 vs 1.2.
_XML_TYPES = frozenset({"application/soap+xml", "text/xml", "application/xml", ""})


@dataclass(slots=True)
class SoapRequest:
    """What a handler receives: the checked envelope and, for MTOM, the xop-resolved parts.

    `attachments` maps the element that held an xop:Include (e.g. xds:Document) to its part. They are
    closed (temp files deleted) once the handler returns: copy or store them inside the handler.
    """

    envelope: Envelope
    attachments: dict[etree._Element, Attachment]
    was_mtom: bool
    correlation_id: str

    def binary(self, el: etree._Element) -> bytes:
        """The xs:base64Binary content of `el`, optimized or inline (TF2-V §V.8.2: accept both)."""
        part = self.attachments.get(el)
        if part is not None:
            return part.read_bytes()
        try:
            return binascii.a2b_base64((el.text or "").encode("ascii"), strict_mode=False)
        except (binascii.Error, UnicodeEncodeError) as exc:
            raise SoapFault.sender(f"{el.tag} does not hold valid base64: {exc}") from None


@dataclass(slots=True)
class SoapReply:
    """The Body child to send (element or pre-serialized bytes) and any MTOM parts it references."""

    body: etree._Element | bytes
    attachments: list[OutgoingAttachment] = field(default_factory=list)


Handler = Callable[[SoapRequest], SoapReply]


@dataclass(frozen=True, slots=True)
class Operation:
    """One transaction served at this endpoint, keyed by its request wsa:Action.

    `mtom_response=False` answers in the request's encoding (TF2-V §V.8.1 "same encoding");
    True always answers MTOM (ITI-41/ITI-43 responses are MTOM even without binary content).
    """

    handler: Handler
    response_action: str
    mtom_response: bool = False


class SoapEndpoint:
    """An ASGI app serving a set of operations; mount it on a Starlette `Route` or `Mount`.

    `max_body_bytes` bounds the whole HTTP body (default: `limits.max_bytes`); the SOAP XML itself is
    always bounded by `limits`. MTOM parts above `spool_threshold` go to temp files in `tmp_dir`.
    """

    def __init__(
        self,
        operations: dict[str, Operation],
        wsdl: bytes | None = None,
        limits: XmlLimits | None = None,
        understood_headers: frozenset[str] = frozenset(),
        *,
        max_body_bytes: int | None = None,
        spool_threshold: int = SPOOL_THRESHOLD,
        tmp_dir: str | None = None,
    ) -> None:
        self.operations = dict(operations)
        self.wsdl = wsdl
        self.limits = limits or XmlLimits()
        self.understood_headers = understood_headers
        self.max_body_bytes = max_body_bytes or self.limits.max_bytes
        self.spool_threshold = spool_threshold
        self.tmp_dir = tmp_dir
        # Called with the Body child of every dispatched request before its handler runs (the validation
        # mode of the conformance toolkit); it must not raise and cannot change the answer.
        self.on_message: Callable[[etree._Element], object] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            raise RuntimeError(f"SoapEndpoint only serves HTTP, not {scope['type']!r}")
        method = scope["method"]
        if method in ("GET", "HEAD"):
            response = self._get(scope)
        elif method != "POST":
            response = PlainTextResponse("Method Not Allowed", 405, headers={"Allow": "GET, POST"})
        else:
            correlation_id = uuid.uuid4().hex
            try:
                payload = await self._read(Headers(scope=scope), receive)
            except SoapFault as fault:
                response = _fault_response(fault, None)
            else:
                if payload is None:  # client went away
                    return
                response = await run_in_threadpool(self._process, payload, correlation_id)
        await response(scope, receive, send)

    def _get(self, scope: Scope) -> Response:
        query = scope.get("query_string", b"").decode("latin-1")
        if not any(k.lower() == "wsdl" for k, _ in parse_qsl(query, keep_blank_values=True)):
            return PlainTextResponse(
                "Method Not Allowed: POST a SOAP 1.2 message", 405, headers={"Allow": "POST"}
            )
        if self.wsdl is None:
            return PlainTextResponse("No WSDL published at this endpoint", 404)
        return Response(self.wsdl, media_type="text/xml; charset=UTF-8")

    async def _read(self, headers: Headers, receive: Receive) -> bytes | MtomMessage | None:
        """The raw body, or the MTOM package streamed into parts; None if the client disconnected."""
        limit = self.max_body_bytes
        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise _too_large(limit)
        content_type = headers.get("content-type", "")
        reader: MtomReader | None = None
        if is_multipart(content_type):
            reader = MtomReader(
                content_type,
                max_root_bytes=self.limits.max_bytes,
                spool_threshold=self.spool_threshold,
                tmp_dir=self.tmp_dir,
            )
        elif content_type.split(";", 1)[0].strip().lower() not in _XML_TYPES:
            raise SoapFault.sender(
                f"unsupported Content-Type {content_type!r}; expected application/soap+xml or MTOM",
                http_status=415,
            )
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                if reader is not None:
                    reader.abort()
                return None
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > limit:
                if reader is not None:
                    reader.abort()
                raise _too_large(limit)
            if reader is not None:
                reader.feed(chunk)
            else:
                chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return reader.finish() if reader is not None else b"".join(chunks)

    def _process(self, payload: bytes | MtomMessage, correlation_id: str) -> Response:
        """Parse, check, dispatch and render; runs in the thread pool."""
        mtom = payload if isinstance(payload, MtomMessage) else None
        relates_to: str | None = None
        action = "?"
        xml = payload.root if isinstance(payload, MtomMessage) else payload
        try:
            try:
                root = parse_xml(xml, self.limits)
            except XmlInputError as exc:
                raise SoapFault.sender(str(exc)) from None
            envelope = parse_envelope(root, self.understood_headers)
            relates_to = envelope.addressing.message_id
            action = envelope.addressing.require_action()
            operation = self.operations.get(action)
            if operation is None:
                raise action_not_supported(action)
            attachments = resolve_xop(root, mtom.parts) if mtom else {}
            if self.on_message is not None:
                self.on_message(envelope.body)
            reply = operation.handler(SoapRequest(envelope, attachments, mtom is not None, correlation_id))
            body = build_envelope(operation.response_action, relates_to, reply.body)
            if operation.mtom_response or mtom is not None or reply.attachments:
                return _mtom_response(body, reply.attachments)
            return Response(
                body,
                headers={"content-type": f'{SOAP12_CONTENT_TYPE}; action="{operation.response_action}"'},
            )
        except SoapFault as fault:
            return _fault_response(fault, relates_to)
        except Exception:
            log.exception("SOAP request failed: correlation id %s, action %s", correlation_id, action)
            fault = SoapFault.receiver(f"internal server error; correlation id {correlation_id}")
            return _fault_response(fault, relates_to)
        finally:
            if mtom is not None:
                mtom.close()


def _too_large(limit: int) -> SoapFault:
    return SoapFault.sender(f"request body exceeds the limit of {limit} bytes", http_status=413)


def _fault_response(fault: SoapFault, relates_to: str | None) -> Response:
    return Response(
        build_fault_envelope(fault, relates_to),
        status_code=fault.http_status,
        headers={"content-type": fault.content_type},
    )


def _mtom_response(envelope: bytes, attachments: list[OutgoingAttachment]) -> Response:
    content_type, chunks = render_mtom(envelope, attachments)
    if all(isinstance(a.source, bytes | bytearray | memoryview) for a in attachments):
        # Everything is already in memory: one write, with a Content-Length.
        return Response(b"".join(chunks), headers={"content-type": content_type})
    return StreamingResponse(chunks, headers={"content-type": content_type})
