"""ACK messages: the answer to ITI-8 feeds (TF-2 3.8.4.1.3), to QCN^J01, and the NAK for anything refused
before its transaction is known (HL7 2.5 2.9.2 original acknowledgement mode)."""

from __future__ import annotations

import uuid

from pix_pdq.settings import PatientIdentitySettings
from pix_pdq.v2.codec import Header, V2Error, err, msa, msh, render

# When the request's MSH could not be read, the NAK still needs a header to be a message.
UNKNOWN_HEADER = Header("", "", "", "", "", "P", "2.5", "", "", "")


def control_id() -> str:
    """A new MSH-10 (at most 20 characters in HL7 2.5)."""
    return uuid.uuid4().hex[:20]


def response_head(
    header: Header, settings: PatientIdentitySettings, message_type: str, error: V2Error | None
) -> list[list[str]]:
    """MSH, MSA and, on error, the ERR naming the segment and field at fault: how every answer starts."""
    segments = [
        msh(
            header,
            control_id(),
            message_type,
            our_application=settings.application_name,
            our_facility=settings.facility_name,
        ),
        msa(error.ack_code if error else "AA", header.control_id, header.version, error),
    ]
    if error is not None:
        segments.append(err(error, header.version or "2.5"))
    return segments


def ack(header: Header, settings: PatientIdentitySettings, error: V2Error | None = None) -> str:
    """AA, or the error's AE/AR with an ERR naming the segment and field at fault."""
    event = header.trigger_event
    return render(response_head(header, settings, f"ACK^{event}^ACK" if event else "ACK", error))
