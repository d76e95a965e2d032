"""Initial schema: patient identity, registry and repository tables.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "association",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=128), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=80), nullable=False),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_association")),
        sa.UniqueConstraint("id", name=op.f("uq_association_id")),
    )
    op.create_index("ix_association_source", "association", ["source"], unique=False)
    op.create_index("ix_association_target", "association", ["target"], unique=False)
    op.create_table(
        "document_entry",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("lid", sa.String(length=64), nullable=False),
        sa.Column("unique_id", sa.String(length=256), nullable=False),
        sa.Column("patient_id", sa.String(length=256), nullable=False),
        sa.Column("status", sa.String(length=80), nullable=False),
        sa.Column("object_type", sa.String(length=64), nullable=False),
        sa.Column("class_code", sa.String(length=256), nullable=True),
        sa.Column("class_scheme", sa.String(length=256), nullable=True),
        sa.Column("type_code", sa.String(length=256), nullable=True),
        sa.Column("type_scheme", sa.String(length=256), nullable=True),
        sa.Column("format_code", sa.String(length=256), nullable=True),
        sa.Column("format_scheme", sa.String(length=256), nullable=True),
        sa.Column("hcft_code", sa.String(length=256), nullable=True),
        sa.Column("hcft_scheme", sa.String(length=256), nullable=True),
        sa.Column("practice_code", sa.String(length=256), nullable=True),
        sa.Column("practice_scheme", sa.String(length=256), nullable=True),
        sa.Column("creation_time", sa.String(length=14), nullable=True),
        sa.Column("service_start_time", sa.String(length=14), nullable=True),
        sa.Column("service_stop_time", sa.String(length=14), nullable=True),
        sa.Column("hash", sa.String(length=40), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("mime_type", sa.String(length=256), nullable=True),
        sa.Column("repository_unique_id", sa.String(length=256), nullable=True),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_document_entry")),
        sa.UniqueConstraint("id", name=op.f("uq_document_entry_id")),
    )
    op.create_index(
        "ix_document_entry_patient_status", "document_entry", ["patient_id", "status"], unique=False
    )
    op.create_index("ix_document_entry_unique_id", "document_entry", ["unique_id"], unique=False)
    op.create_table(
        "folder",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("lid", sa.String(length=64), nullable=False),
        sa.Column("unique_id", sa.String(length=256), nullable=False),
        sa.Column("patient_id", sa.String(length=256), nullable=False),
        sa.Column("status", sa.String(length=80), nullable=False),
        sa.Column("last_update_time", sa.String(length=14), nullable=False),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_folder")),
        sa.UniqueConstraint("id", name=op.f("uq_folder_id")),
        sa.UniqueConstraint("unique_id", name=op.f("uq_folder_unique_id")),
    )
    op.create_index("ix_folder_patient_status", "folder", ["patient_id", "status"], unique=False)
    op.create_table(
        "patient",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("status", sa.String(length=8), server_default="active", nullable=False),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column("birth_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("first_names", sa.String(length=200), server_default="", nullable=False),
        sa.Column("used_first_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("used_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("sex", sa.String(length=1), server_default="", nullable=False),
        sa.Column("birth_date", sa.String(length=8), server_default="", nullable=False),
        sa.Column("birth_place", sa.String(length=5), server_default="", nullable=False),
        sa.Column("birth_name_key", sa.String(length=200), server_default="", nullable=False),
        sa.Column("used_name_key", sa.String(length=200), server_default="", nullable=False),
        sa.Column("first_names_key", sa.String(length=200), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_into"], ["patient.seq"], name=op.f("fk_patient_merged_into_patient")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_patient")),
    )
    op.create_index("ix_patient_birth_date", "patient", ["birth_date"], unique=False)
    op.create_index(
        "ix_patient_birth_name_key",
        "patient",
        ["birth_name_key", "birth_date"],
        unique=False,
        postgresql_ops={"birth_name_key": "text_pattern_ops"},
    )
    op.create_index(
        "ix_patient_used_name_key",
        "patient",
        ["used_name_key", "birth_date"],
        unique=False,
        postgresql_ops={"used_name_key": "text_pattern_ops"},
    )
    op.create_table(
        "pdq_continuation",
        sa.Column("pointer", sa.String(length=64), nullable=False),
        sa.Column("query_tag", sa.String(length=64), nullable=False),
        sa.Column("criteria", sa.Text(), nullable=False),
        sa.Column("after_seq", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pointer", name=op.f("pk_pdq_continuation")),
    )
    op.create_index("ix_pdq_continuation_tag", "pdq_continuation", ["query_tag"], unique=False)
    op.create_table(
        "repository_blob",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("sha1", sa.String(length=40), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_repository_blob")),
    )
    op.create_table(
        "submission_set",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("unique_id", sa.String(length=256), nullable=False),
        sa.Column("patient_id", sa.String(length=256), nullable=False),
        sa.Column("source_id", sa.String(length=256), nullable=True),
        sa.Column("status", sa.String(length=80), nullable=False),
        sa.Column("submission_time", sa.String(length=14), nullable=True),
        sa.Column("content_type_code", sa.String(length=256), nullable=True),
        sa.Column("content_type_scheme", sa.String(length=256), nullable=True),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_submission_set")),
        sa.UniqueConstraint("id", name=op.f("uq_submission_set_id")),
        sa.UniqueConstraint("unique_id", name=op.f("uq_submission_set_unique_id")),
    )
    op.create_index(
        "ix_submission_set_patient_status", "submission_set", ["patient_id", "status"], unique=False
    )
    op.create_table(
        "document_author",
        sa.Column("entry_seq", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_seq"],
            ["document_entry.seq"],
            name=op.f("fk_document_author_entry_seq_document_entry"),
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_document_author_entry", "document_author", ["entry_seq"], unique=False)
    op.create_table(
        "document_code",
        sa.Column("entry_seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=1), nullable=False),
        sa.Column("code", sa.String(length=256), nullable=False),
        sa.Column("scheme", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_seq"],
            ["document_entry.seq"],
            name=op.f("fk_document_code_entry_seq_document_entry"),
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_document_code_entry", "document_code", ["entry_seq"], unique=False)
    op.create_index(
        "ix_document_code_lookup", "document_code", ["kind", "code", "scheme", "entry_seq"], unique=False
    )
    op.create_table(
        "document_reference_id",
        sa.Column("entry_seq", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_seq"],
            ["document_entry.seq"],
            name=op.f("fk_document_reference_id_entry_seq_document_entry"),
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_document_reference_id_entry", "document_reference_id", ["entry_seq"], unique=False)
    op.create_index("ix_document_reference_id_value", "document_reference_id", ["value"], unique=False)
    op.create_table(
        "folder_code",
        sa.Column("folder_seq", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=256), nullable=False),
        sa.Column("scheme", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(
            ["folder_seq"], ["folder.seq"], name=op.f("fk_folder_code_folder_seq_folder"), ondelete="CASCADE"
        ),
    )
    op.create_index("ix_folder_code_folder", "folder_code", ["folder_seq"], unique=False)
    op.create_index("ix_folder_code_lookup", "folder_code", ["code", "scheme", "folder_seq"], unique=False)
    op.create_table(
        "patient_event",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("surviving_seq", sa.Integer(), nullable=False),
        sa.Column("subsumed_seq", sa.Integer(), nullable=False),
        sa.Column("subsumed_cx", sa.String(length=340), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subsumed_seq"], ["patient.seq"], name=op.f("fk_patient_event_subsumed_seq_patient")
        ),
        sa.ForeignKeyConstraint(
            ["surviving_seq"], ["patient.seq"], name=op.f("fk_patient_event_surviving_seq_patient")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_patient_event")),
    )
    op.create_index("ix_patient_event_surviving", "patient_event", ["surviving_seq"], unique=False)
    op.create_table(
        "patient_identifier",
        sa.Column("patient_seq", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=256), nullable=False),
        sa.Column("authority_oid", sa.String(length=64), nullable=False),
        sa.Column("namespace", sa.String(length=64), server_default="", nullable=False),
        sa.Column("type_code", sa.String(length=16), server_default="", nullable=False),
        sa.Column("status", sa.String(length=8), server_default="active", nullable=False),
        sa.Column("cx", sa.String(length=340), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_seq"],
            ["patient.seq"],
            name=op.f("fk_patient_identifier_patient_seq_patient"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "authority_oid", "id_number", name=op.f("uq_patient_identifier_authority_oid_id_number")
        ),
    )
    op.create_index("ix_patient_identifier_patient", "patient_identifier", ["patient_seq"], unique=False)
    op.create_index(
        "uq_patient_identifier_active_authority",
        "patient_identifier",
        ["patient_seq", "authority_oid"],
        unique=True,
        postgresql_where=sa.text("status = 'active'"),
        sqlite_where=sa.text("status = 'active'"),
    )
    op.create_table(
        "repository_document",
        sa.Column("unique_id", sa.String(length=256), nullable=False),
        sa.Column("blob_key", sa.String(length=64), nullable=False),
        sa.Column("mime_type", sa.String(length=256), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("stored_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["blob_key"],
            ["repository_blob.key"],
            name=op.f("fk_repository_document_blob_key_repository_blob"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("unique_id", name=op.f("pk_repository_document")),
    )
    op.create_index("ix_repository_document_blob_key", "repository_document", ["blob_key"], unique=False)
    op.create_index(
        "ix_repository_document_state", "repository_document", ["state", "stored_at"], unique=False
    )
    op.create_table(
        "submission_set_author",
        sa.Column("ss_seq", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(
            ["ss_seq"],
            ["submission_set.seq"],
            name=op.f("fk_submission_set_author_ss_seq_submission_set"),
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_submission_set_author_ss", "submission_set_author", ["ss_seq"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_submission_set_author_ss", table_name="submission_set_author")
    op.drop_table("submission_set_author")
    op.drop_index("ix_repository_document_state", table_name="repository_document")
    op.drop_index("ix_repository_document_blob_key", table_name="repository_document")
    op.drop_table("repository_document")
    op.drop_index(
        "uq_patient_identifier_active_authority",
        table_name="patient_identifier",
        postgresql_where=sa.text("status = 'active'"),
        sqlite_where=sa.text("status = 'active'"),
    )
    op.drop_index("ix_patient_identifier_patient", table_name="patient_identifier")
    op.drop_table("patient_identifier")
    op.drop_index("ix_patient_event_surviving", table_name="patient_event")
    op.drop_table("patient_event")
    op.drop_index("ix_folder_code_lookup", table_name="folder_code")
    op.drop_index("ix_folder_code_folder", table_name="folder_code")
    op.drop_table("folder_code")
    op.drop_index("ix_document_reference_id_value", table_name="document_reference_id")
    op.drop_index("ix_document_reference_id_entry", table_name="document_reference_id")
    op.drop_table("document_reference_id")
    op.drop_index("ix_document_code_lookup", table_name="document_code")
    op.drop_index("ix_document_code_entry", table_name="document_code")
    op.drop_table("document_code")
    op.drop_index("ix_document_author_entry", table_name="document_author")
    op.drop_table("document_author")
    op.drop_index("ix_submission_set_patient_status", table_name="submission_set")
    op.drop_table("submission_set")
    op.drop_table("repository_blob")
    op.drop_index("ix_pdq_continuation_tag", table_name="pdq_continuation")
    op.drop_table("pdq_continuation")
    op.drop_index(
        "ix_patient_used_name_key", table_name="patient", postgresql_ops={"used_name_key": "text_pattern_ops"}
    )
    op.drop_index(
        "ix_patient_birth_name_key",
        table_name="patient",
        postgresql_ops={"birth_name_key": "text_pattern_ops"},
    )
    op.drop_index("ix_patient_birth_date", table_name="patient")
    op.drop_table("patient")
    op.drop_index("ix_folder_patient_status", table_name="folder")
    op.drop_table("folder")
    op.drop_index("ix_document_entry_unique_id", table_name="document_entry")
    op.drop_index("ix_document_entry_patient_status", table_name="document_entry")
    op.drop_table("document_entry")
    op.drop_index("ix_association_target", table_name="association")
    op.drop_index("ix_association_source", table_name="association")
    op.drop_table("association")
