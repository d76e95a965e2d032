"""Repository benchmark: ITI-41 and ITI-43 over HTTP for 10 KiB, 1 MiB, 100 MiB and 1 GiB documents.

For each size: documents/s and MiB/s of ITI-41 (MTOM upload, one document per submission, registered
in-process) and ITI-43 (MTOM download, streamed and counted by the client), and the server's resident
memory: before the phase and its peak during it (Linux VmHWM, reset between phases via clear_refs).
The server is this script in `--serve` mode, in its own process, with one uvicorn worker; the client
streams uploads from a 1 MiB block and never holds a document. Targets (issue 3): 200 ITI-41/s at
10 KiB, a 1 GiB document with < 100 MiB server growth, ITI-43 of 100 MiB at >= 300 MiB/s.

    .venv/bin/python bench/repository.py                          # full run
    .venv/bin/python bench/repository.py --counts 200,20,2,1      # reduced
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.messages import patient_id, submission

PROVIDE = "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"
RETRIEVE = "urn:ihe:iti:2007:RetrieveDocumentSet"
SOAP = "http://www.w3.org/2003/05/soap-envelope"
XDS = "urn:ihe:iti:xds-b:2007"
REPOSITORY = "1.3.6.1.4.1.21367.2010.1.2.1125"
SIZES = {"10 KiB": 10 * 1024, "1 MiB": 1 << 20, "100 MiB": 100 << 20, "1 GiB": 1 << 30}
MIB = 1 << 20
BLOCK = os.urandom(MIB)
_HASH_SIZE = re.compile(rb'<rim:Slot name="(hash|size)">.*?</rim:Slot>')
_UNIQUE_ID = re.compile(rb'value="([^"]+)"><rim:Name><rim:LocalizedString value="XDSDocumentEntry.uniqueId"')


# -- server ----------------------------------------------------------------------------------------------


def serve(data_dir: Path, port: int) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.routing import Route

    from pix_pdq.patients import PatientDirectory, add_patient
    from registry.port import InProcessRegistry
    from registry.settings import RegistrySettings
    from repository.blobstore import FilesystemBlobStore
    from repository.service import RepositoryService
    from repository.settings import RepositorySettings
    from xds.db.engine import make_engine, sqlite_url
    from xds.db.migrate import upgrade

    engine = make_engine(os.environ.get("XDS_BENCH_DATABASE_URL") or sqlite_url(data_dir))
    upgrade(engine)
    add_patient(engine, patient_id(1))
    settings = RepositorySettings(repository_unique_id=REPOSITORY)
    registry = InProcessRegistry(engine, PatientDirectory(engine), RegistrySettings())
    service = RepositoryService(engine, FilesystemBlobStore(data_dir / "documents"), registry, settings)
    service.sweep()
    endpoint = service.endpoint(location=f"http://127.0.0.1:{port}/repository")
    app = Starlette(routes=[Route("/repository", endpoint)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


# -- client ----------------------------------------------------------------------------------------------


def _envelope(action: str, body: bytes) -> bytes:
    return (
        (
            f'<s:Envelope xmlns:s="{SOAP}" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header>'
            f'<a:Action s:mustUnderstand="1">{action}</a:Action>'
            f"<a:MessageID>urn:uuid:{uuid.uuid4()}</a:MessageID>"
            "</s:Header><s:Body>"
        ).encode()
        + body
        + b"</s:Body></s:Envelope>"
    )


def _mtom(root: bytes, size: int) -> tuple[str, int, Iterator[bytes]]:
    """Content-Type, length and a chunk stream of an MTOM message with one `size`-byte part (or none)."""
    boundary = f"b-{uuid.uuid4().hex}"
    head = (
        f'--{boundary}\r\nContent-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"\r\n'
        f"Content-ID: <root@bench>\r\n\r\n"
    ).encode() + root
    if size >= 0:
        head += f"\r\n--{boundary}\r\nContent-Type: text/plain\r\nContent-ID: <doc@bench>\r\n\r\n".encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def chunks() -> Iterator[bytes]:
        yield head
        left = max(size, 0)
        while left:
            n = min(left, MIB)
            yield BLOCK[:n]
            left -= n
        yield tail

    ctype = (
        f'multipart/related; boundary="{boundary}"; type="application/xop+xml"; start="<root@bench>"; '
        'start-info="application/soap+xml"'
    )
    return ctype, len(head) + max(size, 0) + len(tail), chunks()


def provide(http: httpx.Client, url: str, size: int) -> str:
    metadata = _HASH_SIZE.sub(b"", submission(patient_id(1)))
    unique_id = _UNIQUE_ID.search(metadata).group(1).decode()  # type: ignore[union-attr]
    body = (
        f'<xds:ProvideAndRegisterDocumentSetRequest xmlns:xds="{XDS}">'.encode()
        + metadata
        + b'<xds:Document id="Document00"><xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" '
        b'href="cid:doc@bench"/></xds:Document></xds:ProvideAndRegisterDocumentSetRequest>'
    )
    ctype, length, chunks = _mtom(_envelope(PROVIDE, body), size)
    response = http.post(url, content=chunks, headers={"Content-Type": ctype, "Content-Length": str(length)})
    if b"ResponseStatusType:Success" not in response.content:
        raise RuntimeError(f"ITI-41 failed: {response.status_code} {response.content[:2000]!r}")
    return unique_id


def retrieve(http: httpx.Client, url: str, unique_id: str) -> int:
    body = (
        f'<xds:RetrieveDocumentSetRequest xmlns:xds="{XDS}"><xds:DocumentRequest>'
        f"<xds:RepositoryUniqueId>{REPOSITORY}</xds:RepositoryUniqueId>"
        f"<xds:DocumentUniqueId>{unique_id}</xds:DocumentUniqueId></xds:DocumentRequest>"
        "</xds:RetrieveDocumentSetRequest>"
    ).encode()
    ctype, _, chunks = _mtom(_envelope(RETRIEVE, body), -1)
    received = 0
    with http.stream("POST", url, content=b"".join(chunks), headers={"Content-Type": ctype}) as response:
        for chunk in response.iter_raw(MIB):
            received += len(chunk)
    if response.status_code != 200:
        raise RuntimeError(f"ITI-43 failed: HTTP {response.status_code}")
    return received


def _rss(pid: int) -> tuple[float, float]:
    """(current, peak) resident MiB of the server."""
    status = Path(f"/proc/{pid}/status").read_text()
    kib = {k: int(v.split()[0]) for k, v in re.findall(r"^(VmRSS|VmHWM):\s+(.*)$", status, re.M)}
    return kib["VmRSS"] / 1024, kib["VmHWM"] / 1024


def _reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # Linux >= 4.0: VmHWM := VmRSS


def _phase(pid: int, work, count: int, clients: int) -> tuple[float, list[object], float, float]:  # type: ignore[no-untyped-def]
    """Run `work()` `count` times on `clients` threads; (seconds, results, RSS before, peak RSS)."""
    _reset_peak(pid)
    before, _ = _rss(pid)
    results: list[object] = []
    lock = threading.Lock()
    todo = iter(range(count))

    def run() -> None:
        while True:
            with lock:
                if next(todo, None) is None:
                    return
            value = work()
            with lock:
                results.append(value)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=run) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, results, before, _rss(pid)[1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--counts", default="1000,100,10,2", help="documents per size: 10KiB,1MiB,100MiB,1GiB"
    )
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients for 10 KiB and 1 MiB")
    parser.add_argument("--port", type=int, default=18081)
    parser.add_argument("--serve", nargs=2, metavar=("DATA_DIR", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve[0]), int(args.serve[1]))
        return
    counts = [int(c) for c in args.counts.split(",")]
    with tempfile.TemporaryDirectory(prefix="xds-bench-", dir=os.environ.get("XDS_BENCH_DIR")) as data:
        server = subprocess.Popen([sys.executable, __file__, "--serve", data, str(args.port)])
        url = f"http://127.0.0.1:{args.port}/repository"
        try:
            for _ in range(300):
                try:
                    httpx.get(url + "?wsdl", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            print(
                f"{'size':>8} | {'ITI-41 docs/s':>13} {'MiB/s':>8} | {'ITI-43 docs/s':>13} {'MiB/s':>8} |"
                f" {'RSS before':>10} {'peak 41':>8} {'peak 43':>8} (MiB)"
            )
            with httpx.Client(timeout=600) as http:
                for (label, size), count in zip(SIZES.items(), counts, strict=True):
                    if count <= 0:
                        continue
                    clients = args.clients if size <= MIB else 1
                    t41, uids, before, peak41 = _phase(
                        server.pid, lambda s=size: provide(http, url, s), count, clients
                    )
                    it = iter(uids)
                    t43, got, _, peak43 = _phase(
                        server.pid, lambda it=it: retrieve(http, url, next(it)), count, clients
                    )
                    assert all(g >= size for g in got)  # type: ignore[operator]
                    mib = size * count / MIB
                    print(
                        f"{label:>8} | {count / t41:13.1f} {mib / t41:8.1f} | "
                        f"{count / t43:13.1f} {mib / t43:8.1f} | {before:10.0f} {peak41:8.0f} {peak43:8.0f}",
                        flush=True,
                    )
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
