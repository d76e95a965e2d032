"""ITI-9 PIX Query over MLLP: every case of TF-2 3.9.4.2.2.6."""

from __future__ import annotations

import hl7v2_messages as m
import pytest
from mllp_client import MllpClient, segments

IPP1 = m.cx("IPP1", m.HOSP_A)
B1 = m.cx("B1", m.HOSP_B)
INS = m.cx(m.NIR_1, m.INS_NIR, "NH")


@pytest.fixture
def fed(client: MllpClient) -> MllpClient:
    assert "MSA|AA" in client.exchange(m.adt("A01", f"{IPP1}~{INS}"))
    assert "MSA|AA" in client.exchange(m.adt("A01", f"{B1}~{INS}"))
    return client


def test_all_other_identifiers_when_no_domain_is_asked(fed: MllpClient) -> None:
    response = segments(fed.exchange(m.pix_query(IPP1, tag="T1")))
    assert response["MSH"][0][9] == "RSP^K23^RSP_K23"
    assert response["MSA"][0][1] == "AA"
    assert response["QAK"][0][1:3] == ["T1", "OK"]
    assert response["QPD"][0][3] == IPP1  # echoed as sent
    ids = set(response["PID"][0][3].split("~"))
    assert ids == {f"B1^^^&{m.HOSP_B}&ISO^PI", f"{m.NIR_1}^^^&{m.INS_NIR}&ISO^NH"}  # not the queried one
    assert response["PID"][0][5] == "~^^^^^^S"


def test_what_domains_returned_filters(fed: MllpClient) -> None:
    response = segments(fed.exchange(m.pix_query(IPP1, domains=f"^^^&{m.INS_NIR}&ISO")))
    assert response["PID"][0][3] == f"{m.NIR_1}^^^&{m.INS_NIR}&ISO^NH"


def test_known_id_without_identifier_in_the_asked_domain_is_nf(client: MllpClient) -> None:
    client.exchange(m.adt("A01", IPP1))
    client.exchange(m.adt("A01", B1))
    response = segments(client.exchange(m.pix_query(IPP1, domains=f"^^^&{m.HOSP_B}&ISO")))
    assert response["MSA"][0][1] == "AA"
    assert response["QAK"][0][2] == "NF"
    assert "PID" not in response and "ERR" not in response


def test_unknown_identifier_is_ae_at_qpd_3_1(fed: MllpClient) -> None:
    response = segments(fed.exchange(m.pix_query(m.cx("NOPE", m.HOSP_A))))
    assert response["MSA"][0][1] == "AE"
    assert response["QAK"][0][2] == "AE"
    assert response["ERR"][0][2] == "QPD^1^3^1^1"
    assert response["ERR"][0][3] == "204^Unknown key identifier^HL70357"
    assert "PID" not in response


def test_unknown_authority_of_the_identifier_is_ae_at_qpd_3_4(fed: MllpClient) -> None:
    response = segments(fed.exchange(m.pix_query(m.cx("IPP1", "1.2.3.4.5"))))
    assert response["ERR"][0][2] == "QPD^1^3^1^4"
    assert response["ERR"][0][3].startswith("204^")


def test_unknown_asked_domain_is_ae_at_qpd_4(fed: MllpClient) -> None:
    response = segments(fed.exchange(m.pix_query(IPP1, domains=f"^^^&{m.HOSP_B}&ISO~^^^&1.2.3.4.5&ISO")))
    assert response["MSA"][0][1] == "AE"
    assert response["ERR"][0][2] == "QPD^1^4^2^4"


def test_asked_domain_without_oid_is_ae(fed: MllpClient) -> None:
    response = segments(fed.exchange(m.pix_query(IPP1, domains="^^^HOSPB")))
    assert response["ERR"][0][2] == "QPD^1^4^1^4"
    assert response["ERR"][0][3].startswith("102^")


def test_merged_identifier_is_unknown(fed: MllpClient) -> None:
    fed.exchange(m.adt("A01", m.cx("IPP2", m.HOSP_A)))
    assert "MSA|AA" in fed.exchange(m.adt("A40", IPP1, mrg=m.cx("IPP2", m.HOSP_A)))
    response = segments(fed.exchange(m.pix_query(m.cx("IPP2", m.HOSP_A))))
    assert response["ERR"][0][2] == "QPD^1^3^1^1"


@pytest.mark.parametrize(
    ("qpd", "where"),
    [
        ("QPD|IHE PDQ Query|T|" + IPP1, "QPD^1^1^1"),
        ("QPD|IHE PIX Query|T|", "QPD^1^3^1"),
        ("QPD|IHE PIX Query|T|NOPE^^^HOSP", "QPD^1^3^1^1"),
    ],
)
def test_malformed_queries_name_the_field(fed: MllpClient, qpd: str, where: str) -> None:
    response = segments(fed.exchange("\r".join([m.msh("QBP^Q23^QBP_Q21"), qpd, "RCP|I"])))
    assert response["MSA"][0][1] == "AE"
    assert response["ERR"][0][2] == where


def test_missing_qpd(fed: MllpClient) -> None:
    response = segments(fed.exchange("\r".join([m.msh("QBP^Q23^QBP_Q21"), "RCP|I"])))
    assert response["MSA"][0][1] == "AE"
    assert response["ERR"][0][2] == "QPD^1"
    assert response["QAK"][0][2] == "AE"
