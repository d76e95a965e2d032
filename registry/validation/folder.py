"""Folder rules of ITI-42 (TF-3 4.2.3.4, 4.3 Table 4.3.1-3; checklist 2.2 Folder table)."""

from __future__ import annotations

from collections.abc import Iterator

from registry.validation import formats
from registry.validation.rule import Rule, RuleContext, Violation
from xds.ebxml import vocabulary as v
from xds.errors import ErrorCode

LABEL = "Folder"

REQUIRED = (
    ("codeList", lambda f: f.codes),
    ("patientId", lambda f: f.patient_id),
    ("title", lambda f: f.title),
    ("uniqueId", lambda f: f.unique_id),
)
CODE_SCHEMES = {v.FD_CODE_LIST: "codeList"}


def required_attributes(ctx: RuleContext) -> Iterator[Violation]:
    for f in ctx.submission.folders:
        yield from formats.missing(LABEL, f.entry_uuid, REQUIRED, f)


def single_values(ctx: RuleContext) -> Iterator[Violation]:
    for f in ctx.submission.folders:
        yield from formats.single_external_ids(LABEL, f.rim)


def coded_values(ctx: RuleContext) -> Iterator[Violation]:
    for f in ctx.submission.folders:
        yield from formats.coded_values(LABEL, f.rim, CODE_SCHEMES)


def value_formats(ctx: RuleContext) -> Iterator[Violation]:
    """patientId CX, uniqueId OID (TF-3 4.2.3.4.7, 4.2.3.4.9)."""
    for f in ctx.submission.folders:
        yield from formats.cx(LABEL, f.entry_uuid, "patientId", f.patient_id)
        yield from formats.oid_value(LABEL, f.entry_uuid, "uniqueId", f.unique_id)


RULES = (
    Rule("folder_required_attributes", ErrorCode.REGISTRY_METADATA_ERROR, required_attributes),
    Rule("folder_single_values", ErrorCode.REGISTRY_METADATA_ERROR, single_values),
    Rule("folder_coded_values", ErrorCode.REGISTRY_METADATA_ERROR, coded_values),
    Rule("folder_value_formats", ErrorCode.REGISTRY_METADATA_ERROR, value_formats),
)
