"""The query-response control act wrapper MFMI_MT700711UV01 that ITI-45 (PRPA_IN201310UV02) and ITI-47
(PRPA_IN201306UV02) share: one registrationEvent per patient, the queryAck, the query echoed
(TF-2 3.45.4.2.2, 3.47.4.2.2)."""

from __future__ import annotations

import copy

from lxml import etree

from pix_pdq.settings import PatientIdentitySettings
from pix_pdq.v3.codec import INTERACTION_ROOT, E, echo_ii


def registration_event(patient: etree._Element, settings: PatientIdentitySettings) -> etree._Element:
    """subject/registrationEvent around one patient; the custodian is this PIX Manager / PDQ Supplier."""
    return E(
        "subject",
        E(
            "registrationEvent",
            E("id", nullFlavor="NA"),
            E("statusCode", code="active"),
            E("subject1", patient, typeCode="SBJ"),
            E(
                "custodian",
                E("assignedEntity", E("id", root=settings.device_oid), classCode="ASSIGNED"),
                typeCode="CST",
            ),
            classCode="REG",
            moodCode="EVN",
        ),
        typeCode="SUBJ",
    )


def query_ack(
    query_id: tuple[str, str] | None, response_code: str, counts: tuple[int, int, int] | None = None
) -> etree._Element:
    """queryAck: the consumer's queryId, OK/NF/AE/QE, and for PDQ the total, current and remaining counts."""
    # more to fetch: the query waits for a continuation (QueryStatusCode, HL7 v3 Query Infrastructure)
    waiting = counts is not None and counts[2] > 0
    ack = E(
        "queryAck",
        echo_ii("queryId", query_id),
        E("statusCode", code="waitContinuedQueryResponse" if waiting else "deliveredResponse"),
        E("queryResponseCode", code=response_code),
    )
    if counts is not None:
        for name, value in zip(
            ("resultTotalQuantity", "resultCurrentQuantity", "resultRemainingQuantity"), counts, strict=True
        ):
            ack.append(E(name, value=str(value)))
    return ack


def control_act(
    trigger_event: str,
    subjects: list[etree._Element],
    ack: etree._Element,
    query: etree._Element | None,
) -> etree._Element:
    """controlActProcess: trigger event code, the matches, the queryAck, and the query as received."""
    act = E(
        "controlActProcess",
        E("code", code=trigger_event, codeSystem=INTERACTION_ROOT),
        *subjects,
        ack,
        classCode="CACT",
        moodCode="EVN",
    )
    if query is not None:
        act.append(copy.deepcopy(query))
    return act
