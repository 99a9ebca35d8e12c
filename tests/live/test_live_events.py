"""The audit's EventBridge rules and CloudTrail Lake event data stores: the shapes on their own,
and the reads against the emulator (its Lake is the test shim of conftest.py)."""

from __future__ import annotations

import json

import pytest

from checker.loaders.aws.live import AuditOptions, LiveAudit, audit
from checker.loaders.aws.live_events import rule_from_api, store_from_api, targets_from_api
from checker.loaders.aws.live_shapes import ABSENT, Failed
from checker.model import Selectors, Unknown
from checker.simulator.coverage import compiled_trails
from checker.simulator.events import Event
from checker.simulator.pipeline import simulate_event
from tests.live.account import ACCOUNT_ID, DELETE_BUCKET_PATTERN, Account
from tests.live.conftest import FakeAws

RULE_ARN = f"arn:aws:events:us-east-1:{ACCOUNT_ID}:rule/s3-bucket-deleted"
TOPIC_ARN = f"arn:aws:sns:us-east-1:{ACCOUNT_ID}:security-alerts"
STORE_ARN = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT_ID}:eventdatastore/0b1f-lake"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT_ID}:key/1234abcd-0000-4000-8000-000000000001"
STORE = {
    "EventDataStoreArn": STORE_ARN, "Name": "audit-lake", "Status": "ENABLED",
    "MultiRegionEnabled": True, "OrganizationEnabled": False, "RetentionPeriod": 366,
    "TerminationProtectionEnabled": False, "KmsKeyId": KEY_ARN,
    "BillingMode": "FIXED_RETENTION_PRICING",
    "AdvancedEventSelectors": [{"Name": "management", "FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Management"]}]}],
    "InsightSelectors": [{"InsightType": "ApiCallRateInsight"}],
}  # fmt: skip


# -- shapes ------------------------------------------------------------------------------------


def test_rule_shape() -> None:
    listed = {"Name": "s3-bucket-deleted", "Arn": RULE_ARN, "State": "ENABLED"}
    described = {**listed, "EventPattern": DELETE_BUCKET_PATTERN, "EventBusName": "default",
                 "State": "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"}  # fmt: skip
    targets = {"Targets": [{"Id": "security", "Arn": TOPIC_ARN},
                           {"Id": "fn", "Arn": "arn:aws:lambda:us-east-1:1:function:f"}]}
    rule = rule_from_api(listed, described, targets, "999999999999", "eu-west-1")
    assert (rule.id, rule.account_id, rule.region) == (RULE_ARN, ACCOUNT_ID, "us-east-1")
    assert rule.event_bus is None  # the default bus
    assert rule.state == "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
    assert rule.pattern == DELETE_BUCKET_PATTERN
    assert not isinstance(rule.targets, Unknown)
    assert [t.kind for t in rule.targets] == ["sns", "lambda"]


def test_a_failed_describe_falls_back_to_the_listing_and_failed_targets_are_unknown() -> None:
    listed = {"Name": "r", "Arn": RULE_ARN, "State": "DISABLED", "EventBusName": "audit"}
    failed = Failed("events:ListTargetsByRule on r failed: AccessDenied")
    rule = rule_from_api(listed, Failed("events:DescribeRule failed"), failed, ACCOUNT_ID, "x")
    assert rule.state == "DISABLED" and rule.event_bus is not None
    assert rule.event_bus.value == "audit"
    assert isinstance(rule.targets, Unknown) and "AccessDenied" in rule.targets.reason
    assert targets_from_api(ABSENT, RULE_ARN) == ()


def test_store_shape() -> None:
    insights = {"InsightSelectors": [{"InsightType": "ApiErrorRateInsight"}],
                "InsightsDestination": "arn:aws:cloudtrail:us-east-1:1:eventdatastore/dest"}
    store = store_from_api({"EventDataStoreArn": STORE_ARN, "Name": "audit-lake"}, STORE,
                           insights, "999999999999", "us-east-1")  # fmt: skip
    assert (store.id, store.account_id, store.home_region) == (STORE_ARN, ACCOUNT_ID, "us-east-1")
    assert store.status == "ENABLED" and store.is_logging is True
    assert store.termination_protection is False and store.retention_days == 366
    assert store.billing_mode == "FIXED_RETENTION_PRICING"  # it bounds the retention AWS accepts
    assert store.kms_key is not None and store.kms_key.value == KEY_ARN
    assert isinstance(store.selectors, Selectors) and store.selectors.kind == "advanced"
    assert not isinstance(store.insight_selectors, Unknown)
    assert [s.insight_type for s in store.insight_selectors] == ["ApiErrorRateInsight"]
    assert store.insights_destination is not None


def test_a_store_that_could_not_be_read_has_unknown_settings() -> None:
    failed = Failed("cloudtrail:GetEventDataStore on x failed: AccessDenied")
    store = store_from_api({"EventDataStoreArn": STORE_ARN, "Name": "x"}, failed, ABSENT, "1", "r")
    for value in (store.status, store.retention_days, store.termination_protection,
                  store.selectors, store.is_multi_region):  # fmt: skip
        assert isinstance(value, Unknown) and "AccessDenied" in value.reason
    assert isinstance(store.is_logging, Unknown)
    without_key = store_from_api({"EventDataStoreArn": STORE_ARN}, {**STORE, "KmsKeyId": None},
                                 ABSENT, "1", "r")  # fmt: skip
    assert without_key.kms_key is None  # CloudTrail's own key


# -- against the emulator ----------------------------------------------------------------------


@pytest.fixture
def result(aws: FakeAws, account: Account) -> LiveAudit:
    aws.event_data_stores.append({**STORE, "KmsKeyId": account.key_arn})
    return audit(AuditOptions(regions=("us-east-1", "eu-west-1"), endpoint_url=aws.url),
                 aws.factory)  # fmt: skip


def test_the_audit_reads_rules_with_their_targets(account: Account, result: LiveAudit) -> None:
    rules = {r.id: r for r in result.estate.event_rules}
    assert set(rules) == {account.rule_arn, account.disabled_rule_arn}
    rule, disabled = rules[account.rule_arn], rules[account.disabled_rule_arn]
    assert (rule.state, rule.region) == ("ENABLED", "us-east-1")
    assert (disabled.state, disabled.region) == ("DISABLED", "eu-west-1")
    assert rule.pattern is not None and json.loads(str(rule.pattern)) == json.loads(
        DELETE_BUCKET_PATTERN
    )
    assert not isinstance(rule.targets, Unknown)
    assert [(t.arn.value, t.kind) for t in rule.targets] == [(account.topic_arn, "sns")]
    assert result.not_checked == ()


def test_the_audit_reads_event_data_stores(account: Account, result: LiveAudit) -> None:
    (store,) = result.estate.event_data_stores
    assert store.kms_key is not None and store.kms_key.value == account.key_arn
    assert any(k.id == account.key_arn for k in result.estate.keys)  # read for CT052
    assert store.id == STORE_ARN and store.name == "audit-lake"
    assert store.termination_protection is False and store.retention_days == 366
    assert store.billing_mode == "FIXED_RETENTION_PRICING"  # it bounds the retention AWS accepts
    assert not isinstance(store.insight_selectors, Unknown)
    assert [s.insight_type for s in store.insight_selectors] == ["ApiCallRateInsight"]


def test_a_deleted_bucket_in_the_audited_account_notifies_through_the_rule(
    account: Account, result: LiveAudit
) -> None:
    estate = result.estate
    compiled = compiled_trails(estate)
    events = {
        region: Event("s3.amazonaws.com", "DeleteBucket", region, read_only=False,
                      recipient_account_id=ACCOUNT_ID)
        for region in ("us-east-1", "eu-west-1")
    }  # fmt: skip
    east = simulate_event(estate, compiled, events["us-east-1"])
    assert [r.rule for r in east.eventbridge] == [account.rule_arn]
    assert east.eventbridge[0].notifies is True
    assert any(t.trail == STORE_ARN and t.decision.status == "pass" for t in east.trails)
    west = simulate_event(estate, compiled, events["eu-west-1"])
    (rule,) = west.eventbridge
    assert rule.rule == account.disabled_rule_arn and rule.notifies is False
    assert "DISABLED" in rule.reason


def test_every_page_of_event_data_stores_is_read(aws: FakeAws, account: Account) -> None:
    """ListEventDataStores pages its answer with NextToken and botocore has no paginator for
    it: the stores past the first page must be read too (docs/semantics/live-audit.md)."""
    arns = [f"{STORE_ARN}-{i}" for i in range(5)]
    aws.event_data_stores.extend(
        {**STORE, "EventDataStoreArn": arn, "KmsKeyId": account.key_arn} for arn in arns
    )
    aws.lake_page_size = 2
    result = audit(AuditOptions(regions=("us-east-1",), endpoint_url=aws.url), aws.factory)
    assert sorted(s.id for s in result.estate.event_data_stores) == sorted(arns)
    assert sorted(s["arn"] for s in result.event_data_stores) == sorted(arns)
    assert result.not_checked == ()
