"""CloudWatch Logs metric filter patterns as SQL over the CloudTrail table.

A JSON pattern compiles to a boolean expression with the matching rules of filter_eval.py: a
selector must reach a string or a number; an absent field matches neither `=` nor `!=`; only a
leading or trailing `*` is a wildcard; a bare number compares numerically. The expression is TRUE
or FALSE, or NULL where the table cannot tell (a free-form field that is JSON null or absent at
its top level, which the table stores alike): SQL's three-valued AND and OR then give NULL exactly
when the answer depends on that, and the engine asks the Python evaluator for those records.

Fields are read as the table types them (schema.py): text fields are strings, `readOnly` and
`managementEvent` booleans, and paths into `requestParameters`, `responseElements`,
`additionalEventData`, `serviceEventDetails` and `edgeDeviceDetails` go through JSON functions,
which keep the value's JSON type. Term and space-delimited patterns read the record's JSON text,
which the table does not keep; they, regular expressions beyond a portable subset, array steps
and any pattern node this compiler does not know raise NotCompiled (the Python evaluator decides).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from checker.replay import schema
from checker.replay.sqltext import NULL_BOOL, NotCompiled, all_of, any_of, lit
from checker.simulator.filter_ast import (
    And,
    Check,
    Comparison,
    JsonBody,
    NumberValue,
    Or,
    RegexValue,
    Selector,
    StringValue,
)
from checker.simulator.filter_pattern import Pattern

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Regular expressions that mean the same to Python's re, RE2 (DuckDB), Java (Trino, Spark).
_PORTABLE_REGEX = re.compile(r"(?:[A-Za-z0-9 _\-:/@,=]|\\[.*+?()\[\]|^$\\]|[.*+?|^()])*")
_NUMERIC_TYPES = "('BIGINT', 'UBIGINT', 'HUGEINT', 'UHUGEINT', 'DOUBLE')"
_SQL_NUMBER = "'^[+-]?[0-9]+([.][0-9]+)?([eE][+-]?[0-9]+)?$'"  # filter_parse.NUMBER_RE


@dataclass(frozen=True)
class _Ref:
    """Where a selector leads. kind: 'text' or 'bool' (a typed column), 'json' (a path inside a
    free-form column), 'absent' (cannot exist), 'object' (a struct: never a scalar)."""

    kind: str
    sql: str = ""
    path: str = "$"


def compile_pattern(pattern: Pattern, paths: set[tuple[str, ...]]) -> str:
    """A boolean SQL expression (TRUE, FALSE or NULL per record); adds the fields read to
    `paths`. Raises NotCompiled."""
    body = pattern.body
    if body is None:
        return "TRUE"
    if not isinstance(body, JsonBody):
        raise NotCompiled("term and space-delimited patterns read the record's text")
    return _expr(body.expr, paths)


def _expr(node: object, paths: set[tuple[str, ...]]) -> str:
    if isinstance(node, And):
        return all_of([_expr(i, paths) for i in node.items])
    if isinstance(node, Or):
        return any_of([_expr(i, paths) for i in node.items])
    if isinstance(node, Comparison):
        return _comparison(node, _ref(node.selector, paths))
    if isinstance(node, Check):
        return _check(node, _ref(node.selector, paths))
    raise NotCompiled(f"the pattern node {type(node).__name__} is not compiled")


def _ref(selector: Selector, paths: set[tuple[str, ...]]) -> _Ref:
    steps = selector.steps
    if not isinstance(steps, tuple) or not steps or not all(isinstance(s, str) for s in steps):
        raise NotCompiled(f"the selector {selector} has array or wildcard steps")
    keys = [str(s) for s in steps]
    field = schema.BY_KEY.get(keys[0])
    if field is None:
        raise NotCompiled(f"the field {keys[0]} is not a column of the CloudTrail table")
    column = [field.column]
    for i, key in enumerate(keys[1:], 1):
        if field.kind == "json":
            if not all(_KEY.fullmatch(k) for k in keys[i:]):
                raise NotCompiled(f"the selector {selector} has keys JSON paths cannot name")
            paths.add(tuple(keys[:i]))
            return _Ref("json", ".".join(column), "$." + ".".join(keys[i:]))
        if field.kind != "struct":
            paths.add(tuple(keys[:i]))
            return _Ref("absent")  # a member of a text field or of the resources list
        child = field.child(key)
        if child is None:
            raise NotCompiled(f"{selector} is not a member of the CloudTrail table")
        field = child
        column.append(child.column)
    paths.add(tuple(keys))
    if field.kind in ("text", "bool"):
        return _Ref(field.kind, ".".join(column))
    if field.kind == "json":
        return _Ref("json", ".".join(column))
    return _Ref("object", ".".join(column))


def _json(ref: _Ref, func: str) -> str:
    return f"{func}({ref.sql}, {lit(ref.path)})"


def _scalar_text(ref: _Ref) -> str | None:
    """SQL for the text of a string or number value; None when the value is never one."""
    if ref.kind == "text":
        return ref.sql
    if ref.kind == "json":
        kinds = "('VARCHAR', " + _NUMERIC_TYPES[1:]
        return (f"(CASE WHEN {_json(ref, 'json_type')} IN {kinds} "
                f"THEN {_json(ref, 'json_extract_string')} END)")  # fmt: skip
    return None


def _text_test(value: StringValue | RegexValue, text: str) -> str:
    if isinstance(value, RegexValue):
        if not _PORTABLE_REGEX.fullmatch(value.source):
            raise NotCompiled(f"the regular expression %{value.source}% is not compiled")
        return f"regexp_matches({text}, {lit(value.source)})"
    raw = value.text
    lead = raw.startswith("*")
    rest = raw[1:] if lead else raw
    trail = rest.endswith("*")
    core = rest[:-1] if trail else rest
    if (lead and trail) or (lead and not core):
        return "TRUE" if not core else f"(strpos({text}, {lit(core)}) > 0)"
    if lead:
        return f"ends_with({text}, {lit(core)})"
    if trail:
        return f"starts_with({text}, {lit(core)})"
    return f"({text} = {lit(core)})"


def _comparison(node: Comparison, ref: _Ref) -> str:
    value = node.value
    if isinstance(value, NumberValue):
        return _number(node.op, value.text, ref)
    text = _scalar_text(ref)
    if text is None:
        return "FALSE"
    test = _text_test(value, text)
    want = "" if node.op == "=" else "NOT "
    return f"coalesce({text} IS NOT NULL AND {want}{test}, FALSE)"


def _number(op: str, number: str, ref: _Ref) -> str:
    n = f"CAST({lit(number)} AS DOUBLE)"
    if ref.kind != "json":
        if op not in ("=", "!=") or ref.kind != "text":
            return "FALSE"  # only JSON numbers order; booleans and objects never compare
        same = (f"(regexp_matches({ref.sql}, {_SQL_NUMBER}) AND "
                f"TRY_CAST({ref.sql} AS DOUBLE) = {n})")  # fmt: skip
        return f"coalesce({same if op == '=' else f'NOT {same}'} AND {ref.sql} IS NOT NULL, FALSE)"
    kind = _json(ref, "json_type")
    num = f"TRY_CAST({_json(ref, 'json_extract_string')} AS DOUBLE)"
    if op not in ("=", "!="):
        return f"coalesce({kind} IN {_NUMERIC_TYPES} AND {num} {op} {n}, FALSE)"
    text = _json(ref, "json_extract_string")
    same_string = f"(regexp_matches({text}, {_SQL_NUMBER}) AND {num} = {n})"
    want = "" if op == "=" else "NOT "
    return (f"coalesce(CASE WHEN {kind} IN {_NUMERIC_TYPES} THEN {want}({num} = {n}) "
            f"WHEN {kind} = 'VARCHAR' THEN {want}{same_string} ELSE FALSE END, FALSE)")  # fmt: skip


def _check(node: Check, ref: _Ref) -> str:
    kind = node.check
    if ref.kind == "absent":
        return "TRUE" if kind == "NOT EXISTS" else "FALSE"
    if ref.kind in ("text", "object"):
        # a NULL in a typed column is taken as an absent field (CloudTrail omits missing
        # fields); a string or a struct is never JSON null, true or false
        return f"({ref.sql} IS NULL)" if kind == "NOT EXISTS" else "FALSE"
    if ref.kind == "bool":
        if kind == "NOT EXISTS":
            return f"({ref.sql} IS NULL)"
        if kind == "IS NULL":
            return "FALSE"
        # a JSON boolean reads as lower-case text; a string spelled otherwise is no boolean
        want = "true" if kind == "IS TRUE" else "false"
        return f"coalesce({ref.sql} = {lit(want)}, FALSE)"
    jtype = _json(ref, "json_type")
    if ref.path == "$" and kind in ("NOT EXISTS", "IS NULL"):
        # the column is NULL both when the field is absent and when it is JSON null
        return f"(CASE WHEN {ref.sql} IS NULL THEN {NULL_BOOL} ELSE FALSE END)"
    if kind == "NOT EXISTS":
        return f"({jtype} IS NULL)"
    if kind == "IS NULL":
        return f"coalesce({jtype} = 'NULL', FALSE)"
    want = "true" if kind == "IS TRUE" else "false"
    return (f"coalesce({jtype} = 'BOOLEAN' AND {_json(ref, 'json_extract_string')} = "
            f"{lit(want)}, FALSE)")  # fmt: skip
