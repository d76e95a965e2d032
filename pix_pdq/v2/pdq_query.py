"""ITI-21 Patient Demographics Query: QBP^Q22 -> RSP^K22 (TF-2 3.21), and QCN^J01 cancel (3.21.4.3).

QPD-3 lists `@PID.x.y^value` parameters (name with a trailing `*` wildcard, birth date, sex, identifier);
QPD-8 is the what-domains-returned filter; RCP-2 limits the records per response. When more remain, the
RSP ends with DSC (pointer, `I`) and the consumer asks again with that DSC (HL7 2.5 5.6.3 interactive
continuation); QCN^J01 with the query tag in QID-1 forgets it.
"""

from __future__ import annotations

import hl7
from sqlalchemy import Engine

from pix_pdq.model import IdentityError, PatientRecord, Subject
from pix_pdq.pdq import Criteria, Page, cancel_search, continue_search, search
from pix_pdq.settings import PatientIdentitySettings
from pix_pdq.v2.ack import ack
from pix_pdq.v2.codec import (
    COMPONENT,
    Header,
    Location,
    Message,
    V2Error,
    escape,
    refusal,
    render,
    render_cx,
)
from pix_pdq.v2.query import domains, qpd, quantity, response
from pix_pdq.vocabulary import HL7_ERR_REQUIRED_FIELD_MISSING, HL7_ERR_TABLE_VALUE, HL7_ERR_UNKNOWN_KEY

QUERY_NAME = "IHE PDQ Query"
RESPONSE_TYPE = "RSP^K22^RSP_K21"
# QPD-3 field names (ITI-21 3.21.4.1.2.2, Table 3.21-2) -> Criteria attribute.
PARAMETERS = {
    "@PID.3.1": "id_number",
    "@PID.3.4.2": "authority_oid",
    "@PID.5.1": "family_name",
    "@PID.5.1.1": "family_name",
    "@PID.5.2": "given_name",
    "@PID.7": "birth_date",
    "@PID.7.1": "birth_date",
    "@PID.8": "sex",
}
SUBJECTS = {
    "family_name": Subject.NAME,
    "given_name": Subject.GIVEN_NAME,
    "birth_date": Subject.BIRTH_DATE,
    "sex": Subject.SEX,
    "id_number": Subject.IDENTIFIER,
    "authority_oid": Subject.IDENTIFIER,
}


def _criteria(message: Message, query: hl7.Segment) -> tuple[Criteria, dict[Subject, Location]]:
    """The criteria, and where each came from so a refusal names its QPD-3 repetition."""
    values: dict[str, str] = {}
    locations = {Subject.QUERY: Location("QPD", 3), Subject.DOMAIN: Location("QPD", 8, component=4)}
    for index, rep in enumerate(message.repetitions(query, 3), start=1):
        name = rep[0][0] if rep and rep[0] else ""
        value = rep[1][0] if len(rep) > 1 else ""
        if name == "@PID.3.4.3" and value == "ISO":
            continue
        if name not in PARAMETERS:
            raise V2Error(
                f"QPD-3 parameter {name!r} is not supported (supported: {', '.join(PARAMETERS)})",
                Location("QPD", 3, index, 1),
                HL7_ERR_TABLE_VALUE,
            )
        values[PARAMETERS[name]] = value
        locations[SUBJECTS[PARAMETERS[name]]] = Location("QPD", 3, index, 2)
    if "birth_date" in values and len(values["birth_date"]) > 8:  # a TS with a time: the date is what matches
        values["birth_date"] = values["birth_date"][:8]
    return Criteria(**values, domains=domains(message, query, 8)), locations


def _pid(index: int, record: PatientRecord) -> list[str]:
    """PID of a match: identifiers, birth name (L) and used name (D), birth date, sex, birth place (BDL)."""
    t = record.traits
    given = t.first_names.split(" ", 1)
    names = []
    if t.birth_name or t.first_names:
        names.append(
            COMPONENT.join(
                (
                    escape(t.birth_name),
                    escape(given[0]),
                    escape(given[1] if len(given) > 1 else ""),
                    "",
                    "",
                    "",
                    "L",
                )
            )
        )
    if t.used_name or t.used_first_name:
        names.append(COMPONENT.join((escape(t.used_name), escape(t.used_first_name), "", "", "", "", "D")))
    place = COMPONENT.join(("", "", "", "", "", "", "BDL", "", t.birth_place)) if t.birth_place else ""
    return [
        "PID",
        str(index),
        "",
        "~".join(render_cx(i) for i in record.identifiers),
        "",
        "~".join(names),
        "",
        t.birth_date,
        t.sex,
        "",
        "",
        place,
    ]


def handle_pdq_query(
    engine: Engine, settings: PatientIdentitySettings, message: Message, header: Header
) -> str:
    """Answer one QBP^Q22, first page or continuation; every refusal is an RSP^K22 AE naming the field."""
    query = None
    try:
        query = qpd(message, QUERY_NAME)
        tag = message.value(query, 2)
        limit = quantity(message)
        dsc = message.segments("DSC")
        pointer = message.value(dsc[0], 1) if dsc else ""
        criteria, locations = _criteria(message, query)
        try:
            if pointer:
                page = continue_search(engine, tag=tag, pointer=pointer, quantity=limit, settings=settings)
            else:
                page = search(engine, criteria, tag=tag, quantity=limit, settings=settings)
        except IdentityError as exc:
            if pointer and exc.subject is Subject.QUERY:
                raise V2Error(
                    f"continuation pointer {pointer!r} is unknown or expired",
                    Location("DSC", 1),
                    HL7_ERR_UNKNOWN_KEY,
                ) from exc
            raise refusal(exc, locations) from exc
    except V2Error as exc:
        return render(
            response(
                header, settings, RESPONSE_TYPE, message, query, status="AE", error=exc, counts=(0, 0, 0)
            )
        )
    return _answer(header, settings, message, query, page)


def _answer(
    header: Header, settings: PatientIdentitySettings, message: Message, query: hl7.Segment, page: Page
) -> str:
    status = "OK" if page.records else "NF"
    segments = response(
        header,
        settings,
        RESPONSE_TYPE,
        message,
        query,
        status=status,
        counts=(page.total, len(page.records), page.remaining),
    )
    for index, record in enumerate(page.records, start=1):
        # QRI-1 candidate confidence: matching is deterministic, so every match is certain (HL7 2.5 5.5.7).
        segments += [_pid(index, record), ["QRI", "1"]]
    if page.pointer:
        segments.append(["DSC", page.pointer, "I"])
    return render(segments)


def handle_cancel(engine: Engine, settings: PatientIdentitySettings, message: Message, header: Header) -> str:
    """QCN^J01: forget the continuation of QID-1; AA even when nothing was pending (the goal is reached)."""
    qid = message.segments("QID")
    if not qid or not message.value(qid[0], 1):
        return ack(
            header,
            settings,
            V2Error("QID-1 query tag missing", Location("QID", 1), HL7_ERR_REQUIRED_FIELD_MISSING),
        )
    cancel_search(engine, message.value(qid[0], 1))
    return ack(header, settings)
