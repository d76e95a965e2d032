"""Registry benchmark: load N document entries through the real registration code, then measure over HTTP.

Reports ITI-42 single-document registrations/s, ITI-18 FindDocuments (LeafClass, a patient with 10
documents) queries/s with p50/p95/p99, and the FindDocuments latency ratio between N entries and 10,000.
Default: 1,000,000 entries over 100,000 patients on PostgreSQL (XDS_BENCH_DATABASE_URL, else the local
`bench` database, dropped and recreated). Figures go to stdout and, with --write, to docs/benchmarks.md.

    .venv/bin/python bench/registry.py --entries 1000000 --patients 100000 --write

Method:
- Load: `registry.register` in-process, several processes in parallel (one per core by default), with
  `synchronous_commit = off` on the loaders' own sessions only. The load is not measured; every measured
  registration below commits durably (the server's sessions keep the default `synchronous_commit = on`).
- Server: uvicorn serving `xds.server:app_from_env` (what `xds serve --workers N` runs) with uvloop,
  httptools and no access log.
- Client: `wrk` (C, a few percent of a core) with a Lua script picking a random prepared body per request
  and, for ITI-42, writing a fresh number into the uniqueIds of each request. Without wrk, Python httpx
  client processes do the same, but they take a large share of the same cores: the report records which
  client ran and how much CPU it used.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import Engine, create_engine, event, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.messages import REQUEST_NUMBER, find_documents, patient_id, submission, submission_template

REGISTER = "urn:ihe:iti:2007:RegisterDocumentSet-b"
QUERY = "urn:ihe:iti:2007:RegistryStoredQuery"
SOAP = "http://www.w3.org/2003/05/soap-envelope"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
LOAD_CHUNK = 500  # patients per loader task
QUERY_BODIES = 2000
REGISTER_PATIENTS = 2000

# wrk script. Globals set by setup() (thread:set) are visible in that thread's init/request/response.
WRK_LUA = r"""
local threads = {}
local bodies = {}
local counter = 0
failures = 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
  fresh = args[2] ~= nil
  if fresh then prefix = args[2] .. "." .. thread_number .. "." end
  math.randomseed(thread_number * 7919 + os.time())
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/soap+xml; charset=UTF-8"
end

function request()
  local body = bodies[math.random(#bodies)]
  if fresh then
    counter = counter + 1
    body = body:gsub("@N@", prefix .. counter)
  end
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 200 or not body:find("ResponseStatusType:Success", 1, true) then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do failed = failed + thread:get("failures") end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.3f, "failures": %d, "socket_errors": %d, '
      .. '"p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "mean_ms": %.3f}\n',
    summary.requests, summary.duration / 1e6, failed + e.status,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3,
    latency.mean / 1e3))
end
"""
REQUEST_NUMBER_BYTES = REQUEST_NUMBER.encode()


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


def _loader_engine(url: str) -> Engine:
    """The registry's own engine, with `synchronous_commit = off` for the loader's sessions only.

    The load is preparation, not measurement: losing its last commits in a crash would only mean loading
    again. Server sessions (and so every measured registration) keep the durable default.
    """
    from xds.db.engine import make_engine

    engine = make_engine(url, pool_size=1)

    @event.listens_for(engine, "connect")
    def _no_sync_commit(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.execute("SET synchronous_commit = off")
        dbapi_conn.commit()

    return engine


def _load_range(args: tuple[str, int, int, int]) -> int:
    """Feed each patient of [start, end) and register `per_patient` documents for it; returns entries."""
    from lxml import etree

    from pix_pdq.patients import add_patient
    from registry.register import register
    from registry.settings import RegistrySettings
    from xds.ebxml.parse_submit import parse_submit_objects_request

    class Everyone:
        """The patients are fed just before; the measured ITI-42 runs do check them."""

        def is_known(self, patient_id: str) -> bool:
            return True

    url, start, end, per_patient = args
    engine = _loader_engine(url)
    settings = RegistrySettings()
    for n in range(start, end):
        pid = patient_id(n)
        add_patient(engine, pid)
        req = parse_submit_objects_request(etree.fromstring(submission(pid, per_patient)))
        register(engine, req, patients=Everyone(), settings=settings)
    engine.dispose()
    return (end - start) * per_patient


def load(url: str, start_patient: int, end_patient: int, per_patient: int, processes: int) -> float:
    """Register `per_patient` documents for each patient in [start, end), in parallel; returns seconds."""
    chunks = [
        (url, s, min(s + LOAD_CHUNK, end_patient), per_patient)
        for s in range(start_patient, end_patient, LOAD_CHUNK)
    ]
    t0 = time.perf_counter()
    done = 0
    with mp.get_context("spawn").Pool(processes) as pool:
        for entries in pool.imap_unordered(_load_range, chunks):
            done += entries
            elapsed = time.perf_counter() - t0
            print(
                f"  loaded {done:,} entries in {elapsed:,.0f} s ({done / elapsed:,.0f} entries/s)", flush=True
            )
    return time.perf_counter() - t0


def vacuum_analyze(url: str) -> None:
    """Statistics and visibility map as a running registry would have them (autovacuum lags a bulk load)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM (ANALYZE)"))
    engine.dispose()


def explain_find_documents(url: str, pid: str) -> str:
    """EXPLAIN ANALYZE of the exact statement the registry runs for the benchmark's FindDocuments."""
    from lxml import etree
    from sqlalchemy import select
    from sqlalchemy.dialects import postgresql

    from registry.queries.find_documents import find_documents as plan_find_documents
    from registry.queries.params import extract_params
    from xds.ebxml.parse_query import parse_adhoc_query_request
    from xds.ebxml.vocabulary import StoredQuery

    request = parse_adhoc_query_request(etree.fromstring(find_documents(pid)))
    (part,) = plan_find_documents(extract_params(StoredQuery.FIND_DOCUMENTS, request.parameters))
    statement = select(part.table.c.xml).where(part.where).order_by(part.table.c.seq).limit(1001)
    sql = str(statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    engine = create_engine(url)
    with engine.connect() as conn:
        plan = "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {sql}"))
    engine.dispose()
    return f"{sql}\n\n{plan}"


# --- clients ---------------------------------------------------------------------------------------


class CpuMeter:
    """CPU used between start and stop: the whole machine (/proc/stat) and finished child processes.

    A client (wrk or the Python processes) is a child that has exited by `stop`, so RUSAGE_CHILDREN
    counts exactly it; the server is a child too but still running, so it is not counted there.
    """

    def __init__(self) -> None:
        self._wall = time.perf_counter()
        self._busy, self._steal = self._machine()
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        self._children = usage.ru_utime + usage.ru_stime

    @staticmethod
    def _machine() -> tuple[float, float]:
        """(busy, steal) CPU seconds since boot; steal is time the hypervisor gave to other guests."""
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        idle, steal = fields[3] + fields[4], fields[7]  # idle + iowait; steal
        tick = os.sysconf("SC_CLK_TCK")
        return (sum(fields[:7]) - idle) / tick, steal / tick

    def stop(self) -> dict[str, float]:
        wall = time.perf_counter() - self._wall
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        client = usage.ru_utime + usage.ru_stime - self._children
        busy, steal = self._machine()
        machine = busy - self._busy
        return {
            "machine_busy_cores": machine / wall,
            "steal_cores": (steal - self._steal) / wall,
            "client_cores": client / wall,
            "client_share_of_busy": client / machine if machine else 0.0,
        }


def _write_lines(directory: Path, name: str, bodies: list[bytes]) -> Path:
    path = directory / name
    path.write_bytes(b"\n".join(bodies) + b"\n")  # envelopes are single-line XML
    return path


def drive_wrk(
    url: str, bodies: list[bytes], duration: float, connections: int, fresh_ids: bool
) -> dict[str, float]:
    """Closed-loop load from wrk over `connections` keep-alive connections."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "registry.lua"
        script.write_text(WRK_LUA)
        lines = _write_lines(Path(tmp), "bodies.txt", bodies)
        threads = min(2, connections)
        cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration:.0f}s", "-s", str(script), url]
        cmd += ["--", str(lines)] + ([str(time.time_ns() // 1000)] if fresh_ids else [])
        meter = CpuMeter()
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        cpu = meter.stop()
    result = json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[7:])
    result["per_second"] = result["requests"] / result["seconds"]
    return {**result, **cpu}


def _python_client(args: tuple[str, list[bytes], float, bool, int, mp.Queue]) -> None:
    url, bodies, duration, fresh_ids, number, out = args
    rng = random.Random(number)
    latencies: list[float] = []
    failures = 0
    run = time.time_ns() // 1000
    with httpx.Client(timeout=30) as client:
        end = time.perf_counter() + duration
        while time.perf_counter() < end:
            body = rng.choice(bodies)
            if fresh_ids:
                body = body.replace(REQUEST_NUMBER_BYTES, f"{run}.{number}.{len(latencies)}".encode())
            t = time.perf_counter()
            r = client.post(url, content=body, headers={"Content-Type": "application/soap+xml"})
            latencies.append(time.perf_counter() - t)
            if r.status_code != 200 or b"ResponseStatusType:Success" not in r.content:
                failures += 1
    out.put((latencies, failures))


def drive_python(
    url: str, bodies: list[bytes], duration: float, connections: int, fresh_ids: bool
) -> dict[str, float]:
    """The fallback client: one httpx process per connection (each takes a good part of a core)."""
    queue: mp.Queue = mp.Queue()
    meter = CpuMeter()
    procs = [
        mp.Process(target=_python_client, args=((url, bodies, duration, fresh_ids, n, queue),))
        for n in range(connections)
    ]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    cpu = meter.stop()
    lat = sorted(x for r in results for x in r[0])
    q = statistics.quantiles(lat, n=100)
    return {
        "requests": len(lat),
        "seconds": duration,
        "failures": sum(r[1] for r in results),
        "per_second": len(lat) / duration,
        "p50_ms": q[49] * 1000,
        "p95_ms": q[94] * 1000,
        "p99_ms": q[98] * 1000,
        "mean_ms": statistics.fmean(lat) * 1000,
        **cpu,
    }


def drive(
    client: str, url: str, action: str, bodies: list[bytes], duration: float, connections: int, fresh: bool
) -> dict[str, float]:
    envelopes = [envelope(action, b) for b in bodies]
    runner = drive_wrk if client == "wrk" else drive_python
    return runner(url, envelopes, duration, connections, fresh)


# --- server ----------------------------------------------------------------------------------------


def start_server(url: str, port: int, workers: int) -> subprocess.Popen:
    """uvicorn as `xds serve --workers N` runs it, but with the access log off (a log line per request)."""
    env = dict(os.environ, XDS_DATABASE_URL=url, XDS_REGISTRY_MAX_LEAFCLASS_RESULTS="1000")
    cmd = [
        sys.executable, "-m", "uvicorn", "xds.server:app_from_env", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
        "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(150):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "server did not start")


class Server:
    def __init__(self, url: str, port: int, workers: int) -> None:
        self.url, self.port, self.workers = url, port, workers

    def __enter__(self) -> str:
        self.proc = start_server(self.url, self.port, self.workers)
        return f"http://127.0.0.1:{self.port}/registry"

    def __exit__(self, *_: object) -> None:
        self.proc.terminate()
        self.proc.wait()


def query_bodies(patients: int) -> list[bytes]:
    rng = random.Random(42)
    return [find_documents(patient_id(rng.randrange(patients))) for _ in range(QUERY_BODIES)]


def measure_queries(args: argparse.Namespace, server_url: str, patients: int) -> dict[str, object]:
    """Warm-up, then FindDocuments under load and at concurrency 1 (latency without queueing)."""
    bodies = query_bodies(patients)
    drive(args.client, server_url, QUERY, bodies, 5, args.connections, False)
    loaded = drive(args.client, server_url, QUERY, bodies, args.duration, args.connections, False)
    single = drive(args.client, server_url, QUERY, bodies, min(args.duration, 10), 1, False)
    return {"loaded": loaded, "single": single}


def register_patients(url: str, first: int) -> list[str]:
    """Feed the patients the ITI-42 measurement registers for (the server checks them)."""
    from pix_pdq.patients import add_patient

    engine = _loader_engine(url)
    pids = [patient_id(first + i) for i in range(REGISTER_PATIENTS)]
    for pid in pids:
        add_patient(engine, pid)
    engine.dispose()
    return pids


def measure_loaded(args: argparse.Namespace, url: str) -> tuple[dict[str, object], dict[str, float]]:
    """FindDocuments on the loaded database, then single-document ITI-42 for freshly fed patients."""
    pids = register_patients(url, args.patients + 1)
    with Server(url, args.port, args.workers) as server_url:
        large = measure_queries(args, server_url, args.patients)
        print(f"FindDocuments at {args.entries:,}: {json.dumps(large)}", flush=True)
        templates = [submission_template(pid) for pid in pids]
        drive(args.client, server_url, REGISTER, templates, 5, args.connections, True)  # warm-up
        registered = drive(
            args.client, server_url, REGISTER, templates, args.duration, args.connections, True
        )
        print(f"ITI-42 single document: {json.dumps(registered)}", flush=True)
    return large, registered


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("XDS_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--baseline-entries", type=int, default=10_000)
    parser.add_argument(
        "--client", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python"
    )
    parser.add_argument("--connections", type=int, default=8, help="concurrent client connections")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--load-processes", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per measurement")
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--write", action="store_true", help="append the figures to docs/benchmarks.md")
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="measure FindDocuments and ITI-42 on the database a previous run loaded (no reset, no load)",
    )
    args = parser.parse_args()
    per_patient = args.entries // args.patients
    url = args.database_url
    if args.measure_only:
        large, registered = measure_loaded(args, url)
        print(json.dumps({"client": args.client, "find_large": large, "register": registered}, indent=2))
        return
    from xds.db.engine import make_engine
    from xds.db.migrate import upgrade

    print(
        f"client: {args.client}, {args.connections} connections; server: {args.workers} workers", flush=True
    )
    reset_database(url)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()

    base_patients = args.baseline_entries // per_patient
    print(f"loading {args.baseline_entries:,} entries ...", flush=True)
    load(url, 0, base_patients, per_patient, args.load_processes)
    vacuum_analyze(url)
    with Server(url, args.port, args.workers) as server_url:
        small = measure_queries(args, server_url, base_patients)
    print(f"FindDocuments at {args.baseline_entries:,}: {json.dumps(small)}", flush=True)

    print(f"loading up to {args.entries:,} entries ...", flush=True)
    load_seconds = load(url, base_patients, args.patients, per_patient, args.load_processes)
    vacuum_analyze(url)
    explain = explain_find_documents(url, patient_id(args.patients // 2))
    print(explain, flush=True)
    large, registered = measure_loaded(args, url)

    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": machine(url),
        "client": args.client,
        "entries": args.entries,
        "patients": args.patients,
        "load_entries_per_s": (args.entries - args.baseline_entries) / load_seconds,
        "find_small": small,
        "find_large": large,
        "register": registered,
        "latency_ratio_p50": large["loaded"]["p50_ms"] / small["loaded"]["p50_ms"],
        "latency_ratio_single_p50": large["single"]["p50_ms"] / small["single"]["p50_ms"],
        "explain": explain,
    }
    print(json.dumps(report, indent=2))
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(exist_ok=True)
    (results / f"registry-{datetime.now(UTC):%Y%m%dT%H%M%S}.json").write_text(json.dumps(report, indent=2))
    if args.write:
        write_markdown(report, args)


def machine(url: str) -> str:
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    engine = create_engine(url)
    with engine.connect() as conn:
        pg = conn.execute(text("SHOW server_version")).scalar()
    engine.dispose()
    return (
        f"{platform.machine()}, {os.cpu_count()} cores ({cpu}), "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}, PostgreSQL {pg}"
    )


def _rows(r: dict, args: argparse.Namespace) -> Iterator[tuple[str, str, str]]:
    small, large, reg = r["find_small"], r["find_large"], r["register"]
    n, base = f"{r['entries']:,}", f"{args.baseline_entries:,}"
    loaded, single = large["loaded"], large["single"]
    yield (
        "ITI-42 single-document registrations/s",
        f"{reg['per_second']:,.0f} (p50 {reg['p50_ms']:.1f} ms, p99 {reg['p99_ms']:.1f} ms, "
        f"{reg['failures']} failures)",
        "300",
    )
    yield f"ITI-18 FindDocuments LeafClass/s at {n}", f"{loaded['per_second']:,.0f}", "500"
    yield (
        f"FindDocuments p50 / p95 / p99 at {n}, {args.connections} connections",
        f"{loaded['p50_ms']:.1f} / {loaded['p95_ms']:.1f} / {loaded['p99_ms']:.1f} ms",
        "p99 < 50 ms",
    )
    yield (
        f"FindDocuments p50 / p99 at {base}, {args.connections} connections",
        f"{small['loaded']['p50_ms']:.1f} / {small['loaded']['p99_ms']:.1f} ms "
        f"({small['loaded']['per_second']:,.0f}/s)",
        "",
    )
    yield (
        f"latency ratio (p50, {args.connections} connections) {n} / {base}",
        f"{r['latency_ratio_p50']:.2f}",
        "< 1.5",
    )
    yield (
        f"FindDocuments p50 / p99 at 1 connection, {n} vs {base}",
        f"{single['p50_ms']:.2f} / {single['p99_ms']:.2f} ms vs "
        f"{small['single']['p50_ms']:.2f} / {small['single']['p99_ms']:.2f} ms "
        f"(ratio {r['latency_ratio_single_p50']:.2f})",
        "< 1.5",
    )


def write_markdown(r: dict, args: argparse.Namespace) -> None:
    rows = "\n".join(f"| {measure} | {result} | {target} |" for measure, result, target in _rows(r, args))
    large, reg = r["find_large"]["loaded"], r["register"]
    section = f"""
## Registry (bench/registry.py), {r["date"]}

Machine: {r["machine"]}.
Server: uvicorn `xds.server:app_from_env`, {args.workers} workers, uvloop + httptools, no access log.
Client: {r["client"]}, {args.connections} connections, {args.duration:.0f} s per measurement, on the same
machine. Client CPU: {large["client_cores"]:.2f} cores during FindDocuments, {reg["client_cores"]:.2f}
during ITI-42 (machine busy {large["machine_busy_cores"]:.2f} and {reg["machine_busy_cores"]:.2f} cores).
Data: {r["entries"]:,} document entries over {r["patients"]:,} patients, loaded through `registry.register`
in-process ({args.load_processes} processes, `synchronous_commit = off` for the loaders' sessions only)
at {r["load_entries_per_s"]:,.0f} entries/s. Measured registrations commit durably.

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
