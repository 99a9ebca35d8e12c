"""The lookup tables behind `Estate.resolve`: each object under its target key (its id within its
load unit), its names and its ARNs, the first object put under a key winning.

A deployment unit's view (`units.unit_views`) holds its own units' objects, then those lent by
the units whose organization trails it borrows, and every view is lent the same objects. Building
a view's tables from all of them made a monorepo's cost grow with units times organization
trails, so the lent objects' tables are built once per scan (`LentTables`) and a view's tables
search its own objects' first, then the lent ones (`Layers`), skipping the view's own units there
(a unit that lends to the others holds its objects as its own). The result is the same object a
table of the whole view gives: the order of the layers is the order the objects were put in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from checker.unknowns import PartlyKnown, Unknown

KINDS = ("bucket", "key", "log_group", "topic", "event_bus", "lake")
# the estate's collections that `named_objects` and the key aliases read
JOINED = ("buckets", "keys", "key_aliases", "log_groups", "topics", "event_buses",
          "event_data_stores")  # fmt: skip


class Lookup(Protocol):
    def get(self, key: str, /) -> Any: ...


def target_key(unit: str, target: str) -> str:
    return f"\x00{unit}\x00{target}"


def lookup(table: Lookup, ref: Any) -> Any:
    """The object a `model.Reference` joins in `table`: by target within its unit, then by name
    or ARN (its unit's object of that name first), or None."""
    if ref.target is not None:
        hit = table.get(target_key(ref.unit, ref.target))
        if hit is not None:
            return hit
    value = ref.value.symbol() if isinstance(ref.value, PartlyKnown) else ref.value
    if isinstance(value, str):
        spellings = list(_reference_spellings(value))
        for candidate in spellings:
            hit = table.get(target_key(ref.unit, "name:" + candidate))
            if hit is not None:
                return hit
        for candidate in spellings:
            hit = table.get(candidate)
            if hit is not None:
                return hit
    return None


def index_keys(owner: Any, names: Iterable[object]) -> Iterator[str]:
    """The keys an object is put under: `owner`'s id within its unit, and each name (the same
    name in several units, such as envs/dev's and envs/prod's "cloudtrail" log group: a reference
    joins the one of its own unit first)."""
    unit = owner.location.unit
    yield target_key(unit, owner.id)
    for n in names:
        if isinstance(n, PartlyKnown):  # built from unknowns: joins by its symbol
            n = n.symbol()
        if isinstance(n, str) and n:
            yield n
            yield target_key(unit, "name:" + n)


def named_objects(estate: Any) -> Iterator[tuple[str, Any, tuple[object, ...]]]:
    """(kind, object, names) of every object a reference may join, key aliases aside."""
    for b in estate.buckets:
        arn = (b.arn if isinstance(b.arn, str)
               else (f"arn:aws:s3:::{b.name}" if isinstance(b.name, str) else None))  # fmt: skip
        name = b.name
        if not isinstance(name, str) and arn is not None and ":s3:::" in arn:
            # the name an ARN of any partition gives (`_reference_spellings`) finds it too
            name = arn.split(":::", 1)[1]
        yield "bucket", b, (b.id, name, arn)
    for k in estate.keys:
        yield "key", k, (k.id, k.arn, k.key_id, *k.aliases)
    for g in estate.log_groups:
        arn = g.arn if isinstance(g.arn, str) else None
        yield "log_group", g, (g.id, g.name, arn,
                               f"{arn}:*" if arn and not arn.endswith(":*") else None)  # fmt: skip
    for t in estate.topics:
        yield "topic", t, (t.id, t.name, t.arn)
    for eb in estate.event_buses:
        yield "event_bus", eb, (eb.id, eb.name, eb.arn)
    for store in estate.event_data_stores:
        # the ARN's id suffix names a store too (PutInsightSelectors InsightsDestination)
        suffix = store.arn.rsplit("/", 1)[-1] if isinstance(store.arn, str) else None
        yield "lake", store, (store.id, store.name, store.arn, suffix)


def alias_keys(alias: Any, target: Any) -> Iterator[str]:
    """The keys a key alias puts its key under: the alias's id and name, and its ARN."""
    yield from index_keys(alias, (alias.id, alias.name))
    if isinstance(alias.name, str) and isinstance(target.arn, str):
        # alias ARN: arn:aws:kms:region:acct:alias/name
        yield from index_keys(target, (f"{target.arn.split(':key/')[0]}:{alias.name}",))


def whole_index(estate: Any) -> dict[str, dict[str, Any]]:
    """kind -> {key -> object} over every object of `estate`."""
    index: dict[str, dict[str, Any]] = {kind: {} for kind in KINDS}
    for kind, obj, names in named_objects(estate):
        table = index[kind]
        for key in index_keys(obj, names):
            table.setdefault(key, obj)
    keys = index["key"]
    for alias in estate.key_aliases:
        target = lookup(keys, alias.target)
        if target is not None:
            for key in alias_keys(alias, target):
                keys.setdefault(key, target)
    return index


class LentTables:
    """Every key -> the lent objects put under it, in order, by kind; key aliases' apart from
    keys', since a view puts its own aliases between the two. `exact` is False when some lent
    alias joins its key otherwise than by target within its unit (by name, or not at all): in a
    view, the view's own objects might take part, so views build whole tables instead."""

    def __init__(self, estate: Any, units: frozenset[str] = frozenset()) -> None:
        self.estate = estate
        self.units = units  # the units whose objects `estate` holds
        self.tables: dict[str, dict[str, list[Any]]] = {kind: {} for kind in KINDS}
        self.aliases: dict[str, list[Any]] = {}
        # work over the lent objects that the simulator shares between views (their filters'
        # patterns, say), keyed by what it is
        self.memo: dict[str, Any] = {}
        for kind, obj, names in named_objects(estate):
            table = self.tables[kind]
            for key in index_keys(obj, names):
                table.setdefault(key, []).append(obj)
        # each lent metric filter's log group when its reference joins by target within its
        # unit: every view finds that same group (no view holds another under that key)
        self.filter_groups: dict[int, Any] = {}
        groups = self.tables["log_group"]
        for f in estate.metric_filters:
            ref = f.log_group
            found = None if ref.target is None else groups.get(target_key(ref.unit, ref.target))
            if found:
                self.filter_groups[id(f)] = found[0]
        # the lent filters by that log group, in order, when every one joins one so
        self.filters_by_group: dict[int, tuple[Any, ...]] | None = None
        if len(self.filter_groups) == len(estate.metric_filters):
            by_group: dict[int, list[Any]] = {}
            for f in estate.metric_filters:
                by_group.setdefault(id(self.filter_groups[id(f)]), []).append(f)
            self.filters_by_group = {k: tuple(v) for k, v in by_group.items()}
        # the lent alarms by metric (name, namespace), and those whose metric is not known
        by_metric: dict[tuple[object, object], list[Any]] = {}
        unknown: list[Any] = []
        for a in estate.alarms:
            if isinstance(a.metric_name, str) and isinstance(a.namespace, str):
                by_metric.setdefault((a.metric_name, a.namespace), []).append(a)
            elif isinstance(a.metric_name, Unknown) or isinstance(a.namespace, Unknown):
                unknown.append(a)
        self.alarms_by_metric = {k: tuple(v) for k, v in by_metric.items()}
        self.alarms_on_unknown_metrics = tuple(unknown)
        self.exact = True
        keys = self.tables["key"]
        for alias in estate.key_aliases:
            ref = alias.target
            found = None if ref.target is None else keys.get(target_key(ref.unit, ref.target))
            if not found:
                self.exact = False
                return
            for key in alias_keys(alias, found[0]):
                self.aliases.setdefault(key, []).append(found[0])


class _Lent:
    """A lent table as one view sees it: under each key, the first object not of its own units."""

    def __init__(self, table: Mapping[str, list[Any]], own_units: frozenset[str]) -> None:
        self.table = table
        self.own_units = own_units

    def get(self, key: str) -> Any:
        for obj in self.table.get(key, ()):
            if obj.location.unit not in self.own_units:
                return obj
        return None


class Layers:
    """Tables searched in order: the first that has a key answers."""

    def __init__(self, layers: Sequence[Lookup]) -> None:
        self.layers = layers

    def get(self, key: str) -> Any:
        for layer in self.layers:
            hit = layer.get(key)
            if hit is not None:
                return hit
        return None


def layered_index(own: Any, lent: LentTables, own_units: frozenset[str]) -> dict[str, Lookup]:
    """A view's tables: those of its own objects (`own`, an estate), then the lent objects'. In
    a whole table the order is own keys, lent keys, own aliases, lent aliases; so it is here."""
    mine: dict[str, dict[str, Any]] = {kind: {} for kind in KINDS}
    for kind, obj, names in named_objects(own):
        table = mine[kind]
        for key in index_keys(obj, names):
            table.setdefault(key, obj)
    index: dict[str, Lookup] = {
        kind: Layers((mine[kind], _Lent(lent.tables[kind], own_units))) for kind in KINDS
    }
    aliases: dict[str, Any] = {}
    keys = Layers((mine["key"], _Lent(lent.tables["key"], own_units), aliases))
    for alias in own.key_aliases:
        target = lookup(keys, alias.target)
        if target is not None:
            for key in alias_keys(alias, target):
                if keys.get(key) is None:
                    aliases[key] = target
    index["key"] = Layers((*keys.layers, _Lent(lent.aliases, own_units)))
    return index


def log_group_arn(arn: str) -> str:
    """A log group's ARN without CloudTrail's trailing stream wildcard `:*`."""
    return arn[:-2] if arn.endswith(":*") else arn


def log_group_name(value: str) -> str:
    """A log group's name, from its name or its ARN."""
    return log_group_arn(value).split(":log-group:", 1)[-1]


def known_log_group_name(value: object) -> str | None:
    """The log group name a name or ARN spells, also when the ARN is partly unknown but the name
    lies in its known end (`arn:aws:logs:${region}:${account}:log-group:audit:*`, as templates
    write it with the account and Region of the stack); None when the name is not known."""
    if isinstance(value, str):
        return log_group_name(value) if value else None
    if isinstance(value, PartlyKnown) and value.parts and value.parts[-1] is not None:
        tail = value.parts[-1]
        if ":log-group:" in tail:
            return log_group_name(tail) or None
    return None


def _reference_spellings(value: str) -> Iterator[str]:
    """The forms under which a name or ARN may be indexed."""
    yield value
    if value.endswith(":*"):
        yield value[:-2]
    if value.startswith("arn:") and ":s3:::" in value:
        yield value.split(":::", 1)[1].split("/", 1)[0]
    if value.startswith("arn:") and ":log-group:" in value:
        yield log_group_name(value)
    if value.startswith("arn:") and ":sns:" in value:
        yield value.rsplit(":", 1)[1]
    if value.startswith("arn:") and ":event-bus/" in value:
        yield value.split(":event-bus/", 1)[1]
    if value.startswith("arn:") and ":kms:" in value:
        tail = value.split(":", 5)[5]
        yield tail.split("/", 1)[1] if tail.startswith("key/") else tail
