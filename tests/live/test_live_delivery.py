"""Delivery errors in a live audit: GetTrailStatus' error fields, which the emulator never
sets, are added to its answers by an `after-call` hook (what AWS returns when CloudTrail cannot
write to the bucket or the log group)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from checker.delivery_state import DeliveryStatus
from checker.engine import evaluate, load_rules
from checker.loaders.aws.live import AuditOptions, LiveAudit, audit
from checker.loaders.aws.snapshot import dump_snapshot
from checker.model import Unknown
from tests.live.account import Account
from tests.live.conftest import FakeAws

EARLIER = "2026-01-01T00:00:00Z"


def status_with(**fields: Any) -> Callable[..., None]:
    def hook(parsed: dict[str, Any], **_: Any) -> None:
        if parsed.get("IsLogging"):  # the logging trails
            parsed.update(fields)

    return hook


def run(aws: FakeAws) -> LiveAudit:
    return audit(AuditOptions(regions=("us-east-1", "eu-west-1"), endpoint_url=aws.url),
                 aws.factory)  # fmt: skip


def test_a_current_s3_error_fails_ct012_and_is_not_delivered(
    aws: FakeAws, account: Account, tmp_path: Path
) -> None:
    from datetime import datetime, timezone

    aws.add_hook("after-call.cloudtrail.GetTrailStatus", status_with(
        LatestDeliveryError="AccessDenied",
        LatestDeliveryTime=datetime(2026, 1, 1, tzinfo=timezone.utc),
        LatestDeliveryAttemptTime="2026-01-02T09:15:00Z", LatestDeliveryAttemptSucceeded=EARLIER,
    ))  # fmt: skip
    result = run(aws)
    main = next(t for t in result.estate.trails if t.id == account.main_arn)
    assert main.is_logging is True
    assert isinstance(main.delivery, DeliveryStatus) and main.delivery.s3.delivering is False
    findings = {(f.rule_id, f.resource): f for f in evaluate(result.estate, load_rules())}
    ct012 = findings[("CT012", account.main_arn)]
    assert ct012.status == "fail" and "'AccessDenied' at 2026-01-02T09:15:00Z" in ct012.message
    assert findings[("CT004", account.main_arn)].status == "pass"  # logging is a separate fact
    # the state survives a snapshot
    [saved] = [t for t in dump_snapshot(result.estate)["trails"] if t["id"] == account.main_arn]
    assert saved["delivery"]["s3"]["delivering"] is False


def test_a_cloudwatch_error_that_cannot_be_dated_is_unknown(
    aws: FakeAws, account: Account
) -> None:
    aws.add_hook("after-call.cloudtrail.GetTrailStatus", status_with(
        LatestCloudWatchLogsDeliveryError="AccessDeniedException",
        LatestCloudWatchLogsDeliveryTime="2026-01-01T00:00:00Z",
    ))  # fmt: skip
    result = run(aws)
    main = next(t for t in result.estate.trails if t.id == account.main_arn)
    assert isinstance(main.delivery, DeliveryStatus)
    assert isinstance(main.delivery.cloudwatch_logs.delivering, Unknown)
    [ct012] = [f for f in evaluate(result.estate, load_rules())
               if f.rule_id == "CT012" and f.resource == account.main_arn]  # fmt: skip
    assert ct012.status == "unknown" and "AccessDeniedException" in ct012.message


def test_no_error_passes(aws: FakeAws, account: Account) -> None:
    result = run(aws)
    statuses = {f.resource: f.status for f in evaluate(result.estate, load_rules())
                if f.rule_id == "CT012"}  # fmt: skip
    assert statuses[account.main_arn] == "pass"
