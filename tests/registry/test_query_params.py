"""Stored-query parameter checks: every error path of `extract_params` (checklist 3.1, 3.2; TF-3 4.2.4.1)."""

from __future__ import annotations

import pytest

from registry.queries import params as qp
from registry.queries.params import QUERY_PARAMS, extract_params
from xds.ebxml.vocabulary import DOCUMENT_ENTRY_ON_DEMAND, DOCUMENT_ENTRY_STABLE, Status, StoredQuery
from xds.errors import ErrorCode, XdsError

PID = "'pid1^^^&1.2.3&ISO'"
APPROVED = f"('{Status.APPROVED}')"
FIND = StoredQuery.FIND_DOCUMENTS


def find(**extra: list[list[str]]) -> dict[str, list[list[str]]]:
    """FindDocuments Slots: patient and status plus `extra` (name without `$`)."""
    return {qp.DE_PATIENT_ID: [[PID]], qp.DE_STATUS: [[APPROVED]], **{f"${k}": v for k, v in extra.items()}}


def error_of(query: StoredQuery, parameters: dict[str, list[list[str]]]) -> tuple[ErrorCode, str]:
    with pytest.raises(XdsError) as caught:
        extract_params(query, parameters)
    [error] = caught.value.errors
    return error.code, error.context


def test_every_stored_query_has_a_parameter_table() -> None:
    assert set(QUERY_PARAMS) == set(StoredQuery)


def test_valid_find_documents_parameters_are_typed() -> None:
    params = extract_params(
        FIND,
        find(
            XDSDocumentEntryClassCode=[["('a^^s1','b^^s2')"]],
            XDSDocumentEntryCreationTimeFrom=[["2004"]],
            XDSDocumentEntryCreationTimeTo=[["'200501011230'"]],
            XDSDocumentEntryEventCodeList=[["('e1^^x')"], ["('e2^^x', 'e3^^x')"]],
            XDSDocumentEntryAuthorPerson=[["('%Ford%')"]],
        ),
    )
    assert params.string(qp.DE_PATIENT_ID) == "pid1^^^&1.2.3&ISO"
    assert params.strings(qp.DE_STATUS) == [Status.APPROVED]
    assert params.code_groups(qp.DE_CLASS_CODE) == [[("a", "s1"), ("b", "s2")]]
    assert params.code_groups(qp.DE_EVENT_CODE) == [[("e1", "x")], [("e2", "x"), ("e3", "x")]]
    # Both bounds pad with the earliest instant: To=2005 means before 2005-01-01 (From <= t < To).
    assert params.string(qp.DE_CREATION_FROM) == "20040101000000"
    assert params.string(qp.DE_CREATION_TO) == "20050101123000"
    assert params.strings(qp.DE_AUTHOR) == ["%Ford%"]
    assert params.entry_types() == [DOCUMENT_ENTRY_STABLE]


@pytest.mark.parametrize("missing", [qp.DE_PATIENT_ID, qp.DE_STATUS])
def test_missing_required_parameter(missing: str) -> None:
    parameters = find()
    del parameters[missing]
    code, context = error_of(FIND, parameters)
    assert code is ErrorCode.STORED_QUERY_MISSING_PARAM
    assert missing in context


def test_empty_slot_counts_as_missing() -> None:
    code, _ = error_of(FIND, {qp.DE_PATIENT_ID: [[]], qp.DE_STATUS: [[APPROVED]]})
    assert code is ErrorCode.STORED_QUERY_MISSING_PARAM


def test_unknown_status_values_are_ignored() -> None:
    params = extract_params(
        FIND,
        {
            **find(),
            qp.DE_STATUS: [
                [f"('urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Approved','{Status.DEPRECATED}')"]
            ],
        },
    )
    assert params.strings(qp.DE_STATUS) == [Status.DEPRECATED]


def test_no_understood_status_is_missing_param() -> None:
    # The TF's own sample uses this bogus value (checklist 3.1).
    bogus = "('urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Approved')"
    code, context = error_of(FIND, {**find(), qp.DE_STATUS: [[bogus]]})
    assert code is ErrorCode.STORED_QUERY_MISSING_PARAM
    assert qp.DE_STATUS in context


def test_several_values_on_single_valued_parameter() -> None:
    code, context = error_of(FIND, {**find(), qp.DE_PATIENT_ID: [["('p1^^^&1.2&ISO', 'p2^^^&1.2&ISO')"]]})
    assert code is ErrorCode.STORED_QUERY_PARAM_NUMBER
    assert qp.DE_PATIENT_ID in context


def test_repeated_slot_on_parameter_without_and_or() -> None:
    code, context = error_of(FIND, find(XDSDocumentEntryClassCode=[["('a^^s')"], ["('b^^s')"]]))
    assert code is ErrorCode.STORED_QUERY_PARAM_NUMBER
    assert qp.DE_CLASS_CODE in context


def test_repeated_slot_on_single_valued_parameter() -> None:
    code, _ = error_of(FIND, {**find(), qp.DE_PATIENT_ID: [[PID], [PID]]})
    assert code is ErrorCode.STORED_QUERY_PARAM_NUMBER


@pytest.mark.parametrize(
    ("query", "first", "second"),
    [
        (StoredQuery.GET_DOCUMENTS, qp.DE_ENTRY_UUID, qp.DE_UNIQUE_ID),
        (StoredQuery.GET_FOLDERS, qp.FD_ENTRY_UUID, qp.FD_UNIQUE_ID),
        (StoredQuery.GET_SUBMISSION_SET_AND_CONTENTS, qp.SS_ENTRY_UUID, qp.SS_UNIQUE_ID),
        (StoredQuery.GET_FOLDER_AND_CONTENTS, qp.FD_ENTRY_UUID, qp.FD_UNIQUE_ID),
        (StoredQuery.GET_FOLDERS_FOR_DOCUMENT, qp.DE_ENTRY_UUID, qp.DE_UNIQUE_ID),
        (StoredQuery.GET_DOCUMENTS_AND_ASSOCIATIONS, qp.DE_ENTRY_UUID, qp.DE_UNIQUE_ID),
    ],
)
def test_either_or_pair(query: StoredQuery, first: str, second: str) -> None:
    both = {first: [["'urn:uuid:a'"]], second: [["'1.2.3'"]]}
    assert error_of(query, both)[0] is ErrorCode.STORED_QUERY_PARAM_NUMBER
    code, context = error_of(query, {})
    assert code is ErrorCode.STORED_QUERY_MISSING_PARAM
    assert first in context and second in context
    assert extract_params(query, {second: [["'1.2.3'"]]}).strings(second) == ["1.2.3"]


def test_and_contents_queries_take_a_single_id() -> None:
    code, _ = error_of(StoredQuery.GET_SUBMISSION_SET_AND_CONTENTS, {qp.SS_UNIQUE_ID: [["('1.2', '1.3')"]]})
    assert code is ErrorCode.STORED_QUERY_PARAM_NUMBER


def test_get_related_documents_requires_association_types() -> None:
    code, context = error_of(StoredQuery.GET_RELATED_DOCUMENTS, {qp.DE_UNIQUE_ID: [["'1.2'"]]})
    assert code is ErrorCode.STORED_QUERY_MISSING_PARAM
    assert qp.ASSOCIATION_TYPES in context


@pytest.mark.parametrize(
    ("extra", "name"),
    [
        # NIST 11897 old_scheme: a code without ^^scheme
        ({"XDSDocumentEntryPracticeSettingCode": [["('Dialysis')"]]}, qp.DE_PRACTICE_SETTING_CODE),
        # NIST 11897 classcode_scheme_mismatch: an empty scheme
        ({"XDSDocumentEntryClassCode": [["('DEMO-Lab^^1.3.6', 'a^^')"]]}, qp.DE_CLASS_CODE),
        ({"XDSDocumentEntryCreationTimeFrom": [["'2004-01-01'"]]}, qp.DE_CREATION_FROM),
        ({"XDSDocumentEntryCreationTimeTo": [["20041301"]]}, qp.DE_CREATION_TO),
        ({"XDSDocumentEntryAuthorPerson": [["(Ford)"]]}, qp.DE_AUTHOR),
        ({"XDSDocumentEntryAuthorPerson": [["('Ford\\')"]]}, qp.DE_AUTHOR),
        ({"XDSDocumentEntryTypeCode": [["('a^^b'"]]}, qp.DE_TYPE_CODE),
    ],
)
def test_malformed_value_is_registry_error(extra: dict[str, list[list[str]]], name: str) -> None:
    code, context = error_of(FIND, find(**extra))
    assert code is ErrorCode.REGISTRY_ERROR
    assert name in context


def test_unterminated_patient_id_is_registry_error() -> None:
    # The IPF SQL-injection sample leaves the quoted string open: a malformed value, never SQL.
    code, _ = error_of(FIND, {**find(), qp.DE_PATIENT_ID: [["'593603^^^&1.2&ISO''%20and%20611%3d611--%20"]]})
    assert code is ErrorCode.REGISTRY_ERROR


def test_unknown_parameters_are_ignored() -> None:
    # NIST 11897 practicesetting_scheme: "extra, not-understood parameters are always acceptable".
    params = extract_params(FIND, find(XDSDocumentEntryPracticeSettingCodeScheme=[["('Connect-a-thon')"]]))
    assert params.strings("$XDSDocumentEntryPracticeSettingCodeScheme") == []


def test_entry_type_keeps_known_values_and_defaults_to_stable() -> None:
    both = extract_params(
        FIND, find(XDSDocumentEntryType=[[f"('{DOCUMENT_ENTRY_ON_DEMAND}', 'urn:uuid:bogus')"]])
    )
    assert both.entry_types() == [DOCUMENT_ENTRY_ON_DEMAND]
    only_bogus = extract_params(FIND, find(XDSDocumentEntryType=[["('urn:uuid:bogus')"]]))
    assert only_bogus.entry_types() == [DOCUMENT_ENTRY_STABLE]


def test_list_split_across_values() -> None:
    # NIST 11901 uuid_multiple_slot_values (CP 295)
    params = extract_params(
        StoredQuery.GET_DOCUMENTS, {qp.DE_ENTRY_UUID: [["('urn:uuid:a',", "'urn:uuid:b')"]]}
    )
    assert params.strings(qp.DE_ENTRY_UUID) == ["urn:uuid:a", "urn:uuid:b"]
