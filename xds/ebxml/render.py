"""Wire model -> ebRIM/ebRS 3.0 XML: stored object fragments, RegistryResponse, AdhocQueryResponse.

A registry object is rendered once, at registration, into a standalone fragment that declares the rim
namespace on itself. ITI-18 then splices stored fragments as bytes into rim:RegistryObjectList without
re-parsing them: the hot path of a query is one `bytes.join`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from lxml import etree

from xds.ebxml import rim
from xds.ebxml import vocabulary as v
from xds.ebxml.namespaces import QUERY, RIM, RS, XML, q
from xds.errors import RegistryError

_RIM_NSMAP = {"rim": RIM}
_SLOT = q(RIM, "Slot")
_VALUE_LIST = q(RIM, "ValueList")
_VALUE = q(RIM, "Value")
_LOCALIZED_STRING = q(RIM, "LocalizedString")
_XML_LANG = q(XML, "lang")

_OBJECT_TAGS: dict[type[rim.RegistryObject], str] = {
    rim.ExtrinsicObject: q(RIM, "ExtrinsicObject"),
    rim.RegistryPackage: q(RIM, "RegistryPackage"),
    rim.Association: q(RIM, "Association"),
}


def render_registry_object(obj: rim.RegistryObject) -> bytes:
    """The canonical XML of one ExtrinsicObject, RegistryPackage or Association, ready to be stored.

    Children follow rim.xsd order (Slot, Name, Description, VersionInfo, Classification,
    ExternalIdentifier). The objectType values a query response must carry are always written
    (checklist 2.1; TF-3 4.2.1.2.1); `lid` defaults to `id`.
    """
    el = etree.Element(_OBJECT_TAGS[type(obj)], nsmap=_RIM_NSMAP)
    el.set("id", obj.id)
    el.set("lid", obj.lid or obj.id)
    if isinstance(obj, rim.ExtrinsicObject):
        if obj.object_type:
            el.set("objectType", obj.object_type)
        if obj.mime_type is not None:
            el.set("mimeType", obj.mime_type)
        if obj.is_opaque is not None:
            el.set("isOpaque", "true" if obj.is_opaque else "false")
    elif isinstance(obj, rim.Association):
        el.set("objectType", v.OBJECT_TYPE_ASSOCIATION)
        el.set("associationType", obj.association_type)
        el.set("sourceObject", obj.source_object)
        el.set("targetObject", obj.target_object)
    else:
        el.set("objectType", v.OBJECT_TYPE_REGISTRY_PACKAGE)
    if obj.status:
        el.set("status", obj.status)
    if obj.home:
        el.set("home", obj.home)
    _add_slots(el, obj.slots)
    _add_localized(el, "Name", obj.name)
    _add_localized(el, "Description", obj.description)
    if obj.version_name is not None:
        etree.SubElement(el, q(RIM, "VersionInfo")).set("versionName", obj.version_name)
    for cl in obj.classifications:
        _add_classification(el, cl)
    for ei in obj.external_identifiers:
        _add_external_identifier(el, ei)
    return etree.tostring(el, encoding="utf-8")


def _add_slots(parent: etree._Element, slots: Iterable[rim.Slot]) -> None:
    for slot in slots:
        s = etree.SubElement(parent, _SLOT, name=slot.name)
        if slot.slot_type is not None:
            s.set("slotType", slot.slot_type)
        _add_values(s, slot.values)


def _add_values(slot: etree._Element, values: Iterable[str]) -> None:
    value_list = etree.SubElement(slot, _VALUE_LIST)
    for value in values:
        etree.SubElement(value_list, _VALUE).text = value


def _add_localized(parent: etree._Element, local: str, strings: list[rim.LocalizedString]) -> None:
    if not strings:
        return
    holder = etree.SubElement(parent, q(RIM, local))
    for ls in strings:
        s = etree.SubElement(holder, _LOCALIZED_STRING)
        if ls.charset is not None:
            s.set("charset", ls.charset)
        if ls.lang is not None:
            s.set(_XML_LANG, ls.lang)
        s.set("value", ls.value)


def _add_classification(parent: etree._Element, cl: rim.Classification) -> None:
    el = etree.SubElement(parent, q(RIM, "Classification"))
    el.set("id", cl.id)
    el.set("objectType", v.OBJECT_TYPE_CLASSIFICATION)
    if cl.scheme is not None:
        el.set("classificationScheme", cl.scheme)
    el.set("classifiedObject", cl.classified_object)
    if cl.node is not None:
        el.set("classificationNode", cl.node)
    if cl.node_representation is not None:
        el.set("nodeRepresentation", cl.node_representation)
    _add_slots(el, cl.slots)
    _add_localized(el, "Name", cl.name)


def _add_external_identifier(parent: etree._Element, ei: rim.ExternalIdentifier) -> None:
    el = etree.SubElement(parent, q(RIM, "ExternalIdentifier"))
    el.set("id", ei.id)
    el.set("objectType", v.OBJECT_TYPE_EXTERNAL_IDENTIFIER)
    el.set("registryObject", ei.registry_object)
    el.set("identificationScheme", ei.scheme)
    el.set("value", ei.value)
    _add_localized(el, "Name", ei.name)


def _add_error_list(parent: etree._Element, errors: Sequence[RegistryError]) -> None:
    """rs:RegistryErrorList; each RegistryError has an empty body, as IHE requires (checklist 4.1)."""
    highest = v.Severity.ERROR if any(e.is_error for e in errors) else v.Severity.WARNING
    el = etree.SubElement(parent, q(RS, "RegistryErrorList"), highestSeverity=highest)
    for e in errors:
        err = etree.SubElement(el, q(RS, "RegistryError"))
        err.set("codeContext", e.context)
        err.set("errorCode", e.code)
        err.set("severity", e.severity)
        if e.location:
            err.set("location", e.location)


def render_registry_response(
    status: v.ResponseStatus, errors: Sequence[RegistryError] = ()
) -> etree._Element:
    """rs:RegistryResponse of ITI-41/42 (TF-3 4.2.4); the error list only when there is something to say."""
    el = etree.Element(q(RS, "RegistryResponse"), nsmap={"rs": RS}, status=status)
    if errors:
        _add_error_list(el, errors)
    return el


def render_adhoc_query_response(
    status: v.ResponseStatus,
    *,
    objects: Sequence[bytes] = (),
    refs: Sequence[str] = (),
    errors: Sequence[RegistryError] = (),
) -> bytes:
    """query:AdhocQueryResponse: the RegistryErrorList, then rim:RegistryObjectList (query.xsd order).

    `objects` are fragments from `render_registry_object`, spliced as they are (LeafClass); `refs` are
    ids returned as rim:ObjectRef (ObjectRef). Errors and results may coexist (PartialSuccess, warnings).
    """
    head = etree.Element(
        q(QUERY, "AdhocQueryResponse"), nsmap={"query": QUERY, "rs": RS, "rim": RIM}, status=status
    )
    if errors:
        _add_error_list(head, errors)
    object_list = etree.SubElement(head, q(RIM, "RegistryObjectList"))
    for ref in refs:
        etree.SubElement(object_list, q(RIM, "ObjectRef"), id=ref)
    if not objects:
        return etree.tostring(head, encoding="utf-8")
    # Render the envelope around an empty list, then open it and splice the stored fragments in.
    object_list.text = ""
    envelope = etree.tostring(head, encoding="utf-8")
    cut = envelope.rindex(b"</rim:RegistryObjectList>")
    return b"".join((envelope[:cut], *objects, envelope[cut:]))


def set_status(fragment: bytes, status: str) -> bytes:
    """A stored fragment with a new availabilityStatus, e.g. Deprecated after RPLC (checklist 2.5)."""
    el = etree.fromstring(fragment)
    el.set("status", status)
    return etree.tostring(el, encoding="utf-8")


def patch_slot(fragment: bytes, name: str, values: Sequence[str]) -> bytes:
    """A stored fragment whose Slot `name` carries `values` (added after the last Slot when absent).

    Used for Folder lastUpdateTime, which the registry rewrites whenever a document joins the Folder
    (TF-3 4.2.3.4.6).
    """
    el = etree.fromstring(fragment)
    slots = [child for child in el if child.tag == _SLOT]
    slot = next((s for s in slots if s.get("name") == name), None)
    if slot is None:
        slot = etree.Element(_SLOT, name=name)
        el.insert(len(slots), slot)  # Slots come first in every rim object (rim.xsd)
    else:
        for child in list(slot):
            slot.remove(child)
    _add_values(slot, values)
    return etree.tostring(el, encoding="utf-8")
