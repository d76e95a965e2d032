"""What a replacement (RPLC, XFRM_RPLC) does to the registry (TF-2 ITI-42 3.42.4.1.3.5; checklist 2.5).

The replaced entry and every transformation and addendum of it become Deprecated, and each Approved
Folder holding the replaced entry receives the replacement: a new FD-DE HasMember plus the SS-HM
HasMember that records which submission added it (TF-3 4.2.2.1.3).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from registry.lookup import approved_folders_containing, transforms_and_addenda
from registry.tables import document_entry
from xds.ebxml import rim
from xds.ebxml import vocabulary as v
from xds.ebxml.metadata import Submission
from xds.errors import ErrorCode, RegistryError, XdsError


@dataclass(slots=True)
class ReplacementPlan:
    deprecate: set[str] = field(default_factory=set)
    associations: list[rim.Association] = field(default_factory=list)
    folders: set[str] = field(default_factory=set)  # registered Folders that gained a member


def _has_member(make_uuid: Callable[[], str], source: str, target: str) -> rim.Association:
    return rim.Association(
        id=make_uuid(),
        status=v.Status.APPROVED,
        association_type=v.AssociationType.HAS_MEMBER,
        source_object=source,
        target_object=target,
    )


def _lock_approved(conn: Connection, ids: set[str]) -> set[str]:
    """Lock the entries to replace; a concurrent replacement of one of them waits, then sees it Deprecated.

    SQLite ignores FOR UPDATE; its write transactions are serialized at BEGIN IMMEDIATE anyway.
    """
    de = document_entry.c
    stmt = select(de.id).where(de.id.in_(ids), de.status == v.Status.APPROVED).with_for_update()
    return set(conn.scalars(stmt))


def plan_replacements(conn: Connection, sub: Submission, make_uuid: Callable[[], str]) -> ReplacementPlan:
    """Read what the replacements of `sub` change; raise XdsError when a Folder or status forbids it."""
    replaced = {a.target: a.source for a in sub.associations if a.association_type in v.REPLACING_TYPES}
    plan = ReplacementPlan()
    if not replaced:
        return plan
    lost = set(replaced) - _lock_approved(conn, set(replaced))
    if lost:
        raise XdsError(
            *(
                RegistryError(
                    ErrorCode.REGISTRY_DEPRECATED_DOCUMENT_ERROR,
                    f"DocumentEntry {oid} was deprecated meanwhile",
                    oid,
                )
                for oid in sorted(lost)
            )
        )
    plan.deprecate = set(replaced) | set(transforms_and_addenda(conn, replaced))
    patients = {d.entry_uuid: d.patient_id for d in sub.documents}
    ss = sub.submission_sets[0].entry_uuid
    errors = []
    for folder_id, folder_patient, original in approved_folders_containing(conn, replaced):
        replacement = replaced[original]
        if patients[replacement] != folder_patient:
            errors.append(
                RegistryError(
                    ErrorCode.PATIENT_ID_DOES_NOT_MATCH,
                    f"DocumentEntry {replacement} (patientId {patients[replacement]}) cannot replace "
                    f"{original} in Folder {folder_id} of patientId {folder_patient}",
                    replacement,
                )
            )
            continue
        member = _has_member(make_uuid, folder_id, replacement)
        plan.associations += [member, _has_member(make_uuid, ss, member.id)]
        plan.folders.add(folder_id)
    if errors:
        raise XdsError(*errors)
    return plan
