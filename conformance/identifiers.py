"""Fresh identifiers for one run: uniqueIds (OIDs), UUIDs and patient ids (checklist 6.1.6).

Every run allocates new values, so the plans can be replayed against the same server many times: the
stored-query plans count objects of the 12346 patient and would break on a patient reused between runs.
"""

from __future__ import annotations

import itertools
import time
import uuid

from conformance.vocabulary import DEFAULT_PATIENT_AUTHORITY, DEFAULT_UID_ROOT


def new_uuid() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


class UniqueIdAllocator:
    """OIDs `<root>.<run time in ms>.<n>` (the toolkit's UniqueIdAllocator shape, 1.2.42.<time>.<n>)."""

    def __init__(self, root: str = DEFAULT_UID_ROOT) -> None:
        self._prefix = f"{root}.{int(time.time() * 1000)}"
        self._counter = itertools.count(1)

    def next(self) -> str:
        return f"{self._prefix}.{next(self._counter)}"


class PatientIdAllocator:
    """CX patient ids `<run tag><n>^^^&<authority>&ISO`; the run tag keeps runs apart on one registry."""

    def __init__(self, authority: str = DEFAULT_PATIENT_AUTHORITY) -> None:
        self.authority = authority
        self._tag = f"T{uuid.uuid4().hex[:10].upper()}"
        self._counter = itertools.count(1)

    def next(self) -> str:
        return f"{self._tag}{next(self._counter)}^^^&{self.authority}&ISO"
