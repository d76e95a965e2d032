"""`$name$` placeholders in metadata, query and retrieve files (checklist 6.1.6).

Substitution is textual over every attribute value and text node, as the toolkit does: a placeholder may
stand for an id attribute (`id="$deid$"`), a reference (`classifiedObject="$deid$"`) or a slot value
(`'$patient_id$'`). What is left after substitution is reported, since a strict server rejects it anyway
and the report should say why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from lxml import etree

PLACEHOLDER = re.compile(r"\$[A-Za-z_][A-Za-z0-9_.]*\$")


def clock_values(now: datetime | None = None) -> dict[str, str]:
    """The toolkit's built-in time placeholders `$now$` and `$lastyear$` (BasicTransaction), as UTC DTM."""
    # DTM has second precision and stored-query "...To" bounds are exclusive (TF-2 3.18.4.1.2.3.6): the next
    # whole second, so that an object stamped during the current second is still "before now".
    now = (now or datetime.now(UTC)).replace(microsecond=0) + timedelta(seconds=1)
    last_year = now.replace(year=now.year - 1, day=28 if (now.month, now.day) == (2, 29) else now.day)
    return {"$now$": now.strftime("%Y%m%d%H%M%S"), "$lastyear$": last_year.strftime("%Y%m%d%H%M%S")}


def _replace(text: str, values: Mapping[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(0), m.group(0)), text)


def substitute(root: etree._Element, values: Mapping[str, str]) -> None:
    """Replace, in place, every placeholder of `values` (keys include the dollars) in the tree."""
    if not values:
        return
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for name, value in el.attrib.items():
            if "$" in value:
                el.set(name, _replace(value, values))
        if el.text and "$" in el.text:
            el.text = _replace(el.text, values)


def unresolved(root: etree._Element) -> list[str]:
    """Placeholders still present, in document order, each once."""
    found: dict[str, None] = {}
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for value in [*el.attrib.values(), el.text or ""]:
            # Stored-query parameter names ($XDSDocumentEntryPatientId) start with `$` but never end so.
            for m in PLACEHOLDER.findall(value):
                found.setdefault(m, None)
    return list(found)
