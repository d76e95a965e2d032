"""The registry knows exactly the patients the identity feed made known (checklist 2.6, NIST 11996).

An ITI-42 for an unfed patient is refused with XDSUnknownPatientId; after an ITI-8 feed over a real MLLP
socket (framing written here), the same submission is accepted.
"""

from __future__ import annotations

import socket

from builders import one_document
from live_server import ServerFactory, free_port
from soap_client import call

from xds.ebxml.vocabulary import Action

VT, FS, CR = b"\x0b", b"\x1c", b"\r"
PATIENT = "IPP-7001^^^&1.2.250.1.999.2&ISO"


def mllp_exchange(port: int, message: str) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(VT + message.encode() + FS + CR)
        answer = b""
        while not answer.endswith(FS + CR):
            chunk = sock.recv(65536)
            assert chunk, "the listener closed the connection"
            answer += chunk
    assert answer.startswith(VT)
    return answer[1:-2].decode()


def a01(patient_id: str) -> str:
    return "\r".join(
        [
            "MSH|^~\\&|EHR|HOSP|XDS_PIX_PDQ|XDS|20261128120000||ADT^A01^ADT_A01|FEED0001|P|2.3.1",
            "EVN|A01|20261128120000",
            f"PID|||{patient_id}||DURAND^PAUL||19700202|M",
            "PV1||O",
        ]
    )


def test_register_refused_before_the_feed_and_accepted_after(start_server: ServerFactory) -> None:
    mllp_port = free_port()
    with start_server(XDS_SERVER_MLLP_PORT=str(mllp_port)) as server:
        submission = one_document(PATIENT)
        before = call(server.client, server.registry, Action.REGISTER, submission.xml())
        assert before.error_codes == ["XDSUnknownPatientId"]

        ack = mllp_exchange(mllp_port, a01(PATIENT)).split("\r")
        assert ack[0].split("|")[8].startswith("ACK")
        assert ack[1].split("|")[:3] == ["MSA", "AA", "FEED0001"]

        after = call(server.client, server.registry, Action.REGISTER, submission.xml())
        assert after.status.endswith(":Success"), after.error_codes
