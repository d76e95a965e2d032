"""PDQ: find patients by demographics, page by page (ITI-21 TF-2 3.21.4.1, ITI-47 TF-2 3.47.4.1).

Shared by HL7 v2 (QBP^Q22 with RCP-2 quantity, DSC continuation, QCN^J01 cancel) and HL7 v3
(PRPA_IN201305UV02 initialQuantity, QUQI_IN000003UV01 continuation and cancel). A continuation is a row in
`pdq_continuation`, not process memory, so it survives across HTTP workers and MLLP connections; paging is
by patient seq (keyset), so a page costs the same however deep it is.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Connection, Engine, delete, exists, func, insert, or_, select, update

from pix_pdq.model import (
    IdentityError,
    PatientRecord,
    Problem,
    Subject,
    check_birth_date,
    name_key,
)
from pix_pdq.patients import load_records
from pix_pdq.pix import is_known_domain
from pix_pdq.settings import PatientIdentitySettings
from pix_pdq.tables import ACTIVE, patient, patient_identifier, pdq_continuation
from pix_pdq.vocabulary import SEX_CODES
from xds.db.engine import write_transaction

WILDCARD = "*"


@dataclass(frozen=True, slots=True)
class Criteria:
    """The demographics asked for; empty = not asked. A trailing `*` on a name is a prefix wildcard
    (ITI-21 3.21.4.1.2.1 lets the supplier support wildcards)."""

    family_name: str = ""
    given_name: str = ""
    birth_date: str = ""
    sex: str = ""
    id_number: str = ""
    authority_oid: str = ""
    domains: tuple[str, ...] = field(default=())  # what domains returned (ITI-21 QPD-8, ITI-47 DataSource)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Criteria:
        data = json.loads(text)
        data["domains"] = tuple(data["domains"])
        return cls(**data)


@dataclass(frozen=True, slots=True)
class Page:
    """One page of matches; `pointer` is set when more remain (ITI-21 DSC-1, ITI-47 continuation)."""

    records: list[PatientRecord]
    total: int
    remaining: int
    pointer: str | None


def _name_pattern(value: str, subject: Subject) -> tuple[str, bool]:
    """(search key, is prefix); a `*` anywhere but at the end is refused rather than silently misread."""
    prefix = value.endswith(WILDCARD)
    core = value[:-1] if prefix else value
    if WILDCARD in core:
        raise IdentityError(
            f"name {value!r}: only a trailing {WILDCARD} wildcard is supported", subject, Problem.INVALID
        )
    key = name_key(core)
    if not key and not prefix:
        raise IdentityError(f"name {value!r} is empty", subject, Problem.INVALID)
    return key, prefix


def _like(key: str) -> str:
    return key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(criteria: Criteria) -> list[ColumnElement[bool]]:
    p = patient.c
    t = patient_identifier
    where: list[ColumnElement[bool]] = [p.status == ACTIVE]
    if criteria.family_name:
        key, prefix = _name_pattern(criteria.family_name, Subject.NAME)
        if prefix:
            where.append(
                or_(
                    p.birth_name_key.like(_like(key) + "%", escape="\\"),
                    p.used_name_key.like(_like(key) + "%", escape="\\"),
                )
            )
        else:
            where.append(or_(p.birth_name_key == key, p.used_name_key == key))
    if criteria.given_name:
        key, prefix = _name_pattern(criteria.given_name, Subject.GIVEN_NAME)
        word = _like(key) + ("%" if prefix else "")
        # any of the birth first names (INSi ListePrenom is space separated)
        where.append(
            or_(
                p.first_names_key.like(word, escape="\\"),
                p.first_names_key.like(f"{word} %", escape="\\"),
                p.first_names_key.like(f"% {word}", escape="\\"),
                p.first_names_key.like(f"% {word} %", escape="\\"),
            )
        )
    if criteria.birth_date:
        where.append(p.birth_date == criteria.birth_date)
    if criteria.sex:
        where.append(p.sex == criteria.sex)
    if criteria.id_number or criteria.authority_oid:
        cond = [t.c.patient_seq == p.seq, t.c.status == ACTIVE]
        if criteria.id_number:
            cond.append(t.c.id_number == criteria.id_number)
        if criteria.authority_oid:
            cond.append(t.c.authority_oid == criteria.authority_oid)
        where.append(exists().where(*cond))
    if criteria.domains:
        where.append(
            exists().where(
                t.c.patient_seq == p.seq, t.c.status == ACTIVE, t.c.authority_oid.in_(criteria.domains)
            )
        )
    return where


def check_criteria(conn: Connection, criteria: Criteria, settings: PatientIdentitySettings) -> None:
    """Refuse an empty query, malformed values and unknown domains (ITI-21 3.21.4.2.2.8 case 4: AE)."""
    if not any(
        (
            criteria.family_name,
            criteria.given_name,
            criteria.birth_date,
            criteria.sex,
            criteria.id_number,
            criteria.authority_oid,
        )
    ):
        raise IdentityError("the query has no demographics parameter", Subject.QUERY, Problem.MISSING)
    if criteria.birth_date:
        check_birth_date(criteria.birth_date)
    if criteria.sex and criteria.sex not in SEX_CODES:
        raise IdentityError(f"sex {criteria.sex!r} is not in HL7 table 0001", Subject.SEX, Problem.INVALID)
    for index, domain in enumerate(criteria.domains):
        if not is_known_domain(conn, domain, settings):
            raise IdentityError(
                f"domain {domain} is not a known domain", Subject.DOMAIN, Problem.UNKNOWN, index
            )


def _page(conn: Connection, criteria: Criteria, after_seq: int, quantity: int) -> tuple[list[int], int]:
    """Up to `quantity` matching seqs after `after_seq`, and how many match after it in all."""
    where = _conditions(criteria)
    seqs = list(
        conn.execute(
            select(patient.c.seq)
            .where(*where, patient.c.seq > after_seq)
            .order_by(patient.c.seq)
            .limit(quantity + 1)
        ).scalars()
    )
    remaining = (
        conn.execute(
            select(func.count()).select_from(patient).where(*where, patient.c.seq > after_seq)
        ).scalar_one()
        if len(seqs) > quantity
        else len(seqs)
    )
    return seqs[:quantity], remaining


def _restrict(records: list[PatientRecord], domains: tuple[str, ...]) -> list[PatientRecord]:
    """Only the identifiers in the requested domains are returned (ITI-21 3.21.4.2.2.8 QPD-8)."""
    if not domains:
        return records
    return [
        PatientRecord(
            r.seq, r.traits, tuple(i for i in r.identifiers if i.authority_oid in domains), r.merged
        )
        for r in records
    ]


def _quantity(asked: int | None, settings: PatientIdentitySettings) -> int:
    if asked is None or asked <= 0:
        return settings.pdq_default_quantity
    return min(asked, settings.pdq_max_quantity)


def search(
    engine: Engine, criteria: Criteria, *, tag: str, quantity: int | None, settings: PatientIdentitySettings
) -> Page:
    """First page of a PDQ query; when more matches remain, a continuation is stored under `tag` (the
    consumer's query tag, ITI-21 QPD-2 / ITI-47 queryId) and the page carries its pointer."""
    size = _quantity(quantity, settings)
    with engine.connect() as conn:
        check_criteria(conn, criteria, settings)
        seqs, total = _page(conn, criteria, 0, size)
        records = _restrict(load_records(conn, seqs), criteria.domains)
    remaining = total - len(seqs)
    if remaining <= 0:
        return Page(records, total, 0, None)
    pointer = secrets.token_hex(16)
    now = datetime.now(UTC)
    with write_transaction(engine) as conn:
        conn.execute(delete(pdq_continuation).where(pdq_continuation.c.expires_at < now))
        conn.execute(
            insert(pdq_continuation).values(
                pointer=pointer,
                query_tag=tag,
                criteria=criteria.to_json(),
                after_seq=seqs[-1],
                total=total,
                quantity=size,
                expires_at=now + timedelta(seconds=settings.pdq_continuation_ttl_seconds),
            )
        )
    return Page(records, total, remaining, pointer)


def continue_search(
    engine: Engine,
    *,
    tag: str,
    pointer: str | None = None,
    quantity: int | None = None,
    settings: PatientIdentitySettings,
) -> Page:
    """The next page of the query stored under `pointer` (v2 DSC-1) or `tag` (v3 queryId).

    Raises IdentityError(Subject.QUERY, UNKNOWN) when there is no such continuation (expired, cancelled,
    completed, or another consumer's tag).
    """
    c = pdq_continuation.c
    now = datetime.now(UTC)
    with write_transaction(engine) as conn:
        where = [c.query_tag == tag, c.expires_at >= now]
        if pointer is not None:
            where.append(c.pointer == pointer)
        row = conn.execute(select(pdq_continuation).where(*where).order_by(c.expires_at.desc())).first()
        if row is None:
            raise IdentityError(f"no continuation for query {tag!r}", Subject.QUERY, Problem.UNKNOWN)
        criteria = Criteria.from_json(row.criteria)
        size = row.quantity if quantity is None else _quantity(quantity, settings)
        seqs, left = _page(conn, criteria, row.after_seq, size)
        records = _restrict(load_records(conn, seqs), criteria.domains)
        remaining = left - len(seqs)
        if remaining <= 0:
            conn.execute(delete(pdq_continuation).where(c.pointer == row.pointer))
            return Page(records, row.total, 0, None)
        conn.execute(
            update(pdq_continuation)
            .where(c.pointer == row.pointer)
            .values(
                after_seq=seqs[-1],
                quantity=size,
                expires_at=now + timedelta(seconds=settings.pdq_continuation_ttl_seconds),
            )
        )
    return Page(records, row.total, remaining, row.pointer)


def cancel_search(engine: Engine, tag: str) -> bool:
    """Forget the continuation of query `tag` (ITI-21 QCN^J01, ITI-47 QUQI_IN000003UV01 with quantity 0)."""
    with write_transaction(engine) as conn:
        return conn.execute(delete(pdq_continuation).where(pdq_continuation.c.query_tag == tag)).rowcount > 0
