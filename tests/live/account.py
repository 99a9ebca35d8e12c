"""The account the audit tests read, built through the emulator with plain boto3 calls.

- `main`: multi-Region trail homed in us-east-1, advanced selectors (management events, S3 object
  writes under payroll/), both Insights types, KMS key, CloudWatch Logs group with a CIS metric
  filter, an alarm on it notifying an SNS topic with an email subscription, log file validation;
  its bucket `trail-logs` has a policy and versioning but no Object Lock.
- `eu-regional`: single-Region trail in eu-west-1, AWS's default selectors, writing to
  `locked-logs` (Object Lock in COMPLIANCE mode for 400 days, versioning, lifecycle).
- `west-basic`: single-Region trail in us-west-2 with basic selectors (write management events,
  S3 object writes in all buckets), never started: not logging.
- EventBridge: rule `s3-bucket-deleted` on the default bus of us-east-1 (DeleteBucket, to the SNS
  topic), and the same rule DISABLED in eu-west-1.

Emulator gaps handled here, not in the product (docs/semantics.md, input formats): new trails are
not logging until StartLogging, so the test starts the two that should log; PutInsightSelectors
appends rather than replaces, so it is called exactly once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

ACCOUNT_ID = "123456789012"
OTHER_ACCOUNT_ID = "210987654321"
PAYROLL = "arn:aws:s3:::payroll/"
DELETE_BUCKET_PATTERN = json.dumps({
    "source": ["aws.s3"], "detail-type": ["AWS API Call via CloudTrail"],
    "detail": {"eventSource": ["s3.amazonaws.com"], "eventName": ["DeleteBucket"]},
})  # fmt: skip
CIS_CLOUDTRAIL_PATTERN = (
    "{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || "
    "($.eventName=StartLogging) || ($.eventName=StopLogging)}"
)


@dataclass(frozen=True)
class Account:
    main_arn: str
    eu_arn: str
    west_arn: str
    key_arn: str
    log_group_arn: str  # as the trail names it, with ":*"
    topic_arn: str
    alarm_arn: str
    role_arn: str
    rule_arn: str
    disabled_rule_arn: str


def _bucket_policy(bucket: str) -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
             "Resource": f"arn:aws:s3:::{bucket}",
             "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}}},
            {"Sid": "AWSCloudTrailWrite", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
             "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/{ACCOUNT_ID}/*",
             "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}}},
            {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        ],
    })  # fmt: skip


def build_account(aws: Any) -> Account:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="trail-logs")
    s3.put_bucket_policy(Bucket="trail-logs", Policy=_bucket_policy("trail-logs"))
    s3.put_bucket_versioning(Bucket="trail-logs", VersioningConfiguration={"Status": "Enabled"})
    s3.put_public_access_block(Bucket="trail-logs", PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    })  # fmt: skip

    s3_eu = aws.client("s3", "eu-west-1")
    s3_eu.create_bucket(
        Bucket="locked-logs",
        CreateBucketConfiguration={"LocationConstraint": "eu-west-1"},
        ObjectLockEnabledForBucket=True,
    )
    s3_eu.put_object_lock_configuration(Bucket="locked-logs", ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled",
        "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 400}},
    })  # fmt: skip
    s3_eu.put_bucket_lifecycle_configuration(Bucket="locked-logs", LifecycleConfiguration={
        "Rules": [{"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": ""},
                   "Expiration": {"Days": 730}}],
    })  # fmt: skip
    s3.create_bucket(Bucket="west-logs")

    kms = aws.client("kms")
    key_arn = kms.create_key(Description="trail key")["KeyMetadata"]["Arn"]
    kms.enable_key_rotation(KeyId=key_arn)

    logs = aws.client("logs")
    logs.create_log_group(logGroupName="cloudtrail/main")
    logs.put_retention_policy(logGroupName="cloudtrail/main", retentionInDays=400)
    logs.put_metric_filter(
        logGroupName="cloudtrail/main",
        filterName="cloudtrail-changes",
        filterPattern=CIS_CLOUDTRAIL_PATTERN,
        metricTransformations=[
            {
                "metricName": "CloudTrailChanges",
                "metricNamespace": "CISBenchmark",
                "metricValue": "1",
            }
        ],
    )
    group_arn = f"arn:aws:logs:us-east-1:{ACCOUNT_ID}:log-group:cloudtrail/main:*"

    sns = aws.client("sns")
    topic_arn = sns.create_topic(Name="security-alerts")["TopicArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint="secops@example.com")

    cloudwatch = aws.client("cloudwatch")
    cloudwatch.put_metric_alarm(
        AlarmName="cloudtrail-changes", MetricName="CloudTrailChanges", Namespace="CISBenchmark",
        Statistic="Sum", Period=300, EvaluationPeriods=1, Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[topic_arn],
    )  # fmt: skip
    cloudwatch.put_metric_alarm(  # an alarm on some other metric: not the trail's business
        AlarmName="cpu", MetricName="CPUUtilization", Namespace="AWS/EC2", Statistic="Average",
        Period=300, EvaluationPeriods=1, Threshold=90, ComparisonOperator="GreaterThanThreshold",
    )  # fmt: skip
    alarm_arn = f"arn:aws:cloudwatch:us-east-1:{ACCOUNT_ID}:alarm:cloudtrail-changes"

    ct = aws.client("cloudtrail")
    main = ct.create_trail(
        Name="main", S3BucketName="trail-logs", IsMultiRegionTrail=True,
        IncludeGlobalServiceEvents=True, EnableLogFileValidation=True, KmsKeyId=key_arn,
        CloudWatchLogsLogGroupArn=group_arn,
        CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/cloudtrail-to-logs",
        SnsTopicName="security-alerts",
    )["TrailARN"]  # fmt: skip
    ct.put_event_selectors(TrailName="main", AdvancedEventSelectors=[
        {"Name": "management",
         "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]},
        {"Name": "payroll writes", "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Data"]},
            {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
            {"Field": "readOnly", "Equals": ["false"]},
            {"Field": "resources.ARN", "StartsWith": [PAYROLL]},
        ]},
    ])  # fmt: skip
    ct.put_insight_selectors(  # once: the emulator appends instead of replacing
        TrailName="main",
        InsightSelectors=[
            {"InsightType": "ApiCallRateInsight"},
            {"InsightType": "ApiErrorRateInsight"},
        ],
    )
    ct.start_logging(Name="main")  # the emulator, like AWS, creates trails not logging

    ct_eu = aws.client("cloudtrail", "eu-west-1")
    eu = ct_eu.create_trail(Name="eu-regional", S3BucketName="locked-logs")["TrailARN"]
    ct_eu.start_logging(Name="eu-regional")  # (the emulator takes names here, not ARNs)

    ct_west = aws.client("cloudtrail", "us-west-2")
    west = ct_west.create_trail(Name="west-basic", S3BucketName="west-logs")["TrailARN"]
    ct_west.put_event_selectors(TrailName="west-basic", EventSelectors=[{
        "ReadWriteType": "WriteOnly", "IncludeManagementEvents": True,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}],
    }])  # fmt: skip

    rules = {}
    for region, state in (("us-east-1", "ENABLED"), ("eu-west-1", "DISABLED")):
        events = aws.client("events", region)
        rules[region] = events.put_rule(
            Name="s3-bucket-deleted", EventPattern=DELETE_BUCKET_PATTERN, State=state
        )["RuleArn"]
        events.put_targets(Rule="s3-bucket-deleted",
                           Targets=[{"Id": "security", "Arn": topic_arn}])  # fmt: skip

    return Account(
        main_arn=main, eu_arn=eu, west_arn=west, key_arn=key_arn, log_group_arn=group_arn,
        topic_arn=topic_arn, alarm_arn=alarm_arn,
        role_arn=f"arn:aws:iam::{OTHER_ACCOUNT_ID}:role/trailcheck-audit",
        rule_arn=rules["us-east-1"], disabled_rule_arn=rules["eu-west-1"],
    )  # fmt: skip
