"""FindDocuments and FindDocumentsByReferenceId on both backends, data registered through ITI-42.

Scenarios follow NIST 11897 (codes, AND/OR, author, time edges, deprecated after RPLC, refid).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import OTHER_PATIENT, PATIENT, Author, SubmissionBuilder
from lxml import etree
from query_support import (
    APPROVED,
    DEPRECATED,
    ask,
    codes,
    error_code,
    ids,
    load,
    quoted,
    slot,
    tags,
    uuid_of,
)
from schemas import assert_valid
from sqlalchemy import Engine

from registry.queries import params as qp
from registry.settings import RegistrySettings
from registry.stored_query import render_query_result, run_stored_query
from xds.ebxml.parse_query import parse_adhoc_query_request
from xds.ebxml.vocabulary import AssociationType, ResponseStatus, StoredQuery
from xds.errors import ErrorCode

FIND = StoredQuery.FIND_DOCUMENTS
CONF = "2.16.840.1.113883.5.25"
EVENTS = "1.3.6.1.4.1.21367.2017.3"


def find(engine: Engine, return_type: str = "ObjectRef", **extra: str | list[str]) -> list[str]:
    """ids returned by FindDocuments for PATIENT, Approved, plus `extra` (parameter names without `$`)."""
    parameters = {qp.DE_PATIENT_ID: quoted(PATIENT), qp.DE_STATUS: slot(APPROVED)}
    parameters.update({f"${name}": value for name, value in extra.items()})
    return ids(ask(engine, FIND, parameters, return_type=return_type))


def documents(engine: Engine, **per_doc: dict[str, object]) -> dict[str, str]:
    """Register one SubmissionSet with a DocumentEntry per keyword; return symbolic id -> entryUUID."""
    sub = SubmissionBuilder()
    for doc_id, overrides in per_doc.items():
        sub.document(doc_id, **overrides)
    load(engine, sub)
    return {doc_id: uuid_of(engine, sub, doc_id) for doc_id in per_doc}


def test_patient_and_status_select_in_registration_order(engine: Engine) -> None:
    docs = documents(engine, A={}, B={})
    load(engine, SubmissionBuilder(OTHER_PATIENT).document("X"))
    assert find(engine) == [docs["A"], docs["B"]]
    assert find(engine, "LeafClass") == [docs["A"], docs["B"]]


def test_leafclass_returns_stored_extrinsic_objects_that_validate(engine: Engine) -> None:
    documents(engine, A={})
    parameters = {qp.DE_PATIENT_ID: quoted(PATIENT), qp.DE_STATUS: slot(APPROVED)}
    result = ask(engine, FIND, parameters, return_type="LeafClass")
    assert tags(result) == ["ExtrinsicObject"]
    assert etree.fromstring(result.objects[0]).get("status") == APPROVED
    assert_valid(render_query_result(result), "query")
    refs = ask(engine, FIND, parameters, return_type="ObjectRef")
    assert refs.objects == [] and len(refs.refs) == 1
    assert_valid(render_query_result(refs), "query")


def test_home_community_id_is_put_on_returned_objects(engine: Engine) -> None:
    documents(engine, A={})
    settings = RegistrySettings(home_community_id="urn:oid:1.2.3.4")
    parameters = {qp.DE_PATIENT_ID: quoted(PATIENT), qp.DE_STATUS: slot(APPROVED)}
    result = ask(engine, FIND, parameters, return_type="LeafClass", settings=settings)
    assert etree.fromstring(result.objects[0]).get("home") == "urn:oid:1.2.3.4"
    assert_valid(render_query_result(result), "query")


def test_deprecated_after_replacement(engine: Engine) -> None:
    original = documents(engine, Old={})["Old"]
    replacement = SubmissionBuilder().document("New")
    replacement.relate(AssociationType.RPLC, "New", original)
    load(engine, replacement)
    new = uuid_of(engine, replacement, "New")
    assert find(engine) == [new]
    assert find(engine, XDSDocumentEntryStatus=slot(DEPRECATED)) == [original]
    assert find(engine, XDSDocumentEntryStatus=slot(APPROVED, DEPRECATED)) == [original, new]
    # The stored fragment says Deprecated too: LeafClass is never patched at query time.
    parameters = {qp.DE_PATIENT_ID: quoted(PATIENT), qp.DE_STATUS: slot(DEPRECATED)}
    [fragment] = ask(engine, FIND, parameters, return_type="LeafClass").objects
    assert etree.fromstring(fragment).get("status") == DEPRECATED


@pytest.mark.parametrize(
    ("attribute", "parameter"),
    [
        ("classCode", "XDSDocumentEntryClassCode"),
        ("typeCode", "XDSDocumentEntryTypeCode"),
        ("practiceSettingCode", "XDSDocumentEntryPracticeSettingCode"),
        ("healthcareFacilityTypeCode", "XDSDocumentEntryHealthcareFacilityTypeCode"),
        ("formatCode", "XDSDocumentEntryFormatCode"),
    ],
)
def test_single_valued_code_parameters(engine: Engine, attribute: str, parameter: str) -> None:
    docs = documents(
        engine,
        A={"codes": {attribute: ("CODE-A", "1.2.3", "A")}},
        B={"codes": {attribute: ("CODE-B", "1.2.3", "B")}},
        C={"codes": {attribute: ("CODE-A", "9.9.9", "A elsewhere")}},
    )
    assert find(engine, **{parameter: codes(("CODE-A", "1.2.3"))}) == [docs["A"]]
    assert find(engine, **{parameter: codes(("CODE-A", "1.2.3"), ("CODE-B", "1.2.3"))}) == [
        docs["A"],
        docs["B"],
    ]
    assert find(engine, **{parameter: codes(("CODE-A", "9.9.9"))}) == [docs["C"]]
    assert find(engine, **{parameter: codes(("CODE-B", "9.9.9"))}) == []


def test_event_codes_or_within_a_slot_and_across_slots(engine: Engine) -> None:
    e1, e2, e3 = (("e1", EVENTS, "e1"), ("e2", EVENTS, "e2"), ("e3", EVENTS, "e3"))
    docs = documents(
        engine,
        A={"codes": {"eventCodeList": [e1, e2]}},
        B={"codes": {"eventCodeList": [e1]}},
        C={"codes": {"eventCodeList": [e3]}},
        D={},
    )
    a, b, c = docs["A"], docs["B"], docs["C"]
    assert find(engine, XDSDocumentEntryEventCodeList=codes(("e1", EVENTS))) == [a, b]
    assert find(engine, XDSDocumentEntryEventCodeList=codes(("e1", EVENTS), ("e3", EVENTS))) == [a, b, c]
    # NIST 11897 `and`: repeated Slots mean AND
    assert find(engine, XDSDocumentEntryEventCodeList=[codes(("e1", EVENTS)), codes(("e2", EVENTS))]) == [a]
    # ('e1','e3') AND ('e2') = A only; ('e2','e3') AND ('e3') = C only
    assert find(
        engine, XDSDocumentEntryEventCodeList=[codes(("e1", EVENTS), ("e3", EVENTS)), codes(("e2", EVENTS))]
    ) == [a]
    assert find(
        engine, XDSDocumentEntryEventCodeList=[codes(("e2", EVENTS), ("e3", EVENTS)), codes(("e3", EVENTS))]
    ) == [c]


def test_confidentiality_codes_and_or(engine: Engine) -> None:
    normal, restricted = ("N", CONF, "normal"), ("R", CONF, "restricted")
    docs = documents(
        engine,
        A={"codes": {"confidentialityCode": [normal, restricted]}},
        B={"codes": {"confidentialityCode": [normal]}},
        C={"codes": {"confidentialityCode": [restricted]}},
    )
    a, b, c = docs["A"], docs["B"], docs["C"]
    assert find(engine, XDSDocumentEntryConfidentialityCode=codes(("R", CONF))) == [a, c]
    assert find(engine, XDSDocumentEntryConfidentialityCode=codes(("N", CONF), ("R", CONF))) == [a, b, c]
    assert find(engine, XDSDocumentEntryConfidentialityCode=[codes(("N", CONF)), codes(("R", CONF))]) == [a]
    assert find(engine, XDSDocumentEntryConfidentialityCode=codes(("V", CONF))) == []


def test_author_person_like(engine: Engine) -> None:
    docs = documents(
        engine,
        A={"authors": [Author(person="^Ford^Harrison^^^")]},
        B={"authors": [Author(person="^Smitty^Gerald^^^"), Author(person="^Fordham^Ann^^^")]},
        C={"authors": [Author(person="^Smith^Wilma^^^")]},
    )
    a, b, c = docs["A"], docs["B"], docs["C"]
    assert find(engine, XDSDocumentEntryAuthorPerson=slot("%Ford%")) == [a, b]  # NIST 11897 author
    assert find(engine, XDSDocumentEntryAuthorPerson=slot("^Ford^%")) == [a]
    assert find(engine, XDSDocumentEntryAuthorPerson=slot("^Smit_^%")) == [c]  # _ is one character
    assert find(engine, XDSDocumentEntryAuthorPerson=slot("%ford^harrison%")) == [a]  # case-insensitive
    assert find(engine, XDSDocumentEntryAuthorPerson=slot("%Wilma%", "%Harrison%")) == [a, c]
    assert find(engine, XDSDocumentEntryAuthorPerson=slot("Ford")) == []  # no wildcard: whole value


# (builder attribute, parameter prefix, builder overrides that keep start <= stop valid)
TIME_PARAMETERS = [
    ("creation_time", "XDSDocumentEntryCreationTime", {}),
    ("service_start", "XDSDocumentEntryServiceStartTime", {"service_stop": None}),
    ("service_stop", "XDSDocumentEntryServiceStopTime", {"service_start": None}),
]


@pytest.mark.parametrize(("attribute", "parameter", "other"), TIME_PARAMETERS)
def test_time_ranges_inclusive_from_exclusive_to_with_variable_precision(
    engine: Engine, attribute: str, parameter: str, other: dict[str, object]
) -> None:
    docs = documents(
        engine,
        A={attribute: "20041224101010", **other},
        B={attribute: "2005", **other},
        C={attribute: "200612", **other},
    )
    a, b, c = docs["A"], docs["B"], docs["C"]

    def between(start: str | None, end: str | None) -> list[str]:
        bounds = {f"{parameter}From": start, f"{parameter}To": end}
        return find(engine, **{name: value for name, value in bounds.items() if value is not None})

    assert between("2004", "2005") == [a]  # To=2005 means before 2005-01-01 00:00:00
    assert between("20041224101010", None) == [a, b, c]  # From is inclusive
    assert between("20041224101011", None) == [b, c]
    assert between(None, "20041224101010") == []  # To is exclusive (NIST right_edge)
    assert between("20041224", "20041225") == [a]  # NIST left_edge: day precision From covers the day
    assert between(None, "20041224") == []
    assert between("2005", "2006") == [b]  # stored "2005" is 2005-01-01 00:00:00
    assert between("200612", "2007") == [c]
    assert between("'2004'", "'20050101000001'") == [a, b]  # quoted times are accepted (IPF sends them)


@pytest.mark.parametrize(("attribute", "parameter", "other"), TIME_PARAMETERS[1:])
def test_entries_without_service_times_ignore_those_parameters(
    engine: Engine, attribute: str, parameter: str, other: dict[str, object]
) -> None:
    docs = documents(
        engine, A={attribute: "2004", **other}, B={attribute: None, **other}, C={attribute: "2010", **other}
    )
    assert find(engine, **{f"{parameter}From": "2003", f"{parameter}To": "2005"}) == [docs["A"], docs["B"]]


def test_find_documents_by_reference_id(engine: Engine) -> None:
    ref = "20061223^^^&1.2.5643.2&ISO^urn:ihe:iti:xds:2013:uniqueId"
    other = "77^^^&1.2.5643.2&ISO^urn:ihe:iti:xds:2013:accession"
    docs = documents(engine, A={"reference_ids": [ref]}, B={"reference_ids": [other, ref]}, C={})
    by_ref = StoredQuery.FIND_DOCUMENTS_BY_REFERENCE_ID

    def find_by(*values: str, **extra: str) -> list[str]:
        parameters = {
            qp.DE_PATIENT_ID: quoted(PATIENT),
            qp.DE_STATUS: slot(APPROVED),
            qp.DE_REFERENCE_ID: slot(*values),
        }
        return ids(ask(engine, by_ref, {**parameters, **{f"${k}": v for k, v in extra.items()}}))

    assert find_by(ref) == [docs["A"], docs["B"]]
    assert find_by(other) == [docs["B"]]
    assert find_by("20061223") == []  # exact match, not a prefix
    assert find_by(ref, XDSDocumentEntryClassCode=codes(("nothing", "1.2"))) == []
    missing = ask(engine, by_ref, {qp.DE_PATIENT_ID: quoted(PATIENT), qp.DE_STATUS: slot(APPROVED)})
    assert error_code(missing) is ErrorCode.STORED_QUERY_MISSING_PARAM


def test_too_many_results(engine: Engine) -> None:
    documents(engine, A={}, B={}, C={})
    parameters = {qp.DE_PATIENT_ID: quoted(PATIENT), qp.DE_STATUS: slot(APPROVED)}
    small = RegistrySettings(max_leafclass_results=2, max_objectref_results=3)
    leaf = ask(engine, FIND, parameters, return_type="LeafClass", settings=small)
    assert leaf.status is ResponseStatus.FAILURE
    assert error_code(leaf) is ErrorCode.TOO_MANY_RESULTS
    assert len(ask(engine, FIND, parameters, return_type="ObjectRef", settings=small).refs) == 3
    tight = RegistrySettings(max_objectref_results=2)
    assert error_code(ask(engine, FIND, parameters, settings=tight)) is ErrorCode.TOO_MANY_RESULTS
    exact = RegistrySettings(max_leafclass_results=3)
    assert len(ask(engine, FIND, parameters, return_type="LeafClass", settings=exact).objects) == 3


def test_injection_in_patient_id_is_data(engine: Engine) -> None:
    documents(engine, A={})
    # Well-formed: the whole quoted text is one odd patient id, matching nothing.
    odd = quoted(f"{PATIENT}' or '1'='1")
    result = ask(engine, FIND, {qp.DE_PATIENT_ID: odd, qp.DE_STATUS: slot(APPROVED)}, return_type="LeafClass")
    assert result.status is ResponseStatus.SUCCESS and result.objects == [] and result.errors == []


def test_ipf_injection_sample_returns_nothing(engine: Engine, shared: Path) -> None:
    documents(engine, A={})
    sample = etree.parse(str(shared / "samples/ipf/iti18request.xml")).getroot()
    result = run_stored_query(engine, parse_adhoc_query_request(sample), RegistrySettings())
    # The sample's quoted patient id is never closed: a malformed value, so no SQL runs at all.
    assert result.objects == [] and result.refs == []
    assert error_code(result) is ErrorCode.REGISTRY_ERROR
    assert_valid(render_query_result(result), "query")


def test_unknown_stored_query(engine: Engine) -> None:
    result = ask(engine, "urn:uuid:00000000-0000-0000-0000-000000000000", {})  # type: ignore[arg-type]
    assert result.status is ResponseStatus.FAILURE
    assert error_code(result) is ErrorCode.UNKNOWN_STORED_QUERY


def test_parameter_error_is_a_failure_response(engine: Engine) -> None:
    result = ask(engine, FIND, {qp.DE_PATIENT_ID: quoted(PATIENT)})
    assert result.status is ResponseStatus.FAILURE
    assert error_code(result) is ErrorCode.STORED_QUERY_MISSING_PARAM
    assert_valid(render_query_result(result), "query")
