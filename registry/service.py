"""The registry's SOAP face: ITI-42 and ITI-18 operations on the platform's SoapEndpoint.

Transport problems are SOAP faults (raised by the platform); everything XDS-level is a RegistryResponse
or AdhocQueryResponse with the precise error code (checklist 4.1). An unexpected error becomes
XDSRegistryError carrying a correlation id that is also in the log, never a stack trace.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from registry.register import register
from registry.settings import RegistrySettings
from registry.stored_query import QueryResult, render_query_result, run_stored_query
from xds.ebxml.namespaces import LCM, QUERY, q
from xds.ebxml.parse_query import parse_adhoc_query_request
from xds.ebxml.parse_submit import parse_submit_objects_request
from xds.ebxml.render import render_registry_response
from xds.ebxml.vocabulary import Action, ResponseStatus
from xds.errors import ErrorCode, RegistryError, XdsError, internal_error
from xds.ports import PatientIdentityPort
from xds.soap.endpoint import Operation, SoapEndpoint, SoapReply, SoapRequest
from xds.soap.faults import SoapFault
from xds.xmlsafe import XmlLimits

log = logging.getLogger("xds.registry")

SUBMIT_OBJECTS_REQUEST = q(LCM, "SubmitObjectsRequest")
ADHOC_QUERY_REQUEST = q(QUERY, "AdhocQueryRequest")


def _expect_body(request: SoapRequest, tag: str) -> None:
    body = request.envelope.body
    if body.tag != tag:
        raise SoapFault.sender(f"the SOAP Body must hold {tag}, not {body.tag}")


def _internal_error(request: SoapRequest, what: str) -> RegistryError:
    return internal_error(ErrorCode.REGISTRY_ERROR, what, request.correlation_id, log)


@dataclass(slots=True)
class RegistryService:
    engine: Engine
    patients: PatientIdentityPort
    settings: RegistrySettings

    def register_document_set(self, request: SoapRequest) -> SoapReply:
        """ITI-42 (TF-2 3.42): all or nothing; warnings only on Success, no PartialSuccess."""
        _expect_body(request, SUBMIT_OBJECTS_REQUEST)
        try:
            submission = parse_submit_objects_request(request.envelope.body)
            errors = register(self.engine, submission, patients=self.patients, settings=self.settings)
            status = ResponseStatus.SUCCESS
        except XdsError as exc:
            errors, status = exc.errors, ResponseStatus.FAILURE
        except Exception:
            errors, status = [_internal_error(request, "ITI-42 Register")], ResponseStatus.FAILURE
        return SoapReply(render_registry_response(status, errors))

    def stored_query(self, request: SoapRequest) -> SoapReply:
        """ITI-18 (TF-2 3.18)."""
        _expect_body(request, ADHOC_QUERY_REQUEST)
        try:
            query = parse_adhoc_query_request(request.envelope.body)
            result = run_stored_query(self.engine, query, self.settings, self.patients)
        except XdsError as exc:
            result = QueryResult(ResponseStatus.FAILURE, errors=exc.errors)
        except Exception:
            result = QueryResult(
                ResponseStatus.FAILURE, errors=[_internal_error(request, "ITI-18 Stored Query")]
            )
        return SoapReply(render_query_result(result))

    def endpoint(self, *, location: str, limits: XmlLimits | None = None) -> SoapEndpoint:
        wsdl = Path(__file__).with_name("registry.wsdl").read_text(encoding="utf-8")
        return SoapEndpoint(
            {
                Action.REGISTER: Operation(self.register_document_set, Action.REGISTER_RESPONSE),
                Action.STORED_QUERY: Operation(self.stored_query, Action.STORED_QUERY_RESPONSE),
            },
            wsdl=wsdl.replace("{{location}}", location).encode(),
            limits=limits,
        )
