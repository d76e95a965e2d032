"""`RegistryPort` over the network: an ITI-42 (and, for the sweeper, ITI-18) SOAP 1.2 client on httpx.

Used when the Document Registry runs elsewhere (`repository.registry_url`). ITI-42 is Simple SOAP with
WS-Addressing (checklist 1.2; IHE-WSA101 mustUnderstand on Action, IHE-WSA102 ReplyTo). What comes back:
- a RegistryResponse: Success -> its warnings; Failure -> XdsError with every RegistryError, copied as
  sent, codes we do not know included (checklist 2.7: "copy all its errors and warnings", NIST 11986);
- no answer in time, a connection failure, an HTTP 5xx without SOAP, or an env:Receiver fault (the
  registry failed, a retry may work) -> XDSRegistryNotAvailable (TF-3 Table 4.2.4.1-2);
- an env:Sender fault or anything unreadable -> XDSRegistryError naming what happened.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import cast
from xml.sax.saxutils import escape

import httpx
from lxml import etree

from repository.settings import RepositorySettings
from xds.ebxml import vocabulary as v
from xds.ebxml.namespaces import QUERY, RIM, RS, SOAP12, WSA, q
from xds.errors import ErrorCode, RegistryError, XdsError
from xds.soap.faults import SoapFault
from xds.soap.mtom import MtomReader, is_multipart
from xds.xmlsafe import XmlInputError, XmlLimits, parse_xml, serialize

_ENVELOPE = q(SOAP12, "Envelope")
_BODY = q(SOAP12, "Body")
_FAULT = q(SOAP12, "Fault")
_REGISTRY_RESPONSE = q(RS, "RegistryResponse")
_REGISTRY_ERROR = q(RS, "RegistryError")
_EXTERNAL_IDENTIFIER = q(RIM, "ExternalIdentifier")
_ANONYMOUS = "http://www.w3.org/2005/08/addressing/anonymous"


def _copied_code(value: str) -> ErrorCode:
    try:
        return ErrorCode(value)
    except ValueError:
        # A code from a supplement or a newer TF: copied as sent, never replaced (checklist 2.7).
        return cast(ErrorCode, value)


def _registry_errors(el: etree._Element) -> list[RegistryError]:
    errors = []
    for e in el.iter(_REGISTRY_ERROR):
        try:
            severity = v.Severity(e.get("severity", v.Severity.ERROR))
        except ValueError:
            severity = v.Severity.ERROR
        errors.append(
            RegistryError(
                _copied_code(e.get("errorCode", ErrorCode.REGISTRY_ERROR)),
                e.get("codeContext", ""),
                e.get("location", ""),
                severity,
            )
        )
    return errors


def _unavailable(url: str, why: str) -> XdsError:
    return XdsError.of(ErrorCode.REGISTRY_NOT_AVAILABLE, f"the Document Registry at {url} {why}")


class SoapRegistryClient:
    """One pooled HTTP client per repository; thread-safe, as httpx.Client is."""

    def __init__(self, url: str, *, connect_timeout: float, timeout: float, limits: XmlLimits | None = None):
        self.url = url
        self.limits = limits or XmlLimits()
        self._http = httpx.Client(timeout=httpx.Timeout(timeout, connect=connect_timeout))

    @classmethod
    def from_settings(
        cls, settings: RepositorySettings, limits: XmlLimits | None = None
    ) -> SoapRegistryClient:
        if not settings.registry_url:
            raise ValueError("repository.registry_url is not set")
        return cls(
            settings.registry_url,
            connect_timeout=settings.registry_connect_timeout,
            timeout=settings.registry_timeout,
            limits=limits,
        )

    def close(self) -> None:
        self._http.close()

    def register(self, submit_objects_request: etree._Element) -> list[RegistryError]:
        """ITI-42 Register Document Set-b (TF-2 3.42.4.1.2)."""
        body = self._call(v.Action.REGISTER, serialize(submit_objects_request))
        if body.tag != _REGISTRY_RESPONSE:
            raise XdsError.of(ErrorCode.REGISTRY_ERROR, f"the registry answered ITI-42 with {body.tag}")
        errors = _registry_errors(body)
        if body.get("status") != v.ResponseStatus.SUCCESS:
            if not any(e.is_error for e in errors):
                errors.append(
                    RegistryError(ErrorCode.REGISTRY_ERROR, f"the registry answered {body.get('status')}")
                )
            raise XdsError(*errors)
        return errors

    def registered_documents(self, unique_ids: Collection[str]) -> set[str]:
        """ITI-18 GetDocuments by $XDSDocumentEntryUniqueId, LeafClass (TF-2 3.18.4.1.2.3.7.5)."""
        if not unique_ids:
            return set()
        values = ",".join("'" + uid.replace("'", "''") + "'" for uid in sorted(unique_ids))
        query = (
            f'<query:AdhocQueryRequest xmlns:query="{QUERY}" xmlns:rim="{RIM}">'
            '<query:ResponseOption returnComposedObjects="true" returnType="LeafClass"/>'
            f'<rim:AdhocQuery id="{v.StoredQuery.GET_DOCUMENTS}">'
            '<rim:Slot name="$XDSDocumentEntryUniqueId"><rim:ValueList>'
            f"<rim:Value>({escape(values)})</rim:Value>"
            "</rim:ValueList></rim:Slot></rim:AdhocQuery></query:AdhocQueryRequest>"
        ).encode()
        body = self._call(v.Action.STORED_QUERY, query)
        if body.get("status") == v.ResponseStatus.FAILURE:
            raise XdsError(*_registry_errors(body))
        return {
            ei.get("value", "")
            for ei in body.iter(_EXTERNAL_IDENTIFIER)
            if "".join(ei.get("identificationScheme", "").split()) == v.DE_UNIQUE_ID
        } & set(unique_ids)

    def _call(self, action: str, payload: bytes) -> etree._Element:
        envelope = b"".join(
            (
                f'<env:Envelope xmlns:env="{SOAP12}" xmlns:wsa="{WSA}"><env:Header>'
                f'<wsa:Action env:mustUnderstand="true">{action}</wsa:Action>'
                f"<wsa:MessageID>urn:uuid:{uuid.uuid4()}</wsa:MessageID>"
                f"<wsa:ReplyTo><wsa:Address>{_ANONYMOUS}</wsa:Address></wsa:ReplyTo>"
                f'<wsa:To env:mustUnderstand="true">{escape(self.url)}</wsa:To>'
                "</env:Header><env:Body>".encode(),
                payload,
                b"</env:Body></env:Envelope>",
            )
        )
        try:
            response = self._http.post(
                self.url,
                content=envelope,
                headers={"Content-Type": f'application/soap+xml; charset=UTF-8; action="{action}"'},
            )
        except httpx.TimeoutException:
            raise _unavailable(self.url, "did not answer in time") from None
        except httpx.HTTPError as exc:
            raise _unavailable(self.url, f"cannot be reached: {exc}") from None
        try:
            root = parse_xml(self._root_part(response), self.limits)
        except (XmlInputError, SoapFault):
            root = None
        body = root.find(_BODY) if root is not None and root.tag == _ENVELOPE else None
        payload_el = body[0] if body is not None and len(body) else None
        if payload_el is None:
            if response.status_code >= 500:
                raise _unavailable(self.url, f"answered HTTP {response.status_code}")
            raise XdsError.of(
                ErrorCode.REGISTRY_ERROR, f"the registry's answer (HTTP {response.status_code}) is not SOAP"
            )
        if payload_el.tag == _FAULT:
            code = payload_el.findtext(f"{q(SOAP12, 'Code')}/{q(SOAP12, 'Value')}") or ""
            text = payload_el.findtext(f"{q(SOAP12, 'Reason')}/{q(SOAP12, 'Text')}") or code
            if code.endswith("Receiver"):
                raise _unavailable(self.url, f"failed: {text}")
            raise XdsError.of(ErrorCode.REGISTRY_ERROR, f"the registry refused the message: {text}")
        return payload_el

    def _root_part(self, response: httpx.Response) -> bytes:
        ctype = response.headers.get("content-type", "")
        if not is_multipart(ctype):
            return response.content
        reader = MtomReader(ctype, max_root_bytes=self.limits.max_bytes)
        reader.feed(response.content)
        message = reader.finish()
        message.close()
        return message.root
