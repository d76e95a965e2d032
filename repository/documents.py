"""The repository's document records (tables.py): SQLAlchemy Core reads and writes, one transaction each.

Ordering that makes a crash harmless (architecture section 4, "consistency across the two stores"):
record `pending` rows -> move the blob under its address -> ITI-42 -> mark `registered`. Removal is the
reverse, and a blob file is unlinked *inside* the transaction that deletes its row, after the foreign
key has proved no other document uses it: a concurrent submission of the same bytes then either sees
the row gone (and commits the blob again) or holds the row and makes our delete fail.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, exists, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from repository.blobstore import BlobStore
from repository.tables import PENDING, REGISTERED, repository_blob, repository_document
from xds.db.engine import write_transaction


@dataclass(frozen=True, slots=True)
class StoredDocument:
    unique_id: str
    blob_key: str
    sha1: str
    size: int
    mime_type: str
    state: str
    stored_at: int


_COLUMNS = (
    repository_document.c.unique_id,
    repository_document.c.blob_key,
    repository_blob.c.sha1,
    repository_blob.c.size,
    repository_document.c.mime_type,
    repository_document.c.state,
    repository_document.c.stored_at,
)
_JOIN = repository_document.join(repository_blob, repository_document.c.blob_key == repository_blob.c.key)


def find_documents(conn: Connection, unique_ids: Collection[str]) -> dict[str, StoredDocument]:
    if not unique_ids:
        return {}
    rows = conn.execute(
        select(*_COLUMNS).select_from(_JOIN).where(repository_document.c.unique_id.in_(unique_ids))
    )
    return {r.unique_id: StoredDocument(*r) for r in rows}


def pending_documents(conn: Connection, older_than: float) -> list[StoredDocument]:
    """Rows a crash may have left between storing and registering."""
    cutoff = int(time.time() - older_than)
    stmt = (
        select(*_COLUMNS)
        .select_from(_JOIN)
        .where(repository_document.c.state == PENDING, repository_document.c.stored_at <= cutoff)
    )
    return [StoredDocument(*r) for r in conn.execute(stmt)]


def _insert_blob_once(conn: Connection):  # type: ignore[no-untyped-def]
    """INSERT ... ON CONFLICT DO NOTHING: same content, one row (both dialects spell it the same)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(repository_blob).on_conflict_do_nothing(index_elements=["key"])


def record_pending(engine: Engine, documents: Iterable[StoredDocument]) -> None:
    """Record new documents as `pending`, all or nothing.

    Raises IntegrityError when a concurrent submission recorded one of these uniqueIds first.
    """
    docs = list(documents)
    with write_transaction(engine) as conn:
        conn.execute(
            _insert_blob_once(conn), [{"key": d.blob_key, "sha1": d.sha1, "size": d.size} for d in docs]
        )
        conn.execute(
            insert(repository_document),
            [
                {
                    "unique_id": d.unique_id,
                    "blob_key": d.blob_key,
                    "mime_type": d.mime_type,
                    "state": PENDING,
                    "stored_at": d.stored_at,
                }
                for d in docs
            ],
        )


def mark_registered(engine: Engine, unique_ids: Collection[str]) -> None:
    if not unique_ids:
        return
    with write_transaction(engine) as conn:
        conn.execute(
            update(repository_document)
            .where(repository_document.c.unique_id.in_(unique_ids))
            .values(state=REGISTERED)
        )


def forget_documents(engine: Engine, store: BlobStore, unique_ids: Collection[str]) -> None:
    """Delete these documents' rows, then every blob no other document uses (row and file)."""
    if not unique_ids:
        return
    doc = repository_document.c
    with write_transaction(engine) as conn:
        keys = set(conn.scalars(select(doc.blob_key).where(doc.unique_id.in_(unique_ids))))
        conn.execute(delete(repository_document).where(doc.unique_id.in_(unique_ids)))
    for key in sorted(keys):
        delete_blob_if_unused(engine, store, key)


def delete_blob_if_unused(engine: Engine, store: BlobStore, key: str) -> bool:
    """Drop one blob (row, then file before commit) unless a document uses it; True when dropped."""
    blob = repository_blob.c
    unused = ~exists().where(repository_document.c.blob_key == key)
    try:
        with write_transaction(engine) as conn:
            gone = conn.execute(delete(repository_blob).where(blob.key == key, unused)).rowcount
            if gone:
                store.delete(key)
    except IntegrityError:
        return False  # a concurrent submission now uses it: the foreign key refused the delete
    return bool(gone)


def forget_rows(engine: Engine, unique_ids: Collection[str]) -> None:
    """Delete document rows and their now-unused blob rows, for blobs that are already gone (fsck)."""
    doc, blob = repository_document.c, repository_blob.c
    with write_transaction(engine) as conn:
        keys = set(conn.scalars(select(doc.blob_key).where(doc.unique_id.in_(unique_ids))))
        conn.execute(delete(repository_document).where(doc.unique_id.in_(unique_ids)))
        conn.execute(
            delete(repository_blob).where(
                blob.key.in_(keys), ~exists().where(repository_document.c.blob_key == blob.key)
            )
        )


def blob_keys(conn: Connection) -> dict[str, list[str]]:
    """Every recorded blob key -> the uniqueIds using it (fsck)."""
    out: dict[str, list[str]] = {}
    for key in conn.scalars(select(repository_blob.c.key)):
        out[key] = []
    for key, uid in conn.execute(select(repository_document.c.blob_key, repository_document.c.unique_id)):
        out.setdefault(key, []).append(uid)
    return out


def delete_orphan_blob(engine: Engine, store: BlobStore, key: str) -> bool:
    """Remove a blob file that no row records; True when removed.

    The key's row is inserted for the duration of the delete, so a submission of the same bytes that
    starts meanwhile waits on it (PostgreSQL) or on the write lock (SQLite) instead of believing the
    file that is about to disappear is durable.
    """
    with write_transaction(engine) as conn:
        claimed = conn.execute(_insert_blob_once(conn), {"key": key, "sha1": "", "size": 0}).rowcount
        if not claimed:
            return False  # recorded after all
        store.delete(key)
        conn.execute(delete(repository_blob).where(repository_blob.c.key == key))
    return True
