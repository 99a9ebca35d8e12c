"""GetTrailStatus delivery fields -> DeliveryStatus (checker/loaders/aws/trail_status.py), in the
three forms times come in: boto3 datetimes, CLI v1 epoch seconds, CLI v2 ISO 8601 text."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from checker.delivery_state import DeliveryState, DeliveryStatus
from checker.loaders.aws.trail_status import delivery_from_status, parse_time
from checker.model import Unknown

JAN1 = "2026-01-01T00:00:00Z"
EPOCH_JAN1 = 1767225600.0


def test_no_errors_everything_delivers() -> None:
    d = delivery_from_status({"IsLogging": True, "LatestDeliveryTime": EPOCH_JAN1})
    assert d == DeliveryStatus(s3=DeliveryState(True, None, JAN1))


def test_an_unread_status_stays_unknown() -> None:
    assert delivery_from_status(Unknown("denied")) == Unknown("denied")


@pytest.mark.parametrize(
    "value",
    [EPOCH_JAN1, 1767225600, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00.512000+00:00",
     "2026-01-01T01:00:00+01:00", datetime(2026, 1, 1, tzinfo=timezone.utc),
     datetime(2026, 1, 1, 1, tzinfo=timezone(timedelta(hours=1)))],
)  # fmt: skip
def test_times_in_every_form(value: object) -> None:
    assert parse_time(value) is not None
    d = delivery_from_status({"LatestDeliveryTime": value})
    assert isinstance(d, DeliveryStatus) and d.s3.last_delivered == JAN1


def test_an_error_after_every_success_is_current() -> None:
    d = delivery_from_status({
        "LatestDeliveryError": "AccessDenied", "LatestDeliveryTime": EPOCH_JAN1,
        "LatestDeliveryAttemptTime": "2026-01-02T09:15:00Z",
        "LatestDeliveryAttemptSucceeded": JAN1,
    })  # fmt: skip
    assert isinstance(d, DeliveryStatus)
    assert d.s3 == DeliveryState(False, "AccessDenied", JAN1, "2026-01-02T09:15:00Z")


def test_an_error_followed_by_a_success_is_stale() -> None:
    # LatestDeliveryTime carries milliseconds, the attempt fields whole seconds
    d = delivery_from_status({
        "LatestNotificationError": "AuthorizationError",
        "LatestNotificationTime": "2026-01-02T09:20:00.512000+00:00",
        "LatestNotificationAttemptTime": "2026-01-02T09:20:00Z",
        "LatestNotificationAttemptSucceeded": "",
    })  # fmt: skip
    assert isinstance(d, DeliveryStatus) and d.sns.delivering is True
    assert d.sns.error == "AuthorizationError"  # kept, for the reader


def test_an_error_and_no_success_ever_is_current() -> None:
    d = delivery_from_status({"LatestDigestDeliveryError": "NoSuchBucket"})
    assert isinstance(d, DeliveryStatus)
    assert d.digest == DeliveryState(False, "NoSuchBucket", None)


def test_an_error_that_cannot_be_dated_is_unknown() -> None:
    d = delivery_from_status({
        "LatestCloudWatchLogsDeliveryError": "AccessDeniedException",
        "LatestCloudWatchLogsDeliveryTime": EPOCH_JAN1,
    })  # fmt: skip
    assert isinstance(d, DeliveryStatus)
    state = d.cloudwatch_logs
    assert isinstance(state.delivering, Unknown)
    assert "AccessDeniedException" in state.delivering.reason and JAN1 in state.delivering.reason


@pytest.mark.parametrize(
    ("status", "words"),
    [({"LatestDeliveryError": 5}, "LatestDeliveryError is not text"),
     ({"LatestDeliveryTime": "yesterday"}, "LatestDeliveryTime is not a time"),
     ({"LatestDeliveryTime": True}, "LatestDeliveryTime is not a time")],
)  # fmt: skip
def test_a_malformed_field_makes_only_its_destination_unknown(
    status: dict[str, object], words: str
) -> None:
    d = delivery_from_status(status)
    assert isinstance(d, DeliveryStatus)
    assert isinstance(d.s3.delivering, Unknown) and words in d.s3.delivering.reason
    assert d.cloudwatch_logs.delivering is True
