"""xmlsafe: DOCTYPE, entity bombs, XXE, depth and size limits are refused; ordinary SOAP XML parses."""

from __future__ import annotations

import time

import pytest
from soap_server import BILLION_LAUGHS, XXE, nested

from xds.xmlsafe import (
    MalformedXmlError,
    UnsafeXmlError,
    XmlInputError,
    XmlLimits,
    parse_xml,
    serialize,
)


def test_billion_laughs_is_refused_in_milliseconds() -> None:
    start = time.perf_counter()
    with pytest.raises(UnsafeXmlError, match="DOCTYPE"):
        parse_xml(BILLION_LAUGHS)
    assert time.perf_counter() - start < 0.05


def test_external_entity_is_refused() -> None:
    with pytest.raises(UnsafeXmlError, match="DOCTYPE"):
        parse_xml(XXE)


@pytest.mark.parametrize(
    "doc",
    [
        b"<!DOCTYPE a><a/>",
        b'<?xml version="1.0"?>\n<!-- a comment --><?pi x?>\n<!DOCTYPE a SYSTEM "a.dtd"><a/>',
        b'<!DOCTYPE a PUBLIC "-//X//Y" "http://example.org/a.dtd"><a/>',
        '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'.encode("utf-16"),  # BOM + UTF-16
        '<?xml version="1.0" encoding="UTF-16LE"?><!DOCTYPE a><a/>'.encode("utf-16-le"),  # no BOM
    ],
    ids=["bare", "after-prolog", "public", "utf16-bom", "utf16le"],
)
def test_any_doctype_is_refused(doc: bytes) -> None:
    with pytest.raises(UnsafeXmlError, match="DOCTYPE"):
        parse_xml(doc)


def test_doctype_text_inside_cdata_is_data_not_a_declaration() -> None:
    root = parse_xml(b"<a><![CDATA[<!DOCTYPE html>]]></a>")
    assert root.text == "<!DOCTYPE html>"


def test_depth_limit() -> None:
    assert parse_xml(nested(200)).tag == "a"
    with pytest.raises(UnsafeXmlError, match="200 levels"):
        parse_xml(nested(201))
    with pytest.raises(UnsafeXmlError, match="5 levels"):
        parse_xml(nested(6), XmlLimits(max_depth=5))


def test_size_limit_is_checked_before_parsing() -> None:
    limits = XmlLimits(max_bytes=100)
    assert parse_xml(b"<a>" + b"x" * 90 + b"</a>", limits).text == "x" * 90
    # Not even well-formed: proves the size check comes first.
    with pytest.raises(UnsafeXmlError, match="exceeds the limit of 100 bytes"):
        parse_xml(b"<a>" + b"x" * 100, limits)


@pytest.mark.parametrize("doc", [b"", b"<a>", b"<a></b>", b"not xml", b"<a/><b/>"])
def test_malformed_xml(doc: bytes) -> None:
    with pytest.raises(MalformedXmlError) as info:
        parse_xml(doc)
    assert isinstance(info.value, XmlInputError)
    assert isinstance(info.value, ValueError)


def test_encoding_declaration_and_non_ascii_are_fine() -> None:
    # spyne crashed on a root part that starts with an encoding declaration (python-libraries.md §1.4).
    root = parse_xml('<?xml version="1.0" encoding="ISO-8859-1"?><a>é</a>'.encode("latin-1"))
    assert root.text == "é"
    assert serialize(root) == "<a>é</a>".encode()


def test_serialize_has_no_declaration_and_keeps_namespaces() -> None:
    root = parse_xml(b'<r xmlns:x="urn:x"><x:c>1</x:c></r>')
    assert serialize(root[0]) == b'<x:c xmlns:x="urn:x">1</x:c>'
