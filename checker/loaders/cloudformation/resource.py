"""One resource of a template, with typed access to its resolved properties and their lines."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from checker.loaders.cloudformation.coerce import to_bool, to_int, to_str
from checker.loaders.cloudformation.intrinsics import NO_VALUE, Evaluator, intrinsic_name
from checker.loaders.located import LineDict, LineList, line_of
from checker.model import Location, Reference, Unknown

_MISSING = object()
_NO_VALUE_REF = {"Ref": "AWS::NoValue"}


def whole_properties(props: Any, holds: Callable[[Any], bool | Unknown]) -> dict[str, Any] | str:
    """A resource's `Properties` as one mapping, or what is wrong with them (a phrase that
    follows "Properties of X"). CloudFormation also takes an `Fn::If` between whole mappings
    there (`AWS::NoValue` for none; cfn-lint reads it so too). `holds` tells whether a condition
    holds: a known one picks its branch; for an unknown one each property gets its own `Fn::If`,
    which the evaluator reads like any other (unknown where the branches differ)."""
    function = intrinsic_name(props)
    if function == "Fn::If":
        arg = props["Fn::If"]
        if not isinstance(arg, list) or len(arg) != 3:
            return "have an Fn::If that needs a condition and two values"
        known = holds(arg[0])
        if isinstance(known, bool):
            chosen = arg[1] if known else arg[2]
            return LineDict(line_of(props)) if chosen == _NO_VALUE_REF else whole_properties(
                chosen, holds)
        branches: list[dict[str, Any]] = []
        for branch in arg[1:]:
            found = (LineDict(line_of(props)) if branch == _NO_VALUE_REF
                     else whole_properties(branch, holds))  # fmt: skip
            if isinstance(found, str):
                return found
            branches.append(found)
        yes, no = branches
        out = LineDict(line_of(props))
        for key in dict.fromkeys([*yes, *no]):
            line = line_of(yes if key in yes else no, key)
            choice = LineList(line)
            choice.extend([arg[0], yes.get(key, _NO_VALUE_REF), no.get(key, _NO_VALUE_REF)])
            out[key] = LineDict(line)
            out[key]["Fn::If"] = choice
            out.key_lines[key] = line
        return out
    if function is not None:
        return f"are a {function}, not a mapping of property names to values"
    if not isinstance(props, dict):
        return "must be a mapping of property names to values"
    return props


class Resource:
    def __init__(
        self,
        logical_id: str,
        rtype: str,
        node: LineDict,
        line: int,
        file: str,
        ev: Evaluator,
        created: bool | Unknown = True,
    ) -> None:
        self.id = logical_id
        # Unknown: its `Condition` is not known, so it may not be created
        self.created = created
        self.type = rtype
        self.node = node
        props = node.get("Properties")
        self.props: dict[str, Any] = props if isinstance(props, dict) else {}
        self.location = Location(file, line)
        self.ev = ev
        self.lines: dict[str, int] = {}  # model field -> line, filled as properties are read
        # model field -> the property that sets it, or the first tried when none is written
        # (`Located.names`)
        self.names: dict[str, str] = {}
        self._cache: dict[str, Any] = {}
        # written name -> the property it misspells by case only, noted as properties are read
        self.miscased: dict[str, str] = {}
        self._folded: dict[str, list[str]] | None = None  # folded name -> the names written

    def line(self, prop: str) -> int:
        return line_of(self.props, prop) if prop in self.props else self.location.line

    def raw(self, prop: str) -> Any:
        self._note_case(prop)
        return self.props.get(prop)

    def _note_case(self, prop: str) -> None:
        """Property names are case-sensitive: `KmsKeyId` is not `KMSKeyId`, and CloudFormation
        rejects a property its type does not have (docs/semantics/cloudformation.md)."""
        if prop in self.props:
            return
        if self._folded is None:  # made once: most properties read are not written at all
            self._folded = {}
            for written in self.props:
                if isinstance(written, str):
                    self._folded.setdefault(written.casefold(), []).append(written)
        for written in self._folded.get(prop.casefold(), ()):
            self.miscased[written] = prop

    def get(self, prop: str, model_field: str | None = None) -> Any:
        """The resolved value, or None when the property is not written (or is AWS::NoValue).
        With `model_field`, the property's line and name are recorded for that field."""
        if prop not in self._cache:
            self._note_case(prop)
            value = self.ev.value(self.props[prop]) if prop in self.props else _MISSING
            self._cache[prop] = None if value is _MISSING or value is NO_VALUE else value
        value = self._cache[prop]
        if model_field is not None:
            if value is None:
                self.names.setdefault(model_field, prop)
            elif model_field not in self.lines:
                self.lines[model_field] = self.line(prop)
                self.names[model_field] = prop
        return value

    def has(self, prop: str) -> bool:
        return self.get(prop) is not None

    def string(self, prop: str, model_field: str | None = None) -> str | Unknown | None:
        value = self.get(prop, model_field)
        return None if value is None else to_str(value, prop)

    def boolean(self, prop: str, default: bool, model_field: str | None = None) -> bool | Unknown:
        value = self.get(prop, model_field)
        return default if value is None else to_bool(value, prop)

    def switched_on(self, prop: str, default: bool, model_field: str) -> bool | Unknown:
        """A boolean that turns the resource's effect on (a trail's logging, an alarm's actions):
        unknown, unless false, when the resource may not be created at all."""
        value = self.boolean(prop, default, model_field)
        created = self.created
        if value is False or not isinstance(created, Unknown):
            return value
        node = self.node.get("Condition")
        return Unknown(f"{self.id} is created only if condition {node} holds, which is not "
                       f"known ({created.reason})")  # fmt: skip

    def integer(self, prop: str, model_field: str | None = None) -> int | Unknown | None:
        value = self.get(prop, model_field)
        return None if value is None else to_int(value, prop)

    def name(self, prop: str, model_field: str = "name") -> str | Unknown:
        """The resource's name property, or the Computed name CloudFormation generates."""
        value = self.string(prop, model_field)
        if value is None:
            generated: str | Unknown = self.ev._name(self.id, self.type)
            return generated
        return value

    def reference(
        self, prop: str, types: Iterable[str], model_field: str | None = None
    ) -> Reference | None:
        value = self.get(prop, model_field)
        if value is None or value == "":
            return None  # `KMSKeyId: ""` is no key: an empty reference is not set
        return reference(to_str(value, prop), self.ev.link(self.props[prop], types))


def reference(value: str | Unknown, target: str | None) -> Reference:
    return Reference(value=value, target=target)
