"""JSON text as the reports write it: `json.dumps(value, indent=2, ensure_ascii=False)` and a
newline, byte for byte, made by orjson (a 10,000-file scan's 107 MB report takes 0.1 s, against
1.6 s in the standard library's pure-Python indenting encoder) and handed out in pieces, the
elements of the top-level object's lists one at a time (findings one by one), so that a large
report is written as it is made rather than held whole.

A piece orjson refuses (an integer beyond 64 bits, a string with a lone surrogate from an
undecodable file name, a key that is not a string) is encoded by the standard library, as before.
The reports hold no floats; orjson would write one in its own shortest form (`1e-7`, not
`1e-07`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import orjson


def chunks(value: Any) -> Iterator[str]:
    if not isinstance(value, dict) or not value:
        yield _nested(value, 0) + "\n"
        return
    opening = "{"
    for key, item in value.items():
        yield f"{opening}\n  {_nested(key, 0)}: "
        opening = ","
        if isinstance(item, list) and item:
            yield "[\n    " + _nested(item[0], 4)
            for element in item[1:]:
                yield ",\n    " + _nested(element, 4)
            yield "\n  ]"
        else:
            yield _nested(item, 2)
    yield "\n}\n"


def _nested(value: Any, indent: int) -> str:
    """`value` as it is written starting `indent` spaces in: a JSON string holds no raw
    newline, so every newline of the text is one of its indentation's."""
    try:
        text = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
    except orjson.JSONEncodeError:
        text = json.dumps(value, indent=2, ensure_ascii=False)
    return text.replace("\n", "\n" + " " * indent) if indent else text
