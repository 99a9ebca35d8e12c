"""The one way a loader assembles an `Estate`: gather model objects in any order, then build.

Every format's loader maps its resources to model objects one by one; `EstateBuilder` keeps one
list per collection of `Estate` (`add` files an object under its type, `of` gives the list of a
type so far, to look at or change before the end) and `estate()` freezes them. The collections
and their types are listed once, in `COLLECTIONS`, which the snapshot format also reads.
"""

from __future__ import annotations

from typing import Any, TypeVar

from checker.model import (
    Alarm,
    Bucket,
    ControlPolicy,
    Diagnostic,
    Estate,
    EventBus,
    EventDataStore,
    EventRule,
    InputFile,
    Key,
    KeyAlias,
    LogGroup,
    MetricFilter,
    PublicAccessBlock,
    Subscription,
    Topic,
    Trail,
    Unread,
)

T = TypeVar("T")

# The estate's collections of resources, in the order snapshots write them
COLLECTIONS: tuple[tuple[str, type[Any]], ...] = (
    ("trails", Trail),
    ("buckets", Bucket),
    ("keys", Key),
    ("key_aliases", KeyAlias),
    ("log_groups", LogGroup),
    ("metric_filters", MetricFilter),
    ("alarms", Alarm),
    ("topics", Topic),
    ("subscriptions", Subscription),
    ("policies", ControlPolicy),
    ("event_data_stores", EventDataStore),
    ("event_rules", EventRule),
    ("event_buses", EventBus),
)
# ... and what else a loader gathers object by object
_GATHERED: tuple[tuple[str, type[Any]], ...] = (
    *COLLECTIONS,
    ("account_public_access_blocks", PublicAccessBlock),
    ("inputs", InputFile),
    ("diagnostics", Diagnostic),
    ("unread", Unread),
)
_NAME_OF: dict[type[Any], str] = {cls: name for name, cls in _GATHERED}


class EstateBuilder:
    def __init__(self) -> None:
        self._lists: dict[str, list[Any]] = {name: [] for name, _ in _GATHERED}

    def add(self, *objs: object) -> None:
        """File each object under its collection (an object of a subclass under its base's)."""
        for obj in objs:
            name = _NAME_OF.get(type(obj))
            if name is None:
                name = next(n for cls, n in _NAME_OF.items() if isinstance(obj, cls))
            self._lists[name].append(obj)

    def of(self, cls: type[T]) -> list[T]:
        """The objects of `cls` gathered so far (the list itself: a loader may change it)."""
        found: list[T] = self._lists[_NAME_OF[cls]]
        return found

    def named(self, name: str) -> list[Any]:
        """The list of one collection, by the `Estate` field's name."""
        return self._lists[name]

    def estate(self, **fields: Any) -> Estate:
        """The estate of everything gathered, with `fields` (origin, organization accounts)
        set as given."""
        gathered: dict[str, Any] = {n: tuple(objs) for n, objs in self._lists.items() if objs}
        return Estate(**gathered, **fields)
