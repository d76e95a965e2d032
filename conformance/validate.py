"""Validate a vendor's ITI-41/42/18/43 messages with the rules our own actors apply, offline.

A submission goes through the same codec and the same rule table as our registry (`parse_submit`,
`transform.to_submission`, `registry.validation.validate_submission`), a stored query through the same
parameter table (`registry.queries.params.extract_params`), a retrieve request through the repository's
reader; so a finding here is exactly what our server would answer. Responses are checked for what
TF-3 4.2.4 requires of a status and a RegistryErrorList. With `schemas`, the official XSDs are applied too.

Input: a SOAP envelope, a bare body element, or a captured MTOM package (its MIME parts are read).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from registry.codes import ValueSets
from registry.queries.params import extract_params
from registry.validation import validate_submission
from repository.messages import parse_retrieve_request
from xds.ebxml.namespaces import LCM, QUERY, RIM, RS, SOAP11, SOAP12, XDS, q
from xds.ebxml.parse_query import ADHOC_QUERY_REQUEST, parse_adhoc_query_request
from xds.ebxml.parse_submit import PROVIDE_AND_REGISTER, SUBMIT_OBJECTS_REQUEST, parse_submit_objects_request
from xds.ebxml.transform import to_submission
from xds.ebxml.vocabulary import ResponseStatus, Severity, StoredQuery
from xds.errors import ErrorCode, RegistryError, XdsError
from xds.soap.faults import SoapFault
from xds.soap.mtom import MtomReader, resolve_xop
from xds.xmlsafe import XmlInputError, XmlLimits, parse_xml

REGISTRY_RESPONSE = q(RS, "RegistryResponse")
ADHOC_QUERY_RESPONSE = q(QUERY, "AdhocQueryResponse")
RETRIEVE_REQUEST = q(XDS, "RetrieveDocumentSetRequest")
RETRIEVE_RESPONSE = q(XDS, "RetrieveDocumentSetResponse")
_LIMITS = XmlLimits(max_bytes=512 * 1024 * 1024)
# Schema file per message root namespace (checklist 6.4 layout: ebRS/*.xsd, IHE/XDS.b_DocumentRepository.xsd).
_SCHEMA_FILES = {LCM: "lcm.xsd", QUERY: "query.xsd", RS: "rs.xsd", XDS: "XDS.b_DocumentRepository.xsd"}
_XML_XSD = "http://www.w3.org/2001/xml.xsd"
SCHEMA = "schema"  # the "code" of an XSD finding: not an XDS error code, the official schema's verdict


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: the XDS error code (or `schema`/`SOAP`), the object it is on and what is wrong."""

    code: str
    location: str
    message: str
    severity: str = "error"

    def line(self, source: str) -> str:
        where = self.location or "-"
        return f"{source}: {self.severity} {self.code} [{where}] {self.message}"


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """Findings of one message; `kind` names the transaction message recognised."""

    kind: str
    findings: list[Finding]

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)


def _from_registry_error(err: RegistryError) -> Finding:
    severity = "warning" if err.severity is Severity.WARNING else "error"
    return Finding(str(err.code), err.location, err.context, severity)


def _unwrap(root: etree._Element) -> etree._Element:
    if etree.QName(root).localname == "Envelope" and etree.QName(root).namespace in (SOAP12, SOAP11):
        body = root.find(q(etree.QName(root).namespace, "Body"))
        if body is None or len(body) == 0:
            raise XmlInputError("the SOAP envelope has an empty Body")
        return body[0]
    return root


def read_message(data: bytes) -> etree._Element:
    """The message element of an envelope, a bare body or an MTOM capture (starting with its boundary)."""
    stripped = data.lstrip()
    if stripped.startswith(b"--"):
        boundary = stripped.split(b"\r\n", 1)[0].split(b"\n", 1)[0][2:].strip()
        reader = MtomReader(
            f'multipart/related; boundary="{boundary.decode("latin-1")}"', max_root_bytes=_LIMITS.max_bytes
        )
        reader.feed(stripped)
        message = reader.finish()
        try:
            root = parse_xml(message.root, _LIMITS)
            resolve_xop(root, message.parts)
        finally:
            message.close()
        return _unwrap(root)
    return _unwrap(parse_xml(data, _LIMITS))


def _submission(el: etree._Element, value_sets: ValueSets | None) -> list[Finding]:
    try:
        sub = to_submission(parse_submit_objects_request(el))
    except XdsError as exc:
        return [_from_registry_error(e) for e in exc.errors]
    findings = [_from_registry_error(e) for e in validate_submission(sub, value_sets)]
    if el.tag == PROVIDE_AND_REGISTER:
        findings += _document_pairing(el)
    return findings


def _document_pairing(el: etree._Element) -> Iterator[Finding]:
    """ITI-41: one xds:Document per DocumentEntry and back, by id (TF-2 3.41.4.1.3; checklist 2.7)."""
    documents = [d.get("id", "") for d in el.findall(q(XDS, "Document"))]
    entries = [eo.get("id", "") for eo in el.iter(q(RIM, "ExtrinsicObject"))]
    for doc_id in documents:
        if doc_id not in entries:
            yield Finding(
                ErrorCode.MISSING_DOCUMENT_METADATA, doc_id, f"xds:Document {doc_id} has no ExtrinsicObject"
            )
    for entry in entries:
        if entry not in documents:
            yield Finding(ErrorCode.MISSING_DOCUMENT, entry, f"DocumentEntry {entry} has no xds:Document")


def _stored_query(el: etree._Element) -> list[Finding]:
    try:
        request = parse_adhoc_query_request(el)
        try:
            query = StoredQuery(request.query_id)
        except ValueError:
            return [Finding(ErrorCode.UNKNOWN_STORED_QUERY, request.query_id, "unknown stored query id")]
        extract_params(query, request.parameters)
    except XdsError as exc:
        return [_from_registry_error(e) for e in exc.errors]
    return []


def _retrieve(el: etree._Element) -> list[Finding]:
    try:
        parse_retrieve_request(el)
    except SoapFault as exc:
        return [Finding("SOAP", "", f"Sender fault: {exc.reason}")]
    return []


def _response(el: etree._Element) -> list[Finding]:
    """Status URN known; Failure carries at least one error; codes and severities are TF-3 4.2.4 values."""
    registry_response = el if el.tag != RETRIEVE_RESPONSE else el.find(q(RS, "RegistryResponse"))
    if registry_response is None:
        return [
            Finding(ErrorCode.REPOSITORY_ERROR, "", "RetrieveDocumentSetResponse has no rs:RegistryResponse")
        ]
    findings: list[Finding] = []
    status = registry_response.get("status", "")
    if status not in set(ResponseStatus):
        findings.append(Finding(ErrorCode.REGISTRY_ERROR, "status", f"unknown response status {status!r}"))
    errors = list(el.iter(q(RS, "RegistryError")))
    if status == ResponseStatus.FAILURE and not errors:
        findings.append(
            Finding(ErrorCode.REGISTRY_ERROR, "RegistryErrorList", "a Failure must list its errors")
        )
    known_codes = set(ErrorCode)
    for err in errors:
        code = err.get("errorCode", "")
        if code not in known_codes:
            findings.append(
                Finding(code or "-", "errorCode", f"errorCode {code!r} is not an XDS error code", "warning")
            )
        if err.get("severity") not in set(Severity):
            findings.append(
                Finding(
                    code or "-", "severity", f"severity {err.get('severity')!r} is not an ebRS severity URN"
                )
            )
    return findings


class SchemaSet:
    """The official XSDs found under a directory, compiled once, offline (xml.xsd resolved locally)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._compiled: dict[str, etree.XMLSchema] = {}

    def _find(self, name: str) -> Path | None:
        return next(iter(sorted(self.directory.rglob(name))), None)

    def schema_for(self, namespace: str) -> etree.XMLSchema | None:
        name = _SCHEMA_FILES.get(namespace)
        if name is None:
            return None
        if name not in self._compiled:
            path = self._find(name)
            if path is None:
                raise FileNotFoundError(f"{name} not found under {self.directory}")
            parser = etree.XMLParser(no_network=True)
            xml_xsd = self._find("xml.xsd")
            if xml_xsd is not None:
                parser.resolvers.add(_LocalFile(_XML_XSD, xml_xsd))
            self._compiled[name] = etree.XMLSchema(etree.parse(str(path), parser))
        return self._compiled[name]

    def validate(self, el: etree._Element) -> list[Finding]:
        xsd = self.schema_for(etree.QName(el).namespace or "")
        if xsd is None:
            return []
        if xsd.validate(el):
            return []
        return [Finding(SCHEMA, f"line {e.line}", e.message) for e in xsd.error_log]


class _LocalFile(etree.Resolver):
    def __init__(self, url: str, path: Path) -> None:
        super().__init__()
        self._url, self._path = url, path

    def resolve(self, system_url: str, public_id: str, context: object) -> object:
        return self.resolve_filename(str(self._path), context) if system_url == self._url else None


def validate_message(
    data: bytes, *, value_sets: ValueSets | None = None, schemas: SchemaSet | None = None
) -> ValidationReport:
    """Read the bytes of a file or capture, then `validate_element`; unreadable input is one finding."""
    try:
        el = read_message(data)
    except (XmlInputError, SoapFault) as exc:
        return ValidationReport("unreadable", [Finding("XML", "", str(exc))])
    return validate_element(el, value_sets=value_sets, schemas=schemas)


def validate_element(
    el: etree._Element, *, value_sets: ValueSets | None = None, schemas: SchemaSet | None = None
) -> ValidationReport:
    """Recognise the message element (SOAP Body child, xop:Include resolved) and apply its rules."""
    handlers = {
        SUBMIT_OBJECTS_REQUEST: (
            "ITI-42 Register Document Set-b request",
            lambda: _submission(el, value_sets),
        ),
        PROVIDE_AND_REGISTER: (
            "ITI-41 Provide and Register Document Set-b request",
            lambda: _submission(el, value_sets),
        ),
        ADHOC_QUERY_REQUEST: ("ITI-18 Registry Stored Query request", lambda: _stored_query(el)),
        RETRIEVE_REQUEST: ("ITI-43 Retrieve Document Set request", lambda: _retrieve(el)),
        REGISTRY_RESPONSE: ("ITI-41/ITI-42 response", lambda: _response(el)),
        ADHOC_QUERY_RESPONSE: ("ITI-18 response", lambda: _response(el)),
        RETRIEVE_RESPONSE: ("ITI-43 response", lambda: _response(el)),
    }
    if el.tag not in handlers:
        return ValidationReport("unknown", [Finding("-", "", f"not an ITI-41/42/18/43 message: {el.tag}")])
    kind, handler = handlers[el.tag]
    findings = handler()
    if schemas is not None:
        findings = schemas.validate(el) + findings
    return ValidationReport(kind, findings)
