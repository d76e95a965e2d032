"""INS rules (dmp-france.md 3.3): the NIR key with the Corsica substitution, and what is refused."""

from __future__ import annotations

import pytest

from pix_pdq.ins import INSError, check_ins, nir_key
from pix_pdq.vocabulary import INS_NIA_OID, INS_NIR_DEMO_OID, INS_NIR_OID, INS_NIR_TEST_OID


@pytest.mark.parametrize(
    ("nir", "key"),
    [
        ("2790351215189", 89),
        ("2770763220829", 10),
        ("1240188524933", 34),
        ("180032B020401", 23),  # Corsica 2B -> 18 (the INSi fixture's 13 is a typo)
        ("180032A020401", 97 - int("1800319020401") % 97),  # Corsica 2A -> 19
    ],
)
def test_nir_key(nir: str, key: int) -> None:
    assert nir_key(nir) == key


@pytest.mark.parametrize("oid", [INS_NIR_OID, INS_NIR_TEST_OID, INS_NIR_DEMO_OID])
def test_valid_nir_in_every_nir_authority(oid: str) -> None:
    check_ins("180032B02040123", oid, "NH")
    check_ins("279035121518989", oid, "")  # CX.5 omitted, as XDS metadata does


@pytest.mark.parametrize(
    ("value", "type_code", "words"),
    [
        ("279035121518988", "NH", "key 88 is wrong"),
        ("180032B02040113", "NH", "has key 23"),
        ("27903512151898", "NH", "14 characters"),
        ("2790351215189890", "NH", "16 characters"),
        ("27903X121518989", "NH", "not 13 digits"),
        ("180032b02040123", "NH", "not 13 digits"),  # lower-case Corsica letter
        ("279035121518989", "PI", "requires 'NH'"),
    ],
)
def test_invalid_nir(value: str, type_code: str, words: str) -> None:
    with pytest.raises(INSError, match=words):
        check_ins(value, INS_NIR_OID, type_code)


def test_nia_is_checked_for_form_but_not_for_the_nir_key() -> None:
    check_ins("734567890123400", INS_NIA_OID, "NH")  # NIA numbering is not the published NIR rule
    with pytest.raises(INSError):
        check_ins("7345678901234", INS_NIA_OID, "NH")
