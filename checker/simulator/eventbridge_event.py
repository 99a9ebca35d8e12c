"""From a CloudTrail record to the EventBridge event CloudTrail puts on the default event bus.

    >>> e = to_eventbridge_event({"eventSource": "s3.amazonaws.com", "eventType": "AwsApiCall",
    ...                           "eventTime": "2024-05-01T12:00:00Z", "awsRegion": "eu-west-1",
    ...                           "recipientAccountId": "111122223333", "eventName": "PutObject"})
    >>> e["source"], e["detail-type"], e["account"], e["region"]
    ('aws.s3', 'AWS API Call via CloudTrail', '111122223333', 'eu-west-1')

Fields the documentation does not settle are `Unknown` values with the reason (`OneOf` when the
candidates are known), so a pattern that reads them gets an unknown verdict, never a guess. The
mapping and its sources are in docs/semantics/eventbridge.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from checker.model import Unknown
from checker.simulator.event_pattern import OneOf

# EventBridge User Guide, "AWS service events delivered via AWS CloudTrail" (current page):
# the detail-type of each kind of CloudTrail event.
DETAIL_TYPES: dict[str, str] = {
    "AwsApiCall": "AWS API Call via CloudTrail",
    "AwsServiceEvent": "AWS Service Event via CloudTrail",
    "AwsConsoleAction": "AWS Console Action via CloudTrail",
}
INSIGHT_DETAIL_TYPE = "AWS Insight via CloudTrail"
NETWORK_ACTIVITY_DETAIL_TYPE = "AWS Network Activity Event via CloudTrail"
# The page above spells the sign-in type "AWS Console Signin via CloudTrail"; rules written for
# real sign-in events, and the brief of this project, use "AWS Console Sign In via CloudTrail".
SIGN_IN_DETAIL_TYPES = ("AWS Console Sign In via CloudTrail", "AWS Console Signin via CloudTrail")

_EVENT_SOURCE = re.compile(r"([a-z0-9][a-z0-9-]*)\.amazonaws\.com")


def detail_type(record: Mapping[str, Any]) -> str | Unknown:
    category = record.get("eventCategory")
    if category == "Insight":
        return INSIGHT_DETAIL_TYPE
    if category == "NetworkActivity":
        return NETWORK_ACTIVITY_DETAIL_TYPE
    event_type = record.get("eventType")
    if event_type == "AwsConsoleSignIn":
        return OneOf("the EventBridge user guide spells this detail-type 'AWS Console Signin via "
                     "CloudTrail', while rules for sign-in events use 'AWS Console Sign In via "
                     "CloudTrail'", SIGN_IN_DETAIL_TYPES)  # fmt: skip
    if isinstance(event_type, str) and event_type in DETAIL_TYPES:
        return DETAIL_TYPES[event_type]
    return Unknown(f"the record's eventType {event_type!r} is not one the EventBridge user guide "
                   "maps to a detail-type")  # fmt: skip


def source(record: Mapping[str, Any]) -> str | Unknown:
    """`aws.` and the service prefix of eventSource, as the EventBridge events reference lists
    for every service delivered via CloudTrail (monitoring.amazonaws.com -> aws.monitoring)."""
    if record.get("eventCategory") in ("Insight", "NetworkActivity"):
        return Unknown(f"the user guide does not say which source {record['eventCategory']} "
                       "events carry on EventBridge")  # fmt: skip
    event_source = record.get("eventSource")
    m = _EVENT_SOURCE.fullmatch(event_source) if isinstance(event_source, str) else None
    if m is None:
        return Unknown(f"eventSource {event_source!r} is not of the form <service>.amazonaws.com, "
                       "the form the EventBridge events reference maps to aws.<service>")
    return "aws." + m.group(1)


def _field(record: Mapping[str, Any], key: str, envelope: str) -> Any:
    value = record.get(key)
    if isinstance(value, str) and value:
        return value
    return Unknown(f"the record has no {key}, which EventBridge's {envelope!r} comes from")


def to_eventbridge_event(record: Mapping[str, Any]) -> dict[str, Any]:
    """The event EventBridge delivers for `record`; `detail` is the record itself."""
    return {
        "version": "0",  # [UG, events]: "By default, this is set to 0 (zero) in all events"
        "id": Unknown("EventBridge gives every event a new UUID on delivery, not the "
                      "record's eventID"),
        "detail-type": detail_type(record),
        "source": source(record),
        "account": _field(record, "recipientAccountId", "account"),
        "time": _field(record, "eventTime", "time"),
        "region": _field(record, "awsRegion", "region"),
        "resources": [],  # [UG, events]: API calls via CloudTrail do not include resource ARNs
        "detail": dict(record),
    }


def is_eventbridge_event(obj: object) -> bool:
    """An object shaped like an EventBridge event (detail-type, source and detail)."""
    return isinstance(obj, Mapping) and all(k in obj for k in ("detail-type", "source", "detail"))


def is_cloudtrail_record(obj: object) -> bool:
    """An object shaped like a CloudTrail record (eventSource, eventName, eventTime)."""
    return (isinstance(obj, Mapping) and not is_eventbridge_event(obj)
            and all(k in obj for k in ("eventSource", "eventName", "eventTime")))  # fmt: skip
