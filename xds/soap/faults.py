"""SOAP 1.2 faults: the exception that carries one, its HTTP status, and its XML form.

SOAP 1.2 Part 1 §5.4 defines the env:Fault element; Part 2 §7.5.2.2 (HTTP binding, table "HTTP status
codes" for a responding node) maps fault codes to HTTP status:

    env:Sender -> 400 Bad Request; env:VersionMismatch, env:MustUnderstand, env:Receiver,
    env:DataEncodingUnknown -> 500 Internal Server Error.

A few transport errors keep a more precise HTTP status (413, 415) while still carrying an env:Sender
fault; `http_status` overrides the table for those.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from lxml import etree

from xds.ebxml.namespaces import SOAP11, SOAP12, WSA, XML, q

__all__ = ["FaultCode", "SoapFault"]


class FaultCode(StrEnum):
    """The five env:Code values of SOAP 1.2 Part 1 §5.4.6."""

    VERSION_MISMATCH = "VersionMismatch"
    MUST_UNDERSTAND = "MustUnderstand"
    DATA_ENCODING_UNKNOWN = "DataEncodingUnknown"
    SENDER = "Sender"
    RECEIVER = "Receiver"


# SOAP 1.2 Part 2 §7.5.2.2: only env:Sender is the client's fault in HTTP terms.
_HTTP_STATUS = {FaultCode.SENDER: 400}

_KNOWN_PREFIXES = {SOAP12: "env", WSA: "wsa"}


def _split(clark: str) -> tuple[str, str]:
    if not clark.startswith("{"):
        raise ValueError(f"fault subcode must be a qualified name in Clark notation, got {clark!r}")
    ns, _, local = clark[1:].partition("}")
    return ns, local


class SoapFault(Exception):
    """Raised anywhere in the SOAP stack or by a handler; the endpoint renders it as an env:Fault.

    `subcode` is a Clark-notation QName (`{ns}local`) or a chain of them, outermost first, rendered as
    nested env:Subcode elements (Part 1 §5.4.6.1). `header_blocks` go into env:Header of the fault message
    (env:NotUnderstood, env:Upgrade); `detail` children go into env:Detail.
    """

    def __init__(
        self,
        code: FaultCode | str,
        reason: str,
        subcode: str | Sequence[str] | None = None,
        *,
        detail: Sequence[etree._Element] = (),
        header_blocks: Sequence[etree._Element] = (),
        http_status: int | None = None,
        soap11: bool = False,
    ) -> None:
        super().__init__(reason)
        self.code = FaultCode(code)
        self.reason = reason
        if subcode is None:
            self.subcodes: tuple[str, ...] = ()
        elif isinstance(subcode, str):
            self.subcodes = (subcode,)
        else:
            self.subcodes = tuple(subcode)
        for sc in self.subcodes:
            _split(sc)
        self.detail = tuple(detail)
        self.header_blocks = tuple(header_blocks)
        self._http_status = http_status
        # A VersionMismatch answering a SOAP 1.1 message is itself a SOAP 1.1 message (Part 1 Appendix A).
        self.soap11 = soap11

    def __repr__(self) -> str:
        return f"SoapFault({self.code.value!r}, {self.reason!r}, subcodes={self.subcodes!r})"

    @property
    def http_status(self) -> int:
        if self._http_status is not None:
            return self._http_status
        return _HTTP_STATUS.get(self.code, 500)

    @property
    def content_type(self) -> str:
        if self.soap11:
            return "text/xml; charset=utf-8"  # SOAP 1.1 §6 HTTP binding
        return 'application/soap+xml; charset=UTF-8; action="http://www.w3.org/2005/08/addressing/soap/fault"'

    # -- XML ---------------------------------------------------------------------------------------------

    def fault_element(self) -> etree._Element:
        """The env:Fault element of SOAP 1.2 Part 1 §5.4 (Code/Value, Subcode chain, Reason/Text, Detail)."""
        nsmap = {"env": SOAP12}
        extra = 0
        for ns, _ in map(_split, self.subcodes):
            if ns not in nsmap.values():
                prefix = _KNOWN_PREFIXES.get(ns) or f"ns{extra}"
                extra += 1
                nsmap[prefix] = ns
        prefixes = {ns: p for p, ns in nsmap.items()}

        fault = etree.Element(q(SOAP12, "Fault"), nsmap=nsmap)
        parent = etree.SubElement(fault, q(SOAP12, "Code"))
        etree.SubElement(parent, q(SOAP12, "Value")).text = f"env:{self.code.value}"
        for sc in self.subcodes:
            ns, local = _split(sc)
            parent = etree.SubElement(parent, q(SOAP12, "Subcode"))
            etree.SubElement(parent, q(SOAP12, "Value")).text = f"{prefixes[ns]}:{local}"
        reason = etree.SubElement(fault, q(SOAP12, "Reason"))
        text = etree.SubElement(reason, q(SOAP12, "Text"))
        text.set(q(XML, "lang"), "en")  # env:Text requires xml:lang (Part 1 §5.4.2.1)
        text.text = self.reason
        if self.detail:
            detail = etree.SubElement(fault, q(SOAP12, "Detail"))
            detail.extend(self.detail)
        return fault

    def render(self, addressing_headers: bytes = b"") -> bytes:
        """The complete fault envelope; `addressing_headers` are pre-serialized WS-A header blocks."""
        if self.soap11:
            return self._render_soap11()
        headers = addressing_headers + b"".join(etree.tostring(h) for h in self.header_blocks)
        return b"".join(
            (
                b'<env:Envelope xmlns:env="' + SOAP12.encode() + b'" xmlns:wsa="' + WSA.encode() + b'">',
                b"<env:Header>" + headers + b"</env:Header>" if headers else b"",
                b"<env:Body>",
                etree.tostring(self.fault_element()),
                b"</env:Body></env:Envelope>",
            )
        )

    def _render_soap11(self) -> bytes:
        # Part 1 §5.4.7 Example 9: a SOAP/1.1 fault (faultcode, faultstring) with the SOAP 1.2 Upgrade block.
        fault = etree.Element(q(SOAP11, "Fault"), nsmap={"soap": SOAP11})
        code = "VersionMismatch" if self.code is FaultCode.VERSION_MISMATCH else "Client"
        if self.code in (FaultCode.RECEIVER, FaultCode.DATA_ENCODING_UNKNOWN):
            code = "Server"
        etree.SubElement(fault, "faultcode").text = f"soap:{code}"
        etree.SubElement(fault, "faultstring").text = self.reason
        headers = b"".join(etree.tostring(h) for h in self.header_blocks)
        return b"".join(
            (
                b'<soap:Envelope xmlns:soap="' + SOAP11.encode() + b'">',
                b"<soap:Header>" + headers + b"</soap:Header>" if headers else b"",
                b"<soap:Body>",
                etree.tostring(fault),
                b"</soap:Body></soap:Envelope>",
            )
        )

    # -- the standard faults -----------------------------------------------------------------------------

    @classmethod
    def sender(
        cls,
        reason: str,
        subcode: str | Sequence[str] | None = None,
        *,
        detail: Sequence[etree._Element] = (),
        http_status: int | None = None,
    ) -> SoapFault:
        """The message is at fault; resending it unchanged will fail again (Part 1 §5.4.6)."""
        return cls(FaultCode.SENDER, reason, subcode, detail=detail, http_status=http_status)

    @classmethod
    def receiver(cls, reason: str, subcode: str | Sequence[str] | None = None) -> SoapFault:
        """We are at fault; the same message may succeed later (Part 1 §5.4.6)."""
        return cls(FaultCode.RECEIVER, reason, subcode)

    @classmethod
    def version_mismatch(cls, found: str, *, soap11: bool = False) -> SoapFault:
        """Part 1 §2.8 and §5.4.7: the fault names SOAP 1.2 as the envelope we support (env:Upgrade)."""
        upgrade = etree.Element(q(SOAP12, "Upgrade"), nsmap={"env": SOAP12})
        # The qname prefix is the element's own, so it stays declared wherever the block is serialized.
        etree.SubElement(upgrade, q(SOAP12, "SupportedEnvelope")).set("qname", "env:Envelope")
        return cls(
            FaultCode.VERSION_MISMATCH,
            f"expected a SOAP 1.2 envelope ({{{SOAP12}}}Envelope), found {found}",
            header_blocks=[upgrade],
            soap11=soap11,
        )

    @classmethod
    def must_understand(cls, qnames: Sequence[str]) -> SoapFault:
        """Part 1 §5.4.8: one env:NotUnderstood header block per mandatory header we did not process."""
        blocks = []
        for clark in qnames:
            ns, local = _split(clark)
            block = etree.Element(q(SOAP12, "NotUnderstood"), nsmap={"env": SOAP12, "nu": ns})
            block.set("qname", f"nu:{local}")
            blocks.append(block)
        names = ", ".join(qnames)
        return cls(
            FaultCode.MUST_UNDERSTAND, f"header block(s) not understood: {names}", header_blocks=blocks
        )
