"""CT027 log retention: one outcome per trail bucket and per trail log group."""

from __future__ import annotations

import pytest

from checker.findings import Finding
from checker.model import LifecycleExpiration, Reference, Unknown
from checker.predicates.evidence_retention import covers, log_path
from checker.rules import Options
from tests.predicates.evidence_models import bucket, estate, log_group, run, trail

GROUP_REF = Reference("/aws/cloudtrail/org-audit", target="aws_cloudwatch_log_group.trail")


def by_resource(findings: list[Finding]) -> dict[str, Finding]:
    return {f.resource: f for f in findings}


def test_bucket_without_lifecycle_and_group_without_retention_pass() -> None:
    e = estate(trail(log_group=GROUP_REF), buckets=(bucket(),), log_groups=(log_group(),))
    found = by_resource(run("CT027", e))
    assert set(found) == {"aws_s3_bucket.logs", "aws_cloudwatch_log_group.trail"}
    assert found["aws_s3_bucket.logs"].status == "pass"
    group = found["aws_cloudwatch_log_group.trail"]
    assert group.status == "pass" and "never expire" in group.message


def test_short_whole_bucket_expiration_fails() -> None:
    b = bucket(lifecycle_expirations=(LifecycleExpiration(days=90),))
    [f] = run("CT027", estate(buckets=(b,)))
    assert f.status == "fail"
    assert "90 days" in f.message and "365" in f.message
    assert f.resource == "aws_s3_bucket.logs"


def test_long_expiration_passes_and_reports_days() -> None:
    b = bucket(lifecycle_expirations=(LifecycleExpiration(days=730, prefix="AWSLogs/"),))
    [f] = run("CT027", estate(buckets=(b,)))
    assert f.status == "pass" and "730 days" in f.message


def test_minimum_comes_from_options() -> None:
    b = bucket(lifecycle_expirations=(LifecycleExpiration(days=400),))
    assert run("CT027", estate(buckets=(b,)))[0].status == "pass"
    assert run("CT027", estate(buckets=(b,)), Options(min_retention_days=2555))[0].status == "fail"


@pytest.mark.parametrize(
    ("rule", "status"),
    [
        (LifecycleExpiration(days=30, prefix="tmp/"), "pass"),  # another prefix
        (LifecycleExpiration(days=30, noncurrent=True), "pass"),  # noncurrent versions only
        (LifecycleExpiration(days=30, enabled=False), "pass"),  # disabled rule
        (LifecycleExpiration(days=30, prefix="AWSLogs/"), "fail"),
        (LifecycleExpiration(days=30, prefix="AWSLogs/111122223333/CloudTrail/"), "fail"),
        (LifecycleExpiration(days=30, prefix="AWS"), "fail"),
        (LifecycleExpiration(days=Unknown("var.days")), "unknown"),
        (LifecycleExpiration(days=30, prefix=Unknown("var.prefix")), "unknown"),
        (LifecycleExpiration(days=30, enabled=Unknown("var.on")), "unknown"),
    ],
)
def test_which_expirations_count(rule: LifecycleExpiration, status: str) -> None:
    [f] = run("CT027", estate(buckets=(bucket(lifecycle_expirations=(rule,)),)))
    assert f.status == status, f.message


def test_trail_key_prefix_is_honoured() -> None:
    t = trail(s3_key_prefix="org")
    short_elsewhere = LifecycleExpiration(days=30, prefix="AWSLogs/")
    short_here = LifecycleExpiration(days=30, prefix="org/AWSLogs/")
    [f] = run("CT027", estate(t, buckets=(bucket(lifecycle_expirations=(short_elsewhere,)),)))
    assert f.status == "pass"
    [f] = run("CT027", estate(t, buckets=(bucket(lifecycle_expirations=(short_here,)),)))
    assert f.status == "fail"


def test_log_path_and_covers() -> None:
    assert log_path(trail()) == "AWSLogs/"
    assert log_path(trail(s3_key_prefix="/org/")) == "org/AWSLogs/"
    assert isinstance(log_path(trail(s3_key_prefix=Unknown("var.p"))), Unknown)
    assert covers("", Unknown("var.p")) is True
    assert covers("org/", "org/AWSLogs/") is True
    assert covers("other/", "org/AWSLogs/") is False


def test_unknown_lifecycle_is_unknown() -> None:
    [f] = run("CT027", estate(buckets=(bucket(lifecycle_expirations=Unknown("dynamic block")),)))
    assert f.status == "unknown" and "dynamic block" in f.message


@pytest.mark.parametrize(
    ("days", "status"), [(30, "fail"), (365, "pass"), (3653, "pass"), (Unknown("var.r"), "unknown")]
)
def test_log_group_retention(days: object, status: str) -> None:
    e = estate(trail(log_group=GROUP_REF), buckets=(bucket(),),
               log_groups=(log_group(retention_days=days),))
    found = by_resource(run("CT027", e))
    assert found["aws_cloudwatch_log_group.trail"].status == status


@pytest.mark.parametrize(("days", "said"), [(1, "for 1 day,"), (7, "for 7 days,")])
def test_log_group_retention_says_days_in_good_english(days: int, said: str) -> None:
    e = estate(trail(log_group=GROUP_REF), buckets=(bucket(),),
               log_groups=(log_group(retention_days=days),))
    assert said in by_resource(run("CT027", e))["aws_cloudwatch_log_group.trail"].message


def test_log_group_finding_points_at_retention_line() -> None:
    g = log_group(retention_days=7, lines={"retention_days": 52})
    e = estate(trail(log_group=GROUP_REF), buckets=(bucket(),), log_groups=(g,))
    f = by_resource(run("CT027", e))["aws_cloudwatch_log_group.trail"]
    assert (f.file, f.line) == ("main.tf", 52)


def test_destinations_outside_the_inputs_are_unknown_and_named() -> None:
    t = trail(bucket=Reference("central-audit-logs"),
              log_group=Reference("arn:aws:logs:us-east-1:111122223333:log-group:central:*"))
    found = by_resource(run("CT027", estate(t)))
    b = found["arn:aws:s3:::central-audit-logs"]
    assert b.status == "unknown" and "central-audit-logs" in b.message
    g = found["arn:aws:logs:us-east-1:111122223333:log-group:central:*"]
    assert g.status == "unknown" and "log group" in g.message


def test_shared_bucket_is_reported_once() -> None:
    e = estate(trail(), trail(id="aws_cloudtrail.other"), buckets=(bucket(),))
    assert [f.resource for f in run("CT027", e)] == ["aws_s3_bucket.logs"]


def test_trail_without_destinations_is_unknown_not_silent() -> None:
    [f] = run("CT027", estate(trail(bucket=None)))
    assert f.status == "unknown" and f.resource == "estate"


def test_an_own_trail_naming_no_storage_is_unknown_and_a_foreign_one_is_not_judged() -> None:
    [f] = run("CT027", estate(trail(bucket=None)))
    assert f.status == "unknown" and "names its S3 bucket" in f.message
    # another unit's organization trail: its storage is judged with its own unit
    assert run("CT027", estate(trail(foreign_unit="org"))) == []
