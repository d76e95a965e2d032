"""The SOAP 1.2 envelope: check a received one, build a reply by splicing bytes.

Checks follow SOAP 1.2 Part 1: the document element must be env:Envelope in the SOAP 1.2 namespace (§2.8,
else VersionMismatch), it holds an optional env:Header then env:Body and nothing else (§5.1), and every
header block targeted at us with mustUnderstand="true" must be one we process (§5.2.3, §5.4.8). IHE
document/literal bindings carry exactly one Body child [TF2-V §V.3.2.1.3, WS-I BP R9981].
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from xds.ebxml.namespaces import SOAP11, SOAP12, WSA, q
from xds.soap.addressing import (
    FAULT_ACTION,
    UNDERSTOOD_HEADERS,
    Addressing,
    read_addressing,
    response_headers,
)
from xds.soap.faults import SoapFault
from xds.xmlsafe import serialize

__all__ = ["Envelope", "build_envelope", "build_fault_envelope", "parse_envelope"]

ENVELOPE, HEADER, BODY = q(SOAP12, "Envelope"), q(SOAP12, "Header"), q(SOAP12, "Body")
_MUST_UNDERSTAND, _ROLE = q(SOAP12, "mustUnderstand"), q(SOAP12, "role")
# Roles this node plays (Part 1 §2.2): blocks for other roles (including .../role/none) are not ours to judge.
_OUR_ROLES = frozenset({"", f"{SOAP12}/role/next", f"{SOAP12}/role/ultimateReceiver"})
_TRUE = frozenset({"true", "1"})  # xs:boolean lexical forms (Part 1 §5.2.3)


@dataclass(slots=True)
class Envelope:
    """A checked SOAP 1.2 envelope: its header blocks, the single Body child, and the WS-A properties."""

    headers: list[etree._Element]
    body: etree._Element
    addressing: Addressing


def _children(el: etree._Element) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str)]  # skip comments and PIs (Part 1 §5: ignore PIs)


def parse_envelope(root: etree._Element, understood: Iterable[str] = frozenset()) -> Envelope:
    """Validate the envelope structure and WS-A headers; raise `SoapFault` on the first violation.

    `understood` holds Clark-notation QNames of header blocks the caller processes besides WS-A
    (e.g. wsse:Security), so their mustUnderstand does not fault.
    """
    tag = root.tag
    if tag != ENVELOPE:
        if tag == q(SOAP11, "Envelope"):
            raise SoapFault.version_mismatch("a SOAP 1.1 envelope", soap11=True)
        raise SoapFault.version_mismatch(f"document element {tag}")

    children = _children(root)
    header: etree._Element | None = None
    if children and children[0].tag == HEADER:
        header = children.pop(0)
    if len(children) != 1 or children[0].tag != BODY:
        raise SoapFault.sender("env:Envelope must contain an optional env:Header followed by one env:Body")
    payload = _children(children[0])
    if len(payload) != 1:
        raise SoapFault.sender(f"env:Body must contain exactly one element, found {len(payload)}")

    headers = _children(header) if header is not None else []
    not_understood = []
    for block in headers:
        if not block.tag.startswith("{"):
            raise SoapFault.sender(f"header block {block.tag} is not namespace qualified (Part 1 §5.2.1)")
        if (block.get(_MUST_UNDERSTAND) or "").strip() not in _TRUE:
            continue
        if (block.get(_ROLE) or "").strip() not in _OUR_ROLES:
            continue
        if block.tag not in UNDERSTOOD_HEADERS and block.tag not in understood:
            not_understood.append(block.tag)
    if not_understood:
        raise SoapFault.must_understand(not_understood)

    return Envelope(headers=headers, body=payload[0], addressing=read_addressing(header))


_OPEN = f'<env:Envelope xmlns:env="{SOAP12}" xmlns:wsa="{WSA}"><env:Header>'.encode()
_MIDDLE = b"</env:Header><env:Body>"
_CLOSE = b"</env:Body></env:Envelope>"


def _strip_declaration(body: bytes) -> bytes:
    if body.startswith(b"<?xml"):
        return body[body.index(b"?>") + 2 :].lstrip()
    return body


def build_envelope(
    action: str, relates_to: str | None, body: etree._Element | bytes, message_id: str | None = None
) -> bytes:
    """A SOAP 1.2 reply with WS-A headers. `body` may be pre-serialized bytes: they are spliced, not parsed,
    so they must be one well-formed element carrying its own namespace declarations."""
    payload = _strip_declaration(body) if isinstance(body, bytes) else serialize(body)
    return b"".join((_OPEN, response_headers(action, relates_to, message_id), _MIDDLE, payload, _CLOSE))


def build_fault_envelope(fault: SoapFault, relates_to: str | None = None) -> bytes:
    """The fault message, with wsa:Action = the WS-A fault action (WS-A SOAP Binding §6) and RelatesTo."""
    return fault.render(response_headers(FAULT_ACTION, relates_to))
