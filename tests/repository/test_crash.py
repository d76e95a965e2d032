"""SIGKILL while clients submit: what was answered Success survives, and the sweep leaves no orphan.

The server runs in a subprocess (crash_server.py: sweep at start, then serve). Several clients submit
documents of assorted sizes; the process is killed mid-stream; after a restart every document whose
ITI-41 got Success is retrieved byte for byte, and fsck finds nothing to repair (architecture section 4).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from builders import PATIENT, REPOSITORY
from checks import counts, submission
from live_server import free_port
from mtom_client import SUCCESS, RepositoryClient
from sqlalchemy import Engine, func, select

from pix_pdq.patients import add_patient
from repository.blobstore import FilesystemBlobStore
from repository.fsck import check
from repository.tables import PENDING, repository_document

RUNNER = Path(__file__).with_name("crash_server.py")


def _start(url: str, blob_dir: Path, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, str(RUNNER), url, str(blob_dir), str(port)])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/repository?wsdl", timeout=1)
            return proc
        except httpx.TransportError:
            if proc.poll() is not None:
                raise RuntimeError("the server process died at start") from None
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the server did not start")


def test_sigkill_while_submitting(engine: Engine, tmp_path: Path) -> None:
    add_patient(engine, PATIENT)
    url = engine.url.render_as_string(hide_password=False)
    blob_dir, port = tmp_path / "documents", free_port()
    proc = _start(url, blob_dir, port)
    succeeded: dict[str, bytes] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def submit(worker: int) -> None:
        client = RepositoryClient(f"http://127.0.0.1:{port}/repository", httpx.Client(timeout=10))
        n = 0
        while not stop.is_set():
            n += 1
            size = (1 << (n % 21)) + worker  # 1 byte .. 1 MiB
            contents = {f"Doc{i}": os.urandom(size + i) + b"\r\n" for i in range(1 + n % 3)}
            xml, docs, uids = submission(contents)
            try:
                reply = client.provide(xml, docs)
            except (httpx.TransportError, ValueError):
                continue  # killed mid-request: no answer, no promise
            if reply.status == SUCCESS:
                with lock:
                    succeeded.update({uids[d]: contents[d] for d in contents})

    threads = [threading.Thread(target=submit, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    time.sleep(2.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stop.set()
    for t in threads:
        t.join()
    assert len(succeeded) > 10, "the clients did not get far enough to make the test meaningful"

    proc = _start(url, blob_dir, port)  # the sweep runs before serving
    try:
        client = RepositoryClient(f"http://127.0.0.1:{port}/repository")
        uids = sorted(succeeded)
        for i in range(0, len(uids), 20):
            batch = uids[i : i + 20]
            reply = client.retrieve([(REPOSITORY, uid) for uid in batch])
            assert reply.status == SUCCESS, reply.error_codes
            assert {uid: data for uid, (_, data) in reply.documents().items()} == {
                u: succeeded[u] for u in batch
            }
    finally:
        proc.kill()
        proc.wait()

    report = check(engine, FilesystemBlobStore(blob_dir), min_age=0, verify=True)
    assert report.clean, report
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).where(repository_document.c.state == PENDING)) == 0
    registry_entries, documents, _ = counts(engine)
    assert registry_entries == documents  # every registered entry has its document, and back
    assert not [p for p in (blob_dir / "tmp").iterdir()]
