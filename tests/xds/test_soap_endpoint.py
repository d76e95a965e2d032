"""SoapEndpoint over real HTTP (uvicorn + httpx): dispatch, WS-A reply headers, faults and their status."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator

import httpx
import pytest
from lxml import etree
from soap_server import (
    BILLION_LAUGHS,
    BOOM,
    ECHO,
    NS,
    REFUSE,
    SMALL_LIMITS,
    SOAP11,
    SOAP12,
    WSA,
    WSDL,
    XXE,
    echo_server,
    envelope,
    fault_parts,
    nested,
)

SOAP_CT = "application/soap+xml; charset=UTF-8"
SENDER, RECEIVER = f"{{{SOAP12}}}Sender", f"{{{SOAP12}}}Receiver"
REQUEST_ID = "urn:uuid:11111111-2222-3333-4444-555555555555"


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with echo_server() as url:
        yield url


def post(url: str, body: bytes, content_type: str = SOAP_CT, **headers: str) -> httpx.Response:
    return httpx.post(url, content=body, headers={"Content-Type": content_type, **headers}, timeout=10)


def sender_fault(response: httpx.Response, status: int = 400) -> tuple[list[str], str]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/soap+xml")
    code, subcodes, reason = fault_parts(etree.fromstring(response.content))
    assert code == SENDER
    return subcodes, reason


def test_echo_reply_carries_ws_addressing_headers(base: str) -> None:
    response = post(f"{base}/soap", envelope(ECHO))
    assert response.status_code == 200
    assert response.headers["content-type"] == f'{SOAP_CT}; action="urn:test:EchoResponse"'
    root = etree.fromstring(response.content)
    action = root.find("env:Header/wsa:Action", NS)
    assert action.text == "urn:test:EchoResponse"
    assert action.get(f"{{{SOAP12}}}mustUnderstand") in ("1", "true")  # IHE-WSA101
    assert root.findtext("env:Header/wsa:RelatesTo", namespaces=NS) == REQUEST_ID
    message_id = root.findtext("env:Header/wsa:MessageID", namespaces=NS)
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", message_id) and message_id != REQUEST_ID
    assert root.findtext("env:Body/t:Echo", namespaces=NS) == "hello"
    again = etree.fromstring(post(f"{base}/soap", envelope(ECHO)).content)
    assert again.findtext("env:Header/wsa:MessageID", namespaces=NS) != message_id


def test_dispatch_ignores_soap_action_and_action_parameter(base: str) -> None:
    response = post(
        f"{base}/soap", envelope(ECHO), f'{SOAP_CT}; action="urn:test:Boom"', SOAPAction='"urn:test:Boom"'
    )
    assert response.status_code == 200


def test_billion_laughs_is_refused_quickly(base: str) -> None:
    start = time.perf_counter()
    response = post(f"{base}/soap", BILLION_LAUGHS)
    assert time.perf_counter() - start < 1.0
    _, reason = sender_fault(response)
    assert "DOCTYPE" in reason


def test_xxe_is_refused_and_leaks_nothing(base: str) -> None:
    _, reason = sender_fault(post(f"{base}/soap", XXE))
    assert "DOCTYPE" in reason
    assert b"root:" not in post(f"{base}/soap", XXE).content


def test_doctype_in_an_otherwise_valid_envelope_is_refused(base: str) -> None:
    _, reason = sender_fault(post(f"{base}/soap", b"<!DOCTYPE x>" + envelope(ECHO).split(b"?>", 1)[1]))
    assert "DOCTYPE" in reason


def test_depth_limit(base: str) -> None:
    body = envelope(ECHO, nested(SMALL_LIMITS.max_depth))
    _, reason = sender_fault(post(f"{base}/small", body))
    assert f"{SMALL_LIMITS.max_depth} levels" in reason


def test_size_limit_is_413_with_a_sender_fault(base: str) -> None:
    body = envelope(ECHO, b"<x>" + b"y" * SMALL_LIMITS.max_bytes + b"</x>")
    sender_fault(post(f"{base}/small", body), status=413)

    def chunked() -> Iterator[bytes]:  # no Content-Length: the limit must hold while streaming
        yield body

    response = httpx.post(f"{base}/small", content=chunked(), headers={"Content-Type": SOAP_CT})
    sender_fault(response, status=413)


def test_malformed_xml_is_a_sender_fault(base: str) -> None:
    _, reason = sender_fault(post(f"{base}/soap", envelope(ECHO)[:-10]))
    assert "malformed" in reason


def test_unsupported_media_type(base: str) -> None:
    sender_fault(post(f"{base}/soap", envelope(ECHO), "application/json"), status=415)


def test_soap11_request_gets_version_mismatch_with_upgrade(base: str) -> None:
    body = f'<e:Envelope xmlns:e="{SOAP11}"><e:Body><x/></e:Body></e:Envelope>'.encode()
    response = post(f"{base}/soap", body, "text/xml; charset=utf-8", SOAPAction='"urn:test:Echo"')
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/xml")
    root = etree.fromstring(response.content)
    assert root.tag == f"{{{SOAP11}}}Envelope"
    assert root.findtext(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault/faultcode").endswith(":VersionMismatch")
    upgrade = root.find(f"{{{SOAP11}}}Header/{{{SOAP12}}}Upgrade/{{{SOAP12}}}SupportedEnvelope")
    prefix, _, local = upgrade.get("qname").partition(":")
    assert (upgrade.nsmap[prefix], local) == (SOAP12, "Envelope")


def test_soap12_envelope_sent_as_text_xml_is_tolerated(base: str) -> None:
    assert post(f"{base}/soap", envelope(ECHO), "text/xml").status_code == 200


def test_unknown_must_understand_header(base: str) -> None:
    header = '<x:Session xmlns:x="urn:ext" s:mustUnderstand="true">1</x:Session>'
    response = post(f"{base}/soap", envelope(ECHO, extra_headers=header))
    assert response.status_code == 500
    root = etree.fromstring(response.content)
    assert fault_parts(root)[0] == f"{{{SOAP12}}}MustUnderstand"
    assert root.find("env:Header/env:NotUnderstood", NS).get("qname").endswith(":Session")
    assert root.findtext("env:Header/wsa:RelatesTo", namespaces=NS) is None  # envelope rejected before WS-A


def test_missing_action(base: str) -> None:
    subcodes, _ = sender_fault(post(f"{base}/soap", envelope(None)))
    assert subcodes == [f"{{{WSA}}}MessageAddressingHeaderRequired"]


def test_unknown_action(base: str) -> None:
    response = post(f"{base}/soap", envelope("urn:nobody:serves:this"))
    subcodes, _ = sender_fault(response)
    assert subcodes == [f"{{{WSA}}}ActionNotSupported"]
    root = etree.fromstring(response.content)
    assert root.findtext("env:Header/wsa:Action", namespaces=NS) == f"{WSA}/soap/fault"
    assert root.findtext("env:Header/wsa:RelatesTo", namespaces=NS) == REQUEST_ID
    problem = "env:Body/env:Fault/env:Detail/wsa:ProblemAction/wsa:Action"
    assert root.findtext(problem, namespaces=NS) == "urn:nobody:serves:this"


def test_handler_soap_fault_is_passed_through(base: str) -> None:
    _, reason = sender_fault(post(f"{base}/soap", envelope(REFUSE)))
    assert reason == "refused by handler"


def test_handler_crash_is_a_receiver_fault_with_a_logged_correlation_id(
    base: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="xds.soap"):
        response = post(f"{base}/soap", envelope(BOOM))
    assert response.status_code == 500
    code, _, reason = fault_parts(etree.fromstring(response.content))
    assert code == RECEIVER
    correlation_id = re.search(r"correlation id ([0-9a-f]{32})", reason).group(1)
    assert b"Traceback" not in response.content and b"secret" not in response.content
    logged = [r for r in caplog.records if r.name == "xds.soap" and correlation_id in r.getMessage()]
    assert logged and logged[0].exc_info is not None
    assert "secret internal detail" in caplog.text


def test_wsdl(base: str) -> None:
    response = httpx.get(f"{base}/soap?wsdl")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert response.content == WSDL
    assert httpx.get(f"{base}/soap?WSDL").content == WSDL
    assert httpx.get(f"{base}/nowsdl?wsdl").status_code == 404


def test_other_methods_are_405(base: str) -> None:
    assert httpx.get(f"{base}/soap").status_code == 405
    assert httpx.put(f"{base}/soap", content=envelope(ECHO)).status_code == 405
