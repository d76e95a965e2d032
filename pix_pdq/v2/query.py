"""What ITI-9 and ITI-21 share: the QBP request parts and the RSP response frame (HL7 2.5 5.4, 5.5)."""

from __future__ import annotations

import hl7

from pix_pdq.settings import PatientIdentitySettings
from pix_pdq.v2.ack import response_head
from pix_pdq.v2.codec import Header, Location, Message, V2Error, identifier_from_cx
from pix_pdq.vocabulary import HL7_ERR_DATA_TYPE, HL7_ERR_SEGMENT_SEQUENCE


def qpd(message: Message, query_name: str) -> hl7.Segment:
    """The QPD segment, refused unless QPD-1 names the IHE query this event stands for (ITI-9 3.9.4.1.2.1:
    `IHE PIX Query`; ITI-21 3.21.4.1.2.1: `IHE PDQ Query`)."""
    found = message.segments("QPD")
    if not found:
        raise V2Error("QPD segment missing", Location("QPD"), HL7_ERR_SEGMENT_SEQUENCE)
    segment = found[0]
    if message.value(segment, 1).casefold() != query_name.casefold():
        raise V2Error(
            f"QPD-1 is {message.value(segment, 1)!r}, expected {query_name!r}",
            Location("QPD", 1),
            HL7_ERR_DATA_TYPE,
        )
    return segment


def response(
    header: Header,
    settings: PatientIdentitySettings,
    message_type: str,
    message: Message,
    query: hl7.Segment | None,
    *,
    status: str,
    error: V2Error | None = None,
    counts: tuple[int, int, int] | None = None,
) -> list[list[str]]:
    """MSH, MSA, ERR, QAK, QPD of an RSP: QAK-2 is OK/NF/AE; QAK-4..6 are hit counts (total, this payload,
    remaining) for PDQ; QPD is echoed as received (HL7 2.5 5.5.3)."""
    segments = response_head(header, settings, message_type, error)
    tag = message.raw(query, 2) if query is not None else ""
    qak = ["QAK", tag, status]
    if counts is not None:
        qak += [message.raw(query, 1) if query is not None else "", *map(str, counts)]
    segments.append(qak)
    if query is not None:
        segments.append(["QPD", *(message.raw(query, n) for n in range(1, len(query)))])
    return segments


def quantity(message: Message) -> int | None:
    """RCP-2 quantity limited request `n^RD` (records); None when absent."""
    found = message.segments("RCP")
    if not found:
        return None
    amount = message.value(found[0], 2)
    unit = message.value(found[0], 2, 2)
    if not amount:
        return None
    if not amount.isdigit() or unit not in ("", "RD"):
        raise V2Error(
            f"RCP-2 {amount}^{unit} is not a number of records (n^RD)", Location("RCP", 2), HL7_ERR_DATA_TYPE
        )
    return int(amount)


def domains(message: Message, segment: hl7.Segment, field: int) -> tuple[str, ...]:
    """What domains returned: repetitions of CX with only CX.4 valued; each must name an ISO OID."""
    oids = []
    for index, rep in enumerate(message.repetitions(segment, field)):
        oid = identifier_from_cx(rep).authority_oid
        if not oid:
            raise V2Error(
                f"QPD-{field} domain {index + 1} has no assigning authority OID (CX.4.2, CX.4.3 ISO)",
                Location("QPD", field, index + 1, 4),
                HL7_ERR_DATA_TYPE,
            )
        oids.append(oid)
    return tuple(oids)
