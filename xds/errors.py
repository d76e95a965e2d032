"""XDS error codes and the exception that carries them to a RegistryErrorList.

Codes: ITI TF-3 Table 4.2.4.1-2 (checklist section 4.2). Every code is named here once; rules and
actors import the name, never retype the string.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from xds.ebxml.vocabulary import Severity


class ErrorCode(StrEnum):
    REGISTRY_ERROR = "XDSRegistryError"
    REPOSITORY_ERROR = "XDSRepositoryError"
    REGISTRY_METADATA_ERROR = "XDSRegistryMetadataError"
    REPOSITORY_METADATA_ERROR = "XDSRepositoryMetadataError"
    UNKNOWN_PATIENT_ID = "XDSUnknownPatientId"
    PATIENT_ID_DOES_NOT_MATCH = "XDSPatientIdDoesNotMatch"
    DUPLICATE_UNIQUE_ID_IN_REGISTRY = "XDSDuplicateUniqueIdInRegistry"
    REGISTRY_DUPLICATE_UNIQUE_ID_IN_MESSAGE = "XDSRegistryDuplicateUniqueIdInMessage"
    REPOSITORY_DUPLICATE_UNIQUE_ID_IN_MESSAGE = "XDSRepositoryDuplicateUniqueIdInMessage"
    NON_IDENTICAL_HASH = "XDSNonIdenticalHash"
    NON_IDENTICAL_SIZE = "XDSNonIdenticalSize"
    REGISTRY_DEPRECATED_DOCUMENT_ERROR = "XDSRegistryDeprecatedDocumentError"
    UNRESOLVED_REFERENCE = "UnresolvedReferenceException"
    EXTRA_METADATA_NOT_SAVED = "XDSExtraMetadataNotSaved"
    MISSING_DOCUMENT = "XDSMissingDocument"
    MISSING_DOCUMENT_METADATA = "XDSMissingDocumentMetadata"
    REGISTRY_NOT_AVAILABLE = "XDSRegistryNotAvailable"
    REGISTRY_BUSY = "XDSRegistryBusy"
    REPOSITORY_BUSY = "XDSRepositoryBusy"
    REGISTRY_OUT_OF_RESOURCES = "XDSRegistryOutOfResources"
    REPOSITORY_OUT_OF_RESOURCES = "XDSRepositoryOutOfResources"
    STORED_QUERY_MISSING_PARAM = "XDSStoredQueryMissingParam"
    STORED_QUERY_PARAM_NUMBER = "XDSStoredQueryParamNumber"
    UNKNOWN_STORED_QUERY = "XDSUnknownStoredQuery"
    TOO_MANY_RESULTS = "XDSTooManyResults"
    RESULT_NOT_SINGLE_PATIENT = "XDSResultNotSinglePatient"
    UNKNOWN_REPOSITORY_ID = "XDSUnknownRepositoryId"
    DOCUMENT_UNIQUE_ID_ERROR = "XDSDocumentUniqueIdError"
    UNKNOWN_COMMUNITY = "XDSUnknownCommunity"
    MISSING_HOME_COMMUNITY_ID = "XDSMissingHomeCommunityId"


@dataclass(frozen=True, slots=True)
class RegistryError:
    """One rs:RegistryError: the code, a message naming object and attribute, and where."""

    code: ErrorCode
    context: str
    location: str = ""
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def internal_error(code: ErrorCode, what: str, correlation_id: str, log: logging.Logger) -> RegistryError:
    """An unexpected failure as the client sees it: the fallback code and a correlation id, never the cause.

    The traceback goes to `log` under the same correlation id, so support can find it (checklist 4.1:
    XDSRegistryError / XDSRepositoryError only when no specific code fits). Call from an `except` block.
    """
    log.exception("%s failed (correlation id %s)", what, correlation_id)
    return RegistryError(code, f"internal error while processing {what}; correlation id {correlation_id}")


class XdsError(Exception):
    """Raised by rules and actors; rendered as a Failure RegistryResponse, never as a SOAP fault."""

    def __init__(self, *errors: RegistryError) -> None:
        super().__init__("; ".join(f"{e.code}: {e.context}" for e in errors))
        self.errors: list[RegistryError] = list(errors)

    @classmethod
    def of(cls, code: ErrorCode, context: str, location: str = "") -> XdsError:
        return cls(RegistryError(code, context, location))
