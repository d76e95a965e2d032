"""Checks of a submission against what the registry already holds (TF-2 ITI-42 3.42.4.1.3; checklist 2.3-2.6).

They run inside the registration's write transaction, after the stateless rule table and after symbolic
ids became UUIDs, and they collect every finding like the rule table does.
"""

from __future__ import annotations

from collections.abc import Iterator

from registry.lookup import Kind, Registered
from registry.validation.associations import describe
from xds.ebxml import vocabulary as v
from xds.ebxml.metadata import Association, Submission
from xds.errors import ErrorCode, RegistryError

HAS_MEMBER = v.AssociationType.HAS_MEMBER
META = ErrorCode.REGISTRY_METADATA_ERROR


def submission_ids(sub: Submission) -> set[str]:
    return {o.entry_uuid for o in (*sub.submission_sets, *sub.documents, *sub.folders, *sub.associations)}


def external_references(sub: Submission) -> set[str]:
    """Association endpoints that are not objects of the submission (UUIDs, by the stateless rules)."""
    return {ref for a in sub.associations for ref in (a.source, a.target)} - submission_ids(sub)


def uuids_not_reused(sub: Submission, registered: dict[str, Registered]) -> Iterator[RegistryError]:
    """A submitted UUID must be new (NIST 15806; IPF UUID_NOT_UNIQUE).

    TF-2 names no code for it. XDSRegistryMetadataError, as IPF reports it: the metadata itself is wrong.
    UnresolvedReferenceException would say the opposite (a reference that finds nothing).
    """
    for oid in sorted(submission_ids(sub) & registered.keys()):
        kind = registered[oid].kind
        yield RegistryError(META, f"{oid}: an object with this UUID is already registered ({kind})", oid)


def references_resolve(sub: Submission, registered: dict[str, Registered]) -> Iterator[RegistryError]:
    """Every reference outside the submission names a registered object (TF-3 4.2.1.5)."""
    external = external_references(sub)
    for a in sub.associations:
        for attribute, ref in (("sourceObject", a.source), ("targetObject", a.target)):
            if ref in external and ref not in registered:
                yield RegistryError(
                    ErrorCode.UNRESOLVED_REFERENCE,
                    f"{describe(a)}: {attribute} {ref} is not in the registry",
                    a.entry_uuid,
                )


def associations_fit_registry(sub: Submission, registered: dict[str, Registered]) -> Iterator[RegistryError]:
    """Registered endpoints have the right kind, are Approved and belong to the right patient.

    TF-2 3.42.4.1.3.5 (relationship checks 1-4), 3.42.4.1.3.4 (Folder and DE Approved), TF-3 4.2.2
    ("once deprecated, a DocumentEntry shall not be referenced by future associations"), 4.2.2.1.1
    (SS-DE by Reference may cross patients).
    """
    ss = sub.submission_sets[0].entry_uuid
    patients = {o.entry_uuid: o.patient_id for o in (*sub.documents, *sub.folders)}
    # Only endpoints outside the submission are looked up: a submitted object whose UUID is already
    # registered is refused by `uuids_not_reused`, not judged as the registered one.
    outside = {oid: registered[oid] for oid in external_references(sub) if oid in registered}
    for a in sub.associations:
        source, target = outside.get(a.source), outside.get(a.target)
        if source is None and target is None:
            continue
        label = describe(a)
        if a.association_type == HAS_MEMBER and a.source == ss:
            yield from _by_reference(label, a, target)
            continue
        if source is not None and source.kind is not Kind.FOLDER:
            yield RegistryError(
                META, f"{label}: a registered {source.kind} cannot get new members", a.entry_uuid
            )
            continue
        if source is not None and source.status != v.Status.APPROVED:
            yield RegistryError(META, f"{label}: Folder {a.source} is not Approved", a.entry_uuid)
        if target is not None:
            if target.kind is not Kind.DOCUMENT_ENTRY:
                yield RegistryError(
                    META, f"{label}: target is a {target.kind}, not a DocumentEntry", a.entry_uuid
                )
                continue
            yield from _approved(label, a, target)
            snapshot = a.association_type == v.AssociationType.IS_SNAPSHOT_OF
            if snapshot and target.object_type != v.DOCUMENT_ENTRY_ON_DEMAND:
                yield RegistryError(
                    META, f"{label}: IsSnapshotOf must target an On-Demand entry", a.entry_uuid
                )
        source_pid = source.patient_id if source else patients.get(a.source)
        target_pid = target.patient_id if target else patients.get(a.target)
        if source_pid != target_pid:
            yield RegistryError(
                ErrorCode.PATIENT_ID_DOES_NOT_MATCH,
                f"{label}: source patientId {source_pid} differs from target patientId {target_pid}",
                a.entry_uuid,
            )


def _by_reference(label: str, a: Association, target: Registered | None) -> Iterator[RegistryError]:
    """SS -> registered object: only a DocumentEntry, by Reference (TF-3 4.2.2.1.1)."""
    if target is None:
        return
    if target.kind is not Kind.DOCUMENT_ENTRY:
        yield RegistryError(
            META, f"{label}: a registered {target.kind} cannot join a new SubmissionSet", a.entry_uuid
        )
        return
    if a.submission_set_status != v.SUBMISSION_SET_STATUS_REFERENCE:
        status = a.submission_set_status
        yield RegistryError(
            META, f"{label}: SubmissionSetStatus must be Reference, is {status!r}", a.entry_uuid
        )
    yield from _approved(label, a, target)


def _approved(label: str, a: Association, target: Registered) -> Iterator[RegistryError]:
    if target.status != v.Status.APPROVED:
        yield RegistryError(
            ErrorCode.REGISTRY_DEPRECATED_DOCUMENT_ERROR,
            f"{label}: DocumentEntry {a.target} is not Approved ({target.status.rsplit(':', 1)[-1]})",
            a.entry_uuid,
        )


def unique_ids_fit_registry(sub: Submission, registered: list[Registered]) -> Iterator[RegistryError]:
    """uniqueId rules against the registry (TF-3 Table 4.2.4.1-2; checklist 2.6 uniqueIds).

    A DocumentEntry may be registered again with the same uniqueId when hash and size match (NIST 12004,
    the same document submitted by two parties); a SubmissionSet or Folder uniqueId must be new.
    """
    documents = {}
    taken = set()
    for r in registered:
        taken.add(r.unique_id)
        if r.kind is Kind.DOCUMENT_ENTRY:
            documents.setdefault(r.unique_id, []).append(r)
    for d in sub.documents:
        for r in documents.get(d.unique_id or "", ()):
            if (r.hash or "").lower() != (d.hash or "").lower():
                yield RegistryError(
                    ErrorCode.NON_IDENTICAL_HASH,
                    f"DocumentEntry {d.entry_uuid}: uniqueId {d.unique_id} is registered with hash {r.hash}, "
                    f"this one has {d.hash}",
                    d.entry_uuid,
                )
            if d.size is None or r.size != int(d.size):
                yield RegistryError(
                    ErrorCode.NON_IDENTICAL_SIZE,
                    f"DocumentEntry {d.entry_uuid}: uniqueId {d.unique_id} is registered with size {r.size}, "
                    f"this one has {d.size}",
                    d.entry_uuid,
                )
    for label, obj in (
        *(("SubmissionSet", s) for s in sub.submission_sets),
        *(("Folder", f) for f in sub.folders),
    ):
        if obj.unique_id in taken:
            yield RegistryError(
                ErrorCode.DUPLICATE_UNIQUE_ID_IN_REGISTRY,
                f"{label} {obj.entry_uuid}: uniqueId {obj.unique_id} is already registered",
                obj.entry_uuid,
            )
