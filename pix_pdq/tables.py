"""Patient identity storage: patients, their identifiers in any assigning authority, merge/link history,
and PDQ continuations.

A `patient` row is one person as far as this store knows: every active identifier on it cross-references
every other (PIX). A merged or linked-away patient row stays for history; its identifiers move to the
surviving row, the merged-away ones with status `merged` so the registry can find their documents.
"""

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    literal_column,
)

from xds.db.metadata import metadata

ACTIVE = "active"
MERGED = "merged"  # patient: merged into another (ITI-8 A40, ITI-44 PRPA_IN201304UV02); identifier: retired
LINKED = "linked"  # patient: its identifiers were cross-referenced onto another patient (xds patient link)

patient = Table(
    "patient",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("status", String(8), nullable=False, server_default=ACTIVE),
    Column("merged_into", Integer, ForeignKey("patient.seq"), nullable=True),
    Column("birth_name", String(200), nullable=False, server_default=""),
    Column("first_names", String(200), nullable=False, server_default=""),
    Column("used_first_name", String(200), nullable=False, server_default=""),
    Column("used_name", String(200), nullable=False, server_default=""),
    Column("sex", String(1), nullable=False, server_default=""),
    Column("birth_date", String(8), nullable=False, server_default=""),
    Column("birth_place", String(5), nullable=False, server_default=""),
    # Search keys (pix_pdq.model.name_key): PDQ compares these, never the names as sent.
    Column("birth_name_key", String(200), nullable=False, server_default=""),
    Column("used_name_key", String(200), nullable=False, server_default=""),
    Column("first_names_key", String(200), nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # PDQ name + birth date (ITI-21/47) is the hot query; text_pattern_ops lets PostgreSQL use the index for
    # the `NAME%` wildcard as well as for equality whatever the database collation.
    Index(
        "ix_patient_birth_name_key",
        "birth_name_key",
        "birth_date",
        postgresql_ops={"birth_name_key": "text_pattern_ops"},
    ),
    Index(
        "ix_patient_used_name_key",
        "used_name_key",
        "birth_date",
        postgresql_ops={"used_name_key": "text_pattern_ops"},
    ),
    Index("ix_patient_birth_date", "birth_date"),
)

patient_identifier = Table(
    "patient_identifier",
    metadata,
    Column("patient_seq", Integer, ForeignKey("patient.seq", ondelete="CASCADE"), nullable=False),
    Column("id_number", String(256), nullable=False),
    Column("authority_oid", String(64), nullable=False),
    Column("namespace", String(64), nullable=False, server_default=""),
    Column("type_code", String(16), nullable=False, server_default=""),
    Column("status", String(8), nullable=False, server_default=ACTIVE),
    # Canonical CX `id^^^&oid&ISO`, the form registry metadata carries.
    Column("cx", String(340), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # One identifier is one person, ever: two racing feeds of a new id collide here and the loser retries.
    UniqueConstraint("authority_oid", "id_number"),
    Index("ix_patient_identifier_patient", "patient_seq"),
    # One active identifier per authority per patient, also under concurrency.
    Index(
        "uq_patient_identifier_active_authority",
        "patient_seq",
        "authority_oid",
        unique=True,
        postgresql_where=literal_column("status") == ACTIVE,
        sqlite_where=literal_column("status") == ACTIVE,
    ),
)

patient_event = Table(
    "patient_event",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(8), nullable=False),  # MERGED or LINKED
    Column("surviving_seq", Integer, ForeignKey("patient.seq"), nullable=False),
    Column("subsumed_seq", Integer, ForeignKey("patient.seq"), nullable=False),
    Column("subsumed_cx", String(340), nullable=False),
    Column("source", String(16), nullable=False),  # ITI-8, ITI-44, cli
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_patient_event_surviving", "surviving_seq"),
)

pdq_continuation = Table(
    "pdq_continuation",
    metadata,
    # Opaque pointer handed to the consumer (ITI-21 DSC-1; ITI-47 queryId is mapped onto it).
    Column("pointer", String(64), primary_key=True),
    Column("query_tag", String(64), nullable=False),
    Column("criteria", Text, nullable=False),  # JSON of pix_pdq.pdq.Criteria
    Column("after_seq", Integer, nullable=False),
    Column("total", Integer, nullable=False),  # hit count of the whole query (ITI-21 QAK-4)
    Column("quantity", Integer, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_pdq_continuation_tag", "query_tag"),
)
