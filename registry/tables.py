"""Registry storage: a row per object with an indexed column per stored-query parameter.

Multi-valued parameters live in child tables so AND/OR is SQL; each object's canonical ebRIM XML is kept
as rendered at registration so a LeafClass answer is a concatenation (architecture section 3).
Times are DTM normalized to 14 digits (`YYYYMMDDhhmmss`, padded with the earliest instant) so that
string comparison is time comparison.
"""

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text

from xds.db.metadata import metadata

UUID_LEN = 64  # urn:uuid: + 36
UID_LEN = 256  # rim:Value is a LongName (256)
CODE_LEN = 256

document_entry = Table(
    "document_entry",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(UUID_LEN), nullable=False, unique=True),
    Column("lid", String(UUID_LEN), nullable=False),
    Column("unique_id", String(UID_LEN), nullable=False),
    Column("patient_id", String(UID_LEN), nullable=False),
    Column("status", String(80), nullable=False),
    Column("object_type", String(UUID_LEN), nullable=False),
    Column("class_code", String(CODE_LEN)),
    Column("class_scheme", String(CODE_LEN)),
    Column("type_code", String(CODE_LEN)),
    Column("type_scheme", String(CODE_LEN)),
    Column("format_code", String(CODE_LEN)),
    Column("format_scheme", String(CODE_LEN)),
    Column("hcft_code", String(CODE_LEN)),
    Column("hcft_scheme", String(CODE_LEN)),
    Column("practice_code", String(CODE_LEN)),
    Column("practice_scheme", String(CODE_LEN)),
    Column("creation_time", String(14)),
    Column("service_start_time", String(14)),
    Column("service_stop_time", String(14)),
    Column("hash", String(40)),
    Column("size", BigInteger),
    Column("mime_type", String(CODE_LEN)),  # ebRIM LongName, like every value the rules let through
    Column("repository_unique_id", String(UID_LEN)),
    Column("xml", Text, nullable=False),
    Index("ix_document_entry_patient_status", "patient_id", "status"),
    Index("ix_document_entry_unique_id", "unique_id"),
)

# Event codes and confidentiality codes (AND/OR parameters, checklist 3.1).
document_code = Table(
    "document_code",
    metadata,
    Column("entry_seq", Integer, ForeignKey("document_entry.seq", ondelete="CASCADE"), nullable=False),
    Column("kind", String(1), nullable=False),  # "e" eventCodeList, "c" confidentialityCode
    Column("code", String(CODE_LEN), nullable=False),
    Column("scheme", String(CODE_LEN), nullable=False),
    Index("ix_document_code_lookup", "kind", "code", "scheme", "entry_seq"),
    Index("ix_document_code_entry", "entry_seq"),
)

document_author = Table(
    "document_author",
    metadata,
    Column("entry_seq", Integer, ForeignKey("document_entry.seq", ondelete="CASCADE"), nullable=False),
    Column("person", String(UID_LEN), nullable=False),
    Index("ix_document_author_entry", "entry_seq"),
)

document_reference_id = Table(
    "document_reference_id",
    metadata,
    Column("entry_seq", Integer, ForeignKey("document_entry.seq", ondelete="CASCADE"), nullable=False),
    Column("value", String(UID_LEN), nullable=False),
    Index("ix_document_reference_id_value", "value"),
    Index("ix_document_reference_id_entry", "entry_seq"),
)

submission_set = Table(
    "submission_set",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(UUID_LEN), nullable=False, unique=True),
    # Unique: two racing submissions reusing one SubmissionSet uniqueId cannot both commit.
    Column("unique_id", String(UID_LEN), nullable=False, unique=True),
    Column("patient_id", String(UID_LEN), nullable=False),
    Column("source_id", String(UID_LEN)),
    Column("status", String(80), nullable=False),
    Column("submission_time", String(14)),
    Column("content_type_code", String(CODE_LEN)),
    Column("content_type_scheme", String(CODE_LEN)),
    Column("xml", Text, nullable=False),
    Index("ix_submission_set_patient_status", "patient_id", "status"),
)

submission_set_author = Table(
    "submission_set_author",
    metadata,
    Column("ss_seq", Integer, ForeignKey("submission_set.seq", ondelete="CASCADE"), nullable=False),
    Column("person", String(UID_LEN), nullable=False),
    Index("ix_submission_set_author_ss", "ss_seq"),
)

folder = Table(
    "folder",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(UUID_LEN), nullable=False, unique=True),
    Column("lid", String(UUID_LEN), nullable=False),
    Column("unique_id", String(UID_LEN), nullable=False, unique=True),
    Column("patient_id", String(UID_LEN), nullable=False),
    Column("status", String(80), nullable=False),
    Column("last_update_time", String(14), nullable=False),
    Column("xml", Text, nullable=False),
    Index("ix_folder_patient_status", "patient_id", "status"),
)

folder_code = Table(
    "folder_code",
    metadata,
    Column("folder_seq", Integer, ForeignKey("folder.seq", ondelete="CASCADE"), nullable=False),
    Column("code", String(CODE_LEN), nullable=False),
    Column("scheme", String(CODE_LEN), nullable=False),
    Index("ix_folder_code_lookup", "code", "scheme", "folder_seq"),
    Index("ix_folder_code_folder", "folder_seq"),
)

association = Table(
    "association",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(UUID_LEN), nullable=False, unique=True),
    Column("type", String(128), nullable=False),
    Column("source", String(UUID_LEN), nullable=False),
    Column("target", String(UUID_LEN), nullable=False),
    Column("status", String(80), nullable=False),
    Column("xml", Text, nullable=False),
    Index("ix_association_source", "source"),
    Index("ix_association_target", "target"),
)
