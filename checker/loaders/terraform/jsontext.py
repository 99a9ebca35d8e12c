"""Values and JSON text, with unknown parts kept: `jsonencode` of a value holding unknowns, and
JSON text (or a policy string) read back into a value or document with unknown leaves.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from checker.loaders.terraform.values import (
    Invalid,
    PartialStr,
    join_parts,
    normalize_number,
    plain,
    type_name,
)
from checker.model import Unknown, partly_known

_PLACEHOLDER = "\u0000trailcheck-unknown-{}\u0000"
_PLACEHOLDER_RE = re.compile("\u0000trailcheck-unknown-(\\d+)\u0000")


def json_text(value: Any) -> Any:
    """`jsonencode`: the JSON text, or a PartialStr when some leaves are unknown (so that the
    document can still be read back with those leaves unknown)."""
    unknowns: list[Unknown] = []

    def sub(v: Any) -> Any:
        if isinstance(v, PartialStr):
            return "".join(p if isinstance(p, str) else _hole(p) for p in v.parts)
        if isinstance(v, Unknown):
            return _hole(v)
        if isinstance(v, list):
            return [sub(x) for x in v]
        if isinstance(v, dict):
            return {k: sub(x) for k, x in v.items()}
        if isinstance(v, float):
            return normalize_number(v)
        return v

    def _hole(u: Unknown) -> str:
        unknowns.append(u)
        return _PLACEHOLDER.format(len(unknowns) - 1)

    value = plain(value)
    if isinstance(value, Invalid):
        return value
    text = json.dumps(sub(value), separators=(",", ":"), ensure_ascii=False)
    if not unknowns:
        return text
    # the placeholders are written as \u0000 escapes by json.dumps; split on those
    pieces: list[Any] = []
    pos = 0
    escaped = re.compile(r"\\u0000trailcheck-unknown-(\d+)\\u0000")
    for m in escaped.finditer(text):
        pieces.append(text[pos : m.start()])
        pieces.append(unknowns[int(m.group(1))])
        pos = m.end()
    pieces.append(text[pos:])
    return join_parts(pieces)


def read_json_document(value: Any) -> Any:
    """A JSON text (or a PartialStr of one) as a Python value with `Unknown` leaves where parts of
    the text were unknown. Returns Unknown when the text is unknown as a whole or not JSON."""
    value = plain(value)
    if isinstance(value, PartialStr):
        holes: list[Unknown] = []
        text_parts: list[str] = []
        for p in value.parts:
            if isinstance(p, str):
                text_parts.append(p)
            else:
                holes.append(p)
                text_parts.append(_PLACEHOLDER.format(len(holes) - 1).replace("\u0000", "\\u0000"))
        try:
            doc = json.loads("".join(text_parts), strict=False)
        except json.JSONDecodeError:
            return Unknown(
                f"the policy has unknown parts and cannot be read as JSON: {value.reason}"
            )
        return _fill_holes(doc, holes)
    if isinstance(value, Unknown):
        return value
    if isinstance(value, (dict, list)):
        return value
    if not isinstance(value, str):
        return Invalid(f"a {type_name(value)} is not a JSON document")
    try:
        return json.loads(value, strict=False)
    except json.JSONDecodeError as e:
        return Invalid(
            f"the document is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}"
        )


def _fill_holes(doc: Any, holes: list[Unknown]) -> Any:
    if isinstance(doc, str):
        if "\u0000" not in doc:
            return doc
        parts: list[Any] = []
        pos = 0
        for m in _PLACEHOLDER_RE.finditer(doc):
            parts.append(doc[pos : m.start()])
            parts.append(holes[int(m.group(1))])
            pos = m.end()
        parts.append(doc[pos:])
        joined = join_parts(parts)
        if isinstance(joined, PartialStr) and len(joined.parts) == 1:
            return joined.parts[0]
        return joined
    if isinstance(doc, list):
        return [_fill_holes(x, holes) for x in doc]
    if isinstance(doc, dict):
        return {(_fill_key(k, holes)): _fill_holes(v, holes) for k, v in doc.items()}
    return doc


def _fill_key(k: str, holes: list[Unknown]) -> str:
    # an unknown map key cannot be represented: keep a readable marker in its place
    return _PLACEHOLDER_RE.sub("<unknown>", k)




def to_leaf(v: Any) -> Any:
    """A value as a policy document leaf: unknown parts become plain Unknown or Computed."""
    if isinstance(v, PartialStr):
        return partly_known(v.reason, v.parts)
    if isinstance(v, Invalid):
        return Unknown(v.reason)
    return v


def read_policy(value: Any) -> Mapping[str, Any] | Unknown | None:
    """A policy argument (JSON text, PartialStr, or already a document) as a document with
    Unknown leaves where the text had unknown parts."""
    value = plain(value)
    if value is None:
        return None
    if isinstance(value, str) and not value.strip():
        return None
    doc = read_json_document(value)
    if isinstance(doc, Unknown):
        return to_leaf(doc) if not isinstance(doc, PartialStr) else Unknown(doc.reason)
    if not isinstance(doc, dict):
        return Unknown("the policy is not a JSON object")
    out: dict[str, Any] = _leaves(doc)
    return out


def _leaves(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _leaves(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_leaves(x) for x in v]
    return to_leaf(v)
