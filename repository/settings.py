"""What a deployment may tune in the repository (section `[repository]` of the configuration)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

GIB = 1024 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class RepositorySettings:
    # Our XDSDocumentEntry.repositoryUniqueId, written into every registered entry (checklist 2.7) and
    # compared with each ITI-43 RepositoryUniqueId (checklist 2.8). The default is the NIST XDS Toolkit's
    # test repository id so its test plans run unchanged; a deployment sets its own OID.
    repository_unique_id: str = "1.19.6.24.109.42.1"
    # Where documents are stored; None = `<storage.data_dir>/documents` (see `blob_root`).
    blob_dir: Path | None = None
    # ITI-42 endpoint of a remote Document Registry; None = the registry in this server (in-process).
    registry_url: str | None = None
    # Seconds; an unreachable or silent registry gives XDSRegistryNotAvailable (checklist 2.7).
    registry_connect_timeout: int = 5
    registry_timeout: int = 60
    # One document (over it: SOAP Sender fault, HTTP 413) and one whole ITI-41/43 HTTP body.
    max_document_bytes: int = 2 * GIB
    max_request_bytes: int = 4 * GIB
    # MTOM parts larger than this are spooled to disk next to the blobs (then renamed, never copied).
    spool_threshold: int = 256 * 1024

    def blob_root(self, data_dir: Path) -> Path:
        return self.blob_dir if self.blob_dir is not None else data_dir / "documents"
