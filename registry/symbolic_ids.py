"""Symbolic ids -> UUIDs on acceptance (TF-2 ITI-42 3.42.4.1.3.7; TF-3 4.2.1.5; checklist 2.3).

Every id that is not a UUID gets a new one; the same symbol maps to the same UUID throughout the message
(ids, classifiedObject, registryObject, lid, sourceObject, targetObject); a UUID is never changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from xds.ebxml import rim
from xds.ebxml.datatypes import is_uuid_urn
from xds.ebxml.metadata import Submission


def new_uuid() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def assign_uuids(sub: Submission, make_uuid: Callable[[], str] = new_uuid) -> dict[str, str]:
    """Rewrite `sub` (its XDS view and its rim objects) in place; return symbol -> UUID.

    Runs after validation, so every reference to an object outside the submission is already a UUID.
    """
    mapping: dict[str, str] = {}

    def resolve(oid: str) -> str:
        if is_uuid_urn(oid):
            return oid
        if oid not in mapping:
            mapping[oid] = make_uuid()
        return mapping[oid]

    objects: list[rim.RegistryObject] = [
        *(s.rim for s in sub.submission_sets),
        *(d.rim for d in sub.documents),
        *(f.rim for f in sub.folders),
        *(a.rim for a in sub.associations),
    ]
    for obj in objects:
        obj.id = resolve(obj.id)
        obj.lid = resolve(obj.lid) if obj.lid else obj.id
        for cl in obj.classifications:
            cl.id = resolve(cl.id)
            cl.classified_object = resolve(cl.classified_object)
        for ei in obj.external_identifiers:
            ei.id = resolve(ei.id)
            ei.registry_object = resolve(ei.registry_object)
        if isinstance(obj, rim.Association):
            obj.source_object = resolve(obj.source_object)
            obj.target_object = resolve(obj.target_object)
    for s in sub.submission_sets:
        s.entry_uuid = s.rim.id
    for d in sub.documents:
        d.entry_uuid, d.lid = d.rim.id, d.rim.lid
    for f in sub.folders:
        f.entry_uuid, f.lid = f.rim.id, f.rim.lid
    for a in sub.associations:
        a.entry_uuid, a.source, a.target = a.rim.id, a.rim.source_object, a.rim.target_object
    return mapping
