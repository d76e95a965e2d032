"""MTOM/XOP: hand-written multipart/related requests in, MTOM responses out, checked byte for byte.

The requests are built here by hand and responses are split by a ten-line splitter below, so neither
direction trusts xds.soap.mtom to check itself.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from lxml import etree
from soap_server import ECHO, MTOM_ECHO, NS, XOP, T, echo_server, envelope, fault_parts

from xds.soap.faults import SoapFault
from xds.soap.mtom import MtomReader, render_mtom, resolve_xop
from xds.xmlsafe import parse_xml

ROOT_TYPE = 'application/xop+xml; charset=UTF-8; type="application/soap+xml"'
# Binary that a text-minded MIME layer would damage: CRLFs, a fake delimiter, and a trailing CRLF.
PAYLOAD = bytes(range(256)) + b"\r\n--MIMEBoundary\r\n\r\n" + os.urandom(4096) + b"\r\n"


def part(body: bytes, **headers: str) -> tuple[dict[str, str], bytes]:
    names = {"content_id": "Content-ID", "content_type": "Content-Type", "cte": "Content-Transfer-Encoding"}
    return {names[k]: v for k, v in headers.items()}, body


def package(boundary: str, parts: list[tuple[dict[str, str], bytes]], preamble: bytes = b"") -> bytes:
    out = preamble
    for headers, body in parts:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        out += f"--{boundary}\r\n{head}\r\n".encode() + body + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def doc_request(inner: str) -> bytes:
    return envelope(ECHO, f'<t:Echo xmlns:t="{T}" xmlns:xop="{XOP}"><t:Doc id="d1">{inner}</t:Doc></t:Echo>')


def mtom_ctype(boundary: str, start: str | None = "<root@test>", quote: bool = True) -> str:
    b = f'"{boundary}"' if quote else boundary
    ctype = f'multipart/related; boundary={b}; type="application/xop+xml"; start-info="application/soap+xml"'
    return ctype + (f'; start="{start}"' if start else "")


def split_multipart(content_type: str, body: bytes) -> list[tuple[dict[str, str], bytes]]:
    """An independent RFC 2046 splitter for the responses (no preamble expected)."""
    boundary = re.search(r'boundary="?([^";]+)"?', content_type).group(1).encode()
    segments = (b"\r\n" + body).split(b"\r\n--" + boundary)
    assert segments[0] == b"" and segments[-1] in (b"--", b"--\r\n")
    parts = []
    for seg in segments[1:-1]:
        head, _, content = seg.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        lines = [line.split(":", 1) for line in head.decode().split("\r\n")]
        parts.append(({k.strip().lower(): v.strip() for k, v in lines}, content))
    return parts


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with echo_server() as base:
        yield base + "/soap"


def post(url: str, body: bytes, content_type: str) -> httpx.Response:
    return httpx.post(url, content=body, headers={"Content-Type": content_type}, timeout=10)


def mtom_reply(response: httpx.Response) -> tuple[etree._Element, dict[str, bytes]]:
    """The response root envelope and its other parts by Content-ID, after checking the MTOM framing."""
    ctype = response.headers["content-type"]
    assert ctype.startswith("multipart/related;"), ctype
    assert 'type="application/xop+xml"' in ctype and 'start-info="application/soap+xml"' in ctype
    start = re.search(r'start="(<[^"]+>)"', ctype).group(1)
    parts = split_multipart(ctype, response.content)
    root_headers, root_body = parts[0]
    assert root_headers["content-id"] == start
    assert root_headers["content-type"].startswith("application/xop+xml")
    assert 'type="application/soap+xml"' in root_headers["content-type"]
    others = {h["content-id"].strip("<>"): body for h, body in parts[1:]}
    return etree.fromstring(root_body), others


def returned_document(response: httpx.Response) -> tuple[etree._Element, bytes]:
    root, others = mtom_reply(response)
    doc = root.find("env:Body/t:EchoResponse/t:Doc", NS)
    href = doc.find("xop:Include", NS).get("href")
    return doc, others[unquote(href.removeprefix("cid:"))]


# -- requests that must be accepted -------------------------------------------------------------------

CID = "1.urn:uuid:5117AAE1@apache.org"


def variants() -> dict[str, tuple[str, bytes, bool]]:
    """name -> (content type, body, whether the document travels as an optimized part)."""
    xop = f'<xop:Include href="cid:{CID}"/>'
    root = part(doc_request(xop), content_id="<root@test>", content_type=ROOT_TYPE, cte="binary")
    att = part(PAYLOAD, content_id=f"<{CID}>", content_type="application/octet-stream", cte="binary")
    b64 = base64.encodebytes(PAYLOAD)  # 76-column lines, as MIME writers do
    pct = f'<xop:Include href="cid:{CID.replace(":", "%3A").replace("@", "%40")}"/>'
    return {
        "quoted-boundary": (mtom_ctype("MIME_q"), package("MIME_q", [root, att]), True),
        "unquoted-boundary": (mtom_ctype("MIME_u", quote=False), package("MIME_u", [root, att]), True),
        "cid-without-brackets": (
            mtom_ctype("b", start="root@test"),
            package(
                "b",
                [({**root[0], "Content-ID": "root@test"}, root[1]), ({**att[0], "Content-ID": CID}, att[1])],
            ),
            True,
        ),
        "percent-encoded-cid": (
            mtom_ctype("b"),
            package("b", [part(doc_request(pct), content_id="<root@test>", content_type=ROOT_TYPE), att]),
            True,
        ),
        "base64-transfer-encoding": (
            mtom_ctype("b"),
            package("b", [root, ({**att[0], "Content-Transfer-Encoding": "base64"}, b64)]),
            True,
        ),
        "root-not-first": (mtom_ctype("b"), package("b", [att, root]), True),
        "no-start-first-part-is-root": (mtom_ctype("b", start=None), package("b", [root, att]), True),
        "preamble": (mtom_ctype("b"), package("b", [root, att], preamble=b"This is MIME.\r\n"), True),
        "inline-base64-in-mtom": (
            mtom_ctype("b"),
            package("b", [part(doc_request(base64.b64encode(PAYLOAD).decode()), content_id="<root@test>")]),
            False,
        ),
    }


@pytest.mark.parametrize("name", list(variants()))
def test_mtom_request_variants_deliver_the_exact_bytes(url: str, name: str) -> None:
    content_type, body, optimized = variants()[name]
    response = post(url, body, content_type)
    assert response.status_code == 200, response.text
    doc, returned = returned_document(response)
    assert doc.get("optimized") == str(optimized).lower()
    assert doc.get("size") == str(len(PAYLOAD))
    assert doc.get("sha256") == hashlib.sha256(PAYLOAD).hexdigest()
    # MTOM in, MTOM out, and the binary (ending in CRLF) comes back byte-identical.
    assert returned == PAYLOAD


def test_mtom_request_without_attachments_gets_an_mtom_response(url: str) -> None:
    body = package("b", [part(envelope(ECHO), content_id="<root@test>", content_type=ROOT_TYPE)])
    response = post(url, body, mtom_ctype("b"))
    assert response.status_code == 200
    root, others = mtom_reply(response)
    assert others == {}
    assert root.findtext("env:Body/t:Echo", namespaces=NS) == "hello"


def test_simple_soap_request_to_an_mtom_operation_gets_mtom(url: str) -> None:
    response = post(url, envelope(MTOM_ECHO), "application/soap+xml")
    root, _ = mtom_reply(response)
    assert root.findtext("env:Header/wsa:Action", namespaces=NS) == "urn:test:EchoResponse"


def test_simple_soap_request_gets_simple_soap(url: str) -> None:
    response = post(url, envelope(ECHO), "application/soap+xml")
    assert response.headers["content-type"].startswith("application/soap+xml")


# -- requests that must be refused --------------------------------------------------------------------


def broken() -> dict[str, tuple[str, bytes, str]]:
    xop = f'<xop:Include href="cid:{CID}"/>'
    root = part(doc_request(xop), content_id="<root@test>", content_type=ROOT_TYPE)
    att = part(PAYLOAD, content_id=f"<{CID}>", content_type="application/octet-stream")
    whole = package("b", [root, att])
    return {
        "cid-points-nowhere": (mtom_ctype("b"), package("b", [root]), f"cid:{CID}"),
        "truncated": (mtom_ctype("b"), whole[: len(whole) - 40], "truncated"),
        "missing-root": (mtom_ctype("b", start="<other@test>"), whole, "root part"),
        "no-boundary-param": ("multipart/related; type=application/xop+xml", whole, "boundary"),
        "wrong-boundary": (mtom_ctype("zzz"), whole, "boundary"),
        "bad-base64": (
            mtom_ctype("b"),
            package("b", [root, ({**att[0], "Content-Transfer-Encoding": "base64"}, b"@@@")]),
            "base64",
        ),
    }


@pytest.mark.parametrize("name", list(broken()))
def test_broken_mtom_is_a_sender_fault(url: str, name: str) -> None:
    content_type, body, reason_part = broken()[name]
    response = post(url, body, content_type)
    assert response.status_code == 400
    code, _, reason = fault_parts(etree.fromstring(response.content))
    assert code == "{http://www.w3.org/2003/05/soap-envelope}Sender"
    assert reason_part in reason


# -- the reader and the writer as units ---------------------------------------------------------------


def test_reader_streams_small_chunks_and_spills_big_parts(tmp_path: Path) -> None:
    root = part(doc_request(f'<xop:Include href="cid:{CID}"/>'), content_id="<root@test>")
    body = package("b", [root, part(PAYLOAD, content_id=f"<{CID}>")])
    reader = MtomReader(mtom_ctype("b"), max_root_bytes=1 << 20, spool_threshold=1000, tmp_dir=str(tmp_path))
    for i in range(0, len(body), 7):  # boundaries and headers split across chunks
        reader.feed(body[i : i + 7])
    message = reader.finish()
    resolved = resolve_xop(parse_xml(message.root), message.parts)
    ((element, attachment),) = resolved.items()
    assert element.tag == f"{{{T}}}Doc" and len(element) == 0  # the xop:Include is gone
    assert attachment.path is not None and attachment.path.parent == tmp_path
    assert attachment.read_bytes() == PAYLOAD and attachment.size == len(PAYLOAD)
    with attachment.open() as a, attachment.open() as b:
        assert a.read(10) == b.read(10) == PAYLOAD[:10]  # independent readers
    message.close()
    assert list(tmp_path.iterdir()) == []


def test_reader_bounds_the_root_part() -> None:
    body = package("b", [part(b"<a>" + b"x" * 5000 + b"</a>", content_id="<root@test>")])
    reader = MtomReader(mtom_ctype("b"), max_root_bytes=1000)
    with pytest.raises(SoapFault) as info:
        reader.feed(body)
    assert info.value.http_status == 413


def test_render_mtom_streams_bytes_files_and_iterators(tmp_path: Path) -> None:
    file = tmp_path / "doc.bin"
    file.write_bytes(PAYLOAD)
    env = b'<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body/></env:Envelope>'
    sources = [
        ("a@x", "text/plain", b"abc\r\n"),
        ("b@x", "application/pdf", file),
        ("c@x", "x/y", iter([b"1", b"2"])),
    ]
    ctype, chunks = render_mtom(env, sources)
    parts = split_multipart(ctype, b"".join(chunks))
    assert parts[0][1] == env
    assert parts[0][0]["content-type"] == ROOT_TYPE
    got = {
        h["content-id"]: (h["content-type"], h["content-transfer-encoding"], body) for h, body in parts[1:]
    }
    assert got == {
        "<a@x>": ("text/plain", "binary", b"abc\r\n"),
        "<b@x>": ("application/pdf", "binary", PAYLOAD),
        "<c@x>": ("x/y", "binary", b"12"),
    }
