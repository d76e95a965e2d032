"""Identity traits in HL7 v3 Person (PRPA_MT201301/201303UV02 in ITI-44, PRPA_MT201310UV02 in ITI-47).

The INS traits (dmp-france.md 3.4) map onto v3 as the v2 side maps them onto PID (pix_pdq.v2.feed):
- names: a PN whose family has qualifier `BR` (birth, HL7 EntityNamePartQualifier) holds the birth name and,
  in its `given` parts, the birth first names; a family qualified `SP` is the used name, a given qualified
  `CL` (call me) the used first name. An unqualified family is the birth name, or the used name once a
  birth name was read; unqualified givens count as first names only in the PN holding the birth name.
- administrativeGenderCode from AdministrativeGender (2.16.840.1.113883.5.1): M, F, UN.
- birthTime: the date part.
- birthPlace/addr/county: the INSEE commune code (the v2 XAD.9 county code of the BDL address).
"""

from __future__ import annotations

from lxml import etree

from pix_pdq.model import Subject, Traits
from pix_pdq.v3.codec import E, V3Error, children, date_of, optional, path
from pix_pdq.vocabulary import HL7_ERR_TABLE_VALUE, V3_GENDER_CODES

BIRTH, SPOUSE, CALL_ME = "BR", "SP", "CL"
GENDER_SYSTEM = "2.16.840.1.113883.5.1"
V2_TO_V3_GENDER = {v2: v3 for v3, v2 in V3_GENDER_CODES.items()}

Where = dict[Subject, tuple[str, ...]]


def _qualifiers(el: etree._Element) -> set[str]:
    return set((el.get("qualifier") or "").split())


def _text(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


def read_gender(el: etree._Element) -> str:
    """The v2 sex code (HL7 table 0001) of an AdministrativeGender CE; an unknown code is refused."""
    code = (el.get("code") or "").strip()
    if code not in V3_GENDER_CODES:
        raise V3Error(
            f"administrative gender {code!r} is not in AdministrativeGender (M, F, UN)",
            path(el),
            HL7_ERR_TABLE_VALUE,
        )
    return V3_GENDER_CODES[code]


def read_person(person: etree._Element) -> tuple[Traits, Where]:
    """The traits of a Person element, and the element each came from for refusals."""
    values: dict[str, str] = {}
    where: Where = {}
    first_names: list[str] = []
    for name in children(person, "name"):
        holds_birth_name = False
        for family in children(name, "family"):
            qualifiers = _qualifiers(family)
            birth = BIRTH in qualifiers or (SPOUSE not in qualifiers and "birth_name" not in values)
            key = "birth_name" if birth else "used_name"
            values[key] = _text(family)
            where[Subject.NAME] = (path(family),)
            holds_birth_name |= birth
        for given in children(name, "given"):
            if CALL_ME in _qualifiers(given):
                values["used_first_name"] = _text(given)
            elif holds_birth_name:
                first_names.append(_text(given))
            where[Subject.GIVEN_NAME] = (path(given),)
    if first_names:
        values["first_names"] = " ".join(first_names)
    gender = optional(person, "administrativeGenderCode")
    if gender is not None:
        values["sex"] = read_gender(gender)
        where[Subject.SEX] = (path(gender),)
    birth_time = optional(person, "birthTime")
    if birth_time is not None:
        values["birth_date"] = date_of(birth_time)
        where[Subject.BIRTH_DATE] = (path(birth_time),)
    county = person.find("{urn:hl7-org:v3}birthPlace/{urn:hl7-org:v3}addr/{urn:hl7-org:v3}county")
    if county is not None:
        values["birth_place"] = _text(county)
        where[Subject.BIRTH_PLACE] = (path(county),)
    return Traits(**values), where


def _names(traits: Traits) -> list[etree._Element]:
    names = []
    if traits.birth_name or traits.first_names:
        parts = [E("family", traits.birth_name, qualifier=BIRTH)] if traits.birth_name else []
        parts += [E("given", given) for given in traits.first_names.split()]
        names.append(E("name", *parts))
    if traits.used_name or traits.used_first_name:
        parts = [E("family", traits.used_name, qualifier=SPOUSE)] if traits.used_name else []
        if traits.used_first_name:
            parts.append(E("given", traits.used_first_name, qualifier=CALL_ME))
        names.append(E("name", *parts))
    # Person.name is mandatory (1..*): a patient fed with identifiers only has no name to give
    return names or [E("name", nullFlavor="NI")]


def render_person(traits: Traits) -> etree._Element:
    """patientPerson of an ITI-47 match (PRPA_MT201310UV02.Person), elements in schema order."""
    person = E("patientPerson", *_names(traits), classCode="PSN", determinerCode="INSTANCE")
    if traits.sex:
        gender = V2_TO_V3_GENDER.get(traits.sex)
        person.append(
            E("administrativeGenderCode", code=gender, codeSystem=GENDER_SYSTEM)
            if gender
            else E("administrativeGenderCode", nullFlavor="OTH")  # v2 O, A, N have no v3 code
        )
    if traits.birth_date:
        person.append(E("birthTime", value=traits.birth_date))
    if traits.birth_place:
        person.append(E("birthPlace", E("addr", E("county", traits.birth_place))))
    return person
