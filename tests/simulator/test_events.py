"""Reading real CloudTrail records into `Event`, and which events are global service events."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from checker.regions import DEFAULT_REGIONS, OPT_IN_REGIONS, partition_of
from checker.simulator.events import Event, Resource, UserIdentity
from checker.simulator.regions import is_global_service_event

EVENTS = Path(__file__).resolve().parents[2] / "fixtures" / "events"
SAMPLES = {
    "invictus-ir": "invictus-ir-sample.json.gz",
    "stratus-red-team": "stratus-red-team.json.gz",
}


def _records(sample: str) -> list[dict[str, Any]]:
    """Real records kept in fixtures/events (see its README for what each sample holds)."""
    document = json.loads(gzip.decompress((EVENTS / SAMPLES[sample]).read_bytes()))
    records: list[dict[str, Any]] = document["Records"] if isinstance(document, dict) else document
    return records


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_real_records_parse(sample: str) -> None:
    records = _records(sample)
    assert len(records) > 300
    events = [Event.from_record(r) for r in records]
    for record, event in zip(records, events, strict=True):
        assert event.event_source == record["eventSource"]
        assert event.event_name == record["eventName"]
        assert event.aws_region == record["awsRegion"]
        assert event.event_category == record.get("eventCategory", "Management")
        assert event.read_only is record.get("readOnly")
        assert event.recipient_account_id == record.get("recipientAccountId")
        assert len(event.resources) == len(record.get("resources") or [])
        assert event.raw is record
    assert any(e.resources for e in events)
    assert any(e.error_code for e in events)


def test_invictus_sample() -> None:
    events = [Event.from_record(r) for r in _records("invictus-ir")]
    assert len(events) == 326
    assert {e.aws_region for e in events} == {"us-east-1"}
    kinds = Counter(r.type for e in events for r in e.resources)
    assert kinds["AWS::S3::Bucket"] > 0
    assert sum(e.session_credential_from_console for e in events) > 0


def test_stratus_console_login() -> None:
    logins = [Event.from_record(r) for r in _records("stratus-red-team")
              if r["eventName"] == "ConsoleLogin"]  # fmt: skip
    assert logins
    for event in logins:
        assert event.event_source == "signin.amazonaws.com"
        assert event.event_type == "AwsConsoleSignIn"
        assert event.read_only is False
        assert event.user_identity.type == "IAMUser"
        assert is_global_service_event(event) is True


def test_global_service_status_of_real_records() -> None:
    events = [Event.from_record(r) for r in _records("invictus-ir")]
    by_source: dict[str, set[bool | None]] = {}
    for event in events:
        by_source.setdefault(event.event_source, set()).add(is_global_service_event(event))
    assert by_source["iam.amazonaws.com"] == {True}
    assert by_source["ec2.amazonaws.com"] == {False}
    # STS: regional host -> regional, global host -> global, no tlsDetails in us-east-1 -> unknown
    assert by_source["sts.amazonaws.com"] == {True, False, None}


def test_tolerant_of_missing_and_odd_fields() -> None:
    record = {
        "eventVersion": "1.02", "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin",
        "awsRegion": "us-east-1", "userIdentity": None, "resources": None, "errorCode": None,
        "managementEvent": None, "recipientAccountId": 123456789012,
    }  # fmt: skip
    event = Event.from_record(record)
    assert event.read_only is None
    assert event.event_category == "Management"
    assert event.resources == ()
    assert event.user_identity == UserIdentity()
    assert event.error_code is None
    assert event.recipient_account_id == "123456789012"


def test_strings_for_booleans_and_old_categories() -> None:
    data = Event.from_record({
        "eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "eu-west-1",
        "readOnly": "true", "managementEvent": False, "sessionCredentialFromConsole": "true",
        "resources": [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::b/k"}, "junk",
                      {"accountId": "1", "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::b"}],
        "tlsDetails": {"clientProvidedHostHeader": "b.s3.eu-west-1.amazonaws.com"},
    })  # fmt: skip
    assert data.read_only is True
    assert data.event_category == "Data"
    assert data.session_credential_from_console is True
    assert data.resources == (
        Resource("AWS::S3::Object", "arn:aws:s3:::b/k"),
        Resource("AWS::S3::Bucket", "arn:aws:s3:::b", "1"),
    )
    assert data.host_header == "b.s3.eu-west-1.amazonaws.com"
    vpce = Event.from_record({"eventSource": "kms.amazonaws.com", "eventName": "Decrypt",
                              "awsRegion": "us-east-1", "eventType": "AwsVpceEvent"})  # fmt: skip
    assert vpce.event_category == "NetworkActivity"
    insight = Event.from_record({"eventType": "AwsCloudTrailInsight", "awsRegion": "us-east-1"})
    assert insight.event_category == "Insight"
    assert insight.event_source == ""


def test_not_a_record() -> None:
    with pytest.raises(ValueError, match="JSON object"):
        Event.from_record(["not", "a", "record"])  # type: ignore[arg-type]


def test_events_compare_without_the_raw_record() -> None:
    record = {"eventSource": "ec2.amazonaws.com", "eventName": "RunInstances",
              "awsRegion": "us-east-1", "readOnly": False}  # fmt: skip
    a = Event.from_record(record)
    b = Event.from_record({**record, "eventID": "another"})
    assert a == b
    assert hash(a) == hash(b)
    assert a.describe() == "ec2.amazonaws.com RunInstances in us-east-1"


def test_regions() -> None:
    assert len(DEFAULT_REGIONS) == 17
    assert not set(DEFAULT_REGIONS) & set(OPT_IN_REGIONS)
    assert {"us-east-1", "eu-north-1", "ap-northeast-3", "sa-east-1"} <= set(DEFAULT_REGIONS)
    assert "me-central-1" in OPT_IN_REGIONS and "eu-west-1" not in OPT_IN_REGIONS
    assert partition_of("eu-west-1") == "aws"
    assert partition_of("cn-northwest-1") == "aws-cn"
    assert partition_of("us-gov-west-1") == "aws-us-gov"
    assert partition_of("us-isob-east-1") == "aws-iso-b"
    assert partition_of("us-iso-east-1") == "aws-iso"
    assert partition_of("eusc-de-east-1") == "aws-eusc"
    assert partition_of("eu-isoe-west-1") == "aws-iso-e"


@pytest.mark.parametrize(
    ("source", "region", "host", "expected"),
    [
        ("iam.amazonaws.com", "us-east-1", None, True),
        ("cloudfront.amazonaws.com", "us-east-1", None, True),
        ("signin.amazonaws.com", "us-east-2", "signin.aws.amazon.com", True),
        ("sts.amazonaws.com", "us-east-1", "sts.amazonaws.com", True),
        ("sts.amazonaws.com", "eu-west-1", "sts.amazonaws.com", True),
        ("sts.amazonaws.com", "us-east-1", "sts.us-east-1.amazonaws.com", False),
        ("sts.amazonaws.com", "eu-west-1", None, False),
        ("sts.amazonaws.com", "us-east-1", None, None),
        ("ec2.amazonaws.com", "us-east-1", None, False),
        ("organizations.amazonaws.com", "us-east-1", None, False),
    ],
)
def test_is_global_service_event(source: str, region: str, host: str | None,
                                 expected: bool | None) -> None:  # fmt: skip
    event = Event(source, "Call", region, host_header=host)
    assert is_global_service_event(event) is expected


# The category from the best evidence the record carries (events.category_of); never a guess.
_API = {"eventSource": "ec2.amazonaws.com", "eventName": "RunInstances", "awsRegion": "us-east-1",
        "eventType": "AwsApiCall"}  # fmt: skip
_S3_OBJECT = [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::b/k"}]


@pytest.mark.parametrize(("extra", "category"), [
    ({"eventCategory": "Data", "managementEvent": True}, "Data"),  # eventCategory decides
    ({"eventCategory": "", "managementEvent": False}, "Data"),  # an empty one says nothing
    ({"eventType": "AwsVpceEvent"}, "NetworkActivity"),
    ({"eventType": "AwsCloudTrailInsight"}, "Insight"),
    ({"managementEvent": True}, "Management"),
    ({"managementEvent": "False"}, "Data"),
    ({"eventType": "AwsConsoleSignIn"}, "Management"),
    ({"eventType": "AwsConsoleSignin"}, "Management"),  # as the UG's 1.05 examples spell it
    ({"eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin"}, "Management"),
    ({"eventSource": "lambda.amazonaws.com", "eventName": "Invoke"}, "Data"),
    ({"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "resources": _S3_OBJECT},
     "Data"),
    ({"managementEvent": True, "resources": _S3_OBJECT}, "Management"),  # managementEvent first
])  # fmt: skip
def test_the_category_comes_from_the_best_evidence(extra: dict[str, Any], category: str) -> None:
    event = Event.from_record({**_API, **extra})
    assert (event.event_category, event.unclassified) == (category, None)


@pytest.mark.parametrize("extra", [
    {},  # an API call of event version 1.05
    {"eventType": "AwsServiceEvent", "eventName": "BidEvictedEvent"},
    {"eventSource": "s3.amazonaws.com", "eventName": "GetObject"},  # no object named
    {"eventSource": "lambda.amazonaws.com", "eventName": "GetFunction"},
    {"managementEvent": "maybe", "resources": [{"type": "AWS::S3::Bucket"}]},
])  # fmt: skip
def test_a_record_that_does_not_tell_has_no_category(extra: dict[str, Any]) -> None:
    event = Event.from_record({"eventVersion": "1.05", **_API, **extra})
    assert event.event_category == ""
    assert event.unclassified is not None and "managementEvent" in event.unclassified
    assert Event.problem({**_API, **extra}) is None  # still a record to judge
