"""Open the configured database; the embedded SQLite default creates its folder and migrates itself."""

from __future__ import annotations

from sqlalchemy import Engine

from xds.config import Settings
from xds.db.engine import make_engine
from xds.db.migrate import upgrade


def open_database(settings: Settings) -> Engine:
    if settings.embedded:
        settings.storage.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    if settings.embedded:
        upgrade(engine)
    return engine
