"""Terraform's built-in functions, as far as trailcheck evaluates them.

Each takes its evaluated arguments (traces kept for the structural ones, see `STRUCTURAL`) and an
`Env`; an argument that is unknown makes the result unknown, and an argument Terraform would
reject makes it `Invalid`. A function not in `FUNCTIONS` evaluates to unknown, with its name.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable
from typing import Any, NamedTuple

from checker.loaders.terraform.fileset import fileset
from checker.loaders.terraform.jsontext import json_text, read_json_document
from checker.loaders.terraform.syntax import HclSyntaxError, is_traversal, parse_template
from checker.loaders.terraform.values import (
    Bound,
    Invalid,
    Scope,
    first_unknown_deep,
    key_text,
    normalize_number,
    plain,
    to_number,
    to_template_string,
    type_name,
    untrace,
)
from checker.model import Unknown

MAX_FILE_BYTES = 1024 * 1024


class Env(NamedTuple):
    """What a function may use besides its arguments: the calling scope (for file paths) and
    the evaluator (for `try`, `can` and `templatefile`)."""

    scope: Scope
    evaluate: Callable[[Any, Scope], Any]


Func = Callable[[list[Any], Env], Any]
FUNCTIONS: dict[str, Func] = {}
# Functions that reshape their arguments without reading them keep the traces of elements.
STRUCTURAL = {
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
            FUNCTIONS[n] = f
        return f

    return deco


def apply(name: str, f: Func, args: list[Any], env: Env) -> Any:
    """Call one function; its errors become `Invalid`, an unknown argument the result."""
    try:
        return f(args, env)
    except _UnknownArgument as e:
        return e.unknown
    except _FuncError as e:
        return Invalid(f"{name}(): {e}")
    except re.error as e:  # replace(), regex(): a pattern Terraform's RE2 rejects too
        return Invalid(f"{name}(): the regular expression is not valid ({e})")
    except RecursionError:
        return Invalid(f"{name}(): the value is nested too deeply")
    except (TypeError, ValueError, IndexError, KeyError, AttributeError, ArithmeticError) as e:
        # what the function could not read may be an unknown deep in an argument: then the
        # result is that unknown, not an error
        for a in args:
            u = first_unknown_deep(plain(a))
            if u is not None:
                return u
        words = next(w for kind, w in _ERROR_WORDS if isinstance(e, kind))
        return Invalid(f"{name}() cannot be applied to these arguments: {words}")


_ERROR_WORDS: tuple[tuple[type[Exception] | tuple[type[Exception], ...], str], ...] = (
    ((TypeError, AttributeError), "an argument has a type the function does not take"),
    ((IndexError, KeyError), "an index or key is out of range"),
    (ArithmeticError, "the arithmetic has no result for these values"),
    (ValueError, "an argument has a value the function does not take"),
)


class _FuncError(Exception):
    pass


class _UnknownArgument(Exception):
    """An argument (or an element of one) is unknown, so the result is too."""

    def __init__(self, unknown: Unknown) -> None:
        super().__init__(unknown.reason)
        self.unknown = unknown


class Deferred:
    """An argument evaluated only when the function asks (try, can). `unknown_reference` says
    why the argument cannot be judged yet: a reference it reads is unknown (see `_f_try`)."""

    def __init__(
        self, node: Any, env: Env, unknown_reference: Callable[[Any, Scope], Unknown | None]
    ) -> None:
        self.node = node
        self.env = env
        self._unknown_reference = unknown_reference

    def value(self) -> Any:
        return self.env.evaluate(self.node, self.env.scope)

    def blocker(self) -> Unknown | None:
        return self._unknown_reference(self.node, self.env.scope)


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
def _f_try(args: list[Any], env: Env) -> Any:
    # As Terraform's try (hashicorp/hcl ext/tryfunc; docs/semantics/terraform-functions.md): an
    # argument whose evaluation fails gives way to the next, but an argument that reads an
    # unknown value makes the whole result unknown, since it may yet succeed or fail. A value
    # that is itself invalid (a local whose file() failed) is no error of this argument: it
    # stops Terraform before try runs, so it is the result, with its reason.
    failures: list[str] = []
    for a in args:
        blocker = a.blocker()
        if isinstance(blocker, Invalid):
            return blocker
        v = a.value()
        bad = first_invalid(v)
        if blocker is not None:
            if bad is None and (isinstance(untrace(v), Unknown) or is_traversal(a.node)):
                return v  # the value as far as it is known: it cannot fail later
            return Unknown(f"try() cannot choose its argument yet: {blocker.reason}")
        if bad is None:
            return v
        failures.append(bad.reason)
    return Invalid("no argument of try() is valid: " + "; ".join(failures))


def first_invalid(v: Any) -> Invalid | None:
    v = untrace(v)
    if isinstance(v, Invalid):
        return v
    if isinstance(v, list):
        for x in v:
            i = first_invalid(x)
            if i is not None:
                return i
    if isinstance(v, dict):
        for x in v.values():
            i = first_invalid(x)
            if i is not None:
                return i
    return None


@_func("can")
def _f_can(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    blocker = args[0].blocker()
    if isinstance(blocker, Invalid):
        return blocker
    if blocker is not None:  # as try: it may yet succeed or fail
        return Unknown(f"can() cannot decide yet: {blocker.reason}")
    v = plain(args[0].value())
    if first_invalid(v) is not None:
        return False
    u = first_unknown_deep(v)
    return u if u is not None else True


@_func("jsonencode")
def _f_jsonencode(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    return json_text(args[0])


@_func("jsondecode")
def _f_jsondecode(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    doc = read_json_document(args[0])
    return doc


@_func("yamldecode")
def _f_yamldecode(args: list[Any], env: Env) -> Any:
    # PyYAML is imported when a configuration calls yamldecode, not at every scan's startup
    from checker.loaders.terraform.yamltext import YamlError, read_yaml_document

    _arity(args, 1)
    try:
        return read_yaml_document(_str(args[0]))
    except YamlError as e:
        raise _FuncError(str(e)) from None


@_func("merge")
def _f_merge(args: list[Any], env: Env) -> Any:
    out: dict[str, Any] = {}
    for a in args:
        if a is None:
            continue
        if isinstance(a, Unknown):
            return a
        out.update(_map(a))
    return out


@_func("lookup")
def _f_lookup(args: list[Any], env: Env) -> Any:
    _arity(args, 2, 3)
    m, key = args[0], plain(args[1])
    if isinstance(m, Unknown):
        return m
    if isinstance(key, Unknown):
        return key
    m = _map(m)
    k = key_text(key)
    if isinstance(k, str) and k in m:
        return m[k]
    if len(args) == 3:
        return args[2]
    return Invalid(f"lookup(): the map has no key {key!r} and no default is given")


@_func("concat")
def _f_concat(args: list[Any], env: Env) -> Any:
    out: list[Any] = []
    for a in args:
        out.extend(_list(a))
    return out


@_func("tolist")
def _f_tolist(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    return list(_list(args[0]))


@_func("toset")
def _f_toset(args: list[Any], env: Env) -> Any:
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
def _f_tomap(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    return dict(_map(args[0]))


@_func("tostring")
def _f_tostring(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    return None if args[0] is None else _str(args[0])


@_func("tonumber")
def _f_tonumber(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    return None if args[0] is None else to_number(args[0])


@_func("tobool")
def _f_tobool(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    v = args[0]
    if v is None or isinstance(v, bool):
        return v
    if v in ("true", "false"):
        return v == "true"
    raise _FuncError(f"{v!r} is not a bool")


@_func("element")
def _f_element(args: list[Any], env: Env) -> Any:
    _arity(args, 2)
    items = _list(args[0])
    i = to_number(plain(args[1]))
    if isinstance(i, Unknown):
        return i
    if not items:
        raise _FuncError("the list is empty")
    return items[int(i) % len(items)]


@_func("one")
def _f_one(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    items = _list(args[0])
    if len(items) > 1:
        raise _FuncError("the list has more than one element")
    return items[0] if items else None


@_func("flatten")
def _f_flatten(args: list[Any], env: Env) -> Any:
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
def _f_coalesce(args: list[Any], env: Env) -> Any:
    for a in args:
        p = plain(a)
        if isinstance(p, Unknown):
            return p
        if p is not None and p != "":
            return a
    raise _FuncError("no non-null, non-empty argument")


@_func("coalescelist")
def _f_coalescelist(args: list[Any], env: Env) -> Any:
    for a in args:
        if isinstance(a, list) and a:
            return a
    return []


@_func("values")
def _f_values(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    m = _map(args[0])
    return [m[k] for k in sorted(m)]


@_func("keys")
def _f_keys(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    return sorted(_map(args[0]))


@_func("slice")
def _f_slice(args: list[Any], env: Env) -> Any:
    _arity(args, 3)
    items = _list(args[0])
    a, b = to_number(plain(args[1])), to_number(plain(args[2]))
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return a if isinstance(a, Unknown) else b
    return items[int(a) : int(b)]


@_func("reverse")
def _f_reverse(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    return list(reversed(_list(args[0])))


@_func("length")
def _f_length(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    v = args[0]
    if isinstance(v, (list, dict, str)):
        return len(v)
    raise _FuncError(f"a {type_name(v)} has no length")


@_func("contains")
def _f_contains(args: list[Any], env: Env) -> Any:
    _arity(args, 2)
    items = _list(args[0])
    if first_unknown_deep(items) is not None:
        if args[1] in items:
            return True
        return first_unknown_deep(items)
    return args[1] in items


@_func("distinct")
def _f_distinct(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    out: list[Any] = []
    for x in _list(args[0]):
        if x not in out:
            out.append(x)
    return out


@_func("compact")
def _f_compact(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    items = _list(args[0])
    u = first_unknown_deep(items)
    if u is not None:
        return u
    return [x for x in items if x is not None and x != ""]


@_func("sort")
def _f_sort(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    return sorted(_str(x) for x in _list(args[0]))


@_func("zipmap")
def _f_zipmap(args: list[Any], env: Env) -> Any:
    _arity(args, 2)
    return {_str(k): v for k, v in zip(_list(args[0]), _list(args[1]), strict=True)}


@_func("range")
def _f_range(args: list[Any], env: Env) -> Any:
    nums = [to_number(a) for a in args]
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
def _f_setunion(args: list[Any], env: Env) -> Any:
    return _set([x for a in args for x in _list(a)])


@_func("lower")
def _f_lower(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    return _str(args[0]).lower()


@_func("upper")
def _f_upper(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    return _str(args[0]).upper()


@_func("title")
def _f_title(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    return re.sub(r"\b\w", lambda m: m.group().upper(), _str(args[0]))


@_func("trimspace")
def _f_trimspace(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    return _str(args[0]).strip()


@_func("chomp")
def _f_chomp(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    return _str(args[0]).rstrip("\r\n")


@_func("trim")
def _f_trim(args: list[Any], env: Env) -> Any:
    _arity(args, 2)
    return _str(args[0]).strip(_str(args[1]))


@_func("trimprefix")
def _f_trimprefix(args: list[Any], env: Env) -> Any:
    _arity(args, 2)
    s, p = _str(args[0]), _str(args[1])
    return s[len(p) :] if p and s.startswith(p) else s


@_func("trimsuffix")
def _f_trimsuffix(args: list[Any], env: Env) -> Any:
    _arity(args, 2)
    s, p = _str(args[0]), _str(args[1])
    return s[: -len(p)] if p and s.endswith(p) else s


@_func("startswith")
def _f_startswith(args: list[Any], env: Env) -> Any:
    _arity(args, 2)
    return _str(args[0]).startswith(_str(args[1]))


@_func("endswith")
def _f_endswith(args: list[Any], env: Env) -> Any:
    _arity(args, 2)
    return _str(args[0]).endswith(_str(args[1]))


@_func("strcontains")
def _f_strcontains(args: list[Any], env: Env) -> Any:
    _arity(args, 2)
    return _str(args[1]) in _str(args[0])


@_func("substr")
def _f_substr(args: list[Any], env: Env) -> Any:
    _arity(args, 3)
    s = _str(args[0])
    off, length = int(to_number(args[1])), int(to_number(args[2]))  # type: ignore[arg-type]
    if off < 0:
        off += len(s)
    return s[off:] if length == -1 else s[off : off + length]


@_func("replace")
def _f_replace(args: list[Any], env: Env) -> Any:
    _arity(args, 3)
    s, old, new = _str(args[0]), _str(args[1]), _str(args[2])
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        # Terraform's regex mode; Go's RE2 syntax is close enough to Python's for common patterns
        return re.sub(old[1:-1], re.sub(r"\$(\d+)", r"\\\1", new), s)
    return s.replace(old, new)


@_func("split")
def _f_split(args: list[Any], env: Env) -> Any:
    _arity(args, 2)
    sep, s = _str(args[0]), _str(args[1])
    return s.split(sep) if sep else list(s)


@_func("join")
def _f_join(args: list[Any], env: Env) -> Any:
    if len(args) < 2:
        raise _FuncError("expects a separator and lists")
    sep = _str(args[0])
    return sep.join(_str(x) for a in args[1:] for x in _list(a))


@_func("format")
def _f_format(args: list[Any], env: Env) -> Any:
    if not args:
        raise _FuncError("expects a format string")
    return _format(_str(args[0]), args[1:])


@_func("formatlist")
def _f_formatlist(args: list[Any], env: Env) -> Any:
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
def _f_max(args: list[Any], env: Env) -> Any:
    return max(_num_or_fail(a) for a in args)


@_func("min")
def _f_min(args: list[Any], env: Env) -> Any:
    return min(_num_or_fail(a) for a in args)


@_func("sum")
def _f_sum(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    return normalize_number(sum(_num_or_fail(a) for a in _list(args[0])))


@_func("abs")
def _f_abs(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    return abs(_num_or_fail(args[0]))


@_func("ceil")
def _f_ceil(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    return math.ceil(_num_or_fail(args[0]))


@_func("floor")
def _f_floor(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    return math.floor(_num_or_fail(args[0]))


def _num_or_fail(v: Any) -> float | int:
    n = to_number(plain(v))
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
def _f_file(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    return _read_file(args[0], env.scope)


@_func("fileexists")
def _f_fileexists(args: list[Any], env: Env) -> Any:
    _arity(args, 1)
    base = env.scope.base_dir()
    if base is None:
        return Unknown("fileexists() is evaluated only in module folders")
    return os.path.isfile(os.path.join(base, _str(args[0])))


@_func("fileset")
def _f_fileset(args: list[Any], env: Env) -> Any:
    _arity(args, 2)
    base = env.scope.base_dir()
    if base is None:
        return Unknown("fileset() is evaluated only in module folders")
    return fileset(base, _str(args[0]), _str(args[1]))


@_func("templatefile")
def _f_templatefile(args: list[Any], env: Env) -> Any:
    _arity(args, 2)
    text = _read_file(args[0], env.scope)
    names = _map(args[1])
    try:
        node = parse_template(text)
    except HclSyntaxError as e:
        raise _FuncError(f"the template is not valid: {e.message}") from None
    return env.evaluate(node, Bound(_EmptyScope(env.scope.base_dir()), dict(names)))


class _EmptyScope(Scope):
    def __init__(self, base: str | None) -> None:
        self._base = base

    def base_dir(self) -> str | None:
        return self._base


