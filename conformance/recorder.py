"""Validation mode: validate each received message and keep its report (`conformance.record = true`).

The SOAP handlers call `MessageRecorder.record` with the message element they already parsed, so recording
costs one validation and never changes what the server answers. Reports live in a bounded in-memory ring:
they are a debugging aid for the vendor at the other end, not an audit trail (that is ATNA's job).
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections import deque
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from conformance.settings import ConformanceSettings
from conformance.validate import Finding, SchemaSet, validate_element
from registry.codes import ValueSets, load_value_sets

log = logging.getLogger("conformance.recorder")


@dataclass(frozen=True, slots=True)
class RecordedReport:
    id: int
    received: str
    endpoint: str
    kind: str
    ok: bool
    findings: tuple[Finding, ...]

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["findings"] = [asdict(f) for f in self.findings]
        return data


class MessageRecorder:
    """Thread-safe: handlers run in the threadpool and the reports route reads concurrently."""

    def __init__(
        self, max_reports: int = 1000, value_sets: ValueSets | None = None, schemas: SchemaSet | None = None
    ) -> None:
        self._reports: deque[RecordedReport] = deque(maxlen=max_reports)
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._value_sets = value_sets
        self._schemas = schemas

    @classmethod
    def from_settings(cls, settings: ConformanceSettings) -> MessageRecorder:
        return cls(
            settings.max_reports,
            load_value_sets(settings.codes_file) if settings.codes_file else None,
            SchemaSet(settings.schemas_dir) if settings.schemas_dir else None,
        )

    def record(self, endpoint: str, message: etree._Element) -> RecordedReport | None:
        """Validate `message` (the SOAP Body child) and keep the report; never raises into the handler."""
        try:
            report = validate_element(message, value_sets=self._value_sets, schemas=self._schemas)
        except Exception:  # a validator bug must not turn into a failed transaction for the vendor
            log.exception("validation mode: could not validate a message received on %s", endpoint)
            return None
        with self._lock:
            recorded = RecordedReport(
                next(self._ids),
                datetime.now(UTC).isoformat(timespec="seconds"),
                endpoint,
                report.kind,
                report.ok,
                tuple(report.findings),
            )
            self._reports.append(recorded)
        return recorded

    def recent(self, limit: int = 50) -> list[RecordedReport]:
        """Newest first."""
        with self._lock:
            return list(reversed(self._reports))[: max(limit, 0)]

    def clear(self) -> None:
        with self._lock:
            self._reports.clear()
