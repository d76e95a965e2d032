"""The `xds` command: a thin layer over public functions that the tests call too."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from xds.config import ConfigError, Settings, load_settings, settings_as_dict

console = Console()

config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    envvar="XDS_CONFIG",
    help="TOML configuration file (also XDS_CONFIG).",
)


def _settings(config_file: Path | None) -> Settings:
    try:
        return load_settings(config_file)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc


@click.group()
def main() -> None:
    """IHE XDS.b document sharing server."""


@main.command()
@config_option
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="HTTP port (default 8080).")
@click.option("--workers", type=int, default=None, help="Worker processes (default 1).")
@click.option("--mllp-port", type=int, default=None, help="Also listen for HL7 v2 over MLLP on this port.")
def serve(
    config_file: Path | None, host: str | None, port: int | None, workers: int | None, mllp_port: int | None
) -> None:
    """Start the server: every actor on one HTTP port."""
    import uvicorn

    from xds.db.database import open_database
    from xds.server import CONFIG_ENV, build_app, wire

    if host:
        os.environ["XDS_SERVER_HOST"] = host
    if port:
        os.environ["XDS_SERVER_PORT"] = str(port)
    if workers:
        os.environ["XDS_SERVER_WORKERS"] = str(workers)
    if mllp_port:
        os.environ["XDS_SERVER_MLLP_PORT"] = str(mllp_port)
    settings = _settings(config_file)
    server = settings.server
    console.print(
        f"[bold]xds[/] serving on http://{server.host}:{server.port} "
        f"(database: {settings_as_dict(settings)['storage']['effective_database_url']})"
    )
    if server.workers > 1 and server.mllp_port is not None:
        raise click.UsageError(
            "the MLLP listener runs in a single-worker server: drop --workers or --mllp-port"
        )
    # Once, before any worker serves: migrate (embedded) and repair what a crash left between the blob
    # store and the registry (the sweep also clears the upload spool, so no upload may be in flight).
    actors = wire(settings, open_database(settings))
    report = actors.repository.sweep()
    console.print(f"repository sweep: {report}")
    if server.workers > 1:
        actors.engine.dispose()
        if config_file:
            os.environ[CONFIG_ENV] = str(config_file)
        uvicorn.run(
            "xds.server:app_from_env",
            factory=True,
            host=server.host,
            port=server.port,
            workers=server.workers,
            log_level="info",
        )
    else:
        uvicorn.run(build_app(settings, actors.engine), host=server.host, port=server.port, log_level="info")


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@config_option
def db_upgrade(config_file: Path | None) -> None:
    """Apply the alembic migrations to the configured database."""
    from xds.db.database import open_database
    from xds.db.migrate import upgrade

    engine = open_database(_settings(config_file))
    upgrade(engine)  # the embedded default already migrated; PostgreSQL is migrated only here
    engine.dispose()
    console.print("database schema is up to date")


@main.group()
def config() -> None:
    """Configuration."""


@config.command("show")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def config_show(config_file: Path | None, as_json: bool) -> None:
    """Print the effective configuration (secrets masked)."""
    effective = settings_as_dict(_settings(config_file))
    if as_json:
        click.echo(json.dumps(effective, indent=2, sort_keys=True))
        return
    table = Table("option", "value")
    for section, values in effective.items():
        for key, value in values.items():
            table.add_row(f"{section}.{key}", "" if value is None else str(value))
    console.print(table)


def _open_configured_database():  # type: ignore[no-untyped-def]
    """For command groups that take no --config of their own: XDS_CONFIG names the file."""
    from xds.db.database import open_database

    config = os.environ.get("XDS_CONFIG")
    return open_database(_settings(Path(config) if config else None))


def _open_repository(config_file: Path | None):  # type: ignore[no-untyped-def]
    from xds.db.database import open_database
    from xds.server import wire

    settings = _settings(config_file)
    return wire(settings, open_database(settings)).repository


def _register_actor_commands() -> None:
    from conformance.cli import make_conformance_group
    from pix_pdq.cli import make_patient_group
    from repository.cli import make_repository_group

    identity = None
    with contextlib.suppress(click.UsageError):  # a bad configuration is reported when a command runs
        identity = _settings(None).patient_identity
    main.add_command(make_patient_group(_open_configured_database, identity))
    main.add_command(make_repository_group(config_option, _open_repository))
    main.add_command(make_conformance_group())


_register_actor_commands()


if __name__ == "__main__":
    main()
