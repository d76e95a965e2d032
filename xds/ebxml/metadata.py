"""The XDS metadata view: DocumentEntry, SubmissionSet, Folder, Association with typed attributes.

Derived from the wire model by `transform.py`; validation rules and storage read these, never raw XML.
Each object keeps its `rim` source so rendering stays lossless. Attribute names follow TF-3 4.2.3.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xds.ebxml import rim


@dataclass(frozen=True, slots=True)
class Code:
    """A coded value: code, coding scheme and display name (TF-3 4.2.3.1.2)."""

    code: str
    scheme: str
    display: str = ""


@dataclass(slots=True)
class Author:
    person: str | None = None
    institutions: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    specialties: list[str] = field(default_factory=list)
    telecoms: list[str] = field(default_factory=list)


@dataclass(slots=True)
class DocumentEntry:
    entry_uuid: str
    rim: rim.ExtrinsicObject
    unique_id: str | None = None
    patient_id: str | None = None
    object_type: str | None = None
    mime_type: str | None = None
    status: str | None = None
    lid: str | None = None
    home: str | None = None
    title: str | None = None
    comments: str | None = None
    class_code: Code | None = None
    type_code: Code | None = None
    format_code: Code | None = None
    healthcare_facility_type_code: Code | None = None
    practice_setting_code: Code | None = None
    confidentiality_codes: list[Code] = field(default_factory=list)
    event_codes: list[Code] = field(default_factory=list)
    authors: list[Author] = field(default_factory=list)
    creation_time: str | None = None  # DTM as sent; storage normalizes
    service_start_time: str | None = None
    service_stop_time: str | None = None
    hash: str | None = None
    size: str | None = None  # kept as text: validation reports a non-integer precisely
    language_code: str | None = None
    repository_unique_id: str | None = None
    source_patient_id: str | None = None
    source_patient_info: list[str] = field(default_factory=list)
    legal_authenticator: str | None = None
    uri: str | None = None
    reference_ids: list[str] = field(default_factory=list)
    extra_slots: list[rim.Slot] = field(default_factory=list)  # slots IHE does not define
    # Classifications per coded attribute ("classCode": 2), so a rule can refuse a 0..1 code sent twice;
    # the typed field above holds the first one.
    code_counts: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class SubmissionSet:
    entry_uuid: str
    rim: rim.RegistryPackage
    unique_id: str | None = None
    patient_id: str | None = None
    source_id: str | None = None
    status: str | None = None
    home: str | None = None
    title: str | None = None
    comments: str | None = None
    submission_time: str | None = None
    content_type_code: Code | None = None
    authors: list[Author] = field(default_factory=list)
    intended_recipients: list[str] = field(default_factory=list)
    extra_slots: list[rim.Slot] = field(default_factory=list)
    code_counts: dict[str, int] = field(default_factory=dict)  # {"contentTypeCode": n}, as on DocumentEntry


@dataclass(slots=True)
class Folder:
    entry_uuid: str
    rim: rim.RegistryPackage
    unique_id: str | None = None
    patient_id: str | None = None
    status: str | None = None
    lid: str | None = None
    home: str | None = None
    title: str | None = None
    comments: str | None = None
    last_update_time: str | None = None
    codes: list[Code] = field(default_factory=list)
    extra_slots: list[rim.Slot] = field(default_factory=list)


@dataclass(slots=True)
class Association:
    entry_uuid: str
    rim: rim.Association
    association_type: str
    source: str
    target: str
    status: str | None = None
    submission_set_status: str | None = None  # slot SubmissionSetStatus on SS-DE HasMember
    has_documentation: bool = False  # carries the association-documentation classification


@dataclass(slots=True)
class Submission:
    """The XDS content of one SubmitObjectsRequest."""

    submission_sets: list[SubmissionSet] = field(default_factory=list)
    documents: list[DocumentEntry] = field(default_factory=list)
    folders: list[Folder] = field(default_factory=list)
    associations: list[Association] = field(default_factory=list)
    # RegistryPackages that are neither SubmissionSet nor Folder, kept so a rule can refuse them.
    unclassified_packages: list[rim.RegistryPackage] = field(default_factory=list)
    # Stand-alone Classifications whose classifiedObject is not in the request, for a rule to refuse.
    unattached_classifications: list[rim.Classification] = field(default_factory=list)
