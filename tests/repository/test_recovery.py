"""Crash repair and fsck on both backends: the states a crash or a disk loss leaves, built directly."""

from __future__ import annotations

import time
from collections.abc import Collection
from pathlib import Path

import click
import pytest
from checks import counts, files_under
from click.testing import CliRunner
from lxml import etree
from sqlalchemy import Engine, select

from repository.blobstore import FilesystemBlobStore
from repository.cli import make_repository_group
from repository.documents import StoredDocument, find_documents, record_pending
from repository.fsck import check, repair
from repository.service import RepositoryService
from repository.settings import RepositorySettings
from repository.tables import PENDING, REGISTERED, repository_document
from xds.errors import ErrorCode, RegistryError, XdsError


class FakeRegistry:
    def __init__(self, registered: set[str] | None = None) -> None:
        self.registered = registered  # None: unreachable

    def register(self, submit_objects_request: etree._Element) -> list[RegistryError]:
        return []

    def registered_documents(self, unique_ids: Collection[str]) -> set[str]:
        if self.registered is None:
            raise XdsError.of(ErrorCode.REGISTRY_NOT_AVAILABLE, "down")
        return self.registered & set(unique_ids)


def _service(engine: Engine, tmp_path: Path, registry: FakeRegistry) -> RepositoryService:
    return RepositoryService(
        engine, FilesystemBlobStore(tmp_path / "documents"), registry, RepositorySettings()
    )


def _interrupted(service: RepositoryService, uid: str, data: bytes, *, committed: bool = True) -> str:
    """What a crash after recording (and, with `committed`, after moving the blob) leaves behind."""
    staged = service.store.stage([data])
    d = staged.digests
    record_pending(
        service.engine, [StoredDocument(uid, d.sha256, d.sha1, d.size, "text/plain", "", int(time.time()))]
    )
    if committed:
        service.store.commit(staged)
    return d.sha256


def _state(engine: Engine, uid: str) -> str | None:
    with engine.connect() as conn:
        return conn.scalar(select(repository_document.c.state).where(repository_document.c.unique_id == uid))


def test_sweep_removes_what_the_registry_never_got(engine: Engine, tmp_path: Path) -> None:
    service = _service(engine, tmp_path, FakeRegistry(set()))
    _interrupted(service, "1.1", b"never registered")
    _interrupted(service, "1.2", b"crashed before the rename", committed=False)
    report = service.sweep()
    assert report.removed == ["1.1", "1.2"]
    assert report.staging_removed == 1
    assert counts(engine)[1:] == (0, 0)
    assert files_under(service.store.root) == []


def test_sweep_keeps_what_the_registry_registered(engine: Engine, tmp_path: Path) -> None:
    service = _service(engine, tmp_path, FakeRegistry({"1.1"}))
    key = _interrupted(service, "1.1", b"registered, answer lost")
    assert service.sweep().kept == ["1.1"]
    assert _state(engine, "1.1") == REGISTERED
    assert service.store.exists(key)


def test_sweep_waits_when_the_registry_cannot_be_asked(engine: Engine, tmp_path: Path) -> None:
    service = _service(engine, tmp_path, FakeRegistry(None))
    _interrupted(service, "1.1", b"undecided")
    assert service.sweep().unresolved == ["1.1"]
    assert _state(engine, "1.1") == PENDING


def test_sweep_spares_submissions_in_flight(engine: Engine, tmp_path: Path) -> None:
    service = _service(engine, tmp_path, FakeRegistry(set()))
    _interrupted(service, "1.1", b"in flight")
    report = service.sweep(min_age=3600)
    assert report.removed == [] and _state(engine, "1.1") == PENDING


def test_fsck_reports_and_repairs(engine: Engine, tmp_path: Path) -> None:
    service = _service(engine, tmp_path, FakeRegistry({"1.1", "1.2", "1.3"}))
    lost = _interrupted(service, "1.1", b"bytes lost from disk")
    corrupt = _interrupted(service, "1.2", b"bytes that rot")
    _interrupted(service, "1.3", b"healthy")
    service.sweep()
    orphan = service.store.commit(service.store.stage([b"nobody records me"]))
    service.store.path(lost).unlink()
    service.store.path(corrupt).write_bytes(b"rotten")

    report = check(engine, service.store, min_age=0, verify=True)
    assert report.orphan_blobs == [orphan]
    assert report.missing == {"1.1": lost}
    assert report.corrupt == [corrupt]
    repair(engine, service.store, report)

    after = check(engine, service.store, min_age=0)
    assert after.orphan_blobs == [] and after.missing == {} and after.unused_blobs == []
    with engine.connect() as conn:
        assert sorted(find_documents(conn, ["1.1", "1.2", "1.3"])) == ["1.2", "1.3"]


def test_fsck_leaves_young_files_alone(engine: Engine, tmp_path: Path) -> None:
    service = _service(engine, tmp_path, FakeRegistry(set()))
    service.store.commit(service.store.stage([b"just written"]))
    assert check(engine, service.store).orphan_blobs == []  # default grace: an hour


@pytest.mark.parametrize("repair_flag", [False, True])
def test_cli_fsck(engine: Engine, tmp_path: Path, repair_flag: bool) -> None:
    service = _service(engine, tmp_path, FakeRegistry(set()))
    orphan = service.store.commit(service.store.stage([b"orphan"]))
    group = make_repository_group(click.option("--config", "config_file", default=None), lambda _: service)
    args = ["fsck", "--min-age", "0", *(["--repair"] if repair_flag else [])]
    result = CliRunner().invoke(group, args)
    assert f"orphan blob (no document records it): {orphan}" in result.output
    assert result.exit_code == (0 if repair_flag else 1)
    assert service.store.exists(orphan) is not repair_flag


def test_cli_sweep(engine: Engine, tmp_path: Path) -> None:
    service = _service(engine, tmp_path, FakeRegistry(set()))
    _interrupted(service, "1.1", b"left pending")
    group = make_repository_group(click.option("--config", "config_file", default=None), lambda _: service)
    result = CliRunner().invoke(group, ["sweep", "--min-age", "0"])
    assert result.exit_code == 0, result.output
    assert "1 removed" in result.output
