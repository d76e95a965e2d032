"""A SOAP 1.2 + WS-Addressing test client written independently of the server's transport code."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx
from lxml import etree

SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
QUERY = "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
NS = {"s": SOAP, "wsa": WSA, "rs": RS, "query": QUERY, "rim": RIM}


def envelope(
    action: str, body: bytes, to: str = "http://localhost/registry", message_id: str | None = None
) -> bytes:
    message_id = message_id or f"urn:uuid:{uuid.uuid4()}"
    return (
        (
            f'<s:Envelope xmlns:s="{SOAP}" xmlns:a="{WSA}"><s:Header>'
            f'<a:Action s:mustUnderstand="1">{action}</a:Action>'
            f"<a:MessageID>{message_id}</a:MessageID>"
            f"<a:ReplyTo><a:Address>http://www.w3.org/2005/08/addressing/anonymous</a:Address></a:ReplyTo>"
            f'<a:To s:mustUnderstand="1">{to}</a:To>'
            f"</s:Header><s:Body>"
        ).encode()
        + body
        + b"</s:Body></s:Envelope>"
    )


@dataclass
class SoapResult:
    http_status: int
    envelope: etree._Element

    @property
    def body(self) -> etree._Element:
        return self.envelope.find(f"{{{SOAP}}}Body")[0]

    @property
    def action(self) -> str | None:
        return self.envelope.findtext(f"{{{SOAP}}}Header/{{{WSA}}}Action")

    @property
    def relates_to(self) -> str | None:
        return self.envelope.findtext(f"{{{SOAP}}}Header/{{{WSA}}}RelatesTo")

    @property
    def status(self) -> str | None:
        return self.body.get("status")

    @property
    def error_codes(self) -> list[str]:
        return [e.get("errorCode") for e in self.body.iter(f"{{{RS}}}RegistryError")]

    @property
    def errors(self) -> list[etree._Element]:
        return list(self.body.iter(f"{{{RS}}}RegistryError"))


def call(
    client: httpx.Client, url: str, action: str, body: bytes, message_id: str | None = None
) -> SoapResult:
    response = client.post(
        url,
        content=envelope(action, body, to=url, message_id=message_id),
        headers={"Content-Type": f'application/soap+xml; charset=UTF-8; action="{action}"'},
    )
    return SoapResult(response.status_code, etree.fromstring(response.content))
