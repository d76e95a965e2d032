"""DocumentEntry rules of ITI-42 (TF-2 3.42.4.1.3; TF-3 4.3 Table 4.3.1-3 DR column; checklist 2.2, 2.6)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from registry.validation import formats
from registry.validation.rule import Rule, RuleContext, Violation
from xds.ebxml import vocabulary as v
from xds.ebxml.datatypes import DTMError, is_sha1, normalize_dtm
from xds.ebxml.metadata import DocumentEntry
from xds.ebxml.transform import (
    DOCUMENT_ENTRY_CODE_NAMES,
    DOCUMENT_ENTRY_MULTI_VALUED_SLOTS,
    DOCUMENT_ENTRY_SLOTS,
)
from xds.errors import ErrorCode

LABEL = "DocumentEntry"

# What a Document Repository must send on ITI-42 (DR column); NIST 11998a and 12084 test a subset.
REQUIRED = (
    ("classCode", lambda d: d.class_code),
    ("confidentialityCode", lambda d: d.confidentiality_codes),
    ("creationTime", lambda d: d.creation_time),
    ("formatCode", lambda d: d.format_code),
    ("hash", lambda d: d.hash),
    ("healthcareFacilityTypeCode", lambda d: d.healthcare_facility_type_code),
    ("languageCode", lambda d: d.language_code),
    ("mimeType", lambda d: d.mime_type),
    ("patientId", lambda d: d.patient_id),
    ("practiceSettingCode", lambda d: d.practice_setting_code),
    ("repositoryUniqueId", lambda d: d.repository_unique_id),
    ("size", lambda d: d.size),
    ("sourcePatientId", lambda d: d.source_patient_id),
    ("typeCode", lambda d: d.type_code),
    ("uniqueId", lambda d: d.unique_id),
)
SINGLE_VALUED_SLOTS = tuple(sorted(DOCUMENT_ENTRY_SLOTS - DOCUMENT_ENTRY_MULTI_VALUED_SLOTS))
SINGLE_CODES = ("classCode", "typeCode", "formatCode", "healthcareFacilityTypeCode", "practiceSettingCode")
CODE_SCHEMES = DOCUMENT_ENTRY_CODE_NAMES
# IPF UNIQUE_ID_TOO_LONG: TF-3 4.2.3.2.26 limits a DocumentEntry uniqueId to 128 characters.
MAX_UNIQUE_ID = 128
# sourcePatientInfo: at most one value each for birth date and sex (TF-3 4.2.3.2.23).
SINGLE_PID_FIELDS = ("PID-7", "PID-8")


def _documents(ctx: RuleContext) -> list[DocumentEntry]:
    return ctx.submission.documents


def object_type_stable(ctx: RuleContext) -> Iterator[Violation]:
    """ITI-42 registers Stable entries only; On-Demand entries come with ITI-61 (checklist 2.6)."""
    for d in _documents(ctx):
        if d.object_type == v.DOCUMENT_ENTRY_ON_DEMAND:
            yield Violation(
                f"{LABEL} {d.entry_uuid}: On-Demand entries are registered with ITI-61", d.entry_uuid
            )
        elif d.object_type != v.DOCUMENT_ENTRY_STABLE:
            yield Violation(
                f"{LABEL} {d.entry_uuid}: objectType {d.object_type!r} is not the Stable DocumentEntry type",
                d.entry_uuid,
            )


def required_attributes(ctx: RuleContext) -> Iterator[Violation]:
    for d in _documents(ctx):
        yield from formats.missing(LABEL, d.entry_uuid, REQUIRED, d)


def single_values(ctx: RuleContext) -> Iterator[Violation]:
    for d in _documents(ctx):
        yield from formats.single_valued_slots(LABEL, d.rim, SINGLE_VALUED_SLOTS)
        yield from formats.at_most_one_code(LABEL, d.entry_uuid, d.code_counts, SINGLE_CODES)
        yield from formats.single_external_ids(LABEL, d.rim)


def coded_values(ctx: RuleContext) -> Iterator[Violation]:
    for d in _documents(ctx):
        yield from formats.coded_values(LABEL, d.rim, CODE_SCHEMES)


def value_formats(ctx: RuleContext) -> Iterator[Violation]:
    """DTM times, CX patient ids, SHA1 hash, integer size, OID repositoryUniqueId (TF-3 Table 4.2.3.1.7-2)."""
    for d in _documents(ctx):
        oid = d.entry_uuid
        yield from formats.dtm(LABEL, oid, "creationTime", d.creation_time)
        yield from formats.dtm(LABEL, oid, "serviceStartTime", d.service_start_time)
        yield from formats.dtm(LABEL, oid, "serviceStopTime", d.service_stop_time)
        yield from formats.cx(LABEL, oid, "patientId", d.patient_id)
        yield from formats.cx(LABEL, oid, "sourcePatientId", d.source_patient_id)
        yield from formats.oid_value(LABEL, oid, "repositoryUniqueId", d.repository_unique_id)
        if d.hash is not None and not is_sha1(d.hash):
            yield Violation(f"{LABEL} {oid}: hash {d.hash!r} is not a SHA-1 (40 hex digits)", oid)
        if d.size is not None and not formats.INTEGER_RE.fullmatch(d.size):
            yield Violation(f"{LABEL} {oid}: size {d.size!r} is not a non-negative integer", oid)
        if d.unique_id is not None and len(d.unique_id) > MAX_UNIQUE_ID:
            yield Violation(f"{LABEL} {oid}: uniqueId is longer than {MAX_UNIQUE_ID} characters", oid)


def service_period(ctx: RuleContext) -> Iterator[Violation]:
    """serviceStartTime <= serviceStopTime (TF-2 3.42.4.1.3.3.6), compared at their widest extent."""
    for d in _documents(ctx):
        if d.service_start_time is None or d.service_stop_time is None:
            continue
        try:
            start = normalize_dtm(d.service_start_time)
            stop = normalize_dtm(d.service_stop_time, upper=True)
        except DTMError:
            continue  # reported by value_formats
        if start > stop:
            yield Violation(
                f"{LABEL} {d.entry_uuid}: serviceStartTime {d.service_start_time} is after "
                f"serviceStopTime {d.service_stop_time}",
                d.entry_uuid,
            )


def author_content(ctx: RuleContext) -> Iterator[Violation]:
    for d in _documents(ctx):
        yield from formats.authors(LABEL, d.entry_uuid, d.authors)


def source_patient_info(ctx: RuleContext) -> Iterator[Violation]:
    """Values are `PID-n|value`; PID-7 and PID-8 at most once (TF-3 4.2.3.2.23)."""
    for d in _documents(ctx):
        fields = Counter(value.split("|", 1)[0] for value in d.source_patient_info)
        for value in d.source_patient_info:
            name, sep, _ = value.partition("|")
            if not sep or not name.startswith("PID-") or not name[4:].isdecimal():
                yield Violation(
                    f"{LABEL} {d.entry_uuid}: sourcePatientInfo value {value!r} is not PID-n|…", d.entry_uuid
                )
        for name in SINGLE_PID_FIELDS:
            if fields[name] > 1:
                yield Violation(
                    f"{LABEL} {d.entry_uuid}: sourcePatientInfo has {name} {fields[name]} times", d.entry_uuid
                )


RULES = (
    Rule("document_entry_object_type_stable", ErrorCode.REGISTRY_METADATA_ERROR, object_type_stable),
    Rule("document_entry_required_attributes", ErrorCode.REGISTRY_METADATA_ERROR, required_attributes),
    Rule("document_entry_single_values", ErrorCode.REGISTRY_METADATA_ERROR, single_values),
    Rule("document_entry_coded_values", ErrorCode.REGISTRY_METADATA_ERROR, coded_values),
    Rule("document_entry_value_formats", ErrorCode.REGISTRY_METADATA_ERROR, value_formats),
    Rule("document_entry_service_period", ErrorCode.REGISTRY_METADATA_ERROR, service_period),
    Rule("document_entry_authors", ErrorCode.REGISTRY_METADATA_ERROR, author_content),
    Rule("document_entry_source_patient_info", ErrorCode.REGISTRY_METADATA_ERROR, source_patient_info),
)
