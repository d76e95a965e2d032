"""query:AdhocQueryRequest -> `rim.AdhocQueryRequest` (ITI-18 request, TF-2 3.18.4.1.2; checklist 3.1).

Parameter values stay raw here: the value syntax is read by `query_values.parse_value_list` when the
stored query knows which parameters it takes, so an unknown query id can be reported before any value.
"""

from __future__ import annotations

from lxml import etree

from xds.ebxml import rim
from xds.ebxml.namespaces import QUERY, RIM, q
from xds.errors import ErrorCode, XdsError

ADHOC_QUERY_REQUEST = q(QUERY, "AdhocQueryRequest")
_RESPONSE_OPTION = q(QUERY, "ResponseOption")
_ADHOC_QUERY = q(RIM, "AdhocQuery")
_SLOT = q(RIM, "Slot")
_VALUE_LIST = q(RIM, "ValueList")

# IHE allows only these two of the four ebRS return types (TF-2 3.18.4.1.2.1).
RETURN_TYPES = frozenset({"LeafClass", "ObjectRef"})


def _error(message: str) -> XdsError:
    return XdsError.of(ErrorCode.REGISTRY_ERROR, message)


def _int_attr(el: etree._Element, name: str, default: int) -> int:
    raw = el.get(name)
    if raw is None:
        return default
    try:
        return int(raw.strip())
    except ValueError:
        raise _error(f"AdhocQueryRequest/@{name} {raw!r} is not an integer") from None


def parse_adhoc_query_request(el: etree._Element) -> rim.AdhocQueryRequest:
    """Read the query id, response options and every `$` parameter Slot, keeping repeated Slots apart.

    `parameters[name]` has one entry per Slot occurrence, each the list of its raw Value strings: repeated
    Slots mean AND, the values inside one Slot mean OR (checklist 3.1). A missing returnType is read as
    LeafClass, the only sensible full-object reading; a type IHE does not allow is an XDSRegistryError.
    """
    if el.tag != ADHOC_QUERY_REQUEST:
        raise _error(f"expected query:AdhocQueryRequest, got {el.tag}")
    option = query = None
    for child in el:
        if child.tag == _RESPONSE_OPTION:
            option = child
        elif child.tag == _ADHOC_QUERY:
            query = child
    if query is None:
        raise _error("AdhocQueryRequest has no rim:AdhocQuery")
    query_id = query.get("id")
    if not query_id:
        raise _error("rim:AdhocQuery without id attribute")
    return_type = "LeafClass" if option is None else option.get("returnType", "LeafClass")
    if return_type not in RETURN_TYPES:
        raise _error(
            f"ResponseOption/@returnType {return_type!r} is not supported: use LeafClass or ObjectRef"
        )
    composed = option is not None and option.get("returnComposedObjects", "false").strip() in ("true", "1")
    parameters: dict[str, list[list[str]]] = {}
    for slot in query:
        if slot.tag != _SLOT:
            continue
        name = slot.get("name")
        if not name:
            raise _error(f"AdhocQuery {query_id}: Slot without name attribute")
        values = [
            value.text or ""
            for value_list in slot
            if value_list.tag == _VALUE_LIST
            for value in value_list
            if isinstance(value.tag, str)
        ]
        parameters.setdefault(name, []).append(values)
    return rim.AdhocQueryRequest(
        query_id=query_id,
        return_type=return_type,
        return_composed_objects=composed,
        home=query.get("home"),
        start_index=_int_attr(el, "startIndex", 0),
        max_results=_int_attr(el, "maxResults", -1),
        parameters=parameters,
    )
