"""A JSON Lines chunk's records read back in Python (checker/replay/feed.py writes the chunks),
in the order of the inputs: the records DuckDB left undecided, those that repeat an event of the
chunk (dedupe.py: the first read is the one counted), or every record when DuckDB cannot read
the chunk. The long lines the feeder set aside come back at their place: each keeps the line
(JSON Lines) or the record's position (delivery files, records the Python reader wrote) that it
had in its input.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping
from typing import Any

from checker.replay.feed import Chunk, Piece
from checker.simulator.replay import ReplayError, iter_stream_records

Aside = tuple[str, int, Mapping[str, Any]]  # input name, line or position, record


def checked_aside(chunk: Chunk) -> tuple[list[Aside], dict[str, dict[str, Any]]]:
    """The long lines the feeder set aside, parsed, and the inputs (by name) one of which is not
    a JSON object."""
    records: list[Aside] = []
    damaged: dict[str, dict[str, Any]] = {}
    for name, line, text in chunk.aside:
        try:
            record = json.loads(text)
        except UnicodeDecodeError as e:
            damaged.setdefault(name, {"file": name, "line": line, "problem": "not UTF-8 text "
                                      f"(invalid byte 0x{text[e.start]:02x})"})  # fmt: skip
            continue
        except json.JSONDecodeError as e:
            damaged.setdefault(name, {"file": name, "line": line, "column": e.colno,
                                      "problem": f"not valid JSON: {e.msg}"})  # fmt: skip
            continue
        if not isinstance(record, dict):
            damaged.setdefault(name, {"file": name, "line": line, "problem": "the line is a JSON "
                                      f"{type(record).__name__}, not a CloudTrail record object"})
            continue
        records.append((name, line, record))
    return records, damaged


def ordered_records(chunk: Chunk, aside: list[Aside], skip: frozenset[str] = frozenset()
                    ) -> Iterator[tuple[Mapping[str, Any], bool]]:  # fmt: skip
    """Every record of the chunk but those of the inputs in `skip`, in input order, each with
    whether it is one the feeder set aside."""
    waiting: dict[str, list[Aside]] = {}
    for item in aside:
        if item[0] not in skip:
            waiting.setdefault(item[0], []).append(item)
    for piece in chunk.pieces:
        if piece.name in skip:
            continue
        mine = sorted(waiting.pop(piece.name, []), key=lambda a: a[1])
        taken = {a[1] for a in mine}
        for place, record in _numbered(chunk, piece, taken):
            while mine and mine[0][1] < place:
                yield mine.pop(0)[2], True
            yield record, False
        for item in mine:
            yield item[2], True
    for items in waiting.values():  # an input all of whose records in the chunk were set aside
        for item in sorted(items, key=lambda a: a[1]):
            yield item[2], True


def _numbered(chunk: Chunk, piece: Piece, taken: set[int]
              ) -> Iterator[tuple[int, Mapping[str, Any]]]:  # fmt: skip
    """The piece's records with their line (JSON Lines: the set-aside lines left an empty line)
    or their position in the input, counting the positions of the records set aside."""
    if piece.kind == "lines":
        yield from piece_lines(chunk, piece)
        return
    place = piece.first_line
    for record in piece_records(chunk, piece):
        while place in taken:
            place += 1
        yield place, record
        place += 1


def piece_records(chunk: Chunk, piece: Piece) -> Iterator[Mapping[str, Any]]:
    """The piece's records in order (a delivery file's read back as its Records list)."""
    if piece.kind != "delivery":
        for _, record in piece_lines(chunk, piece):
            yield record
        return
    data = chunk.piece_bytes(piece)
    data = b'{"Records":[' + data.rstrip(b"\n").replace(b'}\n{"eventVersion":',
                                                         b'},{"eventVersion":') + b"]}"
    yield from iter_stream_records(piece.name, io.BytesIO(data))


def piece_lines(chunk: Chunk, piece: Piece) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """A lines (or records) piece's records with their line numbers."""
    data = chunk.piece_bytes(piece)
    for n, line in enumerate(data.split(b"\n"), piece.first_line):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except UnicodeDecodeError as e:  # worded as the reader words it
            raise ReplayError(f"{piece.name}:{n}: not UTF-8 text (invalid byte "
                              f"0x{line[e.start]:02x})") from e  # fmt: skip
        except json.JSONDecodeError as e:
            raise ReplayError(f"{piece.name}:{n}:{e.colno}: not valid JSON: {e.msg}") from e
        if not isinstance(record, dict):
            raise ReplayError(f"{piece.name}:{n}: the line is a JSON {type(record).__name__}, "
                              "not a CloudTrail record object")  # fmt: skip
        yield n, record
