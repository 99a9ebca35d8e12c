"""EventBridge rules, targets, buses and CloudTrail Lake event data stores, in every loader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker.loaders import LoadOptions, load_paths
from checker.loaders.aws.snapshot import dump_snapshot, load_snapshot
from checker.loaders.eventbridge import kind_of_arn, pattern_text, terraform_type
from checker.loaders.reading import LoadOptions as Options
from checker.model import Estate, EventRule, Selectors, Unknown

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "fixtures" / "eventbridge" / "delete-bucket"


def load(path: Path | str, **options: Any) -> Estate:
    return load_paths([str(path)], LoadOptions(cwd=str(REPO), **options))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def targets(rule: EventRule) -> list[tuple[Any, Any]]:
    assert not isinstance(rule.targets, Unknown)
    return [(t.arn.target or t.arn.value, t.kind) for t in rule.targets]


# -- shared helpers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arn", "kind"),
    [("arn:aws:sns:eu-west-1:1:t", "sns"), ("arn:aws:lambda:eu-west-1:1:function:f", "lambda"),
     ("arn:aws:sqs:eu-west-1:1:q", "sqs"), ("arn:aws:states:eu-west-1:1:stateMachine:m",
                                             "step-functions"),
     ("arn:aws:events:eu-west-1:1:event-bus/security", "event-bus"),
     ("arn:aws:events:eu-west-1:1:api-destination/pager/1", "api-destination"),
     ("arn:aws:logs:eu-west-1:1:log-group:/aws/events/x", "logs"),
     ("arn:aws:kinesis:eu-west-1:1:stream/s", "other")],
)  # fmt: skip
def test_kind_of_arn(arn: str, kind: str) -> None:
    assert kind_of_arn(arn) == kind


def test_kind_of_what_is_not_an_arn_is_unknown() -> None:
    assert isinstance(kind_of_arn("security-alerts"), Unknown)
    assert isinstance(kind_of_arn(Unknown("var.x")), Unknown)


def test_terraform_type_and_pattern_text() -> None:
    assert terraform_type('module.a[0].aws_sns_topic.x["k.1"]') == "aws_sns_topic"
    assert terraform_type("aws_lambda_function.f") == "aws_lambda_function"
    assert json.loads(str(pattern_text({"source": ["aws.s3"]}))) == {"source": ["aws.s3"]}
    assert isinstance(pattern_text({"detail": {"bucket": [Unknown("BucketName")]}}), Unknown)
    assert pattern_text(None) is None


# -- Terraform -----------------------------------------------------------------------------------


def test_terraform_seed_rule_with_its_target() -> None:
    (rule,) = load(SEED / "terraform").event_rules
    assert rule.id == "aws_cloudwatch_event_rule.delete_bucket"
    assert (rule.name, rule.region, rule.state, rule.event_bus) == (
        "s3-bucket-deleted", "eu-west-1", "ENABLED", None)  # fmt: skip
    assert json.loads(str(rule.pattern))["detail"]["eventName"] == ["DeleteBucket"]
    assert targets(rule) == [("aws_sns_topic.security", "sns")]
    assert rule.where("pattern").line > rule.location.line


def test_terraform_targets_fold_by_name_and_bus_and_is_enabled(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", """
provider "aws" {
  region = "us-east-1"
}
resource "aws_cloudwatch_event_bus" "security" {
  name = "security"
}
resource "aws_cloudwatch_event_rule" "on_bus" {
  name           = "watch"
  event_bus_name = aws_cloudwatch_event_bus.security.name
  is_enabled     = false
  event_pattern  = "{\\"source\\": [\\"aws.s3\\"]}"
}
resource "aws_cloudwatch_event_rule" "default" {
  name          = "watch"
  event_pattern = "{\\"source\\": [\\"aws.s3\\"]}"
}
resource "aws_cloudwatch_event_target" "by_name" {
  rule = "watch"
  arn  = "arn:aws:lambda:us-east-1:111122223333:function:notify"
}
resource "aws_cloudwatch_event_target" "on_bus" {
  rule           = "watch"
  event_bus_name = "security"
  arn            = "arn:aws:sqs:us-east-1:111122223333:alerts"
}
""")
    e = load(tmp_path)
    rules = {r.id: r for r in e.event_rules}
    on_bus, default = rules["aws_cloudwatch_event_rule.on_bus"], rules[
        "aws_cloudwatch_event_rule.default"]  # fmt: skip
    assert on_bus.state == "DISABLED"
    assert on_bus.event_bus is not None and e.resolve("event_bus", on_bus.event_bus) is not None
    assert targets(default) == [("arn:aws:lambda:us-east-1:111122223333:function:notify",
                                 "lambda")]  # fmt: skip
    assert targets(on_bus) == [("arn:aws:sqs:us-east-1:111122223333:alerts", "sqs")]


def test_terraform_event_data_store_defaults_and_settings(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", """
provider "aws" {
  region = "eu-west-1"
}
resource "aws_cloudtrail_event_data_store" "plain" {
  name = "plain"
}
resource "aws_cloudtrail_event_data_store" "tuned" {
  name                           = "tuned"
  multi_region_enabled           = false
  organization_enabled           = true
  termination_protection_enabled = false
  retention_period               = 90
  suspend                        = true
  advanced_event_selector {
    field_selector {
      field  = "eventCategory"
      equals = ["Data"]
    }
  }
}
""")
    stores = {s.name: s for s in load(tmp_path).event_data_stores}
    plain, tuned = stores["plain"], stores["tuned"]
    assert (plain.home_region, plain.status, plain.is_multi_region, plain.is_organization,
            plain.termination_protection, plain.retention_days, plain.kms_key) == (
        "eu-west-1", "ENABLED", True, False, True, 2555, None)  # fmt: skip
    assert plain.selectors == Selectors.default()
    assert (tuned.status, tuned.is_multi_region, tuned.is_organization,
            tuned.termination_protection, tuned.retention_days) == (
        "STOPPED_INGESTION", False, True, False, 90)  # fmt: skip
    assert isinstance(tuned.selectors, Selectors) and tuned.selectors.kind == "advanced"
    assert tuned.where("retention_days").line > tuned.location.line


def test_terraform_plan_reads_rules_and_stores(tmp_path: Path) -> None:
    def resource(rtype: str, name: str, values: dict[str, Any]) -> dict[str, Any]:
        return {"address": f"{rtype}.{name}", "mode": "managed", "type": rtype, "name": name,
                "values": values}  # fmt: skip

    plan = {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [
            resource("aws_cloudwatch_event_rule", "r", {
                "name": "r", "event_pattern": '{"source":["aws.s3"]}', "state": "ENABLED",
                "event_bus_name": "default"}),
            resource("aws_cloudwatch_event_target", "t", {
                "rule": "r", "arn": "arn:aws:sns:eu-west-1:111122223333:security"}),
            resource("aws_cloudtrail_event_data_store", "lake", {
                "name": "lake", "retention_period": 400, "termination_protection_enabled": True,
                "multi_region_enabled": True, "organization_enabled": False}),
        ]}},
        "configuration": {"provider_config": {"aws": {"expressions": {
            "region": {"constant_value": "eu-west-1"}}}}},
    }  # fmt: skip
    e = load(write(tmp_path, "plan.json", json.dumps(plan)))
    (rule,) = e.event_rules
    assert rule.event_bus is not None and rule.event_bus.value == "default"
    assert targets(rule) == [("arn:aws:sns:eu-west-1:111122223333:security", "sns")]
    (store,) = e.event_data_stores
    assert store.retention_days == 400 and store.status == "ENABLED"


# -- CloudFormation ------------------------------------------------------------------------------


def test_cloudformation_seed_rule_with_inline_targets() -> None:
    template = SEED / "cloudformation" / "template.yaml"
    (rule,) = load(template, default_region="eu-west-1").event_rules
    assert (rule.id, rule.region, rule.state) == ("DeleteBucketRule", "eu-west-1", "ENABLED")
    assert json.loads(str(rule.pattern))["source"] == ["aws.s3"]
    assert targets(rule) == [("SecurityTopic", "sns")]


def test_cloudformation_rule_states_buses_and_target_kinds(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Bus:
    Type: AWS::Events::EventBus
    Properties: {Name: security}
  Fn:
    Type: AWS::Lambda::Function
    Properties: {Handler: x, Runtime: python3.12, Code: {ZipFile: x}, Role: arn:aws:iam::1:role/x}
  Rule:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Ref Bus
      State: ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS
      EventPattern: '{"source": ["aws.iam"]}'
      Targets:
        - {Id: fn, Arn: !GetAtt Fn.Arn}
        - {Id: api, Arn: "arn:aws:events:us-east-1:111122223333:api-destination/pager/abc"}
  Unknown:
    Type: AWS::Events::Rule
    Properties:
      EventPattern: {detail: {bucket: [!Ref AWS::NoSuchThing]}}
""")
    e = load(path)
    rules = {r.id: r for r in e.event_rules}
    rule = rules["Rule"]
    assert rule.state == "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
    assert rule.event_bus is not None and e.resolve("event_bus", rule.event_bus) is not None
    assert rule.pattern == '{"source": ["aws.iam"]}'
    assert targets(rule) == [("Fn", "lambda"), (
        "arn:aws:events:us-east-1:111122223333:api-destination/pager/abc", "api-destination")]
    assert isinstance(rules["Unknown"].pattern, Unknown)
    assert isinstance(rules["Unknown"].region, Unknown)  # no --region


def test_cloudformation_event_data_store_defaults_and_insights(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Plain:
    Type: AWS::CloudTrail::EventDataStore
    Properties: {Name: plain}
  Fixed:
    Type: AWS::CloudTrail::EventDataStore
    Properties:
      Name: fixed
      BillingMode: FIXED_RETENTION_PRICING
      IngestionEnabled: false
      InsightSelectors: [{InsightType: ApiCallRateInsight}]
      InsightsDestination: !Ref Plain
""")
    e = load(path, default_region="eu-west-1")
    stores = {s.id: s for s in e.event_data_stores}
    plain, fixed = stores["Plain"], stores["Fixed"]
    assert (plain.retention_days, plain.status, plain.is_multi_region, plain.is_organization,
            plain.termination_protection, plain.home_region) == (
        366, "ENABLED", True, False, True, "eu-west-1")  # fmt: skip
    assert (fixed.retention_days, fixed.status) == (2557, "STOPPED_INGESTION")
    assert fixed.insights_destination is not None
    assert e.resolve("lake", fixed.insights_destination) is plain


# -- snapshot ------------------------------------------------------------------------------------


def test_snapshot_round_trip_keeps_rules_targets_and_stores(tmp_path: Path) -> None:
    seed = load(SEED / "terraform")
    lake = load(REPO / "fixtures" / "lake" / "terraform")
    estate = Estate(event_rules=seed.event_rules, event_data_stores=lake.event_data_stores,
                    origin="live")  # fmt: skip
    path = write(tmp_path, "snapshot.json", json.dumps(dump_snapshot(estate)))
    loaded = load_snapshot(path, "snapshot.json", Options(cwd=str(tmp_path)))
    assert loaded.diagnostics == ()
    assert loaded.event_rules == estate.event_rules
    assert loaded.event_data_stores == estate.event_data_stores
