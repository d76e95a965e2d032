"""The patient identity functions every interface uses (CLI, HL7 v2, HL7 v3, the registry)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, insert, select

from pix_pdq.tables import patient, patient_identifier
from xds.db.engine import write_transaction
from xds.ebxml.datatypes import CX, parse_cx


def add_patient(engine: Engine, patient_id: str) -> bool:
    """Make `patient_id` (a CX `id^^^&OID&ISO`) known; returns False when it already was.

    Raises `CXError` for an id that is not a valid XDS patient id.
    """
    cx = parse_cx(patient_id)
    with write_transaction(engine) as conn:
        exists = conn.execute(
            select(patient_identifier.c.patient_seq).where(
                patient_identifier.c.authority_oid == cx.authority_oid,
                patient_identifier.c.id_number == cx.id_number,
            )
        ).first()
        if exists:
            return False
        seq = conn.execute(insert(patient).values()).inserted_primary_key[0]
        conn.execute(
            insert(patient_identifier).values(
                patient_seq=seq, id_number=cx.id_number, authority_oid=cx.authority_oid, cx=str(cx)
            )
        )
    return True


@dataclass(slots=True)
class PatientDirectory:
    """The in-process PatientIdentityPort the registry uses when co-located with the identity store."""

    engine: Engine

    def is_known(self, patient_id: str) -> bool:
        try:
            cx: CX = parse_cx(patient_id)
        except ValueError:
            return False
        with self.engine.connect() as conn:
            row = conn.execute(
                select(patient_identifier.c.patient_seq).where(
                    patient_identifier.c.authority_oid == cx.authority_oid,
                    patient_identifier.c.id_number == cx.id_number,
                )
            ).first()
        return row is not None
