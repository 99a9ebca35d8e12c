"""Marking a load unit's objects as its own (`in_unit`): what a unit of the model holds."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any, TypeVar

from checker.model import Estate, EventTarget, Location, Reference

T = TypeVar("T")

UNIT_COLLECTIONS = (
    "trails", "buckets", "keys", "key_aliases", "log_groups", "metric_filters", "alarms",
    "topics", "subscriptions", "policies", "event_data_stores", "event_rules", "event_buses",
    "removals", "unread",
)  # fmt: skip


def in_unit(estate: Estate, unit: str) -> Estate:
    """The estate with every object and every reference marked as loaded from `unit` (one
    Terraform root module, one template, one plan). Ids are addresses or logical ids, unique only
    within their unit, so references join by target only within it; names and ARNs still join
    across units."""

    def stamp(obj: T) -> T:
        changes: dict[str, Any] = {}
        for f in fields(obj):  # type: ignore[arg-type]
            v = getattr(obj, f.name)
            if isinstance(v, (Reference, Location)):
                changes[f.name] = replace(v, unit=unit)
            elif isinstance(v, tuple) and v and all(isinstance(x, Reference) for x in v):
                changes[f.name] = tuple(replace(x, unit=unit) for x in v)
            elif isinstance(v, tuple) and v and all(isinstance(x, EventTarget) for x in v):
                changes[f.name] = tuple(stamp(x) for x in v)  # a rule's targets
        return replace(obj, **changes) if changes else obj  # type: ignore[type-var]

    stamped: dict[str, Any] = {
        name: tuple(stamp(o) for o in getattr(estate, name)) for name in UNIT_COLLECTIONS
    }
    # an input error found while loading the unit is reported in it (the JSON `unit` field)
    stamped["diagnostics"] = tuple(stamp(d) for d in estate.diagnostics)
    return replace(estate, **stamped)
