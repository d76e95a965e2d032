"""The repository's own record of what it stores: blobs by content address, documents by uniqueId.

Why a table at all when the blob store is content-addressed (architecture section 4): the registry and
the blob store cannot share a transaction, so the repository needs its own durable list of documents to
answer ITI-43 (uniqueId -> blob, mimeType) and to repair a crash between storing and registering.

- `repository_blob`: one row per stored content; `sha1` and `size` are the XDS `hash`/`size` metadata
  (TF-3 4.2.3.2.10/4.2.3.2.21), kept so a re-submitted uniqueId can be compared without reading the blob.
- `repository_document`: one row per XDSDocumentEntry.uniqueId. `state` is `pending` from before the
  ITI-42 call until the registry accepted it, then `registered`; the start-up sweeper resolves rows left
  `pending` by a crash. The foreign key (no cascade) makes deleting a blob that a document still uses
  fail, which is what keeps content shared by two uniqueIds safe from a concurrent clean-up.
"""

from sqlalchemy import BigInteger, Column, ForeignKey, Index, String, Table

from xds.db.metadata import metadata

PENDING = "pending"
REGISTERED = "registered"

repository_blob = Table(
    "repository_blob",
    metadata,
    Column("key", String(64), primary_key=True),  # SHA-256, hex: the storage digest
    Column("sha1", String(40), nullable=False),
    Column("size", BigInteger, nullable=False),
)

repository_document = Table(
    "repository_document",
    metadata,
    Column("unique_id", String(256), primary_key=True),  # rim LongName
    Column("blob_key", String(64), ForeignKey("repository_blob.key", ondelete="RESTRICT"), nullable=False),
    Column("mime_type", String(256), nullable=False),
    Column("state", String(16), nullable=False),
    Column("stored_at", BigInteger, nullable=False),  # Unix seconds; the sweeper's grace period
    Index("ix_repository_document_blob_key", "blob_key"),
    Index("ix_repository_document_state", "state", "stored_at"),
)
