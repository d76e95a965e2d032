"""FindFolders on both backends (TF-2 3.18.4.1.2.3.7.3; NIST 11899)."""

from __future__ import annotations

from builders import OTHER_PATIENT, PATIENT, SubmissionBuilder
from query_support import APPROVED, DEPRECATED, ask, codes, ids, load, quoted, slot, uuid_of
from sqlalchemy import Engine

from registry.queries import params as qp
from xds.ebxml.vocabulary import StoredQuery

SCHEME = "1.3.6.1.4.1.21367.2017.3"


def find(engine: Engine, **extra: str | list[str]) -> list[str]:
    parameters = {qp.FD_PATIENT_ID: quoted(PATIENT), qp.FD_STATUS: slot(APPROVED)}
    parameters.update({f"${name}": value for name, value in extra.items()})
    return ids(ask(engine, StoredQuery.FIND_FOLDERS, parameters))


def folders(engine: Engine) -> tuple[str, str]:
    """F1 (codes A, B) registered 2004-12-25, F2 (code B) registered 2006-01-01."""
    first = SubmissionBuilder().folder("F1", codes=[("A", SCHEME, "a"), ("B", SCHEME, "b")])
    second = SubmissionBuilder().folder("F2", codes=[("B", SCHEME, "b")])
    load(engine, first, at="20041225120000")
    load(engine, second, SubmissionBuilder(OTHER_PATIENT).folder("FX"), at="20060101000000")
    return uuid_of(engine, first, "F1"), uuid_of(engine, second, "F2")


def test_patient_and_status(engine: Engine) -> None:
    one, two = folders(engine)
    assert find(engine) == [one, two]
    assert find(engine, XDSFolderStatus=slot(DEPRECATED)) == []


def test_code_list_and_or(engine: Engine) -> None:
    one, two = folders(engine)
    assert find(engine, XDSFolderCodeList=codes(("A", SCHEME))) == [one]
    assert find(engine, XDSFolderCodeList=codes(("A", SCHEME), ("B", SCHEME))) == [one, two]
    assert find(engine, XDSFolderCodeList=[codes(("A", SCHEME)), codes(("B", SCHEME))]) == [one]
    assert find(engine, XDSFolderCodeList=codes(("B", "other"))) == []


def test_last_update_time_range(engine: Engine) -> None:
    one, two = folders(engine)
    assert find(engine, XDSFolderLastUpdateTimeFrom="2004", XDSFolderLastUpdateTimeTo="2005") == [one]
    assert find(engine, XDSFolderLastUpdateTimeFrom="20060101") == [two]
    assert find(engine, XDSFolderLastUpdateTimeTo="20060101") == [one]  # exclusive To
    assert find(engine, XDSFolderLastUpdateTimeFrom="2007") == []  # NIST out_updatetime
