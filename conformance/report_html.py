"""A single self-contained HTML file a vendor can read or attach to a ticket: no scripts, no assets.

Per test and step: outcome, every expectation with what was found, the notes, then the request and the
answer in collapsible blocks (`<details>`), failing tests opened.
"""

from __future__ import annotations

from html import escape

from conformance.results import Outcome, RunResult, StepResult, TestResult

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
h1{font-size:1.4rem}table{border-collapse:collapse}td,th{padding:.2rem .6rem;text-align:left}
.passed{color:#176b2c}.failed,.error{color:#b00020}.unsupported{color:#8a5a00}
details{margin:.3rem 0 .3rem 1rem}summary{cursor:pointer}
pre{background:#f5f5f5;padding:.6rem;overflow:auto;max-height:30rem;font-size:.8rem}
ul.checks{list-style:none;padding-left:1rem}li.ok::before{content:"✔ ";color:#176b2c}
li.ko::before{content:"✘ ";color:#b00020}
"""


def _cls(outcome: Outcome) -> str:
    return "unsupported" if outcome is Outcome.UNSUPPORTED else outcome.value


def _step(step: StepResult) -> str:
    checks = "".join(
        f'<li class="{"ok" if c.passed else "ko"}"><b>{escape(c.name)}</b>: {escape(c.detail)}</li>'
        for c in step.checks
    )
    notes = "".join(f"<li>{escape(n)}</li>" for n in step.notes)
    parts = [
        f"<details{' open' if step.outcome is not Outcome.PASSED else ''}><summary>"
        f'<span class="{_cls(step.outcome)}">{escape(step.outcome.value)}</span> '
        f"{escape(step.section)}/{escape(step.step)} {escape(step.transaction)}"
        f"{' → ' + escape(step.endpoint) if step.endpoint else ''}</summary>",
        f'<ul class="checks">{checks}</ul>' if checks else "",
        f"<p>Notes:</p><ul>{notes}</ul>" if notes else "",
    ]
    if step.request:
        parts.append(f"<details><summary>Request</summary><pre>{escape(step.request)}</pre></details>")
    if step.response:
        parts.append(f"<details><summary>Response</summary><pre>{escape(step.response)}</pre></details>")
    parts.append("</details>")
    return "".join(parts)


def _test(test: TestResult) -> str:
    head = (
        f'<details{" open" if not test.passed else ""} id="t{escape(test.test_id)}"><summary><b>'
        f"{escape(test.test_id)}</b> "
        f'<span class="{_cls(test.outcome)}">{escape(test.outcome.value)}</span> '
        f"{escape(test.title)} ({test.seconds:.2f} s)</summary>"
    )
    problem = f'<p class="error">{escape(test.problem)}</p>' if test.problem else ""
    return head + problem + "".join(_step(s) for s in test.steps) + "</details>"


def render_html(run: RunResult) -> str:
    counts = run.counts()
    summary = "".join(
        f'<tr><td class="{_cls(outcome)}">{escape(outcome.value)}</td><td>{n}</td></tr>'
        for outcome, n in counts.items()
    )
    rows = "".join(
        f'<tr><td><a href="#t{escape(t.test_id)}">{escape(t.test_id)}</a></td>'
        f'<td class="{_cls(t.outcome)}">{escape(t.outcome.value)}</td><td>{escape(t.title)}</td></tr>'
        for t in run.tests
    )
    verdict = "PASSED" if run.passed else "FAILED"
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>XDS.b conformance report</title>"
        f"<style>{_STYLE}</style></head><body>"
        f"<h1>XDS.b conformance report: {verdict}</h1>"
        f"<p>Registry <code>{escape(run.registry)}</code>, repository <code>{escape(run.repository)}</code>; "
        f"started {escape(run.started)}, {run.seconds:.1f} s.</p>"
        f"<table>{summary}</table><h2>Tests</h2><table>{rows}</table><h2>Details</h2>"
        + "".join(_test(t) for t in run.tests)
        + "</body></html>"
    )
