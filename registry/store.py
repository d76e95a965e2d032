"""Row writers for the registry tables (ITI-42 side): one batched statement per table and submission.

Each object row carries the indexed columns stored queries filter on (architecture section 3) and the
canonical fragment from `render_registry_object`; status and lastUpdateTime changes rewrite both, so a
LeafClass answer never needs patching. Times are stored normalized to 14 digits (`registry.tables`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, insert, select, update

from registry.tables import (
    association,
    document_author,
    document_code,
    document_entry,
    document_reference_id,
    folder,
    folder_code,
    submission_set,
    submission_set_author,
)
from xds.ebxml import vocabulary as v
from xds.ebxml.datatypes import normalize_dtm
from xds.ebxml.metadata import Code, DocumentEntry, Folder, SubmissionSet
from xds.ebxml.render import patch_slot, set_status

EVENT_CODE = "e"
CONFIDENTIALITY_CODE = "c"
LAST_UPDATE_TIME = "lastUpdateTime"


@dataclass(frozen=True, slots=True)
class AssociationRow:
    id: str
    type: str
    source: str
    target: str
    xml: bytes


def _dtm(value: str | None) -> str | None:
    return normalize_dtm(value) if value else None


def _code(code: Code | None) -> tuple[str | None, str | None]:
    return (code.code, code.scheme) if code else (None, None)


def _document_row(d: DocumentEntry, xml: bytes) -> dict[str, object]:
    class_code, class_scheme = _code(d.class_code)
    type_code, type_scheme = _code(d.type_code)
    format_code, format_scheme = _code(d.format_code)
    hcft_code, hcft_scheme = _code(d.healthcare_facility_type_code)
    practice_code, practice_scheme = _code(d.practice_setting_code)
    return {
        "id": d.entry_uuid,
        "lid": d.lid or d.entry_uuid,
        "unique_id": d.unique_id,
        "patient_id": d.patient_id,
        "status": v.Status.APPROVED,
        "object_type": d.object_type,
        "class_code": class_code,
        "class_scheme": class_scheme,
        "type_code": type_code,
        "type_scheme": type_scheme,
        "format_code": format_code,
        "format_scheme": format_scheme,
        "hcft_code": hcft_code,
        "hcft_scheme": hcft_scheme,
        "practice_code": practice_code,
        "practice_scheme": practice_scheme,
        "creation_time": _dtm(d.creation_time),
        "service_start_time": _dtm(d.service_start_time),
        "service_stop_time": _dtm(d.service_stop_time),
        # SHA-1 compares case-insensitively (TF-3 4.2.3.2.11): the column holds it in lower case.
        "hash": d.hash.lower() if d.hash else None,
        "size": int(d.size) if d.size else None,
        "mime_type": d.mime_type,
        "repository_unique_id": d.repository_unique_id,
        "xml": xml.decode(),
    }


def insert_document_entries(
    conn: Connection, docs: Sequence[DocumentEntry], xml: Mapping[str, bytes]
) -> None:
    """DocumentEntries with their event/confidentiality codes, author persons and reference ids."""
    if not docs:
        return
    stmt = insert(document_entry).returning(document_entry.c.seq, sort_by_parameter_order=True)
    seqs = list(conn.scalars(stmt, [_document_row(d, xml[d.entry_uuid]) for d in docs]))
    codes, authors, references = [], [], []
    for seq, d in zip(seqs, docs, strict=True):
        codes += [
            {"entry_seq": seq, "kind": EVENT_CODE, "code": c.code, "scheme": c.scheme} for c in d.event_codes
        ]
        codes += [
            {"entry_seq": seq, "kind": CONFIDENTIALITY_CODE, "code": c.code, "scheme": c.scheme}
            for c in d.confidentiality_codes
        ]
        authors += [{"entry_seq": seq, "person": a.person} for a in d.authors if a.person]
        references += [{"entry_seq": seq, "value": r} for r in d.reference_ids]
    for table, rows in (
        (document_code, codes),
        (document_author, authors),
        (document_reference_id, references),
    ):
        if rows:
            conn.execute(insert(table), rows)


def insert_submission_set(conn: Connection, ss: SubmissionSet, xml: bytes) -> None:
    """The SubmissionSet; its unique uniqueId column is what makes racing duplicates fail (checklist 2.6)."""
    content_code, content_scheme = _code(ss.content_type_code)
    seq = conn.scalar(
        insert(submission_set).returning(submission_set.c.seq),
        {
            "id": ss.entry_uuid,
            "unique_id": ss.unique_id,
            "patient_id": ss.patient_id,
            "source_id": ss.source_id,
            "status": v.Status.APPROVED,
            "submission_time": _dtm(ss.submission_time),
            "content_type_code": content_code,
            "content_type_scheme": content_scheme,
            "xml": xml.decode(),
        },
    )
    authors = [{"ss_seq": seq, "person": a.person} for a in ss.authors if a.person]
    if authors:
        conn.execute(insert(submission_set_author), authors)


def insert_folders(
    conn: Connection, folders: Sequence[Folder], xml: Mapping[str, bytes], last_update_time: str
) -> None:
    """Folders with their codeList; lastUpdateTime is the registration instant (TF-3 4.2.3.4.6)."""
    if not folders:
        return
    rows = [
        {
            "id": f.entry_uuid,
            "lid": f.lid or f.entry_uuid,
            "unique_id": f.unique_id,
            "patient_id": f.patient_id,
            "status": v.Status.APPROVED,
            "last_update_time": last_update_time,
            "xml": xml[f.entry_uuid].decode(),
        }
        for f in folders
    ]
    seqs = list(conn.scalars(insert(folder).returning(folder.c.seq, sort_by_parameter_order=True), rows))
    codes = [
        {"folder_seq": seq, "code": c.code, "scheme": c.scheme}
        for seq, f in zip(seqs, folders, strict=True)
        for c in f.codes
    ]
    if codes:
        conn.execute(insert(folder_code), codes)


def insert_associations(conn: Connection, rows: Sequence[AssociationRow]) -> None:
    if not rows:
        return
    conn.execute(
        insert(association),
        [
            {
                "id": r.id,
                "type": r.type,
                "source": r.source,
                "target": r.target,
                "status": v.Status.APPROVED,
                "xml": r.xml.decode(),
            }
            for r in rows
        ],
    )


def set_document_status(conn: Connection, ids: Collection[str], status: str) -> None:
    """Change availabilityStatus in the column and in the stored fragment together (checklist 2.5)."""
    if not ids:
        return
    de = document_entry.c
    rows = conn.execute(select(de.id, de.xml).where(de.id.in_(ids))).all()
    stmt = (
        update(document_entry)
        .where(de.id == bindparam("b_id"))
        .values(status=bindparam("b_status"), xml=bindparam("b_xml"))
    )
    conn.execute(
        stmt,
        [
            {"b_id": oid, "b_status": status, "b_xml": set_status(xml.encode(), status).decode()}
            for oid, xml in rows
        ],
    )


def touch_folders(conn: Connection, ids: Collection[str], last_update_time: str) -> None:
    """Set lastUpdateTime of registered Folders, column and fragment (TF-2 3.42.4.1.3.6; NIST 12323)."""
    if not ids:
        return
    fd = folder.c
    rows = conn.execute(select(fd.id, fd.xml).where(fd.id.in_(ids))).all()
    stmt = (
        update(folder)
        .where(fd.id == bindparam("b_id"))
        .values(last_update_time=bindparam("b_time"), xml=bindparam("b_xml"))
    )
    conn.execute(
        stmt,
        [
            {
                "b_id": oid,
                "b_time": last_update_time,
                "b_xml": patch_slot(xml.encode(), LAST_UPDATE_TIME, [last_update_time]).decode(),
            }
            for oid, xml in rows
        ],
    )
