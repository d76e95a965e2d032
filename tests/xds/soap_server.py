"""A SOAP test server (echo operations behind `SoapEndpoint`, under real uvicorn) and hand-written requests.

Requests are written here by hand, not with the server's builders, so the tests are an independent oracle.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from live_server import serve_app
from lxml import etree
from starlette.applications import Starlette
from starlette.routing import Route

from xds.soap.endpoint import Operation, SoapEndpoint, SoapReply, SoapRequest
from xds.soap.faults import SoapFault
from xds.soap.mtom import OutgoingAttachment, xop_include
from xds.xmlsafe import XmlLimits

SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
WSA = "http://www.w3.org/2005/08/addressing"
XOP = "http://www.w3.org/2004/08/xop/include"
T = "urn:test:echo"
NS = {"env": SOAP12, "wsa": WSA, "t": T, "xop": XOP}

ECHO = "urn:test:Echo"
ECHO_RESPONSE = "urn:test:EchoResponse"
MTOM_ECHO = "urn:test:MtomEcho"
BOOM = "urn:test:Boom"
REFUSE = "urn:test:Refuse"
WSDL = b'<?xml version="1.0"?><definitions xmlns="http://schemas.xmlsoap.org/wsdl/" name="Echo"/>'
SMALL_LIMITS = XmlLimits(max_bytes=20_000, max_depth=20)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<foo>&xxe;</foo>"""


def nested(depth: int) -> bytes:
    return b"<a>" * depth + b"</a>" * depth


def echo(request: SoapRequest) -> SoapReply:
    """Echo the body; every t:Doc comes back as an MTOM part with its size and SHA-256."""
    body = request.envelope.body
    docs = body.findall(f"{{{T}}}Doc")
    if not docs:
        return SoapReply(etree.tostring(body))
    out = etree.Element(f"{{{T}}}EchoResponse", nsmap={"t": T})
    out.set("mtom", str(request.was_mtom).lower())
    attachments = []
    for doc in docs:
        data = request.binary(doc)
        cid = f"{doc.get('id')}.{uuid.uuid4().hex}@test"
        echoed = etree.SubElement(out, f"{{{T}}}Doc", id=doc.get("id", ""), size=str(len(data)))
        echoed.set("sha256", hashlib.sha256(data).hexdigest())
        echoed.set("optimized", str(doc in request.attachments).lower())
        xop_include(echoed, cid)
        attachments.append(OutgoingAttachment(cid, "application/octet-stream", data))
    return SoapReply(out, attachments)


def boom(request: SoapRequest) -> SoapReply:
    raise RuntimeError("secret internal detail /etc/shadow")


def refuse(request: SoapRequest) -> SoapReply:
    raise SoapFault.sender("refused by handler")


def make_app() -> Starlette:
    operations = {
        ECHO: Operation(echo, ECHO_RESPONSE),
        MTOM_ECHO: Operation(echo, ECHO_RESPONSE, mtom_response=True),
        BOOM: Operation(boom, ECHO_RESPONSE),
        REFUSE: Operation(refuse, ECHO_RESPONSE),
    }
    return Starlette(
        routes=[
            Route("/soap", SoapEndpoint(operations, wsdl=WSDL)),
            Route("/small", SoapEndpoint(operations, limits=SMALL_LIMITS)),
            Route("/nowsdl", SoapEndpoint(operations)),
        ]
    )


@contextmanager
def echo_server() -> Iterator[str]:
    """Base URL of a running echo server (routes /soap, /small with `SMALL_LIMITS`, /nowsdl)."""
    with serve_app(make_app()) as base:
        yield base


def envelope(
    action: str | None,
    body: str | bytes = f'<t:Echo xmlns:t="{T}">hello</t:Echo>',
    *,
    message_id: str | None = "urn:uuid:11111111-2222-3333-4444-555555555555",
    extra_headers: str = "",
    action_must_understand: bool = True,
) -> bytes:
    """A SOAP 1.2 request envelope as a client such as the NIST toolkit writes it."""
    mu = ' s:mustUnderstand="1"' if action_must_understand else ""
    headers = f"<a:Action{mu}>{action}</a:Action>" if action is not None else ""
    if message_id:
        headers += f"<a:MessageID>{message_id}</a:MessageID>"
    headers += f"<a:ReplyTo><a:Address>{WSA}/anonymous</a:Address></a:ReplyTo>{extra_headers}"
    if isinstance(body, str):
        body = body.encode()
    return (
        (
            f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="{SOAP12}" xmlns:a="{WSA}">'
            f"<s:Header>{headers}</s:Header><s:Body>"
        ).encode()
        + body
        + b"</s:Body></s:Envelope>"
    )


def fault_parts(root: etree._Element) -> tuple[str, list[str], str]:
    """(code, [subcodes...], reason) of a SOAP 1.2 fault envelope, QNames resolved to Clark notation."""
    fault = root.find("env:Body/env:Fault", NS)
    assert fault is not None, etree.tostring(root)

    def resolve(value: etree._Element) -> str:
        prefix, _, local = (value.text or "").strip().partition(":")
        return f"{{{value.nsmap[prefix]}}}{local}"

    code = resolve(fault.find("env:Code/env:Value", NS))
    subcodes = []
    node = fault.find("env:Code", NS)
    while (node := node.find("env:Subcode", NS)) is not None:
        subcodes.append(resolve(node.find("env:Value", NS)))
    reason = fault.findtext("env:Reason/env:Text", namespaces=NS) or ""
    return code, subcodes, reason
