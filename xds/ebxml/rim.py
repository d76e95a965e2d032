"""The ebRIM 3.0 wire model: a faithful, lossless picture of what the XML says.

Parsing (`parse_submit.py`) fills it, rendering (`render.py`) writes it back; nothing here interprets XDS
semantics. The XDS view of the same objects is `xds/ebxml/metadata.py`, derived by `transform.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Slot:
    name: str
    values: list[str] = field(default_factory=list)
    slot_type: str | None = None


@dataclass(slots=True)
class LocalizedString:
    value: str
    lang: str | None = None
    charset: str | None = None


@dataclass(slots=True)
class Classification:
    id: str
    classified_object: str
    scheme: str | None = None  # classificationScheme (external classification)
    node: str | None = None  # classificationNode (internal classification, e.g. SubmissionSet)
    node_representation: str | None = None
    name: list[LocalizedString] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)


@dataclass(slots=True)
class ExternalIdentifier:
    id: str
    registry_object: str
    scheme: str  # identificationScheme
    value: str
    name: list[LocalizedString] = field(default_factory=list)


@dataclass(slots=True)
class RegistryObject:
    """Common part of ExtrinsicObject, RegistryPackage and Association."""

    id: str
    lid: str | None = None
    object_type: str | None = None
    status: str | None = None
    home: str | None = None
    name: list[LocalizedString] = field(default_factory=list)
    description: list[LocalizedString] = field(default_factory=list)
    version_name: str | None = None
    slots: list[Slot] = field(default_factory=list)
    classifications: list[Classification] = field(default_factory=list)
    external_identifiers: list[ExternalIdentifier] = field(default_factory=list)

    def slot(self, name: str) -> Slot | None:
        return next((s for s in self.slots if s.name == name), None)

    def slot_values(self, name: str) -> list[str]:
        s = self.slot(name)
        return s.values if s else []

    def first_value(self, name: str) -> str | None:
        values = self.slot_values(name)
        return values[0] if values else None


@dataclass(slots=True)
class ExtrinsicObject(RegistryObject):
    mime_type: str | None = None
    is_opaque: bool | None = None


@dataclass(slots=True)
class RegistryPackage(RegistryObject):
    pass


@dataclass(slots=True)
class Association(RegistryObject):
    association_type: str = ""
    source_object: str = ""
    target_object: str = ""


@dataclass(slots=True)
class ObjectRef:
    id: str
    home: str | None = None


@dataclass(slots=True)
class SubmitObjectsRequest:
    """lcm:SubmitObjectsRequest: the objects in document order, plus stand-alone Classifications.

    A SubmissionSet's classification may stand outside the RegistryPackage (TF-3 4.2.1.2.1); parsing keeps
    such Classifications in `classifications` so the transform can attach them.
    """

    extrinsic_objects: list[ExtrinsicObject] = field(default_factory=list)
    registry_packages: list[RegistryPackage] = field(default_factory=list)
    associations: list[Association] = field(default_factory=list)
    classifications: list[Classification] = field(default_factory=list)
    object_refs: list[ObjectRef] = field(default_factory=list)
    request_slots: list[Slot] = field(default_factory=list)


@dataclass(slots=True)
class AdhocQueryRequest:
    """query:AdhocQueryRequest for a stored query: the query id and its raw `$` parameters.

    Each parameter keeps every Slot occurrence separately, because repeated Slots mean AND (checklist 3.1).
    """

    query_id: str
    return_type: str = "LeafClass"
    return_composed_objects: bool = False
    home: str | None = None
    start_index: int = 0
    max_results: int = -1
    parameters: dict[str, list[list[str]]] = field(default_factory=dict)
