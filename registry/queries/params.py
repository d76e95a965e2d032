"""Stored-query parameters: what each query accepts, and the checked, typed values of one request.

The table `QUERY_PARAMS` is TF-2 3.18.4.1.2.4 / checklist 3.2 written down once: for every query, its
parameters with required (R), multi-valued (M), AND/OR and value kind, and its "either ... or" pairs.
`extract_params` applies it to the raw Slots of an AdhocQuery and raises the precise error:

- a required parameter (or both members of a required pair) missing: XDSStoredQueryMissingParam;
- several values on a single-valued parameter, a repeated Slot on a parameter without AND/OR semantics,
  or both members of an either/or pair: XDSStoredQueryParamNumber (TF-3 Table 4.2.4.1-2);
- a value that breaks the value syntax (unquoted string, `code` without `^^scheme`, a time that is not a
  DTM): XDSRegistryError. TF-3 has no dedicated code for a malformed value and XDSStoredQueryParamNumber
  is about how many values, not what they look like; IPF likewise fails such values without a
  stored-query code. NIST 11897 `old_scheme` and `classcode_scheme_mismatch` only require a Failure.
- status values that are not understood are ignored; none left is XDSStoredQueryMissingParam
  (TF-2 3.18.4.1.2.3.6; the TF's own sample sends a bogus status).

Parameters a query does not define are ignored, not refused: NIST 11897 `practicesetting_scheme` sends the
retired `$XDSDocumentEntryPracticeSettingCodeScheme` and expects Success ("extra, not-understood
parameters are always acceptable"), and the MU and XCA extensions add parameters older clients send.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum

from xds.ebxml.datatypes import normalize_dtm
from xds.ebxml.query_values import parse_code, parse_value_list
from xds.ebxml.vocabulary import DOCUMENT_ENTRY_ON_DEMAND, DOCUMENT_ENTRY_STABLE, Status, StoredQuery
from xds.errors import ErrorCode, XdsError

Code = tuple[str, str]  # (code, codingScheme)


class Kind(Enum):
    """How a parameter's literals are read."""

    STRING = "string"  # ids, uuids, association types: compared exactly
    PATTERN = "pattern"  # SQL LIKE pattern with % and _ (AuthorPerson; checklist 3.1)
    CODE = "code"  # code^^scheme
    TIME = "time"  # DTM, normalized to 14 digits
    STATUS = "status"  # availabilityStatus URN; unknown values ignored
    ENTRY_TYPE = "entry_type"  # DocumentEntry objectType (Stable / On-Demand)


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: Kind
    required: bool = False
    multi: bool = False
    and_or: bool = False  # repeated Slots mean AND (checklist 3.1)


@dataclass(frozen=True, slots=True)
class QuerySpec:
    params: tuple[Param, ...]
    # Exactly one member of each pair must be given (TF-2 3.18.4.1.2.3.7: "either ... or").
    either: tuple[tuple[str, str], ...] = ()


# --- parameter names (TF-2 3.18.4.1.2.3.7) ---
DE_PATIENT_ID = "$XDSDocumentEntryPatientId"
DE_CLASS_CODE = "$XDSDocumentEntryClassCode"
DE_TYPE_CODE = "$XDSDocumentEntryTypeCode"
DE_PRACTICE_SETTING_CODE = "$XDSDocumentEntryPracticeSettingCode"
DE_CREATION_FROM = "$XDSDocumentEntryCreationTimeFrom"
DE_CREATION_TO = "$XDSDocumentEntryCreationTimeTo"
DE_SERVICE_START_FROM = "$XDSDocumentEntryServiceStartTimeFrom"
DE_SERVICE_START_TO = "$XDSDocumentEntryServiceStartTimeTo"
DE_SERVICE_STOP_FROM = "$XDSDocumentEntryServiceStopTimeFrom"
DE_SERVICE_STOP_TO = "$XDSDocumentEntryServiceStopTimeTo"
DE_HCFT_CODE = "$XDSDocumentEntryHealthcareFacilityTypeCode"
DE_EVENT_CODE = "$XDSDocumentEntryEventCodeList"
DE_CONFIDENTIALITY_CODE = "$XDSDocumentEntryConfidentialityCode"
DE_AUTHOR = "$XDSDocumentEntryAuthorPerson"
DE_FORMAT_CODE = "$XDSDocumentEntryFormatCode"
DE_STATUS = "$XDSDocumentEntryStatus"
DE_TYPE = "$XDSDocumentEntryType"
DE_REFERENCE_ID = "$XDSDocumentEntryReferenceIdList"
DE_ENTRY_UUID = "$XDSDocumentEntryEntryUUID"
DE_UNIQUE_ID = "$XDSDocumentEntryUniqueId"
SS_PATIENT_ID = "$XDSSubmissionSetPatientId"
SS_SOURCE_ID = "$XDSSubmissionSetSourceId"
SS_SUBMISSION_FROM = "$XDSSubmissionSetSubmissionTimeFrom"
SS_SUBMISSION_TO = "$XDSSubmissionSetSubmissionTimeTo"
SS_AUTHOR = "$XDSSubmissionSetAuthorPerson"
SS_CONTENT_TYPE = "$XDSSubmissionSetContentType"
SS_STATUS = "$XDSSubmissionSetStatus"
SS_ENTRY_UUID = "$XDSSubmissionSetEntryUUID"
SS_UNIQUE_ID = "$XDSSubmissionSetUniqueId"
FD_PATIENT_ID = "$XDSFolderPatientId"
FD_UPDATE_FROM = "$XDSFolderLastUpdateTimeFrom"
FD_UPDATE_TO = "$XDSFolderLastUpdateTimeTo"
FD_CODE = "$XDSFolderCodeList"
FD_STATUS = "$XDSFolderStatus"
FD_ENTRY_UUID = "$XDSFolderEntryUUID"
FD_UNIQUE_ID = "$XDSFolderUniqueId"
PATIENT_ID = "$patientId"
UUID = "$uuid"
ASSOCIATION_TYPES = "$AssociationTypes"
HOME_COMMUNITY_ID = "$homeCommunityId"  # accepted; the registry answers for its own community only


def _p(name: str, kind: Kind = Kind.STRING, *, r: bool = False, m: bool = False, ao: bool = False) -> Param:
    return Param(name, kind, required=r, multi=m, and_or=ao)


_HOME = _p(HOME_COMMUNITY_ID)
_DE_TYPE = _p(DE_TYPE, Kind.ENTRY_TYPE, m=True)
_DE_FORMAT = _p(DE_FORMAT_CODE, Kind.CODE, m=True)
_DE_CONFIDENTIALITY = _p(DE_CONFIDENTIALITY_CODE, Kind.CODE, m=True, ao=True)

_FIND_DOCUMENTS = (
    _p(DE_PATIENT_ID, r=True),
    _p(DE_CLASS_CODE, Kind.CODE, m=True),
    _p(DE_TYPE_CODE, Kind.CODE, m=True),
    _p(DE_PRACTICE_SETTING_CODE, Kind.CODE, m=True),
    _p(DE_CREATION_FROM, Kind.TIME),
    _p(DE_CREATION_TO, Kind.TIME),
    _p(DE_SERVICE_START_FROM, Kind.TIME),
    _p(DE_SERVICE_START_TO, Kind.TIME),
    _p(DE_SERVICE_STOP_FROM, Kind.TIME),
    _p(DE_SERVICE_STOP_TO, Kind.TIME),
    _p(DE_HCFT_CODE, Kind.CODE, m=True),
    _p(DE_EVENT_CODE, Kind.CODE, m=True, ao=True),
    _DE_CONFIDENTIALITY,
    _p(DE_AUTHOR, Kind.PATTERN, m=True),
    _DE_FORMAT,
    _p(DE_STATUS, Kind.STATUS, r=True, m=True),
    _DE_TYPE,
)


def _by_entry(entry_uuid: str, unique_id: str, *, multi: bool, extra: tuple[Param, ...] = ()) -> QuerySpec:
    """A Get* query addressed by entryUUID or uniqueId, never both (TF-2 3.18.4.1.2.3.7.5 and following)."""
    return QuerySpec(
        (_p(entry_uuid, m=multi), _p(unique_id, m=multi), _HOME, *extra),
        either=((entry_uuid, unique_id),),
    )


QUERY_PARAMS: dict[StoredQuery, QuerySpec] = {
    StoredQuery.FIND_DOCUMENTS: QuerySpec(_FIND_DOCUMENTS),
    StoredQuery.FIND_DOCUMENTS_BY_REFERENCE_ID: QuerySpec(
        (*_FIND_DOCUMENTS, _p(DE_REFERENCE_ID, r=True, m=True))
    ),
    StoredQuery.FIND_SUBMISSION_SETS: QuerySpec(
        (
            _p(SS_PATIENT_ID, r=True),
            _p(SS_SOURCE_ID, m=True),
            _p(SS_SUBMISSION_FROM, Kind.TIME),
            _p(SS_SUBMISSION_TO, Kind.TIME),
            _p(SS_AUTHOR, Kind.PATTERN),
            _p(SS_CONTENT_TYPE, Kind.CODE, m=True),
            _p(SS_STATUS, Kind.STATUS, r=True, m=True),
        )
    ),
    StoredQuery.FIND_FOLDERS: QuerySpec(
        (
            _p(FD_PATIENT_ID, r=True),
            _p(FD_UPDATE_FROM, Kind.TIME),
            _p(FD_UPDATE_TO, Kind.TIME),
            _p(FD_CODE, Kind.CODE, m=True, ao=True),
            _p(FD_STATUS, Kind.STATUS, r=True, m=True),
        )
    ),
    StoredQuery.GET_ALL: QuerySpec(
        (
            _p(PATIENT_ID, r=True),
            _p(DE_STATUS, Kind.STATUS, r=True, m=True),
            _p(SS_STATUS, Kind.STATUS, r=True, m=True),
            _p(FD_STATUS, Kind.STATUS, r=True, m=True),
            _DE_FORMAT,
            _DE_CONFIDENTIALITY,
            _DE_TYPE,
        )
    ),
    StoredQuery.GET_DOCUMENTS: _by_entry(DE_ENTRY_UUID, DE_UNIQUE_ID, multi=True),
    StoredQuery.GET_FOLDERS: _by_entry(FD_ENTRY_UUID, FD_UNIQUE_ID, multi=True),
    StoredQuery.GET_ASSOCIATIONS: QuerySpec((_p(UUID, r=True, m=True), _HOME)),
    StoredQuery.GET_DOCUMENTS_AND_ASSOCIATIONS: _by_entry(DE_ENTRY_UUID, DE_UNIQUE_ID, multi=True),
    StoredQuery.GET_SUBMISSION_SETS: QuerySpec((_p(UUID, r=True, m=True), _HOME)),
    StoredQuery.GET_SUBMISSION_SET_AND_CONTENTS: _by_entry(
        SS_ENTRY_UUID, SS_UNIQUE_ID, multi=False, extra=(_DE_FORMAT, _DE_CONFIDENTIALITY, _DE_TYPE)
    ),
    StoredQuery.GET_FOLDER_AND_CONTENTS: _by_entry(
        FD_ENTRY_UUID, FD_UNIQUE_ID, multi=False, extra=(_DE_FORMAT, _DE_CONFIDENTIALITY, _DE_TYPE)
    ),
    StoredQuery.GET_FOLDERS_FOR_DOCUMENT: _by_entry(DE_ENTRY_UUID, DE_UNIQUE_ID, multi=False),
    StoredQuery.GET_RELATED_DOCUMENTS: _by_entry(
        DE_ENTRY_UUID, DE_UNIQUE_ID, multi=False, extra=(_p(ASSOCIATION_TYPES, r=True, m=True), _DE_TYPE)
    ),
}

_STATUSES = frozenset(Status)
_ENTRY_TYPES = frozenset({DOCUMENT_ENTRY_STABLE, DOCUMENT_ENTRY_ON_DEMAND})

# Parsed value of one parameter: the Slots (AND) each holding its values (OR).
Groups = tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class QueryParams:
    """The checked parameters of one request; accessors return what the SQL layer needs."""

    _groups: Mapping[str, Groups]

    def with_values(self, name: str, values: Sequence[str]) -> QueryParams:
        """The same parameters with `name` standing for several values (OR): a patient id and the ids
        merged into it (TF-2 3.18.4.1.2.3.9.1)."""
        return replace(self, _groups={**self._groups, name: (tuple(values),)})

    def string(self, name: str) -> str | None:
        """A single-valued parameter (times come normalized to 14 digits)."""
        values = self.strings(name)
        return values[0] if values else None

    def strings(self, name: str) -> list[str]:
        """The values of a parameter without AND/OR semantics (one Slot: OR)."""
        return [value for group in self._groups.get(name, ()) for value in group]

    def code_groups(self, name: str) -> list[list[Code]]:
        """A coded parameter as AND of OR-groups; a parameter without AND/OR has at most one group."""
        return [[parse_code(value) for value in group] for group in self._groups.get(name, ())]

    def entry_types(self) -> list[str]:
        """$XDSDocumentEntryType; absent means Stable only (TF-2 3.18.4.1.2.3.6.2)."""
        return self.strings(DE_TYPE) or [DOCUMENT_ENTRY_STABLE]


def _error(code: ErrorCode, context: str) -> XdsError:
    return XdsError.of(code, context)


def _read(param: Param, slots: list[list[str]]) -> Groups:
    """The values of one parameter, checked for number and syntax, grouped per Slot."""
    if len(slots) > 1 and not param.and_or:
        raise _error(
            ErrorCode.STORED_QUERY_PARAM_NUMBER,
            f"{param.name} is given in {len(slots)} Slots; only AND/OR parameters may repeat",
        )
    groups: list[tuple[str, ...]] = []
    for raw in slots:
        try:
            values = tuple(_convert(param, value) for value in parse_value_list(raw))
        except ValueError as exc:  # QueryValueError, or a time that is not a DTM
            raise _error(ErrorCode.REGISTRY_ERROR, f"{param.name}: {exc}") from None
        if not param.multi and len(values) > 1:
            raise _error(
                ErrorCode.STORED_QUERY_PARAM_NUMBER, f"{param.name} takes a single value, got {len(values)}"
            )
        groups.append(values)
    if param.kind in (Kind.STATUS, Kind.ENTRY_TYPE):
        known = _STATUSES if param.kind is Kind.STATUS else _ENTRY_TYPES
        groups = [tuple(v for v in group if v in known) for group in groups]
        if param.kind is Kind.STATUS and not any(groups):
            raise _error(
                ErrorCode.STORED_QUERY_MISSING_PARAM,
                f"{param.name}: no availabilityStatus value understood in {[v for s in slots for v in s]}",
            )
    return tuple(group for group in groups if group)


def _convert(param: Param, value: str) -> str:
    if param.kind is Kind.TIME:
        # From and To both pad with the earliest instant: From <= t < To, so To=2005 ends before 2005.
        return normalize_dtm(value)
    if param.kind is Kind.CODE:
        parse_code(value)  # reject `code` without `^^scheme` now, as a request error
    if param.kind is Kind.PATTERN and (len(value) - len(value.rstrip("\\"))) % 2:
        # Backslash escapes % and _ (conditions.LIKE_ESCAPE); a trailing lone one is a broken pattern.
        raise ValueError(f"pattern {value!r} ends with a lone escape character")
    return value


def extract_params(query: StoredQuery, parameters: Mapping[str, list[list[str]]]) -> QueryParams:
    """Check the raw Slots of an AdhocQuery against the query's table; raise XdsError on the first fault."""
    spec = QUERY_PARAMS[query]
    groups: dict[str, Groups] = {}
    for param in spec.params:
        slots = parameters.get(param.name)
        read = _read(param, slots) if slots else ()
        if read:
            groups[param.name] = read
        elif param.required:
            raise _error(ErrorCode.STORED_QUERY_MISSING_PARAM, f"required parameter {param.name} is missing")
    for first, second in spec.either:
        if first in groups and second in groups:
            raise _error(
                ErrorCode.STORED_QUERY_PARAM_NUMBER, f"{first} and {second} are mutually exclusive; give one"
            )
        if first not in groups and second not in groups:
            raise _error(ErrorCode.STORED_QUERY_MISSING_PARAM, f"one of {first} or {second} is required")
    return QueryParams(groups)
