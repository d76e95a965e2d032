"""Affinity-domain value sets: which coded values and mimeTypes the registry accepts (checklist 2.6, codes).

TF-2 ITI-42 3.42.4.1.3.3.3 lets an affinity domain constrain every coded attribute to a value set and
3.42.4.1.3.3.4 the mimeType to a list. The file format is the NIST XDS Toolkit `codes.xml`:

    <Codes>
      <CodeType name="classCode" classScheme="urn:uuid:41a5887f-...">
        <Code code="REPORTS" codingScheme="1.3.6.1.4.1.19376.1.2.6.1" display="Reports"/>
      </CodeType>
      <CodeType name="mimeType"><Code code="text/xml" ext="xml"/></CodeType>
    </Codes>

Only code and codingScheme are matched: the displayName is never constrained (3.42.4.1.3.3.3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from xds.xmlsafe import parse_xml

MIME_TYPE = "mimeType"


@dataclass(frozen=True, slots=True)
class ValueSets:
    """Accepted (code, codingScheme) pairs per classification scheme UUID, and accepted mimeTypes.

    A scheme absent from `codes` (or `mime_types` None) is unconstrained, so a domain may list only the
    value sets it governs.
    """

    codes: dict[str, frozenset[tuple[str, str]]] = field(default_factory=dict)
    mime_types: frozenset[str] | None = None

    def accepts(self, class_scheme: str, code: str, coding_scheme: str) -> bool:
        allowed = self.codes.get(class_scheme)
        return allowed is None or (code, coding_scheme) in allowed

    def accepts_mime_type(self, mime_type: str) -> bool:
        return self.mime_types is None or mime_type in self.mime_types


def parse_value_sets(data: bytes) -> ValueSets:
    """Read a NIST `codes.xml` document; CodeTypes without classScheme (other than mimeType) are ignored."""
    root = parse_xml(data)
    codes: dict[str, frozenset[tuple[str, str]]] = {}
    mime_types: frozenset[str] | None = None
    for code_type in root.iter("CodeType"):
        entries = list(code_type.iter("Code"))
        if code_type.get("name") == MIME_TYPE:
            mime_types = frozenset(c.get("code", "") for c in entries)
        elif scheme := code_type.get("classScheme"):
            codes[scheme] = frozenset((c.get("code", ""), c.get("codingScheme", "")) for c in entries)
    return ValueSets(codes, mime_types)


@lru_cache(maxsize=4)
def load_value_sets(path: Path) -> ValueSets:
    """The value sets of `path`, read once per process (the file is configuration, not data)."""
    return parse_value_sets(path.read_bytes())
