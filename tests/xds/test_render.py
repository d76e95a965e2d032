"""render: stored fragments round-trip, and every response validates against the official schemas."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from lxml import etree
from schemas import assert_valid

from xds.ebxml import rim
from xds.ebxml import vocabulary as v
from xds.ebxml.namespaces import LCM, RIM, RS, q
from xds.ebxml.parse_submit import parse_submit_objects_request
from xds.ebxml.render import (
    patch_slot,
    render_adhoc_query_response,
    render_registry_object,
    render_registry_response,
    set_status,
)
from xds.ebxml.transform import to_submission
from xds.errors import ErrorCode, RegistryError

SAMPLES = [
    "SubmitObjectsRequest_ebrs30.xml",
    "SubmitObjectsRequest_ebrs30_2.xml",
    "SubmitObjectsRequest_ebrs3_extra_metadata.xml",
]


def objects_of(shared: Path, name: str) -> list[rim.RegistryObject]:
    """The submission's objects as the registry stores them: stand-alone classifications attached."""
    el = etree.parse(str(shared / "samples" / "ipf" / name)).getroot()
    sub = to_submission(parse_submit_objects_request(el))
    return [
        *(d.rim for d in sub.documents),
        *(s.rim for s in sub.submission_sets),
        *(a.rim for a in sub.associations),
    ]


def reparse(fragments: list[bytes]) -> rim.SubmitObjectsRequest:
    body = b"".join(fragments)
    xml = f'<lcm:SubmitObjectsRequest xmlns:lcm="{LCM}"><rim:RegistryObjectList xmlns:rim="{RIM}">'.encode()
    return parse_submit_objects_request(
        etree.fromstring(xml + body + b"</rim:RegistryObjectList></lcm:SubmitObjectsRequest>")
    )


@pytest.mark.parametrize("name", SAMPLES)
def test_round_trip_parse_render_parse_is_identity(shared: Path, name: str) -> None:
    objects = objects_of(shared, name)
    again = reparse([render_registry_object(o) for o in objects])
    assert [*again.extrinsic_objects, *again.registry_packages, *again.associations] == [
        # Rendering adds the defaults a query response must carry: lid and the fixed objectTypes.
        _with_render_defaults(o)
        for o in objects
    ]


def _with_render_defaults(obj: rim.RegistryObject) -> rim.RegistryObject:
    obj.lid = obj.lid or obj.id
    if isinstance(obj, rim.Association):
        obj.object_type = v.OBJECT_TYPE_ASSOCIATION
    elif isinstance(obj, rim.RegistryPackage):
        obj.object_type = v.OBJECT_TYPE_REGISTRY_PACKAGE
    return obj


@pytest.mark.parametrize("name", SAMPLES)
def test_spliced_fragments_make_a_valid_submit_request(shared: Path, name: str) -> None:
    fragments = [render_registry_object(o) for o in objects_of(shared, name)]
    xml = f'<lcm:SubmitObjectsRequest xmlns:lcm="{LCM}"><rim:RegistryObjectList xmlns:rim="{RIM}">'.encode()
    assert_valid(xml + b"".join(fragments) + b"</rim:RegistryObjectList></lcm:SubmitObjectsRequest>", "lcm")


def test_fragment_is_canonical(shared: Path) -> None:
    ss = objects_of(shared, "SubmitObjectsRequest_ebrs30.xml")[1]
    el = etree.fromstring(render_registry_object(ss))
    assert not render_registry_object(ss).startswith(b"<?xml")
    assert el.nsmap == {"rim": RIM}
    assert (el.get("id"), el.get("lid"), el.get("objectType")) == (
        "SubmissionSet01",
        "SubmissionSet01",
        v.OBJECT_TYPE_REGISTRY_PACKAGE,
    )
    assert [etree.QName(c).localname for c in el] == [
        "Slot",
        "Name",
        "Description",
        "Classification",
        "Classification",
        "Classification",
        "ExternalIdentifier",
        "ExternalIdentifier",
        "ExternalIdentifier",
    ]
    assert {c.get("objectType") for c in el.iterchildren(q(RIM, "Classification"))} == {
        v.OBJECT_TYPE_CLASSIFICATION
    }
    assert {c.get("objectType") for c in el.iterchildren(q(RIM, "ExternalIdentifier"))} == {
        v.OBJECT_TYPE_EXTERNAL_IDENTIFIER
    }


def test_extrinsic_object_attributes_and_schema_order() -> None:
    eo = rim.ExtrinsicObject(
        id="urn:uuid:aaaaaaaa-0000-4000-8000-000000000001",
        object_type=v.DOCUMENT_ENTRY_ON_DEMAND,
        status=v.Status.APPROVED,
        home="urn:oid:1.2.3",
        mime_type="text/plain",
        is_opaque=False,
        version_name="1",
        name=[rim.LocalizedString("Été & <co>", "fr-FR", "UTF-8")],
        description=[rim.LocalizedString("d")],
        slots=[rim.Slot("size", ["1"], "int")],
        classifications=[rim.Classification("c", "x", scheme=v.DE_AUTHOR, node_representation="")],
    )
    fragment = render_registry_object(eo)
    el = etree.fromstring(fragment)
    assert el.get("objectType") == v.DOCUMENT_ENTRY_ON_DEMAND  # a DocumentEntry keeps its own type
    assert (el.get("status"), el.get("home"), el.get("isOpaque"), el.get("lid")) == (
        v.Status.APPROVED,
        "urn:oid:1.2.3",
        "false",
        eo.id,
    )
    assert [etree.QName(c).localname for c in el] == [
        "Slot",
        "Name",
        "Description",
        "VersionInfo",
        "Classification",
    ]
    assert el[3].get("versionName") == "1"
    assert el[4].get("nodeRepresentation") == ""  # author: empty, not absent (TF-3 4.2.3.1.4)
    assert reparse([fragment]).extrinsic_objects == [dataclasses.replace(eo, lid=eo.id)]


def _response_errors() -> list[RegistryError]:
    return [
        RegistryError(ErrorCode.REGISTRY_METADATA_ERROR, "DocumentEntry d1: classCode missing", "d1"),
        RegistryError(ErrorCode.EXTRA_METADATA_NOT_SAVED, "slot urn:x dropped", severity=v.Severity.WARNING),
    ]


@pytest.mark.parametrize(
    ("status", "errors", "highest"),
    [
        (v.ResponseStatus.SUCCESS, [], None),
        (v.ResponseStatus.FAILURE, _response_errors(), v.Severity.ERROR),
        (v.ResponseStatus.SUCCESS, _response_errors()[1:], v.Severity.WARNING),
    ],
)
def test_registry_response_is_schema_valid(
    status: v.ResponseStatus, errors: list[RegistryError], highest: str
) -> None:
    el = render_registry_response(status, errors)
    assert_valid(el, "rs")
    assert_valid(el, "xdsb")
    assert el.get("status") == status
    error_list = el.find(q(RS, "RegistryErrorList"))
    if highest is None:
        assert error_list is None
        return
    assert error_list.get("highestSeverity") == highest
    rendered = list(error_list)
    assert [
        (e.get("errorCode"), e.get("codeContext"), e.get("severity"), e.get("location")) for e in rendered
    ] == [(err.code, err.context, err.severity, err.location or None) for err in errors]
    assert all(e.text is None and len(e) == 0 for e in rendered)  # empty body (checklist 4.1)


def test_adhoc_query_response_leafclass_splices_fragments(shared: Path) -> None:
    fragments = [render_registry_object(o) for o in objects_of(shared, "SubmitObjectsRequest_ebrs30.xml")]
    out = render_adhoc_query_response(v.ResponseStatus.SUCCESS, objects=fragments)
    assert all(f in out for f in fragments)  # spliced as bytes, not re-serialized
    assert_valid(out, "query")
    assert_valid(out, "xdsb")
    object_list = etree.fromstring(out)[0]
    assert [etree.QName(c).localname for c in object_list] == [
        "ExtrinsicObject",
        "RegistryPackage",
        "Association",
        "Association",
    ]


def test_adhoc_query_response_object_refs_and_errors() -> None:
    refs = ["urn:uuid:aaaaaaaa-0000-4000-8000-000000000001", "urn:uuid:aaaaaaaa-0000-4000-8000-000000000002"]
    out = render_adhoc_query_response(v.ResponseStatus.PARTIAL_SUCCESS, refs=refs, errors=_response_errors())
    assert_valid(out, "query")
    el = etree.fromstring(out)
    assert [etree.QName(c).localname for c in el] == ["RegistryErrorList", "RegistryObjectList"]
    assert [r.get("id") for r in el[1]] == refs


def test_adhoc_query_response_failure_is_empty_but_valid() -> None:
    out = render_adhoc_query_response(v.ResponseStatus.FAILURE, errors=_response_errors()[:1])
    assert_valid(out, "query")
    el = etree.fromstring(out)
    assert len(el[1]) == 0


def test_set_status_and_patch_slot_keep_the_fragment_valid(shared: Path) -> None:
    de, ss = objects_of(shared, "SubmitObjectsRequest_ebrs30.xml")[:2]
    deprecated = set_status(render_registry_object(de), v.Status.DEPRECATED)
    assert reparse([deprecated]).extrinsic_objects[0].status == v.Status.DEPRECATED

    fragment = render_registry_object(ss)
    added = patch_slot(fragment, "lastUpdateTime", ["20240101120000"])
    package = reparse([added]).registry_packages[0]
    assert [s.name for s in package.slots] == ["submissionTime", "lastUpdateTime"]  # after the last Slot
    replaced = patch_slot(added, "submissionTime", ["20250101", "x"])
    package = reparse([replaced]).registry_packages[0]
    assert package.slots[0] == rim.Slot("submissionTime", ["20250101", "x"])
    assert package.first_value("lastUpdateTime") == "20240101120000"
    out = render_adhoc_query_response(v.ResponseStatus.SUCCESS, objects=[deprecated, replaced])
    assert_valid(out, "query")


def test_patch_slot_keeps_slot_type() -> None:
    pkg = rim.RegistryPackage(id="f", slots=[rim.Slot("lastUpdateTime", ["1999"], "DTM")])
    patched = patch_slot(render_registry_object(pkg), "lastUpdateTime", ["2000"])
    assert reparse([patched]).registry_packages[0].slots == [rim.Slot("lastUpdateTime", ["2000"], "DTM")]
