"""The HL7 v3 PIX Manager and PDQ Supplier as SOAP 1.2 endpoints on the platform (xds.soap.endpoint).

Two endpoints, as the IHE WSDLs split them (PIXManager.wsdl, PDQSupplier.wsdl): mount `pix_endpoint` at
`/pix` for ITI-44 and ITI-45, `pdq_endpoint` at `/pdq` for ITI-47. Each operation is keyed by its request
wsa:Action (`urn:hl7-org:v3:<interaction>`, TF-2 3.44.5, 3.45.5, 3.47.5) and answers with the action the WSDL
names. The Body must be the interaction the action names: anything else is not that transaction at all and
gets an env:Sender fault; every refusal inside a message is an HL7 acknowledgement naming the element.
The endpoint runs each handler in a worker thread, so the store is called synchronously here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from html import escape
from importlib.resources import files

from lxml import etree
from sqlalchemy import Engine

from pix_pdq.settings import PatientIdentitySettings
from pix_pdq.v3.ack import ACK_INTERACTION
from pix_pdq.v3.codec import tag
from pix_pdq.v3.feed import ADD, MERGE, REVISE, handle_feed
from pix_pdq.v3.pdq_query import ANSWER as PDQ_ANSWER
from pix_pdq.v3.pdq_query import CONTINUATION, handle_cancel, handle_continuation, handle_pdq_query
from pix_pdq.v3.pdq_query import QUERY as PDQ_QUERY
from pix_pdq.v3.pix_query import ANSWER as PIX_ANSWER
from pix_pdq.v3.pix_query import QUERY as PIX_QUERY
from pix_pdq.v3.pix_query import handle_pix_query
from xds.soap.endpoint import Operation, SoapEndpoint, SoapReply, SoapRequest
from xds.soap.faults import SoapFault
from xds.xmlsafe import XmlLimits

ACTION_PREFIX = "urn:hl7-org:v3:"
CONTINUE_ACTION = f"{ACTION_PREFIX}{CONTINUATION}_Continue"
CANCEL_ACTION = f"{ACTION_PREFIX}{CONTINUATION}_Cancel"

Answer = Callable[[etree._Element], etree._Element]


def action(interaction: str) -> str:
    return ACTION_PREFIX + interaction


def _wsdl(name: str, location: str) -> bytes:
    text = files("pix_pdq.v3").joinpath(name).read_text(encoding="utf-8")
    return text.replace("{{location}}", escape(location)).encode()


class PatientIdentityV3Service:
    """ITI-44/45 (PIX Manager) and ITI-47 (PDQ Supplier) on one identity store and one settings value."""

    def __init__(self, engine: Engine, settings: PatientIdentitySettings | None = None) -> None:
        self.engine = engine
        self.settings = settings or PatientIdentitySettings()

    def _operation(self, interaction: str, answer: Answer, response_interaction: str) -> Operation:
        expected = tag(interaction)

        def handler(request: SoapRequest) -> SoapReply:
            body = request.envelope.body
            if body.tag != expected:
                raise SoapFault.sender(
                    f"env:Body holds {body.tag}; the action {request.envelope.addressing.action} "
                    f"carries {expected}"
                )
            return SoapReply(answer(body))

        return Operation(handler, action(response_interaction))

    def pix_endpoint(self, location: str, *, limits: XmlLimits | None = None) -> SoapEndpoint:
        """ITI-44 add (PRPA_IN201301UV02), revise (201302), merge (201304) -> MCCI_IN000002UV01, and ITI-45
        PRPA_IN201309UV02 -> PRPA_IN201310UV02; `location` is the URL the WSDL (GET ?wsdl) advertises."""
        engine, settings = self.engine, self.settings
        operations = {
            action(interaction): self._operation(
                interaction, partial(handle_feed, engine, settings, interaction=interaction), ACK_INTERACTION
            )
            for interaction in (ADD, REVISE, MERGE)
        }
        operations[action(PIX_QUERY)] = self._operation(
            PIX_QUERY, partial(handle_pix_query, engine, settings), PIX_ANSWER
        )
        return SoapEndpoint(operations, wsdl=_wsdl("pix.wsdl", location), limits=limits)

    def pdq_endpoint(self, location: str, *, limits: XmlLimits | None = None) -> SoapEndpoint:
        """ITI-47 PRPA_IN201305UV02 -> PRPA_IN201306UV02, its continuation (QUQI_IN000003UV01_Continue ->
        PRPA_IN201306UV02) and cancel (QUQI_IN000003UV01_Cancel -> MCCI_IN000002UV01)."""
        engine, settings = self.engine, self.settings
        operations = {
            action(PDQ_QUERY): self._operation(
                PDQ_QUERY, partial(handle_pdq_query, engine, settings), PDQ_ANSWER
            ),
            CONTINUE_ACTION: self._operation(
                CONTINUATION, partial(handle_continuation, engine, settings), PDQ_ANSWER
            ),
            CANCEL_ACTION: self._operation(
                CONTINUATION, partial(handle_cancel, engine, settings), ACK_INTERACTION
            ),
        }
        return SoapEndpoint(operations, wsdl=_wsdl("pdq.wsdl", location), limits=limits)
