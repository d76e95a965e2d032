"""Test oracle: the HL7 v3 Normative Edition 2008 schemas in ../shared/ihe/schema/HL7V3 (issue 4: every v3
message we emit validates). Each interaction schema includes ../coreschemas/*.xsd by relative path, so
compiling from the file resolves them locally; `no_network` makes sure nothing is fetched."""

from __future__ import annotations

from functools import cache

import pytest
from lxml import etree
from schemas import SHARED

MULTICACHE = SHARED / "ihe/schema/HL7V3/NE2008/multicacheschemas"


@cache
def schema(interaction: str) -> etree.XMLSchema:
    if not MULTICACHE.is_dir():
        pytest.skip(f"HL7 v3 schemas not found at {MULTICACHE}")
    parser = etree.XMLParser(no_network=True)
    return etree.XMLSchema(etree.parse(str(MULTICACHE / f"{interaction}.xsd"), parser))


def assert_valid_v3(el: etree._Element | bytes) -> None:
    """Raise AssertionError with libxml2's log unless `el` is valid against its interaction's schema."""
    doc = etree.fromstring(el) if isinstance(el, bytes) else el
    xsd = schema(etree.QName(doc).localname)
    if not xsd.validate(doc):
        log = "\n".join(f"line {e.line}: {e.message}" for e in xsd.error_log)
        raise AssertionError(f"{etree.QName(doc).localname} not valid against NE2008:\n{log}")
