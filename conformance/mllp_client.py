"""ITI-8 Patient Identity Feed sender: one ADT^A01 over MLLP per patient the plans need (checklist 6.1.8).

Deliberately independent of `pix_pdq`: the runner must feed any vendor's registry, so it only speaks the
wire format (HL7 v2.5 ADT^A01 in MLLP framing, ITI TF-2 Appendix C.2.1) and reads MSA-1 of the answer.
"""

from __future__ import annotations

import itertools
import socket
from dataclasses import dataclass
from datetime import UTC, datetime

START_BLOCK = b"\x0b"
END_BLOCK = b"\x1c\r"
_ACCEPTED = frozenset({"AA", "CA"})
_control_ids = itertools.count(1)


class FeedError(RuntimeError):
    """The feed could not be sent, or the receiver did not accept it."""


@dataclass(frozen=True, slots=True)
class FeedResult:
    message: str
    ack: str
    accepted: bool


def adt_a01(patient_id: str, *, family: str = "CONFORMANCE", given: str = "TEST") -> str:
    """An ITI-8 ADT^A01 (v2.5) admitting `patient_id` (a CX `id^^^&oid&ISO`); segments end with CR."""
    now = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    control = f"CONF{next(_control_ids):06d}"
    return (
        "\r".join(
            (
                f"MSH|^~\\&|XDS_CONFORMANCE|NIST_TESTKIT|XDS_REGISTRY|XDS|{now}||ADT^A01^ADT_A01|{control}|P|2.5",
                f"EVN|A01|{now}",
                f"PID|1||{patient_id}||{family}^{given}^^^^^L||19700101|M",
                "PV1|1|N",
            )
        )
        + "\r"
    )


def _ack_code(ack: str) -> str:
    for segment in ack.replace("\n", "\r").split("\r"):
        if segment.startswith("MSA"):
            fields = segment.split(segment[3:4] or "|")
            return fields[1] if len(fields) > 1 else ""
    return ""


def send_feed(host: str, port: int, patient_id: str, *, timeout: float = 10.0) -> FeedResult:
    """Send one A01 and wait for its acknowledgement; raises FeedError when nothing usable comes back."""
    message = adt_a01(patient_id)
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(START_BLOCK + message.encode("utf-8") + END_BLOCK)
            buffer = b""
            while END_BLOCK not in buffer:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                buffer += chunk
    except OSError as exc:
        raise FeedError(f"MLLP {host}:{port}: {exc}") from exc
    if not buffer.startswith(START_BLOCK) or END_BLOCK not in buffer:
        raise FeedError(f"MLLP {host}:{port}: no framed acknowledgement received")
    ack = buffer[1 : buffer.index(END_BLOCK)].decode("utf-8", errors="replace")
    return FeedResult(message, ack, _ack_code(ack) in _ACCEPTED)


def parse_endpoint(value: str) -> tuple[str, int]:
    """`HOST:PORT` -> (host, port), for the `--mllp` option."""
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"expected HOST:PORT, got {value!r}")
    return host, int(port)
