"""Names and defaults of the NIST XDS Toolkit test-plan format (checklist 6.1).

Namespaces and status words are the ones the testkit files use; ebRIM 3.0 names come from
`xds.ebxml.namespaces` and `xds.ebxml.vocabulary` and are not repeated here.
"""

from __future__ import annotations

from enum import StrEnum

# ebXML Registry 2.1, the form most upstream submission files are written in (checklist 6.1.7).
RIM21 = "urn:oasis:names:tc:ebxml-regrep:rim:xsd:2.1"
RS21 = "urn:oasis:names:tc:ebxml-regrep:registry:xsd:2.1"

# 2.1 -> 3.0 value prefixes (TranslateToV3; MetadataSupport.associationTypeWithNamespace).
STATUS_PREFIX = "urn:oasis:names:tc:ebxml-regrep:StatusType:"
HAS_MEMBER_PREFIX = "urn:oasis:names:tc:ebxml-regrep:AssociationType:"
IHE_ASSOCIATION_PREFIX = "urn:ihe:iti:2007:AssociationType:"

# Root of the OIDs allocated for symbolic uniqueIds (UniqueIdAllocator: 1.2.42.<time>.<n>).
DEFAULT_UID_ROOT = "1.2.42"
# Assigning authority of the patient ids the runner allocates (the toolkit's default test domain).
DEFAULT_PATIENT_AUTHORITY = "1.3.6.1.4.1.21367.13.20.1000"


class ExpectedStatus(StrEnum):
    """`<ExpectedStatus>` words; FAULT means a SOAP Fault instead of a registry response (6.1.3)."""

    SUCCESS = "Success"
    FAILURE = "Failure"
    PARTIAL_SUCCESS = "PartialSuccess"
    FAULT = "Fault"


class Transaction(StrEnum):
    """Transaction elements of a `<TestStep>` that the runner executes (checklist 6.1.3)."""

    REGISTER = "RegisterTransaction"
    PROVIDE_AND_REGISTER = "ProvideAndRegisterTransaction"
    STORED_QUERY = "StoredQueryTransaction"
    RETRIEVE = "RetrieveTransaction"
    PATIENT_FEED = "PatientIdentityFeedTransaction"
    NULL = "NullTransaction"


# Log sections that `UseId`/`Report` name (checklist 6.1.5).
ASSIGNED_UUIDS = "AssignedUuids"
ASSIGNED_UIDS = "AssignedUids"
ASSIGNED_PATIENT_ID = "AssignedPatientId"
INPUT_METADATA = "InputMetadata"
RESULT = "Result"
PATIENT_ID_REPORT = "$patientid$"
