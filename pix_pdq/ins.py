"""The INS (Identifiant National de Santé) rules: which authorities carry one and what a valid value is.

Reference: dmp-france.md 3.1 (OIDs), 3.2 (CX with `^NH`), 3.3 (NIR key, Corsica), from the CNAM
nir-validation library (NirKey.php, NirValidator.php).
"""

from __future__ import annotations

import re

from pix_pdq.vocabulary import INS_OIDS, INS_TYPE_CODE, NIR_KEYED_OIDS

# 13 characters then a 2-digit key; positions 6-7 are the birth department, `2A`/`2B` for Corsica.
# Deliberately no month or sex check: NIA and temporary numbers use months 20-42 and sex 3/4/7/8
# (dmp-france.md 3.3), and refusing a real INS is worse than the little the extra checks would catch.
INS_RE = re.compile(r"[0-9]{5}(?:[0-9]{2}|2[AB])[0-9]{8}")


class INSError(ValueError):
    """Why a value is not a valid INS; the message is meant for the sender."""


def nir_key(first13: str) -> int:
    """The NIR key: 97 - (13 characters as a number mod 97), with 2A -> 19 and 2B -> 18 (CNAM NirKey.php)."""
    department = first13[5:7]
    digits = first13[:5] + {"2A": "19", "2B": "18"}.get(department, department) + first13[7:]
    return 97 - int(digits) % 97


def is_ins_authority(authority_oid: str) -> bool:
    return authority_oid in INS_OIDS


def check_ins(value: str, authority_oid: str, type_code: str) -> None:
    """Raise INSError unless `value` is a well-formed INS for `authority_oid` with its key right.

    The identifier type, when sent, must be `NH` as the French profiles write it; an empty type is
    accepted because XDS metadata patient ids usually omit CX.5.
    """
    if type_code and type_code != INS_TYPE_CODE:
        raise INSError(
            f"identifier type {type_code!r} for an INS; the French profile requires {INS_TYPE_CODE!r}"
        )
    if len(value) != 15:
        raise INSError(f"INS {value!r} has {len(value)} characters; an INS has 15 (13 + 2-digit key)")
    if not INS_RE.fullmatch(value):
        raise INSError(f"INS {value!r} is not 13 digits (department 2A/2B allowed) followed by a 2-digit key")
    if authority_oid in NIR_KEYED_OIDS:
        expected = nir_key(value[:13])
        if int(value[13:]) != expected:
            raise INSError(
                f"INS {value!r}: key {value[13:]} is wrong, the NIR {value[:13]} has key {expected:02d}"
            )
