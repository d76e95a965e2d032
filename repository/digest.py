"""The three facts learnt from one read of a document: SHA-1, SHA-256 and size.

SHA-1 because XDS `hash` is SHA-1 (TF-3 4.2.3.2.10; checklist 2.7 "verify SHA1"), SHA-256 because it is
the blob store's content address (architecture section 4; python-libraries.md 7.2), and both in the same
pass so a 1 GiB document is read once, in chunks, never held in memory.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Digests:
    sha1: str
    sha256: str
    size: int


class Hasher:
    """Feed chunks in order, then read `digests`."""

    __slots__ = ("_sha1", "_sha256", "_size")

    def __init__(self) -> None:
        self._sha1 = hashlib.sha1(usedforsecurity=False)
        self._sha256 = hashlib.sha256()
        self._size = 0

    def update(self, chunk: bytes | memoryview) -> None:
        self._sha1.update(chunk)
        self._sha256.update(chunk)
        self._size += len(chunk)

    @property
    def digests(self) -> Digests:
        return Digests(self._sha1.hexdigest(), self._sha256.hexdigest(), self._size)
