"""The audit against the emulator: what it reads, and that it reads every trail once."""

from __future__ import annotations

from typing import Any

import pytest

from checker.loaders.aws.live import AuditOptions, LiveAudit, audit
from checker.model import Selectors, Unknown
from checker.regions import DEFAULT_REGIONS
from tests.live.account import ACCOUNT_ID, OTHER_ACCOUNT_ID, PAYROLL, Account
from tests.live.conftest import FakeAws

REGIONS = ("us-east-1", "eu-west-1", "us-west-2", "ap-south-1")


def run(aws: FakeAws, regions: tuple[str, ...] = REGIONS, **kw: object) -> LiveAudit:
    return audit(AuditOptions(regions=regions, endpoint_url=aws.url, **kw), aws.factory)  # type: ignore[arg-type]


@pytest.fixture
def result(aws: FakeAws, account: Account) -> LiveAudit:
    return run(aws)


def test_every_trail_once_shadow_copies_deduplicated(
    aws: FakeAws, account: Account, result: LiveAudit
) -> None:
    ids = [t.id for t in result.estate.trails]
    assert ids == sorted([account.main_arn, account.eu_arn, account.west_arn])
    # the multi-Region trail was listed in every Region (its shadow copies) ...
    assert aws.sent[("cloudtrail", "DescribeTrails")] == len(REGIONS)
    # ... and read once, in its home Region
    assert aws.sent[("cloudtrail", "GetTrailStatus")] == 3
    assert aws.sent[("cloudtrail", "GetEventSelectors")] == 3


def test_the_estate_is_live_and_complete(result: LiveAudit) -> None:
    e = result.estate
    assert e.origin == "live"
    assert result.not_checked == ()
    assert [a.status for a in result.accounts] == ["ok"]
    assert result.accounts[0].account_id == ACCOUNT_ID
    assert [i.path for i in e.inputs] == [f"aws://{ACCOUNT_ID}"]
    assert {b.id for b in e.buckets} == {
        "arn:aws:s3:::trail-logs", "arn:aws:s3:::locked-logs", "arn:aws:s3:::west-logs"
    }  # fmt: skip


def test_trail_fields(account: Account, result: LiveAudit) -> None:
    by_id = {t.id: t for t in result.estate.trails}
    main, eu, west = by_id[account.main_arn], by_id[account.eu_arn], by_id[account.west_arn]
    assert main.account_id == ACCOUNT_ID and main.home_region == "us-east-1"
    assert main.is_multi_region is True and main.log_file_validation is True
    assert main.is_logging is True and eu.is_logging is True
    assert west.is_logging is False  # never started
    assert eu.home_region == "eu-west-1" and eu.is_multi_region is False
    assert main.kms_key is not None and main.kms_key.value == account.key_arn
    assert main.log_group is not None and main.log_group.value == account.log_group_arn
    assert main.sns_topic is not None and main.sns_topic.value == account.topic_arn


def test_selectors_and_insights(account: Account, result: LiveAudit) -> None:
    by_id = {t.id: t for t in result.estate.trails}
    main = by_id[account.main_arn]
    assert isinstance(main.selectors, Selectors) and main.selectors.kind == "advanced"
    data = main.selectors.advanced[1].field_selectors
    assert any(f.field == "resources.ARN" and f.starts_with == (PAYROLL,) for f in data)
    assert by_id[account.eu_arn].selectors == Selectors.default()
    west = by_id[account.west_arn].selectors
    assert isinstance(west, Selectors) and west.kind == "basic"
    assert west.basic[0].read_write_type == "WriteOnly"
    assert not isinstance(main.insight_selectors, Unknown)
    assert sorted(s.insight_type for s in main.insight_selectors) == [  # type: ignore[type-var]
        "ApiCallRateInsight", "ApiErrorRateInsight"
    ]  # fmt: skip
    assert by_id[account.eu_arn].insight_selectors == ()


def test_buckets(result: LiveAudit) -> None:
    by_name = {b.name: b for b in result.estate.buckets}
    locked, logs = by_name["locked-logs"], by_name["trail-logs"]
    assert locked.origin == "live" and locked.region == "eu-west-1"
    assert locked.object_lock_enabled is True and locked.object_lock_mode == "COMPLIANCE"
    assert locked.object_lock_days == 400 and locked.versioning == "Enabled"
    assert [e.days for e in locked.lifecycle_expirations] == [730]  # type: ignore[union-attr]
    assert logs.object_lock_enabled is False and logs.region == "us-east-1"
    assert isinstance(logs.policy, dict) and logs.policy["Statement"][2]["Effect"] == "Deny"
    assert logs.account_id == ACCOUNT_ID  # listed by s3:ListBuckets of the audited account
    assert logs.public_access_block is not None


def test_key_log_group_filters_alarms_topic(account: Account, result: LiveAudit) -> None:
    e = result.estate
    (key,) = e.keys
    assert key.id == account.key_arn and key.rotation_enabled is True
    assert key.customer_managed is True and isinstance(key.policy, dict)
    (group,) = e.log_groups
    assert group.name == "cloudtrail/main" and group.retention_days == 400
    (flt,) = e.metric_filters
    assert flt.pattern.startswith("{($.eventName=CreateTrail)")  # type: ignore[union-attr]
    assert e.filters_on(group) == (flt,)
    # only the alarm on the filter's metric: the CPU alarm is not the trail's business
    assert [a.id for a in e.alarms] == [account.alarm_arn]
    (topic,) = e.topics
    assert topic.id == account.topic_arn
    assert [s.endpoint for s in e.subscriptions_of(topic)] == ["secops@example.com"]
    trail = next(t for t in e.trails if t.id == account.main_arn)
    assert e.key_of(trail) is key and e.log_group_of(trail) is group and e.topic_of(trail) is topic


def test_regions_default_to_every_enabled_region(aws: FakeAws, account: Account) -> None:
    result = audit(AuditOptions(endpoint_url=aws.url), aws.factory)
    (summary,) = result.accounts
    # DescribeRegions lists opt-in Regions too: only enabled ones are read
    assert set(DEFAULT_REGIONS) <= set(summary.regions)
    assert "ap-east-1" not in summary.regions
    assert len(result.estate.trails) == 3


def test_a_region_that_is_not_enabled_is_reported_not_read(aws: FakeAws, account: Account) -> None:
    result = run(aws, regions=("us-east-1", "ap-east-1"))  # the emulator: ap-east-1 not opted in
    (entry,) = result.not_checked
    assert entry.region == "ap-east-1" and "not enabled" in entry.error
    assert "ap-east-1" not in result.accounts[0].regions
    assert result.accounts[0].status == "partial"


def test_assume_role_audits_another_account(aws: FakeAws, account: Account) -> None:
    other = aws.session_for_account(OTHER_ACCOUNT_ID)
    other.client("s3", endpoint_url=aws.url).create_bucket(Bucket="other-logs")
    other.client("cloudtrail", region_name="us-east-1", endpoint_url=aws.url).create_trail(
        Name="other-trail", S3BucketName="other-logs"
    )
    aws.sent.clear()
    result = run(aws, regions=("us-east-1",), role_arns=(account.role_arn,))
    assert sorted(a.account_id for a in result.accounts) == sorted([ACCOUNT_ID, OTHER_ACCOUNT_ID])
    other_trail = f"arn:aws:cloudtrail:us-east-1:{OTHER_ACCOUNT_ID}:trail/other-trail"
    assert other_trail in {t.id for t in result.estate.trails}
    bucket = next(b for b in result.estate.buckets if b.name == "other-logs")
    assert bucket.account_id == OTHER_ACCOUNT_ID
    assert aws.sent[("sts", "AssumeRole")] == 1


def test_organization_members_and_scps(aws: FakeAws, account: Account) -> None:
    import json

    org = aws.client("organizations")
    org.create_organization(FeatureSet="ALL")
    policy = org.create_policy(
        Name="deny-trail-tampering", Type="SERVICE_CONTROL_POLICY", Description="",
        Content=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"],
            "Resource": "*"}]}),
    )["Policy"]["PolicySummary"]  # fmt: skip
    root = org.list_roots()["Roots"][0]["Id"]
    org.attach_policy(PolicyId=policy["Id"], TargetId=root)
    result = run(aws, regions=("us-east-1",))
    e = result.estate
    assert e.organization_accounts == (ACCOUNT_ID,)
    scp = next(p for p in e.policies if p.id == policy["Arn"])
    assert scp.kind == "scp" and scp.targets == (root,)
    assert scp.document["Statement"][0]["Effect"] == "Deny"  # type: ignore[index]


def test_organization_trail_seen_from_a_member_is_read_through_its_owner(
    aws: FakeAws, account: Account
) -> None:
    """An organization trail shows in every member account with the management account's ARN.
    With both accounts audited it is kept once and read through the management account (the
    member's calls about it would be answered by the member's copy, or denied)."""
    mgmt = aws.session_for_account(OTHER_ACCOUNT_ID)
    mgmt.client("s3", endpoint_url=aws.url).create_bucket(Bucket="org-logs")
    ct = mgmt.client("cloudtrail", region_name="us-east-1", endpoint_url=aws.url)
    org_trail = ct.create_trail(Name="org", S3BucketName="org-logs", IsMultiRegionTrail=True)
    ct.start_logging(Name="org")
    listed = {k: v for k, v in org_trail.items() if k != "ResponseMetadata"}
    listed.update(TrailARN=org_trail["TrailARN"], HomeRegion="us-east-1", IsOrganizationTrail=True)

    def member_sees_it(parsed: dict[str, Any], **_: Any) -> None:
        # the emulator neither copies the trail into members nor marks it as an organization
        # trail in its owner's listing (it needs a real organization); AWS does both
        trails = parsed.setdefault("trailList", [])
        for t in trails:
            if t.get("TrailARN") == listed["TrailARN"]:
                t["IsOrganizationTrail"] = True
        if all(t.get("TrailARN") != listed["TrailARN"] for t in trails):
            trails.append(dict(listed))

    aws.add_hook("after-call.cloudtrail.DescribeTrails", member_sees_it)
    result = run(aws, regions=("us-east-1",), role_arns=(account.role_arn,))
    org = [t for t in result.estate.trails if t.id == listed["TrailARN"]]
    assert len(org) == 1
    assert org[0].account_id == OTHER_ACCOUNT_ID and org[0].is_organization is True
    assert org[0].is_logging is True  # read through the owner: a member read would be unknown
    assert not [e for e in result.not_checked if listed["TrailARN"] in e.target]


def test_without_describe_regions_a_govcloud_account_is_read_in_the_govcloud_regions() -> None:
    """DescribeRegions denied: the fallback was the 17 commercial Regions, none of which a
    GovCloud caller can read."""
    from types import SimpleNamespace

    from checker.loaders.aws.live_account import enabled_regions

    def denied(*_: object, **__: object) -> None:
        return None

    account = SimpleNamespace(options=AuditOptions(), home="us-gov-west-1", read=denied,
                              partition="aws-us-gov")  # fmt: skip
    assert enabled_regions(account) == ("us-gov-west-1", "us-gov-east-1")  # type: ignore[arg-type]
    account.partition = "aws"
    assert len(enabled_regions(account)) == 17  # type: ignore[arg-type]
