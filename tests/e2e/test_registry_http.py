"""The Document Registry end to end: ITI-42 and ITI-18 over HTTP against the server the CLI serves.

Every answer is checked against the official ebRS schemas, and every refused submission is checked to
have left nothing behind.
"""

from __future__ import annotations

import uuid
from xml.sax.saxutils import escape

import pytest
from builders import OTHER_PATIENT, PATIENT, SubmissionBuilder, new_oid, one_document
from live_server import Server, ServerFactory
from lxml import etree
from schemas import assert_valid
from soap_client import NS, call
from sqlalchemy import func, select, text

from pix_pdq.patients import add_patient
from registry.tables import association, document_entry, folder, submission_set
from xds.ebxml.vocabulary import DE_UNIQUE_ID, Action, AssociationType, Status, StoredQuery

APPROVED = Status.APPROVED
DEPRECATED = Status.DEPRECATED
SUCCESS = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"
FAILURE = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"


def counts(server: Server) -> tuple[int, ...]:
    with server.engine.connect() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (document_entry, submission_set, folder, association)
        )


def register(server: Server, submission: SubmissionBuilder):  # type: ignore[no-untyped-def]
    message_id = f"urn:uuid:{uuid.uuid4()}"
    result = call(server.client, server.registry, Action.REGISTER, submission.xml(), message_id=message_id)
    assert result.http_status == 200
    assert result.action == Action.REGISTER_RESPONSE
    assert result.relates_to == message_id
    assert_valid(result.body, "rs")
    return result


def query_body(query: StoredQuery, params: dict[str, str], return_type: str = "LeafClass") -> bytes:
    slots = "".join(
        f'<rim:Slot name="{name}"><rim:ValueList><rim:Value>{escape(value)}</rim:Value>'
        "</rim:ValueList></rim:Slot>"
        for name, value in params.items()
    )
    return (
        f'<query:AdhocQueryRequest xmlns:query="{NS["query"]}" xmlns:rim="{NS["rim"]}">'
        f'<query:ResponseOption returnComposedObjects="true" returnType="{return_type}"/>'
        f'<rim:AdhocQuery id="{query}">{slots}</rim:AdhocQuery></query:AdhocQueryRequest>'
    ).encode()


def stored_query(server: Server, query: StoredQuery, params: dict[str, str], return_type: str = "LeafClass"):  # type: ignore[no-untyped-def]
    result = call(server.client, server.registry, Action.STORED_QUERY, query_body(query, params, return_type))
    assert result.http_status == 200
    assert result.action == Action.STORED_QUERY_RESPONSE
    assert_valid(result.body, "query")
    return result


def find_documents(patient: str, *statuses: str) -> dict[str, str]:
    quoted = ",".join(f"'{s}'" for s in (statuses or (APPROVED,)))
    return {"$XDSDocumentEntryPatientId": f"'{patient}'", "$XDSDocumentEntryStatus": f"({quoted})"}


@pytest.fixture
def known(server: Server) -> Server:
    add_patient(server.engine, PATIENT)
    add_patient(server.engine, OTHER_PATIENT)
    return server


def test_register_then_find_documents_leafclass_and_objectref(known: Server) -> None:
    submission = SubmissionBuilder(PATIENT).document("Doc1").document("Doc2")
    assert register(known, submission).status == SUCCESS

    leaf = stored_query(known, StoredQuery.FIND_DOCUMENTS, find_documents(PATIENT))
    entries = leaf.body.findall(".//rim:ExtrinsicObject", NS)
    assert leaf.status == SUCCESS
    unique_ids = [
        e.xpath(
            "rim:ExternalIdentifier[@identificationScheme=$scheme]/@value", namespaces=NS, scheme=DE_UNIQUE_ID
        )[0]
        for e in entries
    ]
    assert sorted(unique_ids) == sorted(submission.unique_ids[d] for d in ("Doc1", "Doc2"))
    assert all(e.get("id").startswith("urn:uuid:") and e.get("status") == APPROVED for e in entries)

    refs = stored_query(known, StoredQuery.FIND_DOCUMENTS, find_documents(PATIENT), "ObjectRef")
    assert sorted(r.get("id") for r in refs.body.findall(".//rim:ObjectRef", NS)) == sorted(
        e.get("id") for e in entries
    )


def test_register_rplc_deprecates_the_original_over_http(known: Server) -> None:
    original = one_document(PATIENT, "Orig")
    register(known, original)
    [orig_entry] = stored_query(known, StoredQuery.FIND_DOCUMENTS, find_documents(PATIENT)).body.findall(
        ".//rim:ExtrinsicObject", NS
    )
    replacement = SubmissionBuilder(PATIENT).document("New")
    replacement.relate(AssociationType.RPLC, "New", orig_entry.get("id"))
    assert register(known, replacement).status == SUCCESS

    deprecated = stored_query(known, StoredQuery.FIND_DOCUMENTS, find_documents(PATIENT, DEPRECATED))
    assert [e.get("id") for e in deprecated.body.findall(".//rim:ExtrinsicObject", NS)] == [
        orig_entry.get("id")
    ]
    assert deprecated.body.find(".//rim:ExtrinsicObject", NS).get("status") == DEPRECATED


def _refused(server: Server, submission: SubmissionBuilder, code: str) -> etree._Element:
    before = counts(server)
    result = register(server, submission)
    assert result.status == FAILURE
    assert code in result.error_codes, result.error_codes
    assert counts(server) == before, "a refused submission left something behind"
    error = next(e for e in result.errors if e.get("errorCode") == code)
    assert error.get("codeContext"), "codeContext must name the object and attribute"
    assert not (error.text or "").strip(), "RegistryError bodies stay empty (TF-3 4.2.4)"
    return error


def test_unknown_patient_is_refused(known: Server) -> None:
    stranger = "NOBODY^^^&1.3.6.1.4.1.21367.13.20.1000&ISO"
    error = _refused(known, one_document(stranger), "XDSUnknownPatientId")
    assert "NOBODY" in error.get("codeContext")


def test_patient_mismatch_between_submission_set_and_document(known: Server) -> None:
    _refused(
        known,
        SubmissionBuilder(PATIENT).document("Doc1", patient_id=OTHER_PATIENT),
        "XDSPatientIdDoesNotMatch",
    )


def test_submission_set_unique_id_reused(known: Server) -> None:
    first = one_document(PATIENT)
    register(known, first)
    again = SubmissionBuilder(PATIENT, unique_id=first.ss_unique_id).document("Doc9")
    _refused(known, again, "XDSDuplicateUniqueIdInRegistry")


@pytest.mark.parametrize(
    ("slot", "value", "code"),
    [("hash", "0" * 40, "XDSNonIdenticalHash"), ("size", "999999", "XDSNonIdenticalSize")],
)
def test_document_unique_id_reused_with_other_content(
    known: Server, slot: str, value: str, code: str
) -> None:
    first = one_document(PATIENT)
    register(known, first)
    again = one_document(PATIENT, unique_id=first.unique_ids["Document01"], slots={slot: [value]})
    _refused(known, again, code)


def test_duplicate_unique_id_inside_one_message(known: Server) -> None:
    uid = new_oid()
    submission = SubmissionBuilder(PATIENT).document("Doc1", unique_id=uid).document("Doc2", unique_id=uid)
    _refused(known, submission, "XDSRegistryDuplicateUniqueIdInMessage")


def test_reference_to_nothing_is_unresolved(known: Server) -> None:
    submission = one_document(PATIENT)
    submission.relate(AssociationType.APND, "Document01", f"urn:uuid:{uuid.uuid4()}")
    _refused(known, submission, "UnresolvedReferenceException")


def test_replacing_a_deprecated_document_is_refused(known: Server) -> None:
    register(known, one_document(PATIENT, "Orig"))
    [orig] = stored_query(known, StoredQuery.FIND_DOCUMENTS, find_documents(PATIENT)).body.findall(
        ".//rim:ExtrinsicObject", NS
    )
    first = SubmissionBuilder(PATIENT).document("New1")
    first.relate(AssociationType.RPLC, "New1", orig.get("id"))
    register(known, first)
    second = SubmissionBuilder(PATIENT).document("New2")
    second.relate(AssociationType.RPLC, "New2", orig.get("id"))
    _refused(known, second, "XDSRegistryDeprecatedDocumentError")


@pytest.mark.parametrize(
    "broken",
    [
        {"slots": {"creationTime": None}},
        {"codes": {"classCode": None}},
        {"object_type": "urn:uuid:34268e47-fdf5-41a6-ba33-82133c465248"},  # On-Demand is ITI-61
    ],
    ids=["no-creationTime", "no-classCode", "on-demand"],
)
def test_metadata_errors(known: Server, broken: dict) -> None:
    _refused(known, one_document(PATIENT, **broken), "XDSRegistryMetadataError")


@pytest.mark.parametrize(
    ("query", "params", "code"),
    [
        (
            StoredQuery.FIND_DOCUMENTS,
            {"$XDSDocumentEntryStatus": f"('{APPROVED}')"},
            "XDSStoredQueryMissingParam",
        ),
        (
            StoredQuery.GET_DOCUMENTS,
            {
                "$XDSDocumentEntryEntryUUID": f"('urn:uuid:{uuid.uuid4()}')",
                "$XDSDocumentEntryUniqueId": "('1.2.3')",
            },
            "XDSStoredQueryParamNumber",
        ),
        ("urn:uuid:00000000-0000-0000-0000-000000000000", {}, "XDSUnknownStoredQuery"),
    ],
    ids=["missing-param", "param-number", "unknown-query"],
)
def test_stored_query_errors(known: Server, query: str, params: dict[str, str], code: str) -> None:
    result = stored_query(known, query, params)  # type: ignore[arg-type]
    assert result.status == FAILURE
    assert result.error_codes == [code]
    assert not result.body.findall(".//rim:RegistryObjectList/*", NS)


def test_result_not_single_patient(known: Server) -> None:
    a, b = one_document(PATIENT), one_document(OTHER_PATIENT)
    register(known, a)
    register(known, b)
    uids = f"('{a.unique_ids['Document01']}','{b.unique_ids['Document01']}')"
    leaf = stored_query(known, StoredQuery.GET_DOCUMENTS, {"$XDSDocumentEntryUniqueId": uids})
    assert leaf.error_codes == ["XDSResultNotSinglePatient"]
    assert not leaf.body.findall(".//rim:ExtrinsicObject", NS)
    refs = stored_query(known, StoredQuery.GET_DOCUMENTS, {"$XDSDocumentEntryUniqueId": uids}, "ObjectRef")
    assert refs.status == SUCCESS and len(refs.body.findall(".//rim:ObjectRef", NS)) == 2


def test_too_many_results_above_the_configured_cap(start_server: ServerFactory) -> None:
    with start_server(XDS_REGISTRY_MAX_LEAFCLASS_RESULTS="2") as server:
        add_patient(server.engine, PATIENT)
        register(server, SubmissionBuilder(PATIENT).document("D1").document("D2").document("D3"))
        result = stored_query(server, StoredQuery.FIND_DOCUMENTS, find_documents(PATIENT))
        assert result.status == FAILURE
        assert result.error_codes == ["XDSTooManyResults"]
        refs = stored_query(server, StoredQuery.FIND_DOCUMENTS, find_documents(PATIENT), "ObjectRef")
        assert len(refs.body.findall(".//rim:ObjectRef", NS)) == 3


def test_unexpected_failure_is_xds_registry_error_with_logged_correlation_id(
    known: Server, caplog: pytest.LogCaptureFixture
) -> None:
    with known.engine.begin() as conn:  # a broken database, not a client mistake
        conn.execute(text("DROP TABLE document_author"))
    result = register(known, one_document(PATIENT))
    assert result.status == FAILURE
    assert result.error_codes == ["XDSRegistryError"]
    context = result.errors[0].get("codeContext")
    correlation_id = context.rsplit(" ", 1)[1]
    assert "Traceback" not in context and "sqlalchemy" not in context.lower()
    assert any(correlation_id in r.getMessage() and r.exc_info for r in caplog.records)


def test_wrong_body_for_the_action_is_a_sender_fault(known: Server) -> None:
    result = call(known.client, known.registry, Action.REGISTER, query_body(StoredQuery.FIND_DOCUMENTS, {}))
    assert result.http_status == 400
    assert result.envelope.find(".//s:Fault/s:Code/s:Value", NS).text.endswith(":Sender")


def test_wsdl_and_health(known: Server) -> None:
    wsdl = known.client.get(f"{known.registry}?wsdl")
    assert wsdl.status_code == 200
    root = etree.fromstring(wsdl.content)
    address = root.find(".//{http://schemas.xmlsoap.org/wsdl/soap12/}address").get("location")
    assert address.endswith("/registry")
    actions = {el.get("{http://www.w3.org/2006/05/addressing/wsdl}Action") for el in root.iter()}
    assert {Action.REGISTER, Action.STORED_QUERY} <= actions
    health = known.client.get(f"{known.base}/health").json()
    assert health["status"] == "ok" and health["database"] in {"sqlite", "postgresql"}
