"""Deployment units: the estate split into the views that the rules about the set of trails
judge (a Terraform root module, a template, a folder of saved CLI output, an audited account),
each with other units' organization trails."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from checker.joins import JOINED, LentTables
from checker.model import NOWHERE, Estate, EventDataStore, Location, Trail
from checker.unit_stamp import UNIT_COLLECTIONS
from checker.unread import stand_ins


@dataclass(frozen=True)
class UnitView:
    """One deployment unit (a Terraform root module, a template, a plan, a folder of saved CLI
    output, an audited account), or a group of units that deploy into the same account, as the
    rules about the set of trails judge it.

    Units are deployed separately, usually into different accounts, so one unit's trails never
    make another pass; organization trails of other units count (marked `foreign_unit`), since
    every account counts as a member when the member list is unknown, unless the config file
    puts the two units in different organizations. Service control policies apply across the
    organization too; IAM policies only in their own unit."""

    name: str  # the unit's path as reports show it, or the group's name
    estate: Estate
    anchor: Location  # where a finding points when no single block of the unit decides it
    files: frozenset[str]  # the files of the unit's own objects
    # the organization trails and event data stores of every unit that may be in this unit's
    # organization, as other units' views hold them (the same objects, and the same tuple, in
    # every view of one organization: work on them is shared by identity)
    organization: tuple[Trail | EventDataStore, ...] = ()


def unit_of(obj: Any) -> str:
    location = getattr(obj, "location", None)
    return location.unit if isinstance(location, Location) else ""


def unit_views(
    estate: Estate,
    groups: Mapping[str, str] | None = None,
    organizations: Mapping[str, str] | None = None,
) -> tuple[UnitView, ...]:
    """The estate split per deployment unit (`groups` maps a unit to the name of the group of
    units that share its account; `organizations` a unit to the name of its organization, as
    the config file says). Units without a trail or event data store of their own are not
    judged: there is nothing recording to judge. A live estate without any trail is judged as one
    view (an account without a trail fails CT001). A store of other events than AWS activity
    (`EventDataStore.records_aws_activity`) is nothing recording."""
    groups = groups or {}
    organizations = organizations or {}

    def group_of(unit: str) -> str:
        return groups.get(unit, unit)

    # what unread trails and stores may hold, as recorders of their units (`checker.unread`)
    extra = stand_ins(estate) if estate.unread else ()
    if not estate.trails and not estate.event_data_stores and not estate.removals and not extra:
        if estate.origin == "live":
            return (UnitView("", estate, NOWHERE, frozenset()),)
        return ()
    by_unit: dict[str, dict[str, list[Any]]] = {}
    for name in UNIT_COLLECTIONS:
        for obj in getattr(estate, name):
            by_unit.setdefault(unit_of(obj), {}).setdefault(name, []).append(obj)
    # ... of their own unit only: another unit's unread stores are not lent as organization
    # stores (docs/semantics/live-audit.md, "What could not be read")
    for obj in extra:
        name = "trails" if isinstance(obj, Trail) else "event_data_stores"
        by_unit.setdefault(unit_of(obj), {}).setdefault(name, []).append(obj)
    members: dict[str, list[str]] = {}
    for unit in by_unit:
        members.setdefault(group_of(unit), []).append(unit)
    # named with their unit in other units' messages (ids are unique only within a unit); the
    # same objects in every view, so that work on them can be shared across views
    organization = [
        replace(t, id=f"{t.id} ({group_of(unit_of(t))})", foreign_unit=group_of(unit_of(t)))
        for t in estate.trails
        if t.is_organization is not False
    ]
    organization_stores = [
        replace(s, id=f"{s.id} ({group_of(unit_of(s))})", foreign_unit=group_of(unit_of(s)))
        for s in estate.event_data_stores
        if s.is_organization is not False
    ]
    scps = [p for p in estate.policies if p.kind in ("scp", "rcp")]
    # what the units of organization trails lend to the views of their organization, looked up
    # through tables built once per organization (`joins`)
    lending = _Lending(organization, organization_stores, organizations, by_unit)
    views: list[UnitView] = []
    for name in sorted(members):
        own_units = members[name]
        own_trails = [t for u in own_units for t in by_unit[u].get("trails", ())]
        own_stores = [s for u in own_units for s in by_unit[u].get("event_data_stores", ())]
        # a unit whose change deletes a recorder is judged for what it has left, if anything
        removed = [r for u in own_units for r in by_unit[u].get("removals", ())]
        if not own_trails and not any(s.records_aws_activity for s in own_stores) and not removed:
            continue  # nothing of its own records AWS activity (a store of outside events)
        everywhere, lent_tables, lent_objects = lending.to(own_units)
        borrowed = [t for t in everywhere if isinstance(t, Trail) and t.foreign_unit != name]
        borrowed_stores = [s for s in everywhere
                           if isinstance(s, EventDataStore) and s.foreign_unit != name]
        # its own units' objects, then those of the units whose organization trails it borrows
        # (every lending unit but its own)
        parts: dict[str, list[Any]] = {}
        for unit in own_units:
            for collection, objects in by_unit.get(unit, {}).items():
                if collection not in _RECORDED:
                    parts.setdefault(collection, []).extend(objects)
        for collection, objects in lent_objects.without(own_units).items():
            parts.setdefault(collection, []).extend(objects)
        parts["removals"] = removed  # another unit's deletions are not this one's to report
        own_policies = [p for p in parts.get("policies", ()) if p.kind not in ("scp", "rcp")]
        collections: dict[str, Any] = {c: tuple(parts.get(c, ())) for c in UNIT_COLLECTIONS}
        collections["trails"] = tuple(own_trails + borrowed)
        collections["event_data_stores"] = tuple(own_stores + borrowed_stores)
        collections["policies"] = tuple(own_policies + scps)
        # every view may read what could not be: a topic's subscriptions, the organization's SCPs
        collections["unread"] = estate.unread
        view = replace(estate, inputs=(), diagnostics=(), **collections)
        view.share_account(frozenset(own_units), estate)
        if lent_tables is not None:
            view.lend(_joined(by_unit, own_units, own_stores), lent_tables)
        own_objects = [o for u in own_units for objs in by_unit[u].values() for o in objs]
        anchor = min((r.location for r in [*own_trails, *own_stores, *removed]),
                     key=lambda loc: (loc.file, loc.line))  # fmt: skip
        # a trail's values may be read from other files (saved CLI output: its status and
        # selectors), where its findings then point
        files = frozenset(o.location.file for o in own_objects) | {
            at.file for r in [*own_trails, *own_stores] for at in r.lines.values()
            if isinstance(at, Location)}  # fmt: skip
        views.append(UnitView(name, view, anchor, files, everywhere))
    return tuple(views)


class _Lending:
    """Which organization trails and event data stores each view holds: every unit's, unless the
    config file puts the unit and the view's units in different organizations (a unit it does
    not place may be in any). Views of the same organization get the same tuple and tables."""

    def __init__(self, trails: list[Trail], stores: list[EventDataStore],
                 organizations: Mapping[str, str],
                 by_unit: Mapping[str, Mapping[str, list[Any]]]) -> None:  # fmt: skip
        self.trails = trails
        self.stores = stores
        self.organizations = organizations
        self.by_unit = by_unit
        self._made: dict[frozenset[str] | None, tuple[tuple[Trail | EventDataStore, ...],
                                                      LentTables | None, _LentObjects]] = {}

    def to(self, units: list[str]) -> tuple[tuple[Trail | EventDataStore, ...],
                                             LentTables | None, _LentObjects]:  # fmt: skip
        """The organization trails and stores a view of `units` holds, their units' tables, and
        their units' objects."""
        placed = [self.organizations.get(u) for u in units]
        # None: some unit of the view may be in any organization
        key = None if None in placed else frozenset(o for o in placed if o is not None)
        found = self._made.get(key)
        if found is None:
            def lends(obj: Trail | EventDataStore) -> bool:
                theirs = self.organizations.get(unit_of(obj))
                return key is None or theirs is None or theirs in key

            trails = [t for t in self.trails if lends(t)]
            stores = [s for s in self.stores if lends(s)]
            everywhere: tuple[Trail | EventDataStore, ...] = (*trails, *stores)
            lent_units = list(dict.fromkeys(unit_of(t) for t in trails))
            tables = LentTables(_joined(self.by_unit, lent_units, stores),
                                frozenset(lent_units)) if everywhere else None  # fmt: skip
            found = self._made[key] = (everywhere, tables,
                                       _LentObjects(self.by_unit, lent_units))  # fmt: skip
        return found


# collections a view does not take from the units whose organization trails it borrows: it
# holds their recorders as organization trails and stores, and their deletions are theirs
_RECORDED = ("trails", "event_data_stores", "removals")


class _LentObjects:
    """The objects of the units that lend organization trails, by collection, unit after unit,
    put together once per organization: a view takes them less its own units' (which it holds
    as its own), rather than putting every unit's together again."""

    def __init__(self, by_unit: Mapping[str, Mapping[str, list[Any]]], units: list[str]) -> None:
        self.units = units
        self.lists: dict[str, list[Any]] = {}
        self.spans: dict[str, dict[str, tuple[int, int]]] = {}  # unit -> collection -> span
        for unit in units:
            for collection, objects in by_unit.get(unit, {}).items():
                if collection in _RECORDED:
                    continue
                found = self.lists.setdefault(collection, [])
                self.spans.setdefault(unit, {})[collection] = (len(found),
                                                               len(found) + len(objects))
                found.extend(objects)

    def without(self, units: list[str]) -> dict[str, list[Any]]:
        """By collection, the objects of every lending unit but `units`, in order."""
        skipped = [self.spans.get(u, {}) for u in self.units if u in units]
        if not skipped:
            return self.lists
        out: dict[str, list[Any]] = {}
        for collection, objects in self.lists.items():
            cuts = sorted(s[collection] for s in skipped if collection in s)
            kept: list[Any] = []
            at = 0
            for start, stop in cuts:
                kept += objects[at:start]
                at = stop
            out[collection] = kept + objects[at:]
        return out


def _joined(by_unit: Mapping[str, Mapping[str, list[Any]]], units: list[str],
            stores: list[EventDataStore]) -> Estate:  # fmt: skip
    """The objects of `units` that references join (`joins.JOINED`), and their metric filters and
    alarms (`joins.LentTables` indexes them), unit by unit as a view holds them, with `stores` as
    its event data stores."""
    parts: dict[str, Any] = {
        c: tuple(o for u in units for o in by_unit.get(u, {}).get(c, ()))
        for c in (*JOINED, "metric_filters", "alarms") if c != "event_data_stores"
    }
    return Estate(event_data_stores=tuple(stores), **parts)

