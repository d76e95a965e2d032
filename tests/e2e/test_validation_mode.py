"""The server's validation mode: a vendor sends its messages and reads what is wrong in them."""

from __future__ import annotations

from builders import PATIENT, one_document
from live_server import ServerFactory
from soap_client import call

from pix_pdq.patients import add_patient
from xds.ebxml.vocabulary import Action


def test_received_messages_are_validated_and_reported(start_server: ServerFactory) -> None:
    with start_server(XDS_CONFORMANCE_RECORD="true") as server:
        add_patient(server.engine, PATIENT)
        good = call(server.client, server.registry, Action.REGISTER, one_document(PATIENT).xml())
        broken = one_document(PATIENT, codes={"classCode": None})
        refused = call(server.client, server.registry, Action.REGISTER, broken.xml())
        assert good.status.endswith(":Success")
        assert refused.error_codes == ["XDSRegistryMetadataError"]  # the answer itself is unchanged

        reports = server.client.get(f"{server.base}/conformance/reports").json()["reports"]
        by_ok = {r["ok"]: r for r in reports}
        assert len(reports) == 2 and set(by_ok) == {True, False}
        assert by_ok[False]["endpoint"] == "/registry"
        findings = by_ok[False]["findings"]
        assert any(f["code"] == "XDSRegistryMetadataError" and "classCode" in str(f) for f in findings)

        assert server.client.delete(f"{server.base}/conformance/reports").status_code == 204
        assert server.client.get(f"{server.base}/conformance/reports").json()["reports"] == []


def test_reports_are_not_served_when_the_mode_is_off(start_server: ServerFactory) -> None:
    with start_server() as server:
        assert server.client.get(f"{server.base}/conformance/reports").status_code == 404
