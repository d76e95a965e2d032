"""Validation mode: a report per message, shown by the route and by `xds conformance reports`."""

from __future__ import annotations

from builders import OTHER_PATIENT, PATIENT, SubmissionBuilder, one_document
from click.testing import CliRunner
from live_server import serve_app
from lxml import etree
from starlette.applications import Starlette

from conformance.cli import make_conformance_group
from conformance.recorder import MessageRecorder
from conformance.reports_route import reports_route


def test_recorder_keeps_bounded_newest_first() -> None:
    recorder = MessageRecorder(max_reports=2)
    for _ in range(3):
        recorder.record("/registry", one_document().element())
    bad = recorder.record(
        "/registry", SubmissionBuilder(PATIENT).document("D", patient_id=OTHER_PATIENT).element()
    )
    assert bad is not None and not bad.ok
    recent = recorder.recent()
    assert [r.id for r in recent] == [4, 3]
    assert recent[0].findings[0].code == "XDSPatientIdDoesNotMatch"


def test_route_and_cli_show_the_reports() -> None:
    recorder = MessageRecorder()
    recorder.record("/registry", SubmissionBuilder(PATIENT).document("D", patient_id=OTHER_PATIENT).element())
    recorder.record("/registry", etree.fromstring(one_document().xml()))
    with serve_app(Starlette(routes=[reports_route(recorder)])) as base:
        result = CliRunner().invoke(make_conformance_group(), ["reports", "--server", base])
        assert result.exit_code == 0, result.output
        lines = result.output.strip().splitlines()
        assert lines[0].endswith("/registry ITI-42 Register Document Set-b request: ok")
        assert "NOT OK" in lines[1] and "XDSPatientIdDoesNotMatch [D]" in lines[2]
        json_out = CliRunner().invoke(make_conformance_group(), ["reports", "--server", base, "--json"])
        assert '"reports"' in json_out.output
