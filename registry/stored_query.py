"""ITI-18 Registry Stored Query (TF-2 3.18; checklist 3): dispatch, caps, patient check, response.

A query module turns the checked parameters into a `Plan` (SQL conditions per table); this module runs it:

- LeafClass answers are the stored canonical fragments, concatenated without re-rendering (architecture
  section 3), so FindDocuments is one indexed SELECT fetching only `xml`;
- XDSTooManyResults: every part is read with `LIMIT cap + 1`, so the cap is detected by the same query
  that fetches the rows and never more than cap + 1 rows are read (TF-2 3.18.4.1.2.6; checklist 3.3);
- XDSResultNotSinglePatient: for LeafClass on the Get* queries TF-2 3.18.4.1.2.3.7 lists, a result
  spanning several patients returns that error and no metadata; ObjectRef is not restricted (NIST 12368);
- objects come in plan order, each part ordered by `seq` (registration order): answers are deterministic.

Paging (`startIndex`, `maxResults`) is not applied: IHE says paging and stored queries "have never been
reconciled" (TF-2 3.18.4.1.2.6) and clients page with ObjectRef then GetDocuments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from xml.sax.saxutils import quoteattr

from sqlalchemy import Connection, Engine, select

from registry.merged_patients import PATIENT_PARAMETERS, show_surviving
from registry.queries.find_documents import find_documents, find_documents_by_reference_id
from registry.queries.find_folders import find_folders
from registry.queries.find_submission_sets import find_submission_sets
from registry.queries.get_all import get_all
from registry.queries.get_associations import get_associations
from registry.queries.get_documents import get_documents, get_documents_and_associations
from registry.queries.get_folder_and_contents import get_folder_and_contents
from registry.queries.get_folders import get_folders, get_folders_for_document
from registry.queries.get_related_documents import get_related_documents
from registry.queries.get_submission_set_and_contents import get_submission_set_and_contents
from registry.queries.get_submission_sets import get_submission_sets
from registry.queries.params import QueryParams, extract_params
from registry.queries.plan import Plan
from registry.settings import RegistrySettings
from xds.db.engine import read_connection
from xds.ebxml import rim
from xds.ebxml.render import render_adhoc_query_response
from xds.ebxml.vocabulary import ResponseStatus, StoredQuery
from xds.errors import ErrorCode, RegistryError, XdsError
from xds.ports import PatientIdentityPort

LEAF_CLASS = "LeafClass"


@dataclass(frozen=True, slots=True)
class QueryDefinition:
    plan: Callable[[QueryParams], Plan]
    # LeafClass results must belong to one patient (TF-2 3.18.4.1.2.3.7; checklist 3.3).
    single_patient: bool = False


QUERIES: dict[StoredQuery, QueryDefinition] = {
    StoredQuery.FIND_DOCUMENTS: QueryDefinition(find_documents),
    StoredQuery.FIND_DOCUMENTS_BY_REFERENCE_ID: QueryDefinition(find_documents_by_reference_id),
    StoredQuery.FIND_SUBMISSION_SETS: QueryDefinition(find_submission_sets),
    StoredQuery.FIND_FOLDERS: QueryDefinition(find_folders),
    StoredQuery.GET_ALL: QueryDefinition(get_all),
    StoredQuery.GET_DOCUMENTS: QueryDefinition(get_documents, single_patient=True),
    StoredQuery.GET_FOLDERS: QueryDefinition(get_folders, single_patient=True),
    StoredQuery.GET_ASSOCIATIONS: QueryDefinition(get_associations),
    StoredQuery.GET_DOCUMENTS_AND_ASSOCIATIONS: QueryDefinition(
        get_documents_and_associations, single_patient=True
    ),
    StoredQuery.GET_SUBMISSION_SETS: QueryDefinition(get_submission_sets, single_patient=True),
    StoredQuery.GET_SUBMISSION_SET_AND_CONTENTS: QueryDefinition(
        get_submission_set_and_contents, single_patient=True
    ),
    StoredQuery.GET_FOLDER_AND_CONTENTS: QueryDefinition(get_folder_and_contents, single_patient=True),
    StoredQuery.GET_FOLDERS_FOR_DOCUMENT: QueryDefinition(get_folders_for_document),
    StoredQuery.GET_RELATED_DOCUMENTS: QueryDefinition(get_related_documents),
}


@dataclass(slots=True)
class QueryResult:
    """An AdhocQueryResponse before rendering: LeafClass fragments or ObjectRef ids, and errors."""

    status: ResponseStatus
    objects: list[bytes] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)
    errors: list[RegistryError] = field(default_factory=list)


def _failure(code: ErrorCode, context: str) -> QueryResult:
    return QueryResult(ResponseStatus.FAILURE, errors=[RegistryError(code, context)])


def run_stored_query(
    engine: Engine,
    request: rim.AdhocQueryRequest,
    settings: RegistrySettings,
    patients: PatientIdentityPort | None = None,
) -> QueryResult:
    """Answer one stored query; request faults come back as a Failure result, never as an exception.

    With `patients`, a query naming a patient covers the ids merged into it and shows them under the
    requested id, and a query on a merged-away or unknown id returns nothing (registry/merged_patients.py).
    """
    try:
        query = StoredQuery(request.query_id)
    except ValueError:
        return _failure(ErrorCode.UNKNOWN_STORED_QUERY, f"unknown stored query id {request.query_id}")
    definition = QUERIES[query]
    try:
        params = extract_params(query, request.parameters)
    except XdsError as exc:
        return QueryResult(ResponseStatus.FAILURE, errors=exc.errors)
    patient_param = next((p for p in PATIENT_PARAMETERS if params.strings(p)), None)
    covered: list[str] = []
    if patients is not None and patient_param is not None:
        requested = params.string(patient_param) or ""
        covered = patients.query_ids(requested)
        if not covered:  # unknown or merged away: an empty Success (TF-2 3.18.4.1.3)
            return QueryResult(ResponseStatus.SUCCESS)
        params = params.with_values(patient_param, covered)
    try:
        plan = definition.plan(params)
    except XdsError as exc:
        return QueryResult(ResponseStatus.FAILURE, errors=exc.errors)
    leaf = request.return_type == LEAF_CLASS
    cap = settings.max_leafclass_results if leaf else settings.max_objectref_results
    with read_connection(engine) as conn:
        if leaf and definition.single_patient and len(_patients(conn, plan)) > 1:
            return _failure(
                ErrorCode.RESULT_NOT_SINGLE_PATIENT,
                f"the LeafClass result of {query.name} spans several patients; ask for ObjectRef",
            )
        rows = _fetch(conn, plan, "xml" if leaf else "id", cap)
    if rows is None:
        return _failure(
            ErrorCode.TOO_MANY_RESULTS,
            f"{query.name} matches more than {cap} objects ({request.return_type})",
        )
    if not leaf:
        return QueryResult(ResponseStatus.SUCCESS, refs=rows)
    home = settings.home_community_id
    objects = [_with_home(xml.encode(), home) for xml in rows] if home else [xml.encode() for xml in rows]
    if len(covered) > 1:
        objects = [show_surviving(fragment, covered[1:], covered[0]) for fragment in objects]
    return QueryResult(ResponseStatus.SUCCESS, objects=objects)


def _patients(conn: Connection, plan: Plan) -> set[str]:
    """Distinct patient ids of the result (at most two per part are enough to see more than one)."""
    patients: set[str] = set()
    for part in plan:
        if "patient_id" in part.table.c:
            column = part.table.c.patient_id
            patients.update(conn.scalars(select(column).where(part.where).distinct().limit(2)))
    return patients


def _fetch(conn: Connection, plan: Plan, column: str, cap: int) -> list[str] | None:
    """The column of every selected row in plan order, or None when there are more than `cap` rows."""
    rows: list[str] = []
    for part in plan:
        table = part.table
        statement = select(table.c[column]).where(part.where).order_by(table.c.seq).limit(cap - len(rows) + 1)
        rows.extend(conn.scalars(statement))
        if len(rows) > cap:
            return None
    return rows


def _with_home(fragment: bytes, home: str) -> bytes:
    """The fragment with `home` on its root element (TF-2 3.18.4.1.3), spliced without parsing.

    Fragments start with `<rim:Tag ` (render_registry_object always writes attributes), so the attribute
    goes right after the tag name; a fragment that already carries one is left alone.
    """
    head_end = fragment.index(b">")
    if b' home="' in fragment[:head_end]:
        return fragment
    name_end = fragment.index(b" ")
    return b"".join((fragment[:name_end], b" home=", quoteattr(home).encode(), fragment[name_end:]))


def render_query_result(result: QueryResult) -> bytes:
    """The query:AdhocQueryResponse bytes of a result (ITI-18 response, TF-2 3.18.4.1.3)."""
    return render_adhoc_query_response(
        result.status, objects=result.objects, refs=result.refs, errors=result.errors
    )
