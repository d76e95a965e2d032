"""Patient identity storage: patients and their identifiers in any assigning authority.

The registry knows a patient id when a row here holds it (fed by `xds patient add`, ITI-8 or ITI-44).
"""

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Table, UniqueConstraint, func

from xds.db.metadata import metadata

patient = Table(
    "patient",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

patient_identifier = Table(
    "patient_identifier",
    metadata,
    Column("patient_seq", Integer, ForeignKey("patient.seq", ondelete="CASCADE"), nullable=False),
    Column("id_number", String(256), nullable=False),
    Column("authority_oid", String(64), nullable=False),
    # Canonical CX `id^^^&oid&ISO`, the form registry metadata carries.
    Column("cx", String(340), nullable=False),
    UniqueConstraint("authority_oid", "id_number"),
    Index("ix_patient_identifier_cx", "cx"),
    Index("ix_patient_identifier_patient", "patient_seq"),
)
