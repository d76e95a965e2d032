"""Coded values and mimeTypes constrained to the affinity domain's value sets (TF-2 3.42.4.1.3.3.3-4).

Off when no value sets are configured (`RegistrySettings.codes_file` None).
"""

from __future__ import annotations

from collections.abc import Iterator

from registry.validation.rule import Rule, RuleContext, Violation
from xds.ebxml import vocabulary as v
from xds.ebxml.metadata import Code, Submission
from xds.errors import ErrorCode


def _codes(sub: Submission) -> Iterator[tuple[str, str, str, Code]]:
    """(object id, attribute, classification scheme, code) for every coded value of the submission."""
    for d in sub.documents:
        single = (
            ("classCode", v.DE_CLASS_CODE, d.class_code),
            ("typeCode", v.DE_TYPE_CODE, d.type_code),
            ("formatCode", v.DE_FORMAT_CODE, d.format_code),
            (
                "healthcareFacilityTypeCode",
                v.DE_HEALTHCARE_FACILITY_TYPE_CODE,
                d.healthcare_facility_type_code,
            ),
            ("practiceSettingCode", v.DE_PRACTICE_SETTING_CODE, d.practice_setting_code),
        )
        for attribute, scheme, code in single:
            if code is not None:
                yield d.entry_uuid, attribute, scheme, code
        for code in d.confidentiality_codes:
            yield d.entry_uuid, "confidentialityCode", v.DE_CONFIDENTIALITY_CODE, code
        for code in d.event_codes:
            yield d.entry_uuid, "eventCodeList", v.DE_EVENT_CODE, code
    for s in sub.submission_sets:
        if s.content_type_code is not None:
            yield s.entry_uuid, "contentTypeCode", v.SS_CONTENT_TYPE_CODE, s.content_type_code
    for f in sub.folders:
        for code in f.codes:
            yield f.entry_uuid, "codeList", v.FD_CODE_LIST, code


def codes_in_value_sets(ctx: RuleContext) -> Iterator[Violation]:
    value_sets = ctx.value_sets
    if value_sets is None:
        return
    for oid, attribute, scheme, code in _codes(ctx.submission):
        if not value_sets.accepts(scheme, code.code, code.scheme):
            yield Violation(
                f"{oid}: {attribute} {code.code}^^^&{code.scheme}&ISO is not in the domain value set",
                oid,
            )
    for d in ctx.submission.documents:
        if d.mime_type and not value_sets.accepts_mime_type(d.mime_type):
            yield Violation(
                f"{d.entry_uuid}: mimeType {d.mime_type!r} is not accepted in the affinity domain",
                d.entry_uuid,
            )


RULES = (Rule("codes_in_value_sets", ErrorCode.REGISTRY_METADATA_ERROR, codes_in_value_sets),)
