"""ITI-45 PIX Query HL7 v3 over SOAP 1.2: every case of TF-2 3.45.4.2.3."""

from __future__ import annotations

import hl7v3_messages as m
import pytest
from v3_client import NS, V3Client, ids

HOSP_A, HOSP_B, INS = "1.2.250.1.999.1.1", "1.2.250.1.999.2.1", "1.2.250.1.213.1.4.8"
NIR_1 = "279035121518989"
QUERY = "PRPA_IN201309UV02"
PARAMETERS = f"/{QUERY}/controlActProcess/queryByParameter/parameterList"


@pytest.fixture
def fed(v3: V3Client) -> V3Client:
    add = "PRPA_IN201301UV02"
    person = m.person(other_ids=((INS, NIR_1),))
    assert v3.pix(add, m.feed(add, ((HOSP_A, "IPP1"),), patient_person=person)).ack == "AA"
    assert v3.pix(add, m.feed(add, ((HOSP_B, "B1"),), patient_person=person)).ack == "AA"
    return v3


def test_all_other_identifiers_when_no_domain_is_asked(fed: V3Client) -> None:
    answer = fed.pix(QUERY, m.pix_query((HOSP_A, "IPP1"), query_id="T1"))
    assert answer.action == "urn:hl7-org:v3:PRPA_IN201310UV02"
    assert (answer.ack, answer.query_response) == ("AA", "OK")
    assert answer.attr("v3:controlActProcess/v3:queryAck/v3:queryId/@extension") == "T1"
    assert answer.attr("v3:controlActProcess/v3:code/@code") == "PRPA_TE201310UV02"
    (patient,) = answer.patients()
    assert ids(patient) == {(HOSP_B, "B1"), (INS, NIR_1)}  # not the queried one
    echoed = answer.message.xpath(
        "v3:controlActProcess/v3:queryByParameter/v3:parameterList/v3:patientIdentifier/v3:value/@extension",
        namespaces=NS,
    )
    assert echoed == ["IPP1"]


def test_data_source_filters(fed: V3Client) -> None:
    answer = fed.pix(QUERY, m.pix_query((HOSP_A, "IPP1"), (INS,)))
    (patient,) = answer.patients()
    assert ids(patient) == {(INS, NIR_1)}


def test_known_id_without_identifier_in_the_asked_domain_is_nf(v3: V3Client) -> None:
    add = "PRPA_IN201301UV02"
    v3.pix(add, m.feed(add, ((HOSP_A, "IPP1"),)))
    v3.pix(add, m.feed(add, ((HOSP_B, "B1"),)))
    answer = v3.pix(QUERY, m.pix_query((HOSP_A, "IPP1"), (HOSP_B,)))
    assert (answer.ack, answer.query_response) == ("AA", "NF")
    assert answer.patients() == [] and answer.detail_code is None


def test_unknown_identifier_is_ae_204_at_patient_identifier(fed: V3Client) -> None:
    answer = fed.pix(QUERY, m.pix_query((HOSP_A, "NOPE")))
    assert (answer.ack, answer.query_response, answer.detail_code) == ("AE", "AE", "204")
    assert answer.location == f"{PARAMETERS}/patientIdentifier/value"
    assert answer.patients() == []


def test_unknown_authority_of_the_identifier_is_ae_204(fed: V3Client) -> None:
    answer = fed.pix(QUERY, m.pix_query(("1.2.250.1.999.77", "IPP1")))
    assert (answer.ack, answer.detail_code) == ("AE", "204")
    assert answer.location == f"{PARAMETERS}/patientIdentifier/value"
    assert "not a known domain" in answer.detail_text


def test_unknown_data_source_is_ae_204_at_that_data_source(fed: V3Client) -> None:
    answer = fed.pix(QUERY, m.pix_query((HOSP_A, "IPP1"), (INS, "1.2.250.1.999.77")))
    assert (answer.ack, answer.query_response, answer.detail_code) == ("AE", "AE", "204")
    assert answer.location == f"{PARAMETERS}/dataSource[2]/value"


def test_identifier_without_extension_is_ae_101(fed: V3Client) -> None:
    answer = fed.pix(QUERY, m.pix_query((HOSP_A, "")))
    assert (answer.ack, answer.detail_code) == ("AE", "101")
    assert answer.location == f"{PARAMETERS}/patientIdentifier/value"


def test_missing_query_is_ae_101(v3: V3Client) -> None:
    body = m.wrapper(QUERY, '<controlActProcess classCode="CACT" moodCode="EVN"/>')
    answer = v3.pix(QUERY, body)
    assert (answer.ack, answer.query_response, answer.detail_code) == ("AE", "AE", "101")
    assert answer.location == f"/{QUERY}/controlActProcess/queryByParameter"
