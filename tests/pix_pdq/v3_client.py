"""The v3 services served over real HTTP (uvicorn) with /pix and /pdq mounted as `xds serve` mounts them, and
a client that checks every HL7 v3 answer against the NE2008 schemas before a test looks at it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
from hl7v3_schemas import assert_valid_v3
from live_server import free_port, serve_app
from lxml import etree
from soap_client import SoapResult, call
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.routing import Route

from pix_pdq.settings import PatientIdentitySettings
from pix_pdq.v3.service import PatientIdentityV3Service

V3 = "urn:hl7-org:v3"
NS = {"v3": V3}
ACTION = "urn:hl7-org:v3:"


@dataclass
class V3Answer:
    http_status: int
    action: str | None
    message: etree._Element

    def text(self, xpath: str) -> str | None:
        found = self.message.xpath(xpath, namespaces=NS)
        return found[0] if found and isinstance(found[0], str) else (found[0].text if found else None)

    def attr(self, xpath: str) -> str | None:
        found = self.message.xpath(xpath, namespaces=NS)
        return str(found[0]) if found else None

    @property
    def ack(self) -> str | None:
        return self.attr("v3:acknowledgement/v3:typeCode/@code")

    @property
    def detail_code(self) -> str | None:
        return self.attr("v3:acknowledgement/v3:acknowledgementDetail/v3:code/@code")

    @property
    def location(self) -> str | None:
        return self.text("v3:acknowledgement/v3:acknowledgementDetail/v3:location")

    @property
    def detail_text(self) -> str:
        return self.text("v3:acknowledgement/v3:acknowledgementDetail/v3:text") or ""

    @property
    def query_response(self) -> str | None:
        return self.attr("v3:controlActProcess/v3:queryAck/v3:queryResponseCode/@code")

    def patients(self) -> list[etree._Element]:
        return self.message.xpath(
            "v3:controlActProcess/v3:subject/v3:registrationEvent/v3:subject1/v3:patient", namespaces=NS
        )


def ids(patient: etree._Element) -> set[tuple[str, str]]:
    return {(i.get("root"), i.get("extension")) for i in patient.findall(f"{{{V3}}}id")}


@dataclass
class V3Client:
    http: httpx.Client
    base: str

    def raw(self, path: str, action: str, body: bytes) -> SoapResult:
        return call(self.http, f"{self.base}{path}", action, body)

    def send(self, path: str, action: str, body: bytes) -> V3Answer:
        result = self.raw(path, ACTION + action, body)
        assert result.http_status == 200, etree.tostring(result.envelope)
        assert_valid_v3(result.body)
        return V3Answer(result.http_status, result.action, result.body)

    def pix(self, action: str, body: bytes) -> V3Answer:
        return self.send("/pix", action, body)

    def pdq(self, action: str, body: bytes) -> V3Answer:
        return self.send("/pdq", action, body)


@contextmanager
def serving(engine: Engine, settings: PatientIdentitySettings) -> Iterator[V3Client]:
    service = PatientIdentityV3Service(engine, settings)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = Starlette(
        routes=[
            Route("/pix", service.pix_endpoint(f"{base}/pix")),
            Route("/pdq", service.pdq_endpoint(f"{base}/pdq")),
        ]
    )
    with serve_app(app, port) as url, httpx.Client(timeout=10) as http:
        yield V3Client(http, url)
