"""Registry benchmark: load N document entries through the real registration code, then measure over HTTP.

Reports ITI-42 single-document registrations/s, ITI-18 FindDocuments (LeafClass, a patient with 10
documents) queries/s with p50/p95/p99, and the FindDocuments latency ratio between N entries and 10,000.
Default: 1,000,000 entries over 100,000 patients on PostgreSQL (XDS_BENCH_DATABASE_URL, else the local
`bench` database, created if missing). Figures go to stdout and, with --write, to docs/benchmarks.md.

    .venv/bin/python bench/registry.py --entries 1000000 --patients 100000 --write
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.messages import find_documents, patient_id, submission

REGISTER = "urn:ihe:iti:2007:RegisterDocumentSet-b"
QUERY = "urn:ihe:iti:2007:RegistryStoredQuery"
SOAP = "http://www.w3.org/2003/05/soap-envelope"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"


def envelope(action: str, body: bytes) -> bytes:
    return (
        (
            f'<s:Envelope xmlns:s="{SOAP}" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header>'
            f'<a:Action s:mustUnderstand="1">{action}</a:Action><a:MessageID>urn:uuid:bench</a:MessageID>'
            f"</s:Header><s:Body>"
        ).encode()
        + body
        + b"</s:Body></s:Envelope>"
    )


def reset_database(url: str) -> None:
    admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    name = url.rsplit("/", 1)[1]
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def load(url: str, start_patient: int, end_patient: int, per_patient: int) -> float:
    """Register `per_patient` documents for each patient in [start, end) in-process; returns seconds."""
    from lxml import etree
    from registry.register import register

    from pix_pdq.patients import add_patient
    from registry.settings import RegistrySettings
    from xds.db.engine import make_engine
    from xds.ebxml.parse_submit import parse_submit_objects_request
    from xds.ports import PatientIdentityPort

    class Everyone(PatientIdentityPort):
        def is_known(self, patient_id: str) -> bool:
            return True

    engine = make_engine(url)
    settings = RegistrySettings()
    t0 = time.perf_counter()
    for n in range(start_patient, end_patient):
        pid = patient_id(n)
        add_patient(engine, pid)
        req = parse_submit_objects_request(etree.fromstring(submission(pid, per_patient)))
        register(engine, req, patients=Everyone(), settings=settings)
        if (n - start_patient) % 5000 == 0 and n > start_patient:
            rate = (n - start_patient) * per_patient / (time.perf_counter() - t0)
            print(f"  loaded {n * per_patient:,} entries ({rate:,.0f} entries/s)", flush=True)
    engine.dispose()
    return time.perf_counter() - t0


def _client(args: tuple[str, str, list[bytes], float, mp.Queue]) -> None:
    url, action, bodies, duration, out = args
    latencies: list[float] = []
    failures = 0
    with httpx.Client(timeout=30) as client:
        end = time.perf_counter() + duration
        i = 0
        while time.perf_counter() < end:
            body = envelope(action, bodies[i % len(bodies)])
            i += 1
            t = time.perf_counter()
            r = client.post(url, content=body, headers={"Content-Type": "application/soap+xml"})
            latencies.append(time.perf_counter() - t)
            if r.status_code != 200 or b"ResponseStatusType:Success" not in r.content:
                failures += 1
    out.put((latencies, failures))


def drive(url: str, action: str, bodies_per_client: list[list[bytes]], duration: float) -> dict[str, float]:
    queue: mp.Queue = mp.Queue()
    procs = [mp.Process(target=_client, args=((url, action, b, duration, queue),)) for b in bodies_per_client]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    lat = sorted(x for r in results for x in r[0])
    q = statistics.quantiles(lat, n=100)
    return {
        "requests": len(lat),
        "failures": sum(r[1] for r in results),
        "per_second": len(lat) / duration,
        "p50_ms": q[49] * 1000,
        "p95_ms": q[94] * 1000,
        "p99_ms": q[98] * 1000,
    }


def start_server(url: str, port: int, workers: int) -> subprocess.Popen:
    env = dict(os.environ, XDS_DATABASE_URL=url, XDS_REGISTRY_MAX_LEAFCLASS_RESULTS="1000")
    cmd = [sys.executable, "-m", "xds.cli", "serve", "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "server did not start")


def query_bodies(patients: int, clients: int) -> list[list[bytes]]:
    rng = random.Random(42)
    return [[find_documents(patient_id(rng.randrange(patients))) for _ in range(200)] for _ in range(clients)]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("XDS_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--baseline-entries", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--write", action="store_true", help="append the figures to docs/benchmarks.md")
    args = parser.parse_args()
    per_patient = args.entries // args.patients
    url = args.database_url
    server_url = f"http://127.0.0.1:{args.port}/registry"
    from xds.db.engine import make_engine
    from xds.db.migrate import upgrade

    reset_database(url)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()

    base_patients = args.baseline_entries // per_patient
    print(f"loading {args.baseline_entries:,} entries ...", flush=True)
    load(url, 0, base_patients, per_patient)
    server = start_server(url, args.port, args.workers)
    try:
        drive(server_url, QUERY, query_bodies(base_patients, args.clients), 3)  # warm-up
        small = drive(server_url, QUERY, query_bodies(base_patients, args.clients), args.duration)
    finally:
        server.terminate()
        server.wait()
    print(f"FindDocuments at {args.baseline_entries:,}: {json.dumps(small)}", flush=True)

    print(f"loading up to {args.entries:,} entries ...", flush=True)
    load_seconds = load(url, base_patients, args.patients, per_patient)
    with create_engine(url).connect() as conn:
        conn.execute(text("ANALYZE"))
    server = start_server(url, args.port, args.workers)
    try:
        drive(server_url, QUERY, query_bodies(args.patients, args.clients), 3)
        large = drive(server_url, QUERY, query_bodies(args.patients, args.clients), args.duration)
        print(f"FindDocuments at {args.entries:,}: {json.dumps(large)}", flush=True)
        new_patients = [
            [submission(patient_id(args.patients + c * 1_000_000 + i), 1) for i in range(2000)]
            for c in range(args.clients)
        ]
        registered = drive_register(url, server_url, new_patients, args.duration)
        print(f"ITI-42 single document: {json.dumps(registered)}", flush=True)
    finally:
        server.terminate()
        server.wait()

    ratio = large["p50_ms"] / small["p50_ms"]
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "entries": args.entries,
        "patients": args.patients,
        "load_entries_per_s": (args.entries - args.baseline_entries) / load_seconds,
        "find_small": small,
        "find_large": large,
        "register": registered,
        "latency_ratio_p50": ratio,
    }
    print(json.dumps(report, indent=2))
    if args.write:
        write_markdown(report, args)


def drive_register(
    db_url: str, server_url: str, bodies: list[list[bytes]], duration: float
) -> dict[str, float]:
    """Feed the new patients first, then register single documents concurrently over HTTP."""
    from lxml import etree

    from pix_pdq.patients import add_patient
    from xds.db.engine import make_engine

    engine = make_engine(db_url)
    for client_bodies in bodies:
        for body in client_bodies:
            root = etree.fromstring(body)
            pid = root.find(
                ".//{*}ExternalIdentifier[@identificationScheme="
                "'urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446']"
            ).get("value")
            add_patient(engine, pid)
    engine.dispose()
    return drive(server_url, REGISTER, bodies, duration)


def write_markdown(r: dict, args: argparse.Namespace) -> None:
    small, large, reg = r["find_small"], r["find_large"], r["register"]
    n, base = f"{r['entries']:,}", f"{args.baseline_entries:,}"
    rows = "\n".join(
        f"| {measure} | {result} | {target} |"
        for measure, result, target in [
            (
                "ITI-42 single-document registrations/s",
                f"{reg['per_second']:,.0f} (p99 {reg['p99_ms']:.1f} ms, {reg['failures']} failures)",
                "300",
            ),
            (f"ITI-18 FindDocuments LeafClass/s at {n}", f"{large['per_second']:,.0f}", "500"),
            (
                f"FindDocuments p50 / p95 / p99 at {n}",
                f"{large['p50_ms']:.1f} / {large['p95_ms']:.1f} / {large['p99_ms']:.1f} ms",
                "p99 < 50 ms",
            ),
            (f"FindDocuments p50 / p99 at {base}", f"{small['p50_ms']:.1f} / {small['p99_ms']:.1f} ms", ""),
            (f"latency ratio (p50) {n} / {base}", f"{r['latency_ratio_p50']:.2f}", "< 1.5"),
        ]
    )
    section = f"""
## Registry (bench/registry.py), {r["date"]}

Machine: {r["machine"]}; PostgreSQL; server `xds serve --workers {args.workers}`, {args.clients} client
processes on the same machine, {args.duration:.0f} s per measurement.
Data: {r["entries"]:,} document entries over {r["patients"]:,} patients, loaded through `registry.register`
in-process at {r["load_entries_per_s"]:,.0f} entries/s.

| measure | result | target |
|---|---|---|
{rows}
"""
    path = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
    if not path.exists():
        path.write_text("# Benchmarks\n\nFigures measured by the scripts in `bench/`; newest last.\n")
    with path.open("a") as f:
        f.write(section)


if __name__ == "__main__":
    main()
