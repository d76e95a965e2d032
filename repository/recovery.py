"""The start-up sweeper: finish or undo what a crash interrupted between the blob store and the registry.

A crash (SIGKILL, power loss) can stop ITI-41 at any point of provide.py's order of work. At start:
- staging leftovers (uploads and staged blobs never committed) are deleted;
- documents left `pending` are resolved by asking the registry (RegistryPort.registered_documents):
  registered there -> the client may never have heard Success, but the entry exists, so the document is
  kept and marked `registered`; unknown there -> removed, blob included (architecture section 4);
  registry unreachable -> left `pending` for the next sweep or `xds repository fsck`;
- orphan blobs and unused blob records (a crash during a removal) are removed.

Run it once, before serving (all ages are then "old"); `min_age` protects submissions in flight when it
runs beside a live server.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import Engine

from repository.blobstore import BlobStore
from repository.documents import forget_documents, mark_registered, pending_documents
from repository.fsck import check, repair
from xds.errors import XdsError
from xds.ports import RegistryPort

log = logging.getLogger("xds.repository")


@dataclass(slots=True)
class SweepReport:
    staging_removed: int = 0
    kept: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    orphan_blobs_removed: int = 0


def sweep(engine: Engine, store: BlobStore, registry: RegistryPort, *, min_age: float = 0.0) -> SweepReport:
    report = SweepReport(staging_removed=store.clean_staging(min_age))
    with engine.connect() as conn:
        pending = [d.unique_id for d in pending_documents(conn, min_age)]
    if pending:
        try:
            registered = registry.registered_documents(pending)
        except XdsError as exc:
            log.warning("sweep: cannot ask the registry about %d pending documents: %s", len(pending), exc)
            report.unresolved = sorted(pending)
        else:
            report.kept = sorted(registered)
            report.removed = sorted(set(pending) - registered)
            mark_registered(engine, report.kept)
            forget_documents(engine, store, report.removed)
    found = check(engine, store, min_age=min_age)
    found.missing.clear()  # lost bytes need a human decision: that is fsck's report, not a sweep
    repair(engine, store, found)
    report.orphan_blobs_removed = len(found.orphan_blobs)
    if report.kept or report.removed or report.orphan_blobs_removed or report.staging_removed:
        log.info(
            "sweep: %d pending kept, %d removed, %d unresolved, %d orphan blobs and %d staging files removed",
            len(report.kept),
            len(report.removed),
            len(report.unresolved),
            report.orphan_blobs_removed,
            report.staging_removed,
        )
    return report
