"""The patient identity model: identifiers, identity traits, and the checks every interface shares.

Validation lives here, not in the HL7 codecs, so a refusal is the same whether the identity arrived over
HL7 v2, HL7 v3 or the CLI; each codec only translates `IdentityError.subject` into its own location
(a v2 segment/field, a v3 element).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from pix_pdq.ins import INSError, check_ins, is_ins_authority
from pix_pdq.vocabulary import (
    HL7_ERR_DATA_TYPE,
    HL7_ERR_DUPLICATE_KEY,
    HL7_ERR_REQUIRED_FIELD_MISSING,
    HL7_ERR_TABLE_VALUE,
    HL7_ERR_UNKNOWN_KEY,
    SEX_CODES,
)
from xds.ebxml.datatypes import CX, is_oid


class Subject(Enum):
    """What part of the input a refusal is about; codecs map it to a segment/field or an element."""

    IDENTIFIER = "identifier"
    PRIOR_IDENTIFIER = "prior identifier"  # the merged-away id (ITI-8 MRG-1, ITI-44 replacementOf)
    AUTHORITY = (
        "assigning authority"  # the queried identifier's authority is not a known domain (ITI-9 case 4)
    )
    DOMAIN = "domain"  # a what-domains-returned authority (ITI-9 QPD-4, ITI-45 DataSource)
    NAME = "name"
    GIVEN_NAME = "given name"
    BIRTH_DATE = "birth date"
    SEX = "sex"
    BIRTH_PLACE = "birth place"
    QUERY = "query"


class Problem(Enum):
    """Why; codecs map it to an HL7 table 0357 code or a v3 acknowledgement detail code."""

    INVALID = "invalid"  # malformed value
    MISSING = "missing"  # required and absent
    UNKNOWN = "unknown"  # well formed but not in the store (unknown key identifier)
    CONFLICT = "conflict"  # contradicts the store (duplicate key, merged id, two patients)


class IdentityError(ValueError):
    """A refusal with the part of the input at fault; `index` is the 0-based repetition when it repeats."""

    def __init__(self, message: str, subject: Subject, problem: Problem, index: int = 0) -> None:
        super().__init__(message)
        self.subject = subject
        self.problem = problem
        self.index = index


PROBLEM_CODES = {
    Problem.INVALID: HL7_ERR_DATA_TYPE,
    Problem.MISSING: HL7_ERR_REQUIRED_FIELD_MISSING,
    Problem.UNKNOWN: HL7_ERR_UNKNOWN_KEY,
    Problem.CONFLICT: HL7_ERR_DUPLICATE_KEY,
}


def hl7_error_code(error: IdentityError) -> str:
    """The HL7 table 0357 code of a refusal: v2 writes it in ERR-3 and v3 in acknowledgementDetail.code
    (ITI TF-2 3.45.4.2.3 and 3.47.4.2.3 reuse the table), so both codecs take it from here."""
    if error.subject is Subject.SEX and error.problem is Problem.INVALID:
        return HL7_ERR_TABLE_VALUE
    return PROBLEM_CODES[error.problem]


@dataclass(frozen=True, slots=True)
class Identifier:
    """A patient identifier in one assigning authority: HL7 v2 CX `id^^^namespace&OID&ISO^type`, v3 II.

    The OID is the identity of the authority; the namespace and type code are kept only to be echoed back.
    """

    id_number: str
    authority_oid: str
    namespace: str = ""
    type_code: str = ""

    @property
    def cx(self) -> str:
        """The canonical XDS form `id^^^&OID&ISO` (TF-3 4.2.3.1.7-2), as registry metadata carries it."""
        return str(CX(self.id_number, self.authority_oid))

    @property
    def key(self) -> tuple[str, str]:
        return (self.authority_oid, self.id_number)

    @classmethod
    def from_cx(cls, cx: CX) -> Identifier:
        return cls(cx.id_number, cx.authority_oid)


@dataclass(frozen=True, slots=True)
class Traits:
    """Identity traits as the INS defines them (dmp-france.md 3.4): birth name, the list of birth first names,
    the used first name, sex, birth date `YYYYMMDD`, birth place INSEE code; plus the used name that PDQ also
    searches. Empty string = not known."""

    birth_name: str = ""
    first_names: str = ""  # all birth first names, space separated (INSi ListePrenom)
    used_first_name: str = ""
    used_name: str = ""
    sex: str = ""
    birth_date: str = ""
    birth_place: str = ""


@dataclass(frozen=True, slots=True)
class PatientRecord:
    """A patient as the store returns it: its active identifiers, the ids merged into it, its traits."""

    seq: int
    traits: Traits
    identifiers: tuple[Identifier, ...]
    merged: tuple[Identifier, ...] = field(default=())


MAX_ID_LENGTH = 256  # the patient_identifier.id_number column
DATE_RE = re.compile(r"[0-9]{8}")
# INSEE COG commune code: 2 characters of department (2A/2B for Corsica, 97x overseas, 99 abroad) + 3 digits.
INSEE_RE = re.compile(r"(?:[0-9]{2}|2[AB])[0-9]{3}")


def check_identifier(identifier: Identifier, subject: Subject = Subject.IDENTIFIER, index: int = 0) -> None:
    """An identifier the store can hold: a value, an ISO OID authority, and for an INS the INS rules."""

    def fail(message: str, problem: Problem = Problem.INVALID) -> IdentityError:
        return IdentityError(message, subject, problem, index)

    if not identifier.id_number:
        raise fail("identifier has no id number", Problem.MISSING)
    if len(identifier.id_number) > MAX_ID_LENGTH or any(c in identifier.id_number for c in "^~&|\\\r\n"):
        raise fail(f"id number {identifier.id_number[:40]!r} is too long or holds HL7 delimiters")
    if not identifier.authority_oid:
        raise fail(f"identifier {identifier.id_number!r} has no assigning authority OID", Problem.MISSING)
    if not is_oid(identifier.authority_oid):
        raise fail(f"assigning authority {identifier.authority_oid!r} is not an ISO OID")
    if is_ins_authority(identifier.authority_oid):
        try:
            check_ins(identifier.id_number, identifier.authority_oid, identifier.type_code)
        except INSError as exc:
            raise fail(str(exc)) from exc


def check_identifiers(identifiers: tuple[Identifier, ...]) -> None:
    """At least one identifier, each valid, at most one per assigning authority (one person, one id each)."""
    if not identifiers:
        raise IdentityError("no patient identifier", Subject.IDENTIFIER, Problem.MISSING)
    seen: set[str] = set()
    for index, identifier in enumerate(identifiers):
        check_identifier(identifier, Subject.IDENTIFIER, index)
        if identifier.authority_oid in seen:
            raise IdentityError(
                f"two identifiers in authority {identifier.authority_oid}; a patient has one per authority",
                Subject.IDENTIFIER,
                Problem.CONFLICT,
                index,
            )
        seen.add(identifier.authority_oid)


def check_birth_date(value: str, subject: Subject = Subject.BIRTH_DATE) -> None:
    if not DATE_RE.fullmatch(value):
        raise IdentityError(f"birth date {value!r} is not YYYYMMDD", subject, Problem.INVALID)
    try:
        date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError as exc:
        raise IdentityError(f"birth date {value!r} is not a calendar date", subject, Problem.INVALID) from exc


def check_traits(traits: Traits) -> None:
    """Traits present must be well formed; none is required (a local IPP feed may carry only a name)."""
    if traits.sex and traits.sex not in SEX_CODES:
        raise IdentityError(
            f"sex {traits.sex!r} is not in HL7 table 0001 ({', '.join(sorted(SEX_CODES))})",
            Subject.SEX,
            Problem.INVALID,
        )
    if traits.birth_date:
        check_birth_date(traits.birth_date)
    if traits.birth_place and not INSEE_RE.fullmatch(traits.birth_place):
        raise IdentityError(
            f"birth place {traits.birth_place!r} is not an INSEE commune code",
            Subject.BIRTH_PLACE,
            Problem.INVALID,
        )
    for value, subject in (
        (traits.birth_name, Subject.NAME),
        (traits.used_name, Subject.NAME),
        (traits.first_names, Subject.GIVEN_NAME),
        (traits.used_first_name, Subject.GIVEN_NAME),
    ):
        if len(value) > 200:
            raise IdentityError(
                f"name {value[:40]!r}... is longer than 200 characters", subject, Problem.INVALID
            )


def name_key(value: str) -> str:
    """The search form of a name: accents removed, upper case, one space between words.

    PDQ matches `Hélène` to `HELENE`: identity-vigilance rules write names in upper case without accents,
    while hospital systems send them either way.
    """
    decomposed = unicodedata.normalize("NFKD", value)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.upper().split())
