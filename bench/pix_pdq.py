"""PIX/PDQ benchmark over real MLLP: ITI-8 feeds/s on one and eight connections, then PDQ (name + birth date)
and PIX query latency p50/p99 with N patients in PostgreSQL.

The listener runs in its own process (as `xds serve` would), so client threads do not share its GIL.
Default: 1,000,000 patients in the `bench_pix` database (XDS_BENCH_PIX_DATABASE_URL), recreated each run.

    .venv/bin/python bench/pix_pdq.py --patients 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import random
import socket
import statistics
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pix_pdq.model import name_key
from pix_pdq.settings import PatientIdentitySettings
from pix_pdq.tables import patient, patient_identifier
from xds.db.engine import make_engine
from xds.db.migrate import upgrade

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_pix"
HOSP = "1.2.250.1.999.1.1"  # loaded patients' IPP authority
FEED_HOSP = "1.2.250.1.999.2.1"  # fed patients' IPP authority
VT, END = b"\x0b", b"\x1c\r"
SURNAMES = 5000
rng = random.Random(8)
_syllables = ["BA", "DU", "MAR", "TIN", "LE", "RO", "GER", "PON", "CHA", "VAL", "MO", "REAU", "BER", "NARD"]
NAMES = sorted(
    {"".join(rng.choice(_syllables) for _ in range(rng.randint(2, 4))) for _ in range(SURNAMES * 3)}
)[:SURNAMES]
GIVEN = ["JEAN", "MARIE", "PIERRE", "ANNE", "LOUIS", "CLAIRE", "PAUL", "SOPHIE", "LUC", "JULIE"]
EPOCH = date(1930, 1, 1)


def traits(seq: int) -> tuple[str, str, str, str]:
    """Deterministic demographics of loaded patient `seq`: the queries regenerate them."""
    r = random.Random(seq)
    birth = (EPOCH + timedelta(days=r.randrange(90 * 365))).strftime("%Y%m%d")
    return r.choice(NAMES), r.choice(GIVEN), birth, r.choice("MF")


def reset_database(url: str) -> None:
    admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    name = url.rsplit("/", 1)[1]
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def load(url: str, count: int, batch: int = 20_000) -> float:
    """Bulk-load `count` patients (each with an IPP) straight into the tables; returns seconds."""
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    for start in range(1, count + 1, batch):
        seqs = range(start, min(start + batch, count + 1))
        rows, ids = [], []
        for seq in seqs:
            family, given, birth, sex = traits(seq)
            rows.append(
                {
                    "seq": seq,
                    "birth_name": family,
                    "first_names": given,
                    "sex": sex,
                    "birth_date": birth,
                    "birth_name_key": name_key(family),
                    "first_names_key": given,
                }
            )
            ids.append(
                {
                    "patient_seq": seq,
                    "id_number": f"L{seq}",
                    "authority_oid": HOSP,
                    "cx": f"L{seq}^^^&{HOSP}&ISO",
                }
            )
        with engine.begin() as conn:
            conn.execute(insert(patient), rows)
            conn.execute(insert(patient_identifier), ids)
    with engine.begin() as conn:
        conn.execute(text("SELECT setval(pg_get_serial_sequence('patient', 'seq'), :n)"), {"n": count})
        conn.execute(text("ANALYZE"))
    engine.dispose()
    return time.perf_counter() - started


def serve(url: str, port: int, ready: mp.Event) -> None:  # type: ignore[valid-type]
    from pix_pdq.mllp import start_mllp_server

    async def run() -> None:
        engine = make_engine(url, pool_size=16)
        server = await start_mllp_server(engine, "127.0.0.1", port, settings=PatientIdentitySettings())
        ready.set()
        await server.serve_forever()

    asyncio.run(run())


class Client:
    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def exchange(self, message: str) -> str:
        self.sock.sendall(VT + message.encode() + END)
        while END not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk
        frame, _, self.buffer = self.buffer.partition(END)
        return frame[1:].decode()


def msh(kind: str, version: str, control: str) -> str:
    return f"MSH|^~\\&|BENCH|HOSP|XDS|REG|20250101120000||{kind}|{control}|P|{version}"


def feed(n: int) -> str:
    family, given, birth, sex = traits(10_000_000 + n)
    return "\r".join(
        [
            msh("ADT^A01^ADT_A01", "2.3.1", f"F{n}"),
            "EVN|A01|20250101120000",
            f"PID|1||F{n}^^^&{FEED_HOSP}&ISO^PI||{family}^{given}^^^^^L||{birth}|{sex}",
            "PV1|1|N",
        ]
    )


def feeds_per_second(port: int, total: int, connections: int, offset: int) -> float:
    def work(first: int, count: int) -> None:
        c = Client(port)
        for n in range(first, first + count):
            assert "MSA|AA" in c.exchange(feed(n))

    share = total // connections
    threads = [threading.Thread(target=work, args=(offset + i * share, share)) for i in range(connections)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return share * connections / (time.perf_counter() - started)


def latencies(port: int, messages: list[str], expect: str) -> tuple[float, float]:
    c = Client(port)
    times = []
    for message in messages:
        started = time.perf_counter()
        answer = c.exchange(message)
        times.append((time.perf_counter() - started) * 1000)
        assert expect in answer, answer
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("XDS_BENCH_PIX_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--feeds", type=int, default=4000, help="ITI-8 feeds per measurement")
    parser.add_argument("--queries", type=int, default=2000, help="PDQ and PIX queries each")
    parser.add_argument("--port", type=int, default=12575)
    args = parser.parse_args()

    reset_database(args.database_url)
    seconds = load(args.database_url, args.patients)
    print(f"loaded {args.patients:,} patients in {seconds:.1f} s")
    ready = mp.get_context("spawn").Event()
    server = mp.get_context("spawn").Process(
        target=serve, args=(args.database_url, args.port, ready), daemon=True
    )
    server.start()
    try:
        if not ready.wait(60):
            raise SystemExit("MLLP listener did not start")
        one = feeds_per_second(args.port, args.feeds, 1, 0)
        eight = feeds_per_second(args.port, args.feeds, 8, args.feeds)
        print(f"ITI-8 feeds/s: {one:,.0f} on 1 connection, {eight:,.0f} on 8 connections")
        picks = [rng.randint(1, args.patients) for _ in range(args.queries)]
        pdq = [
            "\r".join(
                [
                    msh("QBP^Q22^QBP_Q21", "2.5", f"Q{n}"),
                    f"QPD|IHE PDQ Query|Q{n}|@PID.5.1.1^{traits(seq)[0]}~@PID.7^{traits(seq)[2]}",
                    "RCP|I|10^RD",
                ]
            )
            for n, seq in enumerate(picks)
        ]
        p50, p99 = latencies(args.port, pdq, "QAK|Q")
        print(f"PDQ name + birth date with {args.patients:,} patients: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
        pix = [
            "\r".join(
                [
                    msh("QBP^Q23^QBP_Q21", "2.5", f"X{n}"),
                    f"QPD|IHE PIX Query|X{n}|L{seq}^^^&{HOSP}&ISO",
                    "RCP|I",
                ]
            )
            for n, seq in enumerate(picks)
        ]
        p50, p99 = latencies(args.port, pix, "MSA|AA")
        print(f"PIX query with {args.patients:,} patients: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    finally:
        server.terminate()
        server.join(10)


if __name__ == "__main__":
    main()
