"""Where document bytes live: the `BlobStore` port and its default, a content-addressed filesystem store.

Design (architecture section 4; python-libraries.md 7.2):
- A document is first *staged*: written (or, for an MTOM part the transport already spooled to disk,
  renamed) into a private staging area while SHA-1, SHA-256 and size are computed in one pass. Nothing
  is visible under its content address yet, so a refused submission (hash mismatch, checklist 2.7) is
  discarded without ever having been "stored".
- `commit` makes it durable and visible: fsync the file, rename it to `ab/cd/<sha256>`, fsync the
  directory. A rename is atomic, so a reader or a crash never sees half a document.
- Same content, same address: a second copy is dropped at commit, the existing file is kept.

The repository's tables (tables.py) say which blobs are in use; a store only keeps bytes.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from repository.digest import Digests, Hasher

CHUNK = 1024 * 1024
STAGING = "tmp"


@dataclass(frozen=True, slots=True)
class StagedBlob:
    """Bytes written but not yet stored: what they hash to, and the store's private handle on them."""

    digests: Digests
    handle: str

    @property
    def key(self) -> str:
        return self.digests.sha256


@dataclass(frozen=True, slots=True)
class BlobInfo:
    key: str
    size: int
    modified: float  # Unix time of the last write


class BlobStore(Protocol):
    """Content-addressed storage for document bytes; keys are lower-case hex SHA-256."""

    @property
    def spool_dir(self) -> Path | None:
        """Where the transport should spool uploads so `adopt` can rename instead of copy (None: anywhere)."""
        ...

    def stage(self, chunks: Iterable[bytes]) -> StagedBlob:
        """Write `chunks` to the staging area, hashing them on the way."""
        ...

    def adopt(self, path: Path) -> StagedBlob:
        """Take over a file written elsewhere (a spooled MTOM part): hash it, then move it, not copy it."""
        ...

    def commit(self, staged: StagedBlob) -> str:
        """Make a staged blob durable under its key; returns the key."""
        ...

    def discard(self, staged: StagedBlob) -> None: ...

    def open(self, key: str) -> BinaryIO:
        """The blob for reading; raises FileNotFoundError when it is missing."""
        ...

    def delete(self, key: str) -> None:
        """Remove a blob durably; a missing blob is not an error."""
        ...

    def exists(self, key: str) -> bool: ...

    def scan(self) -> Iterator[BlobInfo]:
        """Every stored blob, for fsck."""
        ...

    def clean_staging(self, older_than: float) -> int:
        """Delete staging leftovers (crashed uploads) last written more than `older_than` seconds ago."""
        ...


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _is_key(name: str) -> bool:
    return len(name) == 64 and all(c in "0123456789abcdef" for c in name)


class FilesystemBlobStore:
    """Blobs as files `<root>/ab/cd/<sha256>`; staging and MTOM spool in `<root>/tmp` (same filesystem)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.staging = self.root / STAGING
        self.staging.mkdir(parents=True, exist_ok=True)

    @property
    def spool_dir(self) -> Path:
        return self.staging

    def path(self, key: str) -> Path:
        if not _is_key(key):
            raise ValueError(f"not a blob key: {key!r}")
        return self.root / key[:2] / key[2:4] / key

    # -- writing ---------------------------------------------------------------------------------------

    def stage(self, chunks: Iterable[bytes]) -> StagedBlob:
        fd, name = tempfile.mkstemp(prefix="stage-", dir=self.staging)
        hasher = Hasher()
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    hasher.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        return StagedBlob(hasher.digests, name)

    def adopt(self, path: Path) -> StagedBlob:
        hasher = Hasher()
        with path.open("rb") as src:
            while chunk := src.read(CHUNK):
                hasher.update(chunk)
            os.fsync(src.fileno())  # the transport wrote it without fsync; Linux fsyncs via any fd
        fd, name = tempfile.mkstemp(prefix="stage-", dir=self.staging)
        os.close(fd)
        try:
            os.replace(path, name)
        except OSError as exc:
            Path(name).unlink(missing_ok=True)
            if exc.errno != errno.EXDEV:
                raise
            # Spooled on another filesystem: copy it in (hashing again on the way keeps one code path).
            with path.open("rb") as src:
                return self.stage(iter(lambda: src.read(CHUNK), b""))
        return StagedBlob(hasher.digests, name)

    def commit(self, staged: StagedBlob) -> str:
        final = self.path(staged.key)
        temp = Path(staged.handle)
        if final.exists():
            temp.unlink(missing_ok=True)  # same address, same bytes: keep the file already durable
            return staged.key
        created = not final.parent.exists()
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, final)
        _fsync_dir(final.parent)
        if created:  # make the new ab/ and ab/cd/ directory entries durable too
            _fsync_dir(final.parent.parent)
            _fsync_dir(self.root)
        return staged.key

    def discard(self, staged: StagedBlob) -> None:
        Path(staged.handle).unlink(missing_ok=True)

    def delete(self, key: str) -> None:
        path = self.path(key)
        try:
            path.unlink()
        except FileNotFoundError:
            return
        _fsync_dir(path.parent)

    # -- reading ---------------------------------------------------------------------------------------

    def open(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def scan(self) -> Iterator[BlobInfo]:
        for first in sorted(self.root.iterdir()):
            if len(first.name) != 2 or not first.is_dir():
                continue
            for second in sorted(first.iterdir()):
                for file in sorted(second.iterdir()):
                    if _is_key(file.name):
                        st = file.stat()
                        yield BlobInfo(file.name, st.st_size, st.st_mtime)

    def clean_staging(self, older_than: float) -> int:
        cutoff = time.time() - older_than
        removed = 0
        for entry in self.staging.iterdir():
            try:
                if entry.stat().st_mtime <= cutoff:
                    if entry.is_dir():
                        shutil.rmtree(entry)
                    else:
                        entry.unlink()
                    removed += 1
            except FileNotFoundError:
                continue  # finished or removed concurrently
        return removed
