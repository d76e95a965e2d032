"""ITI-47 Patient Demographics Query HL7 v3 over SOAP 1.2 (TF-2 3.47): matches, continuation, cancel and every
refusal."""

from __future__ import annotations

import hl7v3_messages as m
import pytest
from v3_client import NS, V3Answer, V3Client, ids

HOSP_A, HOSP_B, INS = "1.2.250.1.999.1.1", "1.2.250.1.999.2.1", "1.2.250.1.213.1.4.8"
NIR_1 = "279035121518989"
QUERY, CONTINUE, CANCEL = "PRPA_IN201305UV02", "QUQI_IN000003UV01_Continue", "QUQI_IN000003UV01_Cancel"
PARAMETERS = f"/{QUERY}/controlActProcess/queryByParameter/parameterList"
ADD = "PRPA_IN201301UV02"


def counts(answer: V3Answer) -> tuple[int, int, int]:
    ack = "v3:controlActProcess/v3:queryAck/v3:"
    return tuple(  # type: ignore[return-value]
        int(answer.attr(f"{ack}{n}/@value") or -1)
        for n in ("resultTotalQuantity", "resultCurrentQuantity", "resultRemainingQuantity")
    )


@pytest.fixture
def fed(v3: V3Client) -> V3Client:
    dupont = m.person(other_ids=((INS, NIR_1),), birth_place="2B020", used_family="MARTIN")
    assert v3.pix(ADD, m.feed(ADD, ((HOSP_A, "IPP1"),), patient_person=dupont)).ack == "AA"
    for n in range(5):
        person = m.person(family="DURAND", given=("ANNE",), sex="F", birth="19800101")
        assert v3.pix(ADD, m.feed(ADD, ((HOSP_B, f"D{n}"),), patient_person=person)).ack == "AA"
    return v3


def test_name_and_birth_date_find_the_patient_with_its_demographics(fed: V3Client) -> None:
    answer = fed.pdq(QUERY, m.pdq_query(m.birth_time("19790301") + m.name("Dupont", "jean")))
    assert answer.action == "urn:hl7-org:v3:PRPA_IN201306UV02"
    assert (answer.ack, answer.query_response) == ("AA", "OK")
    assert counts(answer) == (1, 1, 0)
    (patient,) = answer.patients()
    assert ids(patient) == {(HOSP_A, "IPP1"), (INS, NIR_1)}
    person = patient.find("{urn:hl7-org:v3}patientPerson")
    assert person.xpath("v3:name/v3:family[@qualifier='BR']/text()", namespaces=NS) == ["DUPONT"]
    assert person.xpath("v3:name/v3:family[@qualifier='SP']/text()", namespaces=NS) == ["MARTIN"]
    assert person.xpath("v3:name/v3:given/text()", namespaces=NS) == ["JEAN", "PIERRE"]
    assert person.xpath("v3:administrativeGenderCode/@code", namespaces=NS) == ["M"]
    assert person.xpath("v3:birthTime/@value", namespaces=NS) == ["19790301"]
    assert person.xpath("v3:birthPlace/v3:addr/v3:county/text()", namespaces=NS) == ["2B020"]
    weight = patient.xpath("v3:subjectOf1/v3:queryMatchObservation/v3:value/@value", namespaces=NS)
    assert weight == ["100"]


def test_wildcard_gender_and_identifier(fed: V3Client) -> None:
    assert counts(fed.pdq(QUERY, m.pdq_query(m.name("DUR*")))) == (5, 5, 0)
    assert counts(fed.pdq(QUERY, m.pdq_query(m.gender("M")))) == (1, 1, 0)
    answer = fed.pdq(QUERY, m.pdq_query(m.subject_id(INS, NIR_1)))
    assert counts(answer) == (1, 1, 0)


def test_no_match_is_nf(fed: V3Client) -> None:
    answer = fed.pdq(QUERY, m.pdq_query(m.name("NOBODY")))
    assert (answer.ack, answer.query_response) == ("AA", "NF")
    assert counts(answer) == (0, 0, 0) and answer.patients() == []


def test_scoping_organization_limits_the_returned_identifiers(fed: V3Client) -> None:
    answer = fed.pdq(QUERY, m.pdq_query(m.name("DUPONT") + m.scoping(INS)))
    (patient,) = answer.patients()
    assert ids(patient) == {(INS, NIR_1)}
    assert counts(fed.pdq(QUERY, m.pdq_query(m.name("DURAND") + m.scoping(INS)))) == (0, 0, 0)


def test_unknown_scoping_organization_is_ae_204(fed: V3Client) -> None:
    answer = fed.pdq(QUERY, m.pdq_query(m.name("DUPONT") + m.scoping(INS, "1.2.250.1.999.77")))
    assert (answer.ack, answer.query_response, answer.detail_code) == ("AE", "AE", "204")
    assert answer.location == f"{PARAMETERS}/otherIDsScopingOrganization/value[2]"


def test_unsupported_parameter_is_qe_naming_it(fed: V3Client) -> None:
    address = (
        "<patientAddress><value><city>PARIS</city></value>"
        "<semanticsText>Patient.addr</semanticsText></patientAddress>"
    )
    answer = fed.pdq(QUERY, m.pdq_query(m.name("DUPONT") + address))
    assert (answer.ack, answer.query_response, answer.detail_code) == ("AE", "QE", "103")
    assert answer.location == f"{PARAMETERS}/patientAddress"


def test_invalid_values_are_qe_at_their_element(fed: V3Client) -> None:
    answer = fed.pdq(QUERY, m.pdq_query(m.gender("X")))
    assert (answer.query_response, answer.detail_code) == ("QE", "103")
    assert answer.location == f"{PARAMETERS}/livingSubjectAdministrativeGender/value"
    answer = fed.pdq(QUERY, m.pdq_query(m.birth_time("1979")))
    assert (answer.query_response, answer.detail_code) == ("QE", "102")
    assert answer.location == f"{PARAMETERS}/livingSubjectBirthTime/value"
    answer = fed.pdq(QUERY, m.pdq_query(m.name("DU*PONT")))
    assert answer.location == f"{PARAMETERS}/livingSubjectName/value/family"


def test_empty_query_is_qe_101(fed: V3Client) -> None:
    answer = fed.pdq(QUERY, m.pdq_query(""))
    assert (answer.ack, answer.query_response, answer.detail_code) == ("AE", "QE", "101")
    assert answer.location == PARAMETERS


def test_continuation_pages_through_and_then_ends(fed: V3Client) -> None:
    first = fed.pdq(QUERY, m.pdq_query(m.name("DURAND"), query_id="PAGE", quantity=2))
    assert counts(first) == (5, 2, 3)
    assert first.attr("v3:controlActProcess/v3:queryAck/v3:statusCode/@code") == "waitContinuedQueryResponse"
    second = fed.pdq(CONTINUE, m.continuation("PAGE"))
    assert second.action == "urn:hl7-org:v3:PRPA_IN201306UV02"
    assert counts(second) == (5, 2, 1)
    third = fed.pdq(CONTINUE, m.continuation("PAGE", quantity=5))
    assert counts(third) == (5, 1, 0)
    seen = {e for a in (first, second, third) for p in a.patients() for e in ids(p)}
    assert seen == {(HOSP_B, f"D{n}") for n in range(5)}
    done = fed.pdq(CONTINUE, m.continuation("PAGE"))
    assert (done.ack, done.query_response, done.detail_code) == ("AE", "AE", "204")
    assert done.location == "/QUQI_IN000003UV01/controlActProcess/queryContinuation/queryId"


def test_cancel_forgets_the_query(fed: V3Client) -> None:
    fed.pdq(QUERY, m.pdq_query(m.name("DURAND"), query_id="GONE", quantity=2))
    cancel = fed.pdq(CANCEL, m.continuation("GONE", status="aborted"))
    assert cancel.action == "urn:hl7-org:v3:MCCI_IN000002UV01"
    assert cancel.ack == "AA"
    assert fed.pdq(CONTINUE, m.continuation("GONE")).detail_code == "204"


def test_status_code_must_match_the_action(fed: V3Client) -> None:
    cancel = fed.pdq(CANCEL, m.continuation("X"))
    assert (cancel.ack, cancel.detail_code) == ("AE", "103")
    assert cancel.location == "/QUQI_IN000003UV01/controlActProcess/queryContinuation/statusCode"
    go_on = fed.pdq(CONTINUE, m.continuation("X", status="aborted"))
    assert (go_on.ack, go_on.detail_code) == ("AE", "103")


def test_long_query_id_still_continues(fed: V3Client) -> None:
    long_id = "Q" * 80  # longer than the continuation key column: stored under its digest
    assert counts(fed.pdq(QUERY, m.pdq_query(m.name("DURAND"), query_id=long_id, quantity=4))) == (5, 4, 1)
    assert counts(fed.pdq(CONTINUE, m.continuation(long_id))) == (5, 1, 0)
