"""The composition root: builds the ASGI application from settings and wires the actors together.

Only this module and the CLI import actors (architecture section 2); actors meet through `xds.ports`.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy import Engine, text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pix_pdq.mllp import start_mllp_server
from pix_pdq.patients import PatientDirectory
from registry.service import RegistryService
from xds.config import Settings, load_settings
from xds.db.database import open_database

log = logging.getLogger("xds.server")

CONFIG_ENV = "XDS_CONFIG"


def build_app(settings: Settings, engine: Engine | None = None) -> Starlette:
    engine = engine or open_database(settings)
    base = f"http://{settings.server.host}:{settings.server.port}"
    identity = settings.patient_identity
    registry = RegistryService(engine, PatientDirectory(engine, identity), settings.registry)

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
                engine, settings.server.host, settings.server.mllp_port, settings=identity
            )
            log.info("MLLP listening on %s:%s", settings.server.host, settings.server.mllp_port)
        try:
            yield
        finally:
            if mllp is not None:
                mllp.close()
                await mllp.wait_closed()
            engine.dispose()

    routes = [
        Route("/health", health, methods=["GET"]),
        Route("/registry", registry.endpoint(location=f"{base}/registry", limits=settings.xml)),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def app_from_env() -> Starlette:
    """Factory for `uvicorn --factory` with several workers: settings come from the environment."""
    config = os.environ.get(CONFIG_ENV)
    return build_app(load_settings(Path(config) if config else None))
