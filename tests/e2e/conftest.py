"""The real server, built by the composition root, on a loopback port for each database backend."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from live_server import Server, ServerFactory, serve_app
from sqlalchemy import Engine

from xds.config import Settings, load_settings
from xds.server import build_app


@pytest.fixture
def start_server(engine: Engine, tmp_path: Path) -> ServerFactory:
    """Start the server with environment-style overrides, e.g. `XDS_REGISTRY_MAX_LEAFCLASS_RESULTS="2"`."""

    @contextmanager
    def _start(**environ: str) -> Iterator[Server]:
        settings: Settings = load_settings(environ={"XDS_DATA_DIR": str(tmp_path), **environ})
        with serve_app(build_app(settings, engine)) as base, httpx.Client(timeout=30) as client:
            yield Server(base, engine, client)

    return _start


@pytest.fixture
def server(start_server: ServerFactory) -> Iterator[Server]:
    with start_server() as running:
        yield running
