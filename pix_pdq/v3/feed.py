"""ITI-44 Patient Identity Feed HL7 v3 (TF-2 3.44): PRPA_IN201301UV02 add, PRPA_IN201302UV02 revise,
PRPA_IN201304UV02 merge, each answered with MCCI_IN000002UV01.

The patient is controlActProcess/subject/registrationEvent/subject1/patient: its `id`s and the
patientPerson/asOtherIDs/id are all identifiers of one person, cross-referenced on one patient as ITI-8 PID-3
is (TF-2 3.44.4.1.2.2). A merge names the subsumed identifier in registrationEvent/replacementOf/
priorRegistration/subject1/priorRegisteredRole/id (TF-2 3.44.4.2.2.2). Add and revise map onto
`feed_patient` (revise, like ITI-8 A08, only updates a known patient), merge onto `merge_patients`.
"""

from __future__ import annotations

from lxml import etree
from sqlalchemy import Engine

from pix_pdq.model import Identifier, IdentityError, Subject, Traits
from pix_pdq.patients import feed_patient, merge_patients
from pix_pdq.settings import PatientIdentitySettings
from pix_pdq.v3.ack import ack_message
from pix_pdq.v3.codec import V3Error, children, only, optional, path, read_ii, refusal, require
from pix_pdq.v3.person import Where, read_person
from pix_pdq.v3.wrapper import check_header, read_header

ADD, REVISE, MERGE = "PRPA_IN201301UV02", "PRPA_IN201302UV02", "PRPA_IN201304UV02"
SOURCE = "ITI-44"


def _patient_identifiers(
    patient: etree._Element, person: etree._Element | None
) -> tuple[list[Identifier], Where]:
    elements = children(patient, "id")
    if person is not None:
        elements += [i for other in children(person, "asOtherIDs") for i in children(other, "id")]
    if not elements:
        require(patient, "id")
    return [read_ii(i) for i in elements], {Subject.IDENTIFIER: tuple(path(i) for i in elements)}


def _apply(engine: Engine, message: etree._Element, interaction: str) -> None:
    """Read the one registration event of `message` and apply it in one store transaction."""
    event = only(only(require(message, "controlActProcess"), "subject"), "registrationEvent")
    patient = require(require(event, "subject1"), "patient")
    person = optional(patient, "patientPerson")
    identifiers, where = _patient_identifiers(patient, person)
    traits, trait_where = read_person(person) if person is not None else (Traits(), {})
    where.update(trait_where)
    try:
        if interaction == MERGE:
            role = require(
                require(require(only(event, "replacementOf"), "priorRegistration"), "subject1"),
                "priorRegisteredRole",
            )
            prior = only(role, "id")
            where[Subject.PRIOR_IDENTIFIER] = (path(prior),)
            merge_patients(engine, identifiers, read_ii(prior), traits, source=SOURCE)
        else:
            feed_patient(engine, identifiers, traits, update_only=interaction == REVISE)
    except IdentityError as exc:
        raise refusal(exc, where, path(patient)) from exc


def handle_feed(
    engine: Engine, settings: PatientIdentitySettings, message: etree._Element, interaction: str
) -> etree._Element:
    """Apply one ITI-44 message and answer AA, or AE/AR naming the element at fault."""
    header = read_header(message)
    try:
        check_header(message, interaction)
        _apply(engine, message, interaction)
    except V3Error as exc:
        return ack_message(header, settings, exc)
    return ack_message(header, settings)
