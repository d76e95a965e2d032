"""The alembic migrations build exactly the schema the code declares, on both backends."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

import pix_pdq.tables
import registry.tables
import repository.tables
from xds.db.metadata import metadata
from xds.db.migrate import upgrade


def test_migrated_schema_matches_the_declared_tables(engine: Engine) -> None:
    assert {pix_pdq.tables.patient.name, registry.tables.document_entry.name} <= set(metadata.tables)
    assert repository.tables.repository_document.name in metadata.tables
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []


def test_upgrade_is_idempotent(engine: Engine) -> None:
    before = set(inspect(engine).get_table_names())
    upgrade(engine)
    assert set(inspect(engine).get_table_names()) == before
