"""Route one HL7 v2 message to its transaction by MSH-9, after the checks every message shares.

Whatever arrives, the answer is an HL7 message: AR for what we do not support (message type 200, event 201,
processing id 202, version 203; HL7 2.5 2.9.2), AE 207 for an internal failure. Nothing escapes as an
exception, so one bad message never takes the listener down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import Engine

from pix_pdq.settings import PatientIdentitySettings
from pix_pdq.v2.ack import UNKNOWN_HEADER, ack
from pix_pdq.v2.codec import SUPPORTED_VERSION_RE, Header, Location, Message, V2Error
from pix_pdq.v2.feed import FEED_EVENTS, handle_feed
from pix_pdq.v2.pdq_query import handle_cancel, handle_pdq_query
from pix_pdq.v2.pix_query import handle_pix_query
from pix_pdq.vocabulary import (
    HL7_ERR_INTERNAL,
    HL7_ERR_REQUIRED_FIELD_MISSING,
    HL7_ERR_UNSUPPORTED_EVENT,
    HL7_ERR_UNSUPPORTED_MESSAGE_TYPE,
    HL7_ERR_UNSUPPORTED_PROCESSING_ID,
    HL7_ERR_UNSUPPORTED_VERSION,
)

log = logging.getLogger("pix_pdq.v2")

Handler = Callable[[Engine, PatientIdentitySettings, Message, Header], str]
HANDLERS: dict[tuple[str, str], Handler] = {
    **{("ADT", event): handle_feed for event in FEED_EVENTS},  # ITI-8
    ("QBP", "Q23"): handle_pix_query,  # ITI-9
    ("QBP", "Q22"): handle_pdq_query,  # ITI-21
    ("QCN", "J01"): handle_cancel,  # ITI-21 cancel
}
MESSAGE_TYPES = {message_type for message_type, _ in HANDLERS}
PROCESSING_IDS = ("P", "T", "D")  # HL7 table 0103


def _route(header: Header) -> Handler:
    if not header.control_id:
        raise V2Error(
            "MSH-10 message control id missing", Location("MSH", 10), HL7_ERR_REQUIRED_FIELD_MISSING, "AR"
        )
    if not SUPPORTED_VERSION_RE.fullmatch(header.version):
        raise V2Error(
            f"HL7 version {header.version!r} is not supported (2.3 to 2.9)",
            Location("MSH", 12),
            HL7_ERR_UNSUPPORTED_VERSION,
            "AR",
        )
    if header.processing_id not in PROCESSING_IDS:
        raise V2Error(
            f"processing id {header.processing_id!r} is not P, T or D",
            Location("MSH", 11),
            HL7_ERR_UNSUPPORTED_PROCESSING_ID,
            "AR",
        )
    if header.message_type not in MESSAGE_TYPES:
        raise V2Error(
            f"message type {header.message_type!r} is not supported",
            Location("MSH", 9, component=1),
            HL7_ERR_UNSUPPORTED_MESSAGE_TYPE,
            "AR",
        )
    handler = HANDLERS.get((header.message_type, header.trigger_event))
    if handler is None:
        raise V2Error(
            f"event {header.message_type}^{header.trigger_event} is not supported",
            Location("MSH", 9, component=2),
            HL7_ERR_UNSUPPORTED_EVENT,
            "AR",
        )
    return handler


def handle_message(engine: Engine, settings: PatientIdentitySettings, text: str) -> str:
    """The response to one message (blocking: run it in a thread from asyncio)."""
    header = UNKNOWN_HEADER
    try:
        message = Message(text)
        header = message.header()
        return _route(header)(engine, settings, message, header)
    except V2Error as exc:
        return ack(header, settings, exc)
    except Exception:
        log.exception("HL7 v2 message %s failed", header.control_id or "(no control id)")
        return ack(
            header, settings, V2Error("internal error; the message was not applied", None, HL7_ERR_INTERNAL)
        )
