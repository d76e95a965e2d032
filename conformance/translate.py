"""ebXML Registry 2.1 submission files -> ebRIM 3.0, as the toolkit does under `<XDSb/>` (checklist 6.1.7).

Most upstream submission files are 2.1; an XDS.b registry only reads 3.0. The rules are those of the
toolkit's TranslateToV3: new namespace and wrapper, ObjectRefs dropped, children in 3.0 order, generated ids
(`id_1`, `id_2`, ...) for Classifications, ExternalIdentifiers and Associations that lack one,
`registryObject` on ExternalIdentifiers, namespaced association types and statuses, fixed objectTypes,
`majorVersion`/`minorVersion` dropped and `lang` -> `xml:lang`. Files already in 3.0 are returned unchanged.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from lxml import etree

from conformance.vocabulary import HAS_MEMBER_PREFIX, IHE_ASSOCIATION_PREFIX, RIM21, RS21, STATUS_PREFIX
from xds.ebxml.namespaces import LCM, NSMAP, RIM, XML, q
from xds.ebxml.vocabulary import (
    OBJECT_TYPE_ASSOCIATION,
    OBJECT_TYPE_CLASSIFICATION,
    OBJECT_TYPE_EXTERNAL_IDENTIFIER,
    OBJECT_TYPE_REGISTRY_PACKAGE,
)

# ebRIM 3.0 RegistryObjectType content order (rim.xsd); other children keep their order after these.
_ORDER = {
    name: i
    for i, name in enumerate(
        ("Slot", "Name", "Description", "VersionInfo", "Classification", "ExternalIdentifier")
    )
}
_FIXED_OBJECT_TYPES = {
    "RegistryPackage": OBJECT_TYPE_REGISTRY_PACKAGE,
    "Association": OBJECT_TYPE_ASSOCIATION,
    "Classification": OBJECT_TYPE_CLASSIFICATION,
    "ExternalIdentifier": OBJECT_TYPE_EXTERNAL_IDENTIFIER,
}
_NEEDS_ID = frozenset({"Association", "Classification", "ExternalIdentifier"})
_DROPPED_ATTRIBUTES = ("majorVersion", "minorVersion")


def is_rim21(root: etree._Element) -> bool:
    return etree.QName(root).namespace == RS21 or any(
        etree.QName(el).namespace == RIM21 for el in root.iter() if isinstance(el.tag, str)
    )


def association_type_v3(value: str) -> str:
    """`HasMember` -> the ebRS URN, other short types -> the IHE URN; namespaced values stay as they are."""
    if ":" in value:
        return value
    return (HAS_MEMBER_PREFIX if value == "HasMember" else IHE_ASSOCIATION_PREFIX) + value


def status_v3(value: str) -> str:
    return value if ":" in value else STATUS_PREFIX + value


def _convert(el: etree._Element, ids: Iterator[str]) -> etree._Element:
    local = etree.QName(el).localname
    new = etree.Element(q(RIM, local), nsmap=NSMAP if local == "RegistryObjectList" else None)
    for name, value in el.attrib.items():
        if name in _DROPPED_ATTRIBUTES:
            continue
        if name == "lang":
            new.set(q(XML, "lang"), value)
        elif name == "associationType":
            new.set(name, association_type_v3(value))
        elif name == "status":
            new.set(name, status_v3(value))
        else:
            new.set(name, value)
    if local in _NEEDS_ID and not new.get("id"):
        new.set("id", next(ids))
    if local in _FIXED_OBJECT_TYPES:
        new.set("objectType", _FIXED_OBJECT_TYPES[local])
    new.text = el.text
    children = [c for c in el if isinstance(c.tag, str) and etree.QName(c).localname != "ObjectRef"]
    children.sort(key=lambda c: _ORDER.get(etree.QName(c).localname, len(_ORDER)))
    for child in children:
        converted = _convert(child, ids)
        if etree.QName(converted).localname == "ExternalIdentifier" and not converted.get("registryObject"):
            converted.set("registryObject", new.get("id", ""))
        new.append(converted)
    return new


def to_rim3(root: etree._Element) -> etree._Element:
    """A 3.0 `lcm:SubmitObjectsRequest` for a 2.1 `rs:SubmitObjectsRequest`; any 3.0 document unchanged."""
    if not is_rim21(root):
        return root
    ids = (f"id_{n}" for n in itertools.count(1))
    request = etree.Element(q(LCM, "SubmitObjectsRequest"), nsmap=NSMAP)
    object_list = etree.SubElement(request, q(RIM, "RegistryObjectList"))
    source_list = root if etree.QName(root).localname == "LeafRegistryObjectList" else None
    if source_list is None:
        source_list = next(
            (
                c
                for c in root
                if isinstance(c.tag, str) and etree.QName(c).localname == "LeafRegistryObjectList"
            ),
            root,
        )
    for child in source_list:
        if not isinstance(child.tag, str) or etree.QName(child).localname == "ObjectRef":
            continue
        object_list.append(_convert(child, ids))
    return request
