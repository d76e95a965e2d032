"""Identifiers of the XDS.b metadata model: every UUID and URN, named once.

Sources: ITI TF-3 4.2.5 and 4.2.2, TF-2 ITI-18 3.18.4.1.2.4 (checklist sections 2.1, 2.4, 2.5, 3.2, 4.1).
"""

from enum import StrEnum

# --- Object types (TF-3 4.2.5; checklist 2.1) ---
DOCUMENT_ENTRY_STABLE = "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"
DOCUMENT_ENTRY_ON_DEMAND = "urn:uuid:34268e47-fdf5-41a6-ba33-82133c465248"
SUBMISSION_SET_NODE = "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"
FOLDER_NODE = "urn:uuid:d9d542f3-6cc4-48b6-8870-ea235fbc94c2"

OBJECT_TYPE_PREFIX = "urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:"
OBJECT_TYPE_CLASSIFICATION = OBJECT_TYPE_PREFIX + "Classification"
OBJECT_TYPE_EXTERNAL_IDENTIFIER = OBJECT_TYPE_PREFIX + "ExternalIdentifier"
OBJECT_TYPE_ASSOCIATION = OBJECT_TYPE_PREFIX + "Association"
OBJECT_TYPE_REGISTRY_PACKAGE = OBJECT_TYPE_PREFIX + "RegistryPackage"

# --- DocumentEntry classification schemes and external identifiers (checklist 2.1) ---
DE_AUTHOR = "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d"
DE_CLASS_CODE = "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a"
DE_CONFIDENTIALITY_CODE = "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f"
DE_EVENT_CODE = "urn:uuid:2c6b8cb7-8b2a-4051-b291-b1ae6a575ef4"
DE_FORMAT_CODE = "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d"
DE_HEALTHCARE_FACILITY_TYPE_CODE = "urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1"
DE_PRACTICE_SETTING_CODE = "urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead"
DE_TYPE_CODE = "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983"
DE_PATIENT_ID = "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427"
DE_UNIQUE_ID = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"
DE_LIMITED_METADATA = "urn:uuid:ab9b591b-83ab-4d03-8f5d-f93b1fb92e85"

# --- SubmissionSet (checklist 2.1) ---
SS_AUTHOR = "urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d"
SS_CONTENT_TYPE_CODE = "urn:uuid:aa543740-bdda-424e-8c96-df4873be8500"
SS_PATIENT_ID = "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446"
SS_SOURCE_ID = "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832"
SS_UNIQUE_ID = "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8"
SS_LIMITED_METADATA = "urn:uuid:5003a9db-8d8d-49e6-bf0c-990e34ac7707"

# --- Folder (checklist 2.1) ---
FD_CODE_LIST = "urn:uuid:1ba97051-7806-41a8-a48b-8fce7af683c5"
FD_PATIENT_ID = "urn:uuid:f64ffdf0-4b97-4e06-b79f-a52b38ec2f8a"
FD_UNIQUE_ID = "urn:uuid:75df8f67-9973-4fbe-a900-df66cefecc5a"
FD_LIMITED_METADATA = "urn:uuid:2c144a76-29a9-4b7c-af54-b25409fe7d03"

# Association documentation (allowed on document relationships only; checklist 2.1, NIST 12370).
ASSOCIATION_DOCUMENTATION = "urn:uuid:abd807a3-4432-4053-87b4-fd82c643d1f3"

# External identifier names written on render (TF-3 4.2.3).
EXTERNAL_ID_NAMES = {
    DE_PATIENT_ID: "XDSDocumentEntry.patientId",
    DE_UNIQUE_ID: "XDSDocumentEntry.uniqueId",
    SS_PATIENT_ID: "XDSSubmissionSet.patientId",
    SS_SOURCE_ID: "XDSSubmissionSet.sourceId",
    SS_UNIQUE_ID: "XDSSubmissionSet.uniqueId",
    FD_PATIENT_ID: "XDSFolder.patientId",
    FD_UNIQUE_ID: "XDSFolder.uniqueId",
}


class AssociationType(StrEnum):
    """associationType URNs (TF-3 4.2.2; checklist 2.4)."""

    HAS_MEMBER = "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember"
    RPLC = "urn:ihe:iti:2007:AssociationType:RPLC"
    XFRM = "urn:ihe:iti:2007:AssociationType:XFRM"
    APND = "urn:ihe:iti:2007:AssociationType:APND"
    XFRM_RPLC = "urn:ihe:iti:2007:AssociationType:XFRM_RPLC"
    SIGNS = "urn:ihe:iti:2007:AssociationType:signs"
    IS_SNAPSHOT_OF = "urn:ihe:iti:2010:AssociationType:IsSnapshotOf"


# Document relationships: associations between two DocumentEntries (checklist 2.5).
RELATIONSHIP_TYPES = frozenset(
    {
        AssociationType.RPLC,
        AssociationType.XFRM,
        AssociationType.APND,
        AssociationType.XFRM_RPLC,
        AssociationType.SIGNS,
        AssociationType.IS_SNAPSHOT_OF,
    }
)
REPLACING_TYPES = frozenset({AssociationType.RPLC, AssociationType.XFRM_RPLC})


class Status(StrEnum):
    """availabilityStatus (checklist 2.5)."""

    APPROVED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"
    DEPRECATED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated"
    SUBMITTED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Submitted"


class ResponseStatus(StrEnum):
    """RegistryResponse/@status (TF-3 4.2.4; checklist 4.1)."""

    SUCCESS = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"
    FAILURE = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"
    PARTIAL_SUCCESS = "urn:ihe:iti:2007:ResponseStatusType:PartialSuccess"


class Severity(StrEnum):
    ERROR = "urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"
    WARNING = "urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Warning"


# SubmissionSetStatus slot on SS-DE HasMember (checklist 2.4).
SUBMISSION_SET_STATUS_SLOT = "SubmissionSetStatus"
SUBMISSION_SET_STATUS_ORIGINAL = "Original"
SUBMISSION_SET_STATUS_REFERENCE = "Reference"

# Reference ID Option slot (TF-3 4.2.3.2.28).
REFERENCE_ID_LIST_SLOT = "urn:ihe:iti:xds:2013:referenceIdList"

# Empty-content SHA-1 used by Delayed Document Assembly (TF-2 ITI-42 3.42.4.1.2.1).
EMPTY_SHA1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"


class StoredQuery(StrEnum):
    """Stored query ids (TF-2 ITI-18 3.18.4.1.2.4; checklist 3.2)."""

    FIND_DOCUMENTS = "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d"
    FIND_DOCUMENTS_BY_REFERENCE_ID = "urn:uuid:12941a89-e02e-4be5-967c-ce4bfc8fe492"
    FIND_SUBMISSION_SETS = "urn:uuid:f26abbcb-ac74-4422-8a30-edb644bbc1a9"
    FIND_FOLDERS = "urn:uuid:958f3006-baad-4929-a4de-ff1114824431"
    GET_ALL = "urn:uuid:10b545ea-725c-446d-9b95-8aeb444eddf3"
    GET_DOCUMENTS = "urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4"
    GET_FOLDERS = "urn:uuid:5737b14c-8a1a-4539-b659-e03a34a5e1e4"
    GET_ASSOCIATIONS = "urn:uuid:a7ae438b-4bc2-4642-93e9-be891f7bb155"
    GET_DOCUMENTS_AND_ASSOCIATIONS = "urn:uuid:bab9529a-4a10-40b3-a01f-f68a615d247a"
    GET_SUBMISSION_SETS = "urn:uuid:51224314-5390-4169-9b91-b1980040715a"
    GET_SUBMISSION_SET_AND_CONTENTS = "urn:uuid:e8e3cb2c-e39c-46b9-99e4-c12f57260b83"
    GET_FOLDER_AND_CONTENTS = "urn:uuid:b909a503-523d-4517-8acf-8e5834dfc4c7"
    GET_FOLDERS_FOR_DOCUMENT = "urn:uuid:10cae35a-c7f9-4cf5-b61e-fc3278ffb578"
    GET_RELATED_DOCUMENTS = "urn:uuid:d90e5407-b356-4d91-a89f-873917b4b0e6"


class Action(StrEnum):
    """wsa:Action URIs (checklist 1.2)."""

    REGISTER = "urn:ihe:iti:2007:RegisterDocumentSet-b"
    REGISTER_RESPONSE = "urn:ihe:iti:2007:RegisterDocumentSet-bResponse"
    STORED_QUERY = "urn:ihe:iti:2007:RegistryStoredQuery"
    STORED_QUERY_RESPONSE = "urn:ihe:iti:2007:RegistryStoredQueryResponse"
    PROVIDE_AND_REGISTER = "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"
    PROVIDE_AND_REGISTER_RESPONSE = "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-bResponse"
    RETRIEVE = "urn:ihe:iti:2007:RetrieveDocumentSet"
    RETRIEVE_RESPONSE = "urn:ihe:iti:2007:RetrieveDocumentSetResponse"
