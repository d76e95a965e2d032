"""The repository's SOAP face: ITI-41 and ITI-43 on the platform's SoapEndpoint, MTOM both ways.

Transport problems (broken MIME, a cid: pointing nowhere, a document over the size limit) are SOAP
faults; everything XDS-level is an rs:RegistryResponse with the precise code (checklist 4.1). An
unexpected error becomes XDSRepositoryError carrying a correlation id that is also in the log.

Uploads are spooled by the transport into the blob store's staging directory, so storing an MTOM part
is a rename, and the platform deletes whatever the handler did not take when it returns.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from repository.blobstore import BlobStore
from repository.messages import (
    PROVIDE_AND_REGISTER,
    expect,
    parse_retrieve_request,
    provided_documents,
    render_retrieve_response,
)
from repository.provide import Upload, provide_and_register
from repository.recovery import SweepReport, sweep
from repository.retrieve import retrieve_documents
from repository.settings import RepositorySettings
from xds.ebxml.render import render_registry_response
from xds.ebxml.vocabulary import Action, ResponseStatus
from xds.errors import ErrorCode, RegistryError, XdsError, internal_error
from xds.ports import RegistryPort
from xds.soap.endpoint import Operation, SoapEndpoint, SoapReply, SoapRequest
from xds.soap.faults import SoapFault
from xds.xmlsafe import XmlLimits

log = logging.getLogger("xds.repository")


def _internal_error(request: SoapRequest, what: str) -> RegistryError:
    return internal_error(ErrorCode.REPOSITORY_ERROR, what, request.correlation_id, log)


@dataclass(slots=True)
class RepositoryService:
    engine: Engine
    store: BlobStore
    registry: RegistryPort
    settings: RepositorySettings

    def provide_and_register_document_set(self, request: SoapRequest) -> SoapReply:
        """ITI-41 (TF-2 3.41): Success with the registry's warnings, or Failure; never PartialSuccess."""
        body = request.envelope.body
        expect(body, PROVIDE_AND_REGISTER)
        uploads = [
            Upload(el.get("id", ""), request.attachments.get(el) or request.binary(el))
            for el in provided_documents(body)
        ]
        try:
            errors = provide_and_register(
                body,
                uploads,
                engine=self.engine,
                store=self.store,
                registry=self.registry,
                settings=self.settings,
            )
            status = ResponseStatus.SUCCESS
        except XdsError as exc:
            errors, status = exc.errors, ResponseStatus.FAILURE
        except SoapFault:
            raise
        except Exception:
            errors = [_internal_error(request, "ITI-41 Provide and Register")]
            status = ResponseStatus.FAILURE
        return SoapReply(render_registry_response(status, errors))

    def retrieve_document_set(self, request: SoapRequest) -> SoapReply:
        """ITI-43 (TF-2 3.43): the documents as MTOM parts streamed from the blob store."""
        requests = parse_retrieve_request(request.envelope.body)
        result = retrieve_documents(
            requests,
            engine=self.engine,
            store=self.store,
            repository_unique_id=self.settings.repository_unique_id,
        )
        body = render_retrieve_response(result.status, result.errors, result.documents)
        return SoapReply(body, result.attachments)

    def sweep(self, *, min_age: float = 0.0) -> SweepReport:
        """Repair what a crash left between blob store and registry; call once before serving."""
        return sweep(self.engine, self.store, self.registry, min_age=min_age)

    def endpoint(self, *, location: str, limits: XmlLimits | None = None) -> SoapEndpoint:
        """The ASGI app to mount at `/repository`; `?wsdl` answers with the WSDL pointing at `location`."""
        # Next to this module rather than importlib.resources: a test tree named `repository/` on
        # sys.path would otherwise shadow the package as a namespace.
        wsdl = Path(__file__).with_name("repository.wsdl").read_text(encoding="utf-8")
        spool = self.store.spool_dir
        return SoapEndpoint(
            {
                Action.PROVIDE_AND_REGISTER: Operation(
                    self.provide_and_register_document_set,
                    Action.PROVIDE_AND_REGISTER_RESPONSE,
                    mtom_response=True,
                ),
                Action.RETRIEVE: Operation(
                    self.retrieve_document_set, Action.RETRIEVE_RESPONSE, mtom_response=True
                ),
            },
            wsdl=wsdl.replace("{{location}}", location).encode(),
            limits=limits,
            max_body_bytes=self.settings.max_request_bytes,
            spool_threshold=self.settings.spool_threshold,
            tmp_dir=str(spool) if spool is not None else None,
        )
