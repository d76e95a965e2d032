"""HL7 v3 read and write helpers shared by ITI-44, ITI-45 and ITI-47: the element-path refusal, the data
types these transactions use (II, PN, TS, CE), and the E-factory every renderer builds with.

A refusal names the element at fault as an XPath from the interaction element, the form ITI TF-2 3.45.4.2.3
and 3.47.4.2.3 put in acknowledgementDetail/location (e.g. `/PRPA_IN201309UV02/controlActProcess/
queryByParameter/parameterList/patientIdentifier/value`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from lxml import etree
from lxml.builder import ElementMaker

from pix_pdq.model import Identifier, IdentityError, Subject, hl7_error_code
from pix_pdq.vocabulary import HL7_ERR_DATA_TYPE, HL7_ERR_REQUIRED_FIELD_MISSING

HL7 = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
E = ElementMaker(namespace=HL7, nsmap={None: HL7, "xsi": XSI})
# HL7 v3 interaction and trigger-event identifiers (ITI TF-2 3.44.4.1.2: interactionId/@root).
INTERACTION_ROOT = "2.16.840.1.113883.1.6"
# HL7 table 0357, the code system of acknowledgementDetail/code (ITI TF-2 3.45.4.2.3).
TABLE_0357 = "2.16.840.1.113883.12.357"


def tag(local: str) -> str:
    return f"{{{HL7}}}{local}"


class V3Error(Exception):
    """A refusal to send back: the acknowledgement type (AE application error, AR rejected), the HL7 table
    0357 code and the XPath of the element at fault."""

    def __init__(self, message: str, location: str, code: str, ack_code: str = "AE") -> None:
        super().__init__(message)
        self.location = location
        self.code = code
        self.ack_code = ack_code


def path(el: etree._Element) -> str:
    """The XPath of `el` from the interaction element, local names only, `[n]` where a name repeats."""
    steps = []
    node: etree._Element | None = el
    while node is not None:
        parent = node.getparent()
        name = etree.QName(node).localname
        if parent is not None:
            same = [c for c in parent if c.tag == node.tag]
            if len(same) > 1:
                name += f"[{same.index(node) + 1}]"
        steps.append(name)
        # the interaction element is the SOAP Body child: stop there
        if parent is None or etree.QName(parent).namespace != HL7:
            break
        node = parent
    return "/" + "/".join(reversed(steps))


def children(parent: etree._Element, local: str) -> list[etree._Element]:
    return parent.findall(tag(local))


def optional(parent: etree._Element, local: str) -> etree._Element | None:
    return parent.find(tag(local))


def require(parent: etree._Element, local: str, ack_code: str = "AE") -> etree._Element:
    """The child `local`, or a refusal naming where it is missing."""
    found = parent.find(tag(local))
    if found is None:
        raise V3Error(
            f"{local} is required in {etree.QName(parent).localname}",
            f"{path(parent)}/{local}",
            HL7_ERR_REQUIRED_FIELD_MISSING,
            ack_code,
        )
    return found


def only(parent: etree._Element, local: str) -> etree._Element:
    """The single child `local`: these transactions carry one patient, one identifier, one query each."""
    found = children(parent, local)
    if len(found) > 1:
        raise V3Error(
            f"{local} is repeated; this transaction takes exactly one",
            path(found[1]),
            HL7_ERR_DATA_TYPE,
        )
    return found[0] if found else require(parent, local)


def attribute(el: etree._Element, name: str) -> str:
    """An attribute value, or a refusal naming the element that lacks it."""
    value = (el.get(name) or "").strip()
    if not value:
        raise V3Error(f"{path(el)} has no {name} attribute", path(el), HL7_ERR_REQUIRED_FIELD_MISSING)
    return value


def read_ii(el: etree._Element) -> Identifier:
    """An II as a patient identifier: @root is the assigning authority OID, @extension the id within it,
    @assigningAuthorityName the namespace kept for echoing (ITI TF-2 3.44.4.1.2.2). A missing part is left
    empty for the model's check to refuse with its own message."""
    return Identifier(
        (el.get("extension") or "").strip(),
        (el.get("root") or "").strip(),
        namespace=(el.get("assigningAuthorityName") or "").strip(),
    )


def ii(local: str, identifier: Identifier) -> etree._Element:
    el = E(local, root=identifier.authority_oid, extension=identifier.id_number)
    if identifier.namespace:
        el.set("assigningAuthorityName", identifier.namespace)
    return el


def ii_values(el: etree._Element) -> tuple[str, str]:
    """(root, extension) of an II, for echoing message and query ids."""
    return (el.get("root") or "", el.get("extension") or "")


def echo_ii(local: str, values: tuple[str, str] | None) -> etree._Element:
    """An II with the given root/extension; `nullFlavor="NI"` when the request gave none."""
    if values is None or not values[0]:
        return E(local, nullFlavor="NI")
    root, extension = values
    return E(local, root=root, extension=extension) if extension else E(local, root=root)


def timestamp() -> str:
    """A TS with seconds and offset (HL7 v3 datatypes-base TS pattern)."""
    return datetime.now().astimezone().strftime("%Y%m%d%H%M%S%z")


def date_of(el: etree._Element) -> str:
    """The date part of a TS @value: PDQ and the INS traits compare birth dates by day."""
    value = attribute(el, "value")
    return value[:8]


def refusal(
    error: IdentityError, where: Mapping[Subject, Sequence[str]], default: str, ack_code: str = "AE"
) -> V3Error:
    """Translate a model refusal into a v3 one at the element `where` assigns to its subject; a repeating
    subject's index picks the repetition."""
    paths = where.get(error.subject) or where.get(Subject.QUERY) or (default,)
    location = paths[min(error.index, len(paths) - 1)]
    return V3Error(str(error), location, hl7_error_code(error), ack_code)
