"""ITI-42 Register Document Set-b on the Document Registry (TF-2 3.42.4.1.3; checklist 2.3-2.6).

Order of work: XDS view of the request; the stateless rule table (every finding at once); patient
identity; symbolic ids -> UUIDs; then, in ONE write transaction, the checks against registry content,
the replacement effects and every insert and update. Any error rolls the whole submission back: nothing is
ever stored partially (TF-2 3.42.4.1.3.1; NIST 12084).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from registry import store
from registry.codes import ValueSets, load_value_sets
from registry.consistency import (
    associations_fit_registry,
    external_references,
    references_resolve,
    submission_ids,
    unique_ids_fit_registry,
    uuids_not_reused,
)
from registry.lookup import find_registered
from registry.replacement import plan_replacements
from registry.settings import RegistrySettings
from registry.symbolic_ids import assign_uuids, new_uuid
from registry.validation import validate_submission
from xds.db.engine import write_transaction
from xds.ebxml import rim
from xds.ebxml import vocabulary as v
from xds.ebxml.datatypes import CXError, parse_cx
from xds.ebxml.metadata import Submission
from xds.ebxml.render import render_registry_object
from xds.ebxml.transform import to_submission
from xds.errors import ErrorCode, RegistryError, XdsError
from xds.ports import PatientIdentityPort

DTM_FORMAT = "%Y%m%d%H%M%S"
LAST_UPDATE_TIME = "lastUpdateTime"


def utc_now() -> datetime:
    return datetime.now(UTC)


def register(
    engine: Engine,
    req: rim.SubmitObjectsRequest,
    *,
    patients: PatientIdentityPort,
    settings: RegistrySettings,
    now: Callable[[], datetime] = utc_now,
    make_uuid: Callable[[], str] = new_uuid,
) -> list[RegistryError]:
    """Register a submission all or nothing; return warnings on success, raise XdsError with every error.

    `now` and `make_uuid` exist for tests (Folder lastUpdateTime, deterministic UUIDs).
    """
    sub = to_submission(req)
    value_sets = load_value_sets(settings.codes_file) if settings.codes_file else None
    errors = _stateless_errors(sub, value_sets, patients)
    if errors:
        raise XdsError(*errors)
    assign_uuids(sub, make_uuid)
    timestamp = now().astimezone(UTC).strftime(DTM_FORMAT)
    try:
        with write_transaction(engine) as conn:
            _check_against_registry(conn, sub)
            _store(conn, sub, timestamp, make_uuid)
    except IntegrityError as exc:
        raise _concurrent_duplicate(exc, sub) from exc
    return []


def _stateless_errors(
    sub: Submission, value_sets: ValueSets | None, patients: PatientIdentityPort
) -> list[RegistryError]:
    """The rule table, then the Patient Identity Feed check of every well-formed patientId (NIST 11996)."""
    errors = validate_submission(sub, value_sets)
    pids = {o.patient_id for o in (*sub.submission_sets, *sub.documents, *sub.folders) if o.patient_id}
    for pid in sorted(pids):
        try:
            parse_cx(pid)
        except CXError:
            continue  # reported by the rule table
        if not patients.is_known(pid):
            errors.append(
                RegistryError(
                    ErrorCode.UNKNOWN_PATIENT_ID, f"patientId {pid} is not known to the registry", pid
                )
            )
    return errors


def _check_against_registry(conn: Connection, sub: Submission) -> None:
    unique_ids = {o.unique_id for o in (*sub.submission_sets, *sub.documents, *sub.folders) if o.unique_id}
    found = find_registered(conn, submission_ids(sub) | external_references(sub), unique_ids)
    errors = [
        *uuids_not_reused(sub, found.by_id),
        *references_resolve(sub, found.by_id),
        *associations_fit_registry(sub, found.by_id),
        *unique_ids_fit_registry(sub, found.by_unique_id),
    ]
    if errors:
        raise XdsError(*errors)


def _store(conn: Connection, sub: Submission, timestamp: str, make_uuid: Callable[[], str]) -> None:
    """Insert the new objects (Approved, TF-2 3.42.4.1.3.3.5) and apply the lifecycle effects."""
    plan = plan_replacements(conn, sub, make_uuid)
    for obj in (*sub.submission_sets, *sub.documents, *sub.folders, *sub.associations):
        obj.rim.status = v.Status.APPROVED
    for f in sub.folders:
        _set_slot(f.rim, LAST_UPDATE_TIME, timestamp)
    ss = sub.submission_sets[0]
    rows = store.submission_rows(
        ss,
        render_registry_object(ss.rim),
        [(d, render_registry_object(d.rim)) for d in sub.documents],
        [(f, render_registry_object(f.rim)) for f in sub.folders],
        [
            store.AssociationRow(
                a.id, a.association_type, a.source_object, a.target_object, render_registry_object(a)
            )
            for a in (*(a.rim for a in sub.associations), *plan.associations)
        ],
        timestamp,
    )
    store.insert_submission(conn, rows)
    store.set_document_status(conn, plan.deprecate, v.Status.DEPRECATED)
    new_folders = {f.entry_uuid for f in sub.folders}
    filled = {
        a.source
        for a in sub.associations
        if a.association_type == v.AssociationType.HAS_MEMBER and a.source != ss.entry_uuid
    }
    # Every Folder a DocumentEntry joins gets lastUpdateTime = now, new ones at insert (NIST 12323).
    store.touch_folders(conn, (filled | plan.folders) - new_folders, timestamp)


def _set_slot(obj: rim.RegistryObject, name: str, value: str) -> None:
    obj.slots = [s for s in obj.slots if s.name != name] + [rim.Slot(name, [value])]


def _concurrent_duplicate(exc: IntegrityError, sub: Submission) -> XdsError:
    """A unique constraint caught what a concurrent registration committed after our checks ran.

    Only SubmissionSet/Folder uniqueIds and object ids are unique columns; the message of both SQLite and
    PostgreSQL names the column (or the `uq_<table>_<column>` constraint).
    """
    ss = sub.submission_sets[0]
    if "unique_id" in str(exc.orig):
        return XdsError.of(
            ErrorCode.DUPLICATE_UNIQUE_ID_IN_REGISTRY,
            f"SubmissionSet {ss.entry_uuid}: a uniqueId of this submission was registered concurrently",
            ss.entry_uuid,
        )
    return XdsError.of(
        ErrorCode.REGISTRY_METADATA_ERROR,
        f"SubmissionSet {ss.entry_uuid}: a UUID of this submission was registered concurrently",
        ss.entry_uuid,
    )
