"""API responses -> model objects, without an endpoint."""

from __future__ import annotations

from checker.loaders.aws.live_shapes import (
    ABSENT,
    Failed,
    alarms_from_api,
    bucket_from_api,
    bucket_region,
    insights_from_api,
    key_from_api,
    logging_from_status,
    metric_filters_from_api,
    selectors_from_api,
    subscriptions_from_api,
    trail_from_api,
)
from checker.model import Selectors, Unknown

DENIED = Failed("s3:GetBucketPolicy on trail-logs failed: AccessDenied")


def test_default_selector_forms() -> None:
    default = {
        "ReadWriteType": "All",
        "IncludeManagementEvents": True,
        "DataResources": [],
        "ExcludeManagementEventSources": [],
    }
    assert selectors_from_api({"EventSelectors": [default]}) == Selectors.default()
    assert (
        selectors_from_api({"EventSelectors": [], "AdvancedEventSelectors": []})
        == Selectors.default()
    )
    assert selectors_from_api({"TrailARN": "x"}) == Selectors.default()


def test_basic_and_advanced_selectors() -> None:
    basic = selectors_from_api({"EventSelectors": [{
        "ReadWriteType": "WriteOnly", "IncludeManagementEvents": True,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::b/"]}],
        "ExcludeManagementEventSources": ["kms.amazonaws.com"],
    }]})  # fmt: skip
    assert isinstance(basic, Selectors) and basic.kind == "basic"
    assert basic.basic[0].read_write_type == "WriteOnly"
    assert basic.basic[0].data_resources[0].values == ("arn:aws:s3:::b/",)
    assert basic.basic[0].exclude_management_event_sources == ("kms.amazonaws.com",)
    advanced = selectors_from_api({"AdvancedEventSelectors": [{"Name": "x", "FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Data"]},
        {"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::b/"], "NotEndsWith": [".tmp"]},
    ]}]})  # fmt: skip
    assert isinstance(advanced, Selectors) and advanced.kind == "advanced"
    arn = advanced.advanced[0].field_selectors[1]
    assert arn.starts_with == ("arn:aws:s3:::b/",) and arn.not_ends_with == (".tmp",)


def test_failed_calls_become_unknown_with_the_reason() -> None:
    reason = "cloudtrail:GetEventSelectors on arn:t failed: AccessDeniedException"
    assert selectors_from_api(Failed(reason)) == Unknown(reason)
    assert insights_from_api(Failed(reason)) == Unknown(reason)
    assert logging_from_status(Failed(reason)) == Unknown(reason)
    assert insights_from_api(ABSENT) == ()  # InsightNotEnabledException: no Insights


def test_trail_fields() -> None:
    t = {
        "Name": "org",
        "TrailARN": "arn:aws:cloudtrail:eu-west-1:111111111111:trail/org",
        "HomeRegion": "eu-west-1",
        "IsOrganizationTrail": True,
        "IsMultiRegionTrail": True,
        "S3BucketName": "central",
        "KmsKeyId": "arn:aws:kms:eu-west-1:111111111111:key/k",
    }
    trail = trail_from_api(t, {"IsLogging": True}, ABSENT, ABSENT, "222222222222")
    assert trail.id == trail.arn == t["TrailARN"]
    assert trail.account_id == "111111111111"  # the management account, from the ARN
    assert trail.is_organization is True and trail.is_logging is True
    assert trail.bucket is not None and trail.bucket.value == "central"
    assert trail.log_group is None and trail.sns_topic is None


def test_bucket_absent_configurations_are_not_unknown() -> None:
    b = bucket_from_api(
        "logs", account="1", region="us-east-1", reader=("1", "us-east-1"), policy=ABSENT,
        acl={"Grants": []}, versioning={}, object_lock=ABSENT, public_access=ABSENT,
        logging={}, lifecycle=ABSENT, encryption=ABSENT,
    )  # fmt: skip
    assert b.id == "arn:aws:s3:::logs" and b.origin == "live"
    assert b.policy is None and b.versioning is None and b.mfa_delete is False
    assert b.object_lock_enabled is False and b.public_access_block is None
    assert b.lifecycle_expirations == () and b.access_logging_target is None


def test_bucket_failures_touch_only_their_fields() -> None:
    b = bucket_from_api(
        "trail-logs", account="1", region="us-east-1", reader=("1", "us-east-1"), policy=DENIED,
        acl={"Grants": []}, versioning={"Status": "Enabled", "MFADelete": "Enabled"},
        object_lock={"ObjectLockConfiguration": {"ObjectLockEnabled": "Enabled", "Rule": {
            "DefaultRetention": {"Mode": "GOVERNANCE", "Years": 2}}}},
        public_access=DENIED, logging={"LoggingEnabled": {"TargetBucket": "access"}},
        lifecycle={"Rules": [{"Status": "Enabled", "Expiration": {"Days": 90},
                              "NoncurrentVersionExpiration": {"NoncurrentDays": 30}}]},
        encryption={"ServerSideEncryptionConfiguration": {"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                    "KMSMasterKeyID": "arn:aws:kms:k"}}]}},
    )  # fmt: skip
    assert b.policy == Unknown(DENIED.reason)
    assert b.public_access_block == Unknown(DENIED.reason)
    assert b.versioning == "Enabled" and b.mfa_delete is True
    assert b.object_lock_mode == "GOVERNANCE" and b.object_lock_days == 730
    assert b.access_logging_target == "access"
    assert [(e.days, e.noncurrent) for e in b.lifecycle_expirations] == [(90, False), (30, True)]  # type: ignore[union-attr]
    assert b.sse_algorithm == "aws:kms" and b.sse_kms_key is not None


def test_bucket_region_names() -> None:
    assert bucket_region({"LocationConstraint": None}) == "us-east-1"
    assert bucket_region({"LocationConstraint": "EU"}) == "eu-west-1"
    assert bucket_region({"LocationConstraint": "ap-south-1"}) == "ap-south-1"
    assert isinstance(bucket_region(DENIED), Unknown)


def test_key_shapes() -> None:
    arn = "arn:aws:kms:us-east-1:1:key/abc"
    key = key_from_api(
        arn,
        {
            "KeyMetadata": {
                "Arn": arn,
                "KeyId": "abc",
                "KeyManager": "AWS",
                "KeyState": "PendingDeletion",
            }
        },
        {"KeyRotationEnabled": True, "RotationPeriodInDays": 90},
        {"Policy": '{"Statement": []}'},
        "1",
    )
    assert key.customer_managed is False and key.enabled is False
    assert key.rotation_enabled is True and key.rotation_period_days == 90
    assert key.policy == {"Statement": []}
    timeout = Failed("kms:DescribeKey on arn failed: ReadTimeoutError")
    unknown = key_from_api(arn, timeout, timeout, timeout, "1")
    assert unknown.customer_managed == unknown.enabled == Unknown(timeout.reason)
    assert unknown.id == arn


def test_unreadable_filters_and_alarms_are_placeholders_not_absence() -> None:
    group = "arn:aws:logs:us-east-1:1:log-group:ct:*"
    failed = Failed("logs:DescribeMetricFilters on ct failed: AccessDeniedException")
    (placeholder,) = metric_filters_from_api(group, failed)
    assert placeholder.pattern == Unknown(failed.reason)
    (alarm,) = alarms_from_api(failed, set(), "1", "us-east-1")
    assert alarm.metric_name == Unknown(failed.reason)


def test_alarms_are_kept_to_the_filters_metrics() -> None:
    response = {"MetricAlarms": [
        {"AlarmArn": "arn:a1", "AlarmName": "a1", "MetricName": "m", "Namespace": "n",
         "AlarmActions": ["arn:aws:sns:us-east-1:1:t"]},
        {"AlarmArn": "arn:a2", "AlarmName": "a2", "MetricName": "cpu", "Namespace": "AWS/EC2"},
    ]}  # fmt: skip
    kept = alarms_from_api(response, {("m", "n")}, "1", "us-east-1")
    assert [a.id for a in kept] == ["arn:a1"]
    assert len(alarms_from_api(response, None, "1", "us-east-1")) == 2


def test_pending_and_unreadable_subscriptions_count_for_nothing() -> None:
    topic = "arn:aws:sns:us-east-1:1:t"
    subs = subscriptions_from_api(topic, {"Subscriptions": [
        {"SubscriptionArn": "PendingConfirmation", "Protocol": "email", "Endpoint": "a@b"},
        {"SubscriptionArn": f"{topic}:1", "Protocol": "email", "Endpoint": "c@d"},
    ]})  # fmt: skip
    assert [s.endpoint for s in subs] == ["c@d"]
    assert subscriptions_from_api(topic, Failed("sns:ListSubscriptionsByTopic failed")) == ()
