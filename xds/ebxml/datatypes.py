"""HL7 v2 data types as XDS metadata carries them (TF-3 Table 4.2.3.1.7-2; checklist 2.2)."""

from __future__ import annotations

import re
from dataclasses import dataclass

OID_RE = re.compile(r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+$")


def is_oid(value: str) -> bool:
    """An OID: digits and dots, no leading zeros, at most 64 characters (IPF OID_TOO_LONG)."""
    return len(value) <= 64 and bool(OID_RE.match(value))


@dataclass(frozen=True, slots=True)
class CX:
    """A patient identifier `IdNumber^^^&OIDofAA&ISO` (checklist 2.2, CX)."""

    id_number: str
    authority_oid: str

    def __str__(self) -> str:
        return f"{self.id_number}^^^&{self.authority_oid}&ISO"


class CXError(ValueError):
    """Why a CX value is not a valid XDS patient id."""


def parse_cx(value: str) -> CX:
    """Parse an XDS patient id strictly: components 2 and 3 empty, component 4 `&OID&ISO`.

    A fifth component (identifier type code, e.g. `^NH` in the French profile) is tolerated; nothing after.
    """
    parts = value.split("^")
    if len(parts) < 4 or len(parts) > 5:
        raise CXError(f"patient id {value!r} is not of the form id^^^&OID&ISO")
    id_number, c2, c3, authority = parts[:4]
    if not id_number:
        raise CXError(f"patient id {value!r} has an empty id number")
    if c2 or c3:
        raise CXError(f"patient id {value!r}: components 2 and 3 must be empty")
    sub = authority.split("&")
    if len(sub) != 3 or sub[0] or sub[2] != "ISO" or not is_oid(sub[1]):
        raise CXError(f"patient id {value!r}: assigning authority must be &OID&ISO")
    return CX(id_number, sub[1])
