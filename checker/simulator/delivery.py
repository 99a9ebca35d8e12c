"""Where a captured event goes: S3, CloudWatch Logs, EventBridge, and the SNS notification.

Facts (docs/semantics.md, "Delivery"):

- S3: every captured event is written to the trail's bucket (UG23 find-log-files). Unknown when
  the bucket cannot be told from the inputs.
- CloudWatch Logs: only when the trail has *both* a log group ARN and a role ARN (BC
  CreateTrail: the group "is not required unless you specify CloudWatchLogsRoleArn"; CFN marks
  both Conditional). A value known only after apply (`Computed`) counts as set; any other unknown
  value keeps the destination unknown with its reason. Events over 256 KB are never sent to
  CloudWatch Logs or EventBridge (UG23).
- EventBridge: "To record events with a detail-type value of AWS API Call via CloudTrail, a
  CloudTrail trail with logging enabled is required" (EventBridge UG, eb-service-event /
  event-types, read 2026 through the search tool). Data events reach EventBridge only if a trail
  logs them (UG23 logging-data-events), so an event a logging trail captures, management or data,
  is delivered to the default bus of the event's Region. Read-only management events whose names
  start with `Describe`, `Get` or `List` match only rules in state
  `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`; STS `GetFederationToken` and
  `GetSessionToken` are change events despite their names and match ordinary enabled rules
  (EventBridge UG eb-service-event-cloudtrail-management.html, read 2026 through the search
  tool). Insights events go to EventBridge as `AWS Insight via CloudTrail` (same page).
- Insights events go to the trail's bucket under the `CloudTrail-Insight/` prefix, and to its
  CloudWatch Logs group (CloudTrail UG "Working with CloudTrail Insights"; insights.md).
- SNS: one notification per log file, not per event (UG23); a trail with a topic notifies for
  the file that holds the event.
- A trail read from AWS carries GetTrailStatus' delivery errors (`Trail.delivery`,
  docs/semantics/delivery-errors.md): a destination whose latest delivery failed, with no success
  since, is not delivered (the reason names the error and its time); one whose error cannot be
  dated is unknown. A trail from IaC has no status: its destinations are as configured.
- An event data store keeps what it records in CloudTrail Lake (`lake`) and sends it nowhere
  else (lake.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from checker.delivery_state import DestinationKey, destination_health
from checker.model import Computed, Estate, MaybeStr, Reference, Trail, Unknown
from checker.simulator.events import Event
from checker.tri import FAIL, PASS, UNKNOWN, Status, to_bool

DestinationName = Literal["s3", "cloudwatch_logs", "eventbridge", "sns", "lake"]

MAX_EVENT_BYTES = 256 * 1024
# the simulator output's words for a destination's status (docs/architecture.md)
_SHOWN: dict[Status, str] = {PASS: "delivered", FAIL: "not_delivered", UNKNOWN: "unknown"}
ALL_MANAGEMENT_EVENTS_STATE = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
READ_PREFIXES = ("Describe", "Get", "List")
READ_NAMED_CHANGES = frozenset({
    ("sts.amazonaws.com", "GetFederationToken"), ("sts.amazonaws.com", "GetSessionToken"),
})  # fmt: skip


@dataclass(frozen=True)
class Destination:
    """One destination of one captured event. `target` is the resource id (in the inputs) or the
    name/ARN as written; `note` carries a condition, e.g. the EventBridge rule state needed."""

    name: DestinationName
    status: Status  # pass: delivered; fail: not delivered (`to_json` says it so)
    reason: str
    target: str | None = None
    note: str | None = None
    # not delivered because CloudTrail reports a current delivery error (Trail.delivery)
    reported: bool = False

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"destination": self.name, "status": _SHOWN[self.status],
                                  "reason": self.reason}  # fmt: skip
        if self.target is not None:
            out["target"] = self.target
        if self.note is not None:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class Delivery:
    trail: str
    destinations: tuple[Destination, ...]

    def get(self, name: DestinationName) -> Destination:
        for d in self.destinations:
            if d.name == name:
                return d
        # an event data store delivers only to itself (`lake`)
        return Destination(name, FAIL, f"{self.trail} does not deliver to {name}")

    def delivered(self) -> list[str]:
        return [d.name for d in self.destinations if d.status == PASS]

    def unknown(self) -> list[Destination]:
        return [d for d in self.destinations if d.status == "unknown"]

    def failing(self) -> list[Destination]:
        """Configured destinations CloudTrail reports it currently cannot deliver to."""
        return [d for d in self.destinations if d.reported]

    @property
    def cloudwatch(self) -> bool | None:
        """True, False, or None when unknown."""
        return to_bool(self.get("cloudwatch_logs").status)


def _ref_text(ref: Reference) -> str | None:
    if ref.target is not None:
        return ref.target
    return ref.value if isinstance(ref.value, str) else None


def _is_set(value: MaybeStr | None) -> bool | Unknown:
    """Set, not set, or unknown. A Computed value (known after apply) is set."""
    if value is None:
        return False
    if isinstance(value, Computed):
        return True
    if isinstance(value, Unknown):
        return value
    return value != ""


def _ref_is_set(ref: Reference | None) -> bool | Unknown:
    if ref is None:
        return False
    if ref.target is not None:
        return True
    return _is_set(ref.value)


def event_size(event: Event) -> int | None:
    """The record's size in bytes as compact JSON; None for events without a record (probes)."""
    if not event.raw:
        return None
    try:
        return len(json.dumps(event.raw, separators=(",", ":"), ensure_ascii=False).encode())
    except (TypeError, ValueError):
        return None


def eventbridge_needs_all_events_state(event: Event) -> bool:
    """Whether the event reaches only EventBridge rules in state
    ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (read-only Describe/Get/List management events,
    except the STS calls the EventBridge UG names as change events)."""
    return event.event_category == "Management" and read_only_read(event)


def read_only_read(event: Event) -> bool:
    """A read-only Describe/Get/List call but the STS calls the EventBridge UG names as change
    events: as a management event, it reaches only rules in state
    ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS."""
    return (
        event.read_only is True
        and event.event_name.startswith(READ_PREFIXES)
        and (event.event_source, event.event_name) not in READ_NAMED_CHANGES
    )


def _health(trail: Trail, configured: Destination, key: DestinationKey) -> Destination:
    """A configured destination as the trail's status leaves it: failing, unknown, or as is."""
    if configured.status != PASS:
        return configured
    ok, why = destination_health(trail.delivery, key)
    if ok is True:
        return configured
    if ok is False:
        return replace(configured, status=FAIL, reason=why, reported=True)
    return replace(configured, status=UNKNOWN, reason=why)


def s3_destination(estate: Estate, trail: Trail) -> Destination:
    ref = trail.bucket
    state = _ref_is_set(ref)
    if isinstance(state, Unknown):
        return Destination("s3", "unknown", f"the trail's bucket is unknown ({state.reason})")
    if ref is None or state is False:
        return Destination("s3", "unknown", "the trail names no S3 bucket in the inputs")
    bucket = estate.bucket_of(trail)
    target = bucket.id if bucket is not None else _ref_text(ref)
    return _health(trail, Destination("s3", PASS, "log files go to the trail's S3 bucket",
                                      target), "s3")  # fmt: skip


def cloudwatch_destination(estate: Estate, trail: Trail, size: int | None = None) -> Destination:
    group = _ref_is_set(trail.log_group)
    role = _is_set(trail.cloudwatch_logs_role_arn)
    if group is False or role is False:
        missing = [n for n, v in (("log group ARN", group), ("role ARN", role)) if v is False]
        return Destination("cloudwatch_logs", FAIL,
                           f"the trail has no CloudWatch Logs {' or '.join(missing)}")  # fmt: skip
    unknowns = [(n, v) for n, v in (("log group", group), ("role ARN", role))
                if isinstance(v, Unknown)]  # fmt: skip
    if unknowns:
        why = "; ".join(f"the CloudWatch Logs {n} is unknown ({v.reason})" for n, v in unknowns)
        return Destination("cloudwatch_logs", "unknown", why)
    if size is not None and size > MAX_EVENT_BYTES:
        return Destination("cloudwatch_logs", FAIL,
                           f"the event is {size} bytes; events over 256 KB are not sent")
    lg = estate.log_group_of(trail)
    target = lg.id if lg is not None else (_ref_text(trail.log_group) if trail.log_group else None)
    return _health(trail, Destination("cloudwatch_logs", PASS, "sent to the trail's log group",
                                      target), "cloudwatch_logs")  # fmt: skip


def eventbridge_destination(event: Event, size: int | None = None) -> Destination:
    if event.event_category == "NetworkActivity":
        # the EventBridge UG says nothing of network activity events: not claimed as delivered
        return Destination("eventbridge", "unknown",
                           "EventBridge delivery of NetworkActivity events is not documented")
    if size is not None and size > MAX_EVENT_BYTES:
        return Destination("eventbridge", FAIL,
                           f"the event is {size} bytes; events over 256 KB are not sent")
    region = event.aws_region or "the event's region"
    note = None
    if event.event_category == "Insight":
        note = "detail-type AWS Insight via CloudTrail"
    elif eventbridge_needs_all_events_state(event):
        note = (f"read-only {event.event_name} matches only rules in state "
                f"{ALL_MANAGEMENT_EVENTS_STATE}")  # fmt: skip
    return _default_bus(region, note)


@lru_cache(maxsize=1024)
def _default_bus(region: str, note: str | None) -> Destination:
    # one object per Region and note: a scan builds this for every event it simulates
    return Destination("eventbridge", PASS, f"default event bus in {region}",
                       f"default bus ({region})", note)  # fmt: skip


def sns_destination(estate: Estate, trail: Trail) -> Destination:
    ref = trail.sns_topic
    state = _ref_is_set(ref)
    if isinstance(state, Unknown):
        return Destination("sns", "unknown", f"the trail's SNS topic is unknown ({state.reason})")
    if ref is None or state is False:
        return Destination("sns", FAIL, "the trail has no SNS topic")
    topic = estate.topic_of(trail)
    target = topic.id if topic is not None else _ref_text(ref)
    sns = _health(trail, Destination("sns", PASS, "one notification per log file, not per "
                                     "event", target), "sns")  # fmt: skip
    s3_ok, why = destination_health(trail.delivery, "s3")
    if sns.status == PASS and s3_ok is False:  # no log file delivered, nothing to notify about
        return replace(sns, status=FAIL, reason=f"no log file to notify about: {why}",
                       reported=True)  # fmt: skip
    return sns


@dataclass(frozen=True)
class TrailDestinations:
    """A trail's destinations as far as they do not depend on the event: computed once per trail
    when many events go through it."""

    s3: Destination
    cloudwatch_logs: Destination  # for an event under the size limit
    sns: Destination


def trail_destinations(estate: Estate, trail: Trail) -> TrailDestinations:
    return TrailDestinations(
        s3_destination(estate, trail),
        cloudwatch_destination(estate, trail),
        sns_destination(estate, trail),
    )


def deliver(
    estate: Estate,
    trail: Trail,
    event: Event,
    size: int | Literal["unset"] | None = "unset",
    fixed: TrailDestinations | None = None,
) -> Delivery:
    """The destinations of `event` once `trail` has captured it (`size`: `event_size(event)`,
    `fixed`: `trail_destinations(estate, trail)`, when the caller has them already)."""
    if size == "unset":
        size = event_size(event)
    fixed = fixed or trail_destinations(estate, trail)
    cloudwatch = fixed.cloudwatch_logs
    if cloudwatch.status == PASS and size is not None and size > MAX_EVENT_BYTES:
        cloudwatch = Destination("cloudwatch_logs", FAIL,
                                 f"the event is {size} bytes; events over 256 KB are not sent")
    s3 = fixed.s3
    if event.event_category == "Insight" and s3.status == PASS:
        s3 = replace(s3, reason="Insights log files go to the trail's S3 bucket, under "
                     "CloudTrail-Insight/")  # fmt: skip
    return Delivery(trail.id, (
        s3,
        cloudwatch,
        eventbridge_destination(event, size),
        fixed.sns,
    ))  # fmt: skip


@lru_cache(maxsize=4096)
def lake_delivery(store: str) -> Delivery:
    """Where an event data store puts what it records: in itself (one value per store: a scan
    asks for every event the store records)."""
    return Delivery(store, (Destination("lake", PASS, "stored in the event data store",
                                        store),))  # fmt: skip
