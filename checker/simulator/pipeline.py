"""One event through the whole estate: capture by each trail and event data store, delivery,
metric filters and alarms, and the EventBridge rules it reaches.

`simulate_event` is what `trailcheck simulate`, the scenario matrix and the CIS alarm rules share.
Tri-states use "yes" / "no" / "unknown"; an unknown never turns into a yes.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from checker.model import Estate, Trail
from checker.simulator.alarms import AlarmTrace, TraceCache, TriStatus, trace
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


def tri_and(values: Iterable[TriStatus]) -> TriStatus:
    seen = set(values)
    if "no" in seen:
        return "no"
    return "unknown" if "unknown" in seen else "yes"


def tri_or(values: Iterable[TriStatus]) -> TriStatus:
    seen = set(values)
    if "yes" in seen:
        return "yes"
    return "unknown" if "unknown" in seen else "no"


def tri_bool(value: TriStatus) -> bool | None:
    return None if value == "unknown" else value == "yes"


_CAPTURE: dict[str, TriStatus] = {"captured": "yes", "missed": "no", "unknown": "unknown"}
_DELIVERY: dict[str, TriStatus] = {"delivered": "yes", "not_delivered": "no", "unknown": "unknown"}


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
    captured: TriStatus = field(init=False, compare=False)
    cloudwatch: TriStatus = field(init=False, compare=False)  # puts it in CloudWatch Logs
    alarm: TriStatus = field(init=False, compare=False)  # an alarm notifies a subscribed topic

    def __post_init__(self) -> None:
        captured = _CAPTURE[self.decision.status]
        if self.delivery is None:
            cloudwatch: TriStatus = "no"
        else:
            sent = _DELIVERY[self.delivery.get("cloudwatch_logs").status]
            cloudwatch = tri_and([captured, sent])
        if self.alarms is None:
            alarm: TriStatus = "no" if cloudwatch == "no" else "unknown"
        else:
            alarm = tri_and([cloudwatch, self.alarms.status])
        object.__setattr__(self, "captured", captured)
        object.__setattr__(self, "cloudwatch", cloudwatch)
        object.__setattr__(self, "alarm", alarm)


@dataclass(frozen=True)
class ForeignResults:
    """Other deployment units' organization trails on one event, which every unit's view holds:
    simulated once and shared by the views, with their combined statuses, so that a view's cost
    does not grow with the number of such trails."""

    trails: tuple[TrailResult, ...]
    status: TriStatus = field(init=False, compare=False)
    cloudwatch: TriStatus = field(init=False, compare=False)
    alarm: TriStatus = field(init=False, compare=False)
    captured: tuple[TrailResult, ...] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", tri_or(t.captured for t in self.trails))
        object.__setattr__(self, "cloudwatch", tri_or(t.cloudwatch for t in self.trails))
        object.__setattr__(self, "alarm", tri_or(t.alarm for t in self.trails))
        captured = tuple(t for t in self.trails if t.decision.status == "captured")
        object.__setattr__(self, "captured", captured)


NO_FOREIGN = ForeignResults(())


@dataclass(frozen=True)
class EventResult:
    """Every trail's handling of one event. `own` are the trails of the estate simulated;
    `foreign` other units' organization trails (shared); `trails` both."""

    event: Event
    own: tuple[TrailResult, ...]
    eventbridge: tuple[RuleResult, ...] = ()  # rules whose pattern matches (or might)
    foreign: ForeignResults = NO_FOREIGN
    # derived once (the rules and the matrix read them many times)
    status: TriStatus = field(init=False, compare=False)
    cloudwatch: TriStatus = field(init=False, compare=False)
    alarm: TriStatus = field(init=False, compare=False)
    rule_alert: TriStatus = field(init=False, compare=False)  # an EventBridge rule notifies
    alerted: TriStatus = field(init=False, compare=False)  # by an alarm chain or a rule

    def __post_init__(self) -> None:
        foreign, own = self.foreign, self.own
        alarm = tri_or([*(t.alarm for t in own), foreign.alarm])
        rule_alert = tri_or(r.status for r in self.eventbridge)
        object.__setattr__(self, "status", tri_or([*(t.captured for t in own), foreign.status]))
        object.__setattr__(self, "cloudwatch",
                           tri_or([*(t.cloudwatch for t in own), foreign.cloudwatch]))
        object.__setattr__(self, "alarm", alarm)
        object.__setattr__(self, "rule_alert", rule_alert)
        object.__setattr__(self, "alerted", tri_or([alarm, rule_alert]))

    @property
    def trails(self) -> tuple[TrailResult, ...]:
        return self.own + self.foreign.trails if self.foreign.trails else self.own

    def notifying_rules(self) -> list[str]:
        return notifying(self.eventbridge)

    def captured_by(self) -> list[TrailResult]:
        return [t for t in self.own if t.decision.status == "captured"] + list(
            self.foreign.captured
        )

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
            if d.status == "captured":
                entry: dict[str, Any] = {
                    "trail": t.trail,
                    "selector": d.selector,
                    "destinations": t.delivery.delivered() if t.delivery else [],
                    "alarms": t.alarms.firing_alarms() if t.alarms else [],
                }
                extra = [x.to_json() for x in t.delivery.unknown()] if t.delivery else []
                if t.alarms is not None and t.alarms.status == "unknown" and t.cloudwatch != "no":
                    extra.append({"destination": "alarms", "status": "unknown",
                                  "reason": t.alarms.reason})  # fmt: skip
                if extra:
                    entry["unknown"] = extra
                if t.alarms is not None and t.alarms.diagnostics:
                    entry["diagnostics"] = list(t.alarms.diagnostics)
                captured.append(entry)
            elif d.status == "missed":
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
) -> EventResult:
    """Every trail's (and event data store's) decision on `event`; for those that capture it (or
    might), where it goes and which alarms fire; and the EventBridge rules it reaches.
    `traces`/`trace_key`: see alarms.TraceCache; `fixed` keeps each compiled trail's
    event-independent destinations between calls; `foreign`: the results of other units'
    organization trails on this event, simulated already."""
    results: list[TrailResult] = []
    size: int | Literal["unset"] | None = "unset"
    for c in compiled:
        trail = c.trail
        decision = c.decide(event)
        if not isinstance(trail, Trail):
            delivery = lake_delivery(trail.id) if decision.status != "missed" else None
            results.append(TrailResult(trail.id, decision, delivery, kind="event_data_store"))
            continue
        if decision.status == "missed":
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
        if delivery.get("cloudwatch_logs").status != "not_delivered":
            alarms = trace(estate, trail.log_group, event, traces, trace_key)
        results.append(TrailResult(trail.id, decision, delivery, alarms))
    rules: tuple[RuleResult, ...] = ()
    if estate.event_rules:
        if size == "unset":
            size = event_size(event)
        trails = [(r.trail, r.decision) for r in (*results, *foreign.trails) if r.kind == "trail"]
        rules = evaluate_rules(estate, event, reach(event, trails, size))
    return EventResult(event, tuple(results), rules, foreign)
