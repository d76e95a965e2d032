"""Run NIST test plans against an XDS.b system: order the tests, build each step's request, send it, check.

Tests run in dependency order (a test that reads another test's reports or assigned ids runs after it, and
is pulled in when not selected), sections in `index.idx` order, steps in document order.

Patients (checklist 6.1.8; the toolkit's conformance tool does the same with its orchestration ids): a
test that takes `$patientid$` from a feed test (15817, 15818...) works on that patient, so 12346 loads its
data on the patient fed by 15818, which nothing else uses, and the stored-query counts hold. Any other test
gets a fresh patient, fed over ITI-8 before it runs when it submits metadata under the test's patient.
`<AltPatientId/>` is a fresh patient that is never fed, and every feed step feeds a patient of its own.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from conformance.assertions import SectionLog, check_assertions
from conformance.contents import check_contents
from conformance.expectations import check_status
from conformance.identifiers import PatientIdAllocator, UniqueIdAllocator
from conformance.linkage import Linkage, LinkageError, StepKey, StepRecord, first_value, resolve_testdir
from conformance.mllp_client import FeedError, send_feed
from conformance.placeholders import clock_values, substitute, unresolved
from conformance.plan import PlanError, Section, Step, TestDef, UseId, load_test, tests_root
from conformance.prepare import Assignment, prepare_submission
from conformance.response import Response
from conformance.results import Check, Outcome, RunResult, StepResult, TestResult
from conformance.transport import Exchange, XdsClient
from conformance.vocabulary import DEFAULT_PATIENT_AUTHORITY, DEFAULT_UID_ROOT, PATIENT_ID_REPORT, Transaction
from xds.ebxml.namespaces import RIM, XDS, q
from xds.ebxml.vocabulary import DE_UNIQUE_ID
from xds.soap.mtom import OutgoingAttachment, new_content_id, xop_include

BUILTIN_PLANS = Path(__file__).parent / "plans"
_SUBMISSIONS = frozenset({Transaction.REGISTER, Transaction.PROVIDE_AND_REGISTER})

Progress = Callable[[str, TestResult | None], None]


@dataclass(frozen=True, slots=True)
class RunOptions:
    uid_root: str = DEFAULT_UID_ROOT
    patient_authority: str = DEFAULT_PATIENT_AUTHORITY
    source_id: str | None = None  # replaces every SubmissionSet sourceId when set
    mllp: tuple[str, int] | None = None


@dataclass(slots=True)
class _TestContext:
    test: TestDef
    root: Path
    patient_id: str
    result: TestResult
    logs: dict[str, SectionLog] = field(default_factory=dict)


class StepFailure(Exception):
    """The step could not be built or sent; its outcome is ERROR with this message."""


def natural_key(test_id: str) -> list[int | str]:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", test_id)]


def _parser() -> etree.XMLParser:
    return etree.XMLParser(remove_comments=True, resolve_entities=False, no_network=True, huge_tree=True)


def _load_xml(path: Path) -> etree._Element:
    try:
        return etree.parse(str(path), _parser()).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        raise StepFailure(f"cannot read {path.name}: {exc}") from exc


class Runner:
    """Runs tests of one plans directory against one system; one instance per run."""

    def __init__(
        self,
        plans_dir: Path,
        client: XdsClient,
        options: RunOptions | None = None,
        builtin: Path = BUILTIN_PLANS,
    ) -> None:
        self.roots = [tests_root(plans_dir), builtin]
        self.client = client
        self.options = options or RunOptions()
        self.uids = UniqueIdAllocator(self.options.uid_root)
        self.patients = PatientIdAllocator(self.options.patient_authority)
        self.linkage = Linkage()
        self._tests: dict[str, tuple[TestDef, Path]] = {}

    # -- selection and order ---------------------------------------------------------------------------

    def _find(self, test_id: str) -> tuple[TestDef, Path]:
        if test_id not in self._tests:
            for root in self.roots:
                if (root / test_id / "index.idx").is_file():
                    self._tests[test_id] = (load_test(root / test_id), root)
                    break
            else:
                raise PlanError(f"test {test_id} not found in {self.roots[0]}")
        return self._tests[test_id]

    def _dependencies(self, test: TestDef, root: Path) -> set[str]:
        deps: set[str] = set()
        for section in test.sections:
            for step in section.steps:
                ins = step.instructions
                deps |= {u.test for u in ins.use_reports if u.test}
                for use in ins.use_ids:
                    if use.testdir:
                        try:
                            deps.add(resolve_testdir(root, section.directory, use.testdir, test.id)[0])
                        except LinkageError:
                            continue
        deps.discard(test.id)
        return deps

    def order(self, selected: list[str]) -> tuple[list[str], dict[str, str]]:
        """Run order with dependencies first, and the tests that could not be loaded (id -> reason)."""
        ordered: list[str] = []
        broken: dict[str, str] = {}
        visiting: set[str] = set()

        def visit(test_id: str) -> None:
            if test_id in ordered or test_id in broken or test_id in visiting:
                return
            visiting.add(test_id)
            try:
                test, root = self._find(test_id)
            except PlanError as exc:
                broken[test_id] = str(exc)
            else:
                for dep in sorted(self._dependencies(test, root), key=natural_key):
                    visit(dep)
                ordered.append(test_id)
            visiting.discard(test_id)

        for test_id in sorted(selected, key=natural_key):
            visit(test_id)
        return ordered, broken

    # -- running ---------------------------------------------------------------------------------------

    def run(self, selected: list[str], progress: Progress | None = None) -> RunResult:
        started = time.monotonic()
        run = RunResult(self.client.registry, self.client.repository, started=datetime.now(UTC).isoformat())
        ordered, broken = self.order(selected)
        for test_id, reason in broken.items():
            run.tests.append(TestResult(test_id, problem=reason))
        for test_id in ordered:
            if progress:
                progress(test_id, None)
            result = self.run_test(test_id)
            run.tests.append(result)
            if progress:
                progress(test_id, result)
        run.seconds = time.monotonic() - started
        return run

    def run_test(self, test_id: str) -> TestResult:
        started = time.monotonic()
        test, root = self._find(test_id)
        result = TestResult(test_id, title=test.readme.strip().splitlines()[0] if test.readme.strip() else "")
        try:
            patient = self._test_patient(test)
        except (LinkageError, FeedError) as exc:
            result.problem = f"no patient for the test: {exc}"
            return result
        ctx = _TestContext(test, root, patient, result)
        for section in test.sections:
            ctx.logs[section.name] = SectionLog(test.id, section.name)
            for step in section.steps:
                result.steps.append(self._run_step(ctx, section, step))
        result.seconds = time.monotonic() - started
        return result

    def _test_patient(self, test: TestDef) -> str:
        needs_feed = has_feed = False
        for section in test.sections:
            for step in section.steps:
                ins = step.instructions
                for use in ins.use_reports:
                    if use.use_as == PATIENT_ID_REPORT and use.test and use.test != test.id:
                        return self.linkage.use_report((use.test, use.section, use.step), use)
                has_feed = has_feed or step.transaction is Transaction.PATIENT_FEED
                needs_feed = needs_feed or (step.transaction in _SUBMISSIONS and not ins.no_patient_id)
        patient = self.patients.next()
        if needs_feed and not has_feed and self.options.mllp:
            self._feed(patient)
        return patient

    def _feed(self, patient: str) -> str:
        if not self.options.mllp:
            raise FeedError("no MLLP endpoint given (--mllp HOST:PORT): cannot send the ITI-8 feed")
        host, port = self.options.mllp
        result = send_feed(host, port, patient)
        if not result.accepted:
            raise FeedError(f"feed of {patient} not accepted: {result.ack!r}")
        return result.ack

    def _run_step(self, ctx: _TestContext, section: Section, step: Step) -> StepResult:
        res = StepResult(section.name, step.id, step.transaction.value if step.transaction else "")
        unsupported = [*step.unsupported, *step.instructions.unsupported]
        if unsupported:
            res.outcome = Outcome.UNSUPPORTED
            res.notes.append("not supported by the runner: " + ", ".join(unsupported))
            return res
        key: StepKey = (ctx.test.id, section.name, step.id)
        try:
            self._execute(ctx, section, step, key, res)
        except (StepFailure, LinkageError, FeedError) as exc:
            res.outcome = Outcome.ERROR
            res.notes.append(str(exc))
        res.settle()
        return res

    def _values(self, ctx: _TestContext, section: Section, step: Step) -> dict[str, str]:
        """Placeholder values of a step: the test patient, then every UseReport and UseId."""
        values = {**clock_values(), PATIENT_ID_REPORT: ctx.patient_id}
        for use in step.instructions.use_reports:
            values[use.use_as] = self.linkage.use_report(
                (use.test or ctx.test.id, use.section, use.step), use
            )
        for use in step.instructions.use_ids:
            values[use.symbol] = self.linkage.use_id(self._key_of(ctx, section, use), use)
        return values

    def _key_of(self, ctx: _TestContext, section: Section, use: UseId) -> StepKey:
        test_id, section_name = resolve_testdir(ctx.root, section.directory, use.testdir, ctx.test.id)
        if not use.testdir:
            section_name = section.name
        return test_id, section_name, use.step

    def _execute(
        self, ctx: _TestContext, section: Section, step: Step, key: StepKey, res: StepResult
    ) -> None:
        kind = step.transaction
        ins = step.instructions
        if step.new_patient_id:
            ctx.patient_id = self.patients.next()
            if self.options.mllp:
                self._feed(ctx.patient_id)
            res.notes.append(f"new test patient {ctx.patient_id}")
        if kind is None:
            return
        sent: etree._Element | None = None
        response: Response | None = None
        record = StepRecord()
        if kind is Transaction.PATIENT_FEED:
            # Every feed is a new patient (CreateNewPatientId or not): the runner has no pre-configured one.
            patient = self.patients.next()
            ctx.patient_id = patient
            ack = self._feed(patient)
            res.endpoint = "MLLP {}:{}".format(*self.options.mllp) if self.options.mllp else ""
            res.request = f"ITI-8 ADT^A01 for {patient}"
            res.response = ack
            record.patient_id = patient
            record.reports[PATIENT_ID_REPORT] = patient
            record.reports["patientid"] = patient
            res.checks.append(
                Check(f"ExpectedStatus {step.expected_status or 'Success'}", True, "feed acknowledged (AA)")
            )
        elif kind is not Transaction.NULL:
            values = self._values(ctx, section, step)
            if not ins.metadata_file:
                raise StepFailure(f"{kind.value} without MetadataFile")
            document = _load_xml(section.directory / ins.metadata_file)
            exchange, sent, record = self._send(ctx, section, step, kind, document, values)
            response = exchange.response
            res.endpoint, res.request, res.response = exchange.endpoint, exchange.request_text, response.text
            leftover = unresolved(sent)
            if leftover:
                res.checks.append(
                    Check("placeholders resolved", False, "left in the request: " + ", ".join(leftover))
                )
            res.checks += check_status(step, response)
            if kind is Transaction.RETRIEVE:
                res.checks += self._retrieve_checks(ctx, section, step, values, response)
            record.input, record.output = sent, response.body
        ctx.logs[section.name].add(step.id, kind.value, sent, response.body if response else None)
        self.linkage.record(key, record)
        if ins.expected_contents is not None:
            checks, unsupported = check_contents(
                ins.expected_contents,
                response.body if response else None,
                lambda use: self.linkage.use_id(self._key_of(ctx, section, use), use),
            )
            res.checks += checks
            if unsupported:
                res.outcome = Outcome.UNSUPPORTED
                res.notes.append("ExpectedContents not supported by the runner: " + ", ".join(unsupported))
        if ins.assertions is not None:
            checks, unsupported = check_assertions(ins.assertions, ctx.logs[section.name])
            res.checks += checks
            if unsupported:
                res.outcome = Outcome.UNSUPPORTED
                res.notes.append("Assertions not supported by the runner: " + ", ".join(unsupported))
        # As in the toolkit, a Report that selects nothing publishes an empty value: noted, not failed.
        res.notes += self.linkage.publish(key, ins.reports)

    def _send(
        self,
        ctx: _TestContext,
        section: Section,
        step: Step,
        kind: Transaction,
        document: etree._Element,
        values: dict[str, str],
    ) -> tuple[Exchange, etree._Element, StepRecord]:
        ins = step.instructions
        if kind in _SUBMISSIONS:
            patient = None
            if step.alt_patient_id:
                patient = self.patients.next()
            elif not ins.no_patient_id:
                patient = ctx.patient_id
            prepared = prepare_submission(
                document,
                Assignment(
                    patient_id=patient,
                    values=values,
                    assign_uids=not ins.no_assign_uids,
                    keep_uid_of=ins.no_assign_uid_ids,
                    assign_uuids=ins.assign_uuids,
                    uuid_excludes=ins.uuid_excludes,
                    source_id=self.options.source_id,
                ),
                self.uids,
            )
            record = StepRecord(uids=prepared.uids, uuids=prepared.uuids, patient_id=prepared.patient_id)
            if kind is Transaction.REGISTER:
                return self.client.register(prepared.root), prepared.root, record
            request, attachments = self._provide_and_register(
                section, ins.documents, prepared.root, prepared.uuids
            )
            return self.client.provide_and_register(request, attachments), prepared.root, record
        substitute(document, values)
        if kind is Transaction.STORED_QUERY:
            return self.client.stored_query(document), document, StepRecord()
        return self.client.retrieve(document), document, StepRecord()

    def _provide_and_register(
        self, section: Section, documents: dict[str, str], submit: etree._Element, uuids: dict[str, str]
    ) -> tuple[etree._Element, list[OutgoingAttachment]]:
        """Wrap the metadata in xds:ProvideAndRegisterDocumentSetRequest with one xop:Include per document."""
        request = etree.Element(q(XDS, "ProvideAndRegisterDocumentSetRequest"), nsmap={"xds": XDS})
        request.append(submit)
        mime_types = {eo.get("id"): eo.get("mimeType", "") for eo in submit.iter(q(RIM, "ExtrinsicObject"))}
        attachments = []
        for symbolic, filename in documents.items():
            eo_id = uuids.get(symbolic, symbolic)
            path = section.directory / filename
            try:
                content = path.read_bytes()
            except OSError as exc:
                raise StepFailure(f"document file {filename}: {exc}") from exc
            cid = new_content_id()
            doc = etree.SubElement(request, q(XDS, "Document"), id=eo_id)
            xop_include(doc, cid)
            attachments.append(
                OutgoingAttachment(cid, mime_types.get(eo_id) or "application/octet-stream", content)
            )
        return request, attachments

    def _retrieve_checks(
        self, ctx: _TestContext, section: Section, step: Step, values: dict[str, str], response: Response
    ) -> list[Check]:
        """ReferenceDocument: bytes equal the plan's file; ReferenceMetadata: hash, size, mimeType agree."""
        checks: list[Check] = []
        by_uid = {d.document_unique_id: d for d in response.documents}
        for ref in step.instructions.reference_documents:
            uid = values.get(ref.uid, ref.uid)
            doc = by_uid.get(uid)
            label = f"ReferenceDocument {ref.path}"
            if doc is None:
                checks.append(Check(label, False, f"document {uid} not in the answer"))
                continue
            try:
                expected = (ctx.test.directory / ref.path).read_bytes()
            except OSError as exc:
                checks.append(Check(label, False, f"cannot read reference file: {exc}"))
                continue
            same = doc.content == expected
            detail = (
                "identical"
                if same
                else f"{len(doc.content)} bytes received, {len(expected)} expected, different"
            )
            checks.append(Check(label, same, detail))
        meta = step.instructions.reference_metadata
        if meta is not None:
            rec = self.linkage.get(self._key_of(ctx, section, meta))
            for doc in response.documents:
                checks.append(
                    _compare_with_metadata(doc.document_unique_id, doc.content, doc.mime_type, rec.output)
                )
        return checks


def _compare_with_metadata(
    uid: str, content: bytes, mime_type: str, query_output: etree._Element | None
) -> Check:
    label = f"ReferenceMetadata {uid}"
    if query_output is None:
        return Check(label, False, "the referenced query step has no answer")
    for eo in query_output.iter(q(RIM, "ExtrinsicObject")):
        if first_value(eo, f"*[@identificationScheme='{DE_UNIQUE_ID}']/@value") != uid:
            continue
        problems = []
        slots = {
            s.get("name"): s.findtext(f"{{{RIM}}}ValueList/{{{RIM}}}Value")
            for s in eo.findall(q(RIM, "Slot"))
        }
        if slots.get("hash") and slots["hash"].lower() != hashlib.sha1(content).hexdigest():
            problems.append("hash differs from the metadata")
        if slots.get("size") and slots["size"] != str(len(content)):
            problems.append(f"size {len(content)} differs from the metadata ({slots['size']})")
        if eo.get("mimeType") and mime_type and eo.get("mimeType") != mime_type:
            problems.append(f"mimeType {mime_type} differs from the metadata ({eo.get('mimeType')})")
        return Check(label, not problems, "; ".join(problems) or "hash, size and mimeType agree")
    return Check(label, False, "no DocumentEntry with this uniqueId in the referenced query answer")
