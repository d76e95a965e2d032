"""`xds repository fsck`: compare the repository's records with the blob store; report, then repair.

What can disagree, and why (architecture section 4):
- an orphan blob: a file no row records (a crash while a refused submission was being removed, or a
  database restored from an older backup). Repair: delete the file.
- a missing blob: a recorded document whose file is gone (disk loss, a restore of the files only). Its
  ITI-43 answer is XDSRepositoryError; the registry still lists it, so the uniqueIds are reported for an
  administrator to deprecate there. Repair: delete the records, so the store is consistent again.
- an unused blob record: content no document uses (a crash during a removal). Repair: delete it.
- with `verify`, a corrupt blob: its bytes no longer hash to its address. Reported only.

Files and rows younger than `min_age` seconds are left alone: on a live server they belong to a
submission in flight. Files are listed before rows are read, so a blob committed meanwhile is never
mistaken for an orphan.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sqlalchemy import Engine

from repository.blobstore import CHUNK, BlobStore
from repository.digest import Hasher
from repository.documents import (
    blob_keys,
    delete_blob_if_unused,
    delete_orphan_blob,
    find_documents,
    forget_rows,
)
from repository.tables import PENDING

DEFAULT_MIN_AGE = 3600.0


@dataclass(slots=True)
class FsckReport:
    blobs: int = 0
    documents: int = 0
    orphan_blobs: list[str] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)  # uniqueId -> blob key
    unused_blobs: list[str] = field(default_factory=list)
    corrupt: list[str] = field(default_factory=list)
    repaired: bool = False

    @property
    def clean(self) -> bool:
        return not (self.orphan_blobs or self.missing or self.unused_blobs or self.corrupt)


def _hashes_to_key(store: BlobStore, key: str) -> bool:
    hasher = Hasher()
    with store.open(key) as fh:
        while chunk := fh.read(CHUNK):
            hasher.update(chunk)
    return hasher.digests.sha256 == key


def check(
    engine: Engine, store: BlobStore, *, min_age: float = DEFAULT_MIN_AGE, verify: bool = False
) -> FsckReport:
    """Find every disagreement between records and blobs; change nothing."""
    cutoff = time.time() - min_age
    files = {b.key: b for b in store.scan()}
    with engine.connect() as conn:
        users = blob_keys(conn)
        documents = find_documents(conn, [uid for uids in users.values() for uid in uids])
    report = FsckReport(blobs=len(files), documents=len(documents))
    report.orphan_blobs = sorted(k for k, b in files.items() if k not in users and b.modified <= cutoff)
    report.unused_blobs = sorted(k for k, uids in users.items() if not uids)
    for uid, doc in sorted(documents.items()):
        in_flight = doc.state == PENDING and doc.stored_at > cutoff
        if doc.blob_key not in files and not in_flight and not store.exists(doc.blob_key):
            report.missing[uid] = doc.blob_key
    if verify:
        report.corrupt = sorted(k for k in files if k in users and not _hashes_to_key(store, k))
    return report


def repair(engine: Engine, store: BlobStore, report: FsckReport) -> FsckReport:
    """Apply the repairs `report` calls for (corrupt blobs are left for a human); returns it, marked."""
    for key in report.orphan_blobs:
        delete_orphan_blob(engine, store, key)
    for key in report.unused_blobs:
        delete_blob_if_unused(engine, store, key)
    if report.missing:
        forget_rows(engine, list(report.missing))
    report.repaired = True
    return report
