"""`<Assertions>`: XPath tests over the section's log, as the toolkit evaluates them (checklist 6.1.3).

The toolkit writes each section's steps into a log document and the plans' XPaths are written against it
(`//TestStep[@id='verify_by_query']//*[local-name()='ExtrinsicObject']`), so the runner builds the same
shape: `TestStep/@id` > transaction element > `InputMetadata` (what was sent) and `Result` (the answer).
"""

from __future__ import annotations

from lxml import etree

from conformance.results import Check

_SUPPORTED_DATA_REF = ("THIS",)


class SectionLog:
    """The growing log document of one section."""

    def __init__(self, test: str, section: str) -> None:
        self.root = etree.Element("TestResults", test=test, section=section)

    def add(
        self, step: str, transaction: str, sent: etree._Element | None, answer: etree._Element | None
    ) -> None:
        step_el = etree.SubElement(self.root, "TestStep", id=step)
        tx = etree.SubElement(step_el, transaction or "Step")
        for name, content in (("InputMetadata", sent), ("Result", answer)):
            holder = etree.SubElement(tx, name)
            if content is not None:
                holder.append(_copy(content))


def _copy(el: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(el))


def _truth(value: object) -> bool:
    if isinstance(value, list):
        return bool(value)
    if isinstance(value, float):
        return value != 0 and value == value
    return bool(value)


def check_assertions(spec: etree._Element, log: SectionLog) -> tuple[list[Check], list[str]]:
    """One Check per `<Assert>`; DataRef files other than THIS are reported unsupported."""
    checks: list[Check] = []
    unsupported: list[str] = []
    for ref in spec.iter("DataRef"):
        if ref.get("file") not in _SUPPORTED_DATA_REF:
            unsupported.append(f"DataRef file={ref.get('file')!r}")
    for assertion in spec.iter("Assert"):
        expr = " ".join("".join(assertion.itertext()).split())
        label = f"Assert {assertion.get('id', '')}".strip()
        try:
            ok = _truth(log.root.xpath(expr))
        except etree.XPathError as exc:
            checks.append(Check(label, False, f"XPath error in {expr!r}: {exc}"))
            continue
        checks.append(Check(label, ok, expr if ok else f"false: {expr}"))
    return checks, unsupported
