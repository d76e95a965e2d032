"""An independent ITI-41/ITI-43 client on httpx: MTOM written and read here, not with xds.soap.mtom.

Requests are assembled by hand (RFC 2387 multipart/related, XOP 1.0) and responses split by a small
RFC 2046 splitter, so a shared bug in the server's MIME code cannot make a test pass.
"""

from __future__ import annotations

import base64
import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

import httpx
from lxml import etree

SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://www.w3.org/2005/08/addressing"
XOP = "http://www.w3.org/2004/08/xop/include"
XDS = "urn:ihe:iti:xds-b:2007"
RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
NS = {"s": SOAP, "wsa": WSA, "xop": XOP, "xds": XDS, "rs": RS, "rim": RIM}

PROVIDE = "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"
RETRIEVE = "urn:ihe:iti:2007:RetrieveDocumentSet"
SUCCESS = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"
FAILURE = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"
PARTIAL = "urn:ihe:iti:2007:ResponseStatusType:PartialSuccess"
ROOT_TYPE = 'application/xop+xml; charset=UTF-8; type="application/soap+xml"'


def envelope(action: str, body: bytes, to: str = "http://localhost/repository") -> bytes:
    return (
        (
            f'<s:Envelope xmlns:s="{SOAP}" xmlns:a="{WSA}"><s:Header>'
            f'<a:Action s:mustUnderstand="1">{action}</a:Action>'
            f"<a:MessageID>urn:uuid:{uuid.uuid4()}</a:MessageID>"
            "<a:ReplyTo><a:Address>http://www.w3.org/2005/08/addressing/anonymous</a:Address></a:ReplyTo>"
            f'<a:To s:mustUnderstand="1">{to}</a:To></s:Header><s:Body>'
        ).encode()
        + body
        + b"</s:Body></s:Envelope>"
    )


@dataclass
class Doc:
    """One xds:Document: `inline` sends base64 in the XML, otherwise an xop:Include and a binary part."""

    id: str
    content: bytes
    inline: bool = False
    content_id: str = field(default_factory=lambda: f"{uuid.uuid4().hex}@test.example")


def provide_body(submit_objects_request: bytes, docs: list[Doc]) -> bytes:
    out = [f'<xds:ProvideAndRegisterDocumentSetRequest xmlns:xds="{XDS}" xmlns:xop="{XOP}">'.encode()]
    out.append(submit_objects_request)
    for d in docs:
        if d.inline:
            inner = base64.b64encode(d.content)
        else:
            inner = f'<xop:Include href="cid:{quote(d.content_id, safe="@.-_")}"/>'.encode()
        out.append(f'<xds:Document id="{d.id}">'.encode() + inner + b"</xds:Document>")
    out.append(b"</xds:ProvideAndRegisterDocumentSetRequest>")
    return b"".join(out)


def retrieve_body(requests: list[tuple[str, str] | tuple[str, str, str]]) -> bytes:
    """(repositoryUniqueId, documentUniqueId[, homeCommunityId]) per DocumentRequest."""
    out = [f'<xds:RetrieveDocumentSetRequest xmlns:xds="{XDS}">']
    for req in requests:
        out.append("<xds:DocumentRequest>")
        if len(req) == 3:
            out.append(f"<xds:HomeCommunityId>{req[2]}</xds:HomeCommunityId>")
        out.append(f"<xds:RepositoryUniqueId>{req[0]}</xds:RepositoryUniqueId>")
        out.append(f"<xds:DocumentUniqueId>{req[1]}</xds:DocumentUniqueId></xds:DocumentRequest>")
    out.append("</xds:RetrieveDocumentSetRequest>")
    return "".join(out).encode()


def mtom_package(
    root: bytes, parts: list[tuple[str, str, bytes]], boundary: str | None = None
) -> tuple[str, bytes]:
    """(Content-Type, body) of an MTOM message: the root part, then (content id, type, bytes) parts."""
    boundary = boundary or f"uuid:{uuid.uuid4()}"
    chunks = [
        f"--{boundary}\r\nContent-Type: {ROOT_TYPE}\r\nContent-Transfer-Encoding: binary\r\n"
        f"Content-ID: <root.message@test.example>\r\n\r\n".encode(),
        root,
    ]
    for cid, ctype, data in parts:
        chunks.append(
            f"\r\n--{boundary}\r\nContent-Type: {ctype}\r\nContent-Transfer-Encoding: binary\r\n"
            f"Content-ID: <{cid}>\r\n\r\n".encode()
        )
        chunks.append(data)
    chunks.append(f"\r\n--{boundary}--\r\n".encode())
    content_type = (
        f'multipart/related; boundary="{boundary}"; type="application/xop+xml"; '
        f'start="<root.message@test.example>"; start-info="application/soap+xml"'
    )
    return content_type, b"".join(chunks)


def split_multipart(content_type: str, body: bytes) -> list[tuple[dict[str, str], bytes]]:
    boundary = re.search(r'boundary="?([^";]+)"?', content_type).group(1).encode()
    segments = (b"\r\n" + body).split(b"\r\n--" + boundary)
    assert segments[0] == b"" and segments[-1] in (b"--", b"--\r\n"), "bad multipart framing"
    parts = []
    for seg in segments[1:-1]:
        head, _, content = seg.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        lines = [line.split(":", 1) for line in head.decode().split("\r\n")]
        parts.append(({k.strip().lower(): v.strip() for k, v in lines}, content))
    return parts


@dataclass
class Reply:
    http_status: int
    envelope: etree._Element
    parts: dict[str, bytes]
    part_types: dict[str, str]
    raw_root: bytes

    @property
    def body(self) -> etree._Element:
        return self.envelope.find(f"{{{SOAP}}}Body")[0]

    @property
    def registry_response(self) -> etree._Element:
        body = self.body
        return body if body.tag == f"{{{RS}}}RegistryResponse" else body.find("rs:RegistryResponse", NS)

    @property
    def status(self) -> str | None:
        return self.registry_response.get("status")

    @property
    def errors(self) -> list[etree._Element]:
        return list(self.registry_response.iter(f"{{{RS}}}RegistryError"))

    @property
    def error_codes(self) -> list[str]:
        return [e.get("errorCode") for e in self.errors]

    @property
    def fault_reason(self) -> str:
        return self.envelope.findtext("s:Body/s:Fault/s:Reason/s:Text", namespaces=NS) or ""

    def documents(self) -> dict[str, tuple[str, bytes]]:
        """DocumentUniqueId -> (mimeType, bytes) of an ITI-43 response, xop:Include resolved."""
        out = {}
        for dr in self.body.findall("xds:DocumentResponse", NS):
            include = dr.find("xds:Document/xop:Include", NS)
            data = self.parts[unquote(include.get("href").removeprefix("cid:"))]
            out[dr.findtext("xds:DocumentUniqueId", namespaces=NS)] = (
                dr.findtext("xds:mimeType", namespaces=NS),
                data,
            )
        return out

    def resolved_body(self) -> etree._Element:
        """The SOAP Body child after XOP resolution (xop:Include removed), for the schema oracle."""
        body = etree.fromstring(etree.tostring(self.body))
        for include in list(body.iter(f"{{{XOP}}}Include")):
            include.getparent().remove(include)
        return body


def read_reply(response: httpx.Response) -> Reply:
    ctype = response.headers.get("content-type", "")
    if not ctype.startswith("multipart/related"):
        return Reply(response.status_code, etree.fromstring(response.content), {}, {}, response.content)
    assert 'type="application/xop+xml"' in ctype and 'start-info="application/soap+xml"' in ctype
    start = re.search(r'start="<([^"]+)>"', ctype).group(1)
    parts = split_multipart(ctype, response.content)
    root_headers, root = parts[0]
    assert root_headers["content-id"] == f"<{start}>"
    assert root_headers["content-type"].startswith("application/xop+xml")
    others = {h["content-id"].strip("<>"): data for h, data in parts[1:]}
    types = {h["content-id"].strip("<>"): h["content-type"] for h, _ in parts[1:]}
    return Reply(response.status_code, etree.fromstring(root), others, types, root)


class RepositoryClient:
    def __init__(self, url: str, http: httpx.Client | None = None) -> None:
        self.url = url
        self.http = http or httpx.Client(timeout=60)

    def post_mtom(self, action: str, body: bytes, parts: list[tuple[str, str, bytes]]) -> Reply:
        content_type, payload = mtom_package(envelope(action, body, self.url), parts)
        return read_reply(self.http.post(self.url, content=payload, headers={"Content-Type": content_type}))

    def provide(self, submit_objects_request: bytes, docs: list[Doc]) -> Reply:
        parts = [(d.content_id, "application/octet-stream", d.content) for d in docs if not d.inline]
        return self.post_mtom(PROVIDE, provide_body(submit_objects_request, docs), parts)

    def retrieve(self, requests: list[tuple[str, str] | tuple[str, str, str]]) -> Reply:
        return self.post_mtom(RETRIEVE, retrieve_body(requests), [])
