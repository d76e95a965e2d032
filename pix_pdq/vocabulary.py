"""Constants from the standards patient identity uses, each with its source; imported, never retyped."""

from __future__ import annotations

# INS assigning authorities (reference dmp-france.md 3.1, from FRCORE FRCorePatientINSProfile).
INS_NIR_OID = "1.2.250.1.213.1.4.8"
INS_NIA_OID = "1.2.250.1.213.1.4.9"
INS_NIR_TEST_OID = "1.2.250.1.213.1.4.10"
INS_NIR_DEMO_OID = "1.2.250.1.213.1.4.11"
INS_OIDS = frozenset({INS_NIR_OID, INS_NIA_OID, INS_NIR_TEST_OID, INS_NIR_DEMO_OID})
# Authorities whose values are NIRs carrying the CNAM key (dmp-france.md 3.3); the NIA is checked for form
# only: its numbering variants are not covered by the published NIR rule (dmp-france.md 3.3, last point).
NIR_KEYED_OIDS = frozenset({INS_NIR_OID, INS_NIR_TEST_OID, INS_NIR_DEMO_OID})
# CX.5 identifier type of an INS in the French profiles (dmp-france.md 3.2, PDSM4DMP PatientId.fsh).
INS_TYPE_CODE = "NH"

# Administrative sex, HL7 table 0001 (v2.5; v2.3.1 has the same codes but N).
SEX_CODES = frozenset({"M", "F", "O", "U", "A", "N"})
# The v3 AdministrativeGender code system (2.16.840.1.113883.5.1) has only M, F, UN.
V3_GENDER_CODES = {"M": "M", "F": "F", "UN": "U"}

# HL7 table 0357 (message error condition codes), used in ERR segments of ACK and RSP.
HL7_ERR_SEGMENT_SEQUENCE = "100"
HL7_ERR_REQUIRED_FIELD_MISSING = "101"
HL7_ERR_DATA_TYPE = "102"
HL7_ERR_TABLE_VALUE = "103"
HL7_ERR_UNSUPPORTED_MESSAGE_TYPE = "200"
HL7_ERR_UNSUPPORTED_EVENT = "201"
HL7_ERR_UNSUPPORTED_PROCESSING_ID = "202"
HL7_ERR_UNSUPPORTED_VERSION = "203"
HL7_ERR_UNKNOWN_KEY = "204"
HL7_ERR_DUPLICATE_KEY = "205"
HL7_ERR_INTERNAL = "207"
HL7_ERR_TEXT = {
    HL7_ERR_SEGMENT_SEQUENCE: "Segment sequence error",
    HL7_ERR_REQUIRED_FIELD_MISSING: "Required field missing",
    HL7_ERR_DATA_TYPE: "Data type error",
    HL7_ERR_TABLE_VALUE: "Table value not found",
    HL7_ERR_UNSUPPORTED_MESSAGE_TYPE: "Unsupported message type",
    HL7_ERR_UNSUPPORTED_EVENT: "Unsupported event code",
    HL7_ERR_UNSUPPORTED_PROCESSING_ID: "Unsupported processing id",
    HL7_ERR_UNSUPPORTED_VERSION: "Unsupported version id",
    HL7_ERR_UNKNOWN_KEY: "Unknown key identifier",
    HL7_ERR_DUPLICATE_KEY: "Duplicate key identifier",
    HL7_ERR_INTERNAL: "Application internal error",
}
