"""Association rules that need only the submission (TF-3 4.2.2; TF-2 3.42.4.1.3.5; checklist 2.4, 2.5).

What needs the registry's content (targets that exist, are Approved, belong to the same patient) is
checked by `registry.references` once the submission is known to be well formed.
"""

from __future__ import annotations

from collections.abc import Iterator

from registry.validation.rule import Rule, RuleContext, Violation
from xds.ebxml import vocabulary as v
from xds.ebxml.datatypes import is_uuid_urn
from xds.ebxml.metadata import Association, Submission
from xds.errors import ErrorCode

HAS_MEMBER = v.AssociationType.HAS_MEMBER
KNOWN_TYPES = frozenset(v.AssociationType)
# Relationships whose target must already be registered (TF-2 3.42.4.1.3.5, check 3).
TARGET_IN_REGISTRY = frozenset({*v.REPLACING_TYPES, v.AssociationType.IS_SNAPSHOT_OF})
SUBMISSION_SET_STATUSES = (v.SUBMISSION_SET_STATUS_ORIGINAL, v.SUBMISSION_SET_STATUS_REFERENCE)


def _ss_id(sub: Submission) -> str | None:
    return sub.submission_sets[0].entry_uuid if len(sub.submission_sets) == 1 else None


def describe(a: Association) -> str:
    """`Association id (Type source -> target)`, how every association finding names its object."""
    return f"Association {a.entry_uuid} ({a.association_type.rsplit(':', 1)[-1]} {a.source} -> {a.target})"


def known_type(ctx: RuleContext) -> Iterator[Violation]:
    for a in ctx.submission.associations:
        if a.association_type not in KNOWN_TYPES:
            yield Violation(
                f"Association {a.entry_uuid}: unknown associationType {a.association_type!r}", a.entry_uuid
            )


def submission_set_status(ctx: RuleContext) -> Iterator[Violation]:
    """An SS-DE HasMember carries SubmissionSetStatus Original or Reference.

    IPF SUBMISSION_SET_STATUS_MANDATORY; checklist 2.4.

    Targets outside the submission are checked once the registry tells they are DocumentEntries.
    """
    sub = ctx.submission
    ss, documents = _ss_id(sub), {d.entry_uuid for d in sub.documents}
    for a in sub.associations:
        is_ss_de = a.association_type == HAS_MEMBER and a.source == ss and a.target in documents
        if is_ss_de and a.submission_set_status not in SUBMISSION_SET_STATUSES:
            status = a.submission_set_status
            yield Violation(
                f"{describe(a)}: SubmissionSetStatus must be Original or Reference, is {status!r}",
                a.entry_uuid,
            )


def documentation_on_relationships_only(ctx: RuleContext) -> Iterator[Violation]:
    """The association-documentation classification belongs to document relationships (NIST 12370)."""
    for a in ctx.submission.associations:
        if a.has_documentation and a.association_type not in v.RELATIONSHIP_TYPES:
            yield Violation(
                f"{describe(a)}: associationDocumentation is only allowed on relationships", a.entry_uuid
            )


def references_resolvable(ctx: RuleContext) -> Iterator[Violation]:
    """A reference to an object outside the submission must be a UUID (TF-3 4.2.1.5)."""
    sub = ctx.submission
    ids = {o.entry_uuid for o in (*sub.submission_sets, *sub.documents, *sub.folders, *sub.associations)}
    for a in sub.associations:
        for attribute, ref in (("sourceObject", a.source), ("targetObject", a.target)):
            if ref not in ids and not is_uuid_urn(ref):
                yield Violation(
                    f"{describe(a)}: {attribute} {ref!r} is neither in the submission nor a UUID",
                    a.entry_uuid,
                )


def relationship_source(ctx: RuleContext) -> Iterator[Violation]:
    """A document relationship starts at a DocumentEntry of the submission (TF-2 3.42.4.1.3.5, check 2)."""
    documents = {d.entry_uuid for d in ctx.submission.documents}
    for a in ctx.submission.associations:
        if a.association_type in v.RELATIONSHIP_TYPES and a.source not in documents:
            yield Violation(f"{describe(a)}: source is not a DocumentEntry of this submission", a.entry_uuid)


def relationship_target(ctx: RuleContext) -> Iterator[Violation]:
    """RPLC, XFRM_RPLC and IsSnapshotOf target a registered entry (TF-2 3.42.4.1.3.5, check 3)."""
    sub = ctx.submission
    ids = {o.entry_uuid for o in (*sub.submission_sets, *sub.documents, *sub.folders, *sub.associations)}
    for a in sub.associations:
        if a.association_type in TARGET_IN_REGISTRY and a.target in ids:
            yield Violation(
                f"{describe(a)}: the target must be an entry already in the registry", a.entry_uuid
            )


def endpoint_kinds(ctx: RuleContext) -> Iterator[Violation]:
    """Endpoints inside the submission have the kinds the association type allows (TF-3 4.2.2.1, 4.2.2.2).

    HasMember: SS -> DE, Folder or FD-DE HasMember; Folder -> DE. Relationships: DE -> DE.
    """
    sub = ctx.submission
    ss = _ss_id(sub)
    documents = {d.entry_uuid for d in sub.documents}
    folders = {f.entry_uuid for f in sub.folders}
    members = {a.entry_uuid for a in sub.associations if a.association_type == HAS_MEMBER}
    inside = documents | folders | {a.entry_uuid for a in sub.associations} | {ss}
    for a in sub.associations:
        if a.association_type == HAS_MEMBER:
            if a.source == ss:
                allowed = documents | folders | members
            elif a.source in folders or a.source not in inside:
                allowed = documents
            else:
                yield Violation(
                    f"{describe(a)}: a HasMember source must be the SubmissionSet or a Folder", a.entry_uuid
                )
                continue
        elif a.association_type in v.RELATIONSHIP_TYPES:
            allowed = documents
        else:
            continue
        if a.target in inside and a.target not in allowed:
            yield Violation(
                f"{describe(a)}: target {a.target} is not of a kind this association allows", a.entry_uuid
            )


def members_of_submission_set(ctx: RuleContext) -> Iterator[Violation]:
    """Every DocumentEntry and Folder submitted is in the SubmissionSet (TF-3 4.2.2.1.1, 4.2.2.1.2)."""
    sub = ctx.submission
    ss = _ss_id(sub)
    if ss is None:
        return
    members = {a.target for a in sub.associations if a.association_type == HAS_MEMBER and a.source == ss}
    for label, oid in (
        *(("DocumentEntry", d.entry_uuid) for d in sub.documents),
        *(("Folder", f.entry_uuid) for f in sub.folders),
    ):
        if oid not in members:
            yield Violation(
                f"{label} {oid} is not linked to the SubmissionSet by a HasMember association", oid
            )


def folder_membership_recorded(ctx: RuleContext) -> Iterator[Violation]:
    """Each FD-DE HasMember is accompanied by an SS-HM HasMember from the SubmissionSet (TF-3 4.2.2.1.3)."""
    sub = ctx.submission
    ss = _ss_id(sub)
    if ss is None:
        return
    recorded = {a.target for a in sub.associations if a.association_type == HAS_MEMBER and a.source == ss}
    for a in sub.associations:
        if a.association_type == HAS_MEMBER and a.source != ss and a.entry_uuid not in recorded:
            yield Violation(
                f"{describe(a)}: no HasMember from the SubmissionSet records this folder membership",
                a.entry_uuid,
            )


RULES = (
    Rule("association_known_type", ErrorCode.REGISTRY_METADATA_ERROR, known_type),
    Rule("association_submission_set_status", ErrorCode.REGISTRY_METADATA_ERROR, submission_set_status),
    Rule(
        "association_documentation_on_relationships",
        ErrorCode.REGISTRY_METADATA_ERROR,
        documentation_on_relationships_only,
    ),
    Rule("association_references_resolvable", ErrorCode.UNRESOLVED_REFERENCE, references_resolvable),
    Rule("association_relationship_source", ErrorCode.UNRESOLVED_REFERENCE, relationship_source),
    Rule("association_relationship_target", ErrorCode.UNRESOLVED_REFERENCE, relationship_target),
    Rule("association_endpoint_kinds", ErrorCode.REGISTRY_METADATA_ERROR, endpoint_kinds),
    Rule(
        "association_members_of_submission_set", ErrorCode.REGISTRY_METADATA_ERROR, members_of_submission_set
    ),
    Rule(
        "association_folder_membership_recorded",
        ErrorCode.REGISTRY_METADATA_ERROR,
        folder_membership_recorded,
    ),
)
