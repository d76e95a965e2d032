"""hl7apy as an independent judge: our ACK, RSP^K23 and RSP^K22 parse and validate in its strict mode.

hl7apy knows the generic HL7 2.5 QPD (QPD-3 "user parameters in successive fields", 1..1), not the IHE query
profiles, so the echoed QPD is cut to its first three fields and QPD-3 to its first repetition before the
check: that segment is the consumer's content echoed back, not our structure.
"""

from __future__ import annotations

import re

import hl7v2_messages as m
import pytest
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.parser import parse_message
from mllp_client import MllpClient


def generic_qpd(message: str) -> str:
    return re.sub(r"(QPD\|[^|\r]*\|[^|\r]*\|)([^|~\r]*)[^\r]*", r"\1\2", message)


def strict(message: str) -> str:
    parsed = parse_message(generic_qpd(message), validation_level=VALIDATION_LEVEL.STRICT, find_groups=True)
    assert parsed.validate()
    return parsed.name


@pytest.fixture
def fed(client: MllpClient) -> MllpClient:
    ids = m.cx("IPP1", m.HOSP_A) + "~" + m.cx(m.NIR_CORSICA, m.INS_NIR, "NH")
    assert "MSA|AA" in client.exchange(m.adt("A01", ids, extra_pid="|||^^^^^^BDL^^2B020"))
    return client


@pytest.mark.parametrize("version", ["2.3.1", "2.5"])
def test_acks(client: MllpClient, version: str) -> None:
    assert strict(client.exchange(m.adt("A01", m.cx("IPP1", m.HOSP_A), version=version))) == "ACK"
    assert strict(client.exchange(m.adt("A01", m.cx("123", m.INS_NIR), version=version))) == "ACK"
    assert strict(client.exchange(m.adt("A08", m.cx("NOPE", m.HOSP_A), version=version))) == "ACK"


def test_nak_for_an_unsupported_type(client: MllpClient) -> None:
    text = "MSH|^~\\&|HIS|HOSP_A|XDS|REG|20250101||ORU^R01^ORU_R01|C1|P|2.5\rOBR|1"
    assert strict(client.exchange(text)) == "ACK"


def test_pix_responses(fed: MllpClient) -> None:
    assert strict(fed.exchange(m.pix_query(m.cx("IPP1", m.HOSP_A)))) == "RSP_K23"
    assert strict(fed.exchange(m.pix_query(m.cx("NOPE", m.HOSP_A)))) == "RSP_K23"
    assert (
        strict(fed.exchange(m.pix_query(m.cx("IPP1", m.HOSP_A), domains=f"^^^&{m.HOSP_A}&ISO"))) == "RSP_K23"
    )


def test_pdq_responses(fed: MllpClient) -> None:
    page = fed.exchange(m.pdq_query("@PID.5.1.1^DUP*~@PID.7^19790301", quantity="1^RD"))
    assert strict(page) == "RSP_K21"
    found = fed.exchange(m.pdq_query("@PID.7^19790301"))
    assert "2B020" in found
    assert strict(found) == "RSP_K21"
    assert strict(fed.exchange(m.pdq_query("@PID.7^19790302"))) == "RSP_K21"
    assert strict(fed.exchange(m.pdq_query("@PID.7^1979"))) == "RSP_K21"
