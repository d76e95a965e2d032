"""ITI-8 Patient Identity Feed (TF-2 3.8): ADT^A01/A04/A05 create or update, A08 update, A40 merge.

PID-3 is the identifier list (one per assigning authority, an OID in CX.4.2); PID-5 carries the birth name
(name type L) and the used name (D) as the French PAM profile writes them; PID-7 birth date, PID-8 sex,
PID-11 with address type BDL the birth place INSEE code in XAD.9. A40 merges MRG-1 into PID-3
(TF-2 3.8.4.2.2).
"""

from __future__ import annotations

import hl7
from sqlalchemy import Engine

from pix_pdq.model import Identifier, IdentityError, Subject, Traits, name_key
from pix_pdq.patients import feed_patient, merge_patients
from pix_pdq.settings import PatientIdentitySettings
from pix_pdq.v2.ack import ack
from pix_pdq.v2.codec import Header, Location, Message, V2Error, identifier_from_cx, refusal
from pix_pdq.vocabulary import HL7_ERR_REQUIRED_FIELD_MISSING, HL7_ERR_SEGMENT_SEQUENCE

CREATE_EVENTS = frozenset({"A01", "A04", "A05"})
UPDATE_EVENT = "A08"
MERGE_EVENT = "A40"
FEED_EVENTS = CREATE_EVENTS | {UPDATE_EVENT, MERGE_EVENT}
BIRTH_NAME_TYPE, USED_NAME_TYPE, BIRTH_PLACE_ADDRESS_TYPE = "L", "D", "BDL"

LOCATIONS = {
    Subject.IDENTIFIER: Location("PID", 3),
    Subject.PRIOR_IDENTIFIER: Location("MRG", 1),
    Subject.NAME: Location("PID", 5, component=1),
    Subject.GIVEN_NAME: Location("PID", 5, component=2),
    Subject.BIRTH_DATE: Location("PID", 7),
    Subject.SEX: Location("PID", 8),
    Subject.BIRTH_PLACE: Location("PID", 11, component=9),
}


def _one(message: Message, segment_id: str) -> hl7.Segment:
    found = message.segments(segment_id)
    if not found:
        raise V2Error(f"{segment_id} segment missing", Location(segment_id), HL7_ERR_SEGMENT_SEQUENCE)
    return found[0]


def _identifiers(message: Message, segment: hl7.Segment, field: int) -> tuple[Identifier, ...]:
    reps = message.repetitions(segment, field)
    if not any(rep and rep[0] and rep[0][0] for rep in reps):
        raise V2Error(
            f"no identifier in {segment[0]}-{field}",
            Location(str(segment[0]), field),
            HL7_ERR_REQUIRED_FIELD_MISSING,
        )
    return tuple(identifier_from_cx(rep) for rep in reps)


def _first_names(given: str, further: str) -> str:
    """XPN.2 is the first given name, XPN.3 the others; some French senders put the whole list in XPN.3."""
    if not further:
        return given
    if not given or name_key(further).startswith(name_key(given)):
        return further
    return f"{given} {further}"


def traits_from_pid(message: Message, pid: hl7.Segment) -> Traits:
    """Identity traits of a PID segment; checking them is the model's job (pix_pdq.model.check_traits)."""
    birth_name = first_names = used_name = used_first_name = ""
    for index, rep in enumerate(message.repetitions(pid, 5)):

        def comp(n: int, rep: list[list[str]] = rep) -> str:
            return rep[n - 1][0] if len(rep) >= n else ""

        name_type = comp(7)
        if name_type == USED_NAME_TYPE:
            used_name, used_first_name = comp(1), comp(2)
        elif name_type == BIRTH_NAME_TYPE or (index == 0 and not name_type):
            birth_name, first_names = comp(1), _first_names(comp(2), comp(3))
    birth_place = ""
    for rep in message.repetitions(pid, 11):
        if len(rep) >= 9 and rep[6][0] == BIRTH_PLACE_ADDRESS_TYPE:
            birth_place = rep[8][0]
    return Traits(
        birth_name=birth_name,
        first_names=first_names,
        used_first_name=used_first_name,
        used_name=used_name,
        sex=message.value(pid, 8),
        birth_date=message.value(pid, 7)[:8] if len(message.value(pid, 7)) >= 8 else message.value(pid, 7),
        birth_place=birth_place,
    )


def handle_feed(engine: Engine, settings: PatientIdentitySettings, message: Message, header: Header) -> str:
    """Apply one ITI-8 message in one transaction and answer ACK AA, or AE with ERR naming the field."""
    event = header.trigger_event
    try:
        pid = _one(message, "PID")
        identifiers = _identifiers(message, pid, 3)
        traits = traits_from_pid(message, pid)
        if event == MERGE_EVENT:
            mrg = _one(message, "MRG")
            prior = _identifiers(message, mrg, 1)
            if len(prior) > 1:
                raise V2Error(
                    "MRG-1 lists more than one identifier; ITI-8 merges one identifier per message",
                    Location("MRG", 1, 2),
                    HL7_ERR_SEGMENT_SEQUENCE,
                )
            merge_patients(engine, identifiers, prior[0], traits, source="ITI-8")
        else:
            feed_patient(engine, identifiers, traits, update_only=event == UPDATE_EVENT)
    except IdentityError as exc:
        return ack(header, settings, refusal(exc, LOCATIONS))
    except V2Error as exc:
        return ack(header, settings, exc)
    return ack(header, settings)
