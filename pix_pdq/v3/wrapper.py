"""The HL7 v3 transmission wrapper (MCCI_MT000100UV01 in, MCCI_MT000200/300UV01 out) as ITI TF-2 3.44.4.1.2,
3.45.4.1.2 and 3.47.4.1.2 constrain it: what a request must say about itself, and the header and
acknowledgement of every answer.

An answer goes back to the request's sender device and comes from the request's receiver device (or our
configured device), and its acknowledgement targets the request's message id (HL7 v3 Transmission
Infrastructure: Acknowledgement.targetMessage).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from lxml import etree

from pix_pdq.settings import PatientIdentitySettings
from pix_pdq.v3.codec import (
    INTERACTION_ROOT,
    TABLE_0357,
    E,
    V3Error,
    children,
    echo_ii,
    ii_values,
    optional,
    path,
    require,
    timestamp,
)
from pix_pdq.vocabulary import HL7_ERR_TEXT, HL7_ERR_UNSUPPORTED_EVENT, HL7_ERR_UNSUPPORTED_PROCESSING_ID

PROCESSING_CODES = ("P", "T", "D")  # HL7 v3 ProcessingID, as HL7 v2 table 0103


@dataclass(frozen=True, slots=True)
class Header:
    """What an answer needs from the request's wrapper; read leniently so even a refusal can be addressed."""

    message_id: tuple[str, str] | None
    sender_devices: tuple[tuple[str, str], ...]
    receiver_devices: tuple[tuple[str, str], ...]
    processing_code: str


def _devices(message: etree._Element, role: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        ii_values(i)
        for party in children(message, role)
        for device in children(party, "device")
        for i in children(device, "id")
        if i.get("root")
    )


def read_header(message: etree._Element) -> Header:
    message_id = optional(message, "id")
    processing = optional(message, "processingCode")
    return Header(
        message_id=ii_values(message_id) if message_id is not None and message_id.get("root") else None,
        sender_devices=_devices(message, "sender"),
        receiver_devices=_devices(message, "receiver"),
        processing_code=(processing.get("code") or "") if processing is not None else "",
    )


def check_header(message: etree._Element, interaction: str) -> None:
    """Reject (AR) a wrapper that does not say it is `interaction`, or has no id, sender or receiver: the
    message cannot be acknowledged or routed (HL7 v3 Transmission Infrastructure, accept level)."""
    require(message, "id", "AR")
    interaction_id = require(message, "interactionId", "AR")
    if interaction_id.get("extension") != interaction or interaction_id.get("root") != INTERACTION_ROOT:
        raise V3Error(
            f"interactionId is {interaction_id.get('root')}/{interaction_id.get('extension')}, expected "
            f"{INTERACTION_ROOT}/{interaction}",
            path(interaction_id),
            HL7_ERR_UNSUPPORTED_EVENT,
            "AR",
        )
    processing = require(message, "processingCode", "AR")
    if processing.get("code") not in PROCESSING_CODES:
        raise V3Error(
            f"processingCode {processing.get('code')!r} is not P, T or D",
            path(processing),
            HL7_ERR_UNSUPPORTED_PROCESSING_ID,
            "AR",
        )
    for role in ("receiver", "sender"):
        require(require(require(message, role, "AR"), "device", "AR"), "id", "AR")


def _device(role: str, type_code: str, ids: tuple[tuple[str, str], ...]) -> etree._Element:
    return E(
        role,
        E("device", *(echo_ii("id", i) for i in ids or (None,)), classCode="DEV", determinerCode="INSTANCE"),
        typeCode=type_code,
    )


def answer_wrapper(
    interaction: str, header: Header, settings: PatientIdentitySettings
) -> list[etree._Element]:
    """id .. sender of an answer: a fresh message id, immediate processing (T), no acknowledgement asked
    (NE, ITI TF-2 3.44.4.2.2), addressed back to the requester."""
    ours = header.receiver_devices or ((settings.device_oid, ""),)
    processing = header.processing_code if header.processing_code in PROCESSING_CODES else "P"
    return [
        E("id", root=str(uuid.uuid4()).upper()),
        E("creationTime", value=timestamp()),
        E("interactionId", root=INTERACTION_ROOT, extension=interaction),
        E("processingCode", code=processing),
        E("processingModeCode", code="T"),
        E("acceptAckCode", code="NE"),
        _device("receiver", "RCV", header.sender_devices),
        _device("sender", "SND", ours),
    ]


def acknowledgement(header: Header, error: V3Error | None) -> etree._Element:
    """AA, or the error's AE/AR with one acknowledgementDetail: table 0357 code, the text, and the location
    of the element at fault (ITI TF-2 3.45.4.2.3)."""
    ack = E(
        "acknowledgement",
        E("typeCode", code=error.ack_code if error else "AA"),
        E("targetMessage", echo_ii("id", header.message_id)),
    )
    if error is not None:
        ack.append(
            E(
                "acknowledgementDetail",
                E(
                    "code",
                    code=error.code,
                    codeSystem=TABLE_0357,
                    codeSystemName="HL7 Table 0357",
                    displayName=HL7_ERR_TEXT.get(error.code, ""),
                ),
                E("text", str(error)),
                E("location", error.location),
                typeCode="E",
            )
        )
    return ack
