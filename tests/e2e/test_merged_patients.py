"""After an ITI-8 merge, stored queries follow the surviving patient (TF-2 3.18.4.1.2.3.9.1; checklist 3.3).

The merge arrives as ADT^A40 over a real MLLP socket; the registry is asked over HTTP as a consumer would.
"""

from __future__ import annotations

from builders import one_document
from live_server import ServerFactory, free_port
from soap_client import NS, call
from test_feed_then_register import mllp_exchange
from test_registry_http import find_documents, query_body

from xds.ebxml import vocabulary as v
from xds.ebxml.vocabulary import Action, StoredQuery

OID = "1.2.250.1.999.2"
SURVIVOR, PRIOR = f"IPP-100^^^&{OID}&ISO", f"IPP-200^^^&{OID}&ISO"


def adt(event: str, pid3: str, mrg: str = "") -> str:
    lines = [
        f"MSH|^~\\&|EHR|HOSP|XDS_PIX_PDQ|XDS|20261128120000||ADT^{event}|MSG-{event}-{pid3[:7]}|P|2.3.1",
        f"EVN|{event}|20261128120000",
        f"PID|||{pid3}||DURAND^PAUL||19700202|M",
    ]
    lines += [f"MRG|{mrg}"] if mrg else ["PV1||O"]
    return "\r".join(lines)


def patient_ids(result) -> list[str]:  # type: ignore[no-untyped-def]
    return result.body.xpath(
        ".//rim:ExtrinsicObject/rim:ExternalIdentifier[@identificationScheme=$s]/@value",
        namespaces=NS,
        s=v.DE_PATIENT_ID,
    )


def source_patient_ids(result) -> list[str]:  # type: ignore[no-untyped-def]
    return result.body.xpath(
        ".//rim:Slot[@name='sourcePatientId']/rim:ValueList/rim:Value/text()", namespaces=NS
    )


def test_queries_follow_the_surviving_patient_after_a_merge(start_server: ServerFactory) -> None:
    mllp = free_port()
    with start_server(XDS_SERVER_MLLP_PORT=str(mllp)) as server:
        for pid in (SURVIVOR, PRIOR):
            assert "|AA|" in mllp_exchange(mllp, adt("A01", pid))
        survivor_doc = one_document(SURVIVOR, slots={"sourcePatientId": ["LOCAL-1^^^&1.2.3&ISO"]})
        prior_doc = one_document(PRIOR, slots={"sourcePatientId": ["LOCAL-2^^^&1.2.3&ISO"]})
        for submission in (survivor_doc, prior_doc):
            assert call(server.client, server.registry, Action.REGISTER, submission.xml()).status.endswith(
                ":Success"
            )

        assert "|AA|" in mllp_exchange(mllp, adt("A40", SURVIVOR, mrg=PRIOR))

        def ask(patient: str, query: StoredQuery = StoredQuery.FIND_DOCUMENTS, **params: str):  # type: ignore[no-untyped-def]
            body = query_body(query, params or find_documents(patient))
            result = call(server.client, server.registry, Action.STORED_QUERY, body)
            assert result.status.endswith(":Success"), result.error_codes
            return result

        merged_view = ask(SURVIVOR)
        assert patient_ids(merged_view) == [SURVIVOR, SURVIVOR]  # the prior's entry shown under the survivor
        assert sorted(source_patient_ids(merged_view)) == ["LOCAL-1^^^&1.2.3&ISO", "LOCAL-2^^^&1.2.3&ISO"]

        assert not ask(PRIOR).body.findall(".//rim:ExtrinsicObject", NS)  # the subsumed id finds nothing

        sets = ask(
            SURVIVOR,
            StoredQuery.FIND_SUBMISSION_SETS,
            **{
                "$XDSSubmissionSetPatientId": f"'{SURVIVOR}'",
                "$XDSSubmissionSetStatus": f"('{v.Status.APPROVED}')",
            },
        )
        ss_patients = sets.body.xpath(
            ".//rim:RegistryPackage/rim:ExternalIdentifier[@identificationScheme=$s]/@value",
            namespaces=NS,
            s=v.SS_PATIENT_ID,
        )
        assert ss_patients == [SURVIVOR, SURVIVOR]

        refused = call(server.client, server.registry, Action.REGISTER, one_document(PRIOR).xml())
        assert refused.error_codes == ["XDSUnknownPatientId"]  # a merged-away id takes no new documents
