"""Test oracle: the official ebRS 3.0 / XDS.b schemas from ../shared/ihe/schema (checklist 6.4).

The product never validates against them; tests do, so that what we render is what other implementations
parse. rim.xsd imports http://www.w3.org/2001/xml.xsd: an lxml Resolver maps it to the local copy named
by shared/ihe/catalog.xml, so compiling works offline whatever libxml2 did with XML_CATALOG_FILES.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from lxml import etree

SHARED = Path(__file__).resolve().parents[2] / "shared"
IHE = SHARED / "ihe"
SCHEMAS = {
    "rs": "schema/ebRS/rs.xsd",
    "query": "schema/ebRS/query.xsd",
    "lcm": "schema/ebRS/lcm.xsd",
    "rim": "schema/ebRS/rim.xsd",
    "xdsb": "schema/IHE/XDS.b_DocumentRepository.xsd",
}
_XML_XSD = "http://www.w3.org/2001/xml.xsd"


class _LocalXmlXsd(etree.Resolver):
    def resolve(self, system_url: str, public_id: str, context: object) -> object:
        if system_url == _XML_XSD:
            return self.resolve_filename(str(IHE / "schema/w3c/xml.xsd"), context)
        return None


@cache
def _schema(name: str) -> etree.XMLSchema:
    if not IHE.is_dir():
        pytest.skip(f"official schemas not found at {IHE}")
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalXmlXsd())
    return etree.XMLSchema(etree.parse(str(IHE / SCHEMAS[name]), parser))


def assert_valid(doc: etree._Element | bytes, schema: str = "rs") -> None:
    """Raise AssertionError with libxml2's error log unless `doc` is valid against `schema`."""
    el = etree.fromstring(doc) if isinstance(doc, bytes) else doc
    xsd = _schema(schema)
    if not xsd.validate(el):
        log = "\n".join(f"line {e.line}: {e.message}" for e in xsd.error_log)
        raise AssertionError(f"not valid against {SCHEMAS[schema]}:\n{log}")
