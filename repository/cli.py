"""`xds repository ...`: the fsck and sweep commands, thin layers over fsck.py and recovery.py.

The composition root owns configuration and wiring; it hands this group a function that opens the
repository for a `--config` file, so these commands run exactly what the server runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from repository.fsck import DEFAULT_MIN_AGE, FsckReport, check, repair
from repository.service import RepositoryService

OpenRepository = Callable[[Path | None], RepositoryService]


def _print_report(report: FsckReport) -> None:
    click.echo(f"{report.blobs} blobs, {report.documents} documents")
    for key in report.orphan_blobs:
        click.echo(f"orphan blob (no document records it): {key}")
    for uid, key in report.missing.items():
        click.echo(f"missing blob: document {uid} (blob {key}); deprecate it in the registry")
    for key in report.unused_blobs:
        click.echo(f"unused blob record: {key}")
    for key in report.corrupt:
        click.echo(f"corrupt blob (content does not hash to its name): {key}")
    if report.clean:
        click.echo("repository is consistent")


def make_repository_group(
    config_option: Callable[[Any], Any], open_repository: OpenRepository
) -> click.Group:
    """The `repository` command group; `config_option` is the CLI's shared `--config` decorator."""

    @click.group("repository")
    def group() -> None:
        """Document Repository storage."""

    @group.command("fsck")
    @config_option
    @click.option("--repair", "do_repair", is_flag=True, help="Fix what is found (corrupt blobs excepted).")
    @click.option("--verify", is_flag=True, help="Also re-hash every blob (reads everything).")
    @click.option(
        "--min-age",
        type=float,
        default=DEFAULT_MIN_AGE,
        show_default=True,
        help="Seconds; younger files and pending documents belong to submissions in flight.",
    )
    def fsck(config_file: Path | None, do_repair: bool, verify: bool, min_age: float) -> None:
        """Compare stored documents with their blobs; exit status 1 when something is wrong."""
        repo = open_repository(config_file)
        try:
            report = check(repo.engine, repo.store, min_age=min_age, verify=verify)
            _print_report(report)
            if do_repair and not report.clean:
                repair(repo.engine, repo.store, report)
                click.echo("repaired" + (" (corrupt blobs left as they are)" if report.corrupt else ""))
        finally:
            repo.engine.dispose()
        if not report.clean and not (report.repaired and not report.corrupt):
            raise SystemExit(1)

    @group.command("sweep")
    @config_option
    @click.option("--min-age", type=float, default=DEFAULT_MIN_AGE, show_default=True)
    def sweep_command(config_file: Path | None, min_age: float) -> None:
        """Resolve documents a crash left between storage and registration (the server does it at start)."""
        repo = open_repository(config_file)
        try:
            result = repo.sweep(min_age=min_age)
        finally:
            repo.engine.dispose()
        click.echo(
            f"{len(result.kept)} pending documents kept, {len(result.removed)} removed, "
            f"{len(result.unresolved)} unresolved, {result.orphan_blobs_removed} orphan blobs and "
            f"{result.staging_removed} staging files removed"
        )

    return group
