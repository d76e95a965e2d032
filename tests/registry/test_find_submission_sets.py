"""FindSubmissionSets on both backends (TF-2 3.18.4.1.2.3.7.2; NIST 11898)."""

from __future__ import annotations

from builders import OTHER_PATIENT, PATIENT, Author, SubmissionBuilder
from query_support import APPROVED, DEPRECATED, ask, codes, ids, load, quoted, slot, tags, uuid_of
from sqlalchemy import Engine

from registry.queries import params as qp
from xds.ebxml.vocabulary import StoredQuery


def find(engine: Engine, return_type: str = "ObjectRef", **extra: str) -> list[str]:
    parameters = {qp.SS_PATIENT_ID: quoted(PATIENT), qp.SS_STATUS: slot(APPROVED)}
    parameters.update({f"${name}": value for name, value in extra.items()})
    return ids(ask(engine, StoredQuery.FIND_SUBMISSION_SETS, parameters, return_type=return_type))


def submissions(engine: Engine) -> tuple[str, str]:
    first = SubmissionBuilder(
        ss_id="SS1",
        source_id="1.2.3.1",
        submission_time="20041225235050",
        content_type=("CT-1", "1.2.9", "one"),
        authors=[Author(person="^Ford^Harrison^^^")],
    ).document("D1")
    second = SubmissionBuilder(
        ss_id="SS2",
        source_id="1.2.3.2",
        submission_time="2006",
        content_type=("CT-2", "1.2.9", "two"),
        authors=[Author(person="^Smitty^Gerald^^^")],
    ).document("D2")
    load(engine, first, second, SubmissionBuilder(OTHER_PATIENT, ss_id="SSX").document("DX"))
    return uuid_of(engine, first, "SS1"), uuid_of(engine, second, "SS2")


def test_patient_and_status(engine: Engine) -> None:
    one, two = submissions(engine)
    assert find(engine) == [one, two]
    assert find(engine, "LeafClass") == [one, two]
    assert find(engine, XDSSubmissionSetStatus=slot(DEPRECATED)) == []


def test_leafclass_returns_registry_packages_only(engine: Engine) -> None:
    submissions(engine)
    parameters = {qp.SS_PATIENT_ID: quoted(PATIENT), qp.SS_STATUS: slot(APPROVED)}
    result = ask(engine, StoredQuery.FIND_SUBMISSION_SETS, parameters, return_type="LeafClass")
    assert tags(result) == ["RegistryPackage", "RegistryPackage"]


def test_source_id(engine: Engine) -> None:
    one, two = submissions(engine)
    assert find(engine, XDSSubmissionSetSourceId=slot("1.2.3.2")) == [two]
    assert find(engine, XDSSubmissionSetSourceId=slot("1.2.3.1", "1.2.3.2")) == [one, two]
    assert find(engine, XDSSubmissionSetSourceId=slot("1.2.3.9")) == []  # NIST other_sourceid


def test_submission_time_range(engine: Engine) -> None:
    one, two = submissions(engine)
    assert find(
        engine, XDSSubmissionSetSubmissionTimeFrom="2004", XDSSubmissionSetSubmissionTimeTo="2006"
    ) == [one]
    assert find(engine, XDSSubmissionSetSubmissionTimeFrom="2006") == [two]  # inclusive From, stored "2006"
    assert find(engine, XDSSubmissionSetSubmissionTimeTo="20041225235050") == []  # exclusive To
    assert find(engine, XDSSubmissionSetSubmissionTimeTo="20041225235051") == [one]


def test_author_person_like(engine: Engine) -> None:
    one, two = submissions(engine)
    assert find(engine, XDSSubmissionSetAuthorPerson=quoted("%Ford%")) == [one]
    assert find(engine, XDSSubmissionSetAuthorPerson=quoted("%")) == [one, two]  # NIST author_all
    assert find(engine, XDSSubmissionSetAuthorPerson=quoted("%Nobody%")) == []  # NIST author_none


def test_content_type(engine: Engine) -> None:
    one, two = submissions(engine)
    assert find(engine, XDSSubmissionSetContentType=codes(("CT-2", "1.2.9"))) == [two]
    assert find(engine, XDSSubmissionSetContentType=codes(("CT-1", "1.2.9"), ("CT-2", "1.2.9"))) == [one, two]
    assert find(engine, XDSSubmissionSetContentType=codes(("CT-1", "other"))) == []
