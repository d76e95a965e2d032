"""The Get* stored queries on both backends (TF-2 3.18.4.1.2.3.7.5-.12; NIST 11901-11907; checklist 3.3).

Data in the shape of NIST 12346: a lone document, a document in a folder, two documents in a folder
(one of them restricted and differently formatted), and a document of another patient.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from builders import OTHER_PATIENT, SubmissionBuilder
from query_support import ask, codes, error_code, ids, load, quoted, slot, tags, uuid_of
from schemas import assert_valid
from sqlalchemy import Engine, select

from registry.queries import params as qp
from registry.stored_query import render_query_result
from registry.tables import association
from xds.ebxml.vocabulary import StoredQuery
from xds.errors import ErrorCode

CONF = "2.16.840.1.113883.5.25"


@dataclass
class Registry:
    engine: Engine
    ids: dict[str, str]  # symbolic id -> entryUUID
    unique_ids: dict[str, str]  # symbolic id -> uniqueId

    def link(self, source: str, target: str) -> str:
        """The id of the association from `source` to `target` (symbolic ids or UUIDs)."""
        a = association.c
        where = (a.source == self.ids.get(source, source), a.target == self.ids.get(target, target))
        with self.engine.connect() as conn:
            return conn.execute(select(a.id).where(*where)).scalar_one()


@pytest.fixture
def reg(engine: Engine) -> Registry:
    alone = SubmissionBuilder(ss_id="SS1").document("D1")
    in_folder = SubmissionBuilder(ss_id="SS2").document("D2").folder("F1")
    in_folder.add_to_folder("F1", "D2")
    two = SubmissionBuilder(ss_id="SS3").folder("F2")
    two.document("D3", codes={"formatCode": ("F-X", "1.2", "x"), "confidentialityCode": [("R", CONF, "r")]})
    two.document("D4")
    two.add_to_folder("F2", "D3")
    two.add_to_folder("F2", "D4")
    other = SubmissionBuilder(OTHER_PATIENT, ss_id="SSX").document("DX")
    submissions = (alone, in_folder, two, other)
    load(engine, *submissions)
    registry = Registry(engine, {}, {})
    for sub in submissions:
        for symbolic, unique_id in sub.unique_ids.items():
            registry.ids[symbolic] = uuid_of(engine, sub, symbolic)
            registry.unique_ids[symbolic] = unique_id
    return registry


def by_uuid(reg: Registry, *symbolic: str) -> str:
    return slot(*(reg.ids[s] for s in symbolic))


def by_unique_id(reg: Registry, *symbolic: str) -> str:
    return slot(*(reg.unique_ids[s] for s in symbolic))


def answer(reg: Registry, query: StoredQuery, return_type: str = "LeafClass", **parameters: str) -> list[str]:
    return ids(ask(reg.engine, query, {f"${k}": v for k, v in parameters.items()}, return_type=return_type))


def test_get_documents(reg: Registry) -> None:
    q = StoredQuery.GET_DOCUMENTS
    d1, d2 = reg.ids["D1"], reg.ids["D2"]
    assert answer(reg, q, XDSDocumentEntryEntryUUID=by_uuid(reg, "D1")) == [d1]
    assert answer(reg, q, XDSDocumentEntryUniqueId=by_unique_id(reg, "D2", "D1")) == [d1, d2]
    assert answer(reg, q, XDSDocumentEntryUniqueId=by_unique_id(reg, "F1")) == []  # a Folder is no document
    # NIST 11901 homeCommunityId: accepted, changes nothing
    assert answer(
        reg, q, XDSDocumentEntryEntryUUID=by_uuid(reg, "D1"), homeCommunityId=quoted("urn:oid:1.2")
    ) == [d1]


@pytest.mark.parametrize(
    ("query", "parameter", "objects"),
    [
        (StoredQuery.GET_DOCUMENTS, "XDSDocumentEntryEntryUUID", 2),
        (StoredQuery.GET_DOCUMENTS_AND_ASSOCIATIONS, "XDSDocumentEntryEntryUUID", 4),
        (StoredQuery.GET_SUBMISSION_SETS, "uuid", 4),
    ],
)
def test_leafclass_result_of_several_patients_is_refused(
    reg: Registry, query: StoredQuery, parameter: str, objects: int
) -> None:
    parameters = {f"${parameter}": by_uuid(reg, "D1", "DX")}
    leaf = ask(reg.engine, query, parameters, return_type="LeafClass")
    assert error_code(leaf) is ErrorCode.RESULT_NOT_SINGLE_PATIENT
    assert_valid(render_query_result(leaf), "query")
    # ObjectRef is not restricted (NIST 12368)
    assert len(ids(ask(reg.engine, query, parameters, return_type="ObjectRef"))) == objects
    # One patient is fine
    assert ids(ask(reg.engine, query, {f"${parameter}": by_uuid(reg, "D1")}, return_type="LeafClass"))


def test_get_folders_and_folders_for_document(reg: Registry) -> None:
    f1, f2 = reg.ids["F1"], reg.ids["F2"]
    assert answer(reg, StoredQuery.GET_FOLDERS, XDSFolderEntryUUID=by_uuid(reg, "F2", "F1")) == [f1, f2]
    assert answer(reg, StoredQuery.GET_FOLDERS, XDSFolderUniqueId=by_unique_id(reg, "F2")) == [f2]
    for_document = StoredQuery.GET_FOLDERS_FOR_DOCUMENT
    assert answer(reg, for_document, XDSDocumentEntryEntryUUID=quoted(reg.ids["D3"])) == [f2]
    assert answer(reg, for_document, XDSDocumentEntryUniqueId=quoted(reg.unique_ids["D2"])) == [f1]
    assert answer(reg, for_document, XDSDocumentEntryEntryUUID=quoted(reg.ids["D1"])) == []


def test_get_associations(reg: Registry) -> None:
    q = StoredQuery.GET_ASSOCIATIONS
    # NIST 11903: associations at either end of the object
    assert answer(reg, q, uuid=by_uuid(reg, "D1")) == [reg.link("SS1", "D1")]
    assert answer(reg, q, uuid=by_uuid(reg, "D2")) == [reg.link("SS2", "D2"), reg.link("F1", "D2")]
    folder_member = reg.link("F1", "D2")
    from_ss = [reg.link("SS2", "D2"), reg.link("SS2", "F1"), reg.link("SS2", folder_member)]
    assert sorted(answer(reg, q, uuid=by_uuid(reg, "SS2"))) == sorted(from_ss)
    assert len(answer(reg, q, uuid=by_uuid(reg, "D1", "D2"))) == 3


def test_get_documents_and_associations(reg: Registry) -> None:
    q = StoredQuery.GET_DOCUMENTS_AND_ASSOCIATIONS
    d1, d2 = reg.ids["D1"], reg.ids["D2"]
    # NIST 11904 uniqueid: the lone document and its one association
    assert answer(reg, q, XDSDocumentEntryUniqueId=by_unique_id(reg, "D1")) == [d1, reg.link("SS1", "D1")]
    # NIST 11904 uuids: two documents, three associations (two SS HasMembers, one Folder HasMember)
    result = answer(reg, q, XDSDocumentEntryEntryUUID=by_uuid(reg, "D1", "D2"))
    assert result[:2] == [d1, d2]
    assert sorted(result[2:]) == sorted([reg.link("SS1", "D1"), reg.link("SS2", "D2"), reg.link("F1", "D2")])


def test_get_submission_sets(reg: Registry) -> None:
    q = StoredQuery.GET_SUBMISSION_SETS
    assert answer(reg, q, uuid=by_uuid(reg, "D1", "D2")) == [
        reg.ids["SS1"],
        reg.ids["SS2"],
        reg.link("SS1", "D1"),
        reg.link("SS2", "D2"),
    ]
    assert answer(reg, q, uuid=by_uuid(reg, "F1")) == [reg.ids["SS2"], reg.link("SS2", "F1")]
    assert answer(reg, q, uuid=quoted("urn:uuid:00000000-0000-4000-8000-000000000000")) == []


def test_get_submission_set_and_contents(reg: Registry) -> None:
    q = StoredQuery.GET_SUBMISSION_SET_AND_CONTENTS
    # NIST 11906 uniqueid: SubmissionSet, DocumentEntry, one association
    assert answer(reg, q, XDSSubmissionSetUniqueId=quoted(reg.unique_ids["SS1"])) == [
        reg.ids["SS1"],
        reg.ids["D1"],
        reg.link("SS1", "D1"),
    ]
    # NIST 11906 objectrefs: three ObjectRefs
    assert len(answer(reg, q, "ObjectRef", XDSSubmissionSetEntryUUID=quoted(reg.ids["SS1"]))) == 3
    fd3, fd4 = reg.link("F2", "D3"), reg.link("F2", "D4")
    everything = [
        reg.link("SS3", "F2"),
        reg.link("SS3", "D3"),
        reg.link("SS3", "D4"),
        fd3,
        reg.link("SS3", fd3),
        fd4,
        reg.link("SS3", fd4),
    ]
    result = ask(reg.engine, q, {qp.SS_ENTRY_UUID: quoted(reg.ids["SS3"])}, return_type="LeafClass")
    assert ids(result)[:4] == [reg.ids["SS3"], reg.ids["D3"], reg.ids["D4"], reg.ids["F2"]]
    assert sorted(ids(result)[4:]) == sorted(everything)
    assert tags(result)[:4] == ["RegistryPackage", "ExtrinsicObject", "ExtrinsicObject", "RegistryPackage"]
    assert_valid(render_query_result(result), "query")
    # Filtering out D3 takes every association that ends at it (checklist 3.3: both ends in the result).
    without_d3 = answer(
        reg,
        q,
        XDSSubmissionSetEntryUUID=quoted(reg.ids["SS3"]),
        XDSDocumentEntryFormatCode=codes(
            ("urn:ihe:iti:xds:2017:mimeTypeSufficient", "1.3.6.1.4.1.19376.1.2.3")
        ),
    )
    assert without_d3[:3] == [reg.ids["SS3"], reg.ids["D4"], reg.ids["F2"]]
    assert sorted(without_d3[3:]) == sorted(
        [reg.link("SS3", "F2"), reg.link("SS3", "D4"), fd4, reg.link("SS3", fd4)]
    )
    only_d3 = answer(
        reg,
        q,
        XDSSubmissionSetEntryUUID=quoted(reg.ids["SS3"]),
        XDSDocumentEntryConfidentialityCode=codes(("R", CONF)),
    )
    assert only_d3[:3] == [reg.ids["SS3"], reg.ids["D3"], reg.ids["F2"]]
    assert sorted(only_d3[3:]) == sorted(
        [reg.link("SS3", "F2"), reg.link("SS3", "D3"), fd3, reg.link("SS3", fd3)]
    )


def test_get_folder_and_contents(reg: Registry) -> None:
    q = StoredQuery.GET_FOLDER_AND_CONTENTS
    f2, d3, d4 = reg.ids["F2"], reg.ids["D3"], reg.ids["D4"]
    fd3, fd4 = reg.link("F2", "D3"), reg.link("F2", "D4")
    assert answer(reg, q, XDSFolderEntryUUID=quoted(f2)) == [f2, d3, d4, fd3, fd4]
    assert answer(reg, q, XDSFolderUniqueId=quoted(reg.unique_ids["F1"])) == [
        reg.ids["F1"],
        reg.ids["D2"],
        reg.link("F1", "D2"),
    ]
    # NIST 11907 conf_code / both_conf_code
    assert answer(
        reg, q, XDSFolderEntryUUID=quoted(f2), XDSDocumentEntryConfidentialityCode=codes(("R", CONF))
    ) == [
        f2,
        d3,
        fd3,
    ]
    both = codes(("R", CONF), ("N", CONF))
    assert answer(reg, q, XDSFolderEntryUUID=quoted(f2), XDSDocumentEntryConfidentialityCode=both) == [
        f2,
        d3,
        d4,
        fd3,
        fd4,
    ]
    assert answer(
        reg, q, XDSFolderEntryUUID=quoted(f2), XDSDocumentEntryFormatCode=codes(("F-X", "1.2"))
    ) == [
        f2,
        d3,
        fd3,
    ]
