"""From the SQL engine's decision columns back to the simulator's results.

The SQL decides; the reference code explains. A group of records that share every decision
column is turned into one `EventResult` from one of its records (the earliest): the capture
decision comes from `CompiledTrail.decide` on that record (so its reason is the Python path's
own, and is checked against the SQL's code), the destinations from `deliver` (an event data
store's from `lake_delivery`), and the alarms from `trace` with the SQL's filter matches in place
of evaluating the patterns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checker.model import Trail
from checker.replay.plan import Plan
from checker.simulator.alarms import AlarmTrace, trace
from checker.simulator.delivery import (
    TrailDestinations,
    deliver,
    lake_delivery,
    trail_destinations,
)
from checker.simulator.events import Event
from checker.simulator.pipeline import EventResult, TrailResult

CODES = {"pass": 0, "unknown": 1, "fail": 2}


def record_of_example(ex: Mapping[str, Any]) -> dict[str, Any]:
    """The capture-relevant fields of a record, rebuilt from the engine's example columns."""
    rec: dict[str, Any] = {}
    for key, col in (
        ("eventTime", "eventTime"), ("eventID", "eventID"), ("eventSource", "eventSource"),
        ("eventName", "eventName"), ("awsRegion", "awsRegion"),
        ("recipientAccountId", "recipientAccountId"), ("eventCategory", "eventCategory"),
        ("eventType", "eventType"), ("managementEvent", "managementEvent"),
        ("readOnly", "readOnly"), ("errorCode", "errorCode"), ("vpcEndpointId", "vpcEndpointId"),
        ("sessionCredentialFromConsole", "sessionCredentialFromConsole"),
    ):  # fmt: skip
        if ex.get(col) is not None:
            rec[key] = ex[col]
    if ex.get("uiArn") is not None:
        rec["userIdentity"] = {"arn": ex["uiArn"]}
    if ex.get("host") is not None:
        rec["tlsDetails"] = {"clientProvidedHostHeader": ex["host"]}
    if ex.get("resources") is not None:
        rec["resources"] = [_resource(r) for r in ex["resources"] if r is not None]
    if ex.get("category") and not rec.get("eventCategory"):
        # the category the SQL read from fields the example may lack (an S3 object in
        # resources that no predicate reads otherwise)
        rec["eventCategory"] = ex["category"]
    return rec


class Assembler:
    """Builds results for groups; caches what does not depend on the group."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.fixed: dict[int, TrailDestinations] = {}
        self.mismatches = 0

    def result(self, row: Mapping[str, Any], example: Mapping[str, Any]) -> EventResult:
        """The result for a group: `row` holds its decision columns, `example` a record."""
        plan = self.plan
        event = Event.from_record(record_of_example(example))
        trails: list[TrailResult] = []
        for t in plan.trails:
            decision = t.compiled.decide(event)
            sql = row[f"{t.prefix}_c"]
            if sql is not None and CODES[decision.status] != sql:
                self.mismatches += 1
            if not isinstance(t.trail, Trail):  # an event data store: into itself
                delivery = lake_delivery(t.trail.id) if decision.status != "fail" else None
                trails.append(TrailResult(t.trail.id, decision, delivery,
                                          kind="event_data_store"))  # fmt: skip
                continue
            if decision.status == "fail":
                trails.append(TrailResult(t.trail.id, decision))
                continue
            fixed = self.fixed.get(t.index)
            if fixed is None:
                fixed = self.fixed[t.index] = trail_destinations(plan.estate, t.trail)
            delivery = deliver(plan.estate, t.trail, event, None, fixed)
            alarms: AlarmTrace | None = None
            if delivery.get("cloudwatch_logs").status != "fail":
                matches = {f.metric_filter.id: bool(row[f.column]) for f in plan.filters
                           if t.index in f.trails}  # fmt: skip
                alarms = trace(plan.estate, t.trail.log_group, event, matches=matches)
            trails.append(TrailResult(t.trail.id, decision, delivery, alarms))
        return EventResult(event, tuple(trails))


def _resource(r: Mapping[str, Any]) -> dict[str, Any]:
    low = {k.lower(): v for k, v in r.items()}
    return {k: low[k.lower()] for k in ("type", "ARN") if low.get(k.lower()) is not None}
