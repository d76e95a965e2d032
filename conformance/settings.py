"""Section `[conformance]` of the server configuration: the validation mode.

With `record = true` every SOAP message the registry and repository receive is also validated with the
toolkit's validator, and the last `max_reports` reports are kept in memory for `GET /conformance/reports`,
so a vendor pointing its Document Source or Consumer at the server sees what is wrong in its messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ConformanceSettings:
    record: bool = False
    # Oldest reports are dropped beyond this: memory stays bounded whatever a client sends.
    max_reports: int = 1000
    # Affinity-domain codes.xml for the coded-value rules (None: the registry's codes_file is a good choice).
    codes_file: Path | None = None
    # Official XSDs (ebRS/*.xsd, IHE/XDS.b_DocumentRepository.xsd) to add schema findings; None: rules only.
    schemas_dir: Path | None = None
