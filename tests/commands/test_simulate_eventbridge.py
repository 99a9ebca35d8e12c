"""The seed use case end to end: "alert the security team when anyone deletes an S3 bucket",
written with an EventBridge rule (and with the rule DISABLED) or with a metric filter and an
alarm, in Terraform and CloudFormation; event data stores and Insights in `simulate`; alerting in
the coverage matrix and CT121."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "eventbridge"
DELETE = str(FIXTURES / "delete-bucket-event.json")
KINDS = ("terraform", "cloudformation")
Capsys = pytest.CaptureFixture[str]


def simulate(capsys: Capsys, path: Path, events: str = DELETE) -> dict[str, Any]:
    code = main(["simulate", str(path), "--events", events, "--region", "eu-west-1",
                 "--format", "json"])  # fmt: skip
    assert code == 0
    (result,) = json.loads(capsys.readouterr().out)["results"][:1]
    return result  # type: ignore[no-any-return]


@pytest.mark.parametrize("kind", KINDS)
def test_the_rule_and_the_topic_are_named(capsys: Capsys, kind: str) -> None:
    result = simulate(capsys, FIXTURES / "delete-bucket" / kind)
    (rule,) = result["eventbridge"]
    names = {"terraform": ("aws_cloudwatch_event_rule.delete_bucket", "aws_sns_topic.security"),
             "cloudformation": ("DeleteBucketRule", "SecurityTopic")}[kind]  # fmt: skip
    assert (rule["rule"], rule["targets"]) == (names[0], [names[1]])
    assert rule["state"] == "ENABLED" and rule["notifies"] is True
    assert "1 subscription" in rule["reason"]
    (trail,) = result["captured_by"]
    assert "eventbridge" in trail["destinations"]


@pytest.mark.parametrize("kind", KINDS)
def test_with_the_rule_disabled_the_result_says_so(capsys: Capsys, kind: str) -> None:
    result = simulate(capsys, FIXTURES / "delete-bucket-disabled" / kind)
    (rule,) = result["eventbridge"]
    assert rule["state"] == "DISABLED" and rule["notifies"] is False
    assert "DISABLED" in rule["reason"]
    code = main(["simulate", str(FIXTURES / "delete-bucket-disabled" / kind), "--events", DELETE,
                 "--region", "eu-west-1"])  # fmt: skip
    assert code == 0
    out = capsys.readouterr().out
    assert "[DISABLED]" in out and "does not notify" in out


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_written_with_a_metric_filter_and_an_alarm(capsys: Capsys, kind: str) -> None:
    result = simulate(capsys, FIXTURES / "delete-bucket-alarm" / kind)
    (trail,) = result["captured_by"]
    alarm = {"terraform": "aws_cloudwatch_metric_alarm.delete_bucket",
             "cloudformation": "DeleteBucketAlarm"}[kind]  # fmt: skip
    assert trail["alarms"] == [alarm]
    assert "cloudwatch_logs" in trail["destinations"]
    assert result["eventbridge"] == []


def test_the_text_output_names_the_rule(capsys: Capsys) -> None:
    assert main(["simulate", str(FIXTURES / "delete-bucket" / "terraform"), "--events",
                 DELETE]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert ("EventBridge rule aws_cloudwatch_event_rule.delete_bucket [ENABLED] -> "
            "aws_sns_topic.security: notifies") in out  # fmt: skip


def test_an_event_data_store_is_listed_like_a_trail_with_the_lake_destination(
    capsys: Capsys,
) -> None:
    result = simulate(capsys, REPO / "fixtures" / "lake" / "terraform")
    by_id = {c["trail"]: c for c in result["captured_by"]}
    store = by_id["aws_cloudtrail_event_data_store.lake"]
    assert store["destinations"] == ["lake"] and store["alarms"] == []
    assert "management writes" in store["selector"]


def test_insights_records_are_captured_by_the_recorders_that_generate_them(
    capsys: Capsys,
) -> None:
    events = str(REPO / "fixtures" / "insights" / "insight-events.json")
    code = main(["simulate", str(REPO / "fixtures" / "lake" / "cloudformation"), "--events",
                 events, "--region", "eu-west-1", "--format", "json"])  # fmt: skip
    assert code == 0
    call_rate, error_rate = json.loads(capsys.readouterr().out)["results"]
    assert [c["trail"] for c in call_rate["captured_by"]] == ["Trail"]
    assert call_rate["captured_by"][0]["selector"] == "insight selector ApiCallRateInsight"
    assert [c["trail"] for c in error_rate["captured_by"]] == ["LakeInsights"]
    assert error_rate["captured_by"][0]["destinations"] == ["lake"]


def test_the_coverage_matrix_counts_the_rule_as_alerting(capsys: Capsys) -> None:
    code = main(["coverage", str(FIXTURES / "delete-bucket" / "terraform"), "--regions",
                 "eu-west-1,us-east-1", "--format", "json"])  # fmt: skip
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    rows = doc["units"][0]["scenarios"] if "units" in doc else doc["scenarios"]
    cells = next(r for r in rows if r["id"] == "s3-bucket-deleted")["cells"]
    here, there = cells["eu-west-1"], cells["us-east-1"]
    assert here["alerted"] is True and here["alarm"] is False
    assert here["eventbridge"] == ["aws_cloudwatch_event_rule.delete_bucket"]
    assert "aws_cloudwatch_event_rule.delete_bucket" in here["reason"]
    assert there["alerted"] is False  # the rule sees only eu-west-1


ALERT_EVERYTHING = """
provider "aws" {
  region = "us-east-1"
}
resource "aws_cloudtrail" "main" {
  name                  = "audit"
  s3_bucket_name        = "example-audit-logs"
  is_multi_region_trail = true
}
resource "aws_sns_topic" "security" {
  name = "security"
}
resource "aws_sns_topic_subscription" "email" {
  topic_arn = aws_sns_topic.security.arn
  protocol  = "email"
  endpoint  = "security@example.com"
}
resource "aws_cloudwatch_event_rule" "everything" {
  name  = "everything"
  state = "STATE"
  event_pattern = jsonencode({
    "detail-type" = ["AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail",
                     "AWS Console Signin via CloudTrail"]
  })
}
resource "aws_cloudwatch_event_target" "security" {
  rule = aws_cloudwatch_event_rule.everything.name
  arn  = aws_sns_topic.security.arn
}
"""


@pytest.mark.parametrize(("state", "status"), [("ENABLED", "pass"), ("DISABLED", "fail")])
def test_ct121_passes_when_an_eventbridge_rule_alerts_in_every_expected_region(
    capsys: Capsys, tmp_path: Path, state: str, status: str
) -> None:
    (tmp_path / "main.tf").write_text(ALERT_EVERYTHING.replace("STATE", state))
    main(["scan", str(tmp_path), "--regions", "us-east-1", "--format", "json", "--no-config"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    (ct121,) = [f for f in findings if f["rule_id"] == "CT121"]
    assert ct121["status"] == status, ct121["message"]
    if status == "pass":
        assert "aws_cloudwatch_event_rule.everything" in ct121["message"]
    else:
        assert "DISABLED" in ct121["message"]


def test_ct121_names_a_rule_that_matches_but_is_deployed_in_another_region(
    capsys: Capsys, tmp_path: Path
) -> None:
    # the rule is written for these events, but its provider puts it in eu-west-2: the reader
    # must hear that, not "no rule matches"
    text = ALERT_EVERYTHING.replace("STATE", "ENABLED").replace(
        'resource "aws_cloudwatch_event_rule" "everything" {\n',
        'resource "aws_cloudwatch_event_rule" "everything" {\n  provider = aws.london\n',
    ) + 'provider "aws" {\n  alias  = "london"\n  region = "eu-west-2"\n}\n'
    (tmp_path / "main.tf").write_text(text.replace(
        "resource \"aws_cloudwatch_event_target\" \"security\" {\n",
        "resource \"aws_cloudwatch_event_target\" \"security\" {\n  provider = aws.london\n"))
    main(["scan", str(tmp_path), "--regions", "us-east-1", "--format", "json", "--no-config"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    (ct121,) = [f for f in findings if f["rule_id"] == "CT121"]
    assert ct121["status"] == "fail"
    assert ("rule aws_cloudwatch_event_rule.everything matches it, but the rule is in "
            "eu-west-2, the event in us-east-1") in ct121["message"]


def test_inputs_with_only_an_event_data_store_are_not_said_to_have_nothing_recording(
    capsys: Capsys, tmp_path: Path
) -> None:
    (tmp_path / "lake.yaml").write_text(
        "Resources:\n  Lake:\n    Type: AWS::CloudTrail::EventDataStore\n"
        "    Properties: {Name: lake}\n"
    )
    code = main(["simulate", str(tmp_path), "--events", DELETE, "--region", "eu-west-1"])
    assert code == 0
    out, err = capsys.readouterr()
    assert "every event is missed" not in err
    assert "captured by Lake" in out
    assert "not captured by any trail or event data store" in out
