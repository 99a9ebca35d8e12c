"""The delivery state of a trail's destinations (checker/delivery_state.py)."""

from __future__ import annotations

from checker.delivery_state import DeliveryState, DeliveryStatus, destination_health
from checker.model import Unknown

FAILING = DeliveryState(False, "AccessDenied", "2026-01-01T00:00:00Z", "2026-01-02T09:15:00Z")


def test_an_iac_trail_has_no_status_and_delivers_as_configured() -> None:
    assert destination_health(None, "s3") == (True, "")


def test_an_unread_status_is_unknown_with_its_reason() -> None:
    ok, why = destination_health(Unknown("GetTrailStatus denied"), "cloudwatch_logs")
    assert ok == Unknown("GetTrailStatus denied")
    assert "CloudWatch Logs" in why and "GetTrailStatus denied" in why


def test_a_current_error_names_the_error_and_both_times() -> None:
    ok, why = destination_health(DeliveryStatus(s3=FAILING), "s3")
    assert ok is False
    assert why == (
        "log file delivery to S3 fails: CloudTrail reports 'AccessDenied' at "
        "2026-01-02T09:15:00Z, after the latest successful delivery at 2026-01-01T00:00:00Z"
    )
    # the other destinations are not touched by the S3 error
    assert destination_health(DeliveryStatus(s3=FAILING), "sns") == (True, "")


def test_never_delivered_says_so() -> None:
    state = DeliveryState(False, "NoSuchBucket")
    assert state.failure("digest").endswith("'NoSuchBucket', and no delivery has ever succeeded")


def test_a_stale_error_delivers() -> None:
    stale = DeliveryState(True, "NoSuchBucket", "2026-01-02T09:20:00Z")
    assert destination_health(DeliveryStatus(s3=stale), "s3") == (True, "")


def test_an_undated_error_is_unknown() -> None:
    state = DeliveryState(Unknown("cannot be dated"), "AccessDenied", "2026-01-01T00:00:00Z")
    ok, why = destination_health(DeliveryStatus(cloudwatch_logs=state), "cloudwatch_logs")
    assert isinstance(ok, Unknown) and "cannot be dated" in why
