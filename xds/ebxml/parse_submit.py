"""lcm:SubmitObjectsRequest -> the lossless wire model (`rim.SubmitObjectsRequest`).

Used by ITI-42 (Register) and, through `find_submit_objects_request`, by ITI-41 (Provide and Register),
whose xds:ProvideAndRegisterDocumentSetRequest wraps the same element. Only structure is checked here:
what the ebRIM 3.0 schema (rim.xsd) makes mandatory and what the model cannot hold without it. XDS rules
(checklist 2.6) belong to the validator, which reads the result of `transform.to_submission`.

Parsing walks the children with plain lxml iteration and compares Clark tags: no XPath, no schema, so a
typical 10-document submission parses in well under a millisecond.
"""

from __future__ import annotations

from lxml import etree

from xds.ebxml import rim
from xds.ebxml.namespaces import LCM, RIM, XDS, XML, q
from xds.errors import ErrorCode, XdsError

SUBMIT_OBJECTS_REQUEST = q(LCM, "SubmitObjectsRequest")
PROVIDE_AND_REGISTER = q(XDS, "ProvideAndRegisterDocumentSetRequest")

_REQUEST_SLOT_LIST = q(RIM, "RequestSlotList")
_REGISTRY_OBJECT_LIST = q(RIM, "RegistryObjectList")
_EXTRINSIC_OBJECT = q(RIM, "ExtrinsicObject")
_REGISTRY_PACKAGE = q(RIM, "RegistryPackage")
_ASSOCIATION = q(RIM, "Association")
_CLASSIFICATION = q(RIM, "Classification")
_EXTERNAL_IDENTIFIER = q(RIM, "ExternalIdentifier")
_OBJECT_REF = q(RIM, "ObjectRef")
_SLOT = q(RIM, "Slot")
_VALUE = q(RIM, "Value")
_NAME = q(RIM, "Name")
_DESCRIPTION = q(RIM, "Description")
_VERSION_INFO = q(RIM, "VersionInfo")
_LOCALIZED_STRING = q(RIM, "LocalizedString")
_XML_LANG = q(XML, "lang")


def _error(message: str) -> XdsError:
    return XdsError.of(ErrorCode.REGISTRY_METADATA_ERROR, message)


def find_submit_objects_request(el: etree._Element) -> etree._Element:
    """The lcm:SubmitObjectsRequest itself, or the one inside an ITI-41 ProvideAndRegister request."""
    if el.tag == SUBMIT_OBJECTS_REQUEST:
        return el
    if el.tag == PROVIDE_AND_REGISTER:
        for child in el:
            if child.tag == SUBMIT_OBJECTS_REQUEST:
                return child
        raise _error("ProvideAndRegisterDocumentSetRequest has no lcm:SubmitObjectsRequest")
    raise _error(f"expected lcm:SubmitObjectsRequest, got {el.tag}")


def parse_submit_objects_request(el: etree._Element) -> rim.SubmitObjectsRequest:
    """Parse a SubmitObjectsRequest (bare or wrapped by ITI-41) into the wire model, losing nothing."""
    el = find_submit_objects_request(el)
    req = rim.SubmitObjectsRequest()
    object_list = None
    for child in el:
        if child.tag == _REGISTRY_OBJECT_LIST:
            object_list = child
        elif child.tag == _REQUEST_SLOT_LIST:
            req.request_slots = [_parse_slot(s, "SubmitObjectsRequest") for s in child if s.tag == _SLOT]
    if object_list is None:
        raise _error("SubmitObjectsRequest has no rim:RegistryObjectList")
    for index, child in enumerate(object_list):
        tag = child.tag
        if tag == _EXTRINSIC_OBJECT:
            eo = rim.ExtrinsicObject(id=_object_id(child, "ExtrinsicObject"))
            _fill_registry_object(eo, child, "ExtrinsicObject")
            eo.mime_type = child.get("mimeType")
            opaque = child.get("isOpaque")
            eo.is_opaque = None if opaque is None else opaque in ("true", "1")
            req.extrinsic_objects.append(eo)
        elif tag == _REGISTRY_PACKAGE:
            pkg = rim.RegistryPackage(id=_object_id(child, "RegistryPackage"))
            _fill_registry_object(pkg, child, "RegistryPackage")
            req.registry_packages.append(pkg)
        elif tag == _ASSOCIATION:
            req.associations.append(_parse_association(child))
        elif tag == _CLASSIFICATION:
            # Stand-alone, e.g. the SubmissionSet classification outside its package (TF-3 4.2.1.2.1).
            cid = child.get("id") or f"classification-{index}"
            req.classifications.append(_parse_classification(child, cid, None))
        elif tag == _OBJECT_REF:
            req.object_refs.append(rim.ObjectRef(id=_object_id(child, "ObjectRef"), home=child.get("home")))
        elif isinstance(tag, str):  # comments and processing instructions have a non-str tag
            raise _error(f"unsupported object {etree.QName(tag).localname} in RegistryObjectList")
    return req


def _object_id(el: etree._Element, kind: str) -> str:
    oid = el.get("id")
    if not oid:
        raise _error(f"{kind} without id attribute")
    return oid


def _fill_registry_object(obj: rim.RegistryObject, el: etree._Element, kind: str) -> None:
    """Attributes and children common to ExtrinsicObject, RegistryPackage and Association (rim.xsd)."""
    oid = obj.id
    obj.lid = el.get("lid")
    obj.object_type = el.get("objectType")
    obj.status = el.get("status")
    obj.home = el.get("home")
    where = f"{kind} {oid}"
    for child in el:
        tag = child.tag
        if tag == _SLOT:
            obj.slots.append(_parse_slot(child, where))
        elif tag == _CLASSIFICATION:
            # A nested Classification may omit its id; the registry replaces symbolic ids (TF-2 3.42.4.1.3.7).
            cid = child.get("id") or f"{oid}-classification-{len(obj.classifications)}"
            obj.classifications.append(_parse_classification(child, cid, oid))
        elif tag == _EXTERNAL_IDENTIFIER:
            eid = child.get("id") or f"{oid}-identifier-{len(obj.external_identifiers)}"
            obj.external_identifiers.append(_parse_external_identifier(child, eid, oid))
        elif tag == _NAME:
            obj.name = _parse_localized(child)
        elif tag == _DESCRIPTION:
            obj.description = _parse_localized(child)
        elif tag == _VERSION_INFO:
            obj.version_name = child.get("versionName")


def _parse_slot(el: etree._Element, where: str) -> rim.Slot:
    name = el.get("name")
    if not name:
        raise _error(f"{where}: Slot without name attribute")
    # Only Slot/ValueList/Value can hold a rim:Value (rim.xsd); one C-level walk is the fastest read.
    values = [v.text or "" for v in el.iterdescendants(_VALUE)]
    return rim.Slot(name=name, values=values, slot_type=el.get("slotType"))


def _parse_localized(el: etree._Element) -> list[rim.LocalizedString]:
    return [
        rim.LocalizedString(value=ls.get("value", ""), lang=ls.get(_XML_LANG), charset=ls.get("charset"))
        for ls in el
        if ls.tag == _LOCALIZED_STRING
    ]


def _parse_classification(el: etree._Element, cid: str, parent: str | None) -> rim.Classification:
    classified = el.get("classifiedObject") or parent
    if not classified:
        raise _error(f"Classification {cid}: missing classifiedObject")
    scheme = el.get("classificationScheme")
    node = el.get("classificationNode")
    if scheme is None and node is None:
        raise _error(f"Classification {cid}: neither classificationScheme nor classificationNode")
    cl = rim.Classification(
        id=cid,
        classified_object=classified,
        scheme=scheme,
        node=node,
        node_representation=el.get("nodeRepresentation"),
    )
    where = f"Classification {cid}"
    for child in el:
        if child.tag == _SLOT:
            cl.slots.append(_parse_slot(child, where))
        elif child.tag == _NAME:
            cl.name = _parse_localized(child)
    return cl


def _parse_external_identifier(el: etree._Element, eid: str, parent: str) -> rim.ExternalIdentifier:
    scheme = el.get("identificationScheme")
    if not scheme:
        raise _error(f"ExternalIdentifier {eid} of {parent}: missing identificationScheme")
    value = el.get("value")
    if value is None:
        raise _error(f"ExternalIdentifier {eid} of {parent}: missing value")
    name: list[rim.LocalizedString] = []
    for child in el:
        if child.tag == _NAME:
            name = _parse_localized(child)
    return rim.ExternalIdentifier(
        id=eid, registry_object=el.get("registryObject") or parent, scheme=scheme, value=value, name=name
    )


def _parse_association(el: etree._Element) -> rim.Association:
    aid = _object_id(el, "Association")
    attrs = {}
    for attr in ("associationType", "sourceObject", "targetObject"):
        value = el.get(attr)
        if not value:
            raise _error(f"Association {aid}: missing {attr}")
        attrs[attr] = value
    assoc = rim.Association(
        id=aid,
        association_type=attrs["associationType"],
        source_object=attrs["sourceObject"],
        target_object=attrs["targetObject"],
    )
    _fill_registry_object(assoc, el, "Association")
    return assoc
