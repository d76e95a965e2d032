"""ITI-41 Provide and Register Document Set-b on the Document Repository (TF-2 3.41.4.1.3; checklist 2.7).

Order of work, each step before anything irreversible:
1. Parse the metadata with the platform codec and pair every DocumentEntry with its xds:Document
   (XDSMissingDocument / XDSMissingDocumentMetadata, XDSRepositoryDuplicateUniqueIdInMessage).
2. Stage every document: one read computes SHA-1, size and the SHA-256 storage address. Check `hash`
   and `size` when sent (XDSRepositoryMetadataError, NIST 12369), and a uniqueId we already hold with
   other content (XDSNonIdenticalHash / XDSNonIdenticalSize; the same content is no error).
3. Update the metadata that goes to the registry: repositoryUniqueId = ours, hash and size when absent.
4. Record the documents `pending`, move the blobs under their address (retrievable before the register
   response, as TF-2 3.41.4.1.3 asks), register through the RegistryPort, then mark them `registered`.
   Any failure from step 4 on removes what this submission stored; a crash is the sweeper's business.

Every error of one step is reported at once; nothing is stored unless the whole submission is accepted
(ITI-41 has no PartialSuccess, TF-3 Table 4.2.4.2-1; NIST 11983 expects nothing registered).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from lxml import etree
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from repository.blobstore import BlobStore, StagedBlob
from repository.documents import (
    StoredDocument,
    find_documents,
    forget_documents,
    mark_registered,
    record_pending,
)
from repository.settings import RepositorySettings
from xds.ebxml.metadata import DocumentEntry
from xds.ebxml.namespaces import RIM, q
from xds.ebxml.parse_submit import find_submit_objects_request, parse_submit_objects_request
from xds.ebxml.transform import to_submission
from xds.errors import ErrorCode, RegistryError, XdsError
from xds.ports import RegistryPort
from xds.soap.faults import SoapFault
from xds.soap.mtom import Attachment

_EXTRINSIC_OBJECTS = f"{q(RIM, 'RegistryObjectList')}/{q(RIM, 'ExtrinsicObject')}"
_SLOT = q(RIM, "Slot")
_RECORD_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Upload:
    """The content of one xds:Document: an MTOM part, or bytes decoded from inline base64."""

    document_id: str
    content: Attachment | bytes

    @property
    def size(self) -> int:
        return self.content.size if isinstance(self.content, Attachment) else len(self.content)


@dataclass(slots=True)
class _Pending:
    entry: DocumentEntry
    staged: StagedBlob
    new: bool = True  # False when the same uniqueId with the same content is already stored

    @property
    def unique_id(self) -> str:
        return self.entry.unique_id or ""


def _error(code: ErrorCode, context: str, location: str = "") -> RegistryError:
    return RegistryError(code, context, location)


def provide_and_register(
    body: etree._Element,
    uploads: Sequence[Upload],
    *,
    engine: Engine,
    store: BlobStore,
    registry: RegistryPort,
    settings: RepositorySettings,
) -> list[RegistryError]:
    """Store and register one submission; return the registry's warnings, raise XdsError on failure."""
    submit = find_submit_objects_request(body)
    entries = _entries(submit)
    _check_pairing(entries, uploads, settings.max_document_bytes)
    by_id = {u.document_id: u for u in uploads}
    staged: list[_Pending] = []
    try:
        for entry in entries:
            staged.append(_Pending(entry, _stage(store, by_id[entry.entry_uuid])))
        _check_content(engine, staged)
    except BaseException:
        for p in staged:
            store.discard(p.staged)
        raise
    _update_metadata(submit, staged, settings.repository_unique_id)
    return _store_and_register(engine, store, registry, staged, submit)


def _entries(submit: etree._Element) -> list[DocumentEntry]:
    try:
        return to_submission(parse_submit_objects_request(submit)).documents
    except XdsError as exc:
        # The codec speaks for the registry; here the repository detected it (TF-3 Table 4.2.4.1-2).
        raise XdsError(
            *(
                replace(e, code=ErrorCode.REPOSITORY_METADATA_ERROR)
                if e.code is ErrorCode.REGISTRY_METADATA_ERROR
                else e
                for e in exc.errors
            )
        ) from None


def _check_pairing(entries: list[DocumentEntry], uploads: Sequence[Upload], max_bytes: int) -> None:
    """Sizes within our limit, one DocumentEntry per xds:Document and back (checklist 2.7), unique ids."""
    for upload in uploads:
        if upload.size > max_bytes:
            raise SoapFault.sender(
                f"xds:Document {upload.document_id} is {upload.size} bytes, over this repository's "
                f"limit of {max_bytes} bytes",
                http_status=413,
            )
    errors: list[RegistryError] = []
    document_ids = [u.document_id for u in uploads]
    entry_ids = {e.entry_uuid for e in entries}
    for doc_id in sorted({d for d in document_ids if document_ids.count(d) > 1}):
        errors.append(
            _error(ErrorCode.REPOSITORY_METADATA_ERROR, f"two xds:Document elements have id {doc_id}", doc_id)
        )
    for doc_id in dict.fromkeys(document_ids):
        if doc_id not in entry_ids:
            errors.append(
                _error(
                    ErrorCode.MISSING_DOCUMENT_METADATA,
                    f"xds:Document {doc_id} has no DocumentEntry (ExtrinsicObject) with that id",
                    doc_id,
                )
            )
    seen: dict[str, str] = {}
    for entry in entries:
        where = entry.entry_uuid
        if entry.entry_uuid not in document_ids:
            errors.append(
                _error(
                    ErrorCode.MISSING_DOCUMENT,
                    f"DocumentEntry {where} has no xds:Document with its id",
                    where,
                )
            )
        if not entry.unique_id:
            errors.append(
                _error(ErrorCode.REPOSITORY_METADATA_ERROR, f"DocumentEntry {where} has no uniqueId", where)
            )
        elif entry.unique_id in seen:
            errors.append(
                _error(
                    ErrorCode.REPOSITORY_DUPLICATE_UNIQUE_ID_IN_MESSAGE,
                    f"DocumentEntries {seen[entry.unique_id]} and {where} share uniqueId {entry.unique_id}",
                    entry.unique_id,
                )
            )
        else:
            seen[entry.unique_id] = where
        if not entry.mime_type:
            errors.append(
                _error(ErrorCode.REPOSITORY_METADATA_ERROR, f"DocumentEntry {where} has no mimeType", where)
            )
    if errors:
        raise XdsError(*errors)


def _stage(store: BlobStore, upload: Upload) -> StagedBlob:
    content = upload.content
    if isinstance(content, Attachment):
        if content.path is not None:
            return store.adopt(content.path)  # spooled by the transport: rename, do not copy
        content = content.read_bytes()
    return store.stage([content])


def _check_content(engine: Engine, staged: list[_Pending]) -> None:
    """hash/size as sent (XDSRepositoryMetadataError), and against what this uniqueId already holds."""
    errors: list[RegistryError] = []
    for p in staged:
        uid, d = p.unique_id, p.staged.digests
        if p.entry.hash is not None and p.entry.hash.strip().lower() != d.sha1:
            errors.append(
                _error(
                    ErrorCode.REPOSITORY_METADATA_ERROR,
                    f"DocumentEntry {uid}: hash {p.entry.hash} does not match the document's SHA-1 {d.sha1}",
                    uid,
                )
            )
        if p.entry.size is not None and p.entry.size.strip() != str(d.size):
            errors.append(
                _error(
                    ErrorCode.REPOSITORY_METADATA_ERROR,
                    f"DocumentEntry {uid}: size {p.entry.size} does not match the document's {d.size} bytes",
                    uid,
                )
            )
    if errors:
        raise XdsError(*errors)
    _compare_with_stored(engine, staged)


def _compare_with_stored(engine: Engine, staged: list[_Pending]) -> None:
    """A uniqueId names one content forever (TF-3 4.2.3.2.26); the same bytes again are accepted."""
    with engine.connect() as conn:
        stored = find_documents(conn, [p.unique_id for p in staged])
    errors: list[RegistryError] = []
    for p in staged:
        old = stored.get(p.unique_id)
        if old is None:
            continue
        d = p.staged.digests
        if old.size != d.size:
            errors.append(
                _error(
                    ErrorCode.NON_IDENTICAL_SIZE,
                    f"uniqueId {p.unique_id} is already stored with size {old.size}, not {d.size}",
                    p.unique_id,
                )
            )
        elif old.sha1 != d.sha1:
            errors.append(
                _error(
                    ErrorCode.NON_IDENTICAL_HASH,
                    f"uniqueId {p.unique_id} is already stored with hash {old.sha1}, not {d.sha1}",
                    p.unique_id,
                )
            )
        else:
            p.new = False
    if errors:
        raise XdsError(*errors)


def _set_slot(eo: etree._Element, name: str, value: str, *, replace_existing: bool) -> None:
    slots = [child for child in eo if child.tag == _SLOT]
    slot = next((s for s in slots if s.get("name") == name), None)
    if slot is not None and not replace_existing:
        return
    if slot is None:
        slot = etree.Element(_SLOT, name=name)
        eo.insert(len(slots), slot)  # Slots come first in a rim:ExtrinsicObject (rim.xsd)
    for child in list(slot):
        slot.remove(child)
    etree.SubElement(etree.SubElement(slot, q(RIM, "ValueList")), q(RIM, "Value")).text = value


def _update_metadata(submit: etree._Element, staged: list[_Pending], repository_unique_id: str) -> None:
    """Checklist 2.7 "metadata update before forwarding": add or replace repositoryUniqueId, add hash/size."""
    by_entry = {p.entry.entry_uuid: p for p in staged}
    for eo in submit.iterfind(_EXTRINSIC_OBJECTS):
        p = by_entry.get(eo.get("id", ""))
        if p is None:
            continue
        _set_slot(eo, "repositoryUniqueId", repository_unique_id, replace_existing=True)
        _set_slot(eo, "hash", p.staged.digests.sha1, replace_existing=False)
        _set_slot(eo, "size", str(p.staged.digests.size), replace_existing=False)


def _record(engine: Engine, staged: list[_Pending]) -> list[_Pending]:
    """Record the new documents; a concurrent submission of the same uniqueId is compared again."""
    for _ in range(_RECORD_ATTEMPTS):
        new = [p for p in staged if p.new]
        now = int(time.time())
        try:
            record_pending(
                engine,
                [
                    StoredDocument(
                        p.unique_id,
                        p.staged.key,
                        p.staged.digests.sha1,
                        p.staged.digests.size,
                        p.entry.mime_type or "",
                        "",
                        now,
                    )
                    for p in new
                ],
            )
            return new
        except IntegrityError:
            _compare_with_stored(engine, staged)
    raise XdsError.of(ErrorCode.REPOSITORY_BUSY, "concurrent submissions of the same uniqueIds; retry")


def _store_and_register(
    engine: Engine,
    store: BlobStore,
    registry: RegistryPort,
    staged: list[_Pending],
    submit: etree._Element,
) -> list[RegistryError]:
    try:
        new = _record(engine, staged) if any(p.new for p in staged) else []
    except BaseException:
        for p in staged:
            store.discard(p.staged)
        raise
    new_ids = [p.unique_id for p in new]
    try:
        for p in staged:
            if p.new:
                store.commit(p.staged)
            else:
                store.discard(p.staged)
        warnings = registry.register(submit)
    except BaseException:
        # TF-2 3.41.4.1.3: the registry refused or failed, so the repository holds no copy either.
        for p in staged:
            store.discard(p.staged)
        forget_documents(engine, store, new_ids)
        raise
    mark_registered(engine, new_ids)
    return warnings
