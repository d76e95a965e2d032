"""An MLLP client whose framing is written here, not borrowed from pix_pdq, so a framing bug in the product
cannot hide behind the same bug in the test; and a listener runner for the fixtures and the benchmark."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from sqlalchemy import Engine

from pix_pdq.mllp import start_mllp_server
from pix_pdq.settings import PatientIdentitySettings

VT, FS, CR = b"\x0b", b"\x1c", b"\r"
TEST_SETTINGS = PatientIdentitySettings(mllp_max_message_bytes=64 * 1024, pdq_default_quantity=50)


class MllpClient:
    """One TCP connection speaking MLLP: VT message FS CR."""

    def __init__(self, port: int, timeout: float = 10) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read_frame(self) -> bytes:
        while FS + CR not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"closed by the server; received {self.buffer!r}")
            self.buffer += chunk
        frame, _, self.buffer = self.buffer.partition(FS + CR)
        assert frame.startswith(VT), frame[:20]
        return frame[1:]

    def exchange(self, message: str, encoding: str = "utf-8") -> str:
        self.send_raw(VT + message.replace("\n", "\r").encode(encoding) + FS + CR)
        return self.read_frame().decode(encoding)

    def is_closed(self) -> bool:
        """True once the server closed the connection (EOF), after any pending frames."""
        try:
            return self.sock.recv(65536) == b""
        except ConnectionResetError:
            return True

    def close(self) -> None:
        self.sock.close()


@contextmanager
def running_listener(engine: Engine, settings: PatientIdentitySettings) -> Iterator[int]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = asyncio.run_coroutine_threadsafe(
        start_mllp_server(engine, "127.0.0.1", 0, settings=settings), loop
    ).result(10)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:

        async def stop() -> None:
            server.close()
            await server.wait_closed()
            connections = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in connections:
                task.cancel()
            await asyncio.gather(*connections, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def segments(response: str) -> dict[str, list[list[str]]]:
    """Segment id -> list of field lists (field n at index n; MSH shifted so MSH-n is at n too)."""
    out: dict[str, list[list[str]]] = {}
    for line in filter(None, response.split("\r")):
        fields = line.split("|")
        if fields[0] == "MSH":
            fields = ["MSH", "|", *fields[1:]]
        out.setdefault(fields[0], []).append(fields)
    return out


def with_settings(**changes: object) -> PatientIdentitySettings:
    return replace(TEST_SETTINGS, **changes)
