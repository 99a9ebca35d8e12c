"""Turning log files into JSON Lines chunks that DuckDB reads in parallel.

DuckDB reads uncompressed JSON Lines fast and on every core, but a gzip stream only on one, and
CloudTrail's delivery files (`{"Records":[...]}`) slowly (each file is one large object). The
feeder, in its own thread, decompresses (with ISA-L when `isal` is installed; the zlib call
releases the interpreter lock either way) and writes chunks of about CHUNK_BYTES of JSON Lines to
a spool folder (tmpfs when there is one):

- JSON Lines pass through;
- a compact delivery file, as CloudTrail writes them, becomes JSON Lines by cutting the records
  apart where one ends and the next begins (`},{"eventVersion":`). A cut inside a record (a nested
  array of objects with that key) leaves lines that are not JSON; DuckDB then rejects the chunk
  and the engine reads that chunk's files with the Python reader instead, so a wrong cut can
  slow a run down but never change a result;
- anything else (pretty-printed files, JSON arrays) is read with the Python reader and written
  back one record per line.

Lines of LONG_LINE bytes or more are set aside for the Python evaluator: only such records can
reach the 256 KB limit of CloudWatch Logs and EventBridge once written as compact JSON (number
spellings can at most quintuple a record's length), so every record DuckDB sees is under it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Literal

from checker.replay.sources import LogObject
from checker.simulator.delivery import MAX_EVENT_BYTES
from checker.simulator.replay import ReplayError, iter_stream_records

CHUNK_BYTES = 32 << 20
READ_BYTES = 64 << 10
LONG_LINE = MAX_EVENT_BYTES // 5
MAX_DELIVERY_BYTES = 256 << 20  # larger "delivery files" go through the Python reader
_DELIVERY_PREFIX = b'{"Records":['
_CUT = b'},{"eventVersion":'
_CUT_TO = b'}\n{"eventVersion":'

PieceKind = Literal["lines", "delivery", "records"]


def _zlib() -> Any:
    try:
        from isal import isal_zlib

        return isal_zlib
    except ModuleNotFoundError:
        return zlib


@dataclass
class Piece:
    """The part of a chunk that came from one input."""

    name: str
    kind: PieceKind
    start: int
    end: int
    first_line: int = 1


@dataclass
class Chunk:
    """A JSON Lines spool file (`path`) or a Parquet file (`parquet`); `aside` holds the long
    lines set aside for the Python evaluator, as (input name, line, text)."""

    path: str | None = None
    parquet: str | None = None
    pieces: list[Piece] = field(default_factory=list)
    aside: list[tuple[str, int, bytes]] = field(default_factory=list)
    objects: int = 0
    nbytes: int = 0
    temporary: bool = True

    def piece_bytes(self, piece: Piece) -> bytes:
        assert self.path is not None
        with open(self.path, "rb") as f:
            f.seek(piece.start)
            return f.read(piece.end - piece.start)

    def remove(self) -> None:
        for p in (self.path, self.parquet if self.temporary else None):
            if p:
                with contextlib.suppress(OSError):
                    os.remove(p)


def spool_dir() -> str:
    """A private folder for chunks: in tmpfs (/dev/shm) when there is one."""
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    return tempfile.mkdtemp(prefix="trailcheck-", dir=base)


def decompressed_blocks(name: str, stream: IO[bytes]) -> Iterator[bytes]:
    """The stream's bytes, gunzipped (every gzip member) when it starts like gzip."""
    first = stream.read(READ_BYTES)
    if first[:2] != b"\x1f\x8b":
        while first:
            yield first
            first = stream.read(READ_BYTES)
        return
    mod = _zlib()
    d = mod.decompressobj(31)
    data = first
    try:
        while data:
            out = d.decompress(data)
            if out:
                yield out
            while d.eof and d.unused_data:
                rest = d.unused_data
                d = mod.decompressobj(31)
                out = d.decompress(rest)
                if out:
                    yield out
            data = stream.read(READ_BYTES)
        tail = d.flush()
        if tail:
            yield tail
    except (zlib.error, OSError, ValueError) as e:
        raise ReplayError(f"{name}: not a valid gzip file ({e})") from e
    if not d.eof:
        raise ReplayError(f"{name}: not a valid gzip file (the file is truncated)")


class _Rewind:
    """The blocks already read, then the rest of the stream, as one readable stream."""

    def __init__(self, head: list[bytes], rest: Iterator[bytes]) -> None:
        self.parts = head
        self.rest = rest

    def peek(self, n: int) -> bytes:
        while not self.parts:
            nxt = next(self.rest, None)
            if nxt is None:
                return b""
            self.parts.append(nxt)
        return self.parts[0][:n]

    def read(self, n: int = -1) -> bytes:
        while not self.parts:
            nxt = next(self.rest, None)
            if nxt is None:
                return b""
            self.parts.append(nxt)
        return self.parts.pop(0)


class Feeder:
    """Builds chunks from inputs; `chunks()` yields them (call from the feeder thread)."""

    def __init__(self, spool: str, chunk_bytes: int = CHUNK_BYTES) -> None:
        self.spool = spool
        self.chunk_bytes = chunk_bytes
        self._parts: list[bytes] = []
        self._size = 0
        self._pieces: list[Piece] = []
        self._objects = 0
        self._count = 0

    def chunks(self, objects: Iterable[LogObject]) -> Iterator[Chunk]:
        for obj in objects:
            if obj.parquet:
                yield from self._flush()
                yield self._parquet(obj)
                continue
            with obj.open() as stream:
                self._objects += 1
                for _ in self._add(obj.name, stream):
                    yield from self._flush()
            if self._size >= self.chunk_bytes:
                yield from self._flush()
        yield from self._flush()

    # -- one input ------------------------------------------------------------------------------

    def _add(self, name: str, stream: IO[bytes]) -> Iterator[None]:
        """Append the input's records; yields whenever the chunk is full."""
        blocks = decompressed_blocks(name, stream)
        head: list[bytes] = []
        for block in blocks:
            head.append(block)
            if sum(len(b) for b in head) >= 64:
                break
        text = b"".join(head).lstrip(b"\xef\xbb\xbf \t\r\n")
        if not text:
            raise ReplayError(f"{name}: the file is empty; expected CloudTrail records")
        if text.startswith(_DELIVERY_PREFIX):
            parts, size = list(head), sum(len(b) for b in head)
            for block in blocks:
                parts.append(block)
                size += len(block)
                if size > MAX_DELIVERY_BYTES:
                    yield from self._records(name, _Rewind(parts, blocks))
                    return
            self._delivery(name, b"".join(parts))
        elif text.startswith(b"{") and not text.startswith(b'{"Records"') \
                and _first_line_is_object(text):
            yield from self._lines(name, head, blocks)
        else:
            yield from self._records(name, _Rewind(head, blocks))

    def _append(self, name: str, kind: PieceKind, data: bytes, first_line: int = 1) -> None:
        if not data:
            return
        if not data.endswith(b"\n"):
            data += b"\n"
        start = self._size
        self._parts.append(data)
        self._size += len(data)
        self._pieces.append(Piece(name, kind, start, self._size, first_line))

    def _delivery(self, name: str, data: bytes) -> None:
        body = data.rstrip()
        if not body.endswith(b"]}"):
            raise ReplayError(f"{name}: not valid JSON: the Records list is not closed")
        self._append(name, "delivery", body[len(_DELIVERY_PREFIX) : -2].replace(_CUT, _CUT_TO))

    def _lines(self, name: str, head: list[bytes], blocks: Iterator[bytes]) -> Iterator[None]:
        parts, size = list(head), sum(len(b) for b in head)
        line = 1
        for block in blocks:
            parts.append(block)
            size += len(block)
            if self._size + size >= self.chunk_bytes:
                data = b"".join(parts)
                cut = data.rfind(b"\n") + 1
                parts, size = [data[cut:]], len(data) - cut
                if cut:
                    self._append(name, "lines", data[:cut], line)
                    line += data.count(b"\n", 0, cut)
                    yield None
        self._append(name, "lines", b"".join(parts), line)

    def _records(self, name: str, stream: Any) -> Iterator[None]:
        import json

        try:
            import orjson

            dumps: Any = orjson.dumps
        except ModuleNotFoundError:  # pragma: no cover - orjson comes with the logs extra
            def dumps(r: Any) -> bytes:
                return json.dumps(r, separators=(",", ":"), ensure_ascii=False).encode()
        out: list[bytes] = []
        size = 0
        for record in iter_stream_records(name, stream):
            line = dumps(record)
            out.append(line)
            size += len(line) + 1
            if size >= self.chunk_bytes:
                self._append(name, "records", b"\n".join(out))
                out, size = [], 0
                yield None
        self._append(name, "records", b"\n".join(out))

    # -- chunks ---------------------------------------------------------------------------------

    def _flush(self) -> Iterator[Chunk]:
        if not self._parts:
            return
        data = b"".join(self._parts)
        pieces = self._pieces
        self._parts, self._pieces, self._size = [], [], 0
        aside: list[tuple[str, int, bytes]] = []
        longs = long_lines(data)
        if longs:
            data, aside, pieces = _set_aside(data, longs, pieces)
        self._count += 1
        path = os.path.join(self.spool, f"chunk-{self._count}.jsonl")
        with open(path, "wb") as f:
            f.write(data)
        chunk = Chunk(path, None, pieces, aside, self._objects, len(data))
        self._objects = 0
        yield chunk

    def _parquet(self, obj: LogObject) -> Chunk:
        if obj.path is not None:
            return Chunk(parquet=obj.path, objects=1, nbytes=obj.size or 0, temporary=False)
        path = spool_parquet(obj, self.spool)
        return Chunk(parquet=path, objects=1, nbytes=os.path.getsize(path))


def spool_parquet(obj: LogObject, spool: str) -> str:
    """A local copy of a remote Parquet file (DuckDB reads Parquet from files)."""
    fd, path = tempfile.mkstemp(suffix=".parquet", dir=spool)
    with obj.open() as src, os.fdopen(fd, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    return path


def _first_line_is_object(text: bytes) -> bool:
    """JSON Lines start with a whole object on the first line (a pretty-printed document does
    not); with only the head read, a line that goes on is taken to be one."""
    nl = text.find(b"\n")
    line = (text if nl < 0 else text[:nl]).rstrip()
    return nl < 0 or line.endswith(b"}")


def long_lines(data: bytes, limit: int = LONG_LINE) -> list[tuple[int, int]]:
    """(start, end) of the lines of `limit` bytes or more. Jumps a window ahead at a time, so
    the cost is a backwards search per window, not a look at every line."""
    out: list[tuple[int, int]] = []
    pos, n = 0, len(data)
    while n - pos >= limit:
        last = data.rfind(b"\n", pos, pos + limit)
        if last >= 0:
            pos = last + 1
            continue
        end = data.find(b"\n", pos + limit)
        end = n if end < 0 else end
        out.append((pos, end))
        pos = end + 1
    return out


def _set_aside(
    data: bytes, longs: list[tuple[int, int]], pieces: list[Piece]
) -> tuple[bytes, list[tuple[str, int, bytes]], list[Piece]]:
    aside: list[tuple[str, int, bytes]] = []
    kept: list[bytes] = []
    pos = 0
    removed: list[tuple[int, int]] = []
    for start, end in longs:
        piece = next(p for p in pieces if p.start <= start < p.end)
        line = piece.first_line + data.count(b"\n", piece.start, start)
        aside.append((piece.name, line, data[start:end]))
        kept.append(data[pos:start])
        removed.append((start, end + 1))
        pos = end + 1
    kept.append(data[pos:])

    def moved(offset: int) -> int:
        return offset - sum(min(e, offset) - s for s, e in removed if s < offset)

    new = [Piece(p.name, p.kind, moved(p.start), moved(p.end), p.first_line) for p in pieces]
    return b"".join(kept), aside, new
