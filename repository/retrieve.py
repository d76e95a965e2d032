"""ITI-43 Retrieve Document Set on the Document Repository (TF-2 3.43.4; checklist 2.8).

Each DocumentRequest is answered on its own: a document we hold comes back with its stored mimeType
(NIST 12360), a RepositoryUniqueId that is not ours gives XDSUnknownRepositoryId, an unknown uniqueId
XDSDocumentUniqueIdError, both with `location` = the DocumentUniqueId (TF-2 3.43.5). The status is
Success, PartialSuccess or Failure as TF-3 Table 4.2.4.2-4 defines it.

A blob is opened here, while the handler runs, and streamed from that open file by the transport: the
response never holds a document in memory, and a concurrent clean-up cannot pull it from under us.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from sqlalchemy import Engine

from repository.blobstore import CHUNK, BlobStore
from repository.documents import find_documents
from repository.messages import DocumentRequest, DocumentResponse, part_content_type
from xds.ebxml.vocabulary import ResponseStatus
from xds.errors import ErrorCode, RegistryError
from xds.soap.mtom import OutgoingAttachment, new_content_id


@dataclass(slots=True)
class RetrieveResult:
    status: ResponseStatus
    errors: list[RegistryError] = field(default_factory=list)
    documents: list[DocumentResponse] = field(default_factory=list)
    attachments: list[OutgoingAttachment] = field(default_factory=list)


def _stream(fh: BinaryIO) -> Iterator[bytes]:
    with fh:
        while chunk := fh.read(CHUNK):
            yield chunk


def retrieve_documents(
    requests: list[DocumentRequest], *, engine: Engine, store: BlobStore, repository_unique_id: str
) -> RetrieveResult:
    result = RetrieveResult(ResponseStatus.SUCCESS)
    ours = [r.document_unique_id for r in requests if r.repository_unique_id == repository_unique_id]
    with engine.connect() as conn:
        stored = find_documents(conn, ours)
    for req in requests:
        uid = req.document_unique_id
        if req.repository_unique_id != repository_unique_id:
            result.errors.append(
                RegistryError(
                    ErrorCode.UNKNOWN_REPOSITORY_ID,
                    f"RepositoryUniqueId {req.repository_unique_id} is not this repository "
                    f"({repository_unique_id})",
                    uid,
                )
            )
            continue
        doc = stored.get(uid)
        if doc is None:
            result.errors.append(
                RegistryError(ErrorCode.DOCUMENT_UNIQUE_ID_ERROR, f"document {uid} is not stored here", uid)
            )
            continue
        try:
            fh = store.open(doc.blob_key)
        except FileNotFoundError:
            # Recorded but its bytes are gone (disk loss): `xds repository fsck` reports it.
            result.errors.append(
                RegistryError(
                    ErrorCode.REPOSITORY_ERROR, f"document {uid} is recorded but its content is missing", uid
                )
            )
            continue
        cid = new_content_id()
        result.documents.append(DocumentResponse(req, doc.mime_type, cid))
        result.attachments.append(OutgoingAttachment(cid, part_content_type(doc.mime_type), _stream(fh)))
    if result.errors:
        result.status = ResponseStatus.PARTIAL_SUCCESS if result.documents else ResponseStatus.FAILURE
    return result
