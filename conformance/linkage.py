"""What each executed step left for the others, and the `UseId`/`UseReport` lookups into it (6.1.5).

The toolkit keeps this in per-section log files; here it is one in-memory store keyed by
(test, section, step). Assigned uniqueIds and UUIDs are also published as reports `<id>_uid` and
`<id>_uuid`, which is where placeholders such as `$Document01_uid$` come from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from conformance.plan import Report, UseId, UseReport
from conformance.vocabulary import ASSIGNED_PATIENT_ID, ASSIGNED_UIDS, ASSIGNED_UUIDS, INPUT_METADATA, RESULT


class LinkageError(LookupError):
    """A linked value that no earlier step produced: the step cannot be built."""


@dataclass(slots=True)
class StepRecord:
    uids: dict[str, str] = field(default_factory=dict)
    uuids: dict[str, str] = field(default_factory=dict)
    patient_id: str | None = None
    reports: dict[str, str] = field(default_factory=dict)
    input: etree._Element | None = None
    output: etree._Element | None = None


StepKey = tuple[str, str, str]


def first_value(root: etree._Element, xpath: str) -> str | None:
    """The string value of what `xpath` selects first (attribute, text or element text)."""
    try:
        found = root.xpath(xpath.strip())
    except etree.XPathError as exc:
        raise LinkageError(f"bad XPath {xpath.strip()!r}: {exc}") from exc
    if isinstance(found, list):
        if not found:
            return None
        item = found[0]
        if isinstance(item, etree._Element):
            return "".join(item.itertext()).strip()
        return str(item).strip()
    if isinstance(found, bool):
        return "true" if found else "false"
    return str(found)


class Linkage:
    """The store of step records of one run."""

    def __init__(self) -> None:
        self._records: dict[StepKey, StepRecord] = {}

    def record(self, key: StepKey, record: StepRecord) -> None:
        for sym, uid in record.uids.items():
            record.reports.setdefault(f"{sym}_uid", uid)
        for sym, uuid in record.uuids.items():
            record.reports.setdefault(f"{sym}_uuid", uuid)
        self._records[key] = record

    def get(self, key: StepKey) -> StepRecord:
        try:
            return self._records[key]
        except KeyError:
            raise LinkageError(f"step {'/'.join(key)} has not run (or did not complete)") from None

    def publish(self, key: StepKey, reports: list[Report]) -> list[str]:
        """Evaluate the step's `<Report>`s into its record; returns notes on reports that found nothing."""
        rec = self.get(key)
        problems = []
        for report in reports:
            source = rec.input if report.section == INPUT_METADATA else rec.output
            if report.section not in (INPUT_METADATA, RESULT) or source is None:
                problems.append(f"Report {report.name}: section {report.section!r} not available")
                continue
            value = first_value(source, report.xpath)
            if value is None:
                problems.append(f"Report {report.name}: XPath selected nothing; published as empty")
            rec.reports[report.name] = value or ""
        return problems

    def use_id(self, key: StepKey, use: UseId) -> str:
        rec = self.get(key)
        if use.section == ASSIGNED_PATIENT_ID:
            if rec.patient_id is None:
                raise LinkageError(f"step {'/'.join(key)} assigned no patient id")
            return rec.patient_id
        table = {ASSIGNED_UIDS: rec.uids, ASSIGNED_UUIDS: rec.uuids}.get(use.section)
        if table is None:
            raise LinkageError(f"UseId section {use.section!r} is not supported by the runner")
        if use.id not in table:
            raise LinkageError(f"step {'/'.join(key)} assigned no {use.section} value to {use.id!r}")
        return table[use.id]

    def use_report(self, key: StepKey, use: UseReport) -> str:
        rec = self.get(key)
        if use.report_name not in rec.reports:
            raise LinkageError(f"step {'/'.join(key)} published no report {use.report_name!r}")
        return rec.reports[use.report_name]


def resolve_testdir(
    plans_root: Path, section_dir: Path, testdir: str | None, step_test: str
) -> tuple[str, str]:
    """(test, section) named by a `testdir` attribute, relative to the section's folder.

    Upstream writes both `../submit` and `submit` for a sibling section; both are accepted.
    """
    if not testdir:
        return step_test, section_dir.name if section_dir.parent.name == step_test else ""
    for base in (section_dir, section_dir.parent):
        target = (base / testdir).resolve()
        if target.is_dir():
            try:
                rel = target.relative_to(plans_root.resolve())
            except ValueError:
                break
            parts = rel.parts
            if len(parts) == 2:
                return parts[0], parts[1]
            if len(parts) == 1:
                return parts[0], ""
    raise LinkageError(f"testdir {testdir!r} does not name a test section under {plans_root}")
