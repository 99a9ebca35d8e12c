"""The live audit's reads of EventBridge rules and CloudTrail Lake event data stores.

Per account and Region, through the audit's read-only clients (`live.py` passes its account
object, which offers `read(service, region, method, target, *, absent, **params) -> Result`):

- events:ListRules on the default bus (where CloudTrail delivers), then per rule
  events:DescribeRule (state, pattern) and events:ListTargetsByRule; the rules of a custom bus
  that a default-bus rule forwards to (in the same account and Region) the same way. A bus whose
  rules cannot be listed gets one placeholder rule with everything unknown (`unlisted_rules`);
- cloudtrail:ListEventDataStores, then per store cloudtrail:GetEventDataStore (the list's
  configuration fields are deprecated) and cloudtrail:GetInsightSelectors.

A call that fails leaves the fields it would have filled `Unknown` with the call and the error,
as the rest of the audit does (`live_shapes.Failed`). The shapes are pure functions, tested
without an endpoint.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from checker.loaders.aws import live_shapes as shapes
from checker.loaders.aws.live_shapes import Failed, Result
from checker.loaders.eventbridge import kind_of_arn
from checker.model import EventDataStore, EventRule, EventTarget, Reference, Unknown

DEFAULT_BUS = "default"


class Reader(Protocol):
    account_id: str

    def read(
        self, service: str, region: str, method: str, target: str = "", *,
        absent: Iterable[str] = (), **params: Any,
    ) -> Result: ...  # fmt: skip


@dataclass
class RegionEvents:
    rules: list[EventRule] = field(default_factory=list)
    stores: list[EventDataStore] = field(default_factory=list)


def read_region(account: Reader, region: str, listed_stores: Result | None) -> RegionEvents:
    """The rules and event data stores of one account and Region. `listed_stores` is the
    ListEventDataStores answer the audit already has (None: stores are not audited)."""
    out = RegionEvents(rules=_rules(account, region))
    if isinstance(listed_stores, Mapping):
        for listed in listed_stores.get("EventDataStores") or ():
            arn = str(listed.get("EventDataStoreArn", ""))
            home = shapes.arn_part(arn, 3) or region
            got = account.read("cloudtrail", home, "get_event_data_store", arn,
                               EventDataStore=arn)  # fmt: skip
            insights = account.read(
                "cloudtrail", home, "get_insight_selectors", arn,
                absent=("InsightNotEnabledException",), EventDataStore=arn,
            )  # fmt: skip
            out.stores.append(store_from_api(listed, got, insights, account.account_id, home))
    return out


def _rules(account: Reader, region: str) -> list[EventRule]:
    rules = _bus_rules(account, region, DEFAULT_BUS)
    buses = {
        shapes.arn_part(t.arn.value, 5).split("/", 1)[1]
        for r in rules if not isinstance(r.targets, Unknown) for t in r.targets
        if t.kind == "event-bus" and isinstance(t.arn.value, str)
        and shapes.arn_part(t.arn.value, 4) == account.account_id
        and shapes.arn_part(t.arn.value, 3) == region
    }  # fmt: skip
    for bus in sorted(buses - {DEFAULT_BUS}):
        rules += _bus_rules(account, region, bus)
    return rules


def _bus_rules(account: Reader, region: str, bus: str) -> list[EventRule]:
    listed = account.read("events", region, "list_rules", bus, EventBusName=bus)
    if isinstance(listed, Failed):
        return [unlisted_rules(listed, account.account_id, region, bus)]
    if not isinstance(listed, Mapping):
        return []
    out = []
    for entry in listed.get("Rules") or ():
        name = str(entry.get("Name", ""))
        described = account.read("events", region, "describe_rule", name, Name=name,
                                 EventBusName=bus)  # fmt: skip
        targets = account.read("events", region, "list_targets_by_rule", name, Rule=name,
                               EventBusName=bus)  # fmt: skip
        out.append(rule_from_api(entry, described, targets, account.account_id, region))
    return out


# ---------------------------------------------------------------------------------------------
# Shapes


def rule_from_api(
    listed: Mapping[str, Any], described: Result, targets: Result, reader: str, region: str
) -> EventRule:
    """A ListRules entry, its DescribeRule and ListTargetsByRule answers -> EventRule (id = the
    rule's ARN). DescribeRule has the same fields as the listing; when it fails, the listing's
    are used."""
    rule = described if isinstance(described, Mapping) else listed
    arn = str(rule.get("Arn") or listed.get("Arn") or "")
    account = shapes.arn_part(arn, 4) or reader
    home = shapes.arn_part(arn, 3) or region
    bus = rule.get("EventBusName") or DEFAULT_BUS
    pattern = rule.get("EventPattern")
    return EventRule(
        id=arn,
        name=str(rule.get("Name", "")),
        location=shapes.where(account, home),
        arn=arn,
        account_id=account,
        region=home,
        event_bus=None if bus == DEFAULT_BUS else Reference(str(bus)),
        state=str(rule.get("State") or "ENABLED"),
        pattern=pattern if isinstance(pattern, str) else None,
        targets=targets_from_api(targets, arn),
    )


def unlisted_rules(failed: Failed, account: str, region: str, bus: str) -> EventRule:
    """One rule standing for the rules of a bus that events:ListRules could not list: any of
    them might match an event and notify someone, so alerting through EventBridge is unknown
    there, never "no rule" (as `live_shapes.metric_filters_from_api` does for filters)."""
    u = failed.unknown()
    path = "?" if bus == DEFAULT_BUS else f"{bus}/?"
    return EventRule(
        id=f"arn:aws:events:{region}:{account}:rule/{path}",
        name=u,
        location=shapes.where(account, region),
        account_id=account,
        region=region,
        event_bus=None if bus == DEFAULT_BUS else Reference(bus),
        state=u,
        pattern=u,
        targets=u,
    )


def targets_from_api(response: Result, rule_arn: str) -> tuple[EventTarget, ...] | Unknown:
    if isinstance(response, Failed):
        return response.unknown()
    if not isinstance(response, Mapping):
        return ()
    out = []
    for t in response.get("Targets") or ():
        arn = str(t.get("Arn", ""))
        out.append(EventTarget(id=f"{rule_arn}#{t.get('Id', '')}", arn=Reference(arn),
                               kind=kind_of_arn(arn)))  # fmt: skip
    return tuple(out)


def store_from_api(
    listed: Mapping[str, Any], got: Result, insights: Result, reader: str, region: str
) -> EventDataStore:
    """A ListEventDataStores entry with its GetEventDataStore and GetInsightSelectors answers ->
    EventDataStore (id = its ARN). When GetEventDataStore fails, every setting is unknown."""
    arn = str(listed.get("EventDataStoreArn", ""))
    account = shapes.arn_part(arn, 4) or reader

    def field_of(key: str) -> Any:
        if isinstance(got, Failed):
            return got.unknown()
        value = got.get(key) if isinstance(got, Mapping) else None
        return Unknown(f"cloudtrail:GetEventDataStore gave no {key}") if value is None else value

    key = field_of("KmsKeyId")
    # a store without advanced selectors records every management event, as a trail would
    selectors = shapes.selectors_from_api(
        {"AdvancedEventSelectors": got.get("AdvancedEventSelectors") or []}
        if isinstance(got, Mapping) else got
    )
    destination = insights.get("InsightsDestination") if isinstance(insights, Mapping) else None
    return EventDataStore(
        id=arn,
        name=str(listed.get("Name", "")),
        location=shapes.where(account, region),
        arn=arn,
        account_id=account,
        home_region=region,
        status=field_of("Status"),
        is_multi_region=field_of("MultiRegionEnabled"),
        is_organization=field_of("OrganizationEnabled"),
        termination_protection=field_of("TerminationProtectionEnabled"),
        retention_days=field_of("RetentionPeriod"),
        billing_mode=field_of("BillingMode"),
        # no KmsKeyId: the store is encrypted with a key CloudTrail manages
        kms_key=None if isinstance(got, Mapping) and not got.get("KmsKeyId") else Reference(key),
        selectors=selectors,
        insight_selectors=shapes.insights_from_api(insights),
        insights_destination=Reference(str(destination)) if destination else None,
    )


def kms_keys(stores: Sequence[EventDataStore]) -> list[str]:
    """The KMS key ARNs the stores name, for the audit to read with the trails' keys."""
    return [s.kms_key.value for s in stores
            if s.kms_key is not None and isinstance(s.kms_key.value, str)]  # fmt: skip


def sns_targets(rules: Sequence[EventRule]) -> list[str]:
    """The SNS topics the rules target, for the audit to read with their subscriptions."""
    return [t.arn.value for r in rules if not isinstance(r.targets, Unknown) for t in r.targets
            if t.kind == "sns" and isinstance(t.arn.value, str)]  # fmt: skip
