"""The patient identity functions every interface uses: CLI, HL7 v2 (ITI-8), HL7 v3 (ITI-44), registry.

Every change is one `write_transaction`, so a feed never leaves half a patient; a unique constraint on
(authority, id) makes two feeds racing on a new identifier collide, and the loser retries and finds the
winner's patient, so both converge on one patient.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import Connection, Engine, bindparam, func, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError

from pix_pdq.model import (
    Identifier,
    IdentityError,
    PatientRecord,
    Problem,
    Subject,
    Traits,
    check_identifier,
    check_identifiers,
    check_traits,
    name_key,
)
from pix_pdq.settings import PatientIdentitySettings
from pix_pdq.tables import ACTIVE, LINKED, MERGED, patient, patient_event, patient_identifier
from xds.db.engine import write_transaction
from xds.ebxml.datatypes import CX, CXError, parse_cx

T = TypeVar("T")
RACE_RETRIES = 5


@dataclass(frozen=True, slots=True)
class FeedResult:
    """What a feed did: which patient, whether it was created, which identifiers were new to it."""

    seq: int
    created: bool
    added: tuple[Identifier, ...] = field(default=())


def _retrying(engine: Engine, work: Callable[[Connection], T]) -> T:
    """Run `work` in one write transaction, again when a concurrent writer won a unique-constraint race."""
    for attempt in range(RACE_RETRIES):
        try:
            with write_transaction(engine) as conn:
                return work(conn)
        except IntegrityError:
            if attempt == RACE_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


# The feed path runs these for every ITI-8/ITI-44 message: built once, so an execution costs a cache lookup
# rather than a new expression tree (SQLAlchemy compiles each distinct construct once, but building and
# keying a fresh one per call was most of a feed's CPU). Identifiers are looked up with one row-value IN
# and inserted with one multi-row INSERT whatever their number.
_IDENTIFIER_KEY = tuple_(patient_identifier.c.authority_oid, patient_identifier.c.id_number)
_ROWS_FOR = select(
    patient_identifier.c.authority_oid,
    patient_identifier.c.id_number,
    patient_identifier.c.patient_seq,
    patient_identifier.c.status,
).where(_IDENTIFIER_KEY.in_(bindparam("keys", expanding=True)))
_ACTIVE_AUTHORITIES = select(patient_identifier.c.authority_oid, patient_identifier.c.id_number).where(
    patient_identifier.c.patient_seq == bindparam("seq"), patient_identifier.c.status == ACTIVE
)
_INSERT_PATIENT = insert(patient).returning(patient.c.seq)
_INSERT_IDENTIFIER = insert(patient_identifier)


def _rows_for(conn: Connection, identifiers: Sequence[Identifier]) -> dict[tuple[str, str], tuple[int, str]]:
    """(authority, id) -> (patient seq, identifier status) for those of `identifiers` the store holds."""
    if not identifiers:
        return {}
    rows = conn.execute(_ROWS_FOR, {"keys": [i.key for i in identifiers]})
    return {(r.authority_oid, r.id_number): (r.patient_seq, r.status) for r in rows}


def _active_authorities(conn: Connection, seq: int) -> dict[str, str]:
    return {r.authority_oid: r.id_number for r in conn.execute(_ACTIVE_AUTHORITIES, {"seq": seq})}


def _trait_values(traits: Traits, *, only_given: bool) -> dict[str, str]:
    values = {
        "birth_name": traits.birth_name,
        "first_names": traits.first_names,
        "used_first_name": traits.used_first_name,
        "used_name": traits.used_name,
        "sex": traits.sex,
        "birth_date": traits.birth_date,
        "birth_place": traits.birth_place,
    }
    if only_given:
        values = {k: v for k, v in values.items() if v}
    keys = {"birth_name": "birth_name_key", "used_name": "used_name_key", "first_names": "first_names_key"}
    values.update({keys[k]: name_key(v) for k, v in list(values.items()) if k in keys})
    return values


def _insert_identifiers(conn: Connection, seq: int, identifiers: Sequence[Identifier]) -> None:
    if not identifiers:
        return
    conn.execute(
        _INSERT_IDENTIFIER,
        [
            {
                "patient_seq": seq,
                "id_number": i.id_number,
                "authority_oid": i.authority_oid,
                "namespace": i.namespace,
                "type_code": i.type_code,
                "status": ACTIVE,
                "cx": i.cx,
            }
            for i in identifiers
        ],
    )


def _upsert(
    conn: Connection, identifiers: Sequence[Identifier], traits: Traits, *, update_only: bool
) -> FeedResult:
    """Find the one patient holding any of `identifiers`, or create it; add the new identifiers; set traits.

    Empty traits leave stored ones alone: a local-id feed without the INS traits must not erase them.
    """
    known = _rows_for(conn, identifiers)
    owners: list[int] = []
    for index, identifier in enumerate(identifiers):
        if identifier.key not in known:
            continue
        seq, status = known[identifier.key]
        if status == MERGED:
            raise IdentityError(
                f"identifier {identifier.cx} was merged into another patient; feed the surviving identifier",
                Subject.IDENTIFIER,
                Problem.CONFLICT,
                index,
            )
        if owners and seq not in owners:
            raise IdentityError(
                f"identifier {identifier.cx} belongs to another patient than the other identifiers; "
                "merge or link the two patients first",
                Subject.IDENTIFIER,
                Problem.CONFLICT,
                index,
            )
        owners.append(seq)
    if not owners:
        if update_only:
            raise IdentityError(
                f"no patient with identifier {identifiers[0].cx}", Subject.IDENTIFIER, Problem.UNKNOWN
            )
        seq = conn.execute(_INSERT_PATIENT, _trait_values(traits, only_given=False)).scalar_one()
        _insert_identifiers(conn, seq, identifiers)
        return FeedResult(seq, True, tuple(identifiers))
    seq = owners[0]
    held = _active_authorities(conn, seq)
    added = []
    for index, identifier in enumerate(identifiers):
        if identifier.key in known:
            continue
        if identifier.authority_oid in held:
            raise IdentityError(
                f"patient already has identifier {held[identifier.authority_oid]} in authority "
                f"{identifier.authority_oid}, not {identifier.id_number}",
                Subject.IDENTIFIER,
                Problem.CONFLICT,
                index,
            )
        added.append(identifier)
    _insert_identifiers(conn, seq, added)
    values = _trait_values(traits, only_given=True)
    conn.execute(update(patient).where(patient.c.seq == seq).values(**values, updated_at=func.now()))
    return FeedResult(seq, False, tuple(added))


def feed_patient(
    engine: Engine, identifiers: Sequence[Identifier], traits: Traits, *, update_only: bool = False
) -> FeedResult:
    """Create or update a patient (ITI-8 A01/A04/A05/A08, ITI-44 add/revise, `xds patient add`).

    All `identifiers` become cross-referenced on one patient. Refused (IdentityError) when one was merged
    away, when they belong to two different patients, or when the patient already has another identifier in
    the same authority; with `update_only` (A08, revise) also when no patient holds any of them.
    """
    identifiers = tuple(identifiers)
    check_identifiers(identifiers)
    check_traits(traits)
    return _retrying(engine, lambda conn: _upsert(conn, identifiers, traits, update_only=update_only))


def add_patient(engine: Engine, patient_id: str) -> bool:
    """Make `patient_id` (a CX `id^^^&OID&ISO`) known; returns False when it already was.

    Raises `CXError` for an id that is not a valid XDS patient id, `IdentityError` for an invalid INS.
    """
    cx = parse_cx(patient_id)
    type_code = patient_id.split("^")[4] if patient_id.count("^") == 4 else ""
    return feed_patient(
        engine, [Identifier(cx.id_number, cx.authority_oid, type_code=type_code)], Traits()
    ).created


def merge_patients(
    engine: Engine,
    surviving: Sequence[Identifier],
    prior: Identifier,
    traits: Traits | None = None,
    *,
    source: str,
) -> int:
    """Merge the patient holding `prior` into the patient holding `surviving` (ITI-8 A40, ITI-44 201304).

    The prior identifier is retired (status merged) and moves to the surviving patient, so the registry can
    show its documents under the surviving id while queries on it return nothing (TF-2 3.8.4.2.3, ITI TF-3
    4.2.4 merged patients). The prior patient's other identifiers move too: active where the survivor has no
    identifier in that authority, retired where it has. A surviving id not yet known is created, in the same
    transaction. Returns the surviving patient's seq.
    """
    surviving = tuple(surviving)
    check_identifiers(surviving)
    check_identifier(prior, Subject.PRIOR_IDENTIFIER)
    traits = traits or Traits()
    check_traits(traits)
    if prior.key in {s.key for s in surviving}:
        raise IdentityError(
            f"identifier {prior.cx} cannot be merged into itself", Subject.PRIOR_IDENTIFIER, Problem.CONFLICT
        )

    def work(conn: Connection) -> int:
        known = _rows_for(conn, [prior])
        if prior.key not in known:
            raise IdentityError(
                f"no patient with identifier {prior.cx}", Subject.PRIOR_IDENTIFIER, Problem.UNKNOWN
            )
        prior_seq, prior_status = known[prior.key]
        if prior_status == MERGED:
            raise IdentityError(
                f"identifier {prior.cx} was already merged", Subject.PRIOR_IDENTIFIER, Problem.CONFLICT
            )
        seq = _upsert(conn, surviving, traits, update_only=False).seq
        t = patient_identifier
        conn.execute(
            update(t)
            .where(t.c.authority_oid == prior.authority_oid, t.c.id_number == prior.id_number)
            .values(status=MERGED, patient_seq=seq)
        )
        if prior_seq != seq:
            held = _active_authorities(conn, seq)
            conn.execute(
                update(t)
                .where(t.c.patient_seq == prior_seq, t.c.authority_oid.in_(held))
                .values(status=MERGED)
            )
            conn.execute(update(t).where(t.c.patient_seq == prior_seq).values(patient_seq=seq))
            conn.execute(
                update(patient)
                .where(patient.c.seq == prior_seq)
                .values(status=MERGED, merged_into=seq, updated_at=func.now())
            )
        conn.execute(
            insert(patient_event).values(
                kind=MERGED, surviving_seq=seq, subsumed_seq=prior_seq, subsumed_cx=prior.cx, source=source
            )
        )
        return seq

    return _retrying(engine, work)


def link_patients(engine: Engine, identifier: Identifier, other: Identifier, *, source: str) -> int:
    """Cross-reference `other` with `identifier`: both stay active and resolve to each other (PIX).

    An unknown `other` is added to the patient; a known one brings its whole patient along, provided the two
    patients hold no identifiers in a common authority (that would be two ids for one person in one
    domain, which is a merge, not a link). Returns the patient's seq.
    """
    check_identifier(identifier, Subject.IDENTIFIER, 0)
    check_identifier(other, Subject.IDENTIFIER, 1)

    def work(conn: Connection) -> int:
        known = _rows_for(conn, [identifier, other])
        for index, ident in enumerate((identifier, other)):
            if ident.key in known and known[ident.key][1] == MERGED:
                raise IdentityError(
                    f"identifier {ident.cx} was merged away", Subject.IDENTIFIER, Problem.CONFLICT, index
                )
        if identifier.key not in known:
            raise IdentityError(
                f"no patient with identifier {identifier.cx}", Subject.IDENTIFIER, Problem.UNKNOWN
            )
        seq = known[identifier.key][0]
        if other.key not in known:
            return _upsert(conn, [identifier, other], Traits(), update_only=True).seq
        other_seq = known[other.key][0]
        if other_seq == seq:
            return seq
        common = set(_active_authorities(conn, seq)) & set(_active_authorities(conn, other_seq))
        if common:
            raise IdentityError(
                f"both patients have identifiers in authority {sorted(common)[0]}; merge them instead",
                Subject.IDENTIFIER,
                Problem.CONFLICT,
                1,
            )
        conn.execute(
            update(patient_identifier)
            .where(patient_identifier.c.patient_seq == other_seq)
            .values(patient_seq=seq)
        )
        conn.execute(
            update(patient)
            .where(patient.c.seq == other_seq)
            .values(status=LINKED, merged_into=seq, updated_at=func.now())
        )
        conn.execute(
            insert(patient_event).values(
                kind=LINKED, surviving_seq=seq, subsumed_seq=other_seq, subsumed_cx=other.cx, source=source
            )
        )
        return seq

    return _retrying(engine, work)


def load_records(conn: Connection, seqs: Iterable[int]) -> list[PatientRecord]:
    """The patients `seqs`, in that order, with their active and merged identifiers."""
    order = list(seqs)
    if not order:
        return []
    t = patient_identifier
    idents: dict[int, list[tuple[str, Identifier]]] = {seq: [] for seq in order}
    for r in conn.execute(
        select(t.c.patient_seq, t.c.id_number, t.c.authority_oid, t.c.namespace, t.c.type_code, t.c.status)
        .where(t.c.patient_seq.in_(order))
        .order_by(t.c.patient_seq, t.c.created_at, t.c.authority_oid)
    ):
        idents[r.patient_seq].append(
            (r.status, Identifier(r.id_number, r.authority_oid, r.namespace, r.type_code))
        )
    p = patient.c
    rows = {
        r.seq: r
        for r in conn.execute(
            select(
                p.seq,
                p.birth_name,
                p.first_names,
                p.used_first_name,
                p.used_name,
                p.sex,
                p.birth_date,
                p.birth_place,
            ).where(p.seq.in_(order))
        )
    }
    return [
        PatientRecord(
            seq=seq,
            traits=Traits(
                rows[seq].birth_name,
                rows[seq].first_names,
                rows[seq].used_first_name,
                rows[seq].used_name,
                rows[seq].sex,
                rows[seq].birth_date,
                rows[seq].birth_place,
            ),
            identifiers=tuple(i for status, i in idents[seq] if status == ACTIVE),
            merged=tuple(i for status, i in idents[seq] if status == MERGED),
        )
        for seq in order
        if seq in rows
    ]


def find_patient(engine: Engine, identifier: Identifier) -> PatientRecord | None:
    """The patient holding `identifier`, active or merged into it (`xds patient show`)."""
    with engine.connect() as conn:
        known = _rows_for(conn, [identifier])
        if identifier.key not in known:
            return None
        records = load_records(conn, [known[identifier.key][0]])
    return records[0] if records else None


# The requested identifier, if active, left-joined to the identifiers merged into its patient.
_requested, _merged = patient_identifier.alias("requested"), patient_identifier.alias("merged")
_QUERY_IDS = (
    select(_merged.c.cx)
    .select_from(
        _requested.outerjoin(
            _merged,
            (_merged.c.patient_seq == _requested.c.patient_seq)
            & (_merged.c.authority_oid == _requested.c.authority_oid)
            & (_merged.c.status == MERGED),
        )
    )
    .where(
        _requested.c.authority_oid == bindparam("oid"),
        _requested.c.id_number == bindparam("number"),
        _requested.c.status == ACTIVE,
    )
    .order_by(_merged.c.cx)
)


@dataclass(slots=True)
class PatientDirectory:
    """The in-process PatientIdentityPort the registry uses when co-located with the identity store.

    A patient id is known when an active identifier of a fed patient matches it and its authority is in the
    affinity domain (settings.affinity_domain_oids; empty = any authority).
    """

    engine: Engine
    settings: PatientIdentitySettings = field(default_factory=PatientIdentitySettings)

    def _parse(self, patient_id: str) -> CX | None:
        try:
            cx = parse_cx(patient_id)
        except CXError:
            return None
        domains = self.settings.affinity_domain_oids
        return cx if not domains or cx.authority_oid in domains else None

    def _row(self, cx: CX) -> tuple[int, str] | None:
        with self.engine.connect() as conn:
            return _rows_for(conn, [Identifier.from_cx(cx)]).get((cx.authority_oid, cx.id_number))

    def is_known(self, patient_id: str) -> bool:
        """True when the registry may accept documents for `patient_id` (else ITI-42 XDSUnknownPatientId)."""
        return self.resolve(patient_id) is not None

    def resolve(self, patient_id: str) -> str | None:
        """The canonical CX under which to file `patient_id`; None when unknown or merged away (a merged id
        takes no new documents and stored queries on it return nothing)."""
        cx = self._parse(patient_id)
        row = self._row(cx) if cx else None
        return str(cx) if row and row[1] == ACTIVE else None

    def merged_ids(self, patient_id: str) -> list[str]:
        """The ids merged into the active `patient_id`, in its authority: stored queries on the surviving id
        include their documents (shown under the surviving id). Empty when `patient_id` is not active."""
        return self.query_ids(patient_id)[1:]

    def query_ids(self, patient_id: str) -> list[str]:
        """What a stored query on `patient_id` covers: the id itself then the ids merged into it; empty when
        the id is unknown or merged away (TF-2 3.18.4.1.2.3.9.1: a query on a subsumed id returns nothing).
        One prepared statement on the registry's hot path (every FindDocuments asks)."""
        cx = self._parse(patient_id)
        if cx is None:
            return []
        with self.engine.connect() as conn:
            params = {"oid": cx.authority_oid, "number": cx.id_number}
            merged = conn.execute(_QUERY_IDS, params).scalars().all()
        # No row: unknown or not active. One row with NULL: active, nothing merged into it.
        return [patient_id, *(m for m in merged if m is not None)] if merged else []
