"""ITI-8 Patient Identity Feed over a real MLLP socket, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import hl7v2_messages as m
import pytest
from mllp_client import MllpClient, segments
from sqlalchemy import Engine, func, select

from pix_pdq.model import Identifier
from pix_pdq.patients import PatientDirectory, find_patient
from pix_pdq.settings import PatientIdentitySettings
from pix_pdq.tables import patient, patient_identifier


def test_a01_creates_a_patient_with_its_traits(client: MllpClient, engine: Engine) -> None:
    pid3 = m.cx("IPP1", m.HOSP_A) + "~" + m.cx(m.NIR_1, m.INS_NIR, "NH")
    name = "DUPONT^JEAN^JEAN PIERRE^^^^L~MARTIN^JP^^^^^D"
    bdl = "|||^^^^^^BDL^^51215"
    response = segments(
        client.exchange(m.adt("A01", pid3, name=name, birth="19790301", sex="M", extra_pid=bdl))
    )
    assert response["MSA"][0][1:3] == ["AA", "MSG" + response["MSA"][0][2][3:]]
    assert response["MSH"][0][9] == "ACK^A01^ACK"
    assert response["MSH"][0][12] == "2.3.1"
    assert "ERR" not in response
    record = find_patient(engine, Identifier(m.NIR_1, m.INS_NIR))
    assert record is not None
    assert {i.cx for i in record.identifiers} == {f"IPP1^^^&{m.HOSP_A}&ISO", f"{m.NIR_1}^^^&{m.INS_NIR}&ISO"}
    t = record.traits
    assert (t.birth_name, t.first_names, t.used_name, t.used_first_name) == (
        "DUPONT",
        "JEAN PIERRE",
        "MARTIN",
        "JP",
    )
    assert (t.sex, t.birth_date, t.birth_place) == ("M", "19790301", "51215")


@pytest.mark.parametrize("event", ["A04", "A05"])
def test_a04_a05_create_too(client: MllpClient, engine: Engine, event: str) -> None:
    response = segments(client.exchange(m.adt(event, m.cx("IPP9", m.HOSP_A))))
    assert response["MSA"][0][1] == "AA"
    assert PatientDirectory(engine).is_known(f"IPP9^^^&{m.HOSP_A}&ISO")


def test_feed_from_a_second_hospital_cross_references_by_ins(client: MllpClient, engine: Engine) -> None:
    client.exchange(m.adt("A01", m.cx("IPP1", m.HOSP_A) + "~" + m.cx(m.NIR_1, m.INS_NIR, "NH")))
    response = segments(
        client.exchange(m.adt("A01", m.cx("B77", m.HOSP_B) + "~" + m.cx(m.NIR_1, m.INS_NIR, "NH")))
    )
    assert response["MSA"][0][1] == "AA"
    record = find_patient(engine, Identifier("B77", m.HOSP_B))
    assert record is not None and len(record.identifiers) == 3
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(patient)).scalar() == 1


def test_a08_updates_and_keeps_traits_not_sent(client: MllpClient, engine: Engine) -> None:
    client.exchange(m.adt("A01", m.cx("IPP1", m.HOSP_A), name="DUPONT^JEAN^^^^^L", birth="19790301"))
    response = segments(
        client.exchange(m.adt("A08", m.cx("IPP1", m.HOSP_A), name="DUPOND^JEAN^^^^^L", birth=""))
    )
    assert response["MSA"][0][1] == "AA"
    record = find_patient(engine, Identifier("IPP1", m.HOSP_A))
    assert record is not None
    assert (record.traits.birth_name, record.traits.birth_date) == ("DUPOND", "19790301")


def test_a08_for_an_unknown_patient_is_refused_at_pid_3(client: MllpClient) -> None:
    response = segments(client.exchange(m.adt("A08", m.cx("NOBODY", m.HOSP_A), version="2.5")))
    assert response["MSA"][0][1] == "AE"
    err = response["ERR"][0]
    assert err[2] == "PID^1^3^1"
    assert err[3].startswith("204^")
    assert "NOBODY" in err[8]


@pytest.mark.parametrize(
    ("pid3", "where", "words"),
    [
        (
            m.cx("IPP1", m.HOSP_A) + "~" + m.cx("279035121518988", m.INS_NIR, "NH"),
            "PID^1^3^2",
            "key 88 is wrong",
        ),
        (m.cx("27903512151898", m.INS_NIR, "NH"), "PID^1^3^1", "has 14 characters"),
        (m.cx(m.NIR_1, m.INS_NIR, "PI"), "PID^1^3^1", "requires 'NH'"),
        (m.cx("180032B02040113", m.INS_TEST, "NH"), "PID^1^3^1", "has key 23"),
        ("IPP1^^^HOSP^PI", "PID^1^3^1", "no assigning authority OID"),
        ("IPP1^^^&1.2.x&ISO^PI", "PID^1^3^1", "not an ISO OID"),
        (m.cx("IPP1", m.HOSP_A) + "~" + m.cx("IPP2", m.HOSP_A), "PID^1^3^2", "one per authority"),
        ("", "PID^1^3^1", "no identifier"),
    ],
)
def test_invalid_identifiers_are_refused_naming_the_repetition(
    client: MllpClient, engine: Engine, pid3: str, where: str, words: str
) -> None:
    response = segments(client.exchange(m.adt("A01", pid3, version="2.5")))
    assert response["MSA"][0][1] == "AE"
    assert response["ERR"][0][2] == where
    assert words in response["ERR"][0][8]
    with engine.connect() as conn:  # nothing half-created
        assert conn.execute(select(func.count()).select_from(patient)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(patient_identifier)).scalar() == 0


@pytest.mark.parametrize(
    ("changes", "where", "code"),
    [
        ({"sex": "X"}, "PID^1^8^1", "103"),
        ({"birth": "19790231"}, "PID^1^7^1", "102"),
        ({"birth": "1979"}, "PID^1^7^1", "102"),
        ({"extra_pid": "|||^^^^^^BDL^^ABCDE"}, "PID^1^11^1^9", "102"),
    ],
)
def test_invalid_traits_are_refused_naming_the_field(
    client: MllpClient, changes: dict[str, str], where: str, code: str
) -> None:
    response = segments(client.exchange(m.adt("A01", m.cx("IPP1", m.HOSP_A), version="2.5", **changes)))
    assert response["MSA"][0][1] == "AE"
    assert response["ERR"][0][2] == where
    assert response["ERR"][0][3].startswith(code)


def test_v231_ack_puts_the_location_in_err_1_and_the_text_in_msa_3(client: MllpClient) -> None:
    response = segments(client.exchange(m.adt("A01", m.cx("12345678901234X", m.INS_NIR, "NH"))))
    assert response["MSA"][0][1] == "AE"
    assert response["ERR"][0][1] == "PID^1^3^102&Data type error&HL70357"
    assert "PID-3" in response["MSA"][0][3]


def test_missing_pid_segment(client: MllpClient) -> None:
    message = "\r".join([m.msh("ADT^A01^ADT_A01", "2.5"), "EVN|A01|20250101"])
    response = segments(client.exchange(message))
    assert response["MSA"][0][1] == "AE"
    assert response["ERR"][0][2] == "PID^1"


def test_identifiers_of_two_patients_in_one_feed_are_refused(client: MllpClient) -> None:
    client.exchange(m.adt("A01", m.cx("IPP1", m.HOSP_A)))
    client.exchange(m.adt("A01", m.cx("B1", m.HOSP_B)))
    response = segments(
        client.exchange(m.adt("A01", m.cx("IPP1", m.HOSP_A) + "~" + m.cx("B1", m.HOSP_B), version="2.5"))
    )
    assert response["MSA"][0][1] == "AE"
    assert response["ERR"][0][2] == "PID^1^3^2"
    assert response["ERR"][0][3].startswith("205^")


def test_a40_merges_and_the_registry_sees_the_merge(client: MllpClient, engine: Engine) -> None:
    survivor, prior = m.cx(m.NIR_1, m.INS_NIR, "NH"), m.cx(m.NIR_2, m.INS_NIR, "NH")
    client.exchange(m.adt("A01", survivor + "~" + m.cx("IPP1", m.HOSP_A)))
    client.exchange(m.adt("A01", prior + "~" + m.cx("B2", m.HOSP_B)))
    response = segments(client.exchange(m.adt("A40", survivor, mrg=prior)))
    assert response["MSA"][0][1] == "AA"
    assert response["MSH"][0][9] == "ACK^A40^ACK"
    directory = PatientDirectory(engine, PatientIdentitySettings.french())
    surviving_cx, prior_cx = f"{m.NIR_1}^^^&{m.INS_NIR}&ISO", f"{m.NIR_2}^^^&{m.INS_NIR}&ISO"
    assert directory.is_known(surviving_cx)
    assert not directory.is_known(prior_cx)
    assert directory.resolve(prior_cx) is None
    assert directory.resolve(surviving_cx + "^NH") == surviving_cx
    assert directory.merged_ids(surviving_cx) == [prior_cx]
    assert directory.merged_ids(prior_cx) == []
    # The prior patient's hospital-B id now cross-references the survivor.
    record = find_patient(engine, Identifier("B2", m.HOSP_B))
    assert record is not None
    assert {i.cx for i in record.identifiers} == {
        surviving_cx,
        f"IPP1^^^&{m.HOSP_A}&ISO",
        f"B2^^^&{m.HOSP_B}&ISO",
    }
    # A feed of the merged id is refused: it no longer identifies anyone.
    again = segments(client.exchange(m.adt("A08", prior, version="2.5")))
    assert again["MSA"][0][1] == "AE" and again["ERR"][0][2] == "PID^1^3^1"


def test_a40_with_unknown_prior_is_refused_at_mrg_1(client: MllpClient, engine: Engine) -> None:
    client.exchange(m.adt("A01", m.cx("IPP1", m.HOSP_A)))
    response = segments(
        client.exchange(m.adt("A40", m.cx("IPP1", m.HOSP_A), mrg=m.cx("IPP0", m.HOSP_A), version="2.5"))
    )
    assert response["MSA"][0][1] == "AE"
    assert response["ERR"][0][2] == "MRG^1^1^1"
    assert response["ERR"][0][3].startswith("204^")


def test_a40_without_mrg_is_refused(client: MllpClient) -> None:
    response = segments(client.exchange(m.adt("A40", m.cx("IPP1", m.HOSP_A), version="2.5")))
    assert response["MSA"][0][1] == "AE"
    assert response["ERR"][0][2] == "MRG^1"


def test_registry_view_in_the_french_profile(client: MllpClient, engine: Engine) -> None:
    client.exchange(m.adt("A01", m.cx("IPP1", m.HOSP_A) + "~" + m.cx(m.NIR_3, m.INS_NIR, "NH")))
    french = PatientDirectory(engine, PatientIdentitySettings.french())
    assert french.is_known(f"{m.NIR_3}^^^&{m.INS_NIR}&ISO^NH")
    assert not french.is_known(f"IPP1^^^&{m.HOSP_A}&ISO")  # a local IPP is not an affinity-domain id
    assert PatientDirectory(engine).is_known(f"IPP1^^^&{m.HOSP_A}&ISO")  # default: any fed identifier
    assert not french.is_known("not a cx")


def test_racing_feeds_of_one_new_identifier_converge_on_one_patient(engine: Engine, mllp_port: int) -> None:
    pid3 = m.cx(m.NIR_CORSICA, m.INS_NIR, "NH")
    rounds = 10
    results: list[str] = []

    def feeder(authority: str) -> None:
        c = MllpClient(mllp_port)
        try:
            for n in range(rounds):
                nir = pid3 if n == 0 else m.cx(f"R{n}", m.HOSP_A)
                results.append(
                    segments(c.exchange(m.adt("A01", f"{nir}~{m.cx(f'X{n}', authority)}")))["MSA"][0][1]
                )
        finally:
            c.close()

    # Both feeders send the same new identifiers at the same time, each with its own hospital id.
    threads = [threading.Thread(target=feeder, args=(oid,)) for oid in (m.HOSP_B, "1.2.250.1.999.3.1")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results.count("AA") == 2 * rounds
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(patient)).scalar() == rounds
    record = find_patient(engine, Identifier(m.NIR_CORSICA, m.INS_NIR))
    assert record is not None and len(record.identifiers) == 3
