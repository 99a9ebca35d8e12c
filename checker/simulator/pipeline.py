"""One event through the whole estate: capture by each trail and event data store, delivery,
metric filters and alarms, and the EventBridge rules it reaches.

`simulate_event` is what `trailcheck simulate`, the scenario matrix and the CIS alarm rules share.
Statuses are `checker.tri` statuses (for capture, delivery, an alarm chain: pass, fail or
unknown); an unknown never turns into a pass.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from checker.model import Estate, Trail
from checker.simulator.alarms import AlarmTrace, TraceCache, trace
from checker.simulator.capture import CompiledTrail, Decision
from checker.simulator.delivery import (
    Delivery,
    TrailDestinations,
    deliver,
    event_size,
    lake_delivery,
    trail_destinations,
)
from checker.simulator.eventbridge import RuleResult, evaluate_rules, notifying, reach
from checker.simulator.events import Event
from checker.tri import FAIL, Status, any_of, both, either


@dataclass(frozen=True)
class TrailResult:
    """One trail's (or event data store's) handling of one event. `delivery` and `alarms` are
    filled when it captures the event or might (unknown decision); `alarms` when the event
    reaches (or might reach) CloudWatch Logs. An event data store's only destination is `lake`."""

    trail: str
    decision: Decision
    delivery: Delivery | None = None
    alarms: AlarmTrace | None = None
    kind: Literal["trail", "event_data_store"] = "trail"
    # derived once (the rules and the matrix read them many times)
    captured: Status = field(init=False, compare=False)
    cloudwatch: Status = field(init=False, compare=False)  # puts it in CloudWatch Logs
    alarm: Status = field(init=False, compare=False)  # an alarm notifies a subscribed topic

    def __post_init__(self) -> None:
        captured = self.decision.status
        if self.delivery is None:
            cloudwatch: Status = "fail"
        else:
            cloudwatch = both(captured, self.delivery.get("cloudwatch_logs").status)
        if self.alarms is None:
            alarm: Status = "fail" if cloudwatch == "fail" else "unknown"
        else:
            alarm = both(cloudwatch, self.alarms.status)
        object.__setattr__(self, "captured", captured)
        object.__setattr__(self, "cloudwatch", cloudwatch)
        object.__setattr__(self, "alarm", alarm)


@dataclass(frozen=True)
class Alarming:
    """A metric filter through which alarms notify a subscribed topic of an event."""

    filter: str
    alarms: tuple[str, ...]
    caveats: tuple[str, ...]  # undocumented pattern choices the match rests on


def alarming_filters(trails: Iterable[TrailResult]) -> dict[str, Alarming]:
    out: dict[str, Alarming] = {}
    for t in trails:
        for f in t.alarms.matched_filters() if t.alarms else ():
            if f.alarm_status == "pass" and f.filter not in out:
                fired = tuple(a.alarm for a in f.alarms if a.status == "pass")
                out[f.filter] = Alarming(f.filter, fired, tuple(f.caveats))
    return out


@dataclass(frozen=True)
class OrganizationResults:
    """Every organization trail of the scan (as other units' views hold them) on one event,
    simulated once per scan and shared by every unit's view, with what the views read of them
    worked out once: a view's cost must not grow with the number of such trails."""

    trails: tuple[TrailResult, ...]
    status: Status = field(init=False, compare=False)
    cloudwatch: Status = field(init=False, compare=False)
    alarm: Status = field(init=False, compare=False)
    captured: frozenset[str] = field(init=False, compare=False)  # the capturing trails' ids
    decided: dict[str, Status] = field(init=False, compare=False)  # trail id -> decision status
    counts: dict[Status, int] = field(init=False, compare=False)  # decision status -> trails
    # the filters through which an alarm notifies a subscribed topic (`alarming_filters`)
    alarming: tuple[Alarming, ...] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        trails = self.trails
        object.__setattr__(self, "status", any_of(t.captured for t in trails))
        object.__setattr__(self, "cloudwatch", any_of(t.cloudwatch for t in trails))
        object.__setattr__(self, "alarm", any_of(t.alarm for t in trails))
        captured = frozenset(t.trail for t in trails if t.decision.status == "pass")
        object.__setattr__(self, "captured", captured)
        object.__setattr__(self, "decided", {t.trail: t.decision.status for t in trails})
        object.__setattr__(self, "counts", Counter(self.decided.values()))
        object.__setattr__(self, "alarming", tuple(alarming_filters(trails).values()))


NO_ORGANIZATION = OrganizationResults(())


@dataclass(frozen=True)
class ForeignResults:
    """Other deployment units' organization trails on one event, as one unit's view sees them.

    `skip` holds the ids of the view's own organization trails as other views hold them: the
    view has those trails among its own, so lists leave the copies out. Statuses need no such
    care: a copy judges the event as the trail itself does, except that it may be unknown about
    organization membership where the trail itself is in its own account, so or-ing it in never
    changes the view's status."""

    results: OrganizationResults = NO_ORGANIZATION
    skip: frozenset[str] = frozenset()

    @property
    def status(self) -> Status:
        return self.results.status

    @property
    def cloudwatch(self) -> Status:
        return self.results.cloudwatch

    @property
    def alarm(self) -> Status:
        return self.results.alarm

    def __iter__(self) -> Iterator[TrailResult]:
        skip = self.skip
        return (t for t in self.results.trails if t.trail not in skip)

    @property
    def trails(self) -> tuple[TrailResult, ...]:
        return tuple(self)

    def captured_ids(self) -> frozenset[str]:
        return self.results.captured - self.skip if self.skip else self.results.captured

    def count(self, status: Status) -> int:
        """How many of the trails decide the event so (captured, missed, unknown)."""
        decided = self.results.decided
        return self.results.counts[status] - sum(decided.get(t) == status for t in self.skip)


NO_FOREIGN = ForeignResults()


@dataclass(frozen=True)
class EventResult:
    """Every trail's handling of one event. `own` are the trails of the estate simulated;
    `foreign` other units' organization trails (shared); `trails` both."""

    event: Event
    own: tuple[TrailResult, ...]
    eventbridge: tuple[RuleResult, ...] = ()  # rules whose pattern matches (or might)
    foreign: ForeignResults = NO_FOREIGN
    # derived once (the rules and the matrix read them many times)
    status: Status = field(init=False, compare=False)
    cloudwatch: Status = field(init=False, compare=False)
    alarm: Status = field(init=False, compare=False)
    rule_alert: Status = field(init=False, compare=False)  # an EventBridge rule notifies
    alerted: Status = field(init=False, compare=False)  # by an alarm chain or a rule

    def __post_init__(self) -> None:
        # one pass over the own trails (a scan makes this object for every sample event)
        foreign = self.foreign.results
        status, cloudwatch, alarm = foreign.status, foreign.cloudwatch, foreign.alarm
        for t in self.own:
            status = either(status, t.captured)
            cloudwatch = either(cloudwatch, t.cloudwatch)
            alarm = either(alarm, t.alarm)
        rule_alert = any_of(r.status for r in self.eventbridge) if self.eventbridge else FAIL
        object.__setattr__(self, "status", status)
        object.__setattr__(self, "cloudwatch", cloudwatch)
        object.__setattr__(self, "alarm", alarm)
        object.__setattr__(self, "rule_alert", rule_alert)
        object.__setattr__(self, "alerted", either(alarm, rule_alert))

    @property
    def trails(self) -> tuple[TrailResult, ...]:
        """Every trail's result: built to show them all (`iter_trails` reads lazily)."""
        return self.own + self.foreign.trails if self.foreign.results.trails else self.own

    def iter_trails(self) -> Iterator[TrailResult]:
        """The own trails' results, then other units' organization trails' (lazily: a caller
        that stops early does not walk them all)."""
        yield from self.own
        yield from self.foreign

    def notifying_rules(self) -> list[str]:
        return notifying(self.eventbridge)

    def captured_by(self, limit: int | None = None) -> list[TrailResult]:
        """The trails that capture the event (the first `limit` of them)."""
        return self.decided("pass", limit)

    def decided(self, status: Status, limit: int | None = None) -> list[TrailResult]:
        """The trails whose decision is `status` (the first `limit` of them)."""
        found = (t for t in self.iter_trails() if t.decision.status == status)
        return list(found if limit is None else itertools.islice(found, limit))

    def count(self, status: Status) -> int:
        """How many trails decide the event so (captured, missed, unknown)."""
        return sum(t.decision.status == status for t in self.own) + self.foreign.count(status)

    def captured_ids(self) -> frozenset[str]:
        own = frozenset(t.trail for t in self.own if t.decision.status == "pass")
        return own | self.foreign.captured_ids() if self.foreign.results.trails else own

    def alarming_filters(self) -> list[Alarming]:
        """Every filter through which an alarm notifies a subscribed topic of the event, once."""
        out = alarming_filters(self.own)
        for entry in self.foreign.results.alarming:
            out.setdefault(entry.filter, entry)
        return list(out.values())

    def to_json(self) -> dict[str, Any]:
        """The simulator output contract (docs/architecture.md; event data stores among the trails,
        with the destination `lake`; `eventbridge`: the rules whose pattern matches), plus
        `unknown_by` (trails whose decision is unknown) and, per capturing trail, `unknown`
        destinations and pattern `diagnostics` when any."""
        e = self.event
        captured: list[dict[str, Any]] = []
        missed: list[dict[str, Any]] = []
        unknown: list[dict[str, Any]] = []
        for t in self.trails:
            d = t.decision
            if d.status == "pass":
                entry: dict[str, Any] = {
                    "trail": t.trail,
                    "selector": d.selector,
                    "destinations": t.delivery.delivered() if t.delivery else [],
                    "alarms": t.alarms.firing_alarms() if t.alarms else [],
                }
                extra = [x.to_json() for x in t.delivery.unknown()] if t.delivery else []
                if t.alarms is not None and t.alarms.status == "unknown" and t.cloudwatch != "fail":
                    extra.append({"destination": "alarms", "status": "unknown",
                                  "reason": t.alarms.reason})  # fmt: skip
                if extra:
                    entry["unknown"] = extra
                failing = t.delivery.failing() if t.delivery else []
                if failing:  # a destination CloudTrail reports it cannot deliver to now
                    entry["not_delivered"] = [x.to_json() for x in failing]
                if t.alarms is not None and t.alarms.diagnostics:
                    entry["diagnostics"] = list(t.alarms.diagnostics)
                captured.append(entry)
            elif d.status == "fail":
                missed.append({"trail": t.trail, "reason": d.reason})
            else:
                unknown.append({"trail": t.trail, "reason": d.reason})
        return {
            "event": {
                "eventSource": e.event_source,
                "eventName": e.event_name,
                "awsRegion": e.aws_region,
                "recipientAccountId": e.recipient_account_id,
            },
            "captured_by": captured,
            "missed_by": missed,
            "unknown_by": unknown,
            "eventbridge": [r.to_json() for r in self.eventbridge],
        }


def simulate_event(
    estate: Estate,
    compiled: Sequence[CompiledTrail],
    event: Event,
    *,
    traces: TraceCache | None = None,
    trace_key: Hashable = None,
    fixed: dict[int, TrailDestinations] | None = None,
    foreign: ForeignResults = NO_FOREIGN,
    size: int | Literal["unset"] | None = "unset",
    with_rules: bool = True,
) -> EventResult:
    """Every trail's (and event data store's) decision on `event`; for those that capture it (or
    might), where it goes and which alarms fire; and the EventBridge rules it reaches.
    `traces`/`trace_key`: see alarms.TraceCache; `fixed` keeps each compiled trail's
    event-independent destinations between calls; `foreign`: the results of other units'
    organization trails on this event, simulated already; `size`: `event_size(event)` when the
    caller knows it; `with_rules=False` leaves the EventBridge rules out (a caller that only
    reads the trails' results)."""
    results: list[TrailResult] = []
    for c in compiled:
        trail = c.trail
        decision = c.decide(event)
        if not isinstance(trail, Trail):
            delivery = lake_delivery(trail.id) if decision.status != "fail" else None
            results.append(TrailResult(trail.id, decision, delivery, kind="event_data_store"))
            continue
        if decision.status == "fail":
            results.append(TrailResult(trail.id, decision))
            continue
        if size == "unset":
            size = event_size(event)
        static = fixed.get(id(c)) if fixed is not None else None
        if static is None:
            static = trail_destinations(estate, trail)
            if fixed is not None:
                fixed[id(c)] = static
        delivery = deliver(estate, trail, event, size, static)
        alarms: AlarmTrace | None = None
        if delivery.get("cloudwatch_logs").status != "fail":
            alarms = trace(estate, trail.log_group, event, traces, trace_key)
        results.append(TrailResult(trail.id, decision, delivery, alarms))
    rules: tuple[RuleResult, ...] = ()
    if with_rules and estate.event_rules:
        if size == "unset":
            size = event_size(event)
        trails = [(r.trail, r.decision) for r in (*results, *foreign) if r.kind == "trail"]
        rules = evaluate_rules(estate, event, reach(event, trails, size))
    return EventResult(event, tuple(results), rules, foreign)
