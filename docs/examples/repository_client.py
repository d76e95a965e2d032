"""Provide and register a document (ITI-41, MTOM) and retrieve it again (ITI-43) with plain httpx.

    .venv/bin/xds patient add 'PAT-0001^^^&1.2.250.1.999.2&ISO'
    .venv/bin/python docs/examples/repository_client.py http://127.0.0.1:8080/repository report.pdf

The MTOM package is written by hand (RFC 2387 multipart/related with an XOP root part) to show what goes
on the wire; any MTOM-capable SOAP 1.2 client works the same way.
"""

import re
import sys
import time
from pathlib import Path

import httpx
from lxml import etree

HERE = Path(__file__).parent
RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
ROOT_TYPE = 'application/xop+xml; charset=UTF-8; type="application/soap+xml"'


def mtom(envelope: bytes, document: bytes) -> tuple[str, bytes]:
    boundary = f"MIMEBoundary_{time.time_ns()}"
    parts = [
        (f"Content-Type: {ROOT_TYPE}\r\nContent-ID: <root@example.org>\r\n\r\n").encode() + envelope,
        b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n"
        b"Content-ID: <document01@example.org>\r\n\r\n" + document,
    ]
    body = (
        b"".join(f"--{boundary}\r\n".encode() + p + b"\r\n" for p in parts) + f"--{boundary}--\r\n".encode()
    )
    content_type = (
        f'multipart/related; boundary="{boundary}"; type="application/xop+xml"; '
        'start="<root@example.org>"; start-info="application/soap+xml"'
    )
    return content_type, body


def parts_of(response: httpx.Response) -> list[bytes]:
    """Split an MTOM answer into part bodies (headers dropped)."""
    boundary = re.search(r'boundary="?([^";]+)"?', response.headers["content-type"]).group(1).encode()
    chunks = response.content.split(b"--" + boundary)[1:-1]
    return [chunk.split(b"\r\n\r\n", 1)[1][:-2] for chunk in chunks]


url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080/repository"
document = Path(sys.argv[2]).read_bytes() if len(sys.argv) > 2 else b"%PDF-1.4 example\r\n"
suffix = str(time.time_ns())
envelope = (HERE / "provide_and_register.xml").read_text().replace("UNIQUE", suffix).encode()
content_type, body = mtom(envelope, document)
provided = httpx.post(url, content=body, headers={"Content-Type": content_type})
answer = etree.fromstring(parts_of(provided)[0])
print("ITI-41:", answer[1][0].get("status").rsplit(":", 1)[1])

unique_id = f"1.2.250.1.999.3.{suffix}"
request = (HERE / "retrieve.xml").read_text().replace("DOCUMENT_UNIQUE_ID", unique_id).encode()
retrieved = httpx.post(url, content=request, headers={"Content-Type": "application/soap+xml"})
root, *attachments = parts_of(retrieved)
status = etree.fromstring(root)[1][0].find(f"{{{RS}}}RegistryResponse")  # in RetrieveDocumentSetResponse
print("ITI-43:", status.get("status").rsplit(":", 1)[1], "identical bytes:", attachments == [document])
