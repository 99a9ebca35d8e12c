"""JSON with line numbers: CloudFormation JSON templates, and error locations in CLI output and
snapshots.

Python's `json` module says nothing about where a value was written, so this small reader walks
the text itself and builds the same `LineDict`/`LineList` values as the YAML reader. Strings go
through `json.decoder.scanstring` (the C scanner when available), so escapes and surrogate pairs
behave exactly as in `json.loads`. Nesting is bounded by `MAX_DEPTH` and a key written twice in
one object is an error (CloudFormation rejects it; `json.loads` would silently keep the last).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from checker.loaders.located import MAX_DEPTH, LineDict, LineList, SourceError
from checker.loaders.reading import SURROGATE

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
# the C string scanner json.loads uses (not in the typing stubs)
_scanstring: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_LITERALS = (("true", True), ("false", False), ("null", None))


def parse_json(text: str) -> Any:
    """The JSON value of `text` as LineDict/LineList/scalars; None for a blank text."""
    return _Reader(text).document()


class _Reader:
    def __init__(self, text: str) -> None:
        self.s = text
        self.n = len(text)
        self._pos = 0  # line cache: the line of position _pos
        self._line = 1

    def line_at(self, pos: int) -> int:
        if pos < self._pos:
            self._pos, self._line = 0, 1
        self._line += self.s.count("\n", self._pos, pos)
        self._pos = pos
        return self._line

    def fail(self, message: str, pos: int) -> SourceError:
        line = self.line_at(min(pos, self.n))
        column = pos - (self.s.rfind("\n", 0, pos) + 1) + 1
        return SourceError(f"invalid JSON: {message} (column {column})", line)

    def ws(self, pos: int) -> int:
        m = _WS.match(self.s, pos)
        return m.end() if m else pos

    def document(self) -> Any:
        pos = self.ws(0)
        if pos >= self.n:
            return None
        value, pos = self.value(pos, 0)
        pos = self.ws(pos)
        if pos < self.n:
            raise self.fail("extra data after the JSON value", pos)
        return value

    def value(self, pos: int, depth: int) -> tuple[Any, int]:
        c = self.s[pos] if pos < self.n else ""
        if c == '"':
            return self.string(pos)
        if c == "{":
            return self.object(pos, depth + 1)
        if c == "[":
            return self.array(pos, depth + 1)
        for word, literal in _LITERALS:
            if self.s.startswith(word, pos):
                return literal, pos + len(word)
        m = _NUMBER.match(self.s, pos)
        if m and m.end() > pos:
            text = m.group(0)
            number: Any = float(text) if (m.group(1) or m.group(2)) else int(text)
            return number, m.end()
        raise self.fail("expecting a value", pos)

    def string(self, pos: int) -> tuple[str, int]:
        try:
            value, end = _scanstring(self.s, pos + 1, True)
        except json.JSONDecodeError as e:
            raise self.fail(e.msg, e.pos) from None
        lone = SURROGATE.search(value)
        if lone is not None:  # `\ud800` alone: json accepts it, but it is no character
            raise self.fail(f"\\u{ord(lone.group()):04x} is half of a UTF-16 surrogate pair, "
                            "not a character", pos)
        return value, end

    def object(self, pos: int, depth: int) -> tuple[LineDict, int]:
        if depth > MAX_DEPTH:
            raise self.fail(f"nested deeper than {MAX_DEPTH} levels", pos)
        out = LineDict(self.line_at(pos))
        pos = self.ws(pos + 1)
        if self.s.startswith("}", pos):
            return out, pos + 1
        while True:
            if not self.s.startswith('"', pos):
                raise self.fail("expecting a property name in double quotes", pos)
            key_line = self.line_at(pos)
            key, pos = self.string(pos)
            pos = self.ws(pos)
            if not self.s.startswith(":", pos):
                raise self.fail("expecting ':' after a property name", pos)
            value, pos = self.value(self.ws(pos + 1), depth)
            if key in out:
                raise SourceError(
                    f"duplicate key {key!r} (first at line {out.key_lines[key]})", key_line
                )
            out[key] = value
            out.key_lines[key] = key_line
            pos = self.ws(pos)
            if self.s.startswith(",", pos):
                pos = self.ws(pos + 1)
            elif self.s.startswith("}", pos):
                return out, pos + 1
            else:
                raise self.fail("expecting ',' or '}'", pos)

    def array(self, pos: int, depth: int) -> tuple[LineList, int]:
        if depth > MAX_DEPTH:
            raise self.fail(f"nested deeper than {MAX_DEPTH} levels", pos)
        out = LineList(self.line_at(pos))
        pos = self.ws(pos + 1)
        if self.s.startswith("]", pos):
            return out, pos + 1
        while True:
            item_line = self.line_at(pos)
            value, pos = self.value(pos, depth)
            out.append(value)
            out.item_lines.append(item_line)
            pos = self.ws(pos)
            if self.s.startswith(",", pos):
                pos = self.ws(pos + 1)
            elif self.s.startswith("]", pos):
                return out, pos + 1
            else:
                raise self.fail("expecting ',' or ']'", pos)
