"""Row writers for the registry tables (ITI-42 side).

Each object row carries the indexed columns stored queries filter on (architecture section 3) and the
canonical fragment from `render_registry_object`; status and lastUpdateTime changes rewrite both, so a
LeafClass answer never needs patching. Times are stored normalized to 14 digits (`registry.tables`).

A submission's rows are written by `insert_submission`. On PostgreSQL that is ONE statement whatever the
submission holds: data-modifying CTEs insert every table from JSON arrays (one parameter per table), child
rows join their parent's RETURNING on the object id, and the statement text never changes, so psycopg
caches its conversion and prepares it once per connection. Table by table costs five to eight round trips
and as many SQLAlchemy executions per registration, most of ITI-42's time (benchmark target: 300
registrations/s on 2 cores). SQLite (embedded, one writer, no network) inserts table by table.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, fields

from sqlalchemy import Connection, Table, bindparam, insert, select, update

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

Row = dict[str, object]


@dataclass(frozen=True, slots=True)
class AssociationRow:
    id: str
    type: str
    source: str
    target: str
    xml: bytes


@dataclass(slots=True)
class SubmissionRows:
    """Every row a submission adds; child rows name their parent by object id (`owner`), not by seq."""

    submission_set: Row
    submission_set_authors: list[str] = field(default_factory=list)
    documents: list[Row] = field(default_factory=list)
    document_codes: list[Row] = field(default_factory=list)
    document_authors: list[Row] = field(default_factory=list)
    document_reference_ids: list[Row] = field(default_factory=list)
    folders: list[Row] = field(default_factory=list)
    folder_codes: list[Row] = field(default_factory=list)
    associations: list[Row] = field(default_factory=list)


def _dtm(value: str | None) -> str | None:
    return normalize_dtm(value) if value else None


def _code(code: Code | None) -> tuple[str | None, str | None]:
    return (code.code, code.scheme) if code else (None, None)


def _document_row(d: DocumentEntry, xml: bytes) -> Row:
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


def submission_rows(
    ss: SubmissionSet,
    ss_xml: bytes,
    documents: Sequence[tuple[DocumentEntry, bytes]],
    folders: Sequence[tuple[Folder, bytes]],
    associations: Sequence[AssociationRow],
    last_update_time: str,
) -> SubmissionRows:
    """The rows of a submission: objects with their rendered fragment, Folders stamped `last_update_time`.

    Folders get lastUpdateTime = the registration instant (TF-3 4.2.3.4.6).
    """
    content_code, content_scheme = _code(ss.content_type_code)
    rows = SubmissionRows(
        {
            "id": ss.entry_uuid,
            "unique_id": ss.unique_id,
            "patient_id": ss.patient_id,
            "source_id": ss.source_id,
            "status": v.Status.APPROVED,
            "submission_time": _dtm(ss.submission_time),
            "content_type_code": content_code,
            "content_type_scheme": content_scheme,
            "xml": ss_xml.decode(),
        },
        [a.person for a in ss.authors if a.person],
    )
    for d, xml in documents:
        owner = d.entry_uuid
        rows.documents.append(_document_row(d, xml))
        rows.document_codes += [
            {"owner": owner, "kind": EVENT_CODE, "code": c.code, "scheme": c.scheme} for c in d.event_codes
        ]
        rows.document_codes += [
            {"owner": owner, "kind": CONFIDENTIALITY_CODE, "code": c.code, "scheme": c.scheme}
            for c in d.confidentiality_codes
        ]
        rows.document_authors += [{"owner": owner, "person": a.person} for a in d.authors if a.person]
        rows.document_reference_ids += [{"owner": owner, "value": r} for r in d.reference_ids]
    for f, xml in folders:
        rows.folders.append(
            {
                "id": f.entry_uuid,
                "lid": f.lid or f.entry_uuid,
                "unique_id": f.unique_id,
                "patient_id": f.patient_id,
                "status": v.Status.APPROVED,
                "last_update_time": last_update_time,
                "xml": xml.decode(),
            }
        )
        rows.folder_codes += [{"owner": f.entry_uuid, "code": c.code, "scheme": c.scheme} for c in f.codes]
    rows.associations = [
        {
            "id": a.id,
            "type": a.type,
            "source": a.source,
            "target": a.target,
            "status": v.Status.APPROVED,
            "xml": a.xml.decode(),
        }
        for a in associations
    ]
    return rows


def insert_submission(conn: Connection, rows: SubmissionRows) -> None:
    """Insert every row of a submission (one statement on PostgreSQL, see the module docstring)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(_INSERT_SUBMISSION_SQL, _insert_submission_params(rows))
    else:
        _insert_table_by_table(conn, rows)


# --- PostgreSQL: one statement -----------------------------------------------------------------------

_OBJECT_COLUMNS = {
    table.name: [c.name for c in table.c if c.name != "seq"]
    for table in (submission_set, document_entry, folder, association)
}
# Child tables: (table, CTE of the parent, seq column, columns taken from the rows, `SubmissionRows` field).
_CHILDREN = (
    (document_code, "de", "entry_seq", ("kind", "code", "scheme"), "document_codes"),
    (document_author, "de", "entry_seq", ("person",), "document_authors"),
    (document_reference_id, "de", "entry_seq", ("value",), "document_reference_ids"),
    (folder_code, "fd", "folder_seq", ("code", "scheme"), "folder_codes"),
)


def _insert_objects(table: Table, param: str, returning: str = "") -> str:
    """Rows from a JSON array, typed by the table's own row type.

    `json_populate_recordset` converts each value with the column type's input function, so an
    over-long string fails as it would in a plain INSERT.
    """
    columns = ", ".join(_OBJECT_COLUMNS[table.name])
    return (
        f"INSERT INTO {table.name} ({columns}) SELECT {columns} "
        f"FROM json_populate_recordset(NULL::{table.name}, %({param})s::json){returning}"
    )


def _insert_children(table: Table, parent: str, seq: str, columns: Sequence[str], param: str) -> str:
    """Child rows naming their parent by object id, joined to the parent's RETURNING for its seq."""
    record = ", ".join(f"{c} text" for c in ("owner", *columns))
    return (
        f"INSERT INTO {table.name} ({seq}, {', '.join(columns)}) "
        f"SELECT {parent}.seq, {', '.join(f'r.{c}' for c in columns)} "
        f"FROM json_to_recordset(%({param})s::json) AS r({record}) JOIN {parent} ON {parent}.id = r.owner"
    )


def _build_insert_submission_sql() -> str:
    ctes = [
        f"ss AS ({_insert_objects(submission_set, 'submission_set', ' RETURNING seq')})",
        "ssa AS (INSERT INTO submission_set_author (ss_seq, person) "
        "SELECT ss.seq, p FROM ss, json_array_elements_text(%(submission_set_authors)s::json) AS p)",
        f"de AS ({_insert_objects(document_entry, 'documents', ' RETURNING seq, id')})",
        f"fd AS ({_insert_objects(folder, 'folders', ' RETURNING seq, id')})",
        *(
            f"{name} AS ({_insert_children(table, parent, seq, columns, name)})"
            for table, parent, seq, columns, name in _CHILDREN
        ),
    ]
    return f"WITH {', '.join(ctes)} {_insert_objects(association, 'associations')}"


# Short enough (and with few enough parameters) for psycopg to cache its conversion to $n placeholders.
_INSERT_SUBMISSION_SQL = _build_insert_submission_sql()


def _insert_submission_params(rows: SubmissionRows) -> dict[str, str]:
    """Each `SubmissionRows` field as one JSON parameter (the submission set as a one-row array)."""
    return {
        f.name: json.dumps(
            [rows.submission_set] if f.name == "submission_set" else getattr(rows, f.name), ensure_ascii=False
        )
        for f in fields(rows)
    }


# --- SQLite: table by table --------------------------------------------------------------------------


def _insert_returning_seqs(conn: Connection, table: Table, rows: list[Row]) -> dict[str, int]:
    """Insert `rows`; object id -> generated seq."""
    if not rows:
        return {}
    stmt = insert(table).returning(table.c.seq, sort_by_parameter_order=True)
    return {str(r["id"]): seq for r, seq in zip(rows, conn.scalars(stmt, rows), strict=True)}


def _insert_children_rows(
    conn: Connection, table: Table, seq_column: str, seqs: dict[str, int], rows: list[Row]
) -> None:
    if rows:
        conn.execute(
            insert(table),
            [
                {seq_column: seqs[str(r["owner"])], **{k: x for k, x in r.items() if k != "owner"}}
                for r in rows
            ],
        )


def _insert_table_by_table(conn: Connection, rows: SubmissionRows) -> None:
    ss_seq = conn.scalar(insert(submission_set).returning(submission_set.c.seq), rows.submission_set)
    if rows.submission_set_authors:
        conn.execute(
            insert(submission_set_author),
            [{"ss_seq": ss_seq, "person": p} for p in rows.submission_set_authors],
        )
    entries = _insert_returning_seqs(conn, document_entry, rows.documents)
    folders = _insert_returning_seqs(conn, folder, rows.folders)
    for table, parent, seq_column, _columns, field_name in _CHILDREN:
        _insert_children_rows(
            conn, table, seq_column, entries if parent == "de" else folders, getattr(rows, field_name)
        )
    if rows.associations:
        conn.execute(insert(association), rows.associations)


# --- lifecycle changes of registered objects ---------------------------------------------------------


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
