"""HL7 v2 data types as XDS metadata carries them (TF-3 Table 4.2.3.1.7-2; checklist 2.2)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

OID_RE = re.compile(r"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+$")


def is_oid(value: str) -> bool:
    """An OID: digits and dots, no leading zeros, at most 64 characters (IPF OID_TOO_LONG)."""
    return len(value) <= 64 and bool(OID_RE.fullmatch(value))


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


# --- DTM (TF-3 Table 4.2.3.1.7-2): YYYY[MM[DD[hh[mm[ss]]]]], UTC, no fractions, no time zone ---

DTM_RE = re.compile(r"[0-9]{4}(?:[0-9]{2}){0,5}")  # [0-9], not \d: \d accepts any Unicode digit


class DTMError(ValueError):
    """Why a value is not an XDS DTM."""


def parse_dtm(value: str) -> str:
    """Return `value` when it is a valid DTM, else raise DTMError naming the faulty part.

    Fractional seconds and time zones (`+0100`) are refused: TF-3 requires UTC without an offset, and a
    registry comparing normalized strings would misorder them silently.
    """
    if not DTM_RE.fullmatch(value):
        raise DTMError(
            f"time {value!r} is not of the form YYYY[MM[DD[hh[mm[ss]]]]] (UTC, no zone or fraction)"
        )
    digits = len(value)
    if digits >= 6 and not 1 <= int(value[4:6]) <= 12:
        raise DTMError(f"time {value!r}: month {value[4:6]} out of range")
    if digits >= 8:
        day = int(value[6:8])
        if not 1 <= day <= calendar.monthrange(int(value[:4]), int(value[4:6]))[1]:
            raise DTMError(f"time {value!r}: day {value[6:8]} out of range")
    for start, limit, what in ((8, 23, "hour"), (10, 59, "minute"), (12, 59, "second")):
        if digits > start and int(value[start : start + 2]) > limit:
            raise DTMError(f"time {value!r}: {what} {value[start : start + 2]} out of range")
    return value


def normalize_dtm(value: str, upper: bool = False) -> str:
    """Pad a valid DTM to 14 digits: the first instant it covers, or with `upper` the last one.

    `2004` becomes `20040101000000` (or `20041231235959`), so stored times compare as strings.
    """
    parse_dtm(value)
    if not upper:
        return value + "0101000000"[len(value) - 4 :]
    if len(value) == 4:
        value += "12"
    if len(value) == 6:
        value += f"{calendar.monthrange(int(value[:4]), int(value[4:6]))[1]:02d}"
    return value + "235959"[len(value) - 8 :]


# --- Identifiers and light HL7 checks (checklist 2.2) ---

UUID_URN_RE = re.compile(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SHA1_RE = re.compile(r"[0-9a-fA-F]{40}")


def is_uuid_urn(value: str) -> bool:
    """`urn:uuid:` + RFC 4122 UUID in lower-case hex (TF-3 4.2.3.1.5); anything else is a symbolic id."""
    return bool(UUID_URN_RE.fullmatch(value))


def is_sha1(value: str) -> bool:
    """40 hex digits, either case (TF-3 4.2.3.2.11: hash compares case-insensitively)."""
    return bool(SHA1_RE.fullmatch(value))


def xcn_has_name_or_id(value: str) -> bool:
    """XCN carries at least an identifier (XCN.1) or a family name (XCN.2.1) (TF-3 Table 4.2.3.1.7-2)."""
    parts = value.split("^")
    return bool(parts[0].strip()) or (len(parts) > 1 and bool(parts[1].split("&")[0].strip()))


def xon_has_name(value: str) -> bool:
    """XON.1 (organization name) is required (TF-3 Table 4.2.3.1.7-2)."""
    return bool(value.split("^")[0].strip())
