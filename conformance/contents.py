"""`<ExpectedContents>`: the toolkit's named checks on a stored-query result (checklist 6.1.4).

Semantics follow the toolkit's Validator: `Documents count="n"` counts ExtrinsicObjects, `ObjectRefs`
also requires that nothing but ObjectRefs came back, `SSwithOneDoc` wants one SubmissionSet, one document,
one association (the SS-DE HasMember) and an Approved SubmissionSet, and so on. A name the runner does not
know is returned as unsupported so that the step cannot pass on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from conformance.plan import UseId
from conformance.results import Check
from conformance.translate import association_type_v3
from conformance.vocabulary import STATUS_PREFIX
from xds.ebxml.namespaces import RIM, q
from xds.ebxml.vocabulary import FD_UNIQUE_ID, FOLDER_NODE, SS_UNIQUE_ID, SUBMISSION_SET_NODE

_EO, _RP, _ASSOC, _REF, _CL, _EI = (
    q(RIM, n)
    for n in (
        "ExtrinsicObject",
        "RegistryPackage",
        "Association",
        "ObjectRef",
        "Classification",
        "ExternalIdentifier",
    )
)

UseIdResolver = Callable[[UseId], str]


@dataclass(slots=True)
class QueryContents:
    """The objects of a query answer, RegistryPackages split into SubmissionSets and Folders."""

    documents: list[etree._Element] = field(default_factory=list)
    submission_sets: list[etree._Element] = field(default_factory=list)
    folders: list[etree._Element] = field(default_factory=list)
    associations: list[etree._Element] = field(default_factory=list)
    object_refs: list[etree._Element] = field(default_factory=list)


def read_contents(body: etree._Element | None) -> QueryContents:
    contents = QueryContents()
    if body is None:
        return contents
    packages: list[etree._Element] = []
    node_of: dict[str, str] = {}
    for cl in body.iter(_CL):
        if cl.get("classificationNode"):
            node_of[cl.get("classifiedObject", "")] = cl.get("classificationNode", "")
    for el in body.iter(_EO, _RP, _ASSOC, _REF):
        tag = el.tag
        if tag == _EO:
            contents.documents.append(el)
        elif tag == _RP:
            packages.append(el)
        elif tag == _ASSOC:
            contents.associations.append(el)
        else:
            contents.object_refs.append(el)
    for pkg in packages:
        schemes = {ei.get("identificationScheme") for ei in pkg.iter(_EI)}
        node = node_of.get(pkg.get("id", ""))
        if node == SUBMISSION_SET_NODE or SS_UNIQUE_ID in schemes:
            contents.submission_sets.append(pkg)
        elif node == FOLDER_NODE or FD_UNIQUE_ID in schemes:
            contents.folders.append(pkg)
    return contents


def _status(el: etree._Element) -> str:
    return el.get("status", "").removeprefix(STATUS_PREFIX)


class _Checker:
    """Accumulates the problems of one named check, like the toolkit's `err()`."""

    def __init__(self, c: QueryContents) -> None:
        self.c = c
        self.problems: list[str] = []

    def count(self, what: str, found: list[etree._Element], expected: int) -> None:
        if len(found) != expected:
            self.problems.append(f"found {len(found)} {what} instead of {expected}")

    def has_ss(self) -> None:
        if not self.c.submission_sets:
            self.problems.append("no SubmissionSet found")

    def no_ss(self) -> None:
        if self.c.submission_sets:
            self.problems.append("a SubmissionSet was found")

    def association(
        self, source: etree._Element | None, target: etree._Element | None, kind: str
    ) -> etree._Element | None:
        if source is None or target is None:
            return None
        type_urn = association_type_v3(kind)
        for a in self.c.associations:
            if (
                a.get("sourceObject") == source.get("id")
                and a.get("targetObject") == target.get("id")
                and a.get("associationType") == type_urn
            ):
                return a
        self.problems.append(f"{kind} association missing from {source.get('id')} to {target.get('id')}")
        return None

    def ss_approved(self) -> None:
        if not self.c.submission_sets:
            self.problems.append("no SubmissionSet")
        elif _status(self.c.submission_sets[0]) != "Approved":
            self.problems.append(
                f"SubmissionSet status is {_status(self.c.submission_sets[0])!r}, not Approved"
            )

    def all_docs(self, status: str, require_one: bool) -> None:
        if require_one and not self.c.documents:
            self.problems.append("no DocumentEntry returned")
        for eo in self.c.documents:
            if _status(eo) != status:
                self.problems.append(f"DocumentEntry {eo.get('id')} has status {_status(eo)!r}, not {status}")

    def all_folders(self, status: str) -> None:
        for fol in self.c.folders:
            if _status(fol) != status:
                self.problems.append(f"Folder {fol.get('id')} has status {_status(fol)!r}, not {status}")

    def one_doc(self, status: str) -> None:
        n = sum(1 for eo in self.c.documents if _status(eo) == status)
        if n != 1:
            self.problems.append(f"found {n} {status} DocumentEntries instead of one")

    def relationship(self, kind: str) -> None:
        type_urn = association_type_v3(kind)
        targets = [a.get("targetObject") for a in self.c.associations if a.get("associationType") == type_urn]
        if not targets:
            self.problems.append(f"{kind} association not found")
        elif len(set(targets)) != len(targets):
            self.problems.append(f"several {kind} associations target the same DocumentEntry")

    def ss_with_docs(self, docs: int) -> None:
        self.has_ss()
        self.count("DocumentEntries", self.c.documents, docs)
        self.count("Associations", self.c.associations, docs)
        if not self.problems:
            for eo in self.c.documents:
                self.association(self.c.submission_sets[0], eo, "HasMember")

    def ss_with_docs_in_folder(self, docs: int, associations: int, all_in_folder: bool) -> None:
        self.has_ss()
        self.count("DocumentEntries", self.c.documents, docs)
        self.count("Folders", self.c.folders, 1)
        if self.problems:
            return
        self.count("Associations", self.c.associations, associations)
        ss, fol = self.c.submission_sets[0], self.c.folders[0]
        for eo in self.c.documents:
            self.association(ss, eo, "HasMember")
        self.association(ss, fol, "HasMember")
        in_folder = [
            a
            for a in self.c.associations
            if a.get("sourceObject") == fol.get("id")
            and a.get("targetObject") in {eo.get("id") for eo in self.c.documents}
        ]
        wanted = docs if all_in_folder else 1
        if len(in_folder) < wanted:
            self.problems.append(
                f"found {len(in_folder)} Folder-DocumentEntry HasMember associations, expected {wanted}"
            )
        for a in in_folder[:wanted]:
            self.association(ss, a, "HasMember")


def _count_check(name: str, c: QueryContents, count: int) -> list[str]:
    k = _Checker(c)
    found = {
        "Documents": c.documents,
        "DocumentEntries": c.documents,
        "Folders": c.folders,
        "SubmissionSets": c.submission_sets,
        "Associations": c.associations,
    }[name]
    k.count(name, found, count)
    return k.problems


def _named(name: str, c: QueryContents) -> list[str] | None:
    """Problems of a named check without a count; None when the name is unknown."""
    k = _Checker(c)
    match name:
        case "SSwithOneDoc":
            k.ss_with_docs(1)
            k.ss_approved()
        case "SSwithOneDocOnly":
            k.ss_with_docs(1)
        case "SSwithTwoDoc":
            k.ss_with_docs(2)
            k.ss_approved()
        case "SSwithTwoDocOnly":
            k.ss_with_docs(2)
        case "SSwithOneDocOneFol":
            k.ss_with_docs_in_folder(1, 4, all_in_folder=True)
        case "SSwithTwoDocOneFol":
            k.ss_with_docs_in_folder(2, 7, all_in_folder=True)
        case "SSwithTwoDocOneFolOneDocInFol":
            k.ss_with_docs_in_folder(2, 5, all_in_folder=False)
        case "SSwithOneFol":
            k.has_ss()
            k.count("DocumentEntries", c.documents, 0)
            k.count("Folders", c.folders, 1)
            if not k.problems:
                k.count("Associations", c.associations, 1)
                k.association(c.submission_sets[0], c.folders[0], "HasMember")
        case "SSApproved":
            k.ss_approved()
        case "DocApp":
            k.all_docs("Approved", require_one=True)
        case "DocDep":
            k.all_docs("Deprecated", require_one=False)
        case "OneDocApp":
            k.one_doc("Approved")
        case "OneDocDep":
            k.one_doc("Deprecated")
        case "FolApp":
            k.all_folders("Approved")
        case "FolDep":
            k.all_folders("Deprecated")
        case "HasRPLC" | "HasAPND" | "HasXFRM_RPLC":
            k.relationship(name.removeprefix("Has"))
        case "NoSubmissionSet":
            k.no_ss()
        case "NoDocument":
            k.count("DocumentEntries", c.documents, 0)
        case "None":
            k.no_ss()
            k.count("DocumentEntries", c.documents, 0)
            k.count("Folders", c.folders, 0)
            if not k.problems:
                k.count("Associations", c.associations, 0)
        case _:
            return None
    return k.problems


def _document_entries(spec: etree._Element, c: QueryContents, resolve: UseIdResolver) -> list[str]:
    """`<DocumentEntries>` with MustOnlyInclude / Include / Exclude of UseId-named entries, or a type."""
    problems: list[str] = []
    by_id = {eo.get("id"): eo for eo in c.documents}
    for part in spec:
        if part.tag == "DocumentEntryType":
            wanted = (part.text or "").strip()
            problems += [
                f"DocumentEntry {eo.get('id')} has objectType {eo.get('objectType')}, not {wanted}"
                for eo in c.documents
                if eo.get("objectType") != wanted
            ]
            continue
        if part.tag not in ("MustOnlyInclude", "Include", "Exclude"):
            problems.append(f"DocumentEntries/{part.tag} is not supported by the runner")
            continue
        matched = 0
        for entry in part.iter("DocumentEntry"):
            use = entry.find("UseId")
            if use is None:
                problems.append("DocumentEntry without UseId")
                continue
            wanted_id = resolve(
                UseId(
                    use.get("id", ""),
                    use.get("symbol", ""),
                    use.get("step", ""),
                    use.get("section", ""),
                    use.get("testdir"),
                )
            )
            eo = by_id.get(wanted_id)
            if part.tag == "Exclude":
                if eo is not None:
                    problems.append(f"DocumentEntry {wanted_id} must not be returned")
                continue
            if eo is None:
                problems.append(f"DocumentEntry {wanted_id} was not returned")
                continue
            matched += 1
            type_el = entry.find("DocumentEntryType")
            if type_el is not None and eo.get("objectType") != (type_el.text or "").strip():
                problems.append(f"DocumentEntry {wanted_id} has objectType {eo.get('objectType')}")
        if part.tag == "MustOnlyInclude" and matched != len(c.documents):
            problems.append(f"{len(c.documents)} DocumentEntries returned, only {matched} expected")
    return problems


def check_contents(
    spec: etree._Element, body: etree._Element | None, resolve: UseIdResolver
) -> tuple[list[Check], list[str]]:
    """Every named check of an `<ExpectedContents>` element, and the names the runner does not support."""
    c = read_contents(body)
    checks: list[Check] = []
    unsupported: list[str] = []
    for item in spec:
        if not isinstance(item.tag, str):
            continue
        name = item.tag
        count = item.get("count")
        label = f"ExpectedContents {name}" + (f" count={count}" if count is not None else "")
        if name == "DocumentEntries" and len(item):
            problems = _document_entries(item, c, resolve)
        elif name == "ObjectRefs":
            k = _Checker(c)
            k.count("ObjectRefs", c.object_refs, int(count or 0))
            k.no_ss()
            k.count("DocumentEntries", c.documents, 0)
            k.count("Folders", c.folders, 0)
            k.count("Associations", c.associations, 0)
            problems = k.problems
        elif count is not None and name in (
            "Documents",
            "DocumentEntries",
            "Folders",
            "SubmissionSets",
            "Associations",
        ):
            problems = _count_check(name, c, int(count))
        else:
            found = _named(name, c)
            if found is None:
                unsupported.append(name)
                checks.append(Check(label, False, "not supported by the runner"))
                continue
            problems = found
        checks.append(Check(label, not problems, "; ".join(problems) or "as expected"))
    return checks, unsupported
