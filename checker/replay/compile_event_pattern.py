"""An EventBridge event pattern as a three-valued SQL condition over the CloudTrail table.

The pattern reads the event CloudTrail puts on the bus for the record (eventbridge_event.py):
`source` (`aws.` and the service prefix of a well-formed eventSource), `detail-type` (from
eventCategory and eventType), `account` (recipientAccountId), `region` (awsRegion), constants
(`version`, `id`, `resources`) and `detail`, the record itself. The condition is TRUE where the
pattern certainly matches, FALSE where it certainly does not, NULL where only the Python
evaluator (event_pattern.py) can tell; SQL's three-valued AND and OR combine the parts as the
evaluator's verdicts combine.

What is compiled, on a string column (detail fields the table types as text, `source`,
`account`, `region`): exact strings, `prefix`, `suffix`, `equals-ignore-case` (and the
`prefix`/`suffix` forms of it) on ASCII text, `wildcard` (one `*` as a prefix and a suffix, more
as LIKE when the text has no `%`, `_` or backslash), `anything-but` (values, or any of the
above), `exists`; `null`, booleans, numbers and `numeric` never match a string. `readOnly` and
`managementEvent` read `true`/`false` as the JSON booleans. Struct members (userIdentity,
tlsDetails, ...) are columns; `$or` at any level. Whatever the pattern asks of a value the
record certainly does not hold as a leaf (an absent field, a struct, `resources` when empty) is
computed here once, with the evaluator itself on that value, so the verdict is the simulator's.

Left NULL (undecided), each named in `notes`: the free-form JSON fields (`requestParameters`,
`responseElements`, ...) when the record has them, non-empty `resources`, fields the table does
not have, `time`, `detail.eventTime` and `detail.eventID` (the engine groups records by day),
`cidr`, ignore-case on non-ASCII text, wildcards with escapes, and a text field that starts with
`[` or `{` (it may be an array or object). As elsewhere in the replay (docs/semantics/replay.md),
a NULL in a typed column is an absent field (CloudTrail omits the fields a record lacks).

A pattern some of whose values are not known (`model.PartialPattern`: a role ARN assigned at
deploy) is compiled from its document, as the evaluator reads it: a field whose value (or a
branch of a `$or`) is not known is NULL; in a field's array, an unknown item is NULL
on a present string, unless its known stretches rule the string out (FALSE), and an operator
holding an unknown is NULL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from checker.model import PartlyKnown, Unknown
from checker.replay import schema
from checker.replay.sqltext import NULL_BOOL, all_of, any_of, case, ends_with, in_list, lit
from checker.simulator.event_pattern import EventPattern, compile_pattern, load_json, unknown_in
from checker.simulator.eventbridge_event import DETAIL_TYPES, detail_type, to_eventbridge_event

_MISSING: Any = object()
_UNKNOWN = Unknown("not known to the SQL")
_PROBE = to_eventbridge_event({})  # the event's constant members (version, id, resources)
SUFFIX = ".amazonaws.com"
# eventbridge_event._EVENT_SOURCE; ends_with keeps Java's `$` from accepting a final newline
WELL_FORMED = (f"coalesce(ends_with(eventsource, {lit(SUFFIX)}) AND regexp_matches(eventsource, "
               "'^[a-z0-9][a-z0-9-]*[.]amazonaws[.]com$'), FALSE)")  # fmt: skip
# Record fields the engine does not keep per record (it groups by day): not compiled
_UNREAD = ("eventTime", "eventID")


@dataclass(frozen=True)
class PatternSQL:
    expr: str  # TRUE, FALSE or NULL per record
    notes: tuple[str, ...]  # the parts left to the Python evaluator


@dataclass(frozen=True)
class _Const:
    value: Any  # a value every record's event has (_MISSING: absent)


@dataclass(frozen=True)
class _Text:
    sql: str  # a string; NULL: the field is absent
    unknown: str = "FALSE"  # the evaluator does not know the value (an Unknown)
    guard: bool = True  # a text that starts with [ or { may be an array or an object
    boolean: bool = False  # 'true' and 'false' are the JSON booleans


@dataclass(frozen=True)
class _Domain:
    cases: tuple[tuple[str, Any], ...]  # (condition, value), the first that holds
    default: Any


@dataclass(frozen=True)
class _Struct:
    field: schema.Field
    sql: str
    path: tuple[str, ...]


@dataclass(frozen=True)
class _Opaque:
    note: str
    absent: str | None = None  # where the field holds one of `alike`, else undecided
    alike: tuple[Any, ...] = ()


_Spec = _Const | _Text | _Domain | _Struct | _Opaque


def compile_event_pattern(pattern: str | Mapping[str, Any], paths: set[tuple[str, ...]]
                          ) -> PatternSQL:  # fmt: skip
    """The condition of a valid pattern (`compiled_pattern` gives no PatternProblem), from its
    text or from its document with values not known; adds the record fields it reads to
    `paths`."""
    c = _Compiler(paths)
    document = load_json(pattern) if isinstance(pattern, str) else pattern
    return PatternSQL(c.event(document), tuple(c.notes))


def static(part: Any, value: Any) -> str:
    """The evaluator's verdict, as SQL, on a pattern part (a field's array or object) for a value
    known in advance (_MISSING: the field is absent)."""
    if isinstance(part, dict) and not part:
        return "TRUE"  # an empty object adds no condition
    compiled = compile_pattern({"v": part})
    if not isinstance(compiled, EventPattern):  # a part of a valid pattern is valid
        return NULL_BOOL
    match = compiled.match({} if value is _MISSING else {"v": value}).match
    return NULL_BOOL if match is None else ("TRUE" if match else "FALSE")


def _not(expr: str) -> str:
    return {"TRUE": "FALSE", "FALSE": "TRUE"}.get(expr, f"(NOT {expr})")


class _Compiler:
    def __init__(self, paths: set[tuple[str, ...]]) -> None:
        self.paths = paths
        self.notes: list[str] = []

    def undecided(self, note: str) -> str:
        if note not in self.notes:
            self.notes.append(note)
        return NULL_BOOL

    def hole(self, value: Unknown) -> str:
        return self.undecided(f"a value of the pattern is not known ({value.reason})")

    def branches(self, value: list[Any], compile_branch: Any) -> str:
        """A `$or`: a branch that is not known is undecided (NULL), so the `$or` is TRUE when a
        known branch matches, as the evaluator has it."""
        return any_of([self.hole(b) if isinstance(b, Unknown) else compile_branch(b)
                       for b in value])  # fmt: skip

    # -- the event and the record ------------------------------------------------------------

    def event(self, node: Mapping[str, Any]) -> str:
        parts = []
        for key, value in node.items():
            if key == "$or":
                parts.append(self.branches(value, self.event))
            elif key == "detail" and isinstance(value, dict):
                parts.append(self.record(value))
            else:
                parts.append(self.field(self.envelope(key), value))
        return all_of(parts)

    def envelope(self, key: str) -> _Spec:
        if key == "source":
            self.paths |= {("eventSource",), ("eventCategory",)}
            unknown = (f"(coalesce(eventcategory, '') IN ('Insight', 'NetworkActivity') OR NOT "
                       f"{WELL_FORMED})")  # fmt: skip
            return _Text(f"('aws.' || substr(eventsource, 1, length(eventsource) - {len(SUFFIX)}))",
                         unknown, guard=False)  # fmt: skip
        if key == "detail-type":
            self.paths |= {("eventCategory",), ("eventType",)}
            cases = [(f"(eventcategory = {lit(c)})", detail_type({"eventCategory": c}))
                     for c in ("Insight", "NetworkActivity")]  # fmt: skip
            cases += [(f"(eventtype = {lit(t)})", detail_type({"eventType": t}))
                      for t in (*DETAIL_TYPES, "AwsConsoleSignIn")]  # fmt: skip
            return _Domain(tuple(cases), detail_type({}))
        if key in ("account", "region"):
            field = "recipientAccountId" if key == "account" else "awsRegion"
            column = field.lower()
            self.paths.add((field,))
            return _Text(column, f"(coalesce({column}, '') = '')")
        if key == "time":
            return _Opaque("the event's time is matched in Python")
        if key == "detail":  # an array of values: the record is an object, never a leaf
            return _Const({})
        return _Const(_PROBE.get(key, _MISSING))

    def record(self, node: Mapping[str, Any]) -> str:
        parts = []
        for key, value in node.items():
            if key == "$or":
                parts.append(self.branches(value, self.record))
            else:
                parts.append(self.field(self.member(None, key), value))
        return all_of(parts)

    def member(self, parent: _Struct | None, key: str) -> _Spec:
        field = schema.BY_KEY.get(key) if parent is None else parent.field.child(key)
        where = "detail." + ".".join((*(parent.path if parent else ()), key))
        if field is None:
            return _Opaque(f"{where} is not a column of the CloudTrail table")
        if parent is None and key in _UNREAD:
            return _Opaque(f"{where} is matched in Python")
        path = (*parent.path, key) if parent else (key,)
        sql = f"{parent.sql}.{field.column}" if parent else field.column
        self.paths.add(path)
        if field.kind == "struct":
            return _Struct(field, sql, path)
        if field.kind in ("text", "bool"):
            return _Text(sql, boolean=field.kind == "bool")
        if field.kind == "json":
            return _Opaque(f"{where} (JSON text in the table) is matched in Python",
                           f"({sql} IS NULL)", (_MISSING, None))  # fmt: skip
        if field.kind == "array":
            return _Opaque(f"{where} is matched in Python when the record has some",
                           f"({sql} IS NULL OR array_length({sql}) = 0)", (_MISSING, []))
        return _Opaque(f"{where} is matched in Python", f"({sql} IS NULL)", (_MISSING,))

    # -- one field ------------------------------------------------------------------------------

    def field(self, spec: _Spec, part: Any) -> str:
        if isinstance(part, Unknown):  # the whole value: matches or not, whatever the record
            return self.hole(part)
        if isinstance(spec, _Const):
            return static(part, spec.value)
        if isinstance(spec, _Domain):
            return case([(c, static(part, v)) for c, v in spec.cases], static(part, spec.default))
        if isinstance(spec, _Opaque):
            verdicts = {static(part, v) for v in spec.alike}
            if spec.absent is not None and len(verdicts) == 1:
                return case([(spec.absent, verdicts.pop())], self.undecided(spec.note))
            return self.undecided(spec.note)
        if isinstance(spec, _Struct):
            if isinstance(part, list):  # an object is not a leaf: as if absent
                return static(part, _MISSING)
            return self.struct(spec, part)
        return self.text(spec, part)

    def struct(self, spec: _Struct, node: dict[str, Any]) -> str:
        parts = []
        for key, value in node.items():
            if key == "$or":
                parts.append(self.branches(value, lambda b: self.struct(spec, b)))
            else:
                parts.append(self.field(self.member(spec, key), value))
        return case([(f"({spec.sql} IS NULL)", static(node, _MISSING))], all_of(parts))

    def text(self, spec: _Text, part: Any) -> str:
        s = spec.sql
        whens = []
        if spec.unknown != "FALSE":
            whens.append((spec.unknown, static(part, _UNKNOWN)))
        whens.append((f"({s} IS NULL)", static(part, _MISSING)))
        if spec.guard:
            note = "a text field that starts with [ or { (maybe an array) is matched in Python"
            whens.append((f"(starts_with({s}, '[') OR starts_with({s}, '{{'))",
                          self.undecided(note)))  # fmt: skip
        if spec.boolean:
            whens += [(f"({s} = 'true')", static(part, True)),
                      (f"({s} = 'false')", static(part, False))]  # fmt: skip
        if isinstance(part, dict):  # an object pattern on a string: no field of it is present
            present = static(part, "")
        else:
            present = any_of([self.matcher(item, s) for item in part])
        return case(whens, present)

    # -- one value of a field's array, on a present string ------------------------------------

    def matcher(self, item: Any, s: str) -> str:
        if isinstance(item, PartlyKnown):
            return self.partly_known(item, s)
        unknown = unknown_in(item)
        if unknown is not None:  # the item, or an operator holding an unknown value
            return self.hole(unknown)
        if isinstance(item, str):
            return f"({s} = {lit(item)})"
        if not isinstance(item, dict):
            return "FALSE"  # null, booleans and numbers never equal a string
        ((op, arg),) = item.items()
        if op == "exists":
            return "TRUE" if arg else "FALSE"
        if op in ("prefix", "suffix"):
            if isinstance(arg, dict):
                return self.folded(op, arg["equals-ignore-case"], s)
            return f"starts_with({s}, {lit(arg)})" if op == "prefix" else ends_with(s, [arg])
        if op == "equals-ignore-case":
            return self.folded("equals", arg, s)
        if op == "wildcard":
            return self.wildcard(arg, s)
        if op == "anything-but":
            return self.anything_but(arg, s)
        if op == "numeric":
            return "FALSE"  # numeric matches JSON numbers only
        return self.undecided(f"{op} is matched in Python")

    def folded(self, kind: str, text: str, s: str) -> str:
        """Ignore-case tests: Python's and SQL's lower() agree on ASCII; other text is left to
        the evaluator."""
        if not text.isascii():
            return self.undecided("equals-ignore-case on non-ASCII text is matched in Python")
        low = lit(text.lower())
        test = {"prefix": f"starts_with(lower({s}), {low})",
                "suffix": ends_with(f"lower({s})", [text.lower()]),
                "equals": f"(lower({s}) = {low})"}[kind]  # fmt: skip
        return f"(CASE WHEN length({s}) = strlen({s}) THEN {test} ELSE {NULL_BOOL} END)"

    def wildcard(self, text: str, s: str) -> str:
        if "\\" in text:
            return self.undecided("a wildcard with escapes is matched in Python")
        pieces = text.split("*")
        if len(pieces) == 1:
            return f"({s} = {lit(text)})"
        first, last = pieces[0], pieces[-1]
        if len(pieces) == 2:  # the two ends must not overlap
            need = len(first.encode()) + len(last.encode())
            return all_of([f"starts_with({s}, {lit(first)})" if first else "TRUE",
                           ends_with(s, [last]), f"(strlen({s}) >= {need})" if need else "TRUE"])
        if any(c in text for c in "%_"):
            return self.undecided("a wildcard with % or _ and several * is matched in Python")
        return f"({s} LIKE {lit('%'.join(pieces))})"

    def partly_known(self, item: PartlyKnown, s: str) -> str:
        """A string with known stretches: FALSE on a string they rule out, else NULL (the
        stretches in order, anything between: `PartlyKnown.can_be`, as LIKE)."""
        known = [p for p in item.parts if p is not None]
        if any(c in p for p in known for c in "%_\\"):
            return self.hole(item)
        like = "".join("%" if p is None else p for p in item.parts)
        return f"CASE WHEN ({s} LIKE {lit(like)}) THEN {NULL_BOOL} ELSE FALSE END"

    def anything_but(self, arg: Any, s: str) -> str:
        if isinstance(arg, dict):
            ((kind, inner),) = arg.items()
            texts: Sequence[Any] = inner if isinstance(inner, list) else [inner]
            return _not(any_of([self.matcher({kind: t}, s) for t in texts]))
        values = arg if isinstance(arg, list) else [arg]
        return _not(in_list(s, [v for v in values if isinstance(v, str)]))


__all__ = ["PatternSQL", "compile_event_pattern", "static"]
