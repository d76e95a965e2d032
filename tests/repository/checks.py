"""What the repository tests look at besides the SOAP answer: database rows, files, submissions."""

from __future__ import annotations

from pathlib import Path

from builders import PATIENT, SubmissionBuilder
from mtom_client import Doc
from sqlalchemy import Engine, func, select

from registry.tables import document_entry
from repository.tables import repository_blob, repository_document


def counts(engine: Engine) -> tuple[int, int, int]:
    """(registry DocumentEntries, repository documents, repository blobs)."""
    with engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.scalar(select(func.count()).select_from(t))
            for t in (document_entry, repository_document, repository_blob)
        )


def files_under(root: Path) -> list[Path]:
    """Every file in the blob directory, staging area included."""
    return sorted(p for p in root.rglob("*") if p.is_file())


def submission(
    contents: dict[str, bytes],
    *,
    inline: frozenset[str] = frozenset(),
    patient: str = PATIENT,
    **doc_kw: object,
) -> tuple[bytes, list[Doc], dict[str, str]]:
    """An ITI-41 submission of `contents` (DocumentEntry id -> bytes) without hash/size, which the
    repository adds; returns the SubmitObjectsRequest XML, the xds:Documents and id -> uniqueId."""
    sub = SubmissionBuilder(patient)
    for doc_id in contents:
        kw: dict[str, object] = {"slots": {"hash": None, "size": None}, "mime_type": "text/plain"}
        kw.update(doc_kw)
        sub.document(doc_id, **kw)
    docs = [Doc(doc_id, data, inline=doc_id in inline) for doc_id, data in contents.items()]
    return sub.xml(), docs, {d: sub.unique_ids[d] for d in contents}
