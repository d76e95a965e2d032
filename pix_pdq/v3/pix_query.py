"""ITI-45 PIX Query HL7 v3: PRPA_IN201309UV02 -> PRPA_IN201310UV02 (TF-2 3.45).

queryByParameter/parameterList/patientIdentifier/value is the identifier asked about, each dataSource/value
@root a what-domains-returned authority. The cases of TF-2 3.45.4.2.3, answered from
`pix_pdq.pix.cross_references` like ITI-9: identifiers found (AA, OK, one registrationEvent whose patient
lists them); none in the asked domains (AA, NF, no registrationEvent); unknown identifier or unknown
authority of it (AE, 204 at patientIdentifier/value); unknown asked domain (AE, 204 at that dataSource/value).
"""

from __future__ import annotations

from lxml import etree
from sqlalchemy import Engine

from pix_pdq.model import Identifier, IdentityError, Subject
from pix_pdq.pix import cross_references
from pix_pdq.settings import PatientIdentitySettings
from pix_pdq.v3.codec import (
    E,
    V3Error,
    attribute,
    children,
    ii,
    ii_values,
    only,
    optional,
    path,
    read_ii,
    refusal,
    require,
)
from pix_pdq.v3.control_act import control_act, query_ack, registration_event
from pix_pdq.v3.wrapper import acknowledgement, answer_wrapper, check_header, read_header

QUERY, ANSWER = "PRPA_IN201309UV02", "PRPA_IN201310UV02"
ANSWER_EVENT = "PRPA_TE201310UV02"


def _query(message: etree._Element) -> etree._Element | None:
    act = optional(message, "controlActProcess")
    return optional(act, "queryByParameter") if act is not None else None


def _ask(engine: Engine, settings: PatientIdentitySettings, query: etree._Element) -> tuple[Identifier, ...]:
    parameters = require(query, "parameterList")
    value = only(only(parameters, "patientIdentifier"), "value")
    values = [v for source in children(parameters, "dataSource") for v in children(source, "value")]
    where = {
        Subject.IDENTIFIER: (path(value),),
        Subject.AUTHORITY: (path(value),),
        Subject.DOMAIN: tuple(path(v) for v in values),
    }
    domains = tuple(attribute(v, "root") for v in values)
    try:
        return cross_references(engine, read_ii(value), domains, settings)
    except IdentityError as exc:
        raise refusal(exc, where, path(value)) from exc


def _patient(found: tuple[Identifier, ...]) -> etree._Element:
    """PRPA_MT201304UV02.Patient: the cross-referenced ids; a PIX answer carries no demographics, and the
    mandatory person name is null (NA, TF-2 3.45.4.2.2)."""
    return E(
        "patient",
        *(ii("id", i) for i in found),
        E("statusCode", code="active"),
        E(
            "patientPerson",
            E("name", nullFlavor="NA"),
            classCode="PSN",
            determinerCode="INSTANCE",
        ),
        classCode="PAT",
    )


def handle_pix_query(
    engine: Engine, settings: PatientIdentitySettings, message: etree._Element
) -> etree._Element:
    """Answer one PRPA_IN201309UV02; every refusal is an AE/AR naming the element at fault."""
    header = read_header(message)
    query = _query(message)
    query_id_el = optional(query, "queryId") if query is not None else None
    query_id = ii_values(query_id_el) if query_id_el is not None else None
    error: V3Error | None = None
    found: tuple[Identifier, ...] = ()
    try:
        check_header(message, QUERY)
        if query is None:
            require(require(message, "controlActProcess"), "queryByParameter")
        else:
            found = _ask(engine, settings, query)
    except V3Error as exc:
        error = exc
    code = "AE" if error else ("OK" if found else "NF")
    subjects = [registration_event(_patient(found), settings)] if found else []
    return E(
        ANSWER,
        *answer_wrapper(ANSWER, header, settings),
        acknowledgement(header, error),
        control_act(ANSWER_EVENT, subjects, query_ack(query_id, code), query),
        ITSVersion="XML_1.0",
    )
