"""Stored-query test support: load data through the real ITI-42 `register()`, ask queries as on the wire.

Parameter values are written in the wire syntax (`'a'`, `('a','b')`), so tests read like the requests
NIST and IPF send; `slot()` and `codes()` only save the quoting.
"""

from __future__ import annotations

from datetime import UTC, datetime

from builders import SubmissionBuilder
from lxml import etree
from sqlalchemy import Engine, select, union_all

from registry.register import register
from registry.settings import RegistrySettings
from registry.stored_query import QueryResult, run_stored_query
from registry.tables import document_entry, folder, submission_set
from xds.ebxml import rim
from xds.ebxml.vocabulary import Status, StoredQuery
from xds.errors import ErrorCode

APPROVED = Status.APPROVED
DEPRECATED = Status.DEPRECATED


class AnyPatient:
    """Patient identity that knows everyone: these tests are about queries, not the identity feed."""

    def is_known(self, patient_id: str) -> bool:
        return True


def load(engine: Engine, *submissions: SubmissionBuilder, at: str | None = None) -> None:
    """Register each submission; `at` (YYYYMMDDhhmmss) fixes the registration time (lastUpdateTime)."""
    clock = {"now": lambda: datetime.strptime(at, "%Y%m%d%H%M%S").replace(tzinfo=UTC)} if at else {}
    for submission in submissions:
        register(engine, submission.request(), patients=AnyPatient(), settings=RegistrySettings(), **clock)


def uuid_of(engine: Engine, submission: SubmissionBuilder, symbolic_id: str) -> str:
    """The entryUUID the registry assigned to a symbolic id of `submission` (found by uniqueId)."""
    unique_id = submission.unique_ids[symbolic_id]
    by_unique_id = union_all(
        *(
            select(table.c.id).where(table.c.unique_id == unique_id)
            for table in (document_entry, folder, submission_set)
        )
    )
    with engine.connect() as conn:
        return conn.execute(by_unique_id).scalar_one()


def quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def slot(*values: str) -> str:
    """One Slot Value holding a list: `('a','b')`."""
    return "(" + ",".join(quoted(v) for v in values) + ")"


def codes(*pairs: tuple[str, str]) -> str:
    """A coded list: `('code^^scheme',...)`."""
    return slot(*(f"{code}^^{scheme}" for code, scheme in pairs))


def ask(
    engine: Engine,
    query: StoredQuery,
    parameters: dict[str, str | list[str]],
    *,
    return_type: str = "ObjectRef",
    settings: RegistrySettings | None = None,
) -> QueryResult:
    """Run a stored query; a str parameter is one Slot with one Value, a list is one Slot per item (AND)."""
    raw = {
        name: [[value]] if isinstance(value, str) else [[v] for v in value]
        for name, value in parameters.items()
    }
    request = rim.AdhocQueryRequest(query_id=query, return_type=return_type, parameters=raw)
    return run_stored_query(engine, request, settings or RegistrySettings())


def ids(result: QueryResult) -> list[str]:
    """The ids a result returns, as ObjectRefs or LeafClass objects, in answer order."""
    assert not result.errors, result.errors
    return result.refs or [etree.fromstring(fragment).get("id") for fragment in result.objects]


def tags(result: QueryResult) -> list[str]:
    """Local names of the returned LeafClass objects (ExtrinsicObject, RegistryPackage, Association)."""
    return [etree.QName(etree.fromstring(fragment)).localname for fragment in result.objects]


def error_code(result: QueryResult) -> ErrorCode:
    assert not result.objects and not result.refs
    [error] = result.errors
    return error.code
