"""Delivery of a captured event: S3, CloudWatch Logs, EventBridge, SNS (semantics §7)."""

from __future__ import annotations

from checker.delivery_state import DeliveryState, DeliveryStatus
from checker.model import Computed, Estate, LogGroup, Reference, Topic, Unknown
from checker.simulator.delivery import (
    ALL_MANAGEMENT_EVENTS_STATE,
    deliver,
    eventbridge_needs_all_events_state,
)
from checker.simulator.events import Event
from tests.simulator.capture_cases import trail

LG_ARN = "arn:aws:logs:us-east-1:111122223333:log-group:/aws/cloudtrail/main:*"
ROLE = "arn:aws:iam::111122223333:role/cloudtrail-to-cwl"
EVENT = Event("ec2.amazonaws.com", "RunInstances", "eu-west-1", read_only=False)


def full_trail(**kw: object) -> object:
    base = {"bucket": Reference("example-logs"), "log_group": Reference(LG_ARN),
            "cloudwatch_logs_role_arn": ROLE, "sns_topic": Reference("alerts")}
    base.update(kw)
    return trail(**base)


def test_everything_set_delivers_everywhere() -> None:
    estate = Estate(log_groups=(LogGroup("lg", "/aws/cloudtrail/main"),),
                    topics=(Topic("topic", "alerts"),))
    d = deliver(estate, full_trail(), EVENT)  # type: ignore[arg-type]
    assert d.delivered() == ["s3", "cloudwatch_logs", "eventbridge", "sns"]
    assert d.get("cloudwatch_logs").target == "lg"
    assert d.get("sns").target == "topic"
    assert "per log file" in d.get("sns").reason
    assert d.get("eventbridge").target == "default bus (eu-west-1)"
    assert d.cloudwatch is True


def test_cloudwatch_needs_both_arns() -> None:
    no_role = deliver(Estate(), full_trail(cloudwatch_logs_role_arn=None), EVENT)  # type: ignore[arg-type]
    assert no_role.get("cloudwatch_logs").status == "fail"
    assert "role ARN" in no_role.get("cloudwatch_logs").reason
    no_group = deliver(Estate(), full_trail(log_group=None), EVENT)  # type: ignore[arg-type]
    assert no_group.get("cloudwatch_logs").status == "fail"
    assert "log group ARN" in no_group.get("cloudwatch_logs").reason


def test_unknown_values_stay_unknown_and_computed_counts_as_set() -> None:
    unknown = deliver(Estate(), full_trail(
        cloudwatch_logs_role_arn=Unknown("var.role has no value")), EVENT)  # type: ignore[arg-type]
    cwl = unknown.get("cloudwatch_logs")
    assert cwl.status == "unknown" and "var.role" in cwl.reason
    assert unknown.cloudwatch is None
    computed = deliver(Estate(), full_trail(
        cloudwatch_logs_role_arn=Computed("known after apply")), EVENT)  # type: ignore[arg-type]
    assert computed.get("cloudwatch_logs").status == "pass"
    # a set role does not save a missing group even when the role is unknown
    none = deliver(Estate(), full_trail(log_group=None,
                   cloudwatch_logs_role_arn=Unknown("x")), EVENT)  # type: ignore[arg-type]
    assert none.get("cloudwatch_logs").status == "fail"


def test_unknown_bucket_and_topic() -> None:
    d = deliver(Estate(), full_trail(bucket=Reference(Unknown("var.bucket")),
                                     sns_topic=Reference(Unknown("var.topic"))), EVENT)  # type: ignore[arg-type]
    assert d.get("s3").status == "unknown" and "var.bucket" in d.get("s3").reason
    assert d.get("sns").status == "unknown"
    no_topic = deliver(Estate(), full_trail(sns_topic=None), EVENT)  # type: ignore[arg-type]
    assert no_topic.get("sns").status == "fail"


def test_large_events_skip_cloudwatch_and_eventbridge() -> None:
    big = Event.from_record({"eventSource": "ec2.amazonaws.com", "eventName": "RunInstances",
                             "awsRegion": "eu-west-1", "requestParameters": {"x": "a" * 300_000}})
    d = deliver(Estate(), full_trail(), big)  # type: ignore[arg-type]
    assert d.get("cloudwatch_logs").status == "fail"
    assert d.get("eventbridge").status == "fail"
    assert d.get("s3").status == "pass"


def test_eventbridge_read_only_describe_events_need_the_all_events_state() -> None:
    describe = Event("ec2.amazonaws.com", "DescribeInstances", "eu-west-1", read_only=True)
    assert eventbridge_needs_all_events_state(describe)
    note = deliver(Estate(), full_trail(), describe).get("eventbridge").note  # type: ignore[arg-type]
    assert note is not None and ALL_MANAGEMENT_EVENTS_STATE in note
    # STS GetSessionToken / GetFederationToken are change events despite their names
    assert not eventbridge_needs_all_events_state(
        Event("sts.amazonaws.com", "GetSessionToken", "eu-west-1", read_only=True))
    # read-only events with other verbs reach ordinary rules; writes always do
    assert not eventbridge_needs_all_events_state(
        Event("s3.amazonaws.com", "HeadBucket", "eu-west-1", read_only=True))
    assert not eventbridge_needs_all_events_state(
        Event("iam.amazonaws.com", "GetUser", "us-east-1", read_only=False))
    # data events are delivered (a trail logs them), no rule-state condition
    data = Event("s3.amazonaws.com", "GetObject", "eu-west-1", event_category="Data",
                 read_only=True)
    eb = deliver(Estate(), full_trail(), data).get("eventbridge")  # type: ignore[arg-type]
    assert eb.status == "pass" and eb.note is None


# -- delivery errors CloudTrail reports (Trail.delivery) --------------------------------------

S3_FAILS = DeliveryStatus(s3=DeliveryState(False, "AccessDenied", "2026-01-01T00:00:00Z",
                                           "2026-01-02T09:15:00Z"))  # fmt: skip


def test_a_current_s3_error_is_not_delivered_and_says_why() -> None:
    d = deliver(Estate(), full_trail(delivery=S3_FAILS), EVENT)  # type: ignore[arg-type]
    assert "s3" not in d.delivered()
    s3 = d.get("s3")
    assert s3.status == "fail" and s3.reported
    assert "'AccessDenied' at 2026-01-02T09:15:00Z" in s3.reason
    # no log file, no notification; CloudWatch Logs is its own destination
    assert d.get("sns").status == "fail" and d.get("sns").reported
    assert [x.name for x in d.failing()] == ["s3", "sns"]
    assert d.get("cloudwatch_logs").status == "pass"


def test_a_cloudwatch_error_that_cannot_be_dated_is_unknown() -> None:
    undated = DeliveryState(Unknown("cannot be dated"), "AccessDeniedException")
    t = full_trail(delivery=DeliveryStatus(cloudwatch_logs=undated))
    d = deliver(Estate(), t, EVENT)  # type: ignore[arg-type]
    assert d.cloudwatch is None and "cannot be dated" in d.get("cloudwatch_logs").reason
    assert d.get("s3").status == "pass"


def test_an_unread_status_leaves_configured_destinations_unknown() -> None:
    d = deliver(Estate(), full_trail(delivery=Unknown("no get-trail-status output")), EVENT)  # type: ignore[arg-type]
    assert {x.name for x in d.unknown()} == {"s3", "cloudwatch_logs", "sns"}
    assert d.get("eventbridge").status == "pass"  # EventBridge does not go through delivery


def test_a_trail_without_status_delivers_as_configured() -> None:
    d = deliver(Estate(), full_trail(), EVENT)  # type: ignore[arg-type]
    assert d.failing() == [] and "s3" in d.delivered()
