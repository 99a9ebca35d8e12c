"""The values Terraform expressions evaluate to, as trailcheck holds them, and the scopes that
resolve the root names of references.

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

from dataclasses import dataclass, field
from typing import Any

from checker.model import Unknown


@dataclass(frozen=True)
class PartialStr(Unknown):
    """A string whose parts are known except some: `arn:aws:iam::${account}:root`."""

    parts: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Invalid(Unknown):
    """An expression Terraform would reject (a missing attribute, a type error)."""


@dataclass(frozen=True)
class Undeclared(Invalid):
    """A reference to a resource, variable, local or module that no file of the module declares
    (Terraform: "Reference to undeclared resource", ...): an input error where it is written.
    `name` is the reference as written (`var.x`, `aws_kms_key.k`, `aws_kms_key`)."""

    name: str = field(default="", compare=False)


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


class UnknownCollection(Lazy):
    """A resource or module written with a count or for_each that is not known: its instances
    are one representative, `element()`; as a whole value it is `reason`."""

    reason: Unknown

    def element(self) -> Any:
        raise NotImplementedError

    def materialize(self) -> Any:
        return self.reason


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
        return number_text(v)
    if isinstance(v, str):
        return v
    if v is None:
        return Invalid("a null value cannot be written into a string")
    return Invalid(f"a {type_name(v)} value cannot be written into a string")


def number_text(v: float | int) -> str:
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




def key_text(key: Any) -> str | Unknown:
    key = untrace(key)
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, (int, float)):
        return number_text(key)
    if isinstance(key, str):
        return key
    if isinstance(key, Unknown):
        return key
    return Invalid(f"a {type_name(key)} cannot be a map key")


def to_number(v: Any) -> float | int | Unknown:
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
