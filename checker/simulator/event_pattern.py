"""Amazon EventBridge event patterns: validated, compiled once, matched with a tri-state verdict.

    >>> p = compile_pattern('{"source": ["aws.s3"], "detail": {"eventName": [{"prefix": "Put"}]}}')
    >>> p.match({"source": "aws.s3", "detail": {"eventName": "PutObject"}}).match
    True

An invalid pattern is a `PatternProblem` (message, path in the pattern, line and column for JSON
syntax errors), returned, never raised. Sources, cited as [UG] (EventBridge User Guide, "Creating
event patterns" / "Event pattern syntax" and "Comparison operators for use in event patterns"),
[UG-2023] (its archived revision, awsdocs/amazon-eventbridge-user-guide @HEAD~1, June 2023) and
[Ruler] (aws/event-ruler README, AWS's open-source implementation of this language, consulted
where the user guide is silent). The facts and the choices are in docs/semantics/eventbridge.md.

Matching, in short:
- A pattern field matches when any of its values matches; all fields must match; `$or` matches
  when any branch does [UG]. An event array matches when any element matches [UG, arrays].
- A missing field matches nothing but `{"exists": false}`; an object, an empty array or an array
  of objects is not a leaf, so for `exists` it counts as missing [Ruler, exists matching].
- Strings match exactly and case-sensitively; `null` and `""` are distinct values [UG].
- Numbers: [UG] compares exact values by their text (300, 300.0 and 3.0e2 differ) and [UG-2023]
  limits `numeric` to +-5.0e9 with six decimals, while [Ruler] compares by value over the whole
  float64 range. Where these readings give different answers the verdict is unknown.
- An event value that is an `Unknown` (trailcheck does not know it) makes a test unknown; a
  `OneOf` unknown (one of a few candidates) is tested with each candidate and is unknown only
  when they disagree.
- A pattern value that is an `Unknown` (a role ARN assigned at deploy) is a hole: the field it
  stands in may or may not match, the other fields are matched as usual, so a pattern for
  `aws.sts` still matches no `aws.signin` event. A string with known stretches (`PartlyKnown`)
  matches no value its stretches rule out. Validation skips holes (`EventPattern.holes`).
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from checker.model import PartlyKnown, Tri, Unknown
from checker.simulator.verdict import Verdict, all_of, any_of, no, unknown, yes

MAX_PATTERN_LENGTH = 4096  # [UG quotas]: event pattern size, 2048 by default, raisable to 4096
DEFAULT_PATTERN_LENGTH = 2048
MAX_OR_COMBINATIONS = 1000  # [UG]: InvalidEventPatternException over 1000 `$or` combinations
NUMERIC_LIMIT = Decimal("5.0e9")  # [UG-2023] numeric matching range, inclusive
NUMERIC_DECIMALS = Decimal("0.000001")  # [UG-2023] six digits right of the decimal point

OPERATORS = ("prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but", "numeric",
             "cidr", "exists")  # fmt: skip
_ANYTHING_BUT_KINDS = ("prefix", "suffix", "equals-ignore-case", "wildcard")
_RANGE_OPS = {">": "low", ">=": "low", "<": "high", "<=": "high"}


# --- JSON with number texts --------------------------------------------------------------------


class JsonInt(int):
    """An int that remembers how it was written (EventBridge compares number texts)."""

    text: str


class JsonFloat(float):
    text: str


def _int(text: str) -> JsonInt:
    n = JsonInt(text)
    n.text = text
    return n


def _float(text: str) -> JsonFloat:
    n = JsonFloat(text)
    n.text = text
    return n


def load_json(text: str, duplicates: list[str] | None = None) -> Any:
    """`json.loads` keeping each number's text; keys seen twice are appended to `duplicates`
    (the last one wins, as EventBridge does [UG]). Raises ValueError (json.JSONDecodeError)."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out and duplicates is not None:
                duplicates.append(key)
            out[key] = value
        return out

    return json.loads(text, parse_int=_int, parse_float=_float, object_pairs_hook=pairs)


def number_text(value: int | float) -> str:
    text = getattr(value, "text", None)
    if isinstance(text, str):
        return text
    return str(value) if isinstance(value, int) else repr(value)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _shown(value: object, limit: int = 80) -> str:
    if isinstance(value, Unknown):
        return str(value)
    text = json.dumps(value, separators=(", ", ": "), default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- unknown values with candidates ------------------------------------------------------------


@dataclass(frozen=True)
class OneOf(Unknown):
    """An unknown value that is one of `values` (for example two documented spellings)."""

    values: tuple[Any, ...] = ()


# --- problems ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PatternProblem:
    """Why a pattern is invalid. `path` locates the offending part ("detail.state[0].prefix");
    `line`/`column` (1-based) are set for JSON syntax errors."""

    message: str
    path: str = ""
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}: " if self.line is not None else ""
        at = f" (at {self.path})" if self.path else ""
        return f"{where}{self.message}{at}"


class _Invalid(Exception):
    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.problem = PatternProblem(message, path)


# --- leaf matchers -----------------------------------------------------------------------------

Test = Callable[[Any], Tri]  # one present scalar leaf value (str, number, bool, None) -> Tri


@dataclass(frozen=True)
class Matcher:
    shown: str  # the pattern item as written, for reasons
    test: Test = field(compare=False)
    exists: bool | None = None  # set for {"exists": ...}, which looks at presence only
    hole: Unknown | None = None  # set for a value of the pattern that is not known


def _hole(value: Unknown, element: bool) -> Matcher:
    """A matcher for an unknown pattern value. `element`: the value is one item of an array of
    values; a string with known stretches then matches only strings those stretches allow."""
    if element and isinstance(value, PartlyKnown):
        known = value

        def test(v: Any) -> Tri:
            return Unknown(value.reason) if isinstance(v, str) and known.can_be(v) else False

        return Matcher(str(value), test)
    return Matcher(str(value), lambda v: Unknown(value.reason), hole=value)


def unknown_in(value: Any) -> Unknown | None:
    """The first value not known in a pattern value (itself, or inside its objects and arrays)."""
    if isinstance(value, Unknown):
        return value
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for item in items:
        found = unknown_in(item)
        if found is not None:
            return found
    return None


def _exact(value: Any) -> Test:
    if value is None or isinstance(value, (bool, str)):
        return lambda v: v is value if value is None or isinstance(value, bool) else v == value
    return lambda v: _same_number(value, v) if _is_number(v) else False


def _same_number(pattern: int | float, value: int | float) -> Tri:
    """[UG]: numbers match by their text; [Ruler] also matches equal values."""
    if number_text(pattern) == number_text(value):
        return True
    if float(pattern) == float(value):
        return Unknown(f"{number_text(value)} equals {number_text(pattern)} in value but not as "
                       "written: the user guide compares number texts (300 and 300.0 differ), "
                       "AWS's Event Ruler compares values")  # fmt: skip
    return False


def _string_test(kind: str, text: str, ignore_case: bool) -> Callable[[str], bool]:
    want = text.lower() if ignore_case else text
    fold: Callable[[str], str] = str.lower if ignore_case else (lambda s: s)
    if kind == "prefix":
        return lambda s: fold(s).startswith(want)
    if kind == "suffix":
        return lambda s: fold(s).endswith(want)
    if kind == "equals-ignore-case":
        return lambda s: s.lower() == text.lower()
    regex = re.compile(_wildcard_regex(text), re.DOTALL)
    return lambda s: regex.fullmatch(s) is not None


def _wildcard_regex(text: str, path: str = "") -> str:
    """[Ruler]: `*` is any run of characters; `**` is not allowed; `\\*` and `\\\\` are literal;
    a backslash before anything else is invalid."""
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            nxt = text[i + 1] if i + 1 < len(text) else ""
            if nxt not in ("*", "\\"):
                raise _Invalid("in a wildcard a backslash may only escape '*' or '\\'", path)
            out.append(re.escape(nxt))
            i += 2
            continue
        if c == "*":
            if text[i + 1 : i + 2] == "*":
                raise _Invalid("consecutive wildcard characters ('**') are not allowed", path)
            out.append(".*")
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def _on_strings(test: Callable[[str], bool]) -> Test:
    return lambda v: isinstance(v, str) and test(v)


def _anything_but_values(values: list[Any]) -> Test:
    strings = frozenset(v for v in values if isinstance(v, str))
    numbers = [v for v in values if _is_number(v)]

    def test(v: Any) -> Tri:
        if isinstance(v, str):
            return v not in strings
        if _is_number(v):
            seen: Tri = False
            for n in numbers:
                same = _same_number(n, v)
                if same is True:
                    return False
                if isinstance(same, Unknown):
                    seen = same
            return Unknown(seen.reason) if isinstance(seen, Unknown) else True
        return True  # null and booleans are never among the excluded strings or numbers

    return test


def _anything_but_strings(tests: list[Callable[[str], bool]]) -> Test:
    # A value that is not a string never satisfies the inner string test, so it is matched.
    return lambda v: not (isinstance(v, str) and any(t(v) for t in tests))


def _numeric_test(conditions: list[tuple[str, Decimal]]) -> Test:
    ops: dict[str, Callable[[Decimal, Decimal], bool]] = {
        "=": lambda a, b: a == b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
    }  # fmt: skip

    def holds(value: Decimal, bounds: list[tuple[str, Decimal]]) -> bool:
        return all(ops[op](value, bound) for op, bound in bounds)

    def test(v: Any) -> Tri:
        if not _is_number(v):
            return False  # [UG]: numeric matching works with values that are JSON numbers
        value = Decimal(number_text(v))
        exact = holds(value, conditions)
        if abs(value) > NUMERIC_LIMIT or any(abs(b) > NUMERIC_LIMIT for _, b in conditions):
            old: bool | None = None  # out of the 2023 range: not compared at all then
        else:
            old = holds(value.quantize(NUMERIC_DECIMALS),
                        [(op, b.quantize(NUMERIC_DECIMALS)) for op, b in conditions])
        if old is None and not exact:
            return False
        if old is None or old != exact:
            return Unknown(f"comparing {number_text(v)} depends on EventBridge's numeric "
                           "precision: the 2023 user guide allows +-5.0e9 with six decimals, "
                           "AWS's Event Ruler the whole float64 range")  # fmt: skip
        return exact

    return test


def _cidr_test(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> Test:
    def test(v: Any) -> Tri:
        if not isinstance(v, str):
            return False
        try:
            address = ipaddress.ip_address(v)
        except ValueError:
            return False
        return address.version == network.version and address in network

    return test


# --- compiling ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    matchers: tuple[Matcher, ...]


@dataclass(frozen=True)
class Node:
    """An object of the pattern: fields (a Leaf or a nested Node) and `$or` groups."""

    fields: tuple[tuple[str, Leaf | Node], ...]
    ors: tuple[tuple[Node, ...], ...] = ()


@dataclass
class _Context:
    caveats: list[str] = field(default_factory=list)
    holes: list[str] = field(default_factory=list)

    def hole(self, value: Unknown, element: bool = False) -> Matcher:
        if value.reason not in self.holes:
            self.holes.append(value.reason)
        return _hole(value, element)

    def caveat(self, text: str) -> None:
        if text not in self.caveats:
            self.caveats.append(text)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _compile_node(obj: Mapping[str, Any], path: str, ctx: _Context) -> Node:
    fields: list[tuple[str, Leaf | Node]] = []
    ors: list[tuple[Node, ...]] = []
    for key, value in obj.items():
        where = _join(path, key)
        if isinstance(value, Unknown):  # the whole value unknown: may match or not
            fields.append((key, Leaf((ctx.hole(value),))))
        elif key == "$or":
            ors.append(_compile_or(value, where, ctx))
        elif isinstance(value, list):
            fields.append((key, _compile_leaf(value, where, ctx)))
        elif isinstance(value, dict):
            if not value:
                ctx.caveat(f"{where} is an empty object: it adds no condition")
            fields.append((key, _compile_node(value, where, ctx)))
        else:
            raise _Invalid(f"the value of {where!r} must be an array of values to match (for "
                           f"example [{_shown(value)}]) or an object of nested fields",
                           where)  # fmt: skip
    return Node(tuple(fields), tuple(ors))


def _compile_or(value: Any, path: str, ctx: _Context) -> tuple[Node, ...]:
    if not isinstance(value, list) or len(value) < 2 or not all(
        isinstance(v, Unknown) or (isinstance(v, dict) and v) for v in value
    ):
        raise _Invalid("$or needs an array of at least two non-empty objects, each a set of "
                       "fields to match", path)  # fmt: skip
    # a branch that is not known may match or not; the others still decide when one matches
    return tuple(
        Node(((f"$or[{i}]", Leaf((ctx.hole(v),))),)) if isinstance(v, Unknown)
        else _compile_node(v, f"{path}[{i}]", ctx)
        for i, v in enumerate(value)
    )  # fmt: skip


def _compile_leaf(values: list[Any], path: str, ctx: _Context) -> Leaf:
    if not values:
        raise _Invalid(f"{path!r} has an empty array: list at least one value to match", path)
    matchers: list[Matcher] = []
    for i, item in enumerate(values):
        where = f"{path}[{i}]"
        hole = unknown_in(item)
        if hole is not None:
            matchers.append(ctx.hole(item if isinstance(item, Unknown) else hole,
                                     element=isinstance(item, Unknown)))  # fmt: skip
        elif item is None or isinstance(item, (bool, str)) or _is_number(item):
            matchers.append(Matcher(_shown(item), _exact(item)))
        elif isinstance(item, dict):
            matchers.append(_compile_operator(item, where, ctx))
        else:
            raise _Invalid("an array of values to match cannot contain an array; list the "
                           "values directly", where)  # fmt: skip
    return Leaf(tuple(matchers))


def _string(value: Any, what: str, path: str) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"{what} takes a string, not {_shown(value)}", path)
    return value


def _compile_operator(item: Mapping[str, Any], path: str, ctx: _Context) -> Matcher:
    if len(item) != 1:
        raise _Invalid("a matching object holds exactly one operator, such as "
                       '{"prefix": "us-"}; found ' + (", ".join(item) or "none"), path)  # fmt: skip
    op, arg = next(iter(item.items()))
    where = _join(path, op)
    shown = _shown(dict(item))
    if op in ("prefix", "suffix"):
        if isinstance(arg, dict):  # [UG]: prefix/suffix with equals-ignore-case
            if list(arg) != ["equals-ignore-case"]:
                raise _Invalid(f'{op} takes a string or {{"equals-ignore-case": "..."}}', where)
            text = _string(arg["equals-ignore-case"], f"{op} equals-ignore-case", where)
            return Matcher(shown, _on_strings(_string_test(op, text, ignore_case=True)))
        text = _string(arg, op, where)
        return Matcher(shown, _on_strings(_string_test(op, text, ignore_case=False)))
    if op == "equals-ignore-case":
        text = _string(arg, op, where)
        return Matcher(shown, _on_strings(_string_test(op, text, ignore_case=True)))
    if op == "wildcard":
        text = _string(arg, op, where)
        regex = re.compile(_wildcard_regex(text, where), re.DOTALL)
        return Matcher(shown, _on_strings(lambda s: regex.fullmatch(s) is not None))
    if op == "anything-but":
        return Matcher(shown, _compile_anything_but(arg, where, ctx))
    if op == "numeric":
        return Matcher(shown, _numeric_test(_numeric_conditions(arg, where, ctx)))
    if op == "cidr":
        return Matcher(shown, _cidr_test(_network(arg, where)))
    if op == "exists":
        if not isinstance(arg, bool):
            raise _Invalid("exists takes true or false", where)
        return Matcher(shown, lambda v: arg, exists=arg)
    raise _Invalid(f"unknown operator {op!r}; the operators are " + ", ".join(OPERATORS), where)


def _compile_anything_but(arg: Any, path: str, ctx: _Context) -> Test:
    if isinstance(arg, str) or _is_number(arg):
        return _anything_but_values([arg])
    if isinstance(arg, list):
        kinds = {"string" if isinstance(v, str) else "number" if _is_number(v) else "other"
                 for v in arg}  # fmt: skip
        if not arg or "other" in kinds or len(kinds) > 1:
            raise _Invalid("anything-but takes a string, a number, or a non-empty array of only "
                           "strings or only numbers", path)  # fmt: skip
        return _anything_but_values(arg)
    if isinstance(arg, dict) and len(arg) == 1 and next(iter(arg)) in _ANYTHING_BUT_KINDS:
        kind, inner = next(iter(arg.items()))
        where = _join(path, kind)
        texts = inner if isinstance(inner, list) else [inner]
        if not texts or not all(isinstance(t, str) for t in texts):
            raise _Invalid(f"anything-but {kind} takes a string (or an array of strings)", where)
        if isinstance(inner, list):
            ctx.caveat(f"{where} lists several values: AWS's Event Ruler accepts that, the 2023 "
                       "user guide says anything-but takes a single prefix, not a list")
        for t in texts if kind == "wildcard" else ():
            _wildcard_regex(t, where)  # validate, so the error names this place
        return _anything_but_strings([_string_test(kind, t, kind == "equals-ignore-case")
                                      for t in texts])
    raise _Invalid("anything-but takes a value, an array of values, or one of "
                   + ", ".join(f'{{"{k}": ...}}' for k in _ANYTHING_BUT_KINDS), path)


def _numeric_conditions(arg: Any, path: str, ctx: _Context) -> list[tuple[str, Decimal]]:
    shape = ('numeric takes ["<op>", number] or a range such as [">", 0, "<=", 5], with '
             "operators =, <, <=, >, >=")
    if not isinstance(arg, list) or len(arg) not in (2, 4):
        raise _Invalid(shape, path)
    conditions: list[tuple[str, Decimal]] = []
    for op, bound in zip(arg[::2], arg[1::2], strict=True):
        if op not in ("=", *_RANGE_OPS) or not _is_number(bound):
            raise _Invalid(shape, path)
        try:
            number = Decimal(number_text(bound))
        except InvalidOperation:
            raise _Invalid(f"{number_text(bound)} is not a number EventBridge compares",
                           path) from None  # fmt: skip
        if not number.is_finite() or not math.isfinite(float(number)):
            raise _Invalid(f"{number_text(bound)} is out of the float64 range", path)
        if abs(number) > NUMERIC_LIMIT:
            ctx.caveat(f"{path}: {number_text(bound)} is outside +-5.0e9, the numeric range of "
                       "the 2023 user guide (AWS's Event Ruler now accepts any float64)")
        conditions.append((op, number))
    if len(conditions) == 2:
        sides = {_RANGE_OPS.get(op) for op, _ in conditions}
        if sides != {"low", "high"}:
            raise _Invalid("a numeric range needs one lower bound (> or >=) and one upper bound "
                           "(< or <=)", path)  # fmt: skip
        low = next(b for op, b in conditions if _RANGE_OPS[op] == "low")
        high = next(b for op, b in conditions if _RANGE_OPS[op] == "high")
        if low >= high:
            raise _Invalid("the lower bound of a numeric range must be below its upper bound",
                           path)  # fmt: skip
    return conditions


def _network(arg: Any, path: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    text = _string(arg, "cidr", path)
    if "/" not in text:
        raise _Invalid(f"cidr takes a block such as 10.0.0.0/24, not {text!r}", path)
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise _Invalid(f"{text!r} is not an IPv4 or IPv6 CIDR block", path) from None


def _combinations(node: Node) -> int:
    """[UG]: the number of rule combinations multiplies the sizes of the `$or` arrays."""
    total = 1
    for _, child in node.fields:
        if isinstance(child, Node):
            total *= _combinations(child)
    for branches in node.ors:
        total *= sum(_combinations(b) for b in branches)
    return total


# --- the compiled pattern ----------------------------------------------------------------------


@dataclass(frozen=True)
class EventPattern:
    """A valid pattern. `caveats` name the choices the documentation does not settle; `holes`
    the reasons of its values that are not known (its known parts are valid; those were not
    checked)."""

    root: Node
    caveats: tuple[str, ...] = ()
    holes: tuple[str, ...] = ()

    def match(self, event: Mapping[str, Any]) -> Verdict:
        """Whether the event (a JSON object) matches, with the reason."""
        if not isinstance(event, Mapping):
            return no("an event is a JSON object")
        return _match_node(self.root, event, "")


def compile_pattern(source: str | Mapping[str, Any]) -> EventPattern | PatternProblem:
    """Parse and validate a pattern given as JSON text or as an already-parsed object."""
    duplicates: list[str] = []
    if isinstance(source, str):
        length = len(source)
        try:
            obj = load_json(source, duplicates)
        except json.JSONDecodeError as e:
            return PatternProblem(f"the pattern is not valid JSON: {e.msg}", "", e.lineno, e.colno)
        except ValueError as e:  # numbers too long for int(), and the like
            return PatternProblem(f"the pattern is not valid JSON: {e}")
    else:
        obj = source
        # an unknown value counts as empty: the length is then the least the pattern can have
        length = len(json.dumps(source, separators=(",", ":"),
                                default=lambda o: "" if isinstance(o, Unknown) else str(o)))
    if not isinstance(obj, dict):
        return PatternProblem("an event pattern is a JSON object, such as "
                              '{"source": ["aws.s3"]}')  # fmt: skip
    if not obj:
        return PatternProblem("the pattern is empty: give at least one field to match")
    if length > MAX_PATTERN_LENGTH:
        return PatternProblem(f"the pattern has {length} characters; EventBridge allows at most "
                              f"{MAX_PATTERN_LENGTH} (2048 unless the quota is raised)")
    ctx = _Context()
    if length > DEFAULT_PATTERN_LENGTH:
        ctx.caveat(f"the pattern has {length} characters: over the default quota of "
                   f"{DEFAULT_PATTERN_LENGTH}, valid only where the quota was raised")
    for key in dict.fromkeys(duplicates):
        ctx.caveat(f"the key {key!r} appears more than once: only the last one counts")
    try:
        root = _compile_node(obj, "", ctx)
    except _Invalid as e:
        return e.problem
    combos = _combinations(root)
    if combos > MAX_OR_COMBINATIONS:
        return PatternProblem(f"the $or arrays give {combos} rule combinations; EventBridge "
                              f"allows {MAX_OR_COMBINATIONS}")  # fmt: skip
    return EventPattern(root, tuple(ctx.caveats), tuple(ctx.holes))


# --- matching ----------------------------------------------------------------------------------

_MISSING: Any = object()


def _match_node(node: Node, obj: Any, path: str) -> Verdict:
    """`obj` is the event value at `path`: a mapping, or anything else (then no field of the
    pattern is present under it)."""
    if isinstance(obj, Unknown):
        return unknown(f"{path or 'the event'} is unknown ({obj.reason})")
    if isinstance(obj, list):
        # [UG, arrays]: an array matches when one of its elements does.
        elements = [e for e in _flatten(obj) if isinstance(e, (Mapping, Unknown))]
        if not elements:
            return _match_node(node, {}, path)
        return any_of((_match_node(node, e, path) for e in elements),
                      f"no element of {path} matches")  # fmt: skip
    fields = obj if isinstance(obj, Mapping) else {}
    checks = [_match_field(child, fields.get(key, _MISSING), _join(path, key))
              for key, child in node.fields]  # fmt: skip
    for i, branches in enumerate(node.ors):
        checks.append(any_of((_match_node(b, obj, path) for b in branches),
                             f"no branch of {_join(path, '$or')}[{i}] matches"))  # fmt: skip
    return all_of(checks, "every field of the pattern matches")


def _match_field(child: Leaf | Node, value: Any, path: str) -> Verdict:
    if isinstance(child, Node):
        return _match_node(child, {} if value is _MISSING else value, path)
    return _match_leaf(child, value, path)


def _flatten(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for v in values:
        out.extend(_flatten(v) if isinstance(v, list) else [v])
    return out


def _leaf_values(value: Any) -> list[Any]:
    """The scalar leaves at a path: none for a missing field, an object, an empty array or an
    array of objects (not leaves, [Ruler]); an unknown counts as a present leaf."""
    if value is _MISSING or isinstance(value, Mapping):
        return []
    if isinstance(value, list):
        return [v for v in _flatten(value) if not isinstance(v, Mapping)]
    return [value]


def _match_leaf(leaf: Leaf, value: Any, path: str) -> Verdict:
    leaves = _leaf_values(value)
    shown = "missing" if value is _MISSING else _shown(value)
    wanted = ", ".join(m.shown for m in leaf.matchers)
    results: list[Verdict] = []
    for m in leaf.matchers:
        if m.hole is not None:  # whatever the event holds there, even nothing
            results.append(unknown(f"{path}: the pattern's value is unknown ({m.hole.reason})"))
        elif m.exists is not None:
            present = bool(leaves)
            ok = present == m.exists
            why = f"{path} is {'present' if present else 'missing or not a leaf'}"
            results.append(Verdict(ok, f"{why}, as {m.shown} asks" if ok
                                   else f"{why}; the pattern wants {m.shown}"))  # fmt: skip
    values = [m for m in leaf.matchers if m.exists is None and m.hole is None]
    if values:
        results.extend(_test_leaf(values, v, path) for v in leaves)
    return any_of(results, f"{path} is {shown}; the pattern wants {wanted}")


def _test_leaf(matchers: list[Matcher], v: Any, path: str) -> Verdict:
    """Whether one leaf value matches one of the matchers."""
    if isinstance(v, OneOf) and v.values:
        outcomes = [_test_leaf(matchers, c, path) for c in v.values]
        wanted = ", ".join(m.shown for m in matchers)
        if all(o.match is True for o in outcomes):
            return yes(f"{path} matches {wanted} whichever of its possible values it has")
        if all(o.match is False for o in outcomes):
            return no(f"{path} matches none of {wanted}, whichever of its possible values it has")
        return unknown(f"{path} is unknown ({v.reason}) and the pattern matches only some of "
                       "its possible values")  # fmt: skip
    if isinstance(v, Unknown):
        return unknown(f"{path} is unknown ({v.reason})")
    return any_of((_test_value(m, v, path) for m in matchers),
                  f"{path} is {_shown(v)}; the pattern wants "
                  + ", ".join(m.shown for m in matchers))  # fmt: skip


def _test_value(m: Matcher, v: Any, path: str) -> Verdict:
    result = m.test(v)
    if isinstance(result, Unknown):
        return unknown(f"{path}: {result.reason}")
    if result:
        return yes(f"{path} is {_shown(v)}, which matches {m.shown}")
    return no(f"{path} is {_shown(v)}; the pattern wants {m.shown}")
