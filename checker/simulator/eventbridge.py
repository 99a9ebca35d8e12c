"""EventBridge rules, evaluated: which rules a CloudTrail event reaches, whether their patterns
match it, and whether a target notifies someone.

Facts, with their sources, in docs/semantics/eventbridge.md ("Which events reach a rule"):

- CloudTrail puts its events on the default event bus of the account that receives the record, in
  the record's Region: a rule sees them only on that bus (global service events are recorded, and
  so arrive, in us-east-1). A rule on another bus sees them only when a rule of the default bus
  forwards them there (followed one hop).
- An event reaches EventBridge only through a trail with logging on. A trail that records the
  event delivers it. Data events and Insights events come only from a trail that records them.
  For a management event that a logging trail of the account does not itself record, the user
  guide is silent: unknown. Events over 256 KB are not delivered; network activity events are
  not documented: unknown.
- State: DISABLED matches nothing; ENABLED matches all but read-only management events whose
  names start with Describe, Get or List; ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS matches
  all (`delivery.eventbridge_needs_all_events_state`).
- Targets: an SNS topic notifies when it has a subscription; an API destination sends the event
  to an HTTP endpoint outside AWS; a CloudWatch Logs group only stores it; Lambda, SQS, Step
  Functions and other targets run code or queue the event, so whether anyone is alerted is not
  known from the inputs.

`reach` and `evaluate_rules` are what `pipeline.simulate_event` calls.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from checker.model import (
    Estate,
    EventBus,
    EventRule,
    EventTarget,
    PartialPattern,
    Reference,
    Unknown,
)
from checker.simulator.alarms import topic_result
from checker.simulator.capture import Decision
from checker.simulator.delivery import (
    ALL_MANAGEMENT_EVENTS_STATE,
    MAX_EVENT_BYTES,
    eventbridge_needs_all_events_state,
    read_only_read,
)
from checker.simulator.events import Event
from checker.simulator.verdict import Verdict, all_of, any_of, no, unknown, yes
from checker.tri import Status

if TYPE_CHECKING:
    from checker.simulator.event_pattern import EventPattern, PatternProblem

STATES = ("ENABLED", "DISABLED", ALL_MANAGEMENT_EVENTS_STATE)
_STATUS: dict[bool | None, Status] = {True: "pass", False: "fail", None: "unknown"}


@dataclass(frozen=True)
class TargetResult:
    target: str  # the resource it names (an id in the inputs), or the ARN as written
    kind: str
    notifies: bool | None
    reason: str


@dataclass(frozen=True)
class RuleResult:
    """A rule whose pattern matches the event (or might): whether, through it, someone is
    notified, and why (or why not)."""

    rule: str
    state: str
    targets: tuple[TargetResult, ...]
    notifies: bool | None
    reason: str
    match: bool | None = True  # None: whether the pattern matches is unknown

    @property
    def status(self) -> Status:
        return _STATUS[self.notifies]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule, "state": self.state, "targets": [t.target for t in self.targets],
            "notifies": self.notifies, "reason": self.reason,
        }  # fmt: skip
        if self.match is None:
            out["match"] = "unknown"
        return out


# --------------------------------------------------------------------------------------------
# Does the event reach EventBridge at all


def reach(event: Event, trails: Sequence[tuple[str, Decision]], size: int | None) -> Verdict:
    """Whether CloudTrail puts `event` on the default bus, from the decisions of the trails (not
    event data stores: they deliver nowhere)."""
    category = event.event_category
    if category == "NetworkActivity":
        return unknown("the EventBridge user guide does not say whether network activity events "
                       "are delivered to EventBridge")  # fmt: skip
    if size is not None and size > MAX_EVENT_BYTES:
        return no(f"the event is {size} bytes; events over 256 KB are not sent to EventBridge")
    captured = [tid for tid, d in trails if d.status == "pass"]
    if captured:
        return yes(f"{captured[0]} records it")
    undecided = [(tid, d) for tid, d in trails if d.status == "unknown"]
    if undecided:
        tid, d = undecided[0]
        return unknown(f"whether a trail records it is unknown ({tid}: {d.reason})")
    if category in ("Data", "Insight"):
        kind = "data" if category == "Data" else "Insights"
        why = f" ({trails[0][0]}: {trails[0][1].reason})" if trails else ""
        return no(f"{kind} events reach EventBridge only from a trail that records them, and no "
                  f"trail does{why}")  # fmt: skip
    logging = [(tid, d) for tid, d in trails if d.stage not in ("logging", "account")]
    if logging:
        tid, d = logging[0]
        return unknown(f"{tid} is logging in this account but does not record the event "
                       f"({d.reason}); the EventBridge user guide requires a trail with logging "
                       "on and does not say whether that trail must record the event")  # fmt: skip
    if not trails:
        return no("there is no trail; EventBridge receives CloudTrail events only with a trail "
                  "that is logging")  # fmt: skip
    tid, d = trails[0]
    return no(f"no trail with logging on records this account's events ({tid}: {d.reason})")


# --------------------------------------------------------------------------------------------
# Rules


def compiled_pattern(text: str | PartialPattern) -> EventPattern | PatternProblem:
    """The pattern compiled once, from its text or, when some of its values are unknown, from
    its document (with holes)."""
    if isinstance(text, PartialPattern):
        return _compiled_document(json.dumps(text.document, default=repr), text)
    return _compiled_text(text)


@lru_cache(maxsize=512)
def _compiled_text(text: str) -> EventPattern | PatternProblem:
    # the pattern language is imported when an event rule is met: a pre-commit scan of a trail
    # without one does not pay for it at startup
    from checker.simulator.event_pattern import compile_pattern

    return compile_pattern(text)


@lru_cache(maxsize=128)
def _compiled_document(key: str, pattern: PartialPattern) -> EventPattern | PatternProblem:
    """`key` is the document's text with its unknowns written out: equal keys, equal patterns."""
    from checker.simulator.event_pattern import compile_pattern

    return compile_pattern(pattern.document)


def _record(event: Event) -> Mapping[str, Any]:
    """The record to convert; probe events without one get the fields the simulator knows."""
    if event.raw:
        return event.raw
    record: dict[str, Any] = {
        "eventSource": event.event_source, "eventName": event.event_name,
        "awsRegion": event.aws_region, "eventCategory": event.event_category,
        "eventType": event.event_type,
    }  # fmt: skip
    if event.read_only is not None:
        record["readOnly"] = event.read_only
    if event.recipient_account_id is not None:
        record["recipientAccountId"] = event.recipient_account_id
    return record


class _Evaluation:
    """One event against the rules of one estate."""

    def __init__(self, estate: Estate, event: Event, reached: Verdict) -> None:
        self.estate = estate
        self.event = event
        self.reached = reached
        self._converted: dict[str, Any] | None = None

    @property
    def converted(self) -> dict[str, Any]:
        if self._converted is None:
            from checker.simulator.eventbridge_event import to_eventbridge_event

            self._converted = to_eventbridge_event(_record(self.event))
        return self._converted

    def pattern(self, rule: EventRule) -> Verdict | None:
        """The pattern's verdict; None when the rule cannot match anything (no pattern, or an
        invalid one, which CT060 reports)."""
        text = rule.pattern
        if text is None:
            return None
        if isinstance(text, Unknown) and not isinstance(text, PartialPattern):
            return unknown(f"the rule's event pattern is unknown ({text.reason})")
        from checker.simulator.event_pattern import PatternProblem

        compiled = compiled_pattern(text)
        if isinstance(compiled, PatternProblem):
            return None
        return compiled.match(self.converted)

    def state(self, rule: EventRule) -> Verdict:
        state = rule.state
        if isinstance(state, Unknown):
            return unknown(f"the rule's state is unknown ({state.reason})")
        if state == "DISABLED":
            return no("the rule is DISABLED: EventBridge matches no event against it")
        if state not in STATES:
            return no(f"the rule's state {state!r} is not one EventBridge accepts")
        if state == "ENABLED" and eventbridge_needs_all_events_state(self.event):
            return no(f"the read-only {self.event.event_name} reaches only rules in state "
                      f"{ALL_MANAGEMENT_EVENTS_STATE}; the rule is ENABLED")  # fmt: skip
        unclassified = self.event.unclassified
        if state == "ENABLED" and unclassified is not None and read_only_read(self.event):
            return unknown(f"as a management event, the read-only {self.event.event_name} would "
                           f"reach only rules in state {ALL_MANAGEMENT_EVENTS_STATE}, and whether "
                           f"it is one is not known ({unclassified})")  # fmt: skip
        return yes(f"state {state}")

    def judge(self, rule: EventRule, where: Verdict, match: Verdict, hops: int) -> RuleResult:
        targets = rule.targets
        if isinstance(targets, Unknown):
            results: tuple[TargetResult, ...] = ()
            to_someone = unknown(f"the rule's targets are unknown ({targets.reason})")
        else:
            results = tuple(self.target(t, hops) for t in targets)
            to_someone = any_of(
                (Verdict(r.notifies, f"{r.target}: {r.reason}") for r in results),
                "the rule has no target" if not results
                else "no target notifies anyone: " + "; ".join(f"{r.target}: {r.reason}"
                                                                for r in results),
            )  # fmt: skip
        verdict = all_of([self.state(rule), where, self.reached, match, to_someone],
                         f"matches; {to_someone.reason}")  # fmt: skip
        state = rule.state if isinstance(rule.state, str) else "<unknown>"
        return RuleResult(rule.id, state, results, verdict.match, verdict.reason, match.match)

    def target(self, target: EventTarget, hops: int) -> TargetResult:
        kind = target.kind
        shown = _shown(self.estate, target)
        if isinstance(kind, Unknown):
            return TargetResult(shown, "unknown", None, f"what the target is is unknown "
                                                        f"({kind.reason})")  # fmt: skip
        verdict = self._notifies(target, kind, hops)
        return TargetResult(shown, kind, verdict.match, verdict.reason)

    def _notifies(self, target: EventTarget, kind: str, hops: int) -> Verdict:
        if kind == "sns":
            topic = topic_result(self.estate, target.arn)
            if topic is None or topic.notifies is None:
                why = topic.reason if topic else "the target is not an SNS topic"
                return unknown(why)
            return Verdict(topic.notifies, f"SNS topic with {topic.reason}"
                           if topic.notifies else topic.reason)  # fmt: skip
        if kind == "api-destination":
            return yes("an API destination sends the event to an HTTP endpoint outside AWS")
        if kind == "logs":
            return no("a CloudWatch Logs group stores the event; nobody is notified")
        if kind == "event-bus":
            return self.forward(target, hops)
        return unknown(f"a {kind} target runs code or queues the event; whether it alerts anyone "
                       "is not known from the inputs")  # fmt: skip

    def forward(self, target: EventTarget, hops: int) -> Verdict:
        """The event sent on to another bus: the rules there, one hop."""
        if hops:
            return unknown("the event is forwarded to a further bus; trailcheck follows one hop")
        key = _bus_key(self.estate, target.arn)
        if key is None:
            return unknown("the target event bus is unknown")
        rules = [r for r in self.estate.event_rules if r.event_bus is not None
                 and _bus_key(self.estate, r.event_bus) == key]  # fmt: skip
        forwarded = yes("forwarded")
        results = []
        for rule in rules:
            match = self.pattern(rule)
            if match is not None and match.match is not False:
                results.append(self.judge(rule, forwarded, match, hops + 1))
        if results:
            return any_of((Verdict(r.notifies, f"rule {r.rule} on that bus: {r.reason}")
                           for r in results), f"rule {results[0].rule} on that bus: "
                          f"{results[0].reason}")  # fmt: skip
        bus: EventBus | None = self.estate.resolve("event_bus", target.arn)
        if bus is None and not rules:
            return unknown(f"the event goes on to bus {_shown(self.estate, target)}, outside the "
                           "scanned inputs")  # fmt: skip
        return no(f"no rule on bus {_shown(self.estate, target)} matches the event")


def _shown(estate: Estate, target: EventTarget) -> str:
    kind = target.kind
    if kind == "sns":
        topic = estate.resolve("topic", target.arn)
        if topic is not None:
            return str(topic.id)
    if kind == "event-bus":
        bus = estate.resolve("event_bus", target.arn)
        if bus is not None:
            return str(bus.id)
    ref = target.arn
    if ref.target is not None:
        return ref.target
    return ref.value if isinstance(ref.value, str) else target.id


def _bus_name(value: str) -> str:
    return value.split(":event-bus/", 1)[1] if ":event-bus/" in value else value


def _bus_key(estate: Estate, ref: Reference) -> Hashable | None:
    bus = estate.resolve("event_bus", ref)
    if bus is not None:
        return ("bus", id(bus))
    return ("name", _bus_name(ref.value)) if isinstance(ref.value, str) else None


def on_default_bus(estate: Estate, ref: Reference | None) -> bool | Unknown:
    """Whether a rule on the bus `ref` (None: the default) is on its account's default bus."""
    if ref is None:
        return True
    if estate.resolve("event_bus", ref) is not None:
        return False  # a bus declared in the inputs is a custom one
    if isinstance(ref.value, Unknown):
        return Unknown(f"the rule's event bus is unknown ({ref.value.reason})")
    return _bus_name(ref.value) == "default"


def _where(estate: Estate, rule: EventRule, event: Event) -> Verdict:
    """Whether the rule is on the default bus of the event's account and Region."""
    default = on_default_bus(estate, rule.event_bus)
    if default is False:
        return no("the rule is on a custom event bus")
    account = rule.account_id
    recipient = event.recipient_account_id
    if isinstance(account, str) and recipient is not None and account != recipient:
        return no(f"the rule is in account {account}, the event in {recipient}")
    region = rule.region
    if isinstance(region, str) and region != event.aws_region:
        return no(f"the rule is in {region}, the event in {event.aws_region}")
    checks = [unknown(default.reason)] if isinstance(default, Unknown) else []
    if isinstance(region, Unknown):
        checks.append(unknown(f"the rule's Region is unknown ({region.reason})"))
    return all_of(checks, "on the default bus of the event's account and Region")


def evaluate_rules(estate: Estate, event: Event, reached: Verdict) -> tuple[RuleResult, ...]:
    """The rules of the default bus of the event's account and Region whose pattern matches the
    event or might, each with whether, through it, someone is notified."""
    if not estate.event_rules:
        return ()
    evaluation = _Evaluation(estate, event, reached)
    out: list[RuleResult] = []
    for rule in estate.event_rules:
        where = _where(estate, rule, event)
        if where.match is False:
            continue
        match = evaluation.pattern(rule)
        if match is None or match.match is False:
            continue
        out.append(evaluation.judge(rule, where, match, 0))
    return tuple(sorted(out, key=lambda r: r.rule))


def matching_elsewhere(estate: Estate, event: Event) -> list[tuple[str, str, bool]]:
    """Rules whose pattern matches the event (or might: the flag is False) but that are not on
    the default bus of its account and Region, each with where they are instead: what a reader
    needs to hear when no rule sees the event. Rules that certainly match come first."""
    evaluation = _Evaluation(estate, event, yes("asked about the pattern only"))
    out: list[tuple[str, str, bool]] = []
    for rule in estate.event_rules:
        where = _where(estate, rule, event)
        if where.match is not False:
            continue
        match = evaluation.pattern(rule)
        if match is not None and match.match is not False:
            out.append((rule.id, where.reason, match.match is True))
    return sorted(out, key=lambda r: (not r[2], r[0]))


def notifying(results: Iterable[RuleResult]) -> list[str]:
    """The rules through which someone is notified, in order."""
    return [r.rule for r in results if r.notifies is True]
