"""Reading CloudTrail records to replay, one at a time: a delivery file `{"Records": [...]}` (gzip
or not), a JSON array of records, JSON Lines (one record per line), or the output of `aws
cloudtrail lookup-events` (`{"Events": [{"CloudTrailEvent": "<record>", ...}]}`, read whole).

Records stream from the input: memory stays bounded by the largest record, whatever the file's
size. Both replay engines read them here (checker/replay/engine.py): the Python engine sends them
through `simulate_event` one by one, with the full "why missed" explanations, and the DuckDB
engine, which compiles the same decisions to SQL, is checked against it.

Errors name the file and the line (JSON syntax, JSON Lines) or the record number (a record that
is not an object) so that a user can find the bad spot; they never carry a traceback.
"""

from __future__ import annotations

import codecs
import gzip
import json
import re
import zlib
from collections.abc import Iterator, Mapping
from typing import IO, Any

READ_SIZE = 1 << 20
_DELIVERY_HEAD = re.compile(r'\{\s*"Records"\s*:\s*\[')
_RECORDS_KEY = re.compile(r'\{\s*"Records"\s*:')
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class ReplayError(ValueError):
    """An events file that cannot be read: the message names the file and where."""


_PLACE = re.compile(r":(\d+)(?::(\d+))?: ")


def lone_surrogate(name: str, where: str) -> ReplayError:
    """An escape of half a UTF-16 surrogate pair (`\\ud800` alone) at `where` (a record, a
    byte): JSON readers accept it, but it is no character, so no record holding it can be sized
    or written; the file is not CloudTrail's (which writes UTF-8) and is reported unreadable."""
    return ReplayError(f"{name}: {where} holds an escape of half a UTF-16 surrogate pair (such "
                       "as \\ud800 alone), which is not a character")


def unreadable_entry(name: str, error: BaseException) -> dict[str, Any]:
    """What the report says of an input that cannot be read: the file, the line (and column)
    when the error names them, and why. `error` is a ReplayError whose message starts with the
    file's name (as every one raised here does) or an OSError from opening or reading it."""
    if isinstance(error, OSError) and not isinstance(error, ReplayError):
        return {"file": name, "problem": f"cannot read: {error.strerror or error}"}
    text = str(error)
    rest = text[len(name):] if text.startswith(name) else ": " + text
    entry: dict[str, Any] = {"file": name}
    m = _PLACE.match(rest)
    if m:
        entry["line"] = int(m.group(1))
        if m.group(2):
            entry["column"] = int(m.group(2))
        rest = rest[m.end():]
    else:
        rest = rest.removeprefix(": ")
    entry["problem"] = rest
    return entry


def open_decompressed(name: str, raw: IO[bytes]) -> IO[bytes]:
    """`raw`, gunzipped on the fly when it starts with the gzip magic number."""
    head = _peek(raw, 2)
    if head == b"\x1f\x8b":
        return gzip.GzipFile(filename=name, mode="rb", fileobj=raw)  # type: ignore[return-value]
    return raw


def _peek(raw: IO[bytes], n: int) -> bytes:
    peek = getattr(raw, "peek", None)
    if peek is not None:
        return bytes(peek(n)[:n])
    head = raw.read(n)
    raw.seek(-len(head), 1)
    return head


class _Text:
    """Decoded text of a byte stream, read in blocks, with the line number of what was consumed."""

    def __init__(self, name: str, stream: IO[bytes]) -> None:
        self.name = name
        self.stream = stream
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.buf = ""
        self.pos = 0
        self.line = 1  # line number of buf[0]
        self.eof = False
        self._first = True

    def more(self) -> bool:
        """Read another block; False at the end of the stream."""
        if self.eof:
            return False
        try:
            data = self.stream.read(READ_SIZE)
        except EOFError as e:  # worded as the DuckDB engine's feeder words it
            raise ReplayError(f"{self.name}: not a valid gzip file (the file is truncated)"
                              ) from e  # fmt: skip
        except (OSError, zlib.error) as e:
            raise ReplayError(f"{self.name}: not a valid gzip file ({e})") from e
        if self._first:
            self._first = False
            if data[:3] == b"\xef\xbb\xbf":
                data = data[3:]
        try:
            text = self.decoder.decode(data, final=not data)
        except UnicodeDecodeError as e:
            line = self.line + self.buf.count("\n") + data[: e.start].count(b"\n")
            bad = e.object[e.start]  # the offset is the block's, not the file's: not shown
            raise ReplayError(f"{self.name}:{line}: not UTF-8 text (invalid byte 0x{bad:02x})"
                              ) from e  # fmt: skip
        self.compact()
        self.buf += text
        if not data:
            self.eof = True
        return True

    def compact(self) -> None:
        if self.pos > (1 << 16):
            self.line += self.buf.count("\n", 0, self.pos)
            self.buf = self.buf[self.pos :]
            self.pos = 0

    def skip_ws(self) -> bool:
        """Skip whitespace; False when the text ends."""
        while True:
            m = _WS.match(self.buf, self.pos)
            self.pos = m.end() if m else self.pos
            if self.pos < len(self.buf):
                return True
            if not self.more():
                return False

    def where(self, pos: int | None = None) -> tuple[int, int]:
        pos = self.pos if pos is None else pos
        line = self.line + self.buf.count("\n", 0, pos)
        start = self.buf.rfind("\n", 0, pos) + 1
        return line, pos - start + 1

    def error(self, message: str, pos: int | None = None) -> ReplayError:
        line, col = self.where(pos)
        return ReplayError(f"{self.name}:{line}:{col}: {message}")


def iter_stream_records(name: str, stream: IO[bytes]) -> Iterator[Mapping[str, Any]]:
    """The records of one input stream (gzip or not), in order. Raises ReplayError naming `name`
    and the place."""
    try:
        yield from _stream_records(name, stream)
    except RecursionError:
        raise ReplayError(f"{name}: the JSON is nested too deeply to read") from None


def _stream_records(name: str, stream: IO[bytes]) -> Iterator[Mapping[str, Any]]:
    text = _Text(name, open_decompressed(name, stream))
    if not text.skip_ws():
        raise ReplayError(f"{name}: the file is empty; expected CloudTrail records")
    while len(text.buf) - text.pos < 64 and text.more():
        pass
    first = text.buf[text.pos]
    if first == "[":
        text.pos += 1
        yield from _array(text, delivery=False)
    elif first == "{" and _DELIVERY_HEAD.match(text.buf, text.pos):
        text.pos = _DELIVERY_HEAD.match(text.buf, text.pos).end()  # type: ignore[union-attr]
        yield from _array(text, delivery=True)
    elif first == "{" and not _RECORDS_KEY.match(text.buf, text.pos):
        yield from _lines(text)
    else:
        yield from _whole(text)


def _whole(text: _Text) -> Iterator[Mapping[str, Any]]:
    """A document that is none of the streamed forms: read whole, for its error message."""
    while text.more():
        pass
    yield from parse_records(text.name, text.buf[text.pos :])


def _array(text: _Text, *, delivery: bool) -> Iterator[Mapping[str, Any]]:
    index = 0
    while True:
        if not text.skip_ws():
            raise text.error("not valid JSON: the array of records is not closed")
        ch = text.buf[text.pos]
        if ch == "]":
            text.pos += 1
            break
        if index:
            if ch != ",":
                raise text.error("not valid JSON: expected ',' or ']' between records")
            text.pos += 1
            if not text.skip_ws():
                raise text.error("not valid JSON: the array of records is not closed")
        value = _decode_value(text)
        index += 1
        if not isinstance(value, dict):
            raise ReplayError(f"{text.name}: record {index} is a JSON {type(value).__name__}, "
                              "not an object")  # fmt: skip
        yield value
    if delivery:
        if not text.skip_ws() or text.buf[text.pos] != "}":
            raise text.error('not valid JSON: expected "}" after the Records list')
        text.pos += 1
    if text.skip_ws():
        raise text.error("not valid JSON: extra data after the records")


def _decode_value(text: _Text) -> Any:
    while True:
        try:
            value, end = _DECODER.raw_decode(text.buf, text.pos)
        except json.JSONDecodeError as e:
            if not text.eof and text.more():
                continue  # the value may go on in the next block
            raise text.error(f"not valid JSON: {e.msg}", e.pos) from e
        if end == len(text.buf) and not text.eof and text.buf[end - 1] not in "}]\"":
            text.more()  # a number cut by the block boundary: read on and decode again
            continue
        text.pos = end
        return value


def _lines(text: _Text) -> Iterator[Mapping[str, Any]]:
    """JSON Lines; a single record written over several lines is read as one document."""
    first = True
    while True:
        nl = text.buf.find("\n", text.pos)
        while nl < 0 and text.more():
            nl = text.buf.find("\n", text.pos)
        if nl < 0 and text.pos >= len(text.buf):
            return
        end = len(text.buf) if nl < 0 else nl
        line = text.buf[text.pos : end]
        start = text.pos
        if line.strip():
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                if first:
                    text.pos = start
                    yield from _whole(text)
                    return
                lineno, _ = text.where(start)
                raise ReplayError(f"{text.name}:{lineno}:{e.colno}: not valid JSON: {e.msg}"
                                  ) from e  # fmt: skip
            if not isinstance(rec, dict):
                lineno, _ = text.where(start)
                kind = type(rec).__name__
                raise ReplayError(f"{text.name}:{lineno}: the line is a JSON {kind}, not a "
                                  "CloudTrail record object")  # fmt: skip
            first = False
            yield rec
        text.pos = end + 1
        text.compact()
        if nl < 0:
            return


def parse_records(path: str, text: str) -> list[Mapping[str, Any]]:
    """The records of one whole document's text (see the module docstring for the forms)."""
    stripped = text.strip()
    if not stripped:
        raise ReplayError(f"{path}: the file is empty; expected CloudTrail records")
    doc: Any
    try:
        doc = json.loads(stripped)
    except json.JSONDecodeError as whole:
        raise ReplayError(f"{path}:{whole.lineno}:{whole.colno}: not valid JSON: {whole.msg}"
                          ) from whole  # fmt: skip
    records: Any
    if isinstance(doc, dict) and "Records" in doc:
        records = doc["Records"]
        if not isinstance(records, list):
            raise ReplayError(f"{path}: \"Records\" must be a list of CloudTrail records")
    elif isinstance(doc, list):
        records = doc
    elif isinstance(doc, dict) and isinstance(doc.get("Events"), list):
        records = [_looked_up(path, i, e) for i, e in enumerate(doc["Events"], 1)]
    elif isinstance(doc, dict):
        records = [doc]
    else:
        raise ReplayError(f"{path}: expected {{\"Records\": [...]}}, a JSON array of records or "
                          f"JSON Lines, found a JSON {type(doc).__name__}")  # fmt: skip
    for i, rec in enumerate(records, 1):
        if not isinstance(rec, dict):
            raise ReplayError(f"{path}: record {i} is a JSON {type(rec).__name__}, "
                              "not an object")  # fmt: skip
    checked: list[Mapping[str, Any]] = records
    return checked


def _looked_up(path: str, index: int, event: Any) -> Any:
    """The record of one event of `aws cloudtrail lookup-events` output: its CloudTrailEvent, a
    JSON string holding the whole record (CloudTrail API reference, Event)."""
    text = event.get("CloudTrailEvent") if isinstance(event, dict) else None
    if not isinstance(text, str):
        raise ReplayError(f"{path}: event {index} of the lookup-events output has no "
                          "CloudTrailEvent")  # fmt: skip
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise ReplayError(f"{path}: the CloudTrailEvent of event {index} of the lookup-events "
                          f"output is not valid JSON: {e.msg}") from e  # fmt: skip
