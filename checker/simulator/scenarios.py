"""The scenario catalog (`policies/scenarios/*.yaml`) and the scenario-by-Region coverage matrix.

A scenario is a named security question ("who deleted this bucket?") with sample CloudTrail
records. A record without `awsRegion` happens in each Region of the matrix; a record with one is
recorded there whatever the Region: us-east-1 is the Region of a global service's endpoint (IAM
calls, root sign-in, Organizations), which each other partition has in a Region of its own
(`checker.simulator.regions.placed_region`).

`coverage_matrix` returns one estate's matrix, and `unit_coverage` one per deployment unit, the
shape `report.extra["coverage"]` documents (checker/report/html.py, markdown.py):

    {"regions": [...], "units": [{"unit": "envs/prod", "scenarios": [{"id", "title", "critical",
        "cis_topic", "cells": {region: {"status": "captured"|"missed"|"unknown",
        "captured_by": [trail ids] | None, "cloudwatch": true|false|null,
        "alarm": true|false|null, "alarms": [alarm ids],
        "alerted": true|false|null, "eventbridge": [rule ids], "reason": str}}}]}]}

A cell is captured when every event of the scenario is captured by some trail, missed when some
event is certainly missed by every trail, unknown otherwise. `captured_by` lists the trails that
capture the events of a captured cell, is empty for a missed cell, and is None for an unknown
one, so that readers which only look at `captured_by` show "not known" rather than "missed".
`cloudwatch` / `alarm` are true when every event reaches CloudWatch Logs / fires an alarm with a
subscribed SNS topic, false when some event certainly does not, null when not known. `alerted`
is the same for "someone is notified", by that alarm chain or by an EventBridge rule with a
notifying target; `eventbridge` lists those rules. Event data stores capture like trails (and
are named in `captured_by`), but deliver nowhere else.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from checker.model import Estate
from checker.regions import US_EAST_1, partition_of
from checker.resources import policies_root, schema_path, validate_once, yaml_documents
from checker.simulator.alarms import TraceCache
from checker.simulator.capture import CompiledTrail
from checker.simulator.delivery import MAX_EVENT_BYTES, TrailDestinations, event_size
from checker.simulator.events import Event
from checker.simulator.lake import compiled_stores
from checker.simulator.pipeline import (
    NO_FOREIGN,
    EventResult,
    ForeignResults,
    OrganizationResults,
    simulate_event,
)
from checker.simulator.regions import apart_in_us_east_1, placed_region
from checker.simulator.sharing import Shared
from checker.tri import Status, all_of, to_bool

BASE_RECORD: Mapping[str, Any] = {
    "eventVersion": "1.09",
    "userIdentity": {
        "type": "IAMUser",
        "principalId": "AIDAEXAMPLEALICE",
        "arn": "arn:aws:iam::111122223333:user/alice",
        "accountId": "111122223333",
        "userName": "alice",
    },
    "eventTime": "2024-01-01T12:00:00Z",
    "sourceIPAddress": "203.0.113.10",
    "userAgent": "aws-cli/2.15.0",
    "requestParameters": None,
    "responseElements": None,
    "readOnly": False,
    "eventType": "AwsApiCall",
    "managementEvent": True,
    "eventCategory": "Management",
}
_STATUS: dict[Status, str] = {"pass": "captured", "fail": "missed", "unknown": "unknown"}


class CatalogError(ValueError):
    """A scenario file that is not valid: a bug in the shipped catalog."""


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    critical: bool
    records: tuple[Mapping[str, Any], ...]  # complete records; awsRegion may be absent
    cis_topic: int | None = None
    description: str = ""
    source: str = ""

    def event_names(self) -> list[str]:
        return [str(r["eventName"]) for r in self.records]

    def record(self, index: int, region: str) -> dict[str, Any]:
        """Record `index` as it happens when the actor works in `region`."""
        # a shallow copy: nothing downstream writes into a record, and a deep copy of every
        # sample event per Region was a third of a scan's time
        rec = dict(self.records[index])
        rec["awsRegion"] = self.region_of(index, region)
        return rec

    def events(self, region: str) -> tuple[Event, ...]:
        """The scenario's events as they happen when the actor works in `region`."""
        return tuple(
            Event.from_record(self.record(i, region)) for i in range(len(self.records))
        )

    def region_of(self, index: int, region: str) -> str:
        """The Region record `index` is recorded in when the actor works in `region`: a record
        pinned to us-east-1 is a global service's, recorded in its partition's Region
        (`placed_region`)."""
        return placed_region(self.records[index], region)


# --------------------------------------------------------------------------------------------
# Loading


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(dict(base))
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping) and key != "resources":
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _validate(files: list[tuple[Path, Any]]) -> None:
    def check() -> None:
        import jsonschema

        schema = json.loads(schema_path("scenario.schema.json").read_text(encoding="utf-8"))
        validator = jsonschema.Draft202012Validator(schema)
        for path, data in files:
            errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
            if errors:
                e = errors[0]
                where = "/".join(str(p) for p in e.path) or "(top)"
                raise CatalogError(f"{path}: {where}: {e.message}")

    validate_once("scenarios", [[p.name, d] for p, d in files], "scenario.schema.json", check)


def load_catalog_from(root: Path) -> tuple[Scenario, ...]:
    """Every scenario of `root/*.yaml`, validated, sorted by id."""
    paths = sorted(root.glob("*.yaml"))
    try:
        # parsed once per content (the pre-commit hook reads the shipped catalog every run)
        files = list(zip(paths, yaml_documents(paths), strict=True))
    except Exception:  # a file that is not YAML: `_parse_each` says which
        files = _parse_each(paths)
    _validate(files)
    scenarios: dict[str, Scenario] = {}
    for path, data in files:
        for raw in data["scenarios"]:
            defaults = _merge(BASE_RECORD, raw.get("defaults") or {})
            records = tuple(_merge(defaults, ev) for ev in raw["events"])
            for i, rec in enumerate(records):
                for key in ("eventSource", "eventName"):
                    if not isinstance(rec.get(key), str):
                        raise CatalogError(f"{path}: scenario {raw['id']} event {i}: no {key}")
            if raw["id"] in scenarios:
                raise CatalogError(f"{path}: duplicate scenario id {raw['id']}")
            scenarios[raw["id"]] = Scenario(
                id=raw["id"], title=raw["title"], critical=bool(raw["critical"]),
                records=records, cis_topic=raw.get("cis_topic"),
                description=" ".join(str(raw.get("description", "")).split()), source=path.name,
            )  # fmt: skip
    return tuple(sorted(scenarios.values(), key=lambda s: s.id))


def _parse_each(paths: Sequence[Path]) -> list[tuple[Path, Any]]:
    import yaml

    files: list[tuple[Path, Any]] = []
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            try:
                files.append((path, yaml.load(fh, Loader=getattr(yaml, "CSafeLoader",
                                                                  yaml.SafeLoader))))
            except yaml.YAMLError as e:
                raise CatalogError(f"{path}: not valid YAML: {e}") from e
    return files


@cache
def load_catalog() -> tuple[Scenario, ...]:
    """The shipped catalog (cached, validated)."""
    return load_catalog_from(policies_root() / "scenarios")


def get_scenario(scenario_id: str) -> Scenario | None:
    return next((s for s in load_catalog() if s.id == scenario_id), None)


def cis_scenario(topic: int) -> Scenario | None:
    return next((s for s in load_catalog() if s.cis_topic == topic), None)


# --------------------------------------------------------------------------------------------
# Simulation

# Region names differ in length by less than this: events this far under the size limit are
# under it in every Region
_REGION_NAME_SLACK = 64


@dataclass(frozen=True)
class StandIn:
    """A scenario event (`index`) recorded in each of `regions`, and its results there
    (`ScenarioRunner.across`: one simulation, in one Region of a class, stands for them all)."""

    index: int
    regions: tuple[str, ...]
    result: EventResult

    @property
    def region(self) -> str:
        """The first of the Regions (the matrix's order)."""
        return self.regions[0]


class ScenarioRunner:
    """Scenario events through an estate, with results cached per (scenario, event, Region): an
    event pinned to us-east-1 is simulated once for every column. `shared`: the scan's work
    shared across deployment units (other units' organization trails, the sample events)."""

    def __init__(
        self,
        estate: Estate,
        *,
        default_region: str | None = None,
        shared: Shared | None = None,
    ) -> None:
        self.estate = estate
        self.default_region = default_region
        self.shared = shared or Shared()
        # the view's own trails and stores (`compiled_trails`, less other units' organization
        # trails: every such trail of the scan is simulated once per event for all the views,
        # and this view leaves out the copies of its own)
        members = estate.organization_accounts
        stores = compiled_stores(estate, default_region, self.shared)
        self.compiled = [self.shared.compiled(t, default_region, members)
                         for t in estate.trails if t.foreign_unit is None]  # fmt: skip
        self.compiled += [c for c in stores if c.trail.foreign_unit is None]
        self.foreign = self.shared.foreign([*estate.trails, *(c.trail for c in stores)])
        self._cache: dict[tuple[str, int, str], EventResult] = {}
        self._traces = TraceCache(self.shared.pattern_verdicts)
        self._fixed: dict[int, TrailDestinations] = {}  # keyed by id() of self.compiled items
        rules = estate.event_rules
        self._collapsible = self._traces.estate_region_blind(estate) and all(
            isinstance(r.region, str) for r in rules)  # fmt: skip
        self._own_class = {r.region for r in rules if isinstance(r.region, str)}
        self._classes: dict[str, Hashable | None] = {}
        self._apart_events: dict[tuple[str, int], bool] = {}
        self._first_of_class: dict[tuple[str, int, Hashable], str] = {}
        self._across: dict[tuple[str, tuple[str, ...]], list[StandIn]] = {}
        self._alike: dict[tuple[str, str], list[EventResult]] = {}
        self._captured_cells: dict[tuple[int, ...], dict[str, Any]] = {}

    def results(self, scenario: Scenario, region: str) -> list[EventResult]:
        """The scenario's events as they happen when the actor works in `region`."""
        return [self._result(scenario, i, scenario.region_of(i, region))
                for i in range(len(scenario.records))]  # fmt: skip

    def alike(self, scenario: Scenario, region: str) -> list[EventResult]:
        """As `results`, but each event's result may be simulated in another Region that every
        trail, filter and rule treats alike (`_region_class`): it is then the same apart from
        the Region's name (the event's awsRegion, the default bus it goes to), so a caller reads
        statuses and reasons from it, and the Region from `scenario.region_of`. Made once per
        scenario and Region (CT120, CT121 and the coverage matrix read every Region's)."""
        key = (scenario.id, region)
        found = self._alike.get(key)
        if found is None:
            found = self._alike[key] = [self._stand_in(scenario, i, scenario.region_of(i, region))
                                        for i in range(len(scenario.records))]  # fmt: skip
        return list(found)

    def across(self, scenario: Scenario, regions: Sequence[str]) -> list[StandIn]:
        """Each of the scenario's events in the Regions of `regions` it is recorded in (an event
        pinned to us-east-1 once for all), with its result as `alike` gives it: one StandIn per
        event and result, naming the Regions that share it, in the order in which they first
        come Region by Region. Made once per scenario and Regions: each CIS rule reads its
        topic's, and the filters' home topics read every topic's."""
        key = (scenario.id, tuple(regions))
        found = self._across.get(key)
        if found is None:
            placed: list[tuple[tuple[int, int], StandIn]] = []
            classes = self._partition(key[1])
            for i, record in enumerate(scenario.records):
                if isinstance(record.get("awsRegion"), str):
                    # one Region of each partition records it, placed where that partition's
                    # first Region of the matrix is
                    where: dict[str, int] = {}
                    for pos, region in enumerate(key[1]):
                        where.setdefault(scenario.region_of(i, region), pos)
                    for pinned, pos in where.items():
                        placed.append(((pos, i), StandIn(i, (pinned,),
                                                         self._stand_in(scenario, i, pinned))))
                    continue
                for alike, members in classes:
                    if alike is not None and self._apart(scenario, i):
                        # us-east-1 stands alone for this event (an STS call of unknown endpoint)
                        alone = [(pos, r) for pos, r in members if r == US_EAST_1]
                        for pos, region in alone:
                            placed.append(((pos, i), StandIn(i, (region,),
                                                             self._result(scenario, i, region))))
                        members = [(pos, r) for pos, r in members if r != US_EAST_1]
                        if not members:
                            continue
                    first = members[0][1]
                    standing, whole = self._standing(scenario, i, first, alike)
                    if whole:  # one simulation stands for every Region of the class
                        result = self._result(scenario, i, standing)
                        placed.append(((members[0][0], i),
                                       StandIn(i, tuple(r for _, r in members), result)))
                        continue
                    for pos, region in members:
                        placed.append(((pos, i), StandIn(i, (region,),
                                                         self._result(scenario, i, region))))
            placed.sort(key=lambda p: p[0])
            found = self._across[key] = [s for _, s in placed]
        return list(found)

    def _partition(self, regions: tuple[str, ...]) -> list[tuple[Hashable | None,
                                                               list[tuple[int, str]]]]:  # fmt: skip
        """`regions` (each with its place) by Region class (`_region_class`), classes in the
        order of their first Region; a Region of no class is alone."""
        classes: dict[Hashable, tuple[Hashable | None, list[tuple[int, str]]]] = {}
        for pos, region in enumerate(regions):
            if region in regions[:pos]:
                continue  # a Region named twice is recorded in once
            alike = self._region_class(region)
            slot: Hashable = ("alone", region) if alike is None else ("class", alike)
            classes.setdefault(slot, (alike, []))[1].append((pos, region))
        return list(classes.values())

    def captured_cell(self, results: Sequence[EventResult]) -> dict[str, Any]:
        """`cell(results)` for events that are all captured, made once for the same results: such
        a cell names no Region, so the Regions of a class share it."""
        key = tuple(id(r) for r in results)  # the results live in `_cache` as long as this
        found = self._captured_cells.get(key)
        if found is None:
            found = self._captured_cells[key] = cell(results)
        return found

    def _stand_in(self, scenario: Scenario, i: int, region: str) -> EventResult:
        standing, _ = self._standing(scenario, i, region, self._region_class(region))
        return self._result(scenario, i, standing)

    def _standing(self, scenario: Scenario, i: int, region: str, alike: Hashable | None
                  ) -> tuple[str, bool]:  # fmt: skip
        """The Region whose simulation of event `i` stands for `region`'s (of class `alike`),
        and whether it stands for every Region of the class: the first Region of the class asked
        for, unless the event is so near the size limit that the Region's name counts."""
        if alike is None or (region == US_EAST_1 and self._apart(scenario, i)):
            return region, False
        first = self._first_of_class.setdefault((scenario.id, i, alike), region)
        _, size = self._event(scenario, i, (scenario.id, i, first))
        if size is None or size > MAX_EVENT_BYTES - _REGION_NAME_SLACK:
            return region, False  # near the size limit the name counts
        return first, True

    def _apart(self, scenario: Scenario, i: int) -> bool:
        """Does event `i` stand alone in us-east-1, whatever the trails (`apart_in_us_east_1`)?"""
        key = (scenario.id, i)
        found = self._apart_events.get(key)
        if found is None:
            event, _ = self._event(scenario, i, (scenario.id, i, US_EAST_1))
            found = self._apart_events[key] = apart_in_us_east_1(event)
        return found

    def _region_class(self, region: str) -> Hashable | None:
        """Equal for two Regions in which an event gets the same results apart from the Region's
        name, None for a Region that is its own class: a Region an EventBridge rule is in, and
        every Region when a rule's Region is not known or a metric filter may read the record's
        Region (its text, or $.awsRegion). us-east-1 is in a class like any Region, but for the
        events that stand alone there (`_apart`)."""
        if region in self._classes:
            return self._classes[region]
        found: Hashable | None = None
        if self._collapsible and region not in self._own_class:
            theirs = self.shared.region_classes(self.foreign, self._universe(), region)
            found = (partition_of(region), tuple(c.region_class(region) for c in self.compiled),
                     theirs)  # fmt: skip
        self._classes[region] = found
        return found

    def _universe(self) -> list[CompiledTrail]:
        """Other units' organization trails, compiled (the scan compiles each once)."""
        return self.shared.compiled_universe(self.foreign, self.default_region,
                                             self.estate.organization_accounts)  # fmt: skip

    def _result(self, scenario: Scenario, i: int, region: str) -> EventResult:
        key = (scenario.id, i, region)
        hit = self._cache.get(key)
        if hit is None:
            event, size = self._event(scenario, i, key)
            # the same sample event in another Region meets the same filters
            hit = simulate_event(self.estate, self.compiled, event, size=size,
                                 traces=self._traces, trace_key=(scenario.id, i),
                                 fixed=self._fixed, foreign=self._foreign(key, event, size))
            self._cache[key] = hit
        return hit

    def _event(self, scenario: Scenario, i: int, key: tuple[str, int, str]
               ) -> tuple[Event, int | None]:  # fmt: skip
        """The sample event and its size, made once per scan (every view asks for them)."""
        found: tuple[Event, int | None] | None = self.shared.results.get(("event", key))
        if found is None:
            base = self.shared.results.get(("event", key[:2]))
            if base is None:
                record = dict(scenario.records[i])
                record["awsRegion"] = key[2]  # the Region it is recorded in (`region_of`)
                event = Event.from_record(record)
                found = (event, event_size(event))
                if "awsRegion" not in scenario.records[i]:
                    self.shared.results[("event", key[:2])] = (*found, key[2])
            else:
                # the same record in another Region: only awsRegion differs, in the event and
                # in the record's size (the Region names are ASCII)
                event, size, region = base
                raw = {**scenario.records[i], "awsRegion": key[2]}
                event = replace(event, aws_region=key[2], raw=raw)
                found = (event, None if size is None else size - len(region) + len(key[2]))
            self.shared.results[("event", key)] = found
        return found

    def _foreign(self, key: tuple[str, int, str], event: Event, size: int | None
                 ) -> ForeignResults:  # fmt: skip
        foreign = self.foreign
        if not foreign.universe:
            return NO_FOREIGN
        shared = self.shared.results
        found = shared.get((foreign.key, key))
        if found is None:
            # each trail's result is its own; the EventBridge rules are the view's to evaluate
            simulated = simulate_event(self.estate, self._universe(), event, size=size,
                                       traces=self._traces, trace_key=key[:2], fixed=self._fixed,
                                       with_rules=False)  # fmt: skip
            found = shared[(foreign.key, key)] = OrganizationResults(simulated.own)
        return ForeignResults(found, foreign.skip)


def cell(results: Sequence[EventResult]) -> dict[str, Any]:
    """One matrix cell from the results of a scenario's events in one Region."""
    status = all_of(r.status for r in results)
    cloudwatch = all_of(r.cloudwatch for r in results)
    alarm = all_of(r.alarm for r in results)
    alerted = all_of(r.alerted for r in results)
    rules = list(dict.fromkeys(rule for r in results for rule in r.notifying_rules()))
    captured_by: list[str] | None
    alarms: list[str] = []
    count = 0
    if status == "pass":
        # the first few capturing trails (a unit's view holds every other unit's organization
        # trails) and how many there are
        capturing = [r.captured_by(SHOWN) for r in results]
        captured_by = list(dict.fromkeys(t.trail for found in capturing for t in found))[:SHOWN]
        count = len(frozenset().union(*(r.captured_ids() for r in results)))
        for found in capturing:
            for t in found:
                if t.alarms is not None:
                    alarms += [a for a in t.alarms.firing_alarms() if a not in alarms]
        names = _names(captured_by, count)
        if len(results) == 1:
            sel = capturing[0][0].decision.selector
            reason = f"captured by {names} ({sel})"
        else:
            reason = f"all {len(results)} events captured by {names}"
        reason += _delivery_note(results, cloudwatch, alarm) + _rule_note(results, alarm, rules)
    elif status == "fail":
        captured_by = []
        first = next(r for r in results if r.status == "fail")
        reason = _event_reason(first, "fail")
        missed = [r.event.event_name for r in results if r.status == "fail"]
        if len(results) > 1:
            reason = f"{len(missed)} of {len(results)} events missed; {reason}"
    else:
        captured_by = None
        first = next(r for r in results if r.status == "unknown")
        reason = _event_reason(first, "unknown")
    out: dict[str, Any] = {
        "status": _STATUS[status],
        "captured_by": captured_by,
        "cloudwatch": to_bool(cloudwatch),
        "alarm": to_bool(alarm),
        "alarms": alarms,
        "alerted": to_bool(alerted),
        "eventbridge": rules if alerted == "pass" else [],
        "reason": reason,
    }
    if count > SHOWN:
        out["captured_by_count"] = count  # `captured_by` lists the first few
    return out


def region_cell(runner: ScenarioRunner, scenario: Scenario, region: str) -> dict[str, Any]:
    """The scenario's cell in `region`. A captured cell names no Region (its trails, selector,
    alarms and rules only), so the results of the Region's class (`ScenarioRunner.alike`) give
    it; any other is made from the Region's own results, whose reasons name it."""
    alike = runner.alike(scenario, region)
    if all_of(r.status for r in alike) == "pass":
        return runner.captured_cell(alike)
    return cell(runner.results(scenario, region))


def _event_reason(result: EventResult, status: Status) -> str:
    e = result.event
    if next(result.iter_trails(), None) is None:
        return "no trail or event data store in the inputs"
    parts = [f"{t.trail}: {t.decision.reason}" for t in result.decided(status, SHOWN)]
    total = result.count(status)
    shown = "; ".join(parts) + (f"; and {total - SHOWN} more" if total > SHOWN else "")
    return f"{e.event_name} in {e.aws_region} {_STATUS[status]} ({shown})"


# A cell's reason names this many trails at most: a monorepo's unit holds every other unit's
# organization trails, and the matrix has a cell per scenario and Region of every unit.
SHOWN = 3


def _names(trails: Sequence[str], count: int) -> str:
    if count <= SHOWN:
        return ", ".join(trails)
    return ", ".join(trails[:SHOWN]) + f" and {count - SHOWN} more"


def _delivery_note(results: Sequence[EventResult], cloudwatch: str, alarm: str) -> str:
    if cloudwatch == "fail":
        return "; not sent to CloudWatch Logs"
    if cloudwatch == "unknown":
        return "; whether it reaches CloudWatch Logs is unknown"
    if alarm == "pass":
        return "; sent to CloudWatch Logs; an alarm notifies a subscribed topic"
    if alarm == "unknown":
        return "; sent to CloudWatch Logs; whether an alarm fires is unknown"
    return "; sent to CloudWatch Logs; no alarm with a subscribed topic fires"


def _rule_note(results: Sequence[EventResult], alarm: str, rules: Sequence[str]) -> str:
    alert = all_of(r.rule_alert for r in results)
    if alarm == "pass" or alert == "fail":
        return ""
    if alert == "pass":
        return f"; EventBridge rule {', '.join(rules)} notifies"
    return "; whether an EventBridge rule notifies someone is unknown"


def coverage_matrix(
    estate: Estate,
    regions: Sequence[str],
    *,
    default_region: str | None = None,
    scenarios: Sequence[Scenario] | None = None,
    runner: ScenarioRunner | None = None,
) -> dict[str, Any]:
    """Scenarios by Region: which trail captures each cell, whether it reaches CloudWatch Logs and
    whether an alarm fires (shape in the module docstring). Pass the runner the rules used to
    simulate each sample event once."""
    runner = runner or ScenarioRunner(estate, default_region=default_region)
    chosen = load_catalog() if scenarios is None else tuple(scenarios)
    regions = list(dict.fromkeys(regions))
    rows: list[dict[str, Any]] = []
    for sc in chosen:
        row: dict[str, Any] = {"id": sc.id, "title": sc.title, "critical": sc.critical}
        if sc.cis_topic is not None:
            row["cis_topic"] = sc.cis_topic
        row["cells"] = {region: region_cell(runner, sc, region) for region in regions}
        rows.append(row)
    return {"regions": regions, "scenarios": rows}


def unit_coverage(
    units: Sequence[tuple[str, Estate, ScenarioRunner | None]],
    regions: Sequence[str],
    *,
    default_region: str | None = None,
    scenarios: Sequence[Scenario] | None = None,
) -> dict[str, Any]:
    """The matrix of each deployment unit (`units.unit_views`): `{"regions": [...], "units":
    [{"unit": name, "scenarios": [...]}]}`, the `coverage` section of the reports."""
    regions = list(dict.fromkeys(regions))
    out: list[dict[str, Any]] = []
    for name, estate, runner in units:
        matrix = coverage_matrix(estate, regions, default_region=default_region,
                                 scenarios=scenarios, runner=runner)  # fmt: skip
        out.append({"unit": name, "scenarios": matrix["scenarios"]})
    return {"regions": regions, "units": out}
