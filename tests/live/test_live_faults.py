"""Failures are visible: each injected fault gives unknown values with the call and the error in
the reason, an entry in "could not be checked", and never a pass or a crash.

Faults are botocore hooks added by the injected session factory to every client the audit
creates. Errors that botocore must retry are injected on `before-send`, inside the retry loop
(a `before-call` answer would skip the retries); the others on `before-send` too, so that the
made-up HTTP response goes through botocore's own error parsing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

from checker.cli import build_parser, main
from checker.commands import audit as audit_command
from checker.engine import evaluate, load_rules
from checker.findings import Finding
from checker.loaders.aws.live import AuditOptions, LiveAudit, audit
from checker.model import Unknown
from tests.live.account import ACCOUNT_ID, OTHER_ACCOUNT_ID, Account
from tests.live.conftest import FakeAws, response

REGIONS = ("us-east-1", "eu-west-1", "us-west-2")
S3_DENIED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
    b"<Message>Access Denied</Message><RequestId>1</RequestId></Error>"
)
THROTTLED = b'{"__type":"ThrottlingException","message":"Rate exceeded"}'
JSON11 = "application/x-amz-json-1.1"


def run(aws: FakeAws, **kw: Any) -> LiveAudit:
    return audit(AuditOptions(regions=REGIONS, endpoint_url=aws.url, **kw), aws.factory)


def findings_for(result: LiveAudit, resource: str) -> list[Finding]:
    return [f for f in evaluate(result.estate, load_rules()) if f.resource == resource]


def region_of(request: Any) -> str:
    auth = request.headers.get("Authorization", b"")
    auth = auth.decode() if isinstance(auth, bytes) else auth
    return auth.split("Credential=", 1)[1].split("/")[2] if "Credential=" in auth else ""


def s3_denied_for(bucket: str) -> Callable[..., Any]:
    def hook(request: Any, **_: Any) -> Any:
        path = request.url.split("://", 1)[1].split("?", 1)[0]
        if path.split("/")[1:2] == [bucket]:
            return response(request.url, 403, S3_DENIED, "application/xml")
        return None

    return hook


def test_access_denied_on_get_bucket_policy(aws: FakeAws, account: Account) -> None:
    aws.add_hook("before-send.s3.GetBucketPolicy", s3_denied_for("trail-logs"))
    result = run(aws)
    reason = "s3:GetBucketPolicy on trail-logs failed: AccessDenied"
    bucket = next(b for b in result.estate.buckets if b.name == "trail-logs")
    assert bucket.policy == Unknown(reason)
    assert bucket.versioning == "Enabled"  # the other calls on the bucket still count
    (entry,) = result.not_checked
    assert (entry.call, entry.target, entry.error) == (
        "s3:GetBucketPolicy",
        "trail-logs",
        "AccessDenied",
    )
    assert entry.message == "Access Denied" and entry.reason == reason
    # rules that need the policy say unknown with the reason; none passes
    policy_rules = [f for f in findings_for(result, bucket.id) if f.rule_id in ("CT025", "CT026")]
    assert policy_rules, "the bucket-policy rules judged nothing"
    for f in policy_rules:
        assert f.status == "unknown", f
        assert "AccessDenied" in f.message
    # the other bucket's policy was read
    other = next(b for b in result.estate.buckets if b.name == "locked-logs")
    assert not isinstance(other.policy, Unknown)


def _throttle(times: int | None, needle: bytes) -> tuple[Callable[..., Any], list[int]]:
    seen = [0]

    def hook(request: Any, **_: Any) -> Any:
        if needle not in (request.body or b""):
            return None
        seen[0] += 1
        if times is None or seen[0] <= times:
            return response(request.url, 400, THROTTLED, JSON11)
        return None

    return hook, seen


def test_throttling_that_recovers_is_invisible(
    aws: FakeAws, account: Account, no_backoff: None
) -> None:
    hook, seen = _throttle(2, b"trail/main")
    aws.add_hook("before-send.cloudtrail.GetTrailStatus", hook)
    result = run(aws)
    assert seen[0] == 3  # two throttled attempts, then the answer
    main_trail = next(t for t in result.estate.trails if t.id == account.main_arn)
    assert main_trail.is_logging is True
    assert result.not_checked == ()


def test_throttling_that_outlasts_the_retries(
    aws: FakeAws, account: Account, no_backoff: None
) -> None:
    hook, seen = _throttle(None, b"trail/main")
    aws.add_hook("before-send.cloudtrail.GetTrailStatus", hook)
    result = run(aws)
    assert seen[0] == 6  # max_attempts 5 retries after the first attempt
    reason = (
        f"cloudtrail:GetTrailStatus on {account.main_arn} failed: "
        "ThrottlingException after 6 attempts"
    )
    main_trail = next(t for t in result.estate.trails if t.id == account.main_arn)
    assert main_trail.is_logging == Unknown(reason)
    assert [e.reason for e in result.not_checked] == [reason]
    (ct004,) = [f for f in findings_for(result, account.main_arn) if f.rule_id == "CT004"]
    assert ct004.status == "unknown" and "ThrottlingException" in ct004.message
    # the other trails were read normally
    eu = next(t for t in result.estate.trails if t.id == account.eu_arn)
    assert eu.is_logging is True


def test_timeout(aws: FakeAws, account: Account, no_backoff: None) -> None:
    attempts = [0]

    def hook(request: Any, **_: Any) -> None:
        attempts[0] += 1
        raise ReadTimeoutError(endpoint_url=request.url)

    aws.add_hook("before-send.kms.DescribeKey", hook)
    result = run(aws)
    assert attempts[0] > 1  # timeouts are retried too
    (key,) = result.estate.keys
    assert isinstance(key.customer_managed, Unknown) and isinstance(key.enabled, Unknown)
    assert key.customer_managed.reason.startswith(
        f"kms:DescribeKey on {account.key_arn} failed: ReadTimeoutError"
    )
    assert key.rotation_enabled is True  # GetKeyRotationStatus still answered
    (entry,) = result.not_checked
    assert entry.call == "kms:DescribeKey" and entry.error == "ReadTimeoutError"
    (ct003,) = [f for f in findings_for(result, account.main_arn) if f.rule_id == "CT003"]
    assert ct003.status == "unknown", ct003


def test_bucket_in_another_account(aws: FakeAws, account: Account) -> None:
    """Every call on a bucket the caller may not read: all its values unknown, no pass."""
    for op in (
        "GetBucketLocation",
        "GetBucketPolicy",
        "GetBucketAcl",
        "GetBucketVersioning",
        "GetObjectLockConfiguration",
        "GetPublicAccessBlock",
        "GetBucketLogging",
        "GetBucketLifecycleConfiguration",
        "GetBucketEncryption",
    ):
        aws.add_hook(f"before-send.s3.{op}", s3_denied_for("west-logs"))
    result = run(aws)
    bucket = next(b for b in result.estate.buckets if b.name == "west-logs")
    for value in (
        bucket.region,
        bucket.policy,
        bucket.versioning,
        bucket.mfa_delete,
        bucket.object_lock_enabled,
        bucket.grants,
        bucket.public_access_block,
        bucket.access_logging_target,
        bucket.lifecycle_expirations,
    ):
        assert isinstance(value, Unknown), value
    assert len([e for e in result.not_checked if e.target == "west-logs"]) == 9
    judged = [f for f in findings_for(result, bucket.id) if f.rule_id.startswith("CT02")]
    assert judged and not [f for f in judged if f.status == "pass"]


def test_endpoint_unreachable_in_one_region(
    aws: FakeAws, account: Account, no_backoff: None
) -> None:
    def hook(request: Any, **_: Any) -> None:
        if region_of(request) == "eu-west-1":
            raise EndpointConnectionError(endpoint_url=request.url)

    aws.add_hook("before-send.cloudtrail.DescribeTrails", hook)
    result = run(aws)
    (entry,) = result.not_checked
    assert entry.region == "eu-west-1" and entry.error == "EndpointConnectionError"
    assert entry.reason == "cloudtrail:DescribeTrails in eu-west-1 failed: EndpointConnectionError"
    # the single-Region trail of eu-west-1 is missed; the others are there
    assert account.eu_arn not in {t.id for t in result.estate.trails}
    assert account.main_arn in {t.id for t in result.estate.trails}
    assert result.accounts[0].status == "partial"
    # the gap is a finding too: unknown (not a failure that would exit 2), naming the Region
    (diag,) = result.estate.diagnostics
    assert (diag.rule_id, diag.status) == ("CT000", "unknown")
    assert "trails homed in eu-west-1 may be missing" in diag.message
    assert entry.reason in diag.message


def test_trails_unreadable_everywhere_is_ct000(aws: FakeAws, account: Account) -> None:
    def denied(request: Any, **_: Any) -> Any:
        body = b'{"__type":"AccessDeniedException","message":"no"}'
        return response(request.url, 400, body, JSON11)

    aws.add_hook("before-send.cloudtrail.DescribeTrails", denied)
    result = run(aws)
    assert result.estate.trails == ()
    (diag,) = [d for d in result.estate.diagnostics if d.rule_id == "CT000"]
    assert "every audited Region" in diag.message
    assert result.accounts[0].status == "error"
    # no trail known must not read as "the account has no trail": the audit exits 2
    args = build_parser().parse_args(
        ["audit", "--endpoint-url", aws.url, "--regions", ",".join(REGIONS), "--no-config"]
    )
    assert audit_command.run(args, session_factory=aws.factory) == 2


def test_role_that_cannot_be_assumed(
    aws: FakeAws, account: Account, capsys: pytest.CaptureFixture[str]
) -> None:
    def denied(request: Any, **_: Any) -> Any:
        body = (
            b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
            b"<Message>not authorized to perform sts:AssumeRole</Message></Error></ErrorResponse>"
        )
        return response(request.url, 403, body, "text/xml")

    aws.add_hook("before-send.sts.AssumeRole", denied)
    result = run(aws, role_arns=(account.role_arn,))
    assert {a.account_id: a.status for a in result.accounts} == {
        ACCOUNT_ID: "ok",
        OTHER_ACCOUNT_ID: "error",
    }
    (diag,) = result.estate.diagnostics
    assert (
        diag.rule_id == "CT000"
        and "sts:AssumeRole" in diag.message
        and "AccessDenied" in diag.message
    )
    assert len(result.estate.trails) == 3  # the caller's account is still audited


def test_a_bug_is_not_swallowed(aws: FakeAws, account: Account) -> None:
    """Only botocore's errors mean "not read"; anything else is a bug and propagates."""

    def broken(**_: Any) -> None:
        raise ValueError("a bug in a hook")

    aws.add_hook("before-send.kms.GetKeyPolicy", broken)
    with pytest.raises(ValueError, match="a bug in a hook"):
        run(aws)


def test_no_credentials_is_a_clear_message_and_exit_2(
    aws: FakeAws, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_WEB_IDENTITY_TOKEN_FILE", raising=False)
    sent_before = sum(aws.sent.values())
    assert main(["audit", "--endpoint-url", aws.url, "--regions", "us-east-1"]) == 2
    err = capsys.readouterr().err
    assert "no usable AWS credentials" in err and "--profile" in err
    assert "Traceback" not in err
    assert sum(aws.sent.values()) == sent_before


def test_unknown_profile_is_a_clear_message_and_exit_2(
    aws: FakeAws, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "--profile", "nope", "--endpoint-url", aws.url]) == 2
    assert "nope" in capsys.readouterr().err


def test_unreadable_subscriptions_are_a_finding_not_a_silent_none(
    aws: FakeAws, account: Account
) -> None:
    def denied(request: Any, **_: Any) -> Any:
        body = (
            b"<ErrorResponse><Error><Type>Sender</Type><Code>AuthorizationError</Code>"
            b"<Message>not authorized</Message></Error></ErrorResponse>"
        )
        return response(request.url, 403, body, "text/xml")

    aws.add_hook("before-send.sns.ListSubscriptionsByTopic", denied)
    result = run(aws)
    assert result.estate.subscriptions == ()  # nothing made up
    (diag,) = result.estate.diagnostics
    assert (diag.rule_id, diag.status, diag.resource) == ("CT000", "unknown", account.topic_arn)
    assert "sns:ListSubscriptionsByTopic" in diag.message and "AuthorizationError" in diag.message


def test_a_server_error_page_is_named_by_its_status(
    aws: FakeAws, account: Account, no_backoff: None
) -> None:
    page = b"<!doctype html>\n<title>500 Internal Server Error</title>\n" + b"x" * 1000

    def broken(request: Any, **_: Any) -> Any:
        return response(request.url, 500, page, "text/html")

    aws.add_hook("before-send.kms.GetKeyRotationStatus", broken)
    (entry,) = run(aws).not_checked
    assert entry.error == "HTTP 500 after 6 attempts"  # retried, then given up
    assert "\n" not in entry.message and len(entry.message) <= 300


def _denied_in(region: str) -> Callable[..., Any]:
    def hook(request: Any, **_: Any) -> Any:
        if region_of(request) != region:
            return None
        body = b'{"__type":"AccessDeniedException","message":"not authorized"}'
        return response(request.url, 400, body, JSON11)

    return hook


def test_rules_that_cannot_be_listed_make_eventbridge_alerting_unknown(
    aws: FakeAws, account: Account, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """events:ListRules denied in us-east-1, where a rule alerts on DeleteBucket: the alert is
    unknown there (any unlisted rule might notify), not "no rule notifies"; and the snapshot
    keeps that."""
    import json

    from checker.simulator.coverage import compiled_trails
    from checker.simulator.events import Event
    from checker.simulator.pipeline import simulate_event

    aws.add_hook("before-send.events.ListRules", _denied_in("us-east-1"))
    result = run(aws)
    (entry,) = result.not_checked
    assert (entry.call, entry.region) == ("events:ListRules", "us-east-1")
    estate = result.estate
    event = Event("s3.amazonaws.com", "DeleteBucket", "us-east-1", read_only=False,
                  recipient_account_id=ACCOUNT_ID)  # fmt: skip
    (unlisted,) = simulate_event(estate, compiled_trails(estate), event).eventbridge
    assert unlisted.notifies is None and "AccessDeniedException" in unlisted.reason
    # eu-west-1 was listed: its DISABLED rule is known not to notify
    eu = Event("s3.amazonaws.com", "DeleteBucket", "eu-west-1", read_only=False,
               recipient_account_id=ACCOUNT_ID)  # fmt: skip
    (disabled,) = simulate_event(estate, compiled_trails(estate), eu).eventbridge
    assert disabled.rule == account.disabled_rule_arn and disabled.notifies is False
    ct060 = [f for f in evaluate(estate, load_rules()) if f.rule_id == "CT060"]
    assert {f.status for f in ct060 if "rule/?" in f.resource} == {"unknown"}

    snapshot = tmp_path / "account.json"
    argv = ["--format", "json", "--no-config", "--regions", ",".join(REGIONS)]
    audit_code = main(["audit", "--endpoint-url", aws.url, "--save", str(snapshot), *argv])
    live = json.loads(capsys.readouterr().out)
    scan_code = main(["scan", str(snapshot), *argv])
    offline = json.loads(capsys.readouterr().out)

    def key(f: dict[str, Any]) -> tuple[str, ...]:
        return (f["rule_id"], f["status"], f["resource"], f["message"])

    assert sorted(map(key, offline["findings"])) == sorted(map(key, live["findings"]))
    assert scan_code == audit_code
