"""parse_query: ITI-18 AdhocQueryRequest, IPF's sample and repeated Slots (checklist 3.1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from xds.ebxml import vocabulary as v
from xds.ebxml.namespaces import QUERY, RIM
from xds.ebxml.parse_query import parse_adhoc_query_request
from xds.ebxml.query_values import QueryValueError, parse_value_list
from xds.errors import ErrorCode, XdsError


def request(
    slots: str, option: str = 'returnType="ObjectRef"', attrs: str = "", query: str = ""
) -> etree._Element:
    return etree.fromstring(
        f'<query:AdhocQueryRequest xmlns:query="{QUERY}" xmlns:rim="{RIM}" {attrs}>'
        f"<query:ResponseOption {option}/>"
        f'<rim:AdhocQuery id="{v.StoredQuery.FIND_DOCUMENTS}" {query}>{slots}</rim:AdhocQuery>'
        "</query:AdhocQueryRequest>"
    )


def slot(name: str, *values: str) -> str:
    body = "".join(f"<rim:Value>{x}</rim:Value>" for x in values)
    return f'<rim:Slot name="{name}"><rim:ValueList>{body}</rim:ValueList></rim:Slot>'


def test_ipf_sample(shared: Path) -> None:
    req = parse_adhoc_query_request(etree.parse(str(shared / "samples/ipf/iti18request.xml")).getroot())
    assert req.query_id == v.StoredQuery.FIND_DOCUMENTS
    assert (req.return_type, req.return_composed_objects, req.home) == ("LeafClass", True, None)
    assert (req.start_index, req.max_results) == (0, -1)
    assert req.parameters["$XDSDocumentEntryStatus"] == [
        ["('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')"]
    ]
    assert parse_value_list(req.parameters["$XDSDocumentEntryCreationTimeTo"][0]) == ["20221016161616"]
    assert parse_value_list(req.parameters["$XDSDocumentEntryCreationTimeFrom"][0]) == ["20221015151515"]
    # The SQL-injection attempt: '' escapes a quote, so the string never closes; it is refused, not run.
    (raw,) = req.parameters["$XDSDocumentEntryPatientId"]
    with pytest.raises(QueryValueError, match="unterminated"):
        parse_value_list(raw)


def test_repeated_slots_stay_separate_for_and_semantics() -> None:
    req = parse_adhoc_query_request(
        request(
            slot("$XDSDocumentEntryEventCodeList", "('a^^s',", "'b^^s')")
            + slot("$XDSDocumentEntryEventCodeList", "('c^^s')")
            + '<rim:Slot name="$empty"/>',
            attrs='startIndex="5" maxResults="10"',
            query='home="urn:oid:1.2.3"',
        )
    )
    assert req.parameters == {
        "$XDSDocumentEntryEventCodeList": [["('a^^s',", "'b^^s')"], ["('c^^s')"]],
        "$empty": [[]],
    }
    assert (req.return_type, req.return_composed_objects) == ("ObjectRef", False)
    assert (req.home, req.start_index, req.max_results) == ("urn:oid:1.2.3", 5, 10)


def test_missing_return_type_reads_as_leafclass() -> None:
    assert parse_adhoc_query_request(request("", option="")).return_type == "LeafClass"


@pytest.mark.parametrize(
    ("el", "message"),
    [
        (request("", option='returnType="RegistryObject"'), "returnType 'RegistryObject' is not supported"),
        (request("", attrs='maxResults="ten"'), "maxResults 'ten' is not an integer"),
        (request("<rim:Slot><rim:ValueList/></rim:Slot>"), "Slot without name"),
        (etree.fromstring(f'<query:AdhocQueryRequest xmlns:query="{QUERY}"/>'), "no rim:AdhocQuery"),
        (etree.fromstring(f'<rim:AdhocQuery xmlns:rim="{RIM}" id="x"/>'), "expected query:AdhocQueryRequest"),
        (
            etree.fromstring(
                f'<query:AdhocQueryRequest xmlns:query="{QUERY}" xmlns:rim="{RIM}"><rim:AdhocQuery/>'
                "</query:AdhocQueryRequest>"
            ),
            "without id",
        ),
    ],
)
def test_malformed_requests_are_registry_errors(el: etree._Element, message: str) -> None:
    with pytest.raises(XdsError) as caught:
        parse_adhoc_query_request(el)
    (error,) = caught.value.errors
    assert error.code == ErrorCode.REGISTRY_ERROR
    assert message in error.context
