"""WS-Addressing 1.0 (Core + SOAP Binding, W3C REC 2006-05) as IHE uses it [TF2-V §V.3.2.2, §V.9.2.2].

Read the message addressing properties of a request, and write those of a synchronous response:
`wsa:Action` (with mustUnderstand, IHE-WSA101), a fresh `wsa:MessageID`, and `wsa:RelatesTo` = the request's
MessageID. Input is read leniently (a missing mustUnderstand on wsa:Action is accepted, ReplyTo may be
absent) but what we write is strict.

Only the synchronous exchange is supported: a non-anonymous ReplyTo/FaultTo (the IHE Asynchronous Web
Services Exchange option) is refused with wsa:OnlyAnonymousAddressSupported (WS-A Metadata §5.2.1) instead
of silently answering on the back channel.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from html import escape

from lxml import etree

from xds.ebxml.namespaces import WSA, q
from xds.soap.faults import SoapFault

__all__ = [
    "ACTION_NOT_SUPPORTED",
    "ANONYMOUS",
    "FAULT_ACTION",
    "UNDERSTOOD_HEADERS",
    "Addressing",
    "action_not_supported",
    "new_message_id",
    "read_addressing",
    "response_headers",
]

ANONYMOUS = f"{WSA}/anonymous"
NONE = f"{WSA}/none"
FAULT_ACTION = f"{WSA}/soap/fault"  # WS-A SOAP Binding §6: [action] of every fault we send

# Fault subcodes, WS-A SOAP Binding §6.4 and WS-A Metadata §5.2.
ACTION_NOT_SUPPORTED = q(WSA, "ActionNotSupported")
MESSAGE_ADDRESSING_HEADER_REQUIRED = q(WSA, "MessageAddressingHeaderRequired")
INVALID_ADDRESSING_HEADER = q(WSA, "InvalidAddressingHeader")
INVALID_CARDINALITY = q(WSA, "InvalidCardinality")
ONLY_ANONYMOUS_ADDRESS_SUPPORTED = q(WSA, "OnlyAnonymousAddressSupported")

_ACTION, _MESSAGE_ID, _TO = q(WSA, "Action"), q(WSA, "MessageID"), q(WSA, "To")
_REPLY_TO, _FAULT_TO, _FROM, _RELATES_TO = (q(WSA, n) for n in ("ReplyTo", "FaultTo", "From", "RelatesTo"))
_ADDRESS = q(WSA, "Address")
_SINGLE = (_ACTION, _MESSAGE_ID, _TO, _REPLY_TO, _FAULT_TO, _FROM)  # at most once each (Core §3.1)

#: Header blocks this module processes, so a mustUnderstand on them is honoured (SOAP 1.2 Part 1 §5.2.3).
UNDERSTOOD_HEADERS = frozenset((*_SINGLE, _RELATES_TO))


@dataclass(frozen=True, slots=True)
class Addressing:
    """The message addressing properties of a received message (WS-A Core §3.1). Absent = None."""

    action: str | None = None
    message_id: str | None = None
    to: str | None = None
    reply_to: str | None = None
    fault_to: str | None = None

    def require_action(self) -> str:
        """The Action, which WS-A SOAP Binding §6.4.4 makes mandatory: its absence is a Sender fault."""
        if not self.action:
            raise SoapFault.sender(
                "wsa:Action header is required",
                MESSAGE_ADDRESSING_HEADER_REQUIRED,
                detail=[_problem_header(_ACTION)],
            )
        return self.action


def action_not_supported(action: str) -> SoapFault:
    """WS-A SOAP Binding §6.4.1.5: an Action this endpoint does not serve, echoed in wsa:ProblemAction."""
    problem = etree.Element(q(WSA, "ProblemAction"), nsmap={"wsa": WSA})
    etree.SubElement(problem, _ACTION).text = action
    return SoapFault.sender(
        f"the action {action!r} is not supported by this endpoint", ACTION_NOT_SUPPORTED, detail=[problem]
    )


def _problem_header(clark: str) -> etree._Element:
    el = etree.Element(q(WSA, "ProblemHeaderQName"), nsmap={"wsa": WSA})
    el.text = f"wsa:{clark.rpartition('}')[2]}"
    return el


def _text(el: etree._Element) -> str:
    return (el.text or "").strip()


def _address(el: etree._Element) -> str:
    addr = el.find(_ADDRESS)
    if addr is None or not _text(addr):
        raise SoapFault.sender(
            f"{el.tag} has no wsa:Address", INVALID_ADDRESSING_HEADER, detail=[_problem_header(el.tag)]
        )
    return _text(addr)


def read_addressing(header: etree._Element | None) -> Addressing:
    """Collect the WS-A headers of env:Header; refuse duplicates and non-anonymous reply endpoints."""
    if header is None:
        return Addressing()
    found: dict[str, str] = {}
    for block in header:
        tag = block.tag
        if tag not in _SINGLE:
            continue
        if tag in found:
            raise SoapFault.sender(
                f"{tag} occurs more than once",
                (INVALID_ADDRESSING_HEADER, INVALID_CARDINALITY),
                detail=[_problem_header(tag)],
            )
        found[tag] = _address(block) if tag in (_REPLY_TO, _FAULT_TO, _FROM) else _text(block)
    for tag in (_REPLY_TO, _FAULT_TO):
        where = found.get(tag)
        if where is not None and where not in (ANONYMOUS, NONE):
            raise SoapFault.sender(
                f"only synchronous replies are supported; {tag} must be {ANONYMOUS}",
                (INVALID_ADDRESSING_HEADER, ONLY_ANONYMOUS_ADDRESS_SUPPORTED),
                detail=[_problem_header(tag)],
            )
    return Addressing(
        action=found.get(_ACTION) or None,
        message_id=found.get(_MESSAGE_ID) or None,
        to=found.get(_TO) or None,
        reply_to=found.get(_REPLY_TO),
        fault_to=found.get(_FAULT_TO),
    )


def new_message_id() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def response_headers(action: str, relates_to: str | None, message_id: str | None = None) -> bytes:
    """WS-A header blocks of a reply, as bytes to splice into an envelope that binds `env:` and `wsa:`.

    mustUnderstand uses the canonical "true" (SOAP 1.2 Part 1 §5.2.3; IHE-WSA101 accepts "1" or "true").
    RelatesTo is omitted when the request had no MessageID (WS-A Core §3.4). An anonymous To is omitted.
    """
    parts = [
        '<wsa:Action env:mustUnderstand="true">',
        escape(action, quote=False),
        "</wsa:Action><wsa:MessageID>",
        escape(message_id or new_message_id(), quote=False),
        "</wsa:MessageID>",
    ]
    if relates_to:
        parts += ("<wsa:RelatesTo>", escape(relates_to, quote=False), "</wsa:RelatesTo>")
    return "".join(parts).encode()
