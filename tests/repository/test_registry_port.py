"""Registration through the RegistryPort: the ITI-42 SOAP client, an unreachable or slow registry, and
every registry error and warning copied into the ITI-41 response (checklist 2.7, NIST 11986)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Collection, Iterator
from pathlib import Path

import pytest
from builders import PATIENT
from checks import counts, files_under, submission
from live_server import free_port, serve_app
from lxml import etree
from mtom_client import FAILURE, SUCCESS, RepositoryClient
from repository_app import serve_repository
from schemas import assert_valid
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pix_pdq.patients import add_patient
from repository.registry_client import SoapRegistryClient
from xds.ebxml.vocabulary import Severity
from xds.errors import ErrorCode, RegistryError


def _remote(url: str, timeout: float = 5) -> SoapRegistryClient:
    return SoapRegistryClient(url, connect_timeout=2, timeout=timeout)


def _provide(engine: Engine, tmp_path: Path, registry, patient: str = PATIENT):  # type: ignore[no-untyped-def]
    add_patient(engine, PATIENT)
    xml, docs, uids = submission({"Doc1": b"registered remotely\r\n"}, patient=patient)
    with serve_repository(engine, tmp_path / "documents", registry=registry) as h:
        reply = RepositoryClient(h.url).provide(xml, docs)
        yield h, reply, uids


def test_remote_registry_over_iti42(engine: Engine, tmp_path: Path) -> None:
    for h, reply, uids in _provide(engine, tmp_path, lambda base: _remote(f"{base}/registry")):
        assert reply.status == SUCCESS, reply.error_codes
        assert counts(engine) == (1, 1, 1)
        # The sweeper's question, asked with ITI-18 GetDocuments.
        assert h.service.registry.registered_documents([uids["Doc1"], "1.2.3.404"]) == {uids["Doc1"]}


def test_remote_registry_errors_are_copied(engine: Engine, tmp_path: Path) -> None:
    unknown = "NOBODY^^^&1.3.6.1.4.1.21367.13.20.1000&ISO"
    for h, reply, _ in _provide(engine, tmp_path, lambda base: _remote(f"{base}/registry"), patient=unknown):
        assert reply.status == FAILURE
        assert "XDSUnknownPatientId" in reply.error_codes
        assert counts(engine) == (0, 0, 0)
        assert files_under(h.store.root) == []


def test_unreachable_registry(engine: Engine, tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}/registry"
    for h, reply, _ in _provide(engine, tmp_path, lambda base: _remote(closed)):
        assert reply.status == FAILURE
        assert reply.error_codes == ["XDSRegistryNotAvailable"]
        assert_valid(reply.body, "rs")
        assert counts(engine) == (0, 0, 0)
        assert files_under(h.store.root) == []


@pytest.fixture
def silent_registry() -> Iterator[str]:
    """Accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/registry"
    stop.set()
    thread.join()
    for s in held:
        s.close()
    server.close()


def test_registry_that_does_not_answer_in_time(engine: Engine, tmp_path: Path, silent_registry: str) -> None:
    for h, reply, _ in _provide(engine, tmp_path, lambda base: _remote(silent_registry, timeout=1)):
        assert reply.error_codes == ["XDSRegistryNotAvailable"]
        assert "did not answer in time" in reply.errors[0].get("codeContext")
        assert files_under(h.store.root) == []


def _canned(body: bytes, status: int = 200) -> Starlette:
    async def answer(_: Request) -> Response:
        return Response(body, status, media_type="application/soap+xml")

    return Starlette(routes=[Route("/registry", answer, methods=["POST"])])


SOAP = "http://www.w3.org/2003/05/soap-envelope"
RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
UNKNOWN_CODE = (
    f'<e:Envelope xmlns:e="{SOAP}"><e:Body><rs:RegistryResponse xmlns:rs="{RS}" '
    'status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"><rs:RegistryErrorList '
    'highestSeverity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"><rs:RegistryError '
    'errorCode="XDSMetadataUpdateError" codeContext="from a newer registry" location="here" '
    'severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"/></rs:RegistryErrorList>'
    "</rs:RegistryResponse></e:Body></e:Envelope>"
).encode()
RECEIVER_FAULT = (
    f'<e:Envelope xmlns:e="{SOAP}"><e:Body><e:Fault><e:Code><e:Value>e:Receiver</e:Value></e:Code>'
    '<e:Reason><e:Text xml:lang="en">database down</e:Text></e:Reason></e:Fault></e:Body></e:Envelope>'
).encode()


@pytest.mark.parametrize(
    ("answer", "status", "code", "context"),
    [
        (UNKNOWN_CODE, 200, "XDSMetadataUpdateError", "from a newer registry"),
        (RECEIVER_FAULT, 500, "XDSRegistryNotAvailable", "database down"),
        (b"<html>Bad Gateway</html>", 502, "XDSRegistryNotAvailable", "HTTP 502"),
        (b"not xml", 200, "XDSRegistryError", "is not SOAP"),
    ],
)
def test_what_a_remote_registry_answers(
    engine: Engine, tmp_path: Path, answer: bytes, status: int, code: str, context: str
) -> None:
    port = free_port()
    with serve_app(_canned(answer, status), port):
        for h, reply, _ in _provide(
            engine, tmp_path, lambda base: _remote(f"http://127.0.0.1:{port}/registry")
        ):
            assert reply.error_codes == [code]
            assert context in reply.errors[0].get("codeContext")
            assert_valid(reply.body, "rs")
            assert files_under(h.store.root) == []


class Recording:
    """A RegistryPort that accepts everything with a warning and keeps what it was sent."""

    def __init__(self) -> None:
        self.sent: list[etree._Element] = []

    def register(self, submit_objects_request: etree._Element) -> list[RegistryError]:
        self.sent.append(etree.fromstring(etree.tostring(submit_objects_request)))
        return [RegistryError(ErrorCode.EXTRA_METADATA_NOT_SAVED, "slot x ignored", "Doc1", Severity.WARNING)]

    def registered_documents(self, unique_ids: Collection[str]) -> set[str]:
        return set()


def test_warnings_are_copied_and_the_iti42_message_is_valid(engine: Engine, tmp_path: Path) -> None:
    port = Recording()
    for _, reply, _ in _provide(engine, tmp_path, lambda base: port):
        assert reply.status == SUCCESS
        assert [(e.get("errorCode"), e.get("severity")) for e in reply.errors] == [
            ("XDSExtraMetadataNotSaved", Severity.WARNING)
        ]
        assert_valid(reply.body, "rs")
    (sent,) = port.sent
    assert_valid(sent, "lcm")  # the ITI-42 the repository emits, with hash/size/repositoryUniqueId added
