"""CloudFormation templates -> model: resources, property lines, links, parameters."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.loaders import LoadOptions, load_paths
from checker.loaders.cloudformation.loader import load_template
from checker.model import (
    BasicSelector,
    Computed,
    Estate,
    InputFile,
    LifecycleExpiration,
    PublicAccessBlock,
    Reference,
    Selectors,
    Unknown,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "cloudformation"


def load(name: str, **options: object) -> Estate:
    return load_template(FIXTURES / name, name, LoadOptions(**options))  # type: ignore[arg-type]


def template(tmp_path: Path, text: str, name: str = "t.yaml", **options: object) -> Estate:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_template(path, name, LoadOptions(**options))  # type: ignore[arg-type]


# -- the complete stack ------------------------------------------------------------------------


def test_every_resource_type_is_loaded() -> None:
    e = load("complete.yaml")
    assert e.diagnostics == ()
    assert e.inputs == (InputFile("complete.yaml", "cloudformation", "ok"),)
    assert [t.id for t in e.trails] == ["Trail"]
    assert [b.id for b in e.buckets] == ["LogBucket"]
    assert [k.id for k in e.keys] == ["TrailKey"]
    assert [a.id for a in e.key_aliases] == ["TrailKeyAlias"]
    assert [g.id for g in e.log_groups] == ["TrailLogs"]
    assert [f.id for f in e.metric_filters] == ["RootUsageFilter"]
    assert [a.id for a in e.alarms] == ["RootUsageAlarm"]
    assert [t.id for t in e.topics] == ["Alerts"]
    assert [s.id for s in e.subscriptions] == ["Alerts.Subscription[0]", "AlertsPager"]
    assert [(p.id, p.kind) for p in e.policies] == [
        ("TrailLogsRole.Policies[0]", "iam"),
        ("ProtectTrailInline", "iam"),
        ("ProtectTrailManaged", "iam"),
        ("DenyTrailTampering", "scp"),
        ("ProtectLogs", "rcp"),
    ]


def test_trail_fields_and_exact_property_lines() -> None:
    e = load("complete.yaml")
    t = e.trails[0]
    assert t.name == "org-trail" and t.is_logging is True
    assert t.is_multi_region is True and t.is_organization is True
    assert t.include_global_service_events is True and t.log_file_validation is True
    assert t.s3_key_prefix == "cloudtrail"
    assert t.bucket == Reference("complete-trail-logs") and t.bucket.target == "LogBucket"
    assert t.location.line == 5
    assert dict(t.lines) == {
        "name": 8, "is_logging": 9, "bucket": 10, "s3_key_prefix": 11, "is_multi_region": 12,
        "is_organization": 13, "include_global_service_events": 14, "log_file_validation": 15,
        "kms_key": 16, "log_group": 17, "cloudwatch_logs_role_arn": 18, "sns_topic": 19,
        "selectors": 20, "insight_selectors": 24,
    }  # fmt: skip
    assert t.where("kms_key").line == 16 and t.where("s3_key_prefix").file == "complete.yaml"
    expected = BasicSelector(
        read_write_type="WriteOnly", exclude_management_event_sources=("kms.amazonaws.com",)
    )
    assert t.selectors == Selectors("basic", basic=(expected,))
    assert t.insight_selectors[0].event_categories == ("Management", "Data")  # type: ignore[index]


def test_trail_links_every_resource_around_it() -> None:
    e = load("complete.yaml")
    t = e.trails[0]
    assert e.bucket_of(t) is e.buckets[0]
    assert e.key_of(t) is e.keys[0]  # through the alias
    assert e.log_group_of(t) is e.log_groups[0]
    assert e.topic_of(t) is e.topics[0]
    assert e.filters_on(e.log_groups[0]) == e.metric_filters
    assert len(e.subscriptions_of(e.topics[0])) == 2
    assert e.alarms_on("RootUsage", "CISBenchmark") == e.alarms
    assert e.alarms[0].actions[0].target == "Alerts"
    assert isinstance(t.cloudwatch_logs_role_arn, Computed)


def test_bucket_fields_and_lines() -> None:
    b = load("complete.yaml").buckets[0]
    assert b.name == "complete-trail-logs" and b.origin == "iac"
    assert b.acl == "log-delivery-write"  # the S3 API's spelling of LogDeliveryWrite
    assert b.versioning == "Enabled" and b.mfa_delete is False
    assert b.object_lock_enabled is True
    assert (b.object_lock_mode, b.object_lock_days) == ("COMPLIANCE", 365)
    assert b.access_logging_target == "complete-access-logs"
    assert b.public_access_block == PublicAccessBlock(True, True, False, True)
    assert b.sse_algorithm == "aws:kms" and b.sse_kms_key is not None
    assert b.sse_kms_key.target == "TrailKey"
    assert b.lifecycle_expirations == (
        LifecycleExpiration(days=400, enabled=True, prefix="AWSLogs/"),
        LifecycleExpiration(days=30, enabled=True, prefix="AWSLogs/", noncurrent=True),
        LifecycleExpiration(days=7, enabled=False, prefix=""),
    )
    statement = b.policy["Statement"][0]  # type: ignore[index]
    assert statement["Resource"] == [
        "arn:aws:s3:::complete-trail-logs",
        "arn:aws:s3:::complete-trail-logs/*",
    ]
    assert dict(b.lines) == {
        "name": 31, "acl": 32, "object_lock_enabled": 33, "object_lock_mode": 34,
        "object_lock_days": 34, "versioning": 40, "access_logging_target": 42,
        "public_access_block": 45, "sse_algorithm": 50, "sse_kms_key": 50,
        "lifecycle_expirations": 55, "policy": 71,
    }  # fmt: skip


def test_key_log_group_and_policies() -> None:
    e = load("complete.yaml")
    key = e.keys[0]
    assert key.aliases == ("alias/complete-trail",)
    assert (key.enabled, key.rotation_enabled, key.rotation_period_days) == (True, True, 180)
    assert isinstance(key.policy["Statement"][0]["Principal"]["AWS"], Computed)  # type: ignore[index]
    assert dict(key.lines) == {
        "enabled": 88, "rotation_enabled": 89, "rotation_period_days": 90, "policy": 91
    }  # fmt: skip
    group = e.log_groups[0]
    assert (group.name, group.retention_days) == ("/complete/cloudtrail", 90)
    assert group.kms_key is not None and group.kms_key.target == "TrailKey"
    by_id = {p.id: p for p in e.policies}
    assert by_id["ProtectTrailInline"].targets == ("TrailLogsRole", "ops-admin")
    assert by_id["ProtectTrailManaged"].targets == ("TrailLogsRole",)  # via ManagedPolicyArns
    assert by_id["DenyTrailTampering"].targets == ("r-abcd",)
    assert by_id["ProtectLogs"].document["Statement"][0]["Action"] == "s3:DeleteObject"  # type: ignore[index]
    assert by_id["TrailLogsRole.Policies[0]"].location.line == 175
    assert e.topics[0].policy is not None


# -- links to the KMS key ----------------------------------------------------------------------


@pytest.mark.parametrize("trail", ["ByGetAtt", "ByRef", "BySub", "ByAliasName"])
def test_kms_key_links_by_getatt_ref_sub_or_alias(trail: str) -> None:
    e = load("kms-links.yaml")
    t = next(x for x in e.trails if x.id == trail)
    assert e.key_of(t) is e.keys[0]
    assert e.bucket_of(t) is e.buckets[0]


def test_getatt_in_list_form_links_too(tmp_path: Path) -> None:
    e = template(
        tmp_path,
        "Resources:\n"
        "  K: {Type: AWS::KMS::Key}\n"
        "  T:\n"
        "    Type: AWS::CloudTrail::Trail\n"
        "    Properties: {IsLogging: true, S3BucketName: b, KMSKeyId: !GetAtt [K, Arn]}\n",
    )
    assert e.key_of(e.trails[0]) is e.keys[0]


def test_a_key_chosen_by_a_condition_links_nothing(tmp_path: Path) -> None:
    e = template(
        tmp_path,
        "Parameters:\n"
        "  Encrypt: {Type: String}\n"
        "Conditions:\n"
        "  UseKey: !Equals [!Ref Encrypt, 'yes']\n"
        "Resources:\n"
        "  K: {Type: AWS::KMS::Key}\n"
        "  T:\n"
        "    Type: AWS::CloudTrail::Trail\n"
        "    Properties:\n"
        "      IsLogging: true\n"
        "      S3BucketName: b\n"
        "      KMSKeyId: !If [UseKey, !GetAtt K.Arn, !Ref AWS::NoValue]\n",
    )
    t = e.trails[0]
    assert t.kms_key == Reference(Unknown(
        "depends on condition UseKey, which is not known (parameter Encrypt has no default)"))
    assert e.key_of(t) is None


# -- parameters, conditions --------------------------------------------------------------------


def test_parameters_defaults_and_unknowns() -> None:
    t = load("parameters.yaml").trails[0]
    assert t.bucket == Reference("params-trail-logs")
    assert t.kms_key == Reference(Unknown("parameter KeyArn has no default"))
    assert t.log_file_validation is True  # "true" from a String parameter's default
    assert t.sns_topic == Reference(
        Unknown("parameter TopicName is read from SSM parameter /shared/trail-topic at deploy time")
    )
    # the condition follows the parameter's default ("true"), as every Ref does
    assert t.is_logging is True and t.is_multi_region is True
    assert not isinstance(t.selectors, Unknown) and t.selectors.kind == "basic"
    off = load("parameters.yaml", variables=(("Validation", "false"),)).trails[0]
    assert off.is_logging is False and off.is_multi_region is False
    assert not isinstance(off.selectors, Unknown) and off.selectors.kind == "default"


def test_var_overrides_a_parameter() -> None:
    options = {"variables": (("KeyArn", "arn:aws:kms:eu-west-1:111122223333:key/abc"),)}
    t = load("parameters.yaml", **options).trails[0]
    assert t.kms_key == Reference("arn:aws:kms:eu-west-1:111122223333:key/abc")


def test_region_option_sets_home_region_and_region_pseudo_parameter(tmp_path: Path) -> None:
    text = (
        "Resources:\n"
        "  T:\n"
        "    Type: AWS::CloudTrail::Trail\n"
        "    Properties:\n"
        "      IsLogging: true\n"
        "      S3BucketName: !Sub 'logs-${AWS::Region}'\n"
    )
    without = template(tmp_path, text).trails[0]
    assert isinstance(without.home_region, Unknown)
    assert isinstance(without.bucket.value, Computed)  # type: ignore[union-attr]
    assert isinstance(without.account_id, Unknown)
    with_region = template(tmp_path, text, default_region="eu-west-1").trails[0]
    assert with_region.home_region == "eu-west-1"
    assert with_region.bucket == Reference("logs-eu-west-1")


# -- CloudFormation's own rules and defaults ---------------------------------------------------


def test_missing_islogging_is_ct011_and_no_deployment_logs() -> None:
    # CloudFormation rejects the template, so no deployment of it logs: CT004 fails
    e = load("missing-islogging.yaml")
    t = e.trails[0]
    assert t.is_logging is False
    assert [(d.rule_id, d.status, d.resource, d.location.line) for d in e.diagnostics] == [
        ("CT011", "fail", "Trail", 5)
    ]
    assert "IsLogging is required by CloudFormation" in e.diagnostics[0].message


def test_defaults_when_properties_are_not_written(tmp_path: Path) -> None:
    e = template(
        tmp_path,
        "Resources:\n"
        "  T:\n"
        "    Type: AWS::CloudTrail::Trail\n"
        "    Properties: {IsLogging: false, S3BucketName: b}\n"
        "  B: {Type: AWS::S3::Bucket}\n",
    )
    t, b = e.trails[0], e.buckets[0]
    assert t.include_global_service_events is True  # CreateTrail's default (see the loader)
    assert (t.is_multi_region, t.is_organization, t.log_file_validation) == (False, False, False)
    assert t.is_logging is False
    assert t.selectors == Selectors.default() and t.insight_selectors == ()
    assert (t.kms_key, t.log_group, t.sns_topic, t.s3_key_prefix) == (None, None, None, None)
    assert isinstance(t.name, Computed) and isinstance(b.name, Computed)
    assert (b.versioning, b.public_access_block, b.policy, b.acl) == (None, None, None, None)


def test_basic_and_advanced_selectors_together_keep_both(tmp_path: Path) -> None:
    t = template(
        tmp_path,
        "Resources:\n"
        "  T:\n"
        "    Type: AWS::CloudTrail::Trail\n"
        "    Properties:\n"
        "      IsLogging: true\n"
        "      S3BucketName: b\n"
        "      EventSelectors: [{ReadWriteType: All}]\n"
        "      AdvancedEventSelectors:\n"
        "        - FieldSelectors: [{Field: eventCategory, Equals: [Management]}]\n",
    ).trails[0]
    assert isinstance(t.selectors, Selectors)
    assert t.selectors.kind == "advanced" and len(t.selectors.basic) == 1
    assert t.lines["selectors"] == 8


def test_logging_without_destination_logs_to_the_bucket_itself(tmp_path: Path) -> None:
    b = template(
        tmp_path,
        "Resources:\n"
        "  B:\n"
        "    Type: AWS::S3::Bucket\n"
        "    Properties: {BucketName: self-logged, LoggingConfiguration: {LogFilePrefix: x/}}\n",
    ).buckets[0]
    assert b.access_logging_target == "self-logged"


def test_a_wrongly_typed_value_is_unknown_not_a_guess(tmp_path: Path) -> None:
    t = template(
        tmp_path,
        "Resources:\n"
        "  T:\n"
        "    Type: AWS::CloudTrail::Trail\n"
        "    Properties: {IsLogging: maybe, S3BucketName: b, EventSelectors: 3}\n",
    ).trails[0]
    assert t.is_logging == Unknown("IsLogging is not a boolean ('maybe')")
    assert t.selectors == Unknown("EventSelectors is not a list")


def test_a_resource_without_type_is_ct000_and_the_rest_loads(tmp_path: Path) -> None:
    e = template(
        tmp_path,
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Resources:\n"
        "  Broken: {Properties: {}}\n"
        "  B: {Type: AWS::S3::Bucket, Properties: {BucketName: fine}}\n",
    )
    assert [(d.rule_id, d.location.line) for d in e.diagnostics] == [("CT000", 3)]
    assert [b.name for b in e.buckets] == ["fine"]
    assert e.inputs[0].status == "error"


# -- what is not a template --------------------------------------------------------------------


def test_other_yaml_is_skipped_silently() -> None:
    e = load("not-a-template.yaml")
    assert e.inputs == (InputFile("not-a-template.yaml", "unknown", "skipped"),)
    assert e.diagnostics == () and e.trails == ()


def test_json_without_resources_is_skipped(tmp_path: Path) -> None:
    e = template(tmp_path, '{"name": "package", "Resources": {"x": 1}}', name="package.json")
    assert e.inputs[0].status == "skipped" and e.diagnostics == ()


def test_fixture_folder_loads_through_discovery() -> None:
    e = load_paths([str(FIXTURES)], LoadOptions(cwd=str(FIXTURES)))
    broken = {d.location.file for d in e.diagnostics if d.rule_id == "CT000"
              and d.status == "fail"}  # fmt: skip
    assert broken == {p.name for p in FIXTURES.iterdir() if "broken" in p.name}
    not_judged = {d.location.file for d in e.diagnostics if d.rule_id == "CT000"
                  and d.status == "unknown"}  # fmt: skip
    # what trailcheck does not expand, a trail a false Condition leaves out, a Jinja template
    assert not_judged == {"not-expanded.yaml", "resource-conditions.yaml", "jinja-template.yaml"}
    assert all(d.rule_id == "CT011" for d in e.diagnostics
               if d.location.file not in broken | not_judged)  # fmt: skip


def test_a_resource_whose_condition_is_false_is_not_created() -> None:
    e = load("resource-conditions.yaml")
    # AuditTrail and RootUsageAlarm: false with the parameters' defaults
    assert [t.id for t in e.trails] == ["SecurityTrail"]
    assert [a.id for a in e.alarms] == ["OwnerAlarm"]
    flipped = load("resource-conditions.yaml", variables=(("CreateAuditTrail", "true"),))
    assert [t.id for t in flipped.trails] == ["AuditTrail", "SecurityTrail"]
    assert flipped.trails[0].is_logging is True
    # a trail left out is said so, where its Condition is (an alarm left out is not)
    notes = [d for d in e.diagnostics if d.rule_id == "CT000"]
    assert [(d.resource, d.status, d.location.line) for d in notes] == [
        ("AuditTrail", "unknown", 15)]
    assert notes[0].message.startswith(
        "AuditTrail is not created with these parameter values (its Condition WantAuditTrail "
        "is false), so it is not judged")
    assert not [d for d in flipped.diagnostics if d.rule_id == "CT000"]


def test_a_resource_whose_condition_is_not_known_may_not_be_created() -> None:
    # it is loaded, but what it turns on is unknown: a trail that may not exist records nothing
    # for sure, and an alarm that may not exist notifies no one for sure
    e = load("resource-conditions.yaml")
    (trail,) = e.trails
    why = ("SecurityTrail is created only if condition OwnedBySecurity holds, which is not known "
           "(parameter Owner has no default)")  # fmt: skip
    assert trail.is_logging == Unknown(why)
    (alarm,) = e.alarms
    assert isinstance(alarm.actions_enabled, Unknown)
    assert "condition OwnedBySecurity" in alarm.actions_enabled.reason
    owned = load("resource-conditions.yaml", variables=(("Owner", "security"),))
    assert {t.id: t.is_logging for t in owned.trails} == {"SecurityTrail": True}


def test_what_trailcheck_does_not_expand_is_not_judged_rather_than_broken() -> None:
    e = load("not-expanded.yaml")
    assert [t.id for t in e.trails] == ["Trail"]
    by_resource = {d.resource: d for d in e.diagnostics}
    assert set(by_resource) == {"Fn::ForEach::Buckets", "Network"}
    assert all(d.status == "unknown" and d.rule_id == "CT000" for d in e.diagnostics)
    assert "AWS::LanguageExtensions loop" in by_resource["Fn::ForEach::Buckets"].message
    assert "!Rain::Module" in by_resource["Network"].message
    assert [i.status for i in e.inputs] == ["ok"]


def test_a_jinja_template_is_not_judged_rather_than_broken() -> None:
    e = load("jinja-template.yaml")
    (d,) = e.diagnostics
    assert (d.rule_id, d.status, d.location.line) == ("CT000", "unknown", 6)
    assert d.message.startswith("the file holds Jinja template syntax ('{%' at line 6) and does "
                                "not parse as written (invalid YAML")
    assert d.message.endswith("so it is not judged; scan the rendered template")
    assert [i.status for i in e.inputs] == ["skipped"]


def test_a_dynamic_reference_is_not_taken_for_jinja(tmp_path: Path) -> None:
    # {{resolve:...}} is CloudFormation's own; a broken file that holds one is still broken
    (tmp_path / "t.yaml").write_text(
        "Resources:\n  P:\n    Type: AWS::SSM::Parameter\n"
        "    Properties: {Value: '{{resolve:ssm:x}}'}\n  Bad: [\n"
    )
    e = load_paths([str(tmp_path)], LoadOptions(cwd=str(tmp_path)))
    assert [(d.rule_id, d.status) for d in e.diagnostics] == [("CT000", "fail")]



def test_json_with_comments_and_trailing_commas_is_read_as_cloudformation_reads_it() -> None:
    # not strict JSON, but YAML (a superset of JSON): CloudFormation and cfn-lint accept it
    e = load("loose-json.json")
    assert e.diagnostics == ()
    assert e.inputs == (InputFile("loose-json.json", "cloudformation", "ok"),)
    (trail,) = e.trails
    assert (trail.id, trail.is_multi_region, trail.location.line) == ("Trail", True, 6)
    assert trail.bucket is not None and trail.bucket.target == "Logs"


def test_broken_json_keeps_its_json_error(tmp_path: Path) -> None:
    # neither JSON nor YAML: the JSON reader's message, at its line
    e = template(tmp_path, '{"Resources": {\n  "A": 1\n  "B": 2}}', name="t.json")
    (d,) = e.diagnostics
    assert (d.rule_id, d.status, d.location.line) == ("CT000", "fail", 3)
    assert d.message.startswith("invalid JSON: ")


def test_properties_read_are_named_for_findings_and_absent_ones_by_the_first_tried() -> None:
    t = load("complete.yaml").trails[0]
    assert t.names["log_file_validation"] == "EnableLogFileValidation"
    assert t.names["sns_topic"] == "SnsTopicName" and t.spelling("sns_topic") == "SnsTopicName"
    assert t.names["selectors"] == "EventSelectors"  # written; AdvancedEventSelectors is not
    # every field with a line has the name of the property at that line
    assert set(t.lines) <= set(t.names)


def test_an_absent_property_is_named_by_the_one_to_write(tmp_path: Path) -> None:
    e = template(
        tmp_path,
        "Resources:\n  T:\n    Type: AWS::CloudTrail::Trail\n"
        "    Properties:\n      IsLogging: true\n      S3BucketName: b\n",
    )
    t = e.trails[0]
    assert "log_group" not in t.lines
    assert t.spelling("log_group") == "CloudWatchLogsLogGroupArn"
    assert t.spelling("selectors") == "AdvancedEventSelectors"
