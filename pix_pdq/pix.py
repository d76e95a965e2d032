"""PIX Query: the identifiers cross-referenced with one (ITI-9 TF-2 3.9.4.2.2.6, ITI-45 3.45.4.2.3).

Shared by HL7 v2 (QBP^Q23) and HL7 v3 (PRPA_IN201309UV02), which differ only in how they say the same cases:
unknown identifier, unknown authority of it, unknown requested domain (errors), no identifier in the
requested domains (NF), identifiers found (OK).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Engine, exists, select

from pix_pdq.model import Identifier, IdentityError, Problem, Subject, check_identifier
from pix_pdq.patients import load_records
from pix_pdq.settings import PatientIdentitySettings
from pix_pdq.tables import ACTIVE, patient_identifier


def is_known_domain(conn: Connection, authority_oid: str, settings: PatientIdentitySettings) -> bool:
    """A patient identification domain the manager recognizes: configured, or holding an identifier."""
    if authority_oid in settings.affinity_domain_oids:
        return True
    t = patient_identifier
    return bool(conn.execute(select(exists().where(t.c.authority_oid == authority_oid))).scalar())


def cross_references(
    engine: Engine, identifier: Identifier, domains: Sequence[str], settings: PatientIdentitySettings
) -> tuple[Identifier, ...]:
    """The other active identifiers of the patient holding `identifier`, limited to `domains` when given.

    An empty result means the patient is known but has no identifier in the requested domains (NF).
    Raises IdentityError: Subject.AUTHORITY/DOMAIN (index = repetition) UNKNOWN for an unrecognized
    domain, Subject.IDENTIFIER UNKNOWN for an identifier not held (or merged away: it no longer identifies).
    """
    check_identifier(identifier)
    with engine.connect() as conn:
        if not is_known_domain(conn, identifier.authority_oid, settings):
            raise IdentityError(
                f"assigning authority {identifier.authority_oid} is not a known domain",
                Subject.AUTHORITY,
                Problem.UNKNOWN,
            )
        for index, domain in enumerate(domains):
            if not is_known_domain(conn, domain, settings):
                raise IdentityError(
                    f"domain {domain} is not a known domain", Subject.DOMAIN, Problem.UNKNOWN, index
                )
        t = patient_identifier
        seq = conn.execute(
            select(t.c.patient_seq).where(
                t.c.authority_oid == identifier.authority_oid,
                t.c.id_number == identifier.id_number,
                t.c.status == ACTIVE,
            )
        ).scalar()
        if seq is None:
            raise IdentityError(
                f"no patient with identifier {identifier.cx}", Subject.IDENTIFIER, Problem.UNKNOWN
            )
        record = load_records(conn, [seq])[0]
    return tuple(
        i
        for i in record.identifiers
        if i.key != identifier.key and (not domains or i.authority_oid in domains)
    )
