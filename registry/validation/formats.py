"""Value-format checks shared by the DocumentEntry, SubmissionSet and Folder rules (checklist 2.2).

Each helper yields `Violation`s for one aspect of one object; the rule modules decide which attributes
they apply to. Data-type parsing itself lives in `xds.ebxml.datatypes`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from registry.validation.rule import Violation
from xds.ebxml import rim
from xds.ebxml.datatypes import (
    CXError,
    DTMError,
    is_oid,
    parse_cx,
    parse_dtm,
    xcn_has_name_or_id,
    xon_has_name,
)
from xds.ebxml.metadata import Author

CODING_SCHEME = "codingScheme"
INTEGER_RE = re.compile(r"[0-9]+")  # [0-9], not \d: \d accepts any Unicode digit

Getter = Callable[[Any], object]


def compact(uuid: str | None) -> str:
    """A scheme UUID without the whitespace some senders insert (see `xds.ebxml.transform`)."""
    return "".join(uuid.split()) if uuid else ""


def missing(label: str, oid: str, required: Iterable[tuple[str, Getter]], obj: object) -> Iterator[Violation]:
    """Required attributes (TF-3 4.3 Table 4.3.1-3, DR column): absent, empty or an empty list."""
    for attribute, get in required:
        if not get(obj):
            yield Violation(f"{label} {oid}: required attribute {attribute} is missing", oid)


def single_valued_slots(label: str, obj: rim.RegistryObject, names: Iterable[str]) -> Iterator[Violation]:
    """A single-valued attribute is one Slot with exactly one Value (TF-3 4.2.3.1.1)."""
    counts = Counter(s.name for s in obj.slots)
    for name in names:
        if counts[name] > 1:
            yield Violation(f"{label} {obj.id}: slot {name} appears {counts[name]} times", obj.id)
        elif counts[name] == 1 and len(obj.slot_values(name)) != 1:
            n = len(obj.slot_values(name))
            yield Violation(f"{label} {obj.id}: slot {name} must have exactly one value, has {n}", obj.id)


def single_external_ids(label: str, obj: rim.RegistryObject) -> Iterator[Violation]:
    """patientId, uniqueId and sourceId are single-valued: one ExternalIdentifier per scheme."""
    counts = Counter(compact(ei.scheme) for ei in obj.external_identifiers)
    for scheme, n in counts.items():
        if n > 1:
            yield Violation(f"{label} {obj.id}: {n} ExternalIdentifiers with scheme {scheme}", obj.id)


def at_most_one_code(
    label: str, oid: str, counts: dict[str, int], names: Iterable[str]
) -> Iterator[Violation]:
    """0..1 coded attributes sent as several Classifications (TF-3 4.3 cardinalities)."""
    for name in names:
        if counts.get(name, 0) > 1:
            yield Violation(f"{label} {oid}: {name} is single-valued but sent {counts[name]} times", oid)


def coded_values(label: str, obj: rim.RegistryObject, schemes: dict[str, str]) -> Iterator[Violation]:
    """A coded value has a code and exactly one codingScheme Slot with one value (TF-3 4.2.3.1.2).

    `schemes` maps the classification schemes that carry codes on this object type to attribute names.
    """
    for cl in obj.classifications:
        attribute = schemes.get(compact(cl.scheme))
        if attribute is None:
            continue
        if not cl.node_representation:
            yield Violation(f"{label} {obj.id}: {attribute} has an empty code (nodeRepresentation)", obj.id)
        values = [v for s in cl.slots if s.name == CODING_SCHEME for v in s.values]
        if len(values) != 1 or not values[0]:
            yield Violation(
                f"{label} {obj.id}: {attribute} {cl.node_representation!r} needs exactly one codingScheme, "
                f"has {len(values)}",
                obj.id,
            )


def dtm(label: str, oid: str, attribute: str, value: str | None) -> Iterator[Violation]:
    if value is None:
        return
    try:
        parse_dtm(value)
    except DTMError as exc:
        yield Violation(f"{label} {oid}: {attribute}: {exc}", oid)


def cx(label: str, oid: str, attribute: str, value: str | None) -> Iterator[Violation]:
    if value is None:
        return
    try:
        parse_cx(value)
    except CXError as exc:
        yield Violation(f"{label} {oid}: {attribute}: {exc}", oid)


def oid_value(label: str, oid: str, attribute: str, value: str | None) -> Iterator[Violation]:
    if value is not None and not is_oid(value):
        yield Violation(f"{label} {oid}: {attribute} {value!r} is not an OID (at most 64 characters)", oid)


def authors(label: str, oid: str, entries: Iterable[Author]) -> Iterator[Violation]:
    """An author has at least authorPerson, authorInstitution or authorTelecommunication (TF-3 4.2.3.1.4);
    authorPerson is an XCN with a name or an id, authorInstitution an XON with a name (Table 4.2.3.1.7-2)."""
    for author in entries:
        if author.person and not xcn_has_name_or_id(author.person):
            yield Violation(f"{label} {oid}: authorPerson {author.person!r} has neither name nor id", oid)
        for institution in author.institutions:
            if not xon_has_name(institution):
                yield Violation(
                    f"{label} {oid}: authorInstitution {institution!r} has no organization name", oid
                )
        if not (author.person or author.institutions or author.telecoms):
            yield Violation(
                f"{label} {oid}: author has none of authorPerson, authorInstitution, authorTelecommunication",
                oid,
            )
