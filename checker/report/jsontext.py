"""JSON text as the reports write it: `json.dumps(value, indent=2, ensure_ascii=False)` and a
newline, byte for byte, made for a large report by orjson (a 10,000-file scan's 107 MB report
takes 0.1 s, against 1.6 s in the standard library's pure-Python indenting encoder) and handed
out in pieces: the top-level object, the objects it holds and their lists are written member by
member, and what those hold is encoded whole (one finding, one unit's coverage), so that a large
report is written as it is made rather than held whole. A list may be given as an iterator,
written as the list of what it yields, so that its elements need not exist all at once.

A piece orjson refuses (an integer beyond 64 bits, a string with a lone surrogate from an
undecodable file name, a key that is not a string) is encoded by the standard library, as
before. The reports hold no floats; orjson would write one in its own shortest form (`1e-7`, not
`1e-07`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

# findings from which orjson pays for its import (some 7 ms)
LARGE = 200
# objects less deep than this (the report object is 0) are written member by member, and lists
# one level deeper (the coverage section's units); deeper ones whole
_STREAMED = 2


def chunks(value: Any, large: bool = True) -> Iterator[str]:
    """`large`: orjson encodes (a small report, such as a pre-commit run's, is encoded by the
    standard library in less time than importing orjson takes)."""
    dumps = _orjson() if large else _standard
    yield from _pieces(value, 0, dumps)
    yield "\n"


Dumps = Callable[[Any], str]


def _standard(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _orjson() -> Dumps:
    import orjson

    def dumps(value: Any) -> str:
        try:
            return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
        except orjson.JSONEncodeError:
            return _standard(value)

    return dumps


def _pieces(value: Any, depth: int, dumps: Dumps) -> Iterator[str]:
    listed = isinstance(value, (list, Iterator))
    if listed and depth > _STREAMED:
        value = list(value)
    if isinstance(value, dict):
        # keys other than strings: the standard library's spelling of them, whole
        whole = depth >= _STREAMED or not all(isinstance(k, str) for k in value)
    else:
        whole = not listed or depth > _STREAMED
    if whole:
        yield _nested(value, 2 * depth, dumps)
        return
    inner = "\n" + "  " * (depth + 1)
    if isinstance(value, dict):
        items: Iterator[tuple[str | None, Any]] = iter(value.items())
        opening, closing = "{", "}"
    else:
        items = ((None, element) for element in value)
        opening, closing = "[", "]"
    separator = opening + inner
    for key, item in items:
        yield separator if key is None else f"{separator}{dumps(key)}: "
        separator = "," + inner
        yield from _pieces(item, depth + 1, dumps)
    yield opening + closing if separator.startswith(opening) else "\n" + "  " * depth + closing


def _nested(value: Any, indent: int, dumps: Dumps) -> str:
    """`value` as it is written starting `indent` spaces in: a JSON string holds no raw
    newline, so every newline of the text is one of its indentation's."""
    text = dumps(value)
    return text.replace("\n", "\n" + " " * indent) if indent else text
