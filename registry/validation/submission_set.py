"""SubmissionSet rules of ITI-42 (TF-3 4.3 Table 4.3.1-3; checklist 2.2 SubmissionSet table, 2.6)."""

from __future__ import annotations

from collections.abc import Iterator

from registry.validation import formats
from registry.validation.rule import Rule, RuleContext, Violation
from xds.ebxml import vocabulary as v
from xds.errors import ErrorCode

LABEL = "SubmissionSet"

REQUIRED = (
    ("contentTypeCode", lambda s: s.content_type_code),
    ("patientId", lambda s: s.patient_id),
    ("sourceId", lambda s: s.source_id),
    ("submissionTime", lambda s: s.submission_time),
    ("uniqueId", lambda s: s.unique_id),
)
CODE_SCHEMES = {v.SS_CONTENT_TYPE_CODE: "contentTypeCode"}


def exactly_one(ctx: RuleContext) -> Iterator[Violation]:
    """A submission carries exactly one SubmissionSet (IPF EXACTLY_ONE_SUBMISSION_SET_MUST_EXIST)."""
    n = len(ctx.submission.submission_sets)
    if n != 1:
        yield Violation(f"the submission must contain exactly one SubmissionSet, it contains {n}")


def required_attributes(ctx: RuleContext) -> Iterator[Violation]:
    for s in ctx.submission.submission_sets:
        yield from formats.missing(LABEL, s.entry_uuid, REQUIRED, s)


def single_values(ctx: RuleContext) -> Iterator[Violation]:
    for s in ctx.submission.submission_sets:
        yield from formats.single_valued_slots(LABEL, s.rim, ("submissionTime",))
        yield from formats.at_most_one_code(LABEL, s.entry_uuid, s.code_counts, ("contentTypeCode",))
        yield from formats.single_external_ids(LABEL, s.rim)


def coded_values(ctx: RuleContext) -> Iterator[Violation]:
    for s in ctx.submission.submission_sets:
        yield from formats.coded_values(LABEL, s.rim, CODE_SCHEMES)


def value_formats(ctx: RuleContext) -> Iterator[Violation]:
    """submissionTime DTM, patientId CX, sourceId and uniqueId OIDs (TF-3 4.2.3.3)."""
    for s in ctx.submission.submission_sets:
        oid = s.entry_uuid
        yield from formats.dtm(LABEL, oid, "submissionTime", s.submission_time)
        yield from formats.cx(LABEL, oid, "patientId", s.patient_id)
        yield from formats.oid_value(LABEL, oid, "sourceId", s.source_id)
        yield from formats.oid_value(LABEL, oid, "uniqueId", s.unique_id)


def author_content(ctx: RuleContext) -> Iterator[Violation]:
    for s in ctx.submission.submission_sets:
        yield from formats.authors(LABEL, s.entry_uuid, s.authors)


RULES = (
    Rule("submission_set_exactly_one", ErrorCode.REGISTRY_METADATA_ERROR, exactly_one),
    Rule("submission_set_required_attributes", ErrorCode.REGISTRY_METADATA_ERROR, required_attributes),
    Rule("submission_set_single_values", ErrorCode.REGISTRY_METADATA_ERROR, single_values),
    Rule("submission_set_coded_values", ErrorCode.REGISTRY_METADATA_ERROR, coded_values),
    Rule("submission_set_value_formats", ErrorCode.REGISTRY_METADATA_ERROR, value_formats),
    Rule("submission_set_authors", ErrorCode.REGISTRY_METADATA_ERROR, author_content),
)
