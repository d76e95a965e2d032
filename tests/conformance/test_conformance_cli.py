"""`xds conformance run` end to end: exit code, HTML and JUnit reports, against our server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from live_server import free_port, serve_app
from lxml import etree

from conformance.cli import make_conformance_group
from xds.config import load_settings
from xds.server import build_app

PLANS = Path(__file__).resolve().parents[3] / "shared/testkit/nist"


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    if not PLANS.is_dir():
        pytest.skip(f"NIST test plans not found at {PLANS}")
    mllp = free_port()
    settings = load_settings(
        environ={"XDS_DATA_DIR": str(tmp_path_factory.mktemp("cli")), "XDS_SERVER_MLLP_PORT": str(mllp)}
    )
    with serve_app(build_app(settings)) as base:
        yield [
            "--plans",
            str(PLANS),
            "--registry",
            f"{base}/registry",
            "--repository",
            f"{base}/repository",
            "--mllp",
            f"127.0.0.1:{mllp}",
        ]


def test_passing_selection_exits_zero_and_writes_reports(target: list[str], tmp_path: Path) -> None:
    html, junit = tmp_path / "r.html", tmp_path / "r.xml"
    args = ["run", *target, "--tests", "11990", "--report", str(html), "--junit", str(junit)]
    result = CliRunner().invoke(make_conformance_group(), args)
    assert result.exit_code == 0, result.output
    assert "PASSED" in result.output and "15817" in result.output  # the feed test 11990 depends on
    assert "ExpectedContents SSwithOneDoc" in html.read_text()
    suite = etree.parse(str(junit)).getroot()
    assert suite.get("tests") == "2" and suite.get("failures") == "0"


def test_failing_selection_exits_one(target: list[str], tmp_path: Path) -> None:
    junit = tmp_path / "r.xml"
    result = CliRunner().invoke(
        make_conformance_group(), ["run", *target, "--tests", "12029", "--junit", str(junit)]
    )
    assert result.exit_code == 1
    failure = etree.parse(str(junit)).getroot().find("testcase/failure")
    assert failure is not None and "ReferenceDocument" in failure.text


def test_bad_mllp_option_is_a_usage_error(target: list[str]) -> None:
    result = CliRunner().invoke(make_conformance_group(), ["run", *target, "--mllp", "nohost"])
    assert result.exit_code == 2
