"""MTOM/XOP over HTTP: read a multipart/related request as it streams in, write one out as a stream.

- Package format: XOP 1.0 §3-4 and the SOAP MTOM HTTP binding (W3C MTOM §4.3): a multipart/related body
  (RFC 2387) whose root part is `application/xop+xml`, named by the `start` parameter or else the first part.
- IHE profile: TF2-V §V.8.2 (an MTOM message is MTOM even without attachments; a receiver accepts inline
  base64 as well as xop:Include) and §V.9.3.1 (Content-Type header), checklist 1.1.
- `cid:` URLs are percent-encoded Content-IDs (RFC 2392 §2); spyne lost documents by not decoding them
  (python-libraries.md §1.4).

Attachments are never base64-inlined into the tree: `resolve_xop` maps the element that held the
xop:Include to an `Attachment`, and parts above a threshold spill to a temp file so a 500 MiB document
never sits in memory.
"""

from __future__ import annotations

import binascii
import io
import os
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple
from urllib.parse import quote, unquote

from lxml import etree
from python_multipart import MultipartParser
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import parse_options_header

from xds.ebxml.namespaces import XOP, q
from xds.soap.faults import SoapFault

__all__ = [
    "Attachment",
    "MtomMessage",
    "MtomReader",
    "OutgoingAttachment",
    "is_multipart",
    "new_content_id",
    "render_mtom",
    "resolve_xop",
    "xop_include",
]

XOP_INCLUDE = q(XOP, "Include")
SPOOL_THRESHOLD = 1024 * 1024
_CHUNK = 64 * 1024
_MAX_PREAMBLE = 64 * 1024


def _bare_cid(value: str) -> str:
    """Content-ID without angle brackets or surrounding space; clients send either form."""
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1].strip()
    return value


class Attachment:
    """One received MIME part: in memory while small, in a private temp file once above the threshold.

    `path` is set once spilled, so a blob store may hard-link or copy the file instead of reading it.
    """

    __slots__ = ("_buf", "_file", "_threshold", "_tmp_dir", "content_id", "content_type", "path", "size")

    def __init__(
        self,
        content_id: str,
        content_type: str,
        threshold: int = SPOOL_THRESHOLD,
        tmp_dir: str | None = None,
    ) -> None:
        self.content_id = content_id
        self.content_type = content_type
        self.size = 0
        self.path: Path | None = None
        self._threshold = threshold
        self._tmp_dir = tmp_dir
        self._buf: bytearray | None = bytearray()
        self._file: BinaryIO | None = None

    @classmethod
    def from_bytes(cls, content_id: str, content_type: str, data: bytes) -> Attachment:
        att = cls(content_id, content_type, threshold=max(len(data), 1))
        att.write(data)
        return att

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self._buf is not None:
            self._buf += data
            if len(self._buf) > self._threshold:
                fd, name = tempfile.mkstemp(prefix="xds-mtom-", dir=self._tmp_dir)
                self._file = os.fdopen(fd, "wb")
                self.path = Path(name)
                self._file.write(self._buf)
                self._buf = None
        elif self._file is not None:
            self._file.write(data)

    def finish(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def open(self) -> BinaryIO:
        """A new reader positioned at the start; each call is independent."""
        if self.path is not None:
            return self.path.open("rb")
        return io.BytesIO(bytes(self._buf or b""))

    def read_bytes(self) -> bytes:
        if self.path is not None:
            return self.path.read_bytes()
        return bytes(self._buf or b"")

    def close(self) -> None:
        """Release memory and delete the temp file; idempotent."""
        self.finish()
        self._buf = None
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None

    def __repr__(self) -> str:
        where = self.path or "memory"
        return f"Attachment({self.content_id!r}, {self.content_type!r}, size={self.size}, in={where})"


class _Base64Sink:
    """Incremental Content-Transfer-Encoding: base64 decoder (RFC 2045 §6.8) in front of a sink."""

    __slots__ = ("_pending", "_sink")

    def __init__(self, sink: Attachment | bytearray) -> None:
        self._sink = sink
        self._pending = b""

    def write(self, data: bytes) -> None:
        data = self._pending + data.translate(None, b" \t\r\n")
        cut = len(data) - len(data) % 4
        self._pending = data[cut:]
        if cut:
            self._emit(data[:cut])

    def finish(self) -> None:
        if self._pending:
            self._emit(self._pending)
            self._pending = b""

    def _emit(self, data: bytes) -> None:
        try:
            decoded = binascii.a2b_base64(data, strict_mode=True)
        except binascii.Error as exc:
            raise SoapFault.sender(f"invalid base64 in a MIME part: {exc}") from None
        if isinstance(self._sink, bytearray):
            self._sink += decoded
        else:
            self._sink.write(decoded)


class MtomMessage(NamedTuple):
    """A received XOP package: the root part's bytes and the other parts by bare Content-ID."""

    root: bytes
    root_content_type: str
    parts: dict[str, Attachment]

    def close(self) -> None:
        for part in self.parts.values():
            part.close()


def is_multipart(content_type: str) -> bool:
    return content_type.lstrip()[:17].lower() == "multipart/related"


class MtomReader:
    """Feed the HTTP body chunk by chunk (from an ASGI receive loop), then `finish()`.

    Faults are Sender faults: a peer that sends a broken package gets told what is broken.
    """

    def __init__(
        self,
        content_type: str,
        *,
        max_root_bytes: int,
        spool_threshold: int = SPOOL_THRESHOLD,
        tmp_dir: str | None = None,
    ) -> None:
        _, params = parse_options_header(content_type)
        boundary = params.get(b"boundary", b"")
        if not boundary:
            raise SoapFault.sender("multipart/related Content-Type has no boundary parameter")
        self._start = _bare_cid(params.get(b"start", b"").decode("latin-1")) or None
        self._delimiter = b"--" + boundary
        self._max_root = max_root_bytes
        self._threshold = spool_threshold
        self._tmp_dir = tmp_dir
        self._preamble: bytearray | None = bytearray()  # until the first delimiter is found
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._part_begin,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._part_data,
                "on_part_end": self._part_end,
                "on_end": self._end,
            },
            max_header_count=32,
        )
        self._field = bytearray()
        self._value = bytearray()
        self._headers: dict[str, str] = {}
        self._part_index = 0
        self._sink: Attachment | bytearray | _Base64Sink | None = None
        self._current: Attachment | bytearray | None = None
        self._current_cid = ""
        self._root: bytearray | None = None
        self._root_type = ""
        self._parts: dict[str, Attachment] = {}
        self._ended = False

    # -- feeding ---------------------------------------------------------------------------------------

    def feed(self, chunk: bytes) -> None:
        if self._preamble is not None:
            # RFC 2046 §5.1.1 allows a preamble before the first delimiter; the streaming parser does not.
            self._preamble += chunk
            at = self._find_first_delimiter(self._preamble)
            if at < 0:
                if len(self._preamble) > _MAX_PREAMBLE:
                    raise SoapFault.sender("multipart body does not start with its boundary")
                return
            chunk = bytes(self._preamble[at:])
            self._preamble = None
        try:
            self._parser.write(chunk)
        except MultipartParseError as exc:
            self.abort()
            raise SoapFault.sender(f"malformed multipart/related body: {exc}") from None
        except BaseException:
            self.abort()
            raise

    def _find_first_delimiter(self, data: bytearray) -> int:
        at = data.find(self._delimiter)
        while at > 0 and data[at - 1] != 0x0A:  # a delimiter starts a line
            at = data.find(self._delimiter, at + 1)
        return at

    def finish(self) -> MtomMessage:
        """Check the package is complete and return it; the caller owns (and must close) the parts."""
        if self._preamble is not None:
            self.abort()
            raise SoapFault.sender("multipart body does not contain its boundary")
        if not self._ended:
            self.abort()
            raise SoapFault.sender("truncated multipart/related body: the closing boundary is missing")
        if self._root is None:
            self.abort()
            missing = f"with Content-ID <{self._start}>" if self._start else ""
            raise SoapFault.sender(f"multipart/related body has no root part {missing}".rstrip())
        return MtomMessage(bytes(self._root), self._root_type, self._parts)

    def abort(self) -> None:
        for part in self._parts.values():
            part.close()
        if isinstance(self._current, Attachment):
            self._current.close()

    # -- python_multipart callbacks --------------------------------------------------------------------

    def _part_begin(self) -> None:
        self._headers = {}

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        name = self._field.decode("latin-1").strip().lower()
        self._headers[name] = self._value.decode("latin-1").strip()
        self._field.clear()
        self._value.clear()

    def _headers_finished(self) -> None:
        cid = _bare_cid(self._headers.get("content-id", ""))
        ctype = self._headers.get("content-type", "application/octet-stream")
        is_root = cid == self._start if self._start else self._part_index == 0
        self._part_index += 1
        if is_root and self._root is not None:
            raise SoapFault.sender(f"two MIME parts claim to be the root part <{cid}>")
        if is_root:
            self._root = self._current = bytearray()
            self._root_type = ctype
        else:
            if not cid:
                raise SoapFault.sender("a non-root MIME part has no Content-ID")
            if cid in self._parts:
                raise SoapFault.sender(f"duplicate MIME Content-ID <{cid}>")
            self._current = Attachment(cid, ctype, self._threshold, self._tmp_dir)
        self._current_cid = cid
        cte = self._headers.get("content-transfer-encoding", "binary").lower()
        if cte == "base64":
            self._sink = _Base64Sink(self._current)
        elif cte in ("binary", "8bit", "7bit"):
            self._sink = self._current
        else:
            raise SoapFault.sender(f"unsupported Content-Transfer-Encoding {cte!r} in part <{cid}>")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        sink = self._sink
        if isinstance(sink, bytearray):
            sink += data[start:end]
            if len(sink) > self._max_root:
                raise SoapFault.sender(f"SOAP root part exceeds {self._max_root} bytes", http_status=413)
        elif sink is not None:
            sink.write(data[start:end])

    def _part_end(self) -> None:
        if isinstance(self._sink, _Base64Sink):
            self._sink.finish()
        current = self._current
        if isinstance(current, Attachment):
            current.finish()
            self._parts[self._current_cid] = current
        elif current is not None and len(current) > self._max_root:
            raise SoapFault.sender(f"SOAP root part exceeds {self._max_root} bytes", http_status=413)
        self._current = self._sink = None

    def _end(self) -> None:
        self._ended = True


def resolve_xop(root: etree._Element, parts: dict[str, Attachment]) -> dict[etree._Element, Attachment]:
    """Map each element that held an xop:Include to the part it names, removing the xop:Include.

    Removing it leaves the element empty, so schema validation after resolution does not trip on a foreign
    child inside an xs:base64Binary (python-libraries.md §6.1). Per XOP 1.0 §3.2 the xop:Include is the only
    content of its parent.
    """
    found: dict[etree._Element, Attachment] = {}
    for include in list(root.iter(XOP_INCLUDE)):
        href = (include.get("href") or "").strip()
        if href[:4].lower() != "cid:":
            raise SoapFault.sender(f"xop:Include href {href!r} is not a cid: URL")
        raw = href[4:]
        part = parts.get(unquote(raw)) or parts.get(raw)
        if part is None:
            raise SoapFault.sender(f"xop:Include refers to cid:{unquote(raw)}, which is not a MIME part")
        parent = include.getparent()
        if parent is None:
            raise SoapFault.sender("xop:Include cannot be the document element")
        if parent in found or len(parent) != 1 or (parent.text or "").strip():
            raise SoapFault.sender(f"xop:Include must be the only content of {parent.tag}")
        parent.remove(include)
        parent.text = None
        found[parent] = part
    return found


# -- writing ---------------------------------------------------------------------------------------------

Source = bytes | bytearray | memoryview | os.PathLike[str] | Iterable[bytes]


class OutgoingAttachment(NamedTuple):
    """A part to send: its Content-ID (bare, no brackets), media type, and bytes, file path or chunks."""

    content_id: str
    content_type: str
    source: Source


def new_content_id() -> str:
    return f"{uuid.uuid4().hex}@xds.invalid"


_CID_SAFE = "@.-_~!$&'()*+,;=:"


def xop_include(parent: etree._Element, content_id: str) -> etree._Element:
    """Append `<xop:Include href="cid:...">` to `parent`, percent-encoding the Content-ID (RFC 2392)."""
    el = etree.SubElement(parent, XOP_INCLUDE, nsmap={"xop": XOP})
    el.set("href", "cid:" + quote(content_id, safe=_CID_SAFE))
    return el


def _chunks(source: Source) -> Iterator[bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        yield bytes(source)
    elif isinstance(source, os.PathLike):
        with open(source, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                yield chunk
    else:
        yield from source


def render_mtom(
    envelope: bytes,
    attachments: Iterable[OutgoingAttachment | tuple[str, str, Source]] = (),
    *,
    action: str | None = None,
) -> tuple[str, Iterator[bytes]]:
    """The HTTP Content-Type and a lazy stream of body chunks for an MTOM message (TF2-V §V.9.3.1).

    Parts are sent `Content-Transfer-Encoding: binary` so bytes, including a trailing CRLF, go out as is.
    Files are opened only while the stream is consumed.
    """
    boundary = f"MIMEBoundary_{uuid.uuid4().hex}"
    root_cid = f"root.{uuid.uuid4().hex}@xds.invalid"
    content_type = (
        f'multipart/related; boundary="{boundary}"; type="application/xop+xml"; '
        f'start="<{root_cid}>"; start-info="application/soap+xml"'
    )
    if action:
        content_type += f'; action="{action}"'
    parts = list(attachments)

    def stream() -> Iterator[bytes]:
        dash = f"--{boundary}\r\n".encode()
        yield (
            dash + b'Content-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"\r\n'
            b"Content-Transfer-Encoding: binary\r\n"
            b"Content-ID: <" + root_cid.encode() + b">\r\n\r\n" + envelope
        )
        for cid, ctype, source in parts:
            yield (
                b"\r\n" + dash + b"Content-Type: " + ctype.encode("latin-1") + b"\r\n"
                b"Content-Transfer-Encoding: binary\r\n"
                b"Content-ID: <" + cid.encode("latin-1") + b">\r\n\r\n"
            )
            yield from _chunks(source)
        yield f"\r\n--{boundary}--\r\n".encode()

    return content_type, stream()
