"""ITI-21 Patient Demographics Query over MLLP: demographics, wildcard, domains, paging, cancel."""

from __future__ import annotations

import hl7v2_messages as m
import pytest
from mllp_client import MllpClient, segments

PEOPLE = [
    # (IPP, INS or "", birth name, first names, used name, birth date, sex)
    ("P1", m.NIR_1, "Hélène", "MARIE HELENE", "", "19790301", "F"),
    ("P2", m.NIR_2, "DUPONT", "JEAN", "MARTIN", "19770706", "M"),
    ("P3", "", "DUPONTEL", "JEANNE", "", "19770706", "F"),
    ("P4", m.NIR_3, "DURAND", "PAUL JEAN", "", "19240188"[:6] + "01", "M"),
]


@pytest.fixture
def fed(client: MllpClient) -> MllpClient:
    for ipp, ins, birth_name, first, used, birth, sex in PEOPLE:
        pid3 = m.cx(ipp, m.HOSP_A) + (f"~{m.cx(ins, m.INS_NIR, 'NH')}" if ins else "")
        given = first.split(" ", 1)
        name = f"{birth_name}^{given[0]}^{given[1] if len(given) > 1 else ''}^^^^L" + (
            f"~{used}^^^^^^D" if used else ""
        )
        assert "MSA|AA" in client.exchange(m.adt("A01", pid3, name=name, birth=birth, sex=sex))
    return client


def ipps(response: dict[str, list[list[str]]]) -> list[str]:
    return [
        next(c.split("^")[0] for c in pid[3].split("~") if m.HOSP_A in c) for pid in response.get("PID", [])
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("@PID.5.1.1^HELENE", ["P1"]),  # accents and case do not matter
        ("@PID.5.1^hélène", ["P1"]),
        ("@PID.5.1.1^DUPONT", ["P2"]),  # exact, not a prefix
        ("@PID.5.1.1^DUPONT*", ["P2", "P3"]),  # trailing wildcard
        ("@PID.5.1.1^MARTIN", ["P2"]),  # the used name matches too
        ("@PID.5.1.1^DUPONT*~@PID.7^19770706~@PID.8^F", ["P3"]),
        ("@PID.5.2^JEAN", ["P2", "P4"]),  # any of the first names
        ("@PID.5.2^JEAN*", ["P2", "P3", "P4"]),
        ("@PID.7^19770706", ["P2", "P3"]),
        ("@PID.3.1^P4~@PID.3.4.2^" + m.HOSP_A + "~@PID.3.4.3^ISO", ["P4"]),
        ("@PID.3.1^" + m.NIR_2, ["P2"]),
    ],
)
def test_demographics(fed: MllpClient, params: str, expected: list[str]) -> None:
    response = segments(fed.exchange(m.pdq_query(params)))
    assert response["MSH"][0][9] == "RSP^K22^RSP_K21"
    assert response["MSA"][0][1] == "AA"
    assert response["QAK"][0][2] == "OK"
    assert response["QAK"][0][4:7] == [str(len(expected)), str(len(expected)), "0"]
    assert ipps(response) == expected
    assert "DSC" not in response


def test_pid_carries_the_traits(fed: MllpClient) -> None:
    response = segments(fed.exchange(m.pdq_query("@PID.5.1.1^DUPONT~@PID.7^19770706")))
    pid = response["PID"][0]
    assert pid[5] == "DUPONT^JEAN^^^^^L~MARTIN^^^^^^D"
    assert (pid[7], pid[8]) == ("19770706", "M")


def test_no_match_is_nf(fed: MllpClient) -> None:
    response = segments(fed.exchange(m.pdq_query("@PID.5.1.1^NOBODY")))
    assert response["MSA"][0][1] == "AA"
    assert response["QAK"][0][2] == "NF"
    assert "PID" not in response


def test_what_domains_returned_keeps_only_those_identifiers(fed: MllpClient) -> None:
    response = segments(fed.exchange(m.pdq_query("@PID.7^19770706", domains=f"^^^&{m.INS_NIR}&ISO")))
    assert len(response["PID"]) == 1  # P3 has no INS
    assert response["PID"][0][3] == f"{m.NIR_2}^^^&{m.INS_NIR}&ISO^NH"


def test_unknown_domain_is_ae_at_qpd_8(fed: MllpClient) -> None:
    response = segments(fed.exchange(m.pdq_query("@PID.7^19770706", domains="^^^&1.2.3.4.5&ISO")))
    assert response["MSA"][0][1] == "AE"
    assert response["QAK"][0][2] == "AE"
    assert response["ERR"][0][2] == "QPD^1^8^1^4"
    assert response["ERR"][0][3].startswith("204^")


@pytest.mark.parametrize(
    ("params", "where", "code"),
    [
        ("@PID.5.1.1^DUP~@PID.7^1977", "QPD^1^3^2^2", "102"),
        ("@PID.5.1.1^DUP~@PID.8^Z", "QPD^1^3^2^2", "103"),
        ("@PID.5.1.1^D*P", "QPD^1^3^1^2", "102"),
        ("@PID.18^123", "QPD^1^3^1^1", "103"),
        ("", "QPD^1^3^1", "101"),
    ],
)
def test_bad_parameters_name_their_repetition(fed: MllpClient, params: str, where: str, code: str) -> None:
    response = segments(fed.exchange(m.pdq_query(params)))
    assert response["MSA"][0][1] == "AE"
    assert response["ERR"][0][2] == where
    assert response["ERR"][0][3].startswith(code)


def test_bad_quantity(fed: MllpClient) -> None:
    response = segments(fed.exchange(m.pdq_query("@PID.7^19770706", quantity="many^RD")))
    assert response["ERR"][0][2] == "RCP^1^2^1"


def test_continuation_pages_through_and_then_forgets(fed: MllpClient) -> None:
    first = segments(fed.exchange(m.pdq_query("@PID.5.2^JEAN*", tag="Q9", quantity="2^RD")))
    assert first["QAK"][0][2] == "OK"
    assert first["QAK"][0][4:7] == ["3", "2", "1"]
    assert ipps(first) == ["P2", "P3"]
    pointer = first["DSC"][0][1]
    assert first["DSC"][0][2] == "I"
    second = segments(fed.exchange(m.pdq_query("@PID.5.2^JEAN*", tag="Q9", quantity="2^RD", pointer=pointer)))
    assert ipps(second) == ["P4"]
    assert second["QAK"][0][4:7] == ["3", "1", "0"]
    assert "DSC" not in second
    third = segments(fed.exchange(m.pdq_query("@PID.5.2^JEAN*", tag="Q9", pointer=pointer)))
    assert third["MSA"][0][1] == "AE"
    assert third["ERR"][0][2] == "DSC^1^1^1"


def test_cancel_forgets_the_continuation(fed: MllpClient) -> None:
    first = segments(fed.exchange(m.pdq_query("@PID.5.2^JEAN*", tag="Q10", quantity="1^RD")))
    pointer = first["DSC"][0][1]
    cancel = segments(fed.exchange("\r".join([m.msh("QCN^J01^QCN_J01"), "QID|Q10|IHE PDQ Query"])))
    assert cancel["MSH"][0][9] == "ACK^J01^ACK"
    assert cancel["MSA"][0][1] == "AA"
    after = segments(fed.exchange(m.pdq_query("@PID.5.2^JEAN*", tag="Q10", pointer=pointer)))
    assert after["MSA"][0][1] == "AE"


def test_cancel_without_query_tag(fed: MllpClient) -> None:
    response = segments(fed.exchange("\r".join([m.msh("QCN^J01^QCN_J01"), "QID||IHE PDQ Query"])))
    assert response["MSA"][0][1] == "AE"
    assert response["ERR"][0][2] == "QID^1^1^1"
