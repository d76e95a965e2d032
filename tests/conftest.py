"""Shared fixtures: a migrated database on SQLite and, when XDS_TEST_DATABASE_URL is set, PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from xds.db.engine import make_engine
from xds.db.metadata import metadata
from xds.db.migrate import upgrade

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PG_URL = os.environ.get("XDS_TEST_DATABASE_URL")


def _reset_postgres(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A freshly migrated database; every storage test runs on both backends."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite+pysqlite:///{tmp_path / 'xds.sqlite3'}")
    else:
        if not PG_URL:
            pytest.skip("PostgreSQL not configured: set XDS_TEST_DATABASE_URL to run the PostgreSQL tests")
        eng = make_engine(PG_URL, pool_size=5)
        _reset_postgres(eng)
    upgrade(eng)
    assert metadata.tables  # the migration loaded every actor's tables
    yield eng
    eng.dispose()


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"reference material not found at {SHARED}")
    return SHARED
