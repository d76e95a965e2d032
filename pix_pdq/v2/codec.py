"""HL7 v2 read and write helpers: python-hl7 splits the message, these read fields as plain strings and
write responses with the default delimiters (HL7 2.5 chapter 2.5-2.7).

Responses are small templates rather than a generic builder: the three RSP/ACK shapes are fixed by
ITI-8/9/21 and a template makes each field's origin visible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import hl7

from pix_pdq.model import Identifier, IdentityError, Subject, hl7_error_code
from pix_pdq.vocabulary import (
    HL7_ERR_SEGMENT_SEQUENCE,
    HL7_ERR_TEXT,
)

FIELD, COMPONENT, REPETITION, ESCAPE, SUBCOMPONENT = "|", "^", "~", "\\", "&"
ENCODING_CHARACTERS = COMPONENT + REPETITION + ESCAPE + SUBCOMPONENT
SEGMENT_TERMINATOR = "\r"
# 2.3 up to 2.9: ITI-8 is 2.3.1 and ITI-9/21 are 2.5, and hospital engines send the same messages in
# neighbouring versions; 2.1/2.2 lack the QBP/ERR structures we answer with.
SUPPORTED_VERSION_RE = re.compile(r"2\.[3-9](?:\.[0-9]+)?")
ESCAPES = {ESCAPE: "\\E\\", FIELD: "\\F\\", COMPONENT: "\\S\\", SUBCOMPONENT: "\\T\\", REPETITION: "\\R\\"}


@dataclass(frozen=True, slots=True)
class Location:
    """Where an error is: HL7 2.5 ERL (segment^sequence^field^repetition^component)."""

    segment: str
    field: int = 0
    repetition: int = 1
    component: int = 0

    def erl(self) -> str:
        parts = [self.segment, "1", str(self.field) if self.field else ""]
        if self.field:
            parts.append(str(self.repetition))
            if self.component:
                parts.append(str(self.component))
        return COMPONENT.join(parts).rstrip(COMPONENT)

    def __str__(self) -> str:
        where = f"{self.segment}-{self.field}" if self.field else self.segment
        if self.repetition > 1:
            where += f"[{self.repetition}]"
        return where + (f".{self.component}" if self.component else "")


class V2Error(Exception):
    """A refusal to send back: ACK code (AE application error, AR reject), HL7 table 0357 code, location."""

    def __init__(self, message: str, location: Location | None, code: str, ack_code: str = "AE") -> None:
        super().__init__(message)
        self.location = location
        self.code = code
        self.ack_code = ack_code

    @property
    def text(self) -> str:
        return f"{self.location}: {self}" if self.location else str(self)


def refusal(error: IdentityError, locations: dict[Subject, Location]) -> V2Error:
    """Translate a model refusal into a v2 one at the field `locations` assigns to its subject; a repeating
    subject's index becomes the repetition."""
    base = locations.get(error.subject, locations.get(Subject.QUERY))
    location = None
    if base is not None:
        location = Location(base.segment, base.field, base.repetition + error.index, base.component)
    return V2Error(str(error), location, hl7_error_code(error))


@dataclass(frozen=True, slots=True)
class Header:
    """The MSH fields a response needs (HL7 2.5 2.14.9)."""

    sending_application: str
    sending_facility: str
    receiving_application: str
    receiving_facility: str
    control_id: str
    processing_id: str
    version: str
    message_type: str
    trigger_event: str
    charset: str


class Message:
    """A parsed request: segments by id, fields as unescaped strings split on the message's own delimiters."""

    def __init__(self, text: str) -> None:
        normalized = text.replace("\r\n", "\r").replace("\n", "\r").strip("\r")
        try:
            self._msg = hl7.parse(normalized)
        except hl7.ParseException as exc:
            raise V2Error(
                f"not an HL7 v2 message: {exc}", Location("MSH"), HL7_ERR_SEGMENT_SEQUENCE, "AR"
            ) from exc
        separators = self._msg.separators  # segment, field, repetition, component, subcomponent
        self._rep, self._comp, self._sub = separators[2], separators[3], separators[4]

    def segments(self, segment_id: str) -> list[hl7.Segment]:
        return [s for s in self._msg if str(s[0]) == segment_id]

    def segment_ids(self) -> list[str]:
        return [str(s[0]) for s in self._msg]

    def raw(self, segment: hl7.Segment, field: int) -> str:
        """The field as sent, delimiters and escapes included (used to echo QPD)."""
        return str(segment[field]) if len(segment) > field else ""

    def repetitions(self, segment: hl7.Segment, field: int) -> list[list[list[str]]]:
        """Field -> repetitions -> components -> unescaped subcomponents."""
        text = self.raw(segment, field)
        if not text or text == '""':  # `""` is the HL7 explicit null: no value
            return []
        return [
            [[self._msg.unescape(sub) for sub in comp.split(self._sub)] for comp in rep.split(self._comp)]
            for rep in text.split(self._rep)
        ]

    def value(
        self, segment: hl7.Segment, field: int, component: int = 1, repetition: int = 1, sub: int = 1
    ) -> str:
        reps = self.repetitions(segment, field)
        try:
            return reps[repetition - 1][component - 1][sub - 1]
        except IndexError:
            return ""

    def header(self) -> Header:
        msh = self._msg[0]
        if str(msh[0]) != "MSH":
            raise V2Error(
                "the message does not start with MSH", Location("MSH"), HL7_ERR_SEGMENT_SEQUENCE, "AR"
            )
        return Header(
            sending_application=self.raw(msh, 3),
            sending_facility=self.raw(msh, 4),
            receiving_application=self.raw(msh, 5),
            receiving_facility=self.raw(msh, 6),
            control_id=self.value(msh, 10),
            processing_id=self.value(msh, 11),
            version=self.value(msh, 12),
            message_type=self.value(msh, 9, 1),
            trigger_event=self.value(msh, 9, 2),
            charset=self.raw(msh, 18),
        )


def escape(value: str) -> str:
    """HL7 2.5 2.7.4 escape sequences for the delimiters, so a name with `&` or `^` stays one value."""
    return "".join(ESCAPES.get(c, c) for c in value)


def identifier_from_cx(components: list[list[str]]) -> Identifier:
    """CX `id^^^namespace&OID&ISO^type`: the OID in CX.4.2 is the authority; a CX.4 without an ISO
    universal id has no OID and fails the identifier check."""

    def part(index: int, sub: int = 0) -> str:
        try:
            return components[index][sub]
        except IndexError:
            return ""

    universal_type = part(3, 2)
    oid = part(3, 1) if universal_type in ("ISO", "") else ""
    return Identifier(part(0), oid, namespace=part(3, 0), type_code=part(4))


def render_cx(identifier: Identifier) -> str:
    authority = SUBCOMPONENT.join((escape(identifier.namespace), identifier.authority_oid, "ISO"))
    cx = COMPONENT.join((escape(identifier.id_number), "", "", authority, escape(identifier.type_code)))
    return cx.rstrip(COMPONENT)


def render(segments: list[list[str]]) -> str:
    """Join fields and segments; every segment ends with CR (HL7 2.5 2.5.3 segment terminator)."""
    return "".join(FIELD.join(fields) + SEGMENT_TERMINATOR for fields in segments)


def timestamp() -> str:
    return datetime.now().astimezone().strftime("%Y%m%d%H%M%S%z")


def msh(
    header: Header, control_id: str, message_type: str, *, our_application: str, our_facility: str
) -> list[str]:
    """Response MSH: sender and receiver swapped (HL7 2.5 2.9.2.2), same version and processing id."""
    fields = [
        "MSH",
        ENCODING_CHARACTERS,
        header.receiving_application or escape(our_application),
        header.receiving_facility or escape(our_facility),
        header.sending_application,
        header.sending_facility,
        timestamp(),
        "",
        message_type,
        control_id,
        header.processing_id or "P",
        header.version,
    ]
    if header.charset:
        fields += ["", "", "", "", "", header.charset]
    return fields


def err(error: V2Error, version: str) -> list[str]:
    """ERR for `version`: 2.3.1 has ELD in ERR-1 (segment^sequence^field^code&text&HL70357); 2.5 has the
    location in ERR-2, the code in ERR-3, severity in ERR-4 and the user message in ERR-8."""
    code = f"{error.code}{SUBCOMPONENT}{escape(HL7_ERR_TEXT.get(error.code, ''))}{SUBCOMPONENT}HL70357"
    location = error.location or Location("MSH")
    if version.startswith(("2.3", "2.4")):
        eld = COMPONENT.join((location.segment, "1", str(location.field) if location.field else "", code))
        return ["ERR", eld]
    cwe = COMPONENT.join((error.code, escape(HL7_ERR_TEXT.get(error.code, "")), "HL70357"))
    return ["ERR", "", location.erl(), cwe, "E", "", "", "", escape(error.text)]


def msa(ack_code: str, control_id: str, version: str, error: V2Error | None = None) -> list[str]:
    """Before 2.5 the ERR has no text, so the human-readable refusal goes in MSA-3; from 2.5 it is in ERR-8
    and MSA-3 (deprecated) stays empty."""
    fields = ["MSA", ack_code, escape(control_id)]
    if error is not None and version.startswith(("2.3", "2.4")):
        fields.append(escape(error.text))
    return fields
