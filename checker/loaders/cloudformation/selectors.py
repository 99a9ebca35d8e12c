"""CloudFormation `EventSelectors`, `AdvancedEventSelectors` and `InsightSelectors` -> model.

The properties have the CloudTrail API's shapes (docs/semantics.md); the values arrive
resolved by the evaluator, so any leaf may be an `Unknown`. A selector whose structure is
unknown (an `!If` around the list, a field name from a parameter without default) makes the
trail's selectors unknown as a whole: a partial selector list would under- or over-state what
the trail records.
"""

from __future__ import annotations

from typing import Any

from checker.loaders.cloudformation.coerce import to_bool, to_str, to_str_tuple
from checker.model import (
    AdvancedSelector,
    BasicSelector,
    DataResource,
    FieldSelector,
    InsightSelector,
    Selectors,
    Unknown,
)

OPERATOR_KEYS = (
    ("Equals", "equals"), ("NotEquals", "not_equals"), ("StartsWith", "starts_with"),
    ("NotStartsWith", "not_starts_with"), ("EndsWith", "ends_with"),
    ("NotEndsWith", "not_ends_with"),
)  # fmt: skip


class _Bad(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def selectors(basic: Any, advanced: Any) -> Selectors | Unknown:
    """`basic`/`advanced` are the resolved property values, None when not written.

    Both written: AWS accepts only one kind, and the advanced ones would replace the basic
    ones; kind is "advanced" and both tuples are filled, so that a selector-validity rule sees
    the mix."""
    for value, prop in ((basic, "EventSelectors"), (advanced, "AdvancedEventSelectors")):
        if isinstance(value, Unknown):
            return value
        if value is not None and not isinstance(value, list):
            return Unknown(f"{prop} is not a list")
    try:
        b = tuple(_basic(s) for s in basic or ())
        a = tuple(_advanced(s) for s in advanced or ())
    except _Bad as e:
        return Unknown(e.reason)
    if a:
        return Selectors("advanced", basic=b, advanced=a)
    if b:
        return Selectors("basic", basic=b)
    return Selectors.default()


def _mapping(value: Any, prop: str) -> dict[str, Any]:
    if isinstance(value, Unknown):
        raise _Bad(f"an entry of {prop} is not known ({value.reason})")
    if not isinstance(value, dict):
        raise _Bad(f"an entry of {prop} is not a mapping")
    return value


def _strings(value: Any, prop: str) -> tuple[str | Unknown, ...]:
    out = to_str_tuple(value, prop)
    if isinstance(out, Unknown):
        raise _Bad(out.reason)
    return out


def _basic(raw: Any) -> BasicSelector:
    s = _mapping(raw, "EventSelectors")
    resources = []
    for d in _list(s.get("DataResources"), "DataResources"):
        d = _mapping(d, "DataResources")
        resources.append(
            DataResource(
                type=to_str(d.get("Type", ""), "DataResources Type"),
                values=_strings(d.get("Values", []), "DataResources Values"),
            )
        )
    return BasicSelector(
        read_write_type=to_str(s.get("ReadWriteType", "All"), "ReadWriteType"),
        include_management_events=to_bool(
            s.get("IncludeManagementEvents", True), "IncludeManagementEvents"
        ),
        data_resources=tuple(resources),
        exclude_management_event_sources=_strings(
            s.get("ExcludeManagementEventSources", []), "ExcludeManagementEventSources"
        ),
    )


def _advanced(raw: Any) -> AdvancedSelector:
    s = _mapping(raw, "AdvancedEventSelectors")
    fields = []
    for f in _list(s.get("FieldSelectors"), "FieldSelectors"):
        f = _mapping(f, "FieldSelectors")
        name = f.get("Field")
        if not isinstance(name, str):
            reason = name.reason if isinstance(name, Unknown) else "it is missing"
            raise _Bad(f"a field selector's Field is not known ({reason})")
        ops = {attr: _strings(f.get(key, []), key) for key, attr in OPERATOR_KEYS}
        fields.append(FieldSelector(field=name, **ops))
    label = s.get("Name")
    return AdvancedSelector(
        field_selectors=tuple(fields), name=label if isinstance(label, str) else None
    )


def _list(value: Any, prop: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, Unknown):
        raise _Bad(f"{prop} is not known ({value.reason})")
    if not isinstance(value, list):
        raise _Bad(f"{prop} is not a list")
    return value


def insight_selectors(value: Any) -> tuple[InsightSelector, ...] | Unknown:
    if value is None:
        return ()
    if isinstance(value, Unknown):
        return value
    try:
        out = []
        for raw in _list(value, "InsightSelectors"):
            s = _mapping(raw, "InsightSelectors")
            categories = s.get("EventCategories")
            if categories is None:
                cats: tuple[str, ...] = ("Management",)
            else:
                listed = _strings(categories, "EventCategories")
                if any(isinstance(c, Unknown) for c in listed):
                    raise _Bad("the EventCategories of an insight selector are not known")
                cats = tuple(str(c) for c in listed)
            out.append(
                InsightSelector(
                    insight_type=to_str(s.get("InsightType", ""), "InsightType"),
                    event_categories=cats,
                )
            )
    except _Bad as e:
        return Unknown(e.reason)
    return tuple(out)
