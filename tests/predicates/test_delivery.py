"""CT012 (`reports_delivery`, `delivery_working`): delivery errors CloudTrail reports."""

from __future__ import annotations

from checker.delivery_state import DeliveryState, DeliveryStatus
from checker.model import Reference, Unknown
from tests.predicates.evidence_models import estate, run, trail

FAILING = DeliveryState(False, "AccessDenied", "2026-01-01T00:00:00Z", "2026-01-02T09:15:00Z")
UNDATED = DeliveryState(Unknown("the error cannot be dated"), "KMS.DisabledException")


def test_an_iac_trail_is_not_judged() -> None:
    assert run("CT012", estate(trail())) == []


def test_a_current_s3_error_fails_naming_the_error_and_its_time() -> None:
    [f] = run("CT012", estate(trail(delivery=DeliveryStatus(s3=FAILING))))
    assert f.status == "fail"
    assert "'AccessDenied' at 2026-01-02T09:15:00Z" in f.message
    assert "2026-01-01T00:00:00Z" in f.message


def test_destinations_not_configured_are_not_judged() -> None:
    # no log group, no topic, validation off: their errors do not matter
    status = DeliveryStatus(cloudwatch_logs=FAILING, sns=FAILING, digest=FAILING)
    [f] = run("CT012", estate(trail(delivery=status)))
    assert f.status == "pass" and "checked: S3" in f.message


def test_a_digest_error_fails_when_validation_is_on() -> None:
    t = trail(delivery=DeliveryStatus(digest=FAILING), log_file_validation=True)
    [f] = run("CT012", estate(t))
    assert f.status == "fail" and "digest file delivery" in f.message
    assert "cannot be validated" in f.message


def test_an_undated_error_is_unknown_and_a_fail_wins() -> None:
    t = trail(log_group=Reference("lg"), delivery=DeliveryStatus(cloudwatch_logs=UNDATED))
    [f] = run("CT012", estate(t))
    assert f.status == "unknown" and "KMS.DisabledException" not in f.message
    assert "cannot be dated" in f.message
    t = trail(log_group=Reference("lg"),
              delivery=DeliveryStatus(s3=FAILING, cloudwatch_logs=UNDATED))  # fmt: skip
    [f] = run("CT012", estate(t))
    assert f.status == "fail"


def test_an_unread_status_is_unknown() -> None:
    [f] = run("CT012", estate(trail(delivery=Unknown("cloudtrail:GetTrailStatus denied"))))
    assert f.status == "unknown" and "GetTrailStatus denied" in f.message
