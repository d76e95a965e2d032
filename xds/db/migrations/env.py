"""Alembic environment: runs migrations on the engine handed in by `xds.db.migrate`."""

from alembic import context

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, render_as_batch=engine.dialect.name == "sqlite")
    context.run_migrations()
