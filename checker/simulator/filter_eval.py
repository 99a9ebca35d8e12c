"""Compile parsed filter patterns into plain closures, once, so replaying many events is cheap.

JSON semantics (docs = awsdocs FilterAndPatternSyntax.md @5ae5c9a unless noted):
- A selector must reach a string or number ("value node"); objects and arrays never match, with
  `=` or `!=` alike. We treat JSON true/false/null the same way: only IS TRUE / IS FALSE / IS NULL
  test them (the docs give those checks for that; a parse caveat flags `= true`).
- An absent field matches neither `=` nor `!=`: confirmed in the CloudWatch console
  (DataBiosphere/azul#5884: `$.userIdentity.invokedBy != "cloudfront.amazonaws.com"` does not
  match a record without invokedBy). Only NOT EXISTS matches an absent field.
- Strings compare to the field's text; a number field's text is its JSON text, so `"123"` matches
  123 but `"123.0"` does not, while the bare number `123.0` does (numeric equality). This is what
  TestMetricFilter returned in a public test suite (json_filter tests, `someInt`/`someFloat`).
- A bare number compared with `=`/`!=` to a string field compares numerically when the string
  parses as a number, else they differ. `<`, `>`, `<=`, `>=` only match number fields.
- Only a leading/trailing `*` is a wildcard; `*` alone matches any string or number.
- `%regex%` is searched for (unanchored: the docs' `%AUTHORIZED%` matches "UNAUTHORIZED").
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

from checker.simulator.filter_ast import (
    CellComparison,
    Check,
    Column,
    Comparison,
    JsonExpr,
    NumberValue,
    Or,
    RegexValue,
    SpaceBody,
    StringValue,
    TermsBody,
    Value,
)
from checker.simulator.filter_parse import NUMBER_RE

RecordMatcher = Callable[[Mapping[str, Any]], bool]
MessageMatcher = Callable[[str], bool]
TextTest = Callable[[str], bool]

_MISSING: Any = object()
_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge,
}


def to_number(text: str) -> int | float:
    """A NUMBER_RE token as a Python number (ints stay exact)."""
    if "." in text or "e" in text or "E" in text:
        return float(text)
    return int(text)


def scalar_text(value: object) -> str | None:
    """The text a string or number field shows in the log; None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # what json.dumps writes for a finite float
    return None


def text_test(value: StringValue | RegexValue) -> TextTest:
    """A test on a text: wildcard string (leading/trailing `*`) or regex search."""
    if isinstance(value, RegexValue):
        search = re.compile(value.source).search
        return lambda s: search(s) is not None
    text = value.text
    lead = text.startswith("*")
    rest = text[1:] if lead else text
    trail = rest.endswith("*")
    core = rest[:-1] if trail else rest
    if lead and trail:
        return lambda s: core in s
    if lead:
        return lambda s: s.endswith(core)
    if trail:
        return lambda s: s.startswith(core)
    return lambda s: s == core


def _getter(steps: tuple[str | int, ...]) -> Callable[[Mapping[str, Any]], Any]:
    """Resolve a selector; `_MISSING` when any step is absent or the wrong type."""
    if len(steps) == 1 and isinstance(steps[0], str):
        key = steps[0]
        return lambda record: record.get(key, _MISSING)

    def get(record: Mapping[str, Any]) -> Any:
        current: Any = record
        for step in steps:
            if isinstance(step, str):
                if not isinstance(current, Mapping):
                    return _MISSING
                current = current.get(step, _MISSING)
                if current is _MISSING:
                    return _MISSING
            elif isinstance(current, list) and step < len(current):
                current = current[step]
            else:
                return _MISSING
        return current

    return get


# --- JSON -------------------------------------------------------------------------------------


def compile_json(expr: JsonExpr) -> RecordMatcher:
    if isinstance(expr, Comparison):
        return _compile_comparison(expr)
    if isinstance(expr, Check):
        return _compile_check(expr)
    if isinstance(expr, Or):
        return _compile_or(expr)
    parts = tuple(compile_json(item) for item in expr.items)
    return lambda record: all(part(record) for part in parts)


def _exact_equality(item: JsonExpr) -> tuple[tuple[str | int, ...], str] | None:
    """(selector steps, literal) of `$.x = "literal"` without wildcards, else None."""
    if not isinstance(item, Comparison) or item.op != "=":
        return None
    if not isinstance(item.value, StringValue):
        return None
    text = item.value.text
    if text.startswith("*") or text.endswith("*"):
        return None
    return item.selector.steps, text


def _compile_or(expr: Or) -> RecordMatcher:
    """`$.eventName = A || $.eventName = B || ...` (the CIS shape) becomes one set lookup per
    selector; the other alternatives are evaluated as they are (evaluation has no side effects,
    so the order does not matter)."""
    literals: dict[tuple[str | int, ...], set[str]] = {}
    parts: list[RecordMatcher] = []
    for item in expr.items:
        exact = _exact_equality(item)
        if exact is None:
            parts.append(compile_json(item))
        else:
            literals.setdefault(exact[0], set()).add(exact[1])
    sets = [_membership(steps, frozenset(texts)) for steps, texts in literals.items()]
    frozen = (*sets, *parts)
    return lambda record: any(part(record) for part in frozen)


def _membership(steps: tuple[str | int, ...], texts: frozenset[str]) -> RecordMatcher:
    get = _getter(steps)

    def member(record: Mapping[str, Any]) -> bool:
        text = scalar_text(get(record))
        return text is not None and text in texts

    return member


def _compile_check(check: Check) -> RecordMatcher:
    get = _getter(check.selector.steps)
    if check.check == "NOT EXISTS":
        return lambda record: get(record) is _MISSING
    if check.check == "IS NULL":
        return lambda record: get(record) is None
    if check.check == "IS TRUE":
        return lambda record: get(record) is True
    return lambda record: get(record) is False


def _compile_comparison(comp: Comparison) -> RecordMatcher:
    get = _getter(comp.selector.steps)
    value_test = _value_test(comp.op, comp.value)
    return lambda record: value_test(get(record))


def _value_test(op: str, value: Value) -> Callable[[Any], bool]:
    """A test on one resolved JSON value (or `_MISSING`) for `op value`."""
    if isinstance(value, NumberValue):
        number = to_number(value.text)
        if op in _ORDER:
            order = _ORDER[op]
            return lambda v: _is_number(v) and order(v, number)
        want = op == "="

        def number_equality(v: Any) -> bool:
            if _is_number(v):
                return bool(v == number) == want
            if isinstance(v, str):
                same = NUMBER_RE.fullmatch(v) is not None and to_number(v) == number
                return same == want
            return False  # absent, object, array, boolean, null: no match either way

        return number_equality
    test = text_test(value)
    want = op == "="

    def text_equality(v: Any) -> bool:
        text = scalar_text(v)
        return text is not None and test(text) == want

    return text_equality


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


# --- terms --------------------------------------------------------------------------------------


def compile_terms(body: TermsBody) -> MessageMatcher:
    """Terms are case-sensitive substrings, not whole words (docs: ERROR matches ERRORCODE)."""
    groups: list[tuple[tuple[TextTest, ...], tuple[TextTest, ...]]] = []
    for group in body.groups:
        include = tuple(_term_test(t.text, t.regex) for t in group.terms if not t.exclude)
        exclude = tuple(_term_test(t.text, t.regex) for t in group.terms if t.exclude)
        groups.append((include, exclude))
    frozen = tuple(groups)

    def match(message: str) -> bool:
        for include, exclude in frozen:
            if all(t(message) for t in include) and not any(t(message) for t in exclude):
                return True
        return False

    return match


def _term_test(text: str, regex: bool) -> TextTest:
    if regex:
        search = re.compile(text).search
        return lambda message: search(message) is not None
    return lambda message: text in message


# --- space-delimited ----------------------------------------------------------------------------

# "The characters between a pair of square brackets [] or two double quotes ("") are treated as a
# single field" (docs); the brackets and quotes are not part of the value.
_FIELD_RE = re.compile(r'"([^"]*)"?|\[([^\]]*)\]?|(\S+)')


def split_fields(message: str) -> list[str]:
    return [m.group(1) or m.group(2) or m.group(3) or "" for m in _FIELD_RE.finditer(message)]


def compile_space_delimited(body: SpaceBody) -> MessageMatcher:
    """Without `...` the message must have exactly as many fields as the pattern has columns:
    the docs' `[w1=ERROR, w2]` matches "ERROR message" but not "ERROR WARN message"."""
    columns = body.columns
    cut = next((i for i, c in enumerate(columns) if c.ellipsis), None)
    head = tuple(_column_test(c) for c in (columns if cut is None else columns[:cut]))
    tail = () if cut is None else tuple(_column_test(c) for c in columns[cut + 1 :])

    def match(message: str) -> bool:
        fields = split_fields(message)
        if cut is None:
            if len(fields) != len(head):
                return False
        elif len(fields) < len(head) + len(tail):
            return False
        for test, text in zip(head, fields, strict=False):
            if test is not None and not test(text):
                return False
        if tail:
            for test, text in zip(tail, fields[len(fields) - len(tail) :], strict=True):
                if test is not None and not test(text):
                    return False
        return True

    return match


def _column_test(column: Column) -> TextTest | None:
    if not column.condition:
        return None
    disjuncts = tuple(tuple(_cell_test(c) for c in conj) for conj in column.condition)

    def test(text: str) -> bool:
        return any(all(t(text) for t in conj) for conj in disjuncts)

    return test


def _cell_test(cell: CellComparison) -> TextTest:
    """A field is always present and always text; a number compares when the text is a number."""
    if isinstance(cell.value, NumberValue):
        number = to_number(cell.value.text)
        if cell.op in _ORDER:
            order = _ORDER[cell.op]
            return lambda s: NUMBER_RE.fullmatch(s) is not None and order(to_number(s), number)
        want = cell.op == "="
        return lambda s: (NUMBER_RE.fullmatch(s) is not None and to_number(s) == number) == want
    test = text_test(cell.value)
    if cell.op == "=":
        return test
    return lambda s: not test(s)
