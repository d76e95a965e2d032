"""Rules over the submission as a whole: ids, uniqueIds, patient, extra metadata (checklist 2.2, 2.3, 2.6)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from registry.validation.formats import compact
from registry.validation.rule import Rule, RuleContext, Violation
from xds.ebxml import rim
from xds.ebxml import vocabulary as v
from xds.ebxml.datatypes import is_uuid_urn
from xds.ebxml.metadata import Submission
from xds.errors import ErrorCode

UUID_PREFIX = "urn:uuid:"
# RFC 8141 URN: `urn:` NID `:` NSS. Extra metadata slots are URNs outside `urn:ihe:` (TF-3 4.2.3.1.6).
URN_RE = re.compile(r"urn:[a-z0-9][a-z0-9-]{0,31}:\S+", re.IGNORECASE)
IHE_URN_PREFIX = "urn:ihe:"
# ebRIM LongName: rim:Value, nodeRepresentation, ExternalIdentifier value, mimeType (rim.xsd; TF-3 4.2.3.1.1).
LONG_NAME = 256
LIMITED_METADATA_NODES = frozenset({v.DE_LIMITED_METADATA, v.SS_LIMITED_METADATA, v.FD_LIMITED_METADATA})


def registry_objects(sub: Submission) -> Iterator[rim.RegistryObject]:
    """Every top-level object of the request, in a stable order."""
    yield from (s.rim for s in sub.submission_sets)
    yield from (d.rim for d in sub.documents)
    yield from (f.rim for f in sub.folders)
    yield from (a.rim for a in sub.associations)
    yield from sub.unclassified_packages


def all_ids(sub: Submission) -> Iterator[str]:
    """Ids of the objects and of their nested Classifications and ExternalIdentifiers."""
    for obj in registry_objects(sub):
        yield obj.id
        yield from (cl.id for cl in obj.classifications)
        yield from (ei.id for ei in obj.external_identifiers)


def all_references(sub: Submission) -> Iterator[tuple[str, str, str]]:
    """(object id, attribute, referenced id) for every reference to another object."""
    for obj in registry_objects(sub):
        if obj.lid:
            yield obj.id, "lid", obj.lid
        for cl in obj.classifications:
            yield obj.id, "classifiedObject", cl.classified_object
        for ei in obj.external_identifiers:
            yield obj.id, "registryObject", ei.registry_object
        if isinstance(obj, rim.Association):
            yield obj.id, "sourceObject", obj.source_object
            yield obj.id, "targetObject", obj.target_object


def unclassified_packages(ctx: RuleContext) -> Iterator[Violation]:
    for pkg in ctx.submission.unclassified_packages:
        yield Violation(
            f"RegistryPackage {pkg.id} is classified neither as SubmissionSet nor as Folder", pkg.id
        )


def unattached_classifications(ctx: RuleContext) -> Iterator[Violation]:
    for cl in ctx.submission.unattached_classifications:
        yield Violation(
            f"Classification {cl.id} classifies {cl.classified_object}, which is not in the submission", cl.id
        )


def unique_object_ids(ctx: RuleContext) -> Iterator[Violation]:
    """Two objects with one id would merge when symbolic ids become UUIDs (TF-2 3.42.4.1.3.7)."""
    for oid, n in Counter(all_ids(ctx.submission)).items():
        if n > 1:
            yield Violation(f"id {oid} is used by {n} objects of the submission", oid)


def uuid_syntax(ctx: RuleContext) -> Iterator[Violation]:
    """An object id or reference in UUID form must be an RFC 4122 UUID in lower case (TF-3 4.2.3.1.5).

    Ids of nested Classifications and ExternalIdentifiers are left out: one that is not a valid UUID is
    treated as symbolic and replaced, and the parser derives missing ones from the parent id.
    """
    sub = ctx.submission
    for obj in registry_objects(sub):
        oid = obj.id
        if oid.lower().startswith(UUID_PREFIX) and not is_uuid_urn(oid):
            yield Violation(f"id {oid} is not a valid lower-case urn:uuid", oid)
    for oid, attribute, ref in all_references(sub):
        if ref.lower().startswith(UUID_PREFIX) and not is_uuid_urn(ref):
            yield Violation(f"{oid}: {attribute} {ref} is not a valid lower-case urn:uuid", oid)


def unique_ids_in_message(ctx: RuleContext) -> Iterator[Violation]:
    """No uniqueId twice among the DocumentEntries, SubmissionSet and Folders of a message (TF-3 4.2.4.1)."""
    sub = ctx.submission
    owners: dict[str, list[str]] = {}
    for obj in (*sub.submission_sets, *sub.documents, *sub.folders):
        if obj.unique_id:
            owners.setdefault(obj.unique_id, []).append(obj.entry_uuid)
    for uid, ids in owners.items():
        if len(ids) > 1:
            yield Violation(f"uniqueId {uid} is used by {', '.join(ids)}", ids[1])


def single_patient(ctx: RuleContext) -> Iterator[Violation]:
    """SubmissionSet, DocumentEntries and Folders of a submission share one patientId (NIST 11997, 12002)."""
    sub = ctx.submission
    labelled = [
        *(("SubmissionSet", s.entry_uuid, s.patient_id) for s in sub.submission_sets),
        *(("DocumentEntry", d.entry_uuid, d.patient_id) for d in sub.documents),
        *(("Folder", f.entry_uuid, f.patient_id) for f in sub.folders),
    ]
    present = [entry for entry in labelled if entry[2]]
    if not present:
        return
    _, first_id, reference = present[0]
    for label, oid, pid in present[1:]:
        if pid != reference:
            yield Violation(f"{label} {oid}: patientId {pid} differs from {reference} of {first_id}", oid)


def no_limited_metadata(ctx: RuleContext) -> Iterator[Violation]:
    """limitedMetadata is not allowed on ITI-42 (TF-3 4.3 Table 4.3.1-3, column DR: X)."""
    for obj in registry_objects(ctx.submission):
        if any(compact(cl.node) in LIMITED_METADATA_NODES for cl in obj.classifications):
            yield Violation(f"{obj.id}: limitedMetadata is not allowed in Register Document Set-b", obj.id)


def _long_name_values(obj: rim.RegistryObject) -> Iterator[tuple[str, str]]:
    """(where, value) for every value ebRIM types as LongName."""
    for slot in obj.slots:
        yield from ((f"slot {slot.name}", value) for value in slot.values)
    for cl in obj.classifications:
        yield f"classification {cl.id} nodeRepresentation", cl.node_representation or ""
        for slot in cl.slots:
            yield from ((f"classification {cl.id} slot {slot.name}", value) for value in slot.values)
    for ei in obj.external_identifiers:
        yield f"ExternalIdentifier {ei.id} value", ei.value
    if isinstance(obj, rim.ExtrinsicObject):
        yield "mimeType", obj.mime_type or ""


def long_names(ctx: RuleContext) -> Iterator[Violation]:
    """ebRIM limits apply even though HL7 length limits do not (checklist 2.2, encoding rules)."""
    for obj in registry_objects(ctx.submission):
        for where, value in _long_name_values(obj):
            if len(value) > LONG_NAME:
                yield Violation(f"{obj.id}: {where} is longer than {LONG_NAME} characters", obj.id)


def extra_metadata_names(ctx: RuleContext) -> Iterator[Violation]:
    """A slot IHE does not define must be named by a URN outside `urn:ihe:` (TF-3 4.2.3.1.6).

    Valid extra metadata is stored with the object and returned by queries, so no XDSExtraMetadataNotSaved
    warning is ever due (NIST 12379 section `support`).
    """
    sub = ctx.submission
    for obj in (*sub.submission_sets, *sub.documents, *sub.folders):
        for slot in obj.extra_slots:
            if not URN_RE.fullmatch(slot.name):
                yield Violation(
                    f"{obj.entry_uuid}: slot {slot.name!r} is neither IHE-defined nor a URN", obj.entry_uuid
                )
            elif slot.name.lower().startswith(IHE_URN_PREFIX):
                yield Violation(
                    f"{obj.entry_uuid}: slot {slot.name!r} is not an IHE-defined slot", obj.entry_uuid
                )


RULES = (
    Rule("unclassified_packages", ErrorCode.REGISTRY_METADATA_ERROR, unclassified_packages),
    Rule("unattached_classifications", ErrorCode.REGISTRY_METADATA_ERROR, unattached_classifications),
    Rule("unique_object_ids", ErrorCode.REGISTRY_METADATA_ERROR, unique_object_ids),
    Rule("uuid_syntax", ErrorCode.REGISTRY_METADATA_ERROR, uuid_syntax),
    Rule("unique_ids_in_message", ErrorCode.REGISTRY_DUPLICATE_UNIQUE_ID_IN_MESSAGE, unique_ids_in_message),
    Rule("single_patient", ErrorCode.PATIENT_ID_DOES_NOT_MATCH, single_patient),
    Rule("no_limited_metadata", ErrorCode.REGISTRY_METADATA_ERROR, no_limited_metadata),
    Rule("long_names", ErrorCode.REGISTRY_METADATA_ERROR, long_names),
    Rule("extra_metadata_names", ErrorCode.REGISTRY_METADATA_ERROR, extra_metadata_names),
)
