"""ITI-9 PIX Query: QBP^Q23 -> RSP^K23 (TF-2 3.9.4.2.2.6).

QPD-3 is the identifier asked about, QPD-4 the what-domains-returned filter. Cases: identifiers found
(AA, OK, one PID with PID-3 listing them); none in the asked domains (AA, NF, no PID); unknown identifier
(AE, ERR QPD^1^3^1^1, 204); unknown authority of it (AE, ERR QPD^1^3^1^4); unknown asked domain
(AE, ERR QPD^1^4^n^4).
"""

from __future__ import annotations

from sqlalchemy import Engine

from pix_pdq.model import IdentityError, Subject
from pix_pdq.pix import cross_references
from pix_pdq.settings import PatientIdentitySettings
from pix_pdq.v2.codec import (
    Header,
    Location,
    Message,
    V2Error,
    identifier_from_cx,
    refusal,
    render,
    render_cx,
)
from pix_pdq.v2.query import domains, qpd, response
from pix_pdq.vocabulary import HL7_ERR_REQUIRED_FIELD_MISSING

QUERY_NAME = "IHE PIX Query"
RESPONSE_TYPE = "RSP^K23^RSP_K23"
LOCATIONS = {
    Subject.IDENTIFIER: Location("QPD", 3, component=1),
    Subject.AUTHORITY: Location("QPD", 3, component=4),
    Subject.DOMAIN: Location("QPD", 4, component=4),
}
# PID-5 is required in 2.5 but a PIX answer carries no demographics: an empty name of type S (pseudonym).
NO_NAME = "~^^^^^^S"


def handle_pix_query(
    engine: Engine, settings: PatientIdentitySettings, message: Message, header: Header
) -> str:
    """Answer one QBP^Q23; every refusal is an RSP^K23 with AE and the QPD field at fault."""
    query = None
    try:
        query = qpd(message, QUERY_NAME)
        reps = message.repetitions(query, 3)
        if not reps:
            raise V2Error(
                "QPD-3 person identifier missing", Location("QPD", 3), HL7_ERR_REQUIRED_FIELD_MISSING
            )
        identifier = identifier_from_cx(reps[0])
        found = cross_references(engine, identifier, domains(message, query, 4), settings)
    except IdentityError as exc:
        return render(
            response(
                header, settings, RESPONSE_TYPE, message, query, status="AE", error=refusal(exc, LOCATIONS)
            )
        )
    except V2Error as exc:
        return render(response(header, settings, RESPONSE_TYPE, message, query, status="AE", error=exc))
    if not found:
        return render(response(header, settings, RESPONSE_TYPE, message, query, status="NF"))
    segments = response(header, settings, RESPONSE_TYPE, message, query, status="OK")
    segments.append(["PID", "", "", "~".join(render_cx(i) for i in found), "", NO_NAME])
    return render(segments)
