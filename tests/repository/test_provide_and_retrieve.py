"""ITI-41 then ITI-43 end to end over HTTP, on SQLite and PostgreSQL, with the in-process registry.

Checklist 2.7 and 2.8; every response is checked against the official XDS.b schema after XOP resolution.
"""

from __future__ import annotations

import hashlib
import os

import httpx
from builders import PATIENT, REPOSITORY, SubmissionBuilder
from checks import counts, files_under, submission
from mtom_client import FAILURE, NS, PARTIAL, SUCCESS, Doc, RepositoryClient
from repository_app import Harness
from schemas import assert_valid
from soap_client import call

from xds.ebxml import vocabulary as v

CRLF_DOC = b"<ClinicalDocument>\r\n  <title>Note</title>\r\n</ClinicalDocument>\r\n"


def _slots(harness: Harness, unique_id: str) -> dict[str, list[str]]:
    """The registered DocumentEntry's slots, asked of the registry with ITI-18 GetDocuments."""
    query = (
        f'<query:AdhocQueryRequest xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0" '
        f'xmlns:rim="{NS["rim"]}"><query:ResponseOption returnComposedObjects="true" returnType="LeafClass"/>'
        f'<rim:AdhocQuery id="{v.StoredQuery.GET_DOCUMENTS}"><rim:Slot name="$XDSDocumentEntryUniqueId">'
        f"<rim:ValueList><rim:Value>('{unique_id}')</rim:Value></rim:ValueList></rim:Slot></rim:AdhocQuery>"
        "</query:AdhocQueryRequest>"
    ).encode()
    with httpx.Client() as http:
        result = call(http, harness.registry_url, v.Action.STORED_QUERY, query)
    eo = result.body.find(".//rim:ExtrinsicObject", NS)
    assert eo is not None, f"{unique_id} is not registered"
    return {
        s.get("name"): [x.text for x in s.iterfind(".//rim:Value", NS)] for s in eo.iterfind("rim:Slot", NS)
    }


def test_provide_one_document_then_retrieve_it(harness: Harness, client: RepositoryClient) -> None:
    xml, docs, uids = submission({"Doc1": CRLF_DOC}, mime_type="text/xml")
    reply = client.provide(xml, docs)
    assert reply.http_status == 200
    assert reply.status == SUCCESS, reply.error_codes
    assert reply.envelope.findtext("s:Header/wsa:Action", namespaces=NS) == (
        "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-bResponse"
    )
    assert_valid(reply.body, "rs")

    # The registry got repositoryUniqueId, hash and size from the repository (checklist 2.7).
    slots = _slots(harness, uids["Doc1"])
    assert slots["repositoryUniqueId"] == [REPOSITORY]
    assert slots["hash"] == [hashlib.sha1(CRLF_DOC).hexdigest()]
    assert slots["size"] == [str(len(CRLF_DOC))]

    got = client.retrieve([(REPOSITORY, uids["Doc1"])])
    assert got.status == SUCCESS
    assert_valid(got.resolved_body(), "xdsb")
    # Byte-identical, trailing CRLF included (the zeep strip bug, python-libraries.md section 2).
    assert got.documents() == {uids["Doc1"]: ("text/xml", CRLF_DOC)}
    assert got.body.find("xds:DocumentResponse/xds:HomeCommunityId", NS) is None


def test_several_documents_optimized_and_inline(harness: Harness, client: RepositoryClient) -> None:
    contents = {
        "A": os.urandom(300_000) + b"\r\n",
        "B": b"inline text\r\n",
        "C": b"",
        "D": os.urandom(2_000_000),
    }
    xml, docs, uids = submission(contents, inline=frozenset({"B"}))
    reply = client.provide(xml, docs)
    assert reply.status == SUCCESS, [e.attrib for e in reply.errors]
    assert counts(harness.engine)[:2] == (4, 4)

    got = client.retrieve([(REPOSITORY, uids[d]) for d in contents])
    assert got.status == SUCCESS
    assert {uid: data for uid, (_, data) in got.documents().items()} == {
        uids[d]: contents[d] for d in contents
    }
    assert_valid(got.resolved_body(), "xdsb")


def test_identical_content_is_stored_once(harness: Harness, client: RepositoryClient) -> None:
    data = b"same bytes\n"
    xml, docs, uids = submission({"A": data, "B": data})
    assert client.provide(xml, docs).status == SUCCESS
    assert counts(harness.engine) == (2, 2, 1)
    got = client.retrieve([(REPOSITORY, uid) for uid in uids.values()])
    assert [d for _, d in got.documents().values()] == [data, data]


def test_correct_hash_and_size_are_accepted_and_kept(harness: Harness, client: RepositoryClient) -> None:
    data = b"pre-computed metadata\n"
    sha1 = hashlib.sha1(data).hexdigest()
    xml, docs, uids = submission({"Doc1": data}, slots={"hash": [sha1.upper()], "size": [str(len(data))]})
    reply = client.provide(xml, docs)
    assert reply.status == SUCCESS  # NIST 11981
    assert _slots(harness, uids["Doc1"])["hash"] == [sha1.upper()]


def test_repository_unique_id_sent_is_replaced_by_ours(harness: Harness, client: RepositoryClient) -> None:
    xml, docs, uids = submission(
        {"Doc1": b"x"}, slots={"hash": None, "size": None, "repositoryUniqueId": ["9.9"]}
    )
    assert client.provide(xml, docs).status == SUCCESS
    assert _slots(harness, uids["Doc1"])["repositoryUniqueId"] == [REPOSITORY]


def test_mime_type_is_preserved(harness: Harness, client: RepositoryClient) -> None:
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\r\n" + os.urandom(1000) + b"\n%%EOF\r\n"
    xml, docs, uids = submission({"Doc1": pdf}, mime_type="application/pdf")
    assert client.provide(xml, docs).status == SUCCESS
    got = client.retrieve([(REPOSITORY, uids["Doc1"])])
    assert got.documents()[uids["Doc1"]] == ("application/pdf", pdf)  # NIST 12029, 12360
    assert list(got.part_types.values()) == ["application/pdf"]


# -- ITI-43 errors and status ------------------------------------------------------------------------------


def test_retrieve_statuses_and_errors(harness: Harness, client: RepositoryClient) -> None:
    xml, docs, uids = submission({"A": b"first", "B": b"second"})
    assert client.provide(xml, docs).status == SUCCESS

    partial = client.retrieve([(REPOSITORY, uids["A"]), (REPOSITORY, "1.2.3.404"), ("1.2.3.999", uids["B"])])
    assert partial.status == PARTIAL
    assert_valid(partial.resolved_body(), "xdsb")
    assert sorted((e.get("errorCode"), e.get("location")) for e in partial.errors) == [
        ("XDSDocumentUniqueIdError", "1.2.3.404"),
        ("XDSUnknownRepositoryId", uids["B"]),
    ]
    assert {e.get("severity") for e in partial.errors} == {v.Severity.ERROR}
    assert list(partial.documents()) == [uids["A"]]

    failure = client.retrieve([(REPOSITORY, "1.2.3.404")])
    assert failure.status == FAILURE
    assert failure.body.find("xds:DocumentResponse", NS) is None
    assert_valid(failure.resolved_body(), "xdsb")


def test_home_community_id_is_echoed_only_when_sent(harness: Harness, client: RepositoryClient) -> None:
    xml, docs, uids = submission({"A": b"a", "B": b"b"})
    assert client.provide(xml, docs).status == SUCCESS
    home = "urn:oid:1.2.3.4"
    got = client.retrieve([(REPOSITORY, uids["A"], home), (REPOSITORY, uids["B"])])
    responses = got.body.findall("xds:DocumentResponse", NS)
    assert [r.findtext("xds:HomeCommunityId", namespaces=NS) for r in responses] == [home, None]
    assert_valid(got.resolved_body(), "xdsb")


def test_retrieve_of_a_document_whose_blob_was_lost(harness: Harness, client: RepositoryClient) -> None:
    xml, docs, uids = submission({"A": b"will vanish", "B": b"stays"})
    assert client.provide(xml, docs).status == SUCCESS
    harness.store.path(hashlib.sha256(b"will vanish").hexdigest()).unlink()
    got = client.retrieve([(REPOSITORY, uids["A"]), (REPOSITORY, uids["B"])])
    assert got.status == PARTIAL
    assert [(e.get("errorCode"), e.get("location")) for e in got.errors] == [
        ("XDSRepositoryError", uids["A"])
    ]


# -- ITI-41 errors: precise code, nothing stored or registered ------------------------------------------


def _refused(harness: Harness, reply_codes: list[str], expected: list[str]) -> None:
    assert reply_codes == expected
    assert counts(harness.engine) == (0, 0, 0)
    assert files_under(harness.store.root) == []


def test_hash_mismatch(harness: Harness, client: RepositoryClient) -> None:
    xml, docs, _ = submission({"Doc1": b"abc"}, slots={"hash": ["0" * 40], "size": None})
    reply = client.provide(xml, docs)
    assert reply.status == FAILURE
    assert_valid(reply.body, "rs")
    _refused(harness, reply.error_codes, ["XDSRepositoryMetadataError"])  # NIST 12369 hash


def test_size_mismatch(harness: Harness, client: RepositoryClient) -> None:
    xml, docs, _ = submission({"Doc1": b"abc"}, slots={"hash": None, "size": ["4"]})
    _refused(harness, client.provide(xml, docs).error_codes, ["XDSRepositoryMetadataError"])  # NIST 12369


def test_missing_document_and_missing_metadata(harness: Harness, client: RepositoryClient) -> None:
    xml, docs, _ = submission({"Doc1": b"abc", "Doc2": b"def"})
    docs = [docs[0], Doc("Stray", b"no metadata")]  # Doc2 has no xds:Document, Stray no DocumentEntry
    reply = client.provide(xml, docs)
    assert reply.status == FAILURE
    assert sorted((e.get("errorCode"), e.get("location")) for e in reply.errors) == [
        ("XDSMissingDocument", "Doc2"),
        ("XDSMissingDocumentMetadata", "Stray"),
    ]
    _refused(harness, [], [])  # NIST 11983: nothing registered


def test_duplicate_unique_id_in_message(harness: Harness, client: RepositoryClient) -> None:
    sub = SubmissionBuilder(PATIENT)
    for doc_id in ("A", "B"):
        sub.document(doc_id, unique_id="1.2.3.77", slots={"hash": None, "size": None})
    reply = client.provide(sub.xml(), [Doc("A", b"a"), Doc("B", b"b")])
    _refused(harness, reply.error_codes, ["XDSRepositoryDuplicateUniqueIdInMessage"])
    assert reply.errors[0].get("location") == "1.2.3.77"


def test_unique_id_already_stored_with_other_content(harness: Harness, client: RepositoryClient) -> None:
    xml, docs, uids = submission({"Doc1": b"original"})
    assert client.provide(xml, docs).status == SUCCESS
    before = (counts(harness.engine), files_under(harness.store.root))

    for content, code in ((b"other!!!", "XDSNonIdenticalHash"), (b"longer content", "XDSNonIdenticalSize")):
        sub = SubmissionBuilder(PATIENT).document(
            "Doc1", unique_id=uids["Doc1"], slots={"hash": None, "size": None}
        )
        reply = client.provide(sub.xml(), [Doc("Doc1", content)])
        assert reply.error_codes == [code]
        assert reply.errors[0].get("location") == uids["Doc1"]
        assert (counts(harness.engine), files_under(harness.store.root)) == before
    got = client.retrieve([(REPOSITORY, uids["Doc1"])])
    assert got.documents()[uids["Doc1"]][1] == b"original"


def test_registry_errors_are_copied_and_the_blob_removed(harness: Harness, client: RepositoryClient) -> None:
    unknown = "NOBODY^^^&1.3.6.1.4.1.21367.13.20.1000&ISO"
    xml, docs, _ = submission({"Doc1": b"for nobody"}, patient=unknown)
    reply = client.provide(xml, docs)
    assert reply.status == FAILURE
    assert "XDSUnknownPatientId" in reply.error_codes  # the registry's code, as in NIST 11986
    assert_valid(reply.body, "rs")
    _refused(harness, [], [])
