"""datatypes: DTM, UUID, SHA1, XCN/XON and OID checks (TF-3 Table 4.2.3.1.7-2; checklist 2.2)."""

from __future__ import annotations

import pytest

from xds.ebxml.datatypes import (
    DTMError,
    is_oid,
    is_sha1,
    is_uuid_urn,
    normalize_dtm,
    parse_dtm,
    xcn_has_name_or_id,
    xon_has_name,
)


@pytest.mark.parametrize(
    "value",
    [
        "2004",
        "200412",
        "20041224",
        "2004122423",
        "200412242359",
        "20041224235959",
        "20000229",
        "20241231235959",
    ],
)
def test_valid_dtm(value: str) -> None:
    assert parse_dtm(value) == value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "not of the form"),
        ("200", "not of the form"),
        ("20041", "not of the form"),  # odd number of digits
        ("200412241200000", "not of the form"),
        ("20041224120000.5", "not of the form"),  # fractions refused
        ("20041224120000+0100", "not of the form"),  # time zones refused: TF-3 says UTC
        ("2004-12-24", "not of the form"),
        ("20041224\n", "not of the form"),
        ("２００４", "not of the form"),  # full-width digits are digits to \d, not to DTM
        ("200400", "month 00"),
        ("200413", "month 13"),
        ("20040100", "day 00"),
        ("20030229", "day 29"),  # 2003 is not a leap year
        ("19000229", "day 29"),  # nor is 1900
        ("20040431", "day 31"),
        ("2004122424", "hour 24"),
        ("200412242360", "minute 60"),
        ("20041224235960", "second 60"),
    ],
)
def test_invalid_dtm(value: str, message: str) -> None:
    with pytest.raises(DTMError, match=message):
        parse_dtm(value)


@pytest.mark.parametrize(
    ("value", "lower", "upper"),
    [
        ("2004", "20040101000000", "20041231235959"),
        ("200402", "20040201000000", "20040229235959"),
        ("200302", "20030201000000", "20030228235959"),
        ("20041224", "20041224000000", "20041224235959"),
        ("2004122408", "20041224080000", "20041224085959"),
        ("200412240830", "20041224083000", "20041224083059"),
        ("20041224083015", "20041224083015", "20041224083015"),
    ],
)
def test_normalize_dtm(value: str, lower: str, upper: str) -> None:
    assert normalize_dtm(value) == lower
    assert normalize_dtm(value, upper=True) == upper


def test_normalize_refuses_invalid_dtm() -> None:
    with pytest.raises(DTMError):
        normalize_dtm("20041332")


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1", True),
        ("urn:uuid:7EDCA82F-054D-47F2-A032-9B2A5B5186C1", False),  # lower-case hex only (TF-3 4.2.3.1.5)
        ("7edca82f-054d-47f2-a032-9b2a5b5186c1", False),
        ("urn:uuid:7edca82f054d47f2a0329b2a5b5186c1", False),
        ("urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1\n", False),
        ("Document01", False),
    ],
)
def test_is_uuid_urn(value: str, ok: bool) -> None:
    assert is_uuid_urn(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("da39a3ee5e6b4b0d3255bfef95601890afd80709", True),
        ("DA39A3EE5E6B4B0D3255BFEF95601890AFD80709", True),
        ("da39a3ee5e6b4b0d3255bfef95601890afd8070", False),
        ("da39a3ee5e6b4b0d3255bfef95601890afd8070g", False),
    ],
)
def test_is_sha1(value: str, ok: bool) -> None:
    assert is_sha1(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("^Welby^Marcus^^^Dr^MD", True),
        ("11375^^^^^^^^&1.2.840.113619.6.197&ISO", True),
        ("^Smith&van^John", True),
        ("Gerald Smitty", True),  # a bare string is read as XCN.1
        ("^^Marcus", False),
        ("", False),
    ],
)
def test_xcn_has_name_or_id(value: str, ok: bool) -> None:
    assert xcn_has_name_or_id(value) is ok


def test_xon_has_name() -> None:
    assert xon_has_name("Some Hospital^^^^^^^^^1.2.3.4.5.6.7.8.9.1789.45")
    assert not xon_has_name("^^^^^^^^^1.2.3")


def test_is_oid_refuses_trailing_newline() -> None:
    assert is_oid("1.2.3")
    assert not is_oid("1.2.3\n")
