"""EventBridge rules, evaluated: which rules an event reaches, state, Region, bus, targets."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from checker.model import (
    AdvancedSelector,
    Computed,
    Estate,
    EventBus,
    EventRule,
    EventTarget,
    FieldSelector,
    Reference,
    Selectors,
    Subscription,
    Topic,
    Trail,
    Unknown,
)
from checker.simulator.capture import Decision
from checker.simulator.coverage import compiled_trails
from checker.simulator.eventbridge import reach
from checker.simulator.events import Event
from checker.simulator.pipeline import EventResult, simulate_event

ACCOUNT = "111122223333"
DELETE_BUCKET = json.dumps({
    "source": ["aws.s3"], "detail-type": ["AWS API Call via CloudTrail"],
    "detail": {"eventName": ["DeleteBucket", "ListBuckets"]},
})  # fmt: skip
TRAIL = Trail(id="t", name="t", account_id=ACCOUNT, home_region="eu-west-1",
              is_multi_region=True)  # fmt: skip
TOPIC = Topic(id="aws_sns_topic.security", name="security")
SUBSCRIBED = Subscription(id="sub", topic=Reference(Computed("arn"), "aws_sns_topic.security"),
                          protocol="email", endpoint="security@example.com")  # fmt: skip
TO_TOPIC = EventTarget(id="to-topic", arn=Reference(Computed("arn"), "aws_sns_topic.security"),
                       kind="sns")  # fmt: skip
RULE = EventRule(id="aws_cloudwatch_event_rule.delete_bucket", name="delete-bucket",
                 region="eu-west-1", pattern=DELETE_BUCKET, targets=(TO_TOPIC,))  # fmt: skip


def record(name: str = "DeleteBucket", region: str = "eu-west-1", **extra: Any) -> Event:
    return Event.from_record({
        "eventSource": "s3.amazonaws.com", "eventName": name, "awsRegion": region,
        "eventTime": "2026-01-01T00:00:00Z", "eventType": "AwsApiCall", "readOnly": False,
        "recipientAccountId": ACCOUNT, "eventCategory": "Management", **extra,
    })  # fmt: skip


def run(event: Event, *rules: EventRule, trails: tuple[Trail, ...] = (TRAIL,),
        **more: Any) -> EventResult:  # fmt: skip
    estate = Estate(trails=trails, topics=(TOPIC,), subscriptions=(SUBSCRIBED,),
                    event_rules=rules or (RULE,), **more)  # fmt: skip
    return simulate_event(estate, compiled_trails(estate), event)


def only(result: EventResult) -> Any:
    (rule,) = result.eventbridge
    return rule


def test_the_seed_use_case_notifies_through_the_subscribed_topic() -> None:
    rule = only(run(record()))
    assert rule.notifies is True and rule.state == "ENABLED"
    assert [t.target for t in rule.targets] == ["aws_sns_topic.security"]
    assert rule.to_json() == {
        "rule": RULE.id, "state": "ENABLED", "targets": ["aws_sns_topic.security"],
        "notifies": True, "reason": rule.reason,
    }  # fmt: skip


def test_a_disabled_rule_is_listed_and_says_so() -> None:
    rule = only(run(record(), replace(RULE, state="DISABLED")))
    assert rule.notifies is False and "DISABLED" in rule.reason


def test_a_rule_whose_pattern_does_not_match_is_not_listed() -> None:
    assert run(record("CreateBucket")).eventbridge == ()


@pytest.mark.parametrize(
    ("state", "notifies"),
    [("ENABLED", False), ("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS", True)],
)
def test_read_only_list_calls_reach_only_rules_with_all_management_events(
    state: str, notifies: bool
) -> None:
    rule = only(run(record("ListBuckets", readOnly=True), replace(RULE, state=state)))
    assert rule.notifies is notifies
    if not notifies:
        assert "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" in rule.reason


def test_a_read_only_list_call_of_unknown_category_may_reach_an_enabled_rule() -> None:
    # as a management event it would not, as a data event it would: unknown, never a yes
    event = record("ListBuckets", readOnly=True, eventCategory=None)
    assert event.unclassified is not None
    everything = replace(TRAIL, selectors=Selectors("advanced", advanced=(AdvancedSelector((
        FieldSelector("eventName", equals=("ListBuckets",)),)),)))  # fmt: skip
    rule = only(run(event, trails=(everything,)))
    assert rule.notifies is None and "whether it is one is not known" in rule.reason


def test_a_rule_sees_only_its_own_region_and_account() -> None:
    assert run(record(region="us-east-1")).eventbridge == ()
    assert run(record(), replace(RULE, account_id="444455556666")).eventbridge == ()


def test_an_unknown_region_or_state_is_unknown_never_a_notification() -> None:
    unknown_region = only(run(record(), replace(RULE, region=Unknown("use --region"))))
    assert unknown_region.notifies is None and "use --region" in unknown_region.reason
    unknown_state = only(run(record(), replace(RULE, state=Unknown("var.state"))))
    assert unknown_state.notifies is None and unknown_state.state == "<unknown>"
    # a fail that holds whatever the unknown is stays a fail
    both = only(run(record(), replace(RULE, state="DISABLED", region=Unknown("x"))))
    assert both.notifies is False


def test_an_unknown_pattern_is_listed_as_a_possible_match() -> None:
    rule = only(run(record(), replace(RULE, pattern=Unknown("var.pattern"))))
    assert rule.match is None and rule.notifies is None
    assert rule.to_json()["match"] == "unknown"


def test_invalid_and_missing_patterns_match_nothing() -> None:
    assert run(record(), replace(RULE, pattern='{"source": "aws.s3"}')).eventbridge == ()
    assert run(record(), replace(RULE, pattern=None)).eventbridge == ()


def test_without_a_logging_trail_nothing_reaches_eventbridge() -> None:
    rule = only(run(record(), trails=(replace(TRAIL, is_logging=False),)))
    assert rule.notifies is False and "logging" in rule.reason
    rule = only(run(record(), trails=()))
    assert rule.notifies is False and "there is no trail" in rule.reason


def test_a_logging_trail_that_does_not_record_the_event_leaves_it_unknown() -> None:
    regional = replace(TRAIL, is_multi_region=False, home_region="us-east-1")
    rule = only(run(record(), trails=(regional,)))
    assert rule.notifies is None
    assert "does not say whether that trail must record the event" in rule.reason


def test_data_events_need_a_trail_that_records_them() -> None:
    event = record("DeleteBucket", eventCategory="Data", managementEvent=False)
    rule = only(run(event))  # the default selectors record management events only
    assert rule.notifies is False and "data events reach EventBridge only" in rule.reason


def test_an_event_data_store_delivers_nothing_to_eventbridge() -> None:
    from checker.model import EventDataStore

    store = EventDataStore(id="lake", name="lake", account_id=ACCOUNT, home_region="eu-west-1")
    result = run(record(), trails=(), event_data_stores=(store,))
    assert result.trails[0].decision.status == "pass"
    assert only(result).notifies is False


def test_reach_of_a_large_event_and_of_network_activity() -> None:
    captured = [("t", Decision("pass", "s", "captured by s"))]
    assert reach(record(), captured, 300 * 1024).match is False
    assert reach(record(), captured, 1000).match is True
    network = record(eventCategory="NetworkActivity")
    assert reach(network, captured, 1000).match is None


@pytest.mark.parametrize(
    ("kind", "notifies"),
    [("api-destination", True), ("logs", False), ("lambda", None), ("sqs", None),
     ("step-functions", None), (Unknown("var.target"), None)],
)  # fmt: skip
def test_target_kinds(kind: Any, notifies: bool | None) -> None:
    target = EventTarget(id="x", arn=Reference("arn:aws:x:eu-west-1:1:x"), kind=kind)
    assert only(run(record(), replace(RULE, targets=(target,)))).notifies is notifies


def test_a_topic_without_subscription_or_outside_the_inputs() -> None:
    estate = Estate(trails=(TRAIL,), topics=(TOPIC,), event_rules=(RULE,))
    rule = only(simulate_event(estate, compiled_trails(estate), record()))
    assert rule.notifies is False and "no subscription" in rule.reason
    outside = EventTarget(id="x", arn=Reference("arn:aws:sns:eu-west-1:1:elsewhere"), kind="sns")
    rule = only(run(record(), replace(RULE, targets=(outside,))))
    assert rule.notifies is None and "outside the scanned inputs" in rule.reason


def test_a_rule_without_targets_notifies_nobody() -> None:
    rule = only(run(record(), replace(RULE, targets=())))
    assert rule.notifies is False and "no target" in rule.reason


def test_forwarding_to_a_custom_bus_follows_the_rules_there_one_hop() -> None:
    bus = EventBus(id="aws_cloudwatch_event_bus.security", name="security")
    to_bus = EventTarget(id="fwd", kind="event-bus",
                         arn=Reference(Computed("arn"), "aws_cloudwatch_event_bus.security"))
    forward = replace(RULE, id="forward", targets=(to_bus,))
    on_bus = replace(RULE, id="on-bus",
                     event_bus=Reference("security", "aws_cloudwatch_event_bus.security"))
    result = run(record(), forward, on_bus, event_buses=(bus,))
    (rule,) = result.eventbridge  # the custom bus's rule does not see CloudTrail directly
    assert rule.rule == "forward" and rule.notifies is True
    assert "on-bus" in rule.reason
    quiet = replace(on_bus, state="DISABLED")
    assert only(run(record(), forward, quiet, event_buses=(bus,))).notifies is False


def test_the_coverage_cell_counts_a_notifying_rule_as_alerted() -> None:
    from checker.simulator.scenarios import cell

    result = run(record())
    c = cell([result])
    assert c["alarm"] is False and c["alerted"] is True
    assert c["eventbridge"] == [RULE.id] and RULE.id in c["reason"]
    assert cell([run(record(), replace(RULE, state="DISABLED"))])["alerted"] is False
