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
- A wildcard selector (`$.a[*]`, `$.*`, current page) holds when one selected value passes: the
  page's `{ $.arrayKey[*] = %val.{2}% }` matches an array holding "value".
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
    Step,
    StringValue,
    TermsBody,
    Value,
    Wild,
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


def _getter(steps: tuple[Step, ...]) -> Callable[[Any], Any]:
    """Resolve a selector without wildcards; `_MISSING` when any step is absent or the wrong
    type."""
    if len(steps) == 1 and isinstance(steps[0], str):
        key = steps[0]
        return lambda record: record.get(key, _MISSING)

    def get(record: Any) -> Any:
        current: Any = record
        for step in steps:
            if isinstance(step, str):
                if not isinstance(current, Mapping):
                    return _MISSING
                current = current.get(step, _MISSING)
                if current is _MISSING:
                    return _MISSING
            elif isinstance(step, int) and isinstance(current, list) and step < len(current):
                current = current[step]
            else:
                return _MISSING
        return current

    return get


def _selector(steps: tuple[Step, ...]) -> Callable[[Mapping[str, Any]], list[Any]]:
    """Every value a selector with a wildcard reaches."""
    cut = next(i for i, s in enumerate(steps) if isinstance(s, Wild))
    wild = steps[cut]
    assert isinstance(wild, Wild)
    head = _getter(steps[:cut]) if cut else (lambda record: record)
    tail = _getter(steps[cut + 1 :]) if cut + 1 < len(steps) else None
    by_index = tail is not None and isinstance(steps[cut + 1], int)

    def many(record: Mapping[str, Any]) -> list[Any]:
        base = head(record)
        if wild.kind == "element":
            children = base if isinstance(base, list) else []
        else:
            children = list(base.values()) if isinstance(base, Mapping) else []
        if tail is None:
            return children
        found = (tail(c) for c in children
                 if isinstance(c, Mapping) or (isinstance(c, list) and by_index))  # fmt: skip
        return [v for v in found if v is not _MISSING]

    return many


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


def _exact_equality(item: JsonExpr) -> tuple[tuple[Step, ...], str] | None:
    """(selector steps, literal) of `$.x = "literal"` without wildcards, else None."""
    if not isinstance(item, Comparison) or item.op != "=" or item.selector.wild:
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
    literals: dict[tuple[Step, ...], set[str]] = {}
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


def _membership(steps: tuple[Step, ...], texts: frozenset[str]) -> RecordMatcher:
    get = _getter(steps)

    def member(record: Mapping[str, Any]) -> bool:
        text = scalar_text(get(record))
        return text is not None and text in texts

    return member


def _compile_check(check: Check) -> RecordMatcher:
    if check.selector.wild:
        # Undocumented with wildcards (a parse caveat says so): IS tests hold when one selected
        # value passes; NOT EXISTS when the wildcard selects nothing.
        select = _selector(check.selector.steps)
        if check.check == "NOT EXISTS":
            return lambda record: not select(record)
        want = {"IS NULL": None, "IS TRUE": True, "IS FALSE": False}[check.check]
        return lambda record: any(v is want for v in select(record))
    get = _getter(check.selector.steps)
    if check.check == "NOT EXISTS":
        return lambda record: get(record) is _MISSING
    if check.check == "IS NULL":
        return lambda record: get(record) is None
    if check.check == "IS TRUE":
        return lambda record: get(record) is True
    return lambda record: get(record) is False


def _compile_comparison(comp: Comparison) -> RecordMatcher:
    value_test = _value_test(comp.op, comp.value)
    if comp.selector.wild:
        # "select any array element or any JSON object field": one selected value suffices.
        select = _selector(comp.selector.steps)
        return lambda record: any(value_test(v) for v in select(record))
    get = _getter(comp.selector.steps)
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
    """Terms are case-sensitive substrings, not whole words (docs: ERROR matches ERRORCODE).
    Terms without `?` must all hold; with none, one `?` term must hold (see TermsBody)."""
    required = [t for t in body.terms if not t.optional]
    if required:
        include = tuple(_term_test(t.text, t.regex) for t in required if not t.exclude)
        exclude = tuple(_term_test(t.text, t.regex) for t in required if t.exclude)
        return lambda m: all(t(m) for t in include) and not any(t(m) for t in exclude)
    alternatives = tuple((_term_test(t.text, t.regex), t.exclude) for t in body.terms)
    return lambda m: any(test(m) != exclude for test, exclude in alternatives)


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
    """Columns read fields in order; `...` stands for any number of fields. A line with fewer
    fields than the pattern has columns never matches. A line with more fields matches when its
    first fields do: the current page's `[w1=ERROR, w2]` "returns log events where the first
    word in the log events is ERROR" on lines of six and seven fields (see
    `space_delimited_dispute` for the revision that said otherwise)."""
    columns = body.columns
    cut = next((i for i, c in enumerate(columns) if c.ellipsis), None)
    head = tuple(_column_test(c) for c in (columns if cut is None else columns[:cut]))
    tail = () if cut is None else tuple(_column_test(c) for c in columns[cut + 1 :])

    def match(message: str) -> bool:
        fields = split_fields(message)
        if len(fields) < len(head) + len(tail):
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


def space_delimited_dispute(body: SpaceBody) -> Callable[[str], str | None]:
    """Why a match of `compile_space_delimited` is in doubt, or None. Without `...`, a line with
    more fields than columns matches per the current page, but the 2020 revision
    (awsdocs FilterAndPatternSyntax.md @5ae5c9a) says `[w1=ERROR, w2]` matches "ERROR message"
    and not "ERROR WARN message"; and when the last column has a condition, no revision says
    whether it reads one field or the rest of the line."""
    columns = body.columns
    if any(c.ellipsis for c in columns):
        return lambda message: None
    count = len(columns)

    def dispute(message: str) -> str | None:
        fields = len(split_fields(message))
        if fields <= count:
            return None
        return (f"the line has {fields} fields and the pattern {count} columns without '...': "
                "the current AWS page matches such lines on their first fields, its 2020 "
                "revision required as many fields as columns")  # fmt: skip

    return dispute


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
