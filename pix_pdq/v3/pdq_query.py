"""ITI-47 Patient Demographics Query HL7 v3 (TF-2 3.47): PRPA_IN201305UV02 -> PRPA_IN201306UV02, the
continuation QUQI_IN000003UV01 -> PRPA_IN201306UV02 and its cancel QUQI_IN000003UV01 -> MCCI_IN000002UV01.

The parameters of queryByParameter/parameterList map onto `pix_pdq.pdq.Criteria` as ITI-21 QPD-3 does:
livingSubjectName (family, given; a trailing `*` is a prefix wildcard), livingSubjectBirthTime,
livingSubjectAdministrativeGender, livingSubjectId, and otherIDsScopingOrganization, the what-domains-returned
filter (TF-2 3.47.4.1.2.1). Any other parameter is refused rather than ignored: ignoring it would return
patients the consumer excluded. initialQuantity limits a page; when more remain the queryAck counts them and
the consumer continues with the same queryId (TF-2 3.47.4.3). The queryResponseCode is QE for a malformed or
unsupported parameter, AE for what the store does not know (a domain, a finished query).
"""

from __future__ import annotations

import hashlib

from lxml import etree
from sqlalchemy import Engine

from pix_pdq.model import IdentityError, PatientRecord, Subject
from pix_pdq.pdq import Criteria, Page, cancel_search, continue_search, search
from pix_pdq.settings import PatientIdentitySettings
from pix_pdq.v3.ack import ack_message
from pix_pdq.v3.codec import (
    XSI,
    E,
    V3Error,
    attribute,
    children,
    date_of,
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
from pix_pdq.v3.person import Where, read_gender, render_person
from pix_pdq.v3.wrapper import Header, acknowledgement, answer_wrapper, check_header, read_header
from pix_pdq.vocabulary import HL7_ERR_DATA_TYPE, HL7_ERR_TABLE_VALUE, HL7_ERR_UNKNOWN_KEY

QUERY, ANSWER, CONTINUATION = "PRPA_IN201305UV02", "PRPA_IN201306UV02", "QUQI_IN000003UV01"
ANSWER_EVENT = "PRPA_TE201306UV02"
CONTINUE_STATUS, CANCEL_STATUS = "waitContinuedQueryResponse", "aborted"  # TF-2 3.47.4.3.1
SUPPORTED = (
    "livingSubjectAdministrativeGender",
    "livingSubjectBirthTime",
    "livingSubjectId",
    "livingSubjectName",
    "otherIDsScopingOrganization",
)
TAG_LENGTH = 64  # pdq_continuation.query_tag
# Matching is exact (name keys, dates, codes), so every match is certain: 100 percent (TF-2 3.47.4.2.2.6).
MATCH_CERTAIN = "100"


def query_tag(query_id: tuple[str, str]) -> str:
    """The continuation key of a v3 queryId: `extension^root`, digested when longer than the column."""
    root, extension = query_id
    text = f"{extension}^{root}"
    if len(text) <= TAG_LENGTH:
        return text
    return ("v3:" + hashlib.sha256(text.encode()).hexdigest())[:TAG_LENGTH]


def _tag(query_id: etree._Element) -> str:
    attribute(query_id, "root")
    return query_tag(ii_values(query_id))


def _criteria(parameters: etree._Element) -> tuple[Criteria, Where]:
    """The criteria, and the element each came from so a refusal names it."""
    values: dict[str, str] = {}
    where: Where = {Subject.QUERY: (path(parameters),)}
    domains: list[etree._Element] = []
    for parameter in parameters.iterchildren(tag=etree.Element):
        local = etree.QName(parameter).localname
        if local == "id":
            continue
        if local not in SUPPORTED:
            raise V3Error(
                f"query parameter {local} is not supported (supported: {', '.join(SUPPORTED)})",
                path(parameter),
                HL7_ERR_TABLE_VALUE,
            )
        if local == "otherIDsScopingOrganization":
            domains += children(parameter, "value")
            continue
        if len(children(parameters, local)) > 1:
            raise V3Error(f"query parameter {local} is repeated", path(parameter), HL7_ERR_DATA_TYPE)
        value = only(parameter, "value")
        if local == "livingSubjectAdministrativeGender":
            values["sex"] = read_gender(value)
            where[Subject.SEX] = (path(value),)
        elif local == "livingSubjectBirthTime":
            values["birth_date"] = date_of(value)
            where[Subject.BIRTH_DATE] = (path(value),)
        elif local == "livingSubjectId":
            identifier = read_ii(value)
            values["id_number"], values["authority_oid"] = identifier.id_number, identifier.authority_oid
            where[Subject.IDENTIFIER] = (path(value),)
        else:
            for part, key, subject in (
                ("family", "family_name", Subject.NAME),
                ("given", "given_name", Subject.GIVEN_NAME),
            ):
                found = children(value, part)
                if found:
                    values[key] = "".join(only(value, part).itertext()).strip()
                    where[subject] = (path(found[0]),)
    where[Subject.DOMAIN] = tuple(path(v) for v in domains)
    criteria = Criteria(**values, domains=tuple(attribute(v, "root") for v in domains))
    return criteria, where


def _quantity(el: etree._Element | None) -> int | None:
    if el is None:
        return None
    value = attribute(el, "value")
    if not value.isdigit():
        raise V3Error(f"{path(el)} value {value!r} is not a number of records", path(el), HL7_ERR_DATA_TYPE)
    return int(value)


def _patient(record: PatientRecord) -> etree._Element:
    """PRPA_MT201310UV02.Patient: its identifiers (in the asked domains), demographics, match weight."""
    ids = [ii("id", i) for i in record.identifiers] or [E("id", nullFlavor="NI")]
    weight = E("value", value=MATCH_CERTAIN)
    weight.set(f"{{{XSI}}}type", "INT")
    return E(
        "patient",
        *ids,
        E("statusCode", code="active"),
        render_person(record.traits),
        E(
            "subjectOf1",
            E(
                "queryMatchObservation",
                E("code", code="IHE_PDQ"),
                weight,
                classCode="COND",
                moodCode="EVN",
            ),
        ),
        classCode="PAT",
    )


def _answer(
    header: Header,
    settings: PatientIdentitySettings,
    query_id: tuple[str, str] | None,
    query: etree._Element | None,
    outcome: Page | V3Error,
) -> etree._Element:
    if isinstance(outcome, V3Error):
        code = "AE" if outcome.ack_code == "AR" or outcome.code == HL7_ERR_UNKNOWN_KEY else "QE"
        subjects, ack, error = [], query_ack(query_id, code), outcome
    else:
        subjects = [registration_event(_patient(r), settings) for r in outcome.records]
        counts = (outcome.total, len(outcome.records), outcome.remaining)
        ack, error = query_ack(query_id, "OK" if outcome.records else "NF", counts), None
    return E(
        ANSWER,
        *answer_wrapper(ANSWER, header, settings),
        acknowledgement(header, error),
        control_act(ANSWER_EVENT, subjects, ack, query),
        ITSVersion="XML_1.0",
    )


def _query_id(parent: etree._Element | None) -> tuple[str, str] | None:
    found = optional(parent, "queryId") if parent is not None else None
    return ii_values(found) if found is not None and found.get("root") else None


def handle_pdq_query(
    engine: Engine, settings: PatientIdentitySettings, message: etree._Element
) -> etree._Element:
    """Answer one PRPA_IN201305UV02 with its first page; every refusal names the element at fault."""
    header = read_header(message)
    act = optional(message, "controlActProcess")
    query = optional(act, "queryByParameter") if act is not None else None
    query_id = _query_id(query)
    try:
        check_header(message, QUERY)
        query = require(require(message, "controlActProcess"), "queryByParameter")
        tag = _tag(require(query, "queryId"))
        criteria, where = _criteria(require(query, "parameterList"))
        quantity = _quantity(optional(query, "initialQuantity"))
        try:
            outcome: Page | V3Error = search(engine, criteria, tag=tag, quantity=quantity, settings=settings)
        except IdentityError as exc:
            raise refusal(exc, where, path(query)) from exc
    except V3Error as exc:
        outcome = exc
    return _answer(header, settings, query_id, query, outcome)


def _continuation(message: etree._Element, status: str) -> tuple[str, etree._Element]:
    """The query tag and the queryContinuation of a QUQI_IN000003UV01 whose statusCode is `status`."""
    check_header(message, CONTINUATION)
    continuation = require(require(message, "controlActProcess"), "queryContinuation")
    tag = _tag(require(continuation, "queryId"))
    status_code = require(continuation, "statusCode")
    if status_code.get("code") != status:
        raise V3Error(
            f"statusCode {status_code.get('code')!r}: this action expects {status!r}",
            path(status_code),
            HL7_ERR_TABLE_VALUE,
        )
    return tag, continuation


def handle_continuation(
    engine: Engine, settings: PatientIdentitySettings, message: etree._Element
) -> etree._Element:
    """The next page of a pending query (QUQI_IN000003UV01_Continue, TF-2 3.47.4.3)."""
    header = read_header(message)
    act = optional(message, "controlActProcess")
    query_id = _query_id(optional(act, "queryContinuation") if act is not None else None)
    try:
        tag, continuation = _continuation(message, CONTINUE_STATUS)
        quantity = _quantity(optional(continuation, "continuationQuantity"))
        try:
            outcome: Page | V3Error = continue_search(engine, tag=tag, quantity=quantity, settings=settings)
        except IdentityError as exc:
            raise V3Error(
                f"no pending query with this queryId (expired, cancelled or complete): {exc}",
                path(require(continuation, "queryId")),
                HL7_ERR_UNKNOWN_KEY,
            ) from exc
    except V3Error as exc:
        outcome = exc
    return _answer(header, settings, query_id, None, outcome)


def handle_cancel(
    engine: Engine, settings: PatientIdentitySettings, message: etree._Element
) -> etree._Element:
    """Forget a pending query (QUQI_IN000003UV01_Cancel, TF-2 3.47.4.3): AA even when nothing was pending,
    the consumer's goal being reached."""
    header = read_header(message)
    try:
        tag, _ = _continuation(message, CANCEL_STATUS)
    except V3Error as exc:
        return ack_message(header, settings, exc)
    cancel_search(engine, tag)
    return ack_message(header, settings)
