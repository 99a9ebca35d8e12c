"""CloudTrail record -> EventBridge event, on real records (fixtures/eventbridge) and edge cases.
Sources: EventBridge User Guide "AWS service events delivered via AWS CloudTrail" [UG-ct],
"Amazon EventBridge events" [UG-events], and the EventBridge events reference pages [REF]."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker.model import Unknown
from checker.simulator.event_pattern import EventPattern, OneOf, compile_pattern
from checker.simulator.eventbridge_event import (
    SIGN_IN_DETAIL_TYPES,
    is_cloudtrail_record,
    is_eventbridge_event,
    to_eventbridge_event,
)

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "fixtures" / "eventbridge" / "cloudtrail-records.json"
RECORDS: list[dict[str, Any]] = json.loads(FIXTURE.read_text(encoding="utf-8"))["Records"]


def by_name(name: str) -> dict[str, Any]:
    return next(r for r in RECORDS if r["eventName"] == name)


# [REF]: source is aws.<prefix of eventSource>; [UG-ct]: detail-type by kind of event.
@pytest.mark.parametrize(("name", "source", "detail_type"), [
    ("PutBucketPolicy", "aws.s3", "AWS API Call via CloudTrail"),
    ("DeleteUser", "aws.iam", "AWS API Call via CloudTrail"),
    ("DeleteTrail", "aws.cloudtrail", "AWS API Call via CloudTrail"),
    ("EndSecretVersionDelete", "aws.secretsmanager", "AWS Service Event via CloudTrail"),
])
def test_real_records(name: str, source: str, detail_type: str) -> None:
    record = by_name(name)
    event = to_eventbridge_event(record)
    assert event["source"] == source
    assert event["detail-type"] == detail_type
    assert event["account"] == record["recipientAccountId"]
    assert event["region"] == record["awsRegion"]
    assert event["time"] == record["eventTime"]
    assert event["detail"] == record
    assert event["version"] == "0"  # [UG-events]
    assert event["resources"] == []  # [UG-events]: CloudTrail API calls carry no resource ARNs
    assert isinstance(event["id"], Unknown)  # a new UUID per event, not the eventID


# [UG-ct] spells "AWS Console Signin via CloudTrail"; rules use "... Sign In ...": both possible.
def test_console_sign_in_detail_type_is_one_of_two_spellings() -> None:
    event = to_eventbridge_event(by_name("ConsoleLogin"))
    assert event["source"] == "aws.signin"
    kind = event["detail-type"]
    assert isinstance(kind, OneOf) and set(kind.values) == set(SIGN_IN_DETAIL_TYPES)
    both = compile_pattern({"detail-type": list(SIGN_IN_DETAIL_TYPES)})
    one = compile_pattern({"source": ["aws.signin"],
                           "detail-type": ["AWS Console Sign In via CloudTrail"]})  # fmt: skip
    api = compile_pattern({"detail-type": ["AWS API Call via CloudTrail"]})
    assert isinstance(both, EventPattern) and isinstance(one, EventPattern)
    assert isinstance(api, EventPattern)
    assert both.match(event).match is True
    assert one.match(event).match is None
    assert api.match(event).match is False


@pytest.mark.parametrize(("changes", "detail_type"), [
    ({"eventType": "AwsConsoleAction"}, "AWS Console Action via CloudTrail"),
    ({"eventType": "AwsCloudTrailInsight", "eventCategory": "Insight"},
     "AWS Insight via CloudTrail"),
    ({"eventCategory": "NetworkActivity"}, "AWS Network Activity Event via CloudTrail"),
])
def test_other_detail_types(changes: dict[str, str], detail_type: str) -> None:
    assert to_eventbridge_event({**by_name("DeleteUser"), **changes})["detail-type"] == detail_type


def test_what_the_documentation_does_not_settle_is_unknown() -> None:
    insight = to_eventbridge_event({**by_name("DeleteUser"), "eventCategory": "Insight"})
    assert isinstance(insight["source"], Unknown)  # no documented source for Insights events
    odd = to_eventbridge_event({"eventSource": "AWSConfig", "eventType": "Mystery"})
    assert isinstance(odd["source"], Unknown) and "AWSConfig" in odd["source"].reason
    assert isinstance(odd["detail-type"], Unknown)
    assert isinstance(odd["account"], Unknown) and "recipientAccountId" in odd["account"].reason


def test_a_pattern_on_a_converted_record() -> None:
    p = compile_pattern({"source": ["aws.cloudtrail"],
                         "detail-type": ["AWS API Call via CloudTrail"],
                         "detail": {"eventName": ["DeleteTrail", "StopLogging"]}})  # fmt: skip
    assert isinstance(p, EventPattern)
    assert p.match(to_eventbridge_event(by_name("DeleteTrail"))).match is True
    assert p.match(to_eventbridge_event(by_name("DeleteUser"))).match is False
    # Reading the unknown id makes the verdict unknown, never a guess.
    q = compile_pattern({"id": [{"prefix": "0"}]})
    assert isinstance(q, EventPattern)
    assert q.match(to_eventbridge_event(by_name("DeleteTrail"))).match is None


def test_shapes() -> None:
    record = by_name("DeleteTrail")
    assert is_cloudtrail_record(record) and not is_eventbridge_event(record)
    event = to_eventbridge_event(record)
    assert is_eventbridge_event(event) and not is_cloudtrail_record(event)
