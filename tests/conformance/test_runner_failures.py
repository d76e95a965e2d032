"""Plans built to fail: the runner must report them failed (or unsupported), never passed.

The system under test is a stub that answers every SOAP request with a fixed registry response, so each
verdict depends on the runner's checks alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from live_server import serve_app
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from conformance.results import Outcome
from conformance.runner import Runner
from conformance.transport import XdsClient

FAILURE = (
    '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>'
    '<rs:RegistryResponse xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0" '
    'status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"><rs:RegistryErrorList>'
    '<rs:RegistryError errorCode="XDSRegistryMetadataError" codeContext="stub refuses everything" '
    'severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"/></rs:RegistryErrorList>'
    "</rs:RegistryResponse></env:Body></env:Envelope>"
)
EMPTY_QUERY_ANSWER = (
    '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>'
    '<query:AdhocQueryResponse xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0" '
    'xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0" '
    'status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"><rim:RegistryObjectList/>'
    "</query:AdhocQueryResponse></env:Body></env:Envelope>"
)
SUBMISSION = """<lcm:SubmitObjectsRequest xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"
  xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"><rim:RegistryObjectList>
  <rim:RegistryPackage id="SubmissionSet01"/></rim:RegistryObjectList></lcm:SubmitObjectsRequest>"""
QUERY = """<query:AdhocQueryRequest xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"
  xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"><query:ResponseOption returnType="LeafClass"/>
  <rim:AdhocQuery id="urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d"/></query:AdhocQueryRequest>"""


def stub(request_body: str) -> Starlette:
    async def answer(request: Request) -> Response:
        body = await request.body()
        text = EMPTY_QUERY_ANSWER if b"AdhocQueryRequest" in body else request_body
        return Response(text, media_type="application/soap+xml")

    return Starlette(
        routes=[Route("/registry", answer, methods=["POST"]), Route("/repository", answer, methods=["POST"])]
    )


def write_plan(root: Path, test_id: str, step: str, files: dict[str, str] | None = None) -> None:
    section = root / test_id / "submit"
    section.mkdir(parents=True)
    (root / test_id / "index.idx").write_text("submit\n")
    (section / "testplan.xml").write_text(f"<TestPlan><Test>{test_id}/submit</Test>{step}</TestPlan>")
    for name, text in (files or {}).items():
        (section / name).write_text(text)


def register_step(expected: str, extra: str = "") -> str:
    return (
        f'<TestStep id="submit"><ExpectedStatus>{expected}</ExpectedStatus>{extra}'
        "<RegisterTransaction><XDSb/><NoPatientId/><MetadataFile>m.xml</MetadataFile></RegisterTransaction>"
        "</TestStep>"
    )


@pytest.fixture
def plans(tmp_path: Path) -> Path:
    write_plan(tmp_path, "9001", register_step("Success"), {"m.xml": SUBMISSION})
    write_plan(tmp_path, "9002", register_step("Failure"), {"m.xml": SUBMISSION})
    write_plan(
        tmp_path,
        "9003",
        register_step("Failure", "<ExpectedErrorCode>XDSUnknownPatientId</ExpectedErrorCode>"),
        {"m.xml": SUBMISSION},
    )
    write_plan(
        tmp_path,
        "9004",
        '<TestStep id="q"><ExpectedStatus>Success</ExpectedStatus><StoredQueryTransaction><XDSb/>'
        '<MetadataFile>q.xml</MetadataFile><ExpectedContents><Documents count="1"/></ExpectedContents>'
        "</StoredQueryTransaction></TestStep>",
        {"q.xml": QUERY},
    )
    write_plan(
        tmp_path,
        "9005",
        '<TestStep id="x"><ExpectedStatus>Success</ExpectedStatus>'
        "<MuTransaction><XDSb/></MuTransaction></TestStep>",
    )
    write_plan(
        tmp_path,
        "9006",
        '<TestStep id="q"><ExpectedStatus>Success</ExpectedStatus><StoredQueryTransaction><XDSb/>'
        '<UseId testdir="../../9001/submit" id="Document01" symbol="$uid$" step="nope" '
        'section="AssignedUids"/>'
        "<MetadataFile>q.xml</MetadataFile></StoredQueryTransaction></TestStep>",
        {"q.xml": QUERY},
    )
    write_plan(
        tmp_path,
        "9007",
        '<TestStep id="q"><ExpectedStatus>Success</ExpectedStatus><StoredQueryTransaction><XDSb/>'
        "<SOAP11/><MetadataFile>q.xml</MetadataFile></StoredQueryTransaction></TestStep>",
        {"q.xml": QUERY},
    )
    return tmp_path


@pytest.fixture
def runner(plans: Path) -> Iterator[Runner]:
    with serve_app(stub(FAILURE)) as base:
        client = XdsClient(f"{base}/registry", f"{base}/repository")
        yield Runner(plans, client)
        client.close()


def outcome(runner: Runner, test_id: str) -> Outcome:
    [result] = [t for t in runner.run([test_id]).tests if t.test_id == test_id]
    return result.outcome


def test_success_expected_but_failure_answered_is_failed(runner: Runner) -> None:
    result = runner.run(["9001"])
    assert not result.passed
    [test] = result.tests
    assert test.outcome is Outcome.FAILED
    [step] = test.steps
    failed = [c for c in step.checks if not c.passed]
    assert failed[0].name == "ExpectedStatus Success" and "XDSRegistryMetadataError" in failed[0].detail
    assert "RegisterDocumentSet" not in step.request and "SubmitObjectsRequest" in step.request


def test_failure_expected_and_answered_passes(runner: Runner) -> None:
    assert outcome(runner, "9002") is Outcome.PASSED


def test_wrong_error_code_is_failed(runner: Runner) -> None:
    assert outcome(runner, "9003") is Outcome.FAILED


def test_count_mismatch_is_failed(runner: Runner) -> None:
    assert outcome(runner, "9004") is Outcome.FAILED


def test_unknown_transaction_is_unsupported(runner: Runner) -> None:
    result = runner.run(["9005"])
    assert result.tests[0].outcome is Outcome.UNSUPPORTED and not result.passed
    assert "not supported by the runner: MuTransaction" in result.tests[0].steps[0].notes[0]


def test_unknown_instruction_is_unsupported(runner: Runner) -> None:
    assert outcome(runner, "9007") is Outcome.UNSUPPORTED


def test_missing_linkage_is_an_error(runner: Runner) -> None:
    assert outcome(runner, "9006") is Outcome.ERROR


def test_unknown_test_is_an_error(runner: Runner) -> None:
    result = runner.run(["424242"])
    assert result.tests[0].outcome is Outcome.ERROR and not result.passed
