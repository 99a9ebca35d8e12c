"""A resource's arguments as the model mapping reads them (`Attrs`), and their values turned
into model values (no traces; unknowns with a reason).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from checker.loaders.terraform.jsontext import read_policy, to_leaf
from checker.loaders.terraform.values import Invalid, Lazy, PartialStr, Traced, untrace
from checker.model import (
    Location,
    Tri,
    Unknown,
)


class Attrs(Protocol):
    """One resource (or nested block) as the mapping reads it."""

    address: str
    rtype: str
    location: Location

    def raw(self, name: str) -> Any:
        """The argument's value (None when not set), traces kept; a value unknown as a whole says
        where it comes from."""
        ...

    def line(self, name: str) -> int | None: ...

    def blocks(self, name: str) -> list[Attrs] | Unknown: ...

    def region(self) -> Any: ...

    def maybe_absent(self) -> Unknown | None:
        """Why the resource may not exist at all (a count or for_each that is not known), or
        None."""
        ...


class DictAttrs:
    """Attrs over a dict of values (plan JSON, `.tf.json` nested blocks written as objects)."""

    def __init__(
        self,
        address: str,
        rtype: str,
        location: Location,
        values: Mapping[str, Any],
        region: Any = None,
        lines: Mapping[str, int] | None = None,
    ) -> None:
        self.address = address
        self.rtype = rtype
        self.location = location
        self.values = values
        self._region = region
        self._lines = lines or {}

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def line(self, name: str) -> int | None:
        return self._lines.get(name)

    def blocks(self, name: str) -> list[Attrs] | Unknown:
        return blocks_from_value(self, name, self.values.get(name))

    def maybe_absent(self) -> Unknown | None:
        return None  # a plan's instances are expanded

    def region(self) -> Any:
        return self._region


def blocks_from_value(parent: Attrs, name: str, value: Any) -> list[Attrs] | Unknown:
    """Nested blocks given as a value: an object, or a list of objects."""
    v = untrace(value)
    if v is None:
        return []
    if isinstance(v, Unknown):
        return to_model(v)  # type: ignore[no-any-return]
    items = v if isinstance(v, list) else [v]
    out: list[Attrs] = []
    for item in items:
        item = untrace(item)
        if isinstance(item, Lazy):
            item = item.materialize()
        if isinstance(item, Unknown):
            return to_model(item)  # type: ignore[no-any-return]
        if isinstance(item, dict):
            line = parent.line(name)
            out.append(
                DictAttrs(
                    parent.address,
                    name,
                    parent.location,
                    item,
                    parent.region(),
                    {k: line for k in item} if line else None,
                )
            )
    return out


# --------------------------------------------------------------------------------------------
# Values


def to_model(v: Any) -> Any:
    """An evaluated value as the model holds it: no traces; PartialStr and Invalid become plain
    Unknown (or Computed when every unknown part is certainly set)."""
    if isinstance(v, Traced):
        v = v.value
    if isinstance(v, Lazy):
        v = v.materialize()
    if isinstance(v, (PartialStr, Invalid)):
        return to_leaf(v)
    if isinstance(v, list):
        return [to_model(x) for x in v]
    if isinstance(v, dict):
        return {k: to_model(x) for k, x in v.items()}
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def as_string(v: Any, what: str) -> Any:
    v = to_model(v)
    if v is None or isinstance(v, (str, Unknown)):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    return Unknown(f"{what} is not a string")


def string(a: Attrs, name: str) -> Any:
    """MaybeStr | None."""
    return as_string(a.raw(name), name)


def tri(a: Attrs, name: str, default: bool) -> Any:
    v = to_model(a.raw(name))
    if v is None:
        return default
    if isinstance(v, (bool, Unknown)):
        return v
    if v in ("true", "false"):
        return v == "true"
    return Unknown(f"{name} is not a bool ({v!r})")


def integer(a: Attrs, name: str) -> Any:
    v = to_model(a.raw(name))
    if v is None or isinstance(v, Unknown):
        return v
    if isinstance(v, bool):
        return Unknown(f"{name} is not a number")
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return int(v)
    if isinstance(v, str):
        try:
            return int(float(v))
        except ValueError:
            pass
    return Unknown(f"{name} is not a number ({v!r})")



def strings(a: Attrs, name: str) -> tuple[Any, ...] | Unknown:
    v = to_model(a.raw(name))
    if v is None:
        return ()
    if isinstance(v, Unknown):
        return v
    if not isinstance(v, list):
        v = [v]
    return tuple(as_string(x, name) for x in v)


def document(a: Attrs, name: str) -> Mapping[str, Any] | Unknown | None:
    raw = a.raw(name)
    v = untrace(raw)
    if isinstance(v, Unknown) and not isinstance(v, PartialStr):
        return to_model(v)  # type: ignore[no-any-return]
    return read_policy(v)


def first_block(a: Attrs, name: str) -> Attrs | Unknown | None:
    blocks = a.blocks(name)
    if isinstance(blocks, Unknown):
        return blocks
    return blocks[0] if blocks else None


class FieldLines:
    """model field -> line of the attribute that set it, and its name (`Located.names`): the
    first of `attrs` when none is written, the one the user would add. `spelled=False` when an
    attribute only holds the setting (a block around it) or the field's value is not the
    attribute's (an event data store's status from `suspend`): the model name stays."""

    def __init__(self, a: Attrs) -> None:
        self.a = a
        self.lines: dict[str, int] = {}
        self.names: dict[str, str] = {}

    def mark(self, model_field: str, *attrs: str, spelled: bool = True) -> None:
        for attr in attrs:
            line = self.a.line(attr)
            if line:
                self.lines[model_field] = line
                if spelled:
                    self.names[model_field] = attr
                return
        if attrs and spelled:
            self.names.setdefault(model_field, attrs[0])


def switched_on(a: Attrs, value: Tri) -> Tri:
    """A boolean that turns the resource's effect on (a trail's logging, an alarm's actions):
    unknown, unless false, when the resource may not exist at all."""
    absent = a.maybe_absent()
    if value is False or absent is None:
        return value
    return Unknown(f"whether {a.address} exists is not known ({absent.reason})")

