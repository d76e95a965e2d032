"""The server pieces the repository tests run: registry and repository SOAP services in one Starlette app.

Built the way the composition root builds them (in-process RegistryPort by default), so the tests
exercise the real wiring; `serve_repository` runs it under uvicorn in a thread, `crash_server.py` in a
subprocess.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from live_server import free_port, serve_app
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.routing import Route

from pix_pdq.patients import PatientDirectory
from registry.port import InProcessRegistry
from registry.service import RegistryService
from registry.settings import RegistrySettings
from repository.blobstore import FilesystemBlobStore
from repository.service import RepositoryService
from repository.settings import RepositorySettings
from xds.ebxml.vocabulary import Action
from xds.ports import RegistryPort
from xds.soap.endpoint import Operation, SoapEndpoint


@dataclass
class Harness:
    base: str
    engine: Engine
    service: RepositoryService
    store: FilesystemBlobStore

    @property
    def url(self) -> str:
        return f"{self.base}/repository"

    @property
    def registry_url(self) -> str:
        return f"{self.base}/registry"


def _registry_endpoint(registry: RegistryService) -> SoapEndpoint:
    """The registry's operations without its WSDL: `files("registry")` resolves to tests/registry here."""
    return SoapEndpoint(
        {
            Action.REGISTER: Operation(registry.register_document_set, Action.REGISTER_RESPONSE),
            Action.STORED_QUERY: Operation(registry.stored_query, Action.STORED_QUERY_RESPONSE),
        }
    )


def build(
    engine: Engine,
    blob_dir: Path,
    base: str,
    settings: RepositorySettings | None = None,
    registry: Callable[[str], RegistryPort] | None = None,
) -> tuple[Starlette, RepositoryService]:
    """`registry` makes the RegistryPort from the server's base URL; default: the in-process adapter."""
    patients = PatientDirectory(engine)
    registry_settings = RegistrySettings()
    store = FilesystemBlobStore(blob_dir)
    service = RepositoryService(
        engine,
        store,
        registry(base) if registry else InProcessRegistry(engine, patients, registry_settings),
        settings or RepositorySettings(),
    )
    routes = [
        Route("/registry", _registry_endpoint(RegistryService(engine, patients, registry_settings))),
        Route("/repository", service.endpoint(location=f"{base}/repository")),
    ]
    return Starlette(routes=routes), service


@contextmanager
def serve_repository(
    engine: Engine,
    blob_dir: Path,
    settings: RepositorySettings | None = None,
    registry: Callable[[str], RegistryPort] | None = None,
) -> Iterator[Harness]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app, service = build(engine, blob_dir, base, settings, registry)
    with serve_app(app, port):
        yield Harness(base, engine, service, service.store)  # type: ignore[arg-type]
