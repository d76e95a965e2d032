"""Broken ITI-41 uploads (issue "Bad input"): a precise error, the upload discarded, nothing half-written.

After each refusal: no file under the blob directory (staging and MTOM spool included), no repository
row, no registry entry. Parts are spooled to disk from 1 KiB on, so the clean-up of spooled files is
what is being tested.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from builders import PATIENT
from checks import counts, files_under, submission
from mtom_client import PROVIDE, Doc, envelope, mtom_package, provide_body, read_reply
from repository_app import Harness, serve_repository
from sqlalchemy import Engine

from pix_pdq.patients import add_patient
from repository.settings import RepositorySettings

MAX = 64 * 1024


@pytest.fixture
def small(engine: Engine, tmp_path: Path) -> Iterator[Harness]:
    add_patient(engine, PATIENT)
    settings = RepositorySettings(max_document_bytes=MAX, spool_threshold=1024)
    with serve_repository(engine, tmp_path / "documents", settings) as h:
        yield h


def _package(harness: Harness, docs: list[Doc], parts: list[tuple[str, str, bytes]] | None = None):
    xml, _, _ = submission({d.id: d.content for d in docs})
    body = envelope(PROVIDE, provide_body(xml, docs), harness.url)
    default = [(d.content_id, "application/octet-stream", d.content) for d in docs if not d.inline]
    return mtom_package(body, default if parts is None else parts)


def _assert_nothing_stored(harness: Harness) -> None:
    deadline = time.monotonic() + 5
    while files_under(harness.store.root) and time.monotonic() < deadline:
        time.sleep(0.05)  # a disconnected upload is aborted by the server a moment later
    assert files_under(harness.store.root) == []
    assert counts(harness.engine) == (0, 0, 0)


def _post(harness: Harness, content_type: str, body: bytes):
    return read_reply(
        httpx.post(harness.url, content=body, headers={"Content-Type": content_type}, timeout=30)
    )


def test_truncated_body(small: Harness) -> None:
    ctype, body = _package(small, [Doc("Doc1", b"x" * 20_000)])
    reply = _post(small, ctype, body[:-500])
    assert reply.http_status == 400
    assert "truncated" in reply.fault_reason
    _assert_nothing_stored(small)


def test_missing_root_part(small: Harness) -> None:
    ctype, body = _package(small, [Doc("Doc1", b"x" * 20_000)])
    reply = _post(small, ctype.replace("root.message@test.example", "elsewhere@test.example"), body)
    assert reply.http_status == 400
    assert "root part" in reply.fault_reason
    _assert_nothing_stored(small)


def test_cid_pointing_nowhere(small: Harness) -> None:
    doc = Doc("Doc1", b"x" * 20_000)
    ctype, body = _package(small, [doc], parts=[("other@test.example", "text/plain", doc.content)])
    reply = _post(small, ctype, body)
    assert reply.http_status == 400
    assert f"cid:{doc.content_id}" in reply.fault_reason
    _assert_nothing_stored(small)


@pytest.mark.parametrize("inline", [False, True])
def test_document_over_the_maximum_size(small: Harness, inline: bool) -> None:
    ctype, body = _package(small, [Doc("Doc1", b"y" * (MAX + 1), inline=inline)])
    reply = _post(small, ctype, body)
    assert reply.http_status == 413
    assert f"{MAX + 1} bytes, over this repository's limit of {MAX}" in reply.fault_reason
    _assert_nothing_stored(small)


def test_declared_content_length_longer_than_the_body(small: Harness) -> None:
    """The client announces more than it sends, then hangs up: the spooled upload is thrown away."""
    ctype, body = _package(small, [Doc("Doc1", b"z" * 40_000)])
    url = urlsplit(small.url)
    with socket.create_connection((url.hostname, url.port)) as sock:
        head = (
            f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Type: {ctype}\r\n"
            f"Content-Length: {len(body) + 10_000}\r\n\r\n"
        )
        sock.sendall(head.encode() + body)
        time.sleep(0.3)  # let the server spool what it got
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(10)
        assert b"200 OK" not in sock.recv(65536)
    _assert_nothing_stored(small)


def test_declared_content_length_shorter_than_the_body(small: Harness) -> None:
    """The server reads what was announced: the package is then truncated, and said so."""
    ctype, body = _package(small, [Doc("Doc1", b"z" * 40_000)])
    url = urlsplit(small.url)
    with socket.create_connection((url.hostname, url.port)) as sock:
        head = (
            f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Type: {ctype}\r\n"
            f"Content-Length: {len(body) - 1000}\r\nConnection: close\r\n\r\n"
        )
        sock.sendall(head.encode() + body[: len(body) - 1000])
        sock.settimeout(10)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400")
    assert b"truncated" in answer
    _assert_nothing_stored(small)


def test_declared_document_size_that_lies(small: Harness) -> None:
    xml, docs, _ = submission({"Doc1": b"w" * 5000}, slots={"hash": None, "size": ["4999"]})
    content_type, payload = mtom_package(
        envelope(PROVIDE, provide_body(xml, docs), small.url),
        [(docs[0].content_id, "application/octet-stream", docs[0].content)],
    )
    reply = _post(small, content_type, payload)
    assert reply.error_codes == ["XDSRepositoryMetadataError"]
    assert "size 4999" in reply.errors[0].get("codeContext")
    _assert_nothing_stored(small)
