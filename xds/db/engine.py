"""Database engines: PostgreSQL in production, SQLite embedded; the same SQLAlchemy Core code on both."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

WRITE_OPTION = "xds_write"
# A pooled PostgreSQL connection idle for longer than this is pinged before use (see `make_engine`).
IDLE_PING_SECONDS = 1.0
# Connections older than this are replaced at checkout: bounds what a server-side or proxy idle timeout
# (or a failover) can leave behind in the pool.
POOL_RECYCLE_SECONDS = 1800
_LAST_USED = "xds_last_used"


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite+pysqlite:///{(data_dir / 'xds.sqlite3').resolve()}"


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """Create an engine tuned for the backend.

    SQLite: WAL so readers never block the writer, foreign keys on, a busy timeout so concurrent writers
    queue instead of failing, and BEGIN IMMEDIATE so a transaction takes the write lock up front (two
    racing registrations serialize instead of deadlocking on lock upgrade); readers use a plain BEGIN.

    PostgreSQL: no `pool_pre_ping`. It costs a round trip on every checkout, about 0.25 ms of CPU and a
    tenth of an ITI-18 request, to detect a failure that only happens after a database restart or a
    network cut. Instead a connection is pinged only when it sat idle in the pool for more than
    IDLE_PING_SECONDS (a busy server never pings; one back from a quiet period, when a restart could have
    happened unnoticed, does) and is recycled after POOL_RECYCLE_SECONDS. A disconnect in the middle of
    traffic fails the statements in flight, as it would with pre-ping, and SQLAlchemy then invalidates the
    whole pool so the next checkouts reconnect.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
            writing = conn.get_execution_options().get(WRITE_OPTION, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

        return engine
    engine = create_engine(
        url, pool_size=pool_size, max_overflow=pool_size, pool_recycle=POOL_RECYCLE_SECONDS
    )
    dialect = engine.dialect

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_conn, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection) -> None:  # type: ignore[no-untyped-def]
        last_used = record.info.get(_LAST_USED)
        if last_used is not None and time.monotonic() - last_used > IDLE_PING_SECONDS:
            try:
                dialect.do_ping(dbapi_conn)
            except Exception as exc:
                # The pool discards this connection and checks out (or opens) another one.
                raise DisconnectionError(f"pooled connection is dead: {exc}") from exc

    @event.listens_for(engine, "checkin")
    def _remember_use(_dbapi_conn, record: ConnectionPoolEntry) -> None:  # type: ignore[no-untyped-def]
        record.info[_LAST_USED] = time.monotonic()

    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One all-or-nothing write transaction; on SQLite it takes the write lock at BEGIN."""
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
        yield conn


@contextmanager
def read_connection(engine: Engine) -> Iterator[Connection]:
    """A connection for reads, each statement on its own snapshot.

    On PostgreSQL it runs in autocommit: under READ COMMITTED every statement takes its own snapshot
    anyway, so a transaction around reads adds nothing but the BEGIN and ROLLBACK round trips (two of the
    three round trips of a one-statement stored query). SQLite keeps its plain BEGIN (see `make_engine`).
    """
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT")
        yield conn
