"""The composition root: builds the actors from settings, wires them together, and serves them.

Only this module, `xds/config.py` and the CLI import actors (architecture section 2); actors meet
through the ports of `xds/ports.py`.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from conformance.recorder import MessageRecorder
from conformance.reports_route import reports_route
from pix_pdq.mllp import start_mllp_server
from pix_pdq.patients import PatientDirectory
from pix_pdq.v3.service import PatientIdentityV3Service
from registry.port import InProcessRegistry
from registry.service import RegistryService
from repository.blobstore import FilesystemBlobStore
from repository.registry_client import SoapRegistryClient
from repository.service import RepositoryService
from xds.config import Settings, load_settings
from xds.db.database import open_database
from xds.ports import RegistryPort

log = logging.getLogger("xds.server")

CONFIG_ENV = "XDS_CONFIG"


@dataclass(slots=True)
class Actors:
    """Every actor of one server, wired to one database."""

    engine: Engine
    registry: RegistryService
    repository: RepositoryService
    identity: PatientIdentityV3Service


def wire(settings: Settings, engine: Engine | None = None) -> Actors:
    """Build the actors; the repository registers in-process unless `repository.registry_url` is set."""
    engine = engine or open_database(settings)
    patients = PatientDirectory(engine, settings.patient_identity)
    rs = settings.repository
    registry_port: RegistryPort = (
        SoapRegistryClient.from_settings(rs, settings.xml)
        if rs.registry_url
        else InProcessRegistry(engine, patients, settings.registry)
    )
    store = FilesystemBlobStore(rs.blob_root(settings.storage.data_dir))
    return Actors(
        engine=engine,
        registry=RegistryService(engine, patients, settings.registry),
        repository=RepositoryService(engine, store, registry_port, rs),
        identity=PatientIdentityV3Service(engine, settings.patient_identity),
    )


def build_app(settings: Settings, engine: Engine | None = None) -> Starlette:
    actors = wire(settings, engine)
    engine = actors.engine
    base = f"http://{settings.server.host}:{settings.server.port}"

    def _ping() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    async def health(_: Request) -> JSONResponse:
        try:
            await run_in_threadpool(_ping)
        except Exception:
            log.exception("health check: database unreachable")
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": engine.dialect.name})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        mllp = None
        if settings.server.mllp_port is not None:
            mllp = await start_mllp_server(
                engine, settings.server.host, settings.server.mllp_port, settings=settings.patient_identity
            )
            log.info("MLLP listening on %s:%s", settings.server.host, settings.server.mllp_port)
        try:
            yield
        finally:
            if mllp is not None:
                mllp.close()
                await mllp.wait_closed()
            engine.dispose()

    soap = {
        "/registry": actors.registry.endpoint(location=f"{base}/registry", limits=settings.xml),
        "/repository": actors.repository.endpoint(location=f"{base}/repository", limits=settings.xml),
        "/pix": actors.identity.pix_endpoint(f"{base}/pix", limits=settings.xml),
        "/pdq": actors.identity.pdq_endpoint(f"{base}/pdq", limits=settings.xml),
    }
    routes = [Route("/health", health, methods=["GET"])]
    routes += [Route(path, endpoint) for path, endpoint in soap.items()]
    if settings.conformance.record:
        # Validation mode: every XDS message received is also validated and its report kept in memory.
        recorder = MessageRecorder.from_settings(settings.conformance)
        for path in ("/registry", "/repository"):
            soap[path].on_message = functools.partial(recorder.record, path)
        routes.append(reports_route(recorder))
    return Starlette(routes=routes, lifespan=lifespan)


def app_from_env() -> Starlette:
    """Factory for `uvicorn --factory` with several workers: settings come from the environment."""
    config = os.environ.get(CONFIG_ENV)
    return build_app(load_settings(Path(config) if config else None))
