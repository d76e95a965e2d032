"""The listener under bad input: framing errors, oversized messages, unknown types and versions.

Each case answers with a NAK or closes that connection, and the listener keeps serving others.
"""

from __future__ import annotations

import hl7v2_messages as m
import pytest
from mllp_client import CR, FS, VT, MllpClient, segments


def still_serving(port: int) -> None:
    other = MllpClient(port)
    try:
        assert "MSA|AA" in other.exchange(m.adt("A01", m.cx("ALIVE", m.HOSP_A)))
    finally:
        other.close()


@pytest.mark.parametrize(
    ("msh9", "version", "where", "code"),
    [
        ("ORU^R01^ORU_R01", "2.5", "MSH^1^9^1^1", "200"),
        ("ADT^A02^ADT_A02", "2.5", "MSH^1^9^1^2", "201"),
        ("QBP^Q21^QBP_Q21", "2.5", "MSH^1^9^1^2", "201"),
        ("ADT^A01^ADT_A01", "3.0", "MSH^1^12^1", "203"),
        ("ADT^A01^ADT_A01", "2.2", "MSH^1^12^1", "203"),
        ("ADT^A01^ADT_A01", "", "MSH^1^12^1", "203"),
    ],
)
def test_unsupported_messages_get_ar(
    client: MllpClient, mllp_port: int, msh9: str, version: str, where: str, code: str
) -> None:
    text = f"MSH|^~\\&|HIS|HOSP_A|XDS|REG|20250101||{msh9}|C1|P|{version}\rPID|||X^^^&1.2.3&ISO"
    response = segments(client.exchange(text))
    assert response["MSA"][0][1:3] == ["AR", "C1"]
    assert response["ERR"][0][2] == where
    assert response["ERR"][0][3].startswith(code)
    still_serving(mllp_port)


def test_unsupported_processing_id(client: MllpClient) -> None:
    text = "MSH|^~\\&|HIS|HOSP_A|XDS|REG|20250101||ADT^A01^ADT_A01|C2|X|2.5\rPID|||X^^^&1.2.3&ISO"
    response = segments(client.exchange(text))
    assert response["MSA"][0][1] == "AR"
    assert response["ERR"][0][3].startswith("202")


def test_missing_control_id(client: MllpClient) -> None:
    response = segments(client.exchange("MSH|^~\\&|HIS|HOSP_A|XDS|REG|20250101||ADT^A01^ADT_A01||P|2.5"))
    assert response["MSA"][0][1] == "AR"
    assert response["ERR"][0][2] == "MSH^1^10^1"


def test_not_hl7_gets_a_nak_and_the_connection_stays_usable(client: MllpClient) -> None:
    response = segments(client.exchange("hello, is it me you are looking for"))
    assert response["MSA"][0][1] == "AR"
    assert "MSA|AA" in client.exchange(m.adt("A01", m.cx("AFTER", m.HOSP_A)))


def test_oversized_message_gets_a_nak_then_the_connection_closes(client: MllpClient, mllp_port: int) -> None:
    client.send_raw(VT + m.adt("A01", m.cx("BIG", m.HOSP_A)).encode() + b"Z" * 70_000 + FS + CR)
    nak = segments(client.read_frame().decode())
    assert nak["MSA"][0][1] == "AR"
    assert "larger than" in nak["ERR"][0][8]
    assert client.is_closed()
    still_serving(mllp_port)


def test_bytes_outside_a_frame_close_the_connection(client: MllpClient, mllp_port: int) -> None:
    client.send_raw(b"GARBAGE" + FS + CR)
    assert client.is_closed()
    still_serving(mllp_port)


def test_a_connection_dropped_mid_frame_does_not_disturb_others(mllp_port: int) -> None:
    broken = MllpClient(mllp_port)
    broken.send_raw(VT + b"MSH|^~\\&|HIS|")
    broken.close()
    still_serving(mllp_port)


def test_leading_line_breaks_between_frames_are_tolerated(client: MllpClient) -> None:
    client.send_raw(b"\r\n" + VT + m.adt("A01", m.cx("LF", m.HOSP_A)).encode() + FS + CR)
    assert b"MSA|AA" in client.read_frame()


def test_several_messages_on_one_connection_in_one_write(client: MllpClient) -> None:
    frames = b"".join(VT + m.adt("A01", m.cx(f"M{n}", m.HOSP_A)).encode() + FS + CR for n in range(3))
    client.send_raw(frames)
    assert all(b"MSA|AA" in client.read_frame() for _ in range(3))


def test_latin1_declared_in_msh18_round_trips(client: MllpClient) -> None:
    text = "\r".join(
        [
            m.msh("ADT^A01^ADT_A01", "2.5", charset="8859/1"),
            f"PID|1||{m.cx('LAT1', m.HOSP_A)}||HÉLÈNE^ZOÉ^^^^^L||19800101|F",
        ]
    )
    assert "MSA|AA" in client.exchange(text, encoding="latin-1")
    found = client.exchange(
        m.pdq_query("@PID.5.1.1^HELENE").replace("|2.5", "|2.5||||||8859/1", 1), encoding="latin-1"
    )
    assert "HÉLÈNE^ZOÉ" in found


def test_invalid_utf8_gets_a_nak(client: MllpClient) -> None:
    client.send_raw(VT + m.adt("A01", m.cx("BAD", m.HOSP_A)).encode() + b"\xff\xfe" + FS + CR)
    response = segments(client.read_frame().decode())
    assert response["MSA"][0][1] == "AR"
    assert response["ERR"][0][2] == "MSH^1^18^1"
