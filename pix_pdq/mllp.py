"""The HL7 v2 listener: MLLP framing over TCP (ITI TF-2 Appendix C.2.1, HL7 MLLP release 2: VT message FS CR).

One asyncio server; each connection answers its messages in order, the database work running in a thread.
A broken frame closes that connection, an oversized one gets a NAK first; nothing a client sends can stop
the listener serving the others.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import logging

from sqlalchemy import Engine

from pix_pdq.settings import PatientIdentitySettings
from pix_pdq.v2.ack import UNKNOWN_HEADER, ack
from pix_pdq.v2.codec import Location, V2Error
from pix_pdq.v2.dispatch import handle_message
from pix_pdq.vocabulary import HL7_ERR_DATA_TYPE, HL7_ERR_SEGMENT_SEQUENCE

log = logging.getLogger("pix_pdq.mllp")

START_BLOCK = b"\x0b"
END_BLOCK = b"\x1c\r"
# MSH-18 values (HL7 table 0211) -> Python codecs; unlisted values fall back to the configured default.
CHARSETS = {"ASCII": "ascii", "8859/1": "latin-1", "8859/15": "iso-8859-15", "UNICODE UTF-8": "utf-8"}


def frame(text: str, encoding: str) -> bytes:
    return START_BLOCK + text.encode(encoding, errors="replace") + END_BLOCK


def decode(payload: bytes, default: str) -> tuple[str, str]:
    """The message text and the codec its MSH-18 names (read from the raw bytes, which are ASCII up to it)."""
    first_segment = payload.split(b"\r", 1)[0]
    encoding = default
    if first_segment.startswith(b"MSH") and len(first_segment) > 3:
        fields = first_segment.split(first_segment[3:4])
        if len(fields) > 17:
            charset = fields[17].split(b"^")[0].decode("ascii", errors="replace").strip()
            encoding = CHARSETS.get(charset, default)
    try:
        codecs.lookup(encoding)
        return payload.decode(encoding), encoding
    except (LookupError, UnicodeDecodeError) as exc:
        raise V2Error(
            f"message is not valid {encoding} (MSH-18)", Location("MSH", 18), HL7_ERR_DATA_TYPE, "AR"
        ) from exc


class _Connection:
    """One client: read frames, answer each, close on a framing error or idle timeout."""

    def __init__(
        self,
        engine: Engine,
        settings: PatientIdentitySettings,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.engine, self.settings, self.reader, self.writer = engine, settings, reader, writer
        self.peer = writer.get_extra_info("peername")

    async def _send(self, text: str, encoding: str) -> None:
        self.writer.write(frame(text, encoding))
        await self.writer.drain()

    async def serve(self) -> None:
        try:
            while True:
                try:
                    block = await asyncio.wait_for(
                        self.reader.readuntil(END_BLOCK), self.settings.mllp_idle_timeout_seconds
                    )
                except asyncio.IncompleteReadError as exc:
                    if exc.partial.strip():
                        log.warning("MLLP %s: connection closed inside a frame", self.peer)
                    return
                except asyncio.LimitOverrunError:
                    limit = self.settings.mllp_max_message_bytes
                    await self._send(
                        ack(
                            UNKNOWN_HEADER,
                            self.settings,
                            V2Error(
                                f"message larger than {limit} bytes",
                                Location("MSH"),
                                HL7_ERR_SEGMENT_SEQUENCE,
                                "AR",
                            ),
                        ),
                        "ascii",
                    )
                    log.warning("MLLP %s: message over %d bytes, connection closed", self.peer, limit)
                    return
                except TimeoutError:
                    log.info("MLLP %s: idle, connection closed", self.peer)
                    return
                payload = block[: -len(END_BLOCK)].lstrip(b"\r\n \t")
                if not payload.startswith(START_BLOCK):
                    log.warning("MLLP %s: data outside a VT..FS CR frame, connection closed", self.peer)
                    return
                await self._answer(payload[1:])
        except (ConnectionError, OSError) as exc:
            log.info("MLLP %s: %s", self.peer, exc)
        finally:
            self.writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self.writer.wait_closed()

    async def _answer(self, payload: bytes) -> None:
        try:
            text, encoding = decode(payload, self.settings.mllp_default_encoding)
        except V2Error as exc:
            await self._send(ack(UNKNOWN_HEADER, self.settings, exc), "ascii")
            return
        reply = await asyncio.to_thread(handle_message, self.engine, self.settings, text)
        await self._send(reply, encoding)


async def start_mllp_server(
    engine: Engine, host: str, port: int, *, settings: PatientIdentitySettings
) -> asyncio.Server:
    """Listen for ITI-8, ITI-9 and ITI-21 on `host:port`; the caller owns the returned server (close it)."""

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Cancelled at shutdown: serve() has closed the socket; re-raising would only make asyncio 3.11's
        # stream callback log the cancellation as an error.
        with contextlib.suppress(asyncio.CancelledError):
            await _Connection(engine, settings, reader, writer).serve()

    # The stream limit bounds one frame in memory: readuntil fails with LimitOverrunError past it.
    return await asyncio.start_server(on_connect, host, port, limit=settings.mllp_max_message_bytes + 3)
