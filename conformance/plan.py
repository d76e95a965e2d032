"""The NIST test-plan format read into plain data: tests, sections, steps and their instructions.

Layout and elements: checklist 6.1.2-6.1.5. Reading never interprets: every instruction the runner does not
know is kept in `Instructions.unsupported`, so a step that depends on it is reported "not supported by
the runner" instead of passing silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from conformance.vocabulary import ExpectedStatus, Transaction

# Instructions that change nothing for an XDS.b runner: the mode marker and descriptive text.
# CreateNewPatientId is ignored too: the runner gives every feed a new patient (see runner.py).
_IGNORED = frozenset({"XDSb", "NoMetadata", "Rule", "Goal", "Assertion", "SQ", "CreateNewPatientId"})
# Step-level elements beside the transaction (checklist 6.1.3).
_STEP_ELEMENTS = frozenset(
    {"ExpectedStatus", "ExpectedErrorCode", "ExpectedErrorMessage", "AltPatientId", "NewPatientId"}
)


class PlanError(ValueError):
    """A test directory or testplan.xml the runner cannot read."""


@dataclass(frozen=True, slots=True)
class UseId:
    """Take the UUID/uniqueId/patient id an earlier step assigned to `id` and substitute it for `symbol`."""

    id: str
    symbol: str
    step: str
    section: str  # AssignedUuids | AssignedUids | AssignedPatientId
    testdir: str | None = None


@dataclass(frozen=True, slots=True)
class UseReport:
    """Substitute a value published by `<Report>` (or a feed) for the placeholder `use_as`."""

    report_name: str
    use_as: str
    step: str
    section: str
    test: str | None = None


@dataclass(frozen=True, slots=True)
class Report:
    """Publish the first value `xpath` selects in the step's `InputMetadata` or `Result`."""

    name: str
    section: str
    xpath: str


@dataclass(frozen=True, slots=True)
class ReferenceDocument:
    """The retrieved document with uniqueId `uid` (a placeholder) must equal this file byte for byte."""

    uid: str
    path: str


@dataclass(slots=True)
class Instructions:
    """The children of a transaction element, read into fields; unknown ones kept by name."""

    metadata_file: str | None = None
    documents: dict[str, str] = field(default_factory=dict)
    no_patient_id: bool = False
    assign_uuids: bool = False
    uuid_excludes: frozenset[str] = frozenset()
    no_assign_uids: bool = False
    no_assign_uid_ids: frozenset[str] = frozenset()
    use_ids: list[UseId] = field(default_factory=list)
    use_reports: list[UseReport] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    expected_contents: etree._Element | None = None
    assertions: etree._Element | None = None
    reference_documents: list[ReferenceDocument] = field(default_factory=list)
    reference_metadata: UseId | None = None
    unsupported: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Step:
    id: str
    expected_status: ExpectedStatus | None
    expected_error_codes: list[str]
    expected_error_messages: list[str]
    alt_patient_id: bool
    new_patient_id: bool
    transaction: Transaction | None
    instructions: Instructions
    unsupported: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Section:
    name: str
    directory: Path
    steps: list[Step]


@dataclass(slots=True)
class TestDef:
    """One test directory: `index.idx` order of sections, each with its parsed testplan.xml."""

    id: str
    directory: Path
    sections: list[Section]
    readme: str = ""

    __test__ = False  # not a pytest class


def _text(el: etree._Element) -> str:
    return "".join(el.itertext()).strip()


def _use_id(el: etree._Element) -> UseId:
    return UseId(
        id=el.get("id", ""),
        symbol=el.get("symbol", ""),
        step=el.get("step", ""),
        section=el.get("section", ""),
        testdir=el.get("testdir"),
    )


def _instructions(tx: etree._Element) -> Instructions:
    ins = Instructions()
    for child in tx:
        name = child.tag
        if name in _IGNORED:
            continue
        if name == "MetadataFile":
            ins.metadata_file = _text(child)
        elif name == "Document":
            ins.documents[child.get("id", "")] = _text(child)
        elif name == "NoPatientId":
            ins.no_patient_id = True
        elif name == "AssignUuids":
            ins.assign_uuids = True
            ins.uuid_excludes = frozenset(e.get("value", "") for e in child if e.tag == "Exclude")
        elif name == "NoAssignUids":
            if child.get("id"):
                ins.no_assign_uid_ids = ins.no_assign_uid_ids | {child.get("id", "")}
            else:
                ins.no_assign_uids = True
        elif name == "UseId":
            ins.use_ids.append(_use_id(child))
        elif name == "UseReport":
            ins.use_reports.append(
                UseReport(
                    report_name=child.get("reportName", ""),
                    use_as=child.get("useAs", ""),
                    step=child.get("step", ""),
                    section=child.get("section", ""),
                    test=child.get("test"),
                )
            )
        elif name == "Report":
            ins.reports.append(Report(child.get("name", ""), child.get("section", ""), _text(child)))
        elif name == "ExpectedContents":
            ins.expected_contents = child
        elif name == "Assertions":
            ins.assertions = child
        elif name == "ReferenceDocument":
            ins.reference_documents.append(ReferenceDocument(child.get("uid", ""), _text(child)))
        elif name == "ReferenceMetadata":
            ins.reference_metadata = UseId("", "", child.get("step", ""), "", child.get("testdir"))
        else:
            ins.unsupported.append(name)
    return ins


def _step(el: etree._Element) -> Step:
    status_el = el.find("ExpectedStatus")
    status = None
    unsupported: list[str] = []
    if status_el is not None:
        word = _text(status_el)
        try:
            status = ExpectedStatus(word)
        except ValueError:
            unsupported.append(f"ExpectedStatus {word!r}")
    transaction: Transaction | None = None
    instructions = Instructions()
    for child in el:
        if child.tag in _STEP_ELEMENTS or child.tag in _IGNORED:
            continue
        try:
            kind = Transaction(child.tag)
        except ValueError:
            unsupported.append(child.tag)
            continue
        transaction = kind
        instructions = _instructions(child)
    return Step(
        id=el.get("id", ""),
        expected_status=status,
        expected_error_codes=[_text(e) for e in el.findall("ExpectedErrorCode")],
        expected_error_messages=[_text(e) for e in el.findall("ExpectedErrorMessage")],
        alt_patient_id=el.find("AltPatientId") is not None,
        new_patient_id=el.find("NewPatientId") is not None,
        transaction=transaction,
        instructions=instructions,
        unsupported=unsupported,
    )


def parse_testplan(path: Path) -> list[Step]:
    """The steps of one testplan.xml, comments dropped (upstream plans comment instructions out)."""
    parser = etree.XMLParser(remove_comments=True, resolve_entities=False, no_network=True)
    try:
        root = etree.parse(str(path), parser).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        raise PlanError(f"{path}: {exc}") from exc
    return [_step(el) for el in root.iter("TestStep")]


def read_index(test_dir: Path) -> list[str]:
    """Section names in run order; a test without index.idx is a single plan at its root."""
    index = test_dir / "index.idx"
    if not index.is_file():
        return []
    return [line.strip() for line in index.read_text().splitlines() if line.strip()]


def load_test(test_dir: Path) -> TestDef:
    if not test_dir.is_dir():
        raise PlanError(f"test directory {test_dir} not found")
    sections: list[Section] = []
    names = read_index(test_dir)
    if not names and (test_dir / "testplan.xml").is_file():
        sections.append(Section("", test_dir, parse_testplan(test_dir / "testplan.xml")))
    for name in names:
        plan = test_dir / name / "testplan.xml"
        if not plan.is_file():
            raise PlanError(f"{test_dir.name}: section {name!r} listed in index.idx has no testplan.xml")
        sections.append(Section(name, test_dir / name, parse_testplan(plan)))
    readme = test_dir / "readme.txt"
    return TestDef(
        test_dir.name, test_dir, sections, readme.read_text(errors="replace") if readme.is_file() else ""
    )


def list_tests(plans_dir: Path) -> list[str]:
    """Test ids under a plans directory: `DIR/<id>/index.idx` or, for a testkit root, `DIR/tests/<id>`."""
    root = tests_root(plans_dir)
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / "index.idx").is_file())


def tests_root(plans_dir: Path) -> Path:
    """Accept both the testkit root (holding `tests/`) and the `tests/` folder itself."""
    return plans_dir / "tests" if (plans_dir / "tests").is_dir() else plans_dir
