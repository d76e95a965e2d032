"""ITI-44 Patient Identity Feed HL7 v3 over SOAP 1.2 (TF-2 3.44): add, revise, merge and every refusal."""

from __future__ import annotations

import hl7v3_messages as m
import pytest
from hl7v3_schemas import assert_valid_v3
from lxml import etree
from sqlalchemy import Engine
from v3_client import NS, V3Client, ids

from pix_pdq.model import Identifier
from pix_pdq.patients import PatientDirectory, find_patient
from pix_pdq.settings import PatientIdentitySettings

HOSP_A, HOSP_B, INS = "1.2.250.1.999.1.1", "1.2.250.1.999.2.1", "1.2.250.1.213.1.4.8"
NIR_1, NIR_2 = "279035121518989", "277076322082910"
ADD, REVISE, MERGE = "PRPA_IN201301UV02", "PRPA_IN201302UV02", "PRPA_IN201304UV02"
PATIENT = "/{}/controlActProcess/subject/registrationEvent/subject1/patient"


def test_requests_are_standard() -> None:
    """The hand-written requests are themselves valid NE2008 messages, so the tests speak the standard."""
    assert_valid_v3(m.feed(ADD, ((HOSP_A, "IPP1"),), patient_person=m.person(other_ids=((INS, NIR_1),))))
    assert_valid_v3(m.feed(MERGE, ((HOSP_A, "IPP1"),), prior=(HOSP_A, "IPP0")))
    assert_valid_v3(m.pix_query((HOSP_A, "IPP1"), (INS,)))
    assert_valid_v3(m.pdq_query(m.gender("F") + m.birth_time("19790301") + m.name("DUP*", "J"), quantity=2))
    assert_valid_v3(m.continuation("P1"))


def test_add_is_acknowledged_and_the_patient_is_known_to_the_registry(v3: V3Client, engine: Engine) -> None:
    body = m.feed(
        ADD,
        ((HOSP_A, "IPP1"),),
        patient_person=m.person(other_ids=((INS, NIR_1),), birth_place="2B020", used_family="MARTIN"),
        message_id="11111111-2222-3333-4444-555555555555",
    )
    answer = v3.pix(ADD, body)
    assert answer.action == "urn:hl7-org:v3:MCCI_IN000002UV01"
    assert etree.QName(answer.message).localname == "MCCI_IN000002UV01"
    assert answer.ack == "AA"
    assert (
        answer.attr("v3:acknowledgement/v3:targetMessage/v3:id/@root")
        == "11111111-2222-3333-4444-555555555555"
    )
    assert answer.attr("v3:receiver/v3:device/v3:id/@root") == m.SOURCE_DEVICE
    assert answer.attr("v3:sender/v3:device/v3:id/@root") == m.MANAGER_DEVICE
    directory = PatientDirectory(engine, PatientIdentitySettings.french())
    assert directory.is_known(f"{NIR_1}^^^&{INS}&ISO")
    assert not directory.is_known(f"IPP1^^^&{HOSP_A}&ISO")  # not in the INS affinity domain
    record = find_patient(engine, Identifier("IPP1", HOSP_A))
    assert record is not None
    assert {i.key for i in record.identifiers} == {(HOSP_A, "IPP1"), (INS, NIR_1)}
    t = record.traits
    assert (t.birth_name, t.first_names, t.used_name, t.sex, t.birth_date, t.birth_place) == (
        "DUPONT",
        "JEAN PIERRE",
        "MARTIN",
        "M",
        "19790301",
        "2B020",
    )


def test_revise_updates_the_traits(v3: V3Client, engine: Engine) -> None:
    assert v3.pix(ADD, m.feed(ADD, ((HOSP_A, "IPP1"),))).ack == "AA"
    revised = m.feed(REVISE, ((HOSP_A, "IPP1"),), patient_person=m.person(family="DURAND", sex="F"))
    assert v3.pix(REVISE, revised).ack == "AA"
    record = find_patient(engine, Identifier("IPP1", HOSP_A))
    assert record is not None and (record.traits.birth_name, record.traits.sex) == ("DURAND", "F")


def test_revise_of_an_unknown_patient_is_ae_204_at_the_patient_id(v3: V3Client) -> None:
    answer = v3.pix(REVISE, m.feed(REVISE, ((HOSP_A, "NOPE"),)))
    assert answer.ack == "AE"
    assert answer.detail_code == "204"
    assert answer.location == PATIENT.format(REVISE) + "/id"
    assert (
        answer.attr("v3:acknowledgement/v3:acknowledgementDetail/v3:code/@codeSystem")
        == "2.16.840.1.113883.12.357"
    )


def test_invalid_ins_is_refused_naming_the_asotherids_element(v3: V3Client, engine: Engine) -> None:
    bad = NIR_1[:13] + "00"
    body = m.feed(ADD, ((HOSP_A, "IPP1"),), patient_person=m.person(other_ids=((INS, bad),)))
    answer = v3.pix(ADD, body)
    assert answer.ack == "AE"
    assert answer.detail_code == "102"
    assert answer.location == PATIENT.format(ADD) + "/patientPerson/asOtherIDs/id"
    assert "key 00 is wrong" in answer.detail_text
    assert find_patient(engine, Identifier("IPP1", HOSP_A)) is None  # never half a patient


def test_unknown_gender_is_ae_103_at_the_gender_element(v3: V3Client) -> None:
    answer = v3.pix(ADD, m.feed(ADD, ((HOSP_A, "IPP1"),), patient_person=m.person(sex="X")))
    assert (answer.ack, answer.detail_code) == ("AE", "103")
    assert answer.location == PATIENT.format(ADD) + "/patientPerson/administrativeGenderCode"


def test_identifiers_of_two_patients_are_a_conflict(v3: V3Client) -> None:
    v3.pix(ADD, m.feed(ADD, ((HOSP_A, "IPP1"),)))
    v3.pix(ADD, m.feed(ADD, ((HOSP_B, "B1"),)))
    answer = v3.pix(ADD, m.feed(ADD, ((HOSP_A, "IPP1"), (HOSP_B, "B1"))))
    assert (answer.ack, answer.detail_code) == ("AE", "205")
    assert answer.location == PATIENT.format(ADD) + "/id[2]"


def test_merge_retires_the_prior_identifier(v3: V3Client, engine: Engine) -> None:
    v3.pix(ADD, m.feed(ADD, ((HOSP_A, "IPP1"),), patient_person=m.person(other_ids=((INS, NIR_1),))))
    v3.pix(ADD, m.feed(ADD, ((HOSP_A, "IPP2"),)))
    answer = v3.pix(MERGE, m.feed(MERGE, ((HOSP_A, "IPP1"),), prior=(HOSP_A, "IPP2")))
    assert answer.ack == "AA"
    directory = PatientDirectory(engine)
    assert not directory.is_known(f"IPP2^^^&{HOSP_A}&ISO")
    assert directory.merged_ids(f"IPP1^^^&{HOSP_A}&ISO") == [f"IPP2^^^&{HOSP_A}&ISO"]
    pix = v3.pix("PRPA_IN201309UV02", m.pix_query((HOSP_A, "IPP2")))
    assert pix.detail_code == "204"


def test_merge_of_an_unknown_prior_is_ae_204_at_the_prior_id(v3: V3Client) -> None:
    v3.pix(ADD, m.feed(ADD, ((HOSP_A, "IPP1"),)))
    answer = v3.pix(MERGE, m.feed(MERGE, ((HOSP_A, "IPP1"),), prior=(HOSP_A, "GONE")))
    assert (answer.ack, answer.detail_code) == ("AE", "204")
    assert answer.location == (
        f"/{MERGE}/controlActProcess/subject/registrationEvent/replacementOf/priorRegistration/subject1"
        "/priorRegisteredRole/id"
    )


def test_merge_without_replacement_of_is_ae_101(v3: V3Client) -> None:
    answer = v3.pix(MERGE, m.feed(MERGE, ((HOSP_A, "IPP1"),)))
    assert (answer.ack, answer.detail_code) == ("AE", "101")
    assert answer.location == f"/{MERGE}/controlActProcess/subject/registrationEvent/replacementOf"


def test_patient_without_id_is_ae_101(v3: V3Client) -> None:
    answer = v3.pix(ADD, m.feed(ADD, ()))
    assert (answer.ack, answer.detail_code) == ("AE", "101")
    assert answer.location == PATIENT.format(ADD) + "/id"


def test_wrong_interaction_id_is_rejected_ar(v3: V3Client) -> None:
    body = m.feed(ADD, ((HOSP_A, "IPP1"),)).replace(
        b'extension="PRPA_IN201301UV02"/>', b'extension="PRPA_IN201302UV02"/>', 1
    )
    answer = v3.pix(ADD, body)
    assert (answer.ack, answer.detail_code) == ("AR", "201")
    assert answer.location == f"/{ADD}/interactionId"


def test_body_that_is_not_the_action_interaction_is_a_sender_fault(v3: V3Client) -> None:
    result = v3.raw("/pix", "urn:hl7-org:v3:PRPA_IN201302UV02", m.feed(ADD, ((HOSP_A, "IPP1"),)))
    assert result.http_status == 400
    reason = result.envelope.xpath(
        "string(//s:Reason/s:Text)", namespaces={"s": "http://www.w3.org/2003/05/soap-envelope"}
    )
    assert "PRPA_IN201301UV02" in reason and "PRPA_IN201302UV02" in reason


def test_unknown_action_is_a_sender_fault(v3: V3Client) -> None:
    result = v3.raw("/pix", "urn:hl7-org:v3:PRPA_IN201305UV02", m.pdq_query(m.name("DUPONT")))
    assert result.http_status == 400


@pytest.mark.parametrize(
    ("path", "actions"),
    [
        ("/pix", {ADD, REVISE, MERGE, "PRPA_IN201309UV02"}),
        ("/pdq", {"PRPA_IN201305UV02", "QUQI_IN000003UV01_Continue", "QUQI_IN000003UV01_Cancel"}),
    ],
)
def test_wsdl_names_the_location_and_the_actions(v3: V3Client, path: str, actions: set[str]) -> None:
    response = v3.http.get(f"{v3.base}{path}?wsdl")
    assert response.status_code == 200
    wsdl = etree.fromstring(response.content)
    wsaw = "http://www.w3.org/2006/05/addressing/wsdl"
    port_type = "{http://schemas.xmlsoap.org/wsdl/}portType/{http://schemas.xmlsoap.org/wsdl/}operation"
    inputs = {op[0].get(f"{{{wsaw}}}Action") for op in wsdl.iterfind(port_type)}
    assert inputs == {f"urn:hl7-org:v3:{a}" for a in actions}
    address = wsdl.find(".//{http://schemas.xmlsoap.org/wsdl/soap12/}address")
    assert address is not None and address.get("location") == f"{v3.base}{path}"


def test_feed_answer_ids(v3: V3Client) -> None:
    """An ITI-44 add with two ids and an asOtherIDs cross-references all three (PIX v3 answer)."""
    v3.pix(
        ADD,
        m.feed(ADD, ((HOSP_A, "IPP1"),), patient_person=m.person(other_ids=((INS, NIR_2), (HOSP_B, "B9")))),
    )
    answer = v3.pix("PRPA_IN201309UV02", m.pix_query((HOSP_A, "IPP1")))
    (patient,) = answer.patients()
    assert ids(patient) == {(INS, NIR_2), (HOSP_B, "B9")}
    assert patient.xpath("v3:patientPerson/v3:name/@nullFlavor", namespaces=NS) == ["NA"]
