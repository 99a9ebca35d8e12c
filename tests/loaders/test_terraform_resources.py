"""terraform_resources: the one mapping of resource attributes to the model (HCL and plans)."""

from __future__ import annotations

from typing import Any

from checker.loaders.terraform.attrs import DictAttrs
from checker.loaders.terraform.resources import Collector
from checker.loaders.terraform.values import Traced
from checker.model import Computed, Location, Reference, Unknown

WHERE = Location("main.tf", 3)


def add(
    c: Collector, rtype: str, address: str, values: dict[str, Any], region: Any = "us-east-1"
) -> None:
    c.add(DictAttrs(address, rtype, WHERE, values, region))


def test_legacy_inline_bucket_settings() -> None:
    c = Collector()
    add(
        c,
        "aws_s3_bucket",
        "aws_s3_bucket.b",
        {
            "bucket": "b",
            "versioning": [{"enabled": True, "mfa_delete": True}],
            "object_lock_configuration": [
                {
                    "object_lock_enabled": "Enabled",
                    "rule": [{"default_retention": [{"mode": "COMPLIANCE", "years": 3}]}],
                }
            ],
            "logging": [{"target_bucket": "access"}],
            "grant": [
                {
                    "uri": "http://acs.amazonaws.com/groups/global/AllUsers",
                    "permissions": ["READ", "WRITE"],
                }
            ],
            "lifecycle_rule": [{"enabled": False, "prefix": "p/", "expiration": [{"days": 7}]}],
            "server_side_encryption_configuration": [
                {
                    "rule": [
                        {"apply_server_side_encryption_by_default": [{"sse_algorithm": "AES256"}]}
                    ]
                }
            ],
        },
    )
    b = c.estate().buckets[0]
    assert b.versioning == "Enabled" and b.mfa_delete is True
    assert (
        b.object_lock_enabled is True
        and b.object_lock_mode == "COMPLIANCE"
        and b.object_lock_days == 3 * 365
    )
    assert b.access_logging_target == "access" and len(b.grants) == 2  # type: ignore[arg-type]
    assert b.lifecycle_expirations[0].enabled is False and b.lifecycle_expirations[0].days == 7  # type: ignore[index]
    assert b.sse_algorithm == "AES256" and b.arn == "arn:aws:s3:::b" and b.region == "us-east-1"


def test_china_regions_use_their_partition() -> None:
    c = Collector()
    add(c, "aws_s3_bucket", "aws_s3_bucket.b", {"bucket": "b"}, region="cn-north-1")
    assert c.estate().buckets[0].arn == "arn:aws-cn:s3:::b"


def test_split_settings_need_a_bucket_in_the_inputs() -> None:
    c = Collector()
    add(
        c,
        "aws_s3_bucket_versioning",
        "aws_s3_bucket_versioning.v",
        {"bucket": "elsewhere", "versioning_configuration": [{"status": "Enabled"}]},
    )
    assert c.estate().buckets == ()


def test_unknown_region_falls_back_to_the_default_region() -> None:
    c = Collector(default_region="ap-south-1")
    add(
        c,
        "aws_cloudtrail",
        "aws_cloudtrail.t",
        {"name": "t", "s3_bucket_name": "b"},
        region=Unknown("no region"),
    )
    assert c.estate().trails[0].home_region == "ap-south-1"


def test_trail_defaults_and_references() -> None:
    c = Collector()
    add(
        c,
        "aws_cloudtrail",
        "aws_cloudtrail.t",
        {
            "name": "t",
            "s3_bucket_name": Traced("logs", "aws_s3_bucket.logs"),
            "kms_key_id": Traced(Computed("kms_key_id is known only after apply"), "aws_kms_key.k"),
            "enable_logging": "false",
            "s3_key_prefix": "",
            "insight_selector": [{"insight_type": "ApiCallRateInsight"}],
        },
    )
    t = c.estate().trails[0]
    assert t.bucket == Reference("logs", "aws_s3_bucket.logs")
    assert t.kms_key is not None and t.kms_key.target == "aws_kms_key.k"
    assert (
        t.is_logging is False
        and t.include_global_service_events is True
        and t.is_multi_region is False
    )
    assert t.s3_key_prefix is None and t.selectors.kind == "default"  # type: ignore[union-attr]
    assert [s.insight_type for s in t.insight_selectors] == ["ApiCallRateInsight"]  # type: ignore[union-attr]


def test_metric_filters_alarms_and_topics() -> None:
    c = Collector()
    add(
        c,
        "aws_cloudwatch_log_metric_filter",
        "f",
        {
            "name": "f",
            "pattern": "{ $.eventName = StopLogging }",
            "log_group_name": Traced("g", "aws_cloudwatch_log_group.g"),
            "metric_transformation": [{"name": "M", "namespace": "N"}],
        },
    )
    add(
        c,
        "aws_cloudwatch_metric_alarm",
        "a",
        {
            "alarm_name": "a",
            "metric_name": "M",
            "namespace": "N",
            "alarm_actions": Unknown("alarm_actions comes from var.actions, which has no value"),
        },
    )
    add(c, "aws_sns_topic", "t", {"name_prefix": "x"})
    estate = c.estate()
    f = estate.metric_filters[0]
    assert f.transformations[0].value == "1" and f.log_group.target == "aws_cloudwatch_log_group.g"
    actions = estate.alarms[0].actions
    assert len(actions) == 1 and isinstance(actions[0].value, Unknown)
    assert isinstance(estate.topics[0].name, Computed)


def test_organization_policy_kinds_and_unknown_types() -> None:
    c = Collector()
    add(c, "aws_organizations_policy", "scp", {"content": '{"Statement": []}'})
    add(c, "aws_organizations_policy", "backup", {"type": "BACKUP_POLICY", "content": "{}"})
    add(
        c,
        "aws_organizations_policy",
        "which",
        {"type": Unknown("type comes from var.t, which has no value"), "content": "{}"},
    )
    estate = c.estate()
    assert [(p.id, p.kind) for p in estate.policies] == [("scp", "scp")]
    assert [d.status for d in estate.diagnostics] == ["unknown"]
