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
import itertools
import os
import re
import shutil
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Literal

from checker.replay.sources import LogObject
from checker.simulator.delivery import MAX_EVENT_BYTES
from checker.simulator.replay import (
    ReplayError,
    iter_stream_records,
    lone_surrogate,
    unreadable_entry,
)

CHUNK_BYTES = 32 << 20
READ_BYTES = 1 << 20  # compressed bytes read at a time
BLOCK_BYTES = 4 << 20  # decompressed bytes handed on at a time (measured fastest with ISA-L)
PROBE_BYTES = 64 << 10  # what is looked at to tell an input's form
LONG_LINE = MAX_EVENT_BYTES // 5
# read_json's maximum_object_size: above LONG_LINE (no longer line reaches DuckDB) and well under
# CHUNK_BYTES. DuckDB's buffers are at least this large and a thread reads a buffer at a time:
# at 64 MB a chunk was parsed on one thread.
OBJECT_BYTES = 1 << 20
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
    first_line: int = 1  # "records": the position in the input of the piece's first record
    continued: bool = False  # the input's earlier records went in earlier chunks


@dataclass
class Chunk:
    """A JSON Lines spool file (`path`) or a Parquet file (`parquet`); `aside` holds the long
    lines set aside for the Python evaluator, as (input name, line, text)."""

    path: str | None = None
    parquet: str | None = None
    pieces: list[Piece] = field(default_factory=list)
    aside: list[tuple[str, int, bytes]] = field(default_factory=list)
    # inputs the feeder could not read (simulator/replay.py unreadable_entry): none of their
    # bytes are in this chunk
    unreadable: list[dict[str, Any]] = field(default_factory=list)
    objects: int = 0
    nbytes: int = 0
    temporary: bool = True
    source: str = ""  # a Parquet chunk's input name

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


# an escape of a high surrogate not followed by a low one, or of a low one after no high one
_LONE_ESCAPE = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
                          rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}")


def _without_lone_surrogates(name: str, blocks: Iterator[bytes]) -> Iterator[bytes]:
    """`blocks`, checked for escapes of half a surrogate pair: DuckDB reads the text as it is
    and would hand such strings on (the Python engine stops at them when it sizes a record).
    Each block is searched with the end of the text before it, so that an escape cut in two is
    seen; a high half at the very end waits for what follows."""
    offset, tail = 0, b""
    for block in blocks:
        if b"\\u" in block or b"\\" in tail:
            seen = tail + block
            at = _lone_escape(seen, final=False)
            if at is not None:
                raise lone_surrogate(name, f"byte {offset - len(tail) + at}")
        tail = (tail + block)[-12:]
        offset += len(block)
        yield block
    at = _lone_escape(tail, final=True)
    if at is not None:
        raise lone_surrogate(name, f"byte {offset - len(tail) + at}")


_LOW_PREFIX = re.compile(rb"(?:\\(?:u(?:[dD](?:[c-fC-F][0-9a-fA-F]{0,2})?)?)?)?")


def _lone_escape(text: bytes, *, final: bool) -> int | None:
    """Where `text` first holds an escape of half a surrogate pair; an escaped backslash
    (`\\\\ud800`) is no escape. Unless `final`, a high half whose end could still be followed
    by its low half in the next block does not count yet."""
    for m in _LONE_ESCAPE.finditer(text):
        backslashes = len(text[: m.start()]) - len(text[: m.start()].rstrip(b"\\"))
        if backslashes % 2:
            continue  # `\\` then `ud800`: text, not an escape
        high = m.group()[3:4].lower() in b"89ab"
        if high and not final and _LOW_PREFIX.fullmatch(text, m.end()):
            return None
        return m.start()
    return None


def decompressed_blocks(name: str, stream: IO[bytes]) -> Iterator[bytes]:
    """The stream's bytes in blocks of at most BLOCK_BYTES, gunzipped (every gzip member) when
    it starts like gzip. Bounding each block's size keeps memory flat and, with ISA-L, is
    faster than letting a block grow with whatever the compressed read holds."""
    data = stream.read(READ_BYTES)
    if data[:2] != b"\x1f\x8b":
        while data:
            yield data
            data = stream.read(READ_BYTES)
        return
    mod = _zlib()
    d = mod.decompressobj(31)
    try:
        while True:
            if not data:
                data = stream.read(READ_BYTES)
                if not data:
                    break
            if d.eof:  # the next gzip member
                d = mod.decompressobj(31)
            out = d.decompress(data, BLOCK_BYTES)
            data = d.unused_data if d.eof else d.unconsumed_tail
            if out:
                yield out
        tail = d.flush()
        if tail:
            yield tail
    except (zlib.error, mod.error, OSError, ValueError) as e:  # ISA-L has its own error class
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
    """Builds chunks from inputs; `chunks()` yields them (call from the feeder thread). Bytes go
    to the chunk file as they are decompressed: a JSON Lines input is never joined in memory."""

    def __init__(self, spool: str, chunk_bytes: int = CHUNK_BYTES) -> None:
        self.spool = spool
        self.chunk_bytes = chunk_bytes
        self._file: IO[bytes] | None = None
        self._path = ""
        self._size = 0
        self._pieces: list[Piece] = []
        self._piece: tuple[str, PieceKind, int, int] = ("", "lines", 0, 1)
        self._continued = False
        self._aside: list[tuple[str, int, bytes]] = []
        self._unreadable: list[dict[str, Any]] = []
        self._objects = 0
        self._count = 0

    def chunks(self, objects: Iterable[LogObject]) -> Iterator[Chunk]:
        try:
            for obj in objects:
                if obj.parquet:
                    yield from self._flush()
                    try:
                        chunk = self._parquet(obj)
                    except (ReplayError, OSError) as e:
                        self._unreadable.append(unreadable_entry(obj.name, e))
                        continue
                    yield chunk
                    continue
                yield from self._input(obj)
                if self._size >= self.chunk_bytes:
                    yield from self._flush()
            yield from self._flush()
        finally:
            if self._file is not None:  # stopped early: the chunk under way is not handed on
                self._file.close()
                with contextlib.suppress(OSError):
                    os.remove(self._path)

    # -- one input ------------------------------------------------------------------------------

    def _input(self, obj: LogObject) -> Iterator[Chunk]:
        """The input's records into the chunk; an input that cannot be read is taken back out
        of the chunk under way and reported with it. Only an input longer than a chunk, damaged
        after its first chunk, leaves records behind (in the chunks already handed on)."""
        start, pieces, aside, spanned = self._size, len(self._pieces), len(self._aside), False
        self._continued = False
        try:
            with obj.open() as stream:
                self._objects += 1
                for _ in self._add(obj.name, stream):
                    yield from self._flush()
                    start, pieces, aside, spanned = 0, 0, 0, True
                    self._continued = True
        except (ReplayError, OSError) as e:
            if self._file is not None:
                self._file.seek(start)
                self._file.truncate()
            self._size = start
            del self._pieces[pieces:], self._aside[aside:]
            if not spanned and self._objects:
                self._objects -= 1
            entry = unreadable_entry(obj.name, e)
            self._unreadable.append({**entry, "partly_replayed": True} if spanned else entry)

    def _add(self, name: str, stream: IO[bytes]) -> Iterator[None]:
        """Append the input's records; yields whenever the chunk is full."""
        blocks = _without_lone_surrogates(name, decompressed_blocks(name, stream))
        head: list[bytes] = []
        for block in blocks:
            head.append(block)
            if sum(len(b) for b in head) >= 64:
                break
        probe = (head[0] if len(head) == 1 else b"".join(head))[:PROBE_BYTES]
        text = probe.lstrip(b"\xef\xbb\xbf \t\r\n")
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
            self._delivery(name, parts[0] if len(parts) == 1 else b"".join(parts))
        elif text.startswith(b"{") and not text.startswith(b'{"Records"') \
                and _first_line_is_object(text):
            yield from self._lines(name, itertools.chain(head, blocks))
        else:
            yield from self._records(name, _Rewind(head, blocks))

    def _write(self, data: bytes | memoryview) -> None:
        if self._file is None:
            self._count += 1
            self._path = os.path.join(self.spool, f"chunk-{self._count}.jsonl")
            self._file = open(self._path, "wb")  # noqa: SIM115 - closed by _flush
        self._file.write(data)
        self._size += len(data)

    def _begin(self, name: str, kind: PieceKind, first_line: int = 1) -> None:
        self._piece = (name, kind, self._size, first_line)

    def _end(self) -> None:
        name, kind, start, first_line = self._piece
        if self._size > start:
            self._pieces.append(Piece(name, kind, start, self._size, first_line,
                                      self._continued))  # fmt: skip

    def _delivery(self, name: str, data: bytes) -> None:
        """The records of a compact delivery file, one per line. The cut is made on the whole
        file and the Records list's brackets are skipped by offset: no further copy."""
        end = len(data)
        while end and data[end - 1] in b" \t\r\n":
            end -= 1
        if data[end - 2 : end] != b"]}":
            raise ReplayError(f"{name}: not valid JSON: the Records list is not closed")
        end -= 2
        start = data.find(_DELIVERY_PREFIX, 0, PROBE_BYTES) + len(_DELIVERY_PREFIX)
        if data.find(b"{", start, end) < 0:  # no record
            return
        text = data.replace(_CUT, _CUT_TO)
        self._begin(name, "delivery")
        pos = start
        for begin, stop in long_lines(text, start=start, end=end):  # taken out: the piece
            self._write(memoryview(text)[pos:begin])  # stays a Records list
            self._aside.append((name, 1 + text.count(b"\n", start, begin), text[begin:stop]))
            pos = stop + 1
        if pos < end:
            self._write(memoryview(text)[pos:end])
        self._write(b"\n")
        self._end()

    def _lines(self, name: str, blocks: Iterable[bytes]) -> Iterator[None]:
        """JSON Lines, block by block: the complete lines of each block are written as they
        are; the line under way is carried to the next block."""
        line = 1  # the input's line number of the next complete line
        self._begin(name, "lines", line)
        carry: list[bytes] = []
        carry_len = 0
        for block in blocks:
            last = block.rfind(b"\n")
            if last < 0:
                carry.append(block)
                carry_len += len(block)
                continue
            end = last + 1
            if carry_len + block.find(b"\n") >= LONG_LINE or long_lines(block, end=end):
                self._put_lines(name, b"".join([*carry, block[:end]]), line)
            else:
                for part in carry:
                    self._write(part)
                self._write(block if end == len(block) else memoryview(block)[:end])
            line += block.count(b"\n", 0, end)
            carry = [block[end:]] if end < len(block) else []
            carry_len = len(block) - end
            if self._size >= self.chunk_bytes:
                self._end()
                yield None  # the caller hands the chunk on
                self._begin(name, "lines", line)
        if carry_len:
            self._put_lines(name, b"".join(carry) + b"\n", line)
        self._end()

    def _put_lines(self, name: str, data: bytes, line: int) -> None:
        """Complete lines, those of LONG_LINE bytes or more set aside (an empty line in their
        place keeps the chunk's line numbers the input's)."""
        pos = 0
        for start, end in long_lines(data):
            self._write(memoryview(data)[pos:start])
            self._write(b"\n")
            self._aside.append((name, line + data.count(b"\n", 0, start), data[start:end]))
            pos = end + 1
        self._write(memoryview(data)[pos:])

    def _records(self, name: str, stream: Any) -> Iterator[None]:
        import json

        try:
            import orjson

            dumps: Any = orjson.dumps
        except ModuleNotFoundError:  # pragma: no cover - orjson comes with the logs extra
            def dumps(r: Any) -> bytes:
                return json.dumps(r, separators=(",", ":"), ensure_ascii=False).encode()
        self._begin(name, "records")
        for n, record in enumerate(iter_stream_records(name, stream), 1):
            try:
                text = dumps(record)
            except (TypeError, UnicodeEncodeError):  # orjson, json: a lone surrogate
                raise lone_surrogate(name, f"record {n}") from None
            if len(text) >= LONG_LINE:
                self._aside.append((name, n, text))
                continue
            self._write(text + b"\n")
            if self._size >= self.chunk_bytes:
                self._end()
                yield None
                self._begin(name, "records", n + 1)  # the input's position of the next record
        self._end()

    # -- chunks ---------------------------------------------------------------------------------

    def _flush(self) -> Iterator[Chunk]:
        if self._file is None and not self._aside and not self._unreadable:
            return
        if self._file is None:  # every record was set aside: an empty chunk carries them
            self._write(b"")
        assert self._file is not None
        self._file.close()
        chunk = Chunk(self._path, None, self._pieces, self._aside, self._unreadable,
                      self._objects, self._size)  # fmt: skip
        self._file, self._pieces, self._aside, self._size, self._objects = None, [], [], 0, 0
        self._unreadable = []
        yield chunk

    def _parquet(self, obj: LogObject) -> Chunk:
        if obj.path is not None:
            return Chunk(parquet=obj.path, objects=1, nbytes=obj.size or 0, temporary=False,
                         source=obj.name)  # fmt: skip
        path = spool_parquet(obj, self.spool)
        return Chunk(parquet=path, objects=1, nbytes=os.path.getsize(path), source=obj.name)


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


def long_lines(data: bytes, limit: int = LONG_LINE, *, start: int = 0, end: int | None = None
               ) -> list[tuple[int, int]]:  # fmt: skip
    """(start, end) of the lines of `limit` bytes or more in `data[start:end]`. Jumps a window
    ahead at a time, so the cost is a backwards search per window, not a look at every line."""
    out: list[tuple[int, int]] = []
    pos, n = start, len(data) if end is None else end
    while n - pos >= limit:
        last = data.rfind(b"\n", pos, pos + limit)
        if last >= 0:
            pos = last + 1
            continue
        stop = data.find(b"\n", pos + limit, n)
        stop = n if stop < 0 else stop
        out.append((pos, stop))
        pos = stop + 1
    return out
