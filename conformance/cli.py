"""`xds conformance run|validate|reports`: thin commands over `Runner`, `validate_message` and the reports.

Wired into the `xds` command by the composition root with `main.add_command(make_conformance_group())`.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from conformance.mllp_client import parse_endpoint
from conformance.plan import list_tests
from conformance.report_html import render_html
from conformance.report_junit import render_junit
from conformance.results import Outcome, RunResult, TestResult
from conformance.runner import Runner, RunOptions
from conformance.transport import XdsClient
from conformance.validate import SchemaSet, validate_message
from conformance.vocabulary import DEFAULT_PATIENT_AUTHORITY, DEFAULT_UID_ROOT
from registry.codes import load_value_sets

_STYLES = {
    Outcome.PASSED: "green",
    Outcome.FAILED: "red",
    Outcome.ERROR: "red",
    Outcome.UNSUPPORTED: "yellow",
}


def _mllp(_: click.Context, __: click.Parameter, value: str | None) -> tuple[str, int] | None:
    if value is None:
        return None
    try:
        return parse_endpoint(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def _summary(console: Console, run: RunResult) -> None:
    table = Table("test", "outcome", "failing steps")
    for test in run.tests:
        failing = [f"{s.section}/{s.step}" for s in test.steps if s.outcome is not Outcome.PASSED]
        detail = test.problem or ", ".join(failing)
        table.add_row(test.test_id, f"[{_STYLES[test.outcome]}]{test.outcome.value}[/]", detail)
    console.print(table)
    counts = ", ".join(f"{n} {outcome.value}" for outcome, n in run.counts().items() if n)
    verdict = "[green]PASSED[/]" if run.passed else "[red]FAILED[/]"
    console.print(f"{verdict}: {counts} in {run.seconds:.1f} s")


def make_conformance_group() -> click.Group:
    """The `conformance` command group; built by a function so the CLI module stays import-light."""

    @click.group("conformance")
    def conformance() -> None:
        """Conformance toolkit: NIST test plans, message validation, server validation reports."""

    @conformance.command("run")
    @click.option(
        "--plans",
        "plans_dir",
        required=True,
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="NIST testkit directory (holding tests/) or its tests/ folder.",
    )
    @click.option("--tests", "tests_csv", default=None, help="Comma-separated test ids (default: all).")
    @click.option("--registry", required=True, help="Registry SOAP endpoint (ITI-42, ITI-18).")
    @click.option("--repository", required=True, help="Repository SOAP endpoint (ITI-41, ITI-43).")
    @click.option(
        "--mllp", callback=_mllp, default=None, help="HOST:PORT of the ITI-8 patient feed listener."
    )
    @click.option(
        "--report", "html_path", type=click.Path(dir_okay=False, path_type=Path), help="HTML report."
    )
    @click.option("--junit", "junit_path", type=click.Path(dir_okay=False, path_type=Path), help="JUnit XML.")
    @click.option("--patient-authority", default=DEFAULT_PATIENT_AUTHORITY, show_default=True)
    @click.option("--uid-root", default=DEFAULT_UID_ROOT, show_default=True, help="OID root of uniqueIds.")
    @click.option("--source-id", default=None, help="SubmissionSet sourceId to send (default: the plans').")
    @click.option("--timeout", default=60.0, show_default=True, help="HTTP timeout in seconds.")
    def run(
        plans_dir: Path,
        tests_csv: str | None,
        registry: str,
        repository: str,
        mllp: tuple[str, int] | None,
        html_path: Path | None,
        junit_path: Path | None,
        patient_authority: str,
        uid_root: str,
        source_id: str | None,
        timeout: float,
    ) -> None:
        """Run NIST XDS Toolkit test plans against a registry and repository; exit 0 only if all pass."""
        console = Console()
        selected = (
            [t.strip() for t in tests_csv.split(",") if t.strip()] if tests_csv else list_tests(plans_dir)
        )
        if not selected:
            raise click.UsageError(f"no test plans found in {plans_dir}")
        options = RunOptions(
            uid_root=uid_root, patient_authority=patient_authority, source_id=source_id, mllp=mllp
        )
        client = XdsClient(registry, repository, timeout=timeout)
        runner = Runner(plans_dir, client, options)
        ordered, _ = runner.order(selected)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        try:
            with Progress(*columns, console=console, transient=True) as progress:
                task = progress.add_task("starting", total=len(ordered))

                def on_test(test_id: str, result: TestResult | None) -> None:
                    if result is None:
                        progress.update(task, description=f"test {test_id}")
                    else:
                        progress.advance(task)

                result = runner.run(selected, on_test)
        finally:
            client.close()
        _summary(console, result)
        if html_path:
            html_path.write_text(render_html(result), encoding="utf-8")
            console.print(f"HTML report: {html_path}")
        if junit_path:
            junit_path.write_bytes(render_junit(result))
            console.print(f"JUnit report: {junit_path}")
        raise SystemExit(0 if result.passed else 1)

    @conformance.command("validate")
    @click.argument(
        "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
    )
    @click.option(
        "--schemas",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="Directory with the official XSDs (lcm.xsd, query.xsd, rs.xsd, XDS.b_DocumentRepository.xsd).",
    )
    @click.option(
        "--codes",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Affinity-domain codes.xml (NIST format) to check coded values against.",
    )
    def validate(files: tuple[Path, ...], schemas: Path | None, codes: Path | None) -> None:
        """Validate ITI-41/42/18/43 messages: a line per finding (code, object, problem); exit 1 on error."""
        schema_set = SchemaSet(schemas) if schemas else None
        value_sets = load_value_sets(codes) if codes else None
        failed = False
        for path in files:
            report = validate_message(path.read_bytes(), value_sets=value_sets, schemas=schema_set)
            if not report.findings:
                click.echo(f"{path}: ok ({report.kind})")
            for finding in report.findings:
                click.echo(finding.line(str(path)))
            failed = failed or not report.ok
        raise SystemExit(1 if failed else 0)

    @conformance.command("reports")
    @click.option(
        "--server", default="http://127.0.0.1:8080", show_default=True, help="Base URL of the server."
    )
    @click.option("--json", "as_json", is_flag=True, help="Print the JSON as received.")
    @click.option("--limit", default=50, show_default=True, help="How many recent reports.")
    def reports(server: str, as_json: bool, limit: int) -> None:
        """Show what the server recorded in validation mode (`conformance.record = true`)."""
        try:
            answer = httpx.get(
                f"{server.rstrip('/')}/conformance/reports", params={"limit": limit}, timeout=30
            )
            answer.raise_for_status()
        except httpx.HTTPError as exc:
            raise click.ClickException(f"cannot read {server}/conformance/reports: {exc}") from exc
        data = answer.json()
        if as_json:
            click.echo(json.dumps(data, indent=2))
            return
        for item in data.get("reports", []):
            verdict = "ok" if item["ok"] else "NOT OK"
            click.echo(f"{item['received']} {item['endpoint']} {item['kind']}: {verdict}")
            for finding in item["findings"]:
                where = finding["location"] or "-"
                click.echo(f"    {finding['severity']} {finding['code']} [{where}] {finding['message']}")

    return conformance
