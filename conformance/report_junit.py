"""JUnit XML, so CI systems (GitLab, Jenkins, GitHub actions) show each plan as a test case.

One testcase per NIST test; a failed or unsupported test carries a `<failure>` whose text lists the failing
steps and checks, an error test an `<error>`.
"""

from __future__ import annotations

from lxml import etree

from conformance.results import Outcome, RunResult, TestResult


def _failure_text(test: TestResult) -> str:
    lines = [test.problem] if test.problem else []
    for step in test.steps:
        if step.outcome is Outcome.PASSED:
            continue
        lines.append(f"{step.section}/{step.step} {step.transaction}: {step.outcome.value}")
        lines += [f"  {c.name}: {c.detail}" for c in step.checks if not c.passed]
        lines += [f"  note: {n}" for n in step.notes]
    return "\n".join(lines)


def render_junit(run: RunResult) -> bytes:
    counts = run.counts()
    suite = etree.Element(
        "testsuite",
        name="xds-conformance",
        tests=str(len(run.tests)),
        failures=str(counts[Outcome.FAILED] + counts[Outcome.UNSUPPORTED]),
        errors=str(counts[Outcome.ERROR]),
        time=f"{run.seconds:.3f}",
        timestamp=run.started,
    )
    for test in run.tests:
        case = etree.SubElement(
            suite, "testcase", classname="nist", name=test.test_id, time=f"{test.seconds:.3f}"
        )
        if test.outcome is Outcome.ERROR:
            etree.SubElement(case, "error", message=test.outcome.value).text = _failure_text(test)
        elif not test.passed:
            etree.SubElement(case, "failure", message=test.outcome.value).text = _failure_text(test)
    return etree.tostring(suite, xml_declaration=True, encoding="UTF-8", pretty_print=True)
