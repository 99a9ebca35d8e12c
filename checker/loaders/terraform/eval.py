"""Evaluate the HCL expressions of `syntax` the way Terraform would, as far as the configuration
allows, and say why when it does not (values: `values`; built-in functions: `functions`)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from checker.loaders.terraform.functions import FUNCTIONS, STRUCTURAL, Deferred, Env, apply
from checker.loaders.terraform.syntax import (
    Bin,
    Call,
    Cond,
    For,
    GetAttr,
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
    traversals,
)
from checker.loaders.terraform.values import (
    Bound,
    Invalid,
    Lazy,
    Scope,
    Traced,
    first_unknown_deep,
    join_parts,
    key_text,
    normalize_number,
    plain,
    to_number,
    to_template_string,
    type_name,
    untrace,
)
from checker.model import Computed, Unknown

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
        k = key_text(key)
        if isinstance(k, str) and k in obj:
            return _retrace(obj[k], target)
        return Invalid(f"{render(node)} is not valid: no element {key!r}")
    return Invalid(f"{render(node)} is not valid: a {type_name(obj)} cannot be indexed")




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
        key = key_text(plain(_eval(knode, scope)))
        if isinstance(key, Unknown):
            return Unknown(f"an object key is unknown: {key.reason}")
        out[key] = _eval(vnode, scope)
    return out


def _as_bool(value: Any) -> Any:
    """Where a bool is required (a condition, a logical operand), Terraform converts the exact
    strings "true" and "false" (a `type = bool` variable's `default = "true"`, say) and nothing
    else: Terraform language, `tobool` and type conversion."""
    if value == "true" or value == "false":
        return value == "true"
    return value


def _conditional(node: Cond, scope: Scope) -> Any:
    cond = _as_bool(plain(_eval(node.cond, scope)))
    if cond is True:
        return _eval(node.then, scope)
    if cond is False:
        return _eval(node.else_, scope)
    if isinstance(cond, Invalid):
        # a condition Terraform rejects (a missing attribute) is an error of the whole
        # expression, whatever the branches are: what try() moves past
        return cond
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
        left = _as_bool(left)
        if left is (op == "||"):  # false && x, true || x
            return left
        right = _as_bool(plain(_eval(node.right, scope)))
        if right is (op == "||"):
            return right
        for v in (left, right):
            if isinstance(v, Unknown):
                return v
            if not isinstance(v, bool):
                return Invalid(f"{short(node)} is not valid: {op} needs bool operands")
        return (left and right) if op == "&&" else (left or right)
    right = plain(_eval(node.right, scope))
    if op in ("==", "!=") and None in (left, right) and any(
        isinstance(v, Computed) for v in (left, right)
    ):
        # a value known only after apply is certainly set (an ARN, an id): never null
        return op == "!="
    for v in (left, right):
        if isinstance(v, Unknown):
            return v
    if op == "==":
        return _equal(left, right)
    if op == "!=":
        return not _equal(left, right)
    a, b = to_number(left), to_number(right)
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




def _unary(node: Un, scope: Scope) -> Any:
    x = plain(_eval(node.x, scope))
    if isinstance(x, Unknown):
        return x
    if node.op == "!":
        x = _as_bool(x)
        return (not x) if isinstance(x, bool) else Invalid(f"{short(node)} needs a bool")
    n = to_number(x)
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
        key = key_text(plain(_eval(node.key_expr, inner)))
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




def _call(node: Call, scope: Scope) -> Any:
    name = node.name
    f = FUNCTIONS.get(name)
    if f is None:
        if "::" in name:  # provider::aws::arn_parse(...): the provider computes it
            return Unknown(f"{name}() is a provider-defined function: its value is known only "
                           "when Terraform runs the provider")
        return Unknown(f"function {name}() is not evaluated by trailcheck")
    if name in ("try", "can"):
        env = Env(scope, _eval)
        args = [Deferred(_known_keys(a, scope), env, unknown_reference) for a in node.args]
        return apply(name, f, args, env)
    args = [_eval(a, scope) for a in node.args]
    if node.expand and args:
        last = untrace(args[-1])
        if isinstance(last, Unknown):
            return last
        if not isinstance(last, list):
            return Invalid(f"{name}(...): only a list can be expanded with ...")
        args = args[:-1] + list(last)
    if name not in STRUCTURAL:
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
    return apply(name, f, args, Env(scope, _eval))


def _known_keys(node: Any, scope: Scope) -> Any:
    """`node` with each computed index of its reference (`var.overrides[each.key]`) written as
    the key it evaluates to, when that key is known. Terraform decides `try` at plan by every
    value the argument refers to (the whole map, unknown while one of its values is), but at
    apply, with those values known, an index into a map whose keys are known finds its key or
    fails the same way: trailcheck judges the configuration as applied, so `try` follows the
    index like a written key (docs/semantics/terraform-functions.md)."""
    t = type(node)
    if t is GetAttr:
        obj = _known_keys(node.obj, scope)
        return node if obj is node.obj else GetAttr(obj, node.name)
    if t is Index:
        obj = _known_keys(node.obj, scope)
        if not isinstance(node.key, Lit) and unknown_reference(node.key, scope) is None:
            key = plain(_eval(node.key, scope))
            if type(key) is str or type(key) is int:
                return Index(obj, Lit(key))
        return node if obj is node.obj else Index(obj, node.key)
    return node


def unknown_reference(node: Any, scope: Scope) -> Unknown | None:
    """Why `try` or `can` cannot judge `node` yet, as Terraform decides it (hashicorp/hcl
    ext/tryfunc, dependsOnUnknowns): a reference in `node` reads an unknown value, or a value
    that holds one. An `Invalid` found so is an error of the value referenced (a local whose
    file() failed) or of the reference itself, not of `node`. A step that fails on a known value
    (a missing attribute, an index out of range) is the error try catches: not a reason here."""
    for root, steps in traversals(node):
        u = _reference_unknown(scope.resolve(root), steps)
        if u is not None:
            return u
    return None


def _reference_unknown(cur: Any, steps: tuple[tuple[str, Any], ...]) -> Unknown | None:
    for kind, key in steps:
        obj = untrace(cur)
        if key is None or isinstance(obj, Unknown):
            break  # a computed index or splat ends the reference, as in HCL
        if isinstance(obj, Lazy):  # a name of the configuration: its value, as declared
            cur = obj.get_attr(key) if kind == "attr" else obj.index(key)
            bad = untrace(cur)
            if isinstance(bad, Invalid):
                return bad
            continue
        ref = Var("value")
        if kind == "attr":
            cur = _get_attr(cur, key, GetAttr(ref, key))
        else:
            cur = _index(cur, key, Index(ref, Lit(key)))
        if isinstance(untrace(cur), Invalid):
            return None
    return _unknown_within(cur)


def _unknown_within(v: Any) -> Unknown | None:
    """The first unknown in a value, without evaluating the objects (`Lazy`) it holds."""
    v = untrace(v)
    if isinstance(v, Unknown):
        return v
    items = v if isinstance(v, list) else v.values() if isinstance(v, dict) else ()
    for x in items:
        u = _unknown_within(x)
        if u is not None:
            return u
    return None
