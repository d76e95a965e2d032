"""envelope, addressing, faults: SOAP 1.2 Part 1 structure rules, WS-A headers, fault rendering."""

from __future__ import annotations

import re

import pytest
from lxml import etree
from soap_server import NS, SOAP11, SOAP12, WSA, T, envelope, fault_parts

from xds.soap.envelope import build_envelope, build_fault_envelope, parse_envelope
from xds.soap.faults import FaultCode, SoapFault
from xds.xmlsafe import parse_xml

UUID_URN = re.compile(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$")
SEC = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"


def parse(data: bytes, understood: frozenset[str] = frozenset()):  # type: ignore[no-untyped-def]
    return parse_envelope(parse_xml(data), understood)


def raw(body: str, header: str = "") -> bytes:
    return f'<s:Envelope xmlns:s="{SOAP12}"><s:Header>{header}</s:Header>{body}</s:Envelope>'.encode()


def test_valid_envelope_yields_body_and_addressing() -> None:
    env = parse(envelope("urn:a", message_id="urn:uuid:m1"))
    assert env.body.tag == f"{{{T}}}Echo"
    assert env.addressing.action == "urn:a"
    assert env.addressing.message_id == "urn:uuid:m1"
    assert env.addressing.reply_to == f"{WSA}/anonymous"
    assert [h.tag for h in env.headers] == [f"{{{WSA}}}{n}" for n in ("Action", "MessageID", "ReplyTo")]


def test_action_without_must_understand_is_accepted() -> None:
    env = parse(envelope("urn:a", action_must_understand=False))
    assert env.addressing.require_action() == "urn:a"


def test_soap11_envelope_is_a_version_mismatch_answered_in_soap11_with_upgrade() -> None:
    doc = f'<e:Envelope xmlns:e="{SOAP11}"><e:Body><x/></e:Body></e:Envelope>'.encode()
    with pytest.raises(SoapFault) as info:
        parse(doc)
    fault = info.value
    assert fault.code is FaultCode.VERSION_MISMATCH
    assert fault.http_status == 500
    assert fault.content_type.startswith("text/xml")
    out = etree.fromstring(build_fault_envelope(fault))
    assert out.tag == f"{{{SOAP11}}}Envelope"
    code = out.findtext(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault/faultcode")
    prefix, _, local = code.partition(":")
    assert (out.nsmap[prefix], local) == (SOAP11, "VersionMismatch")
    supported = out.find(f"{{{SOAP11}}}Header/{{{SOAP12}}}Upgrade/{{{SOAP12}}}SupportedEnvelope")
    prefix, _, local = supported.get("qname").partition(":")
    assert (supported.nsmap[prefix], local) == (SOAP12, "Envelope")


def test_foreign_document_element_is_a_version_mismatch() -> None:
    # SOAP 1.2 Part 1 §2.8: anything but {soap12}Envelope as document element.
    with pytest.raises(SoapFault) as info:
        parse(b"<Envelope><Body/></Envelope>")
    assert info.value.code is FaultCode.VERSION_MISMATCH
    out = etree.fromstring(build_fault_envelope(info.value))
    assert fault_parts(out)[0] == f"{{{SOAP12}}}VersionMismatch"
    assert out.find("env:Header/env:Upgrade/env:SupportedEnvelope", NS) is not None


@pytest.mark.parametrize(
    "doc",
    [
        raw(""),
        raw("<s:Body/>"),
        raw("<s:Body><a/><b/></s:Body>"),
        raw("<s:Body><a/></s:Body><s:Body><a/></s:Body>"),
        raw("<s:Body><a/></s:Body><extra/>"),
        f'<s:Envelope xmlns:s="{SOAP12}"><s:Body><a/></s:Body><s:Header/></s:Envelope>'.encode(),
        raw("<s:Body><a/></s:Body>", header="<unqualified/>"),
    ],
    ids=["no-body", "empty-body", "two-children", "two-bodies", "extra", "header-after-body", "unqualified"],
)
def test_structure_violations_are_sender_faults(doc: bytes) -> None:
    with pytest.raises(SoapFault) as info:
        parse(doc)
    assert info.value.code is FaultCode.SENDER
    assert info.value.http_status == 400


def test_comments_around_body_are_ignored() -> None:
    env = parse(raw("<!-- c --><s:Body><!-- c --><a/><!-- c --></s:Body>"))
    assert env.body.tag == "a"


def test_unknown_mandatory_header_is_a_must_understand_fault() -> None:
    header = '<x:Unknown xmlns:x="urn:ext" s:mustUnderstand="true"/>'
    with pytest.raises(SoapFault) as info:
        parse(envelope("urn:a", extra_headers=header))
    fault = info.value
    assert fault.code is FaultCode.MUST_UNDERSTAND
    assert fault.http_status == 500
    out = etree.fromstring(build_fault_envelope(fault, relates_to="urn:uuid:req"))
    assert fault_parts(out)[0] == f"{{{SOAP12}}}MustUnderstand"
    nu = out.find("env:Header/env:NotUnderstood", NS)
    prefix, _, local = nu.get("qname").partition(":")
    assert (nu.nsmap[prefix], local) == ("urn:ext", "Unknown")
    assert out.findtext("env:Header/wsa:RelatesTo", namespaces=NS) == "urn:uuid:req"


@pytest.mark.parametrize(
    "header",
    [
        '<x:Unknown xmlns:x="urn:ext"/>',
        '<x:Unknown xmlns:x="urn:ext" s:mustUnderstand="false"/>',
        '<x:Unknown xmlns:x="urn:ext" s:mustUnderstand="1" s:role="http://www.w3.org/2003/05/soap-envelope/role/none"/>',
        '<x:Unknown xmlns:x="urn:ext" s:mustUnderstand="1" s:role="urn:some:other:node"/>',
    ],
    ids=["optional", "false", "role-none", "other-role"],
)
def test_headers_we_need_not_understand(header: str) -> None:
    assert parse(envelope("urn:a", extra_headers=header)).body is not None


def test_caller_declared_headers_are_understood() -> None:
    header = f'<w:Security xmlns:w="{SEC}" s:mustUnderstand="1"/>'
    with pytest.raises(SoapFault):
        parse(envelope("urn:a", extra_headers=header))
    env = parse(envelope("urn:a", extra_headers=header), frozenset({f"{{{SEC}}}Security"}))
    assert env.headers[-1].tag == f"{{{SEC}}}Security"


def test_missing_action_is_message_addressing_header_required() -> None:
    env = parse(envelope(None))
    with pytest.raises(SoapFault) as info:
        env.addressing.require_action()
    out = etree.fromstring(build_fault_envelope(info.value))
    code, subcodes, _ = fault_parts(out)
    assert (code, subcodes) == (f"{{{SOAP12}}}Sender", [f"{{{WSA}}}MessageAddressingHeaderRequired"])
    assert out.findtext("env:Body/env:Fault/env:Detail/wsa:ProblemHeaderQName", namespaces=NS) == "wsa:Action"


def test_duplicate_action_is_invalid_cardinality() -> None:
    with pytest.raises(SoapFault) as info:
        parse(envelope("urn:a", extra_headers="<a:Action>urn:b</a:Action>"))
    assert info.value.subcodes == (f"{{{WSA}}}InvalidAddressingHeader", f"{{{WSA}}}InvalidCardinality")


def test_non_anonymous_reply_to_is_refused() -> None:
    doc = envelope("urn:a").replace(f"{WSA}/anonymous".encode(), b"http://client.example/callback")
    with pytest.raises(SoapFault) as info:
        parse(doc)
    assert info.value.subcodes[-1] == f"{{{WSA}}}OnlyAnonymousAddressSupported"


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (FaultCode.SENDER, 400),
        (FaultCode.RECEIVER, 500),
        (FaultCode.VERSION_MISMATCH, 500),
        (FaultCode.MUST_UNDERSTAND, 500),
        (FaultCode.DATA_ENCODING_UNKNOWN, 500),
    ],
)
def test_http_status_follows_soap12_part2_table(code: FaultCode, status: int) -> None:
    assert SoapFault(code, "x").http_status == status
    assert SoapFault(code, "x", http_status=413).http_status == 413


def test_fault_with_foreign_subcode_chain_declares_its_namespaces() -> None:
    fault = SoapFault.sender("nope", ("{urn:one}First", "{urn:two}Second"))
    out = etree.fromstring(build_fault_envelope(fault, relates_to="urn:uuid:r"))
    assert fault_parts(out) == (f"{{{SOAP12}}}Sender", ["{urn:one}First", "{urn:two}Second"], "nope")
    assert out.findtext("env:Header/wsa:Action", namespaces=NS) == f"{WSA}/soap/fault"
    text = out.find("env:Body/env:Fault/env:Reason/env:Text", NS)
    assert text.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def _reply_headers(out: etree._Element) -> dict[str, etree._Element]:
    return {h.tag.split("}")[1]: h for h in out.find("env:Header", NS)}


def test_build_envelope_from_element() -> None:
    body = etree.Element(f"{{{T}}}R", nsmap={"t": T})
    out = etree.fromstring(build_envelope("urn:resp", "urn:uuid:req", body))
    headers = _reply_headers(out)
    assert headers["Action"].text == "urn:resp"
    assert headers["Action"].get(f"{{{SOAP12}}}mustUnderstand") in ("1", "true")
    assert headers["RelatesTo"].text == "urn:uuid:req"
    assert UUID_URN.match(headers["MessageID"].text)
    assert out.find("env:Body/t:R", NS) is not None


def test_build_envelope_splices_bytes_and_drops_their_declaration() -> None:
    fragment = b'<?xml version="1.0" encoding="UTF-8"?>\n<t:R xmlns:t="urn:test:echo">&amp;\xc3\xa9</t:R>'
    data = build_envelope("urn:resp", None, fragment)
    assert b"<t:R xmlns:t=" in data and b"<?xml" not in data
    out = etree.fromstring(data)
    assert out.findtext("env:Body/t:R", namespaces=NS) == "&é"
    assert "RelatesTo" not in _reply_headers(out)  # no request MessageID, no RelatesTo


def test_each_reply_gets_a_fresh_message_id_and_escaped_action() -> None:
    a = etree.fromstring(build_envelope("urn:x?a=1&b=<2>", "urn:r", b"<x/>"))
    b = etree.fromstring(build_envelope("urn:x?a=1&b=<2>", "urn:r", b"<x/>"))
    assert a.findtext("env:Header/wsa:Action", namespaces=NS) == "urn:x?a=1&b=<2>"
    ids = {e.findtext("env:Header/wsa:MessageID", namespaces=NS) for e in (a, b)}
    assert len(ids) == 2
