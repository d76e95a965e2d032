"""Register a document entry (ITI-42) and find it again (ITI-18) with plain httpx.

.venv/bin/xds patient add 'PAT-0001^^^&1.2.250.1.999.2&ISO'
.venv/bin/python docs/examples/client.py http://127.0.0.1:8080/registry
"""

import sys
import uuid
from pathlib import Path

import httpx
from lxml import etree

HERE = Path(__file__).parent
RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"


def call(url: str, example: str) -> etree._Element:
    envelope = (HERE / example).read_text()
    # Fresh uniqueIds so the example can run more than once.
    for old in ("1.2.250.1.999.3.20261128.1", "1.2.250.1.999.4.20261128.1"):
        envelope = envelope.replace(old, f"{old}.{uuid.uuid4().int % 10**12}")
    response = httpx.post(url, content=envelope.encode(), headers={"Content-Type": "application/soap+xml"})
    return etree.fromstring(response.content)[1][0]  # Envelope/Body/<response>


url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080/registry"
registered = call(url, "register.xml")
print("ITI-42:", registered.get("status").rsplit(":", 1)[1])
for error in registered.iter(f"{{{RS}}}RegistryError"):
    print("  ", error.get("errorCode"), error.get("codeContext"))

found = call(url, "find_documents.xml")
entries = found.findall(f".//{{{RIM}}}ExtrinsicObject")
print("ITI-18:", found.get("status").rsplit(":", 1)[1], f"{len(entries)} document entries")
