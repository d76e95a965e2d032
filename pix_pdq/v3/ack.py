"""MCCI_IN000002UV01, the application acknowledgement: the answer to ITI-44 feeds (TF-2 3.44.4.2) and to
the ITI-47 cancel (TF-2 3.47.4.3.2)."""

from __future__ import annotations

from lxml import etree

from pix_pdq.settings import PatientIdentitySettings
from pix_pdq.v3.codec import E, V3Error
from pix_pdq.v3.wrapper import Header, acknowledgement, answer_wrapper

ACK_INTERACTION = "MCCI_IN000002UV01"


def ack_message(
    header: Header, settings: PatientIdentitySettings, error: V3Error | None = None
) -> etree._Element:
    """AA, or AE/AR with the acknowledgementDetail naming the element at fault."""
    return E(
        ACK_INTERACTION,
        *answer_wrapper(ACK_INTERACTION, header, settings),
        acknowledgement(header, error),
        ITSVersion="XML_1.0",
    )
