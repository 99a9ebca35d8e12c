"""Evaluate the HCL expressions of `terraform_syntax` the way Terraform would, as far as the
configuration allows, and say why when it does not.

Values are Python values (str, int, float, bool, None, list, dict), `Unknown` (with a reason a
user can act on), and two wrappers:
- `Traced(value, target)`: a value read from a resource in the inputs, with that resource's
  address, so that `kms_key_id = aws_kms_key.k.arn` becomes a Reference to `aws_kms_key.k` even
  though the ARN itself is known only after apply;
- `Lazy` objects (resource and module instances, namespaces) whose attributes are evaluated on
  demand.
Unknown has three flavours here: `Computed` (set, known only after apply), `PartialStr` (a string
with unknown parts, kept so that a JSON policy with one unknown account id can still be read),
and `Invalid` (an expression Terraform itself would reject; `try` skips these).
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from checker.loaders.terraform_syntax import (
    Bin,
    Call,
    Cond,
    For,
    GetAttr,
    HclSyntaxError,
    Index,
    Lit,
    Obj,
    Splat,
    TFor,
    TIf,
    Tmpl,
    Tup,
    Un,
    Var,
    parse_template,
)
from checker.model import Computed, Unknown

MAX_FILE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class PartialStr(Unknown):
    """A string whose parts are known except some: `arn:aws:iam::${account}:root`."""

    parts: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Invalid(Unknown):
    """An expression Terraform would reject (a missing attribute, a type error)."""


class Traced:
    """A value read from the resource at `target` (a Terraform address)."""

    __slots__ = ("target", "value")

    def __init__(self, value: Any, target: str) -> None:
        self.value = value
        self.target = target

    def __repr__(self) -> str:
        return f"Traced({self.value!r}, {self.target!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Traced) and (self.value, self.target) == (
            other.value,
            other.target,
        )

    def __hash__(self) -> int:
        return hash((self.target, repr(self.value)))


class Lazy:
    """An object whose attributes are evaluated on demand (a resource instance, a module)."""

    label = "object"

    def get_attr(self, name: str) -> Any:
        return Invalid(f"{self.label} has no attribute {name!r}")

    def index(self, key: Any) -> Any:
        return (
            self.get_attr(key)
            if isinstance(key, str)
            else Invalid(f"{self.label} cannot be indexed")
        )

    def materialize(self) -> Any:
        return Unknown(f"{self.label} is used as a whole value, which trailcheck does not evaluate")


def untrace(v: Any) -> Any:
    return v.value if isinstance(v, Traced) else v


def plain(v: Any) -> Any:
    """A value without traces, lazy objects materialized, deep."""
    if isinstance(v, Traced):
        v = v.value
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, Lazy):
        return plain(v.materialize())
    return v


def first_unknown_deep(v: Any) -> Unknown | None:
    if isinstance(v, Unknown):
        return v
    if isinstance(v, list):
        for x in v:
            u = first_unknown_deep(x)
            if u is not None:
                return u
    if isinstance(v, dict):
        for x in v.values():
            u = first_unknown_deep(x)
            if u is not None:
                return u
    return None


def normalize_number(v: float | int) -> float | int:
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v


def type_name(v: Any) -> str:
    v = untrace(v)
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "list"
    if isinstance(v, dict):
        return "object"
    return "object"


def to_template_string(v: Any) -> str | Unknown:
    """How a value is written into a string template."""
    v = untrace(v)
    if isinstance(v, Unknown):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return _number_text(v)
    if isinstance(v, str):
        return v
    if v is None:
        return Invalid("a null value cannot be written into a string")
    return Invalid(f"a {type_name(v)} value cannot be written into a string")


def _number_text(v: float | int) -> str:
    v = normalize_number(v)
    if isinstance(v, int):
        return str(v)
    text = repr(v)
    return text[:-2] if text.endswith(".0") else text


def join_parts(parts: list[Any]) -> Any:
    """Concatenate template parts (strings and unknowns) into a string or a PartialStr."""
    out: list[Any] = []
    for p in parts:
        if isinstance(p, PartialStr):
            out.extend(p.parts)
        else:
            out.append(p)
    merged: list[Any] = []
    for p in out:
        if isinstance(p, str) and merged and isinstance(merged[-1], str):
            merged[-1] += p
        elif p != "":
            merged.append(p)
    unknowns = [p for p in merged if isinstance(p, Unknown)]
    if not unknowns:
        return "".join(merged)
    invalid = next((u for u in unknowns if isinstance(u, Invalid)), None)
    if invalid is not None:
        return invalid
    return PartialStr(unknowns[0].reason, tuple(merged))


# --------------------------------------------------------------------------------------------
# Scopes


class Scope:
    """Resolves the root names of references (`var`, `local`, `aws_s3_bucket`, loop variables)."""

    def resolve(self, name: str) -> Any:
        return Invalid(f"{name} is not a valid reference here")

    def base_dir(self) -> str | None:
        """The folder that relative paths of file() are read from."""
        return None


class Bound(Scope):
    """Names bound by a `for` expression or a dynamic block, over a parent scope."""

    def __init__(self, parent: Scope, names: dict[str, Any]) -> None:
        self.parent = parent
        self.names = names

    def resolve(self, name: str) -> Any:
        if name in self.names:
            return self.names[name]
        return self.parent.resolve(name)

    def base_dir(self) -> str | None:
        return self.parent.base_dir()


# --------------------------------------------------------------------------------------------
# Rendering expressions back to text, for messages


def render(node: Any) -> str:
    t = type(node)
    if t is Var:
        return str(node.name)
    if t is GetAttr:
        return f"{render(node.obj)}.{node.name}"
    if t is Index:
        return f"{render(node.obj)}[{render(node.key)}]"
    if t is Splat:
        ops = "".join(f".{a}" if k == "attr" else f"[{render(a)}]" for k, a in node.ops)
        return f"{render(node.obj)}[*]{ops}"
    if t is Lit:
        return (
            json.dumps(node.value) if not isinstance(node.value, bool) else str(node.value).lower()
        )
    if t is Call:
        args = ", ".join(render(a) for a in node.args)
        return f"{node.name}({args}{'...' if node.expand else ''})"
    if t is Tmpl:
        inner = "".join(p if isinstance(p, str) else ("${" + render(p) + "}") for p in node.parts)
        return f'"{inner}"'
    if t is Tup:
        return "[" + ", ".join(render(i) for i in node.items) + "]"
    if t is Obj:
        return "{" + ", ".join(f"{render(k)} = {render(v)}" for k, v in node.items) + "}"
    if t is Cond:
        return f"{render(node.cond)} ? {render(node.then)} : {render(node.else_)}"
    if t is Bin:
        return f"{render(node.left)} {node.op} {render(node.right)}"
    if t is Un:
        return f"{node.op}{render(node.x)}"
    if t is For:
        return "a for expression"
    if t in (TIf, TFor):
        return "a template directive"
    return "an expression"


def short(node: Any) -> str:
    text = render(node)
    return text if len(text) <= 100 else text[:97] + "..."


# --------------------------------------------------------------------------------------------
# Evaluation


def evaluate(node: Any, scope: Scope) -> Any:
    """The value of `node` in `scope`. Never raises for bad input: errors become `Invalid`."""
    try:
        return _eval(node, scope)
    except RecursionError:
        return Invalid("the expression is nested too deeply to evaluate")


def _eval(node: Any, scope: Scope) -> Any:
    t = type(node)
    if t is Lit:
        return node.value
    if t is Var:
        return scope.resolve(node.name)
    if t is GetAttr:
        return _get_attr(_eval(node.obj, scope), node.name, node)
    if t is Index:
        key = plain(_eval(node.key, scope))
        return _index(_eval(node.obj, scope), key, node)
    if t is Tmpl:
        return _template(node, scope)
    if t is Tup:
        return [_eval(i, scope) for i in node.items]
    if t is Obj:
        return _object(node, scope)
    if t is Call:
        return _call(node, scope)
    if t is Cond:
        return _conditional(node, scope)
    if t is Bin:
        return _binary(node, scope)
    if t is Un:
        return _unary(node, scope)
    if t is For:
        return _for(node, scope)
    if t is Splat:
        return _splat(node, scope)
    return Invalid(f"{render(node)} cannot be evaluated")


def _get_attr(obj: Any, name: str, node: Any) -> Any:
    target = None
    if isinstance(obj, Traced):
        target, obj = obj.target, obj.value
    if isinstance(obj, Unknown):
        return _retrace(obj, target)
    if isinstance(obj, Lazy):
        return obj.get_attr(name)
    if isinstance(obj, dict):
        if name in obj:
            return _retrace(obj[name], target)
        return Invalid(f"{render(node)} is not valid: the object has no attribute {name!r}")
    if obj is None:
        return Invalid(f"{render(node)} is not valid: {render(node.obj)} is null")
    if isinstance(obj, list) and name.isdigit():
        return _index(obj, int(name), node)
    return Invalid(f"{render(node)} is not valid: a {type_name(obj)} has no attribute {name!r}")


def _index(obj: Any, key: Any, node: Any) -> Any:
    target = None
    if isinstance(obj, Traced):
        target, obj = obj.target, obj.value
    if isinstance(obj, Unknown):
        return _retrace(obj, target)
    if isinstance(key, Unknown):
        return key
    if isinstance(obj, Lazy):
        return obj.index(key)
    if isinstance(obj, list):
        if isinstance(key, (int, float)) and not isinstance(key, bool) and float(key).is_integer():
            i = int(key)
            if 0 <= i < len(obj):
                return _retrace(obj[i], target)
            return Invalid(
                f"{render(node)} is not valid: index {i} is out of range (length {len(obj)})"
            )
        if isinstance(key, str) and key.isdigit():
            return _index(obj, int(key), node)
        return Invalid(f"{render(node)} is not valid: a list index must be a number")
    if isinstance(obj, dict):
        k = _key_text(key)
        if isinstance(k, str) and k in obj:
            return _retrace(obj[k], target)
        return Invalid(f"{render(node)} is not valid: no element {key!r}")
    return Invalid(f"{render(node)} is not valid: a {type_name(obj)} cannot be indexed")


def _key_text(key: Any) -> str | Unknown:
    key = untrace(key)
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, (int, float)):
        return _number_text(key)
    if isinstance(key, str):
        return key
    if isinstance(key, Unknown):
        return key
    return Invalid(f"a {type_name(key)} cannot be a map key")


def _retrace(v: Any, target: str | None) -> Any:
    if target is None or isinstance(v, (Traced, Lazy)):
        return v
    return Traced(v, target)


def _template(node: Tmpl, scope: Scope) -> Any:
    parts = node.parts
    if len(parts) == 1 and not isinstance(parts[0], (str, TIf, TFor)):
        return _eval(parts[0], scope)  # "${x}" is x itself, not its string form
    out: list[Any] = []
    targets: set[str] = set()
    _template_parts(parts, scope, out, targets)
    value = join_parts(out)
    if len(targets) == 1:
        return Traced(value, next(iter(targets)))
    return value


def _template_parts(
    parts: tuple[Any, ...], scope: Scope, out: list[Any], targets: set[str]
) -> None:
    for p in parts:
        if isinstance(p, str):
            out.append(p)
        elif isinstance(p, TIf):
            cond = plain(_eval(p.cond, scope))
            if isinstance(cond, Unknown):
                out.append(_because(f"the %{{if}} condition {short(p.cond)}", cond))
            elif cond is True or cond is False:
                _template_parts((p.then if cond else p.else_).parts, scope, out, targets)
            else:
                out.append(Invalid("a %{if} condition must be a bool"))
        elif isinstance(p, TFor):
            coll = untrace(_eval(p.coll, scope))
            if isinstance(coll, Unknown):
                out.append(coll)
                continue
            for k, v in _iterate(coll):
                names = {p.val_var: v}
                if p.key_var:
                    names[p.key_var] = k
                _template_parts(p.body.parts, Bound(scope, names), out, targets)
        else:
            v = _eval(p, scope)
            if isinstance(v, Traced):
                targets.add(v.target)
            out.append(to_template_string(v))


def _because(subject: str, u: Unknown) -> Unknown:
    return (
        type(u)(f"{subject} is unknown: {u.reason}")
        if type(u) in (Unknown, Computed, Invalid)
        else Unknown(f"{subject} is unknown: {u.reason}")
    )


def _object(node: Obj, scope: Scope) -> Any:
    out: dict[str, Any] = {}
    for knode, vnode in node.items:
        key = _key_text(plain(_eval(knode, scope)))
        if isinstance(key, Unknown):
            return Unknown(f"an object key is unknown: {key.reason}")
        out[key] = _eval(vnode, scope)
    return out


def _conditional(node: Cond, scope: Scope) -> Any:
    cond = plain(_eval(node.cond, scope))
    if cond is True:
        return _eval(node.then, scope)
    if cond is False:
        return _eval(node.else_, scope)
    if isinstance(cond, Unknown):
        a, b = _eval(node.then, scope), _eval(node.else_, scope)
        pa, pb = plain(a), plain(b)
        if first_unknown_deep(pa) is None and pa == pb:
            return a
        return Unknown(f"the condition {short(node.cond)} is unknown: {cond.reason}")
    return Invalid(f"the condition {short(node.cond)} is not a bool")


def _binary(node: Bin, scope: Scope) -> Any:
    op = node.op
    left = plain(_eval(node.left, scope))
    if op in ("&&", "||"):
        if left is (op == "||"):  # false && x, true || x
            return left
        right = plain(_eval(node.right, scope))
        if right is (op == "||"):
            return right
        for v in (left, right):
            if isinstance(v, Unknown):
                return v
            if not isinstance(v, bool):
                return Invalid(f"{short(node)} is not valid: {op} needs bool operands")
        return (left and right) if op == "&&" else (left or right)
    right = plain(_eval(node.right, scope))
    for v in (left, right):
        if isinstance(v, Unknown):
            return v
    if op == "==":
        return _equal(left, right)
    if op == "!=":
        return not _equal(left, right)
    a, b = _number(left), _number(right)
    if isinstance(a, Unknown):
        return a
    if isinstance(b, Unknown):
        return b
    try:
        if op == "+":
            return normalize_number(a + b)
        if op == "-":
            return normalize_number(a - b)
        if op == "*":
            return normalize_number(a * b)
        if op == "/":
            return normalize_number(a / b)
        if op == "%":
            return normalize_number(math.fmod(a, b))
        if op == "<":
            return a < b
        if op == "<=":
            return a <= b
        if op == ">":
            return a > b
        if op == ">=":
            return a >= b
    except (ZeroDivisionError, ValueError, OverflowError):
        return Invalid(f"{short(node)} divides by zero")
    return Invalid(f"unknown operator {op}")


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)


def _number(v: Any) -> float | int | Unknown:
    if isinstance(v, bool):
        return Invalid("a bool is not a number")
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str):
        try:
            return normalize_number(float(v)) if any(c in v for c in ".eE") else int(v)
        except ValueError:
            return Invalid(f"{v!r} is not a number")
    if isinstance(v, Unknown):
        return v
    return Invalid(f"a {type_name(v)} is not a number")


def _unary(node: Un, scope: Scope) -> Any:
    x = plain(_eval(node.x, scope))
    if isinstance(x, Unknown):
        return x
    if node.op == "!":
        return (not x) if isinstance(x, bool) else Invalid(f"{short(node)} needs a bool")
    n = _number(x)
    return n if isinstance(n, Unknown) else normalize_number(-n)


def _iterate(coll: Any) -> Iterator[tuple[Any, Any]]:
    if isinstance(coll, dict):
        for k in sorted(coll):
            yield k, coll[k]
    elif isinstance(coll, list):
        yield from enumerate(coll)


def _for(node: For, scope: Scope) -> Any:
    coll = untrace(_eval(node.coll, scope))
    if isinstance(coll, Unknown):
        return coll
    if isinstance(coll, Lazy):
        coll = coll.materialize()
        if isinstance(coll, Unknown):
            return coll
    if not isinstance(coll, (list, dict)):
        return Invalid(f"a for expression cannot iterate over a {type_name(coll)}")
    items: list[Any] = []
    obj: dict[str, Any] = {}
    for k, v in _iterate(coll):
        names = {node.val_var: v}
        if node.key_var:
            names[node.key_var] = k
        inner = Bound(scope, names)
        if node.cond is not None:
            keep = plain(_eval(node.cond, inner))
            if isinstance(keep, Unknown):
                return Unknown(f"the filter {short(node.cond)} is unknown: {keep.reason}")
            if keep is not True:
                continue
        value = _eval(node.val_expr, inner)
        if node.key_expr is None:
            items.append(value)
            continue
        key = _key_text(plain(_eval(node.key_expr, inner)))
        if isinstance(key, Unknown):
            return Unknown(f"a key of the for expression is unknown: {key.reason}")
        if node.group:
            obj.setdefault(key, []).append(value)
        elif key in obj:
            return Invalid(f"the for expression produces the key {key!r} twice")
        else:
            obj[key] = value
    return obj if node.key_expr is not None else items


def _splat(node: Splat, scope: Scope) -> Any:
    obj = untrace(_eval(node.obj, scope))
    if isinstance(obj, Unknown):
        return obj
    if obj is None:
        return []
    elements = obj if isinstance(obj, list) else [obj]
    if isinstance(obj, dict) and not isinstance(obj, list):
        elements = [obj]
    out = []
    for el in elements:
        v = el
        for kind, arg in node.ops:
            if kind == "attr":
                v = _get_attr(v, arg, node)
            else:
                v = _index(v, plain(_eval(arg, scope)), node)
        out.append(v)
    return out


# --------------------------------------------------------------------------------------------
# Functions

Func = Callable[[list[Any], Scope], Any]
_FUNCS: dict[str, Func] = {}
# Functions that reshape their arguments without reading them keep the traces of elements.
_STRUCTURAL = {
    "tolist",
    "toset",
    "concat",
    "element",
    "flatten",
    "coalesce",
    "try",
    "lookup",
    "one",
    "coalescelist",
    "values",
    "merge",
    "can",
    "slice",
    "reverse",
}


def _func(*names: str) -> Callable[[Func], Func]:
    def deco(f: Func) -> Func:
        for n in names:
            _FUNCS[n] = f
        return f

    return deco


def _call(node: Call, scope: Scope) -> Any:
    name = node.name
    f = _FUNCS.get(name)
    if f is None:
        return Unknown(f"function {name}() is not evaluated by trailcheck")
    if name in ("try", "can"):
        return _apply(name, f, [_Deferred(a, scope) for a in node.args], scope)
    args = [_eval(a, scope) for a in node.args]
    if node.expand and args:
        last = untrace(args[-1])
        if isinstance(last, Unknown):
            return last
        if not isinstance(last, list):
            return Invalid(f"{name}(...): only a list can be expanded with ...")
        args = args[:-1] + list(last)
    if name not in _STRUCTURAL:
        args = [plain(a) for a in args]
        for a in args:
            if isinstance(a, Unknown) and name != "jsonencode":
                return a
    else:
        args = [untrace(a) for a in args]  # elements keep their traces
        if name not in ("coalesce", "lookup", "merge"):
            for a in args:
                if isinstance(a, Unknown):
                    return a
    return _apply(name, f, args, scope)


def _apply(name: str, f: Func, args: list[Any], scope: Scope) -> Any:
    try:
        return f(args, scope)
    except _UnknownArgument as e:
        return e.unknown
    except _FuncError as e:
        return Invalid(f"{name}(): {e}")
    except (TypeError, ValueError, IndexError, KeyError, AttributeError, OverflowError) as e:
        return Invalid(f"{name}() cannot be applied to these arguments ({type(e).__name__})")


class _FuncError(Exception):
    pass


class _UnknownArgument(Exception):
    """An argument (or an element of one) is unknown, so the result is too."""

    def __init__(self, unknown: Unknown) -> None:
        super().__init__(unknown.reason)
        self.unknown = unknown


class _Deferred:
    """An argument evaluated only when the function asks (try, can)."""

    def __init__(self, node: Any, scope: Scope) -> None:
        self.node = node
        self.scope = scope

    def value(self) -> Any:
        return _eval(self.node, self.scope)


def _arity(args: list[Any], *counts: int) -> None:
    if len(args) not in counts:
        raise _FuncError(f"expects {' or '.join(map(str, counts))} arguments, got {len(args)}")


def _str(v: Any) -> str:
    s = to_template_string(v)
    if isinstance(s, Invalid):
        raise _FuncError(s.reason)
    if isinstance(s, Unknown):
        raise _UnknownArgument(s)
    return s


def _list(v: Any) -> list[Any]:
    v = untrace(v)
    if isinstance(v, list):
        return v
    if isinstance(v, Unknown):
        raise _UnknownArgument(v)
    raise _FuncError(f"expects a list, got a {type_name(v)}")


def _map(v: Any) -> dict[str, Any]:
    v = untrace(v)
    if isinstance(v, dict):
        return v
    if isinstance(v, Unknown):
        raise _UnknownArgument(v)
    raise _FuncError(f"expects a map, got a {type_name(v)}")


@_func("try")
def _f_try(args: list[Any], scope: Scope) -> Any:
    for a in args:
        v = a.value()
        if isinstance(untrace(v), Invalid) or first_invalid(v) is not None:
            continue
        return v
    return Invalid("no argument of try() is valid")


def first_invalid(v: Any) -> Invalid | None:
    v = untrace(v)
    if isinstance(v, Invalid):
        return v
    if isinstance(v, list):
        for x in v:
            i = first_invalid(x)
            if i:
                return i
    if isinstance(v, dict):
        for x in v.values():
            i = first_invalid(x)
            if i:
                return i
    return None


@_func("can")
def _f_can(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    v = plain(args[0].value())
    if first_invalid(v) is not None:
        return False
    u = first_unknown_deep(v)
    return u if u is not None else True


@_func("jsonencode")
def _f_jsonencode(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    return json_text(args[0])


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


@_func("jsondecode")
def _f_jsondecode(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    doc = read_json_document(args[0])
    return doc


@_func("merge")
def _f_merge(args: list[Any], scope: Scope) -> Any:
    out: dict[str, Any] = {}
    for a in args:
        if a is None:
            continue
        if isinstance(a, Unknown):
            return a
        out.update(_map(a))
    return out


@_func("lookup")
def _f_lookup(args: list[Any], scope: Scope) -> Any:
    _arity(args, 2, 3)
    m, key = args[0], plain(args[1])
    if isinstance(m, Unknown):
        return m
    if isinstance(key, Unknown):
        return key
    m = _map(m)
    k = _key_text(key)
    if isinstance(k, str) and k in m:
        return m[k]
    if len(args) == 3:
        return args[2]
    return Invalid(f"lookup(): the map has no key {key!r} and no default is given")


@_func("concat")
def _f_concat(args: list[Any], scope: Scope) -> Any:
    out: list[Any] = []
    for a in args:
        out.extend(_list(a))
    return out


@_func("tolist")
def _f_tolist(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    return list(_list(args[0]))


@_func("toset")
def _f_toset(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    return _set(_list(args[0]))


def _set(items: list[Any]) -> list[Any]:
    """Terraform sets of strings iterate in lexical order; keep it, without duplicates."""
    seen: dict[str, Any] = {}
    others: list[Any] = []
    for x in items:
        p = plain(x)
        if isinstance(p, (str, int, float, bool)) and not isinstance(p, Unknown):
            key = json.dumps(p)
            seen.setdefault(key, x)
        else:
            others.append(x)
    ordered = sorted(
        seen.items(), key=lambda kv: (not isinstance(plain(kv[1]), str), str(plain(kv[1])))
    )
    return [v for _, v in ordered] + others


@_func("tomap")
def _f_tomap(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    return dict(_map(args[0]))


@_func("tostring")
def _f_tostring(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    return None if args[0] is None else _str(args[0])


@_func("tonumber")
def _f_tonumber(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    return None if args[0] is None else _number(args[0])


@_func("tobool")
def _f_tobool(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    v = args[0]
    if v is None or isinstance(v, bool):
        return v
    if v in ("true", "false"):
        return v == "true"
    raise _FuncError(f"{v!r} is not a bool")


@_func("element")
def _f_element(args: list[Any], scope: Scope) -> Any:
    _arity(args, 2)
    items = _list(args[0])
    i = _number(plain(args[1]))
    if isinstance(i, Unknown):
        return i
    if not items:
        raise _FuncError("the list is empty")
    return items[int(i) % len(items)]


@_func("one")
def _f_one(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    items = _list(args[0])
    if len(items) > 1:
        raise _FuncError("the list has more than one element")
    return items[0] if items else None


@_func("flatten")
def _f_flatten(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    out: list[Any] = []

    def walk(v: Any) -> None:
        u = untrace(v)
        if isinstance(u, list):
            for x in u:
                walk(x)
        else:
            out.append(v)

    walk(_list(args[0]))
    return out


@_func("coalesce")
def _f_coalesce(args: list[Any], scope: Scope) -> Any:
    for a in args:
        p = plain(a)
        if isinstance(p, Unknown):
            return p
        if p is not None and p != "":
            return a
    raise _FuncError("no non-null, non-empty argument")


@_func("coalescelist")
def _f_coalescelist(args: list[Any], scope: Scope) -> Any:
    for a in args:
        if isinstance(a, list) and a:
            return a
    return []


@_func("values")
def _f_values(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    m = _map(args[0])
    return [m[k] for k in sorted(m)]


@_func("keys")
def _f_keys(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    return sorted(_map(args[0]))


@_func("slice")
def _f_slice(args: list[Any], scope: Scope) -> Any:
    _arity(args, 3)
    items = _list(args[0])
    a, b = _number(plain(args[1])), _number(plain(args[2]))
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return a if isinstance(a, Unknown) else b
    return items[int(a) : int(b)]


@_func("reverse")
def _f_reverse(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    return list(reversed(_list(args[0])))


@_func("length")
def _f_length(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    v = args[0]
    if isinstance(v, (list, dict, str)):
        return len(v)
    raise _FuncError(f"a {type_name(v)} has no length")


@_func("contains")
def _f_contains(args: list[Any], scope: Scope) -> Any:
    _arity(args, 2)
    items = _list(args[0])
    if first_unknown_deep(items) is not None:
        if args[1] in items:
            return True
        return first_unknown_deep(items)
    return args[1] in items


@_func("distinct")
def _f_distinct(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    out: list[Any] = []
    for x in _list(args[0]):
        if x not in out:
            out.append(x)
    return out


@_func("compact")
def _f_compact(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    items = _list(args[0])
    u = first_unknown_deep(items)
    if u is not None:
        return u
    return [x for x in items if x is not None and x != ""]


@_func("sort")
def _f_sort(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    return sorted(_str(x) for x in _list(args[0]))


@_func("zipmap")
def _f_zipmap(args: list[Any], scope: Scope) -> Any:
    _arity(args, 2)
    return {_str(k): v for k, v in zip(_list(args[0]), _list(args[1]), strict=True)}


@_func("range")
def _f_range(args: list[Any], scope: Scope) -> Any:
    nums = [_number(a) for a in args]
    for n in nums:
        if isinstance(n, Unknown):
            return n
    ints = [int(n) for n in nums]  # type: ignore[arg-type]
    if len(ints) > 3 or not ints:
        raise _FuncError("expects 1 to 3 arguments")
    r = range(*ints)
    if len(r) > 1024:
        raise _FuncError("the range is too long")
    return list(r)


@_func("setunion")
def _f_setunion(args: list[Any], scope: Scope) -> Any:
    return _set([x for a in args for x in _list(a)])


@_func("lower")
def _f_lower(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    return _str(args[0]).lower()


@_func("upper")
def _f_upper(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    return _str(args[0]).upper()


@_func("title")
def _f_title(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    return re.sub(r"\b\w", lambda m: m.group().upper(), _str(args[0]))


@_func("trimspace")
def _f_trimspace(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    return _str(args[0]).strip()


@_func("chomp")
def _f_chomp(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    return _str(args[0]).rstrip("\r\n")


@_func("trim")
def _f_trim(args: list[Any], scope: Scope) -> Any:
    _arity(args, 2)
    return _str(args[0]).strip(_str(args[1]))


@_func("trimprefix")
def _f_trimprefix(args: list[Any], scope: Scope) -> Any:
    _arity(args, 2)
    s, p = _str(args[0]), _str(args[1])
    return s[len(p) :] if p and s.startswith(p) else s


@_func("trimsuffix")
def _f_trimsuffix(args: list[Any], scope: Scope) -> Any:
    _arity(args, 2)
    s, p = _str(args[0]), _str(args[1])
    return s[: -len(p)] if p and s.endswith(p) else s


@_func("startswith")
def _f_startswith(args: list[Any], scope: Scope) -> Any:
    _arity(args, 2)
    return _str(args[0]).startswith(_str(args[1]))


@_func("endswith")
def _f_endswith(args: list[Any], scope: Scope) -> Any:
    _arity(args, 2)
    return _str(args[0]).endswith(_str(args[1]))


@_func("strcontains")
def _f_strcontains(args: list[Any], scope: Scope) -> Any:
    _arity(args, 2)
    return _str(args[1]) in _str(args[0])


@_func("substr")
def _f_substr(args: list[Any], scope: Scope) -> Any:
    _arity(args, 3)
    s = _str(args[0])
    off, length = int(_number(args[1])), int(_number(args[2]))  # type: ignore[arg-type]
    if off < 0:
        off += len(s)
    return s[off:] if length == -1 else s[off : off + length]


@_func("replace")
def _f_replace(args: list[Any], scope: Scope) -> Any:
    _arity(args, 3)
    s, old, new = _str(args[0]), _str(args[1]), _str(args[2])
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        # Terraform's regex mode; Go's RE2 syntax is close enough to Python's for common patterns
        return re.sub(old[1:-1], re.sub(r"\$(\d+)", r"\\\1", new), s)
    return s.replace(old, new)


@_func("split")
def _f_split(args: list[Any], scope: Scope) -> Any:
    _arity(args, 2)
    sep, s = _str(args[0]), _str(args[1])
    return s.split(sep) if sep else list(s)


@_func("join")
def _f_join(args: list[Any], scope: Scope) -> Any:
    if len(args) < 2:
        raise _FuncError("expects a separator and lists")
    sep = _str(args[0])
    return sep.join(_str(x) for a in args[1:] for x in _list(a))


@_func("format")
def _f_format(args: list[Any], scope: Scope) -> Any:
    if not args:
        raise _FuncError("expects a format string")
    return _format(_str(args[0]), args[1:])


@_func("formatlist")
def _f_formatlist(args: list[Any], scope: Scope) -> Any:
    if not args:
        raise _FuncError("expects a format string")
    fmt = _str(args[0])
    lists = [a for a in args[1:] if isinstance(a, list)]
    n = len(lists[0]) if lists else 1
    out = []
    for i in range(n):
        row = [a[i] if isinstance(a, list) else a for a in args[1:]]
        out.append(_format(fmt, row))
    return out


_VERB = re.compile(r"%(%|[-+ #0]*\d*(?:\.\d+)?[sdvqfFeEgGxXobt])")


def _format(fmt: str, args: list[Any]) -> str:
    it = iter(args)

    def verb(m: re.Match[str]) -> str:
        spec = m.group(1)
        if spec == "%":
            return "%"
        try:
            v = next(it)
        except StopIteration:
            raise _FuncError("not enough arguments for the format string") from None
        kind = spec[-1]
        flags = spec[:-1]
        if kind in "sv":
            return ("%" + flags + "s") % _str(v)
        if kind == "q":
            return json.dumps(_str(v))
        if kind == "t":
            return "true" if v is True else "false"
        n = _num_or_fail(v)
        if kind in "dbox":
            return ("%" + flags + ("d" if kind == "d" else kind)) % int(n)
        if kind == "X":
            return ("%" + flags + "X") % int(n)
        return ("%" + flags + kind) % float(n)

    return _VERB.sub(verb, fmt)


@_func("max")
def _f_max(args: list[Any], scope: Scope) -> Any:
    return max(_num_or_fail(a) for a in args)


@_func("min")
def _f_min(args: list[Any], scope: Scope) -> Any:
    return min(_num_or_fail(a) for a in args)


@_func("sum")
def _f_sum(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    return normalize_number(sum(_num_or_fail(a) for a in _list(args[0])))


@_func("abs")
def _f_abs(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    return abs(_num_or_fail(args[0]))


@_func("ceil")
def _f_ceil(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    return math.ceil(_num_or_fail(args[0]))


@_func("floor")
def _f_floor(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    return math.floor(_num_or_fail(args[0]))


def _num_or_fail(v: Any) -> float | int:
    n = _number(plain(v))
    if isinstance(n, Invalid):
        raise _FuncError(n.reason)
    if isinstance(n, Unknown):
        raise _UnknownArgument(n)
    return n


def _read_file(path_arg: Any, scope: Scope) -> str:
    path = _str(path_arg)
    base = scope.base_dir()
    if base is None:
        raise _FuncError("files are read only from module folders")
    full = os.path.normpath(os.path.join(base, path))
    try:
        if os.path.getsize(full) > MAX_FILE_BYTES:
            raise _FuncError(f"{path} is too large to read")
        with open(full, encoding="utf-8") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError) as e:
        raise _FuncError(f"cannot read {path}: {getattr(e, 'strerror', None) or e}") from None


@_func("file")
def _f_file(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    return _read_file(args[0], scope)


@_func("fileexists")
def _f_fileexists(args: list[Any], scope: Scope) -> Any:
    _arity(args, 1)
    base = scope.base_dir()
    if base is None:
        return Unknown("fileexists() is evaluated only in module folders")
    return os.path.isfile(os.path.join(base, _str(args[0])))


@_func("templatefile")
def _f_templatefile(args: list[Any], scope: Scope) -> Any:
    _arity(args, 2)
    text = _read_file(args[0], scope)
    names = _map(args[1])
    try:
        node = parse_template(text)
    except HclSyntaxError as e:
        raise _FuncError(f"the template is not valid: {e.message}") from None
    return _eval(node, Bound(_EmptyScope(scope.base_dir()), dict(names)))


class _EmptyScope(Scope):
    def __init__(self, base: str | None) -> None:
        self._base = base

    def base_dir(self) -> str | None:
        return self._base


def function_names() -> frozenset[str]:
    return frozenset(_FUNCS)
