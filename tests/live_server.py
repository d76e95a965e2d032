"""Run a real ASGI app under uvicorn on a free loopback port, in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

import httpx
import uvicorn
from sqlalchemy import Engine


@dataclass
class Server:
    """A running server as the end-to-end tests see it: its base URL, its database and a client."""

    base: str
    engine: Engine
    client: httpx.Client

    @property
    def registry(self) -> str:
        return f"{self.base}/registry"

    @property
    def repository(self) -> str:
        return f"{self.base}/repository"


ServerFactory = Callable[..., AbstractContextManager[Server]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_app(app, port: int | None = None) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Yield the base URL while uvicorn serves `app`; stop it cleanly afterwards."""
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
