"""The named `<ExpectedContents>` checks and the status expectations, on hand-made answers."""

from __future__ import annotations

import pytest
from lxml import etree

from conformance.contents import check_contents
from conformance.expectations import check_status
from conformance.plan import Instructions, Step
from conformance.response import Response, ResponseError
from conformance.vocabulary import ExpectedStatus
from xds.ebxml.namespaces import QUERY, RIM
from xds.ebxml.vocabulary import DOCUMENT_ENTRY_STABLE, SS_UNIQUE_ID, SUBMISSION_SET_NODE

APPROVED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"
DEPRECATED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated"
HAS_MEMBER = "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember"
RPLC = "urn:ihe:iti:2007:AssociationType:RPLC"


def answer(*objects: str) -> etree._Element:
    return etree.fromstring(
        f'<query:AdhocQueryResponse xmlns:query="{QUERY}" xmlns:rim="{RIM}" '
        f'status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success">'
        f"<rim:RegistryObjectList>{''.join(objects)}</rim:RegistryObjectList></query:AdhocQueryResponse>"
    )


def doc(id_: str, status: str = APPROVED) -> str:
    return f'<rim:ExtrinsicObject id="{id_}" status="{status}" objectType="{DOCUMENT_ENTRY_STABLE}"/>'


def ss(id_: str = "ss") -> str:
    return (
        f'<rim:RegistryPackage id="{id_}" status="{APPROVED}">'
        f'<rim:ExternalIdentifier id="e" registryObject="{id_}" identificationScheme="{SS_UNIQUE_ID}" '
        'value="1.2"/>'
        f"</rim:RegistryPackage>"
        f'<rim:Classification id="c" classifiedObject="{id_}" classificationNode="{SUBMISSION_SET_NODE}"/>'
    )


def assoc(id_: str, source: str, target: str, kind: str = HAS_MEMBER) -> str:
    return (
        f'<rim:Association id="{id_}" sourceObject="{source}" targetObject="{target}" '
        f'associationType="{kind}"/>'
    )


def run(spec: str, body: etree._Element) -> tuple[list[bool], list[str]]:
    checks, unsupported = check_contents(
        etree.fromstring(f"<ExpectedContents>{spec}</ExpectedContents>"), body, str
    )
    return [c.passed for c in checks], unsupported


@pytest.mark.parametrize(
    ("spec", "body", "passed"),
    [
        ('<Documents count="2"/>', answer(doc("a"), doc("b")), True),
        ('<Documents count="1"/>', answer(doc("a"), doc("b")), False),
        ('<ObjectRefs count="1"/>', answer('<rim:ObjectRef id="a"/>'), True),
        ('<ObjectRefs count="1"/>', answer('<rim:ObjectRef id="a"/>', doc("b")), False),
        ("<SSwithOneDoc/>", answer(ss(), doc("d"), assoc("a1", "ss", "d")), True),
        ("<SSwithOneDoc/>", answer(ss(), doc("d")), False),
        ("<SSwithOneDoc/>", answer(doc("d"), assoc("a1", "ss", "d")), False),
        ("<DocApp/>", answer(doc("a"), doc("b")), True),
        ("<DocApp/>", answer(doc("a"), doc("b", DEPRECATED)), False),
        ("<DocDep/>", answer(doc("b", DEPRECATED)), True),
        ("<HasRPLC/>", answer(doc("a"), doc("b", DEPRECATED), assoc("r", "a", "b", RPLC)), True),
        ("<HasRPLC/>", answer(doc("a")), False),
        ("<None/>", answer(), True),
        ("<None/>", answer(doc("a")), False),
        ('<SubmissionSets count="1"/>', answer(ss()), True),
    ],
)
def test_named_checks(spec: str, body: etree._Element, passed: bool) -> None:
    assert run(spec, body) == ([passed], [])


def test_unknown_check_is_unsupported_not_passed() -> None:
    assert run("<HasSomethingNew/>", answer()) == ([False], ["HasSomethingNew"])


def _step(status: ExpectedStatus, codes: list[str] = [], messages: list[str] = []) -> Step:  # noqa: B006
    return Step("s", status, list(codes), list(messages), False, False, None, Instructions())


FAILURE = Response(
    200, "", status=ExpectedStatus.FAILURE, errors=[ResponseError("XDSUnknownPatientId", "P1", "", "")]
)


def test_expected_success_against_failure_fails() -> None:
    [check] = check_status(_step(ExpectedStatus.SUCCESS), FAILURE)
    assert not check.passed and "XDSUnknownPatientId" in check.detail


def test_expected_failure_with_code_and_message() -> None:
    checks = check_status(_step(ExpectedStatus.FAILURE, ["XDSUnknownPatientId"], ["UnknownPatient"]), FAILURE)
    assert all(c.passed for c in checks) and len(checks) == 3
    wrong = check_status(_step(ExpectedStatus.FAILURE, ["XDSPatientIdDoesNotMatch"]), FAILURE)
    assert [c.passed for c in wrong] == [True, False]


def test_unreadable_answer_fails_the_status() -> None:
    [check] = check_status(_step(ExpectedStatus.SUCCESS), Response(500, "boom", problem="unreadable answer"))
    assert not check.passed and check.detail == "unreadable answer"
