"""`trailcheck simulate` end to end through checker.cli.main."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.cli import main

REPO = Path(__file__).resolve().parents[2]
CONFIG = str(REPO / "fixtures" / "replay" / "config")
LOGS = REPO / "fixtures" / "replay" / "logs"
STOP = str(LOGS / "stratus.aws.defense-evasion.cloudtrail-stop.json")


def test_json_follows_the_design_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", CONFIG, "--events", STOP, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (result,) = doc["results"]
    assert {k: result["event"][k] for k in ("eventSource", "eventName", "awsRegion",
                                            "recipientAccountId")} == {
        "eventSource": "cloudtrail.amazonaws.com", "eventName": "StopLogging",
        "awsRegion": "apiso-centralnorth-2r", "recipientAccountId": "143434273843"}
    (captured,) = result["captured_by"]
    assert captured["trail"] == "aws_cloudtrail.main"
    assert captured["selector"] == "default selectors (all management events)"
    assert captured["destinations"] == ["s3", "cloudwatch_logs", "eventbridge", "sns"]
    assert captured["alarms"] == ["aws_cloudwatch_metric_alarm.trail_changes"]
    assert "position" in captured["diagnostics"][0]  # the broken filter, reported
    assert result["missed_by"] == [{"trail": "aws_cloudtrail.writes",
                                    "reason": "single-region trail in us-east-1"}]
    assert result["unknown_by"] == []
    assert doc["summary"]["events"] == 1


def test_results_keep_input_order_for_gzip_logs(capsys: pytest.CaptureFixture[str]) -> None:
    gz = next(LOGS.glob("*.json.gz"))
    assert main(["simulate", CONFIG, "--events", str(gz), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    names = [r["event"]["eventName"] for r in doc["results"]]
    records = json.loads(__import__("gzip").decompress(gz.read_bytes()))["Records"]
    assert names == [r["eventName"] for r in records]


def test_text_output_has_a_per_trail_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", CONFIG, "--events", STOP]) == 0
    out = capsys.readouterr().out
    assert "#1 cloudtrail.amazonaws.com StopLogging" in out
    assert "captured by aws_cloudtrail.main" in out
    assert "Summary: 1 event(s)" in out
    assert "aws_cloudtrail.writes: captured 0, missed 1" in out


def test_bad_events_file_is_exit_2_without_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"eventName": "A"}\n{oops\n')
    assert main(["simulate", CONFIG, "--events", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:2:" in err and "Traceback" not in err
    assert main(["simulate", CONFIG, "--events", str(tmp_path / "missing.json")]) == 2


def test_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", CONFIG]) == 2  # --events or --scenario is required
    assert main(["simulate", CONFIG, "--scenario", "no-such-thing"]) == 2
    assert "no scenario 'no-such-thing'" in capsys.readouterr().err
    assert main(["simulate", CONFIG, "--scenario", "all", "--regions", "Mars"]) == 2
    assert main(["simulate", CONFIG, "--events", STOP, "--region", "nowhere"]) == 2


def test_unreadable_configuration_is_exit_2_but_still_simulates(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "broken.tf").write_text('resource "aws_cloudtrail" "x" {\n')
    assert main(["simulate", str(tmp_path), "--events", STOP]) == 2
    captured = capsys.readouterr()
    assert "broken.tf" in captured.err
    assert "#1 cloudtrail.amazonaws.com StopLogging" in captured.out


def test_scenario_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["simulate", CONFIG, "--scenario", "tamper-stop-logging",
                 "--regions", "us-east-1,eu-west-1", "--format", "json"])
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["regions"] == ["us-east-1", "eu-west-1"]
    (row,) = doc["scenarios"]
    east, west = row["cells"]["us-east-1"], row["cells"]["eu-west-1"]
    assert east["status"] == west["status"] == "captured"
    assert east["captured_by"] == ["aws_cloudtrail.main", "aws_cloudtrail.writes"]
    assert west["captured_by"] == ["aws_cloudtrail.main"]
    assert west["alarm"] is True and west["alarms"] == ["aws_cloudwatch_metric_alarm.trail_changes"]
    assert west["events"][0]["missed_by"][0]["trail"] == "aws_cloudtrail.writes"


def test_scenario_all_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", CONFIG, "--scenario", "all", "--regions", "eu-west-1"]) == 0
    out = capsys.readouterr().out
    assert "tamper-delete-trail: CloudTrail DeleteTrail [critical]" in out
    assert "s3-object-access" in out and "eu-west-1: missed" in out


def test_output_file(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    assert main(["simulate", CONFIG, "--events", STOP, "--format", "json",
                 "--output", str(out)]) == 0
    assert json.loads(out.read_text())["results"][0]["event"]["eventName"] == "StopLogging"


def test_a_record_that_is_no_cloudtrail_record_is_an_error_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = tmp_path / "logs.json"
    logs.write_text(json.dumps({"Records": [
        {"eventSource": "ec2.amazonaws.com", "eventName": "RunInstances", "awsRegion": "us-east-1"},
        {"eventName": "PutObject", "awsRegion": "us-east-1"},
    ]}))  # fmt: skip
    code = main(["simulate", str(REPO / "fixtures" / "example"), "--events", str(logs),
                 "--format", "json"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 2
    assert "logs.json: record 2: the record has no eventSource" in err
    doc = json.loads(out)
    assert [r["event"]["eventName"] for r in doc["results"]] == ["RunInstances"]  # not simulated
    assert doc["summary"]["invalid_records"]["count"] == 1


def test_an_insights_record_has_no_event_source_and_is_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = tmp_path / "insight.json"
    logs.write_text(json.dumps({"Records": [{
        "eventVersion": "1.08", "eventType": "AwsCloudTrailInsight", "eventCategory": "Insight",
        "awsRegion": "us-east-1", "eventTime": "2026-01-01T00:00:00Z",
        "insightDetails": {"state": "Start", "eventSource": "ec2.amazonaws.com",
                           "eventName": "RunInstances", "insightType": "ApiCallRateInsight"},
    }]}))  # fmt: skip
    code = main(["simulate", str(REPO / "fixtures" / "example"), "--events", str(logs)])
    assert code == 0, capsys.readouterr().err


def test_simulate_says_an_event_data_store_aws_rejects_records_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = REPO / "fixtures" / "rules" / "CT054" / "fail" / "terraform"
    assert main(["simulate", str(path), "--scenario", "tamper-stop-logging", "--regions",
                 "eu-west-1", "--format", "json"]) == 0  # fmt: skip
    (scenario,) = json.loads(capsys.readouterr().out)["scenarios"]
    cell = scenario["cells"]["eu-west-1"]
    assert cell["status"] == "missed" and cell["captured_by"] == []
    assert "the event data store is rejected by AWS, so it does not exist" in cell["reason"]


def test_the_summary_does_not_count_an_unknown_capture_as_a_miss(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(REPO / "fixtures" / "regressions" / "unknown-capture")
    events = tmp_path / "events.json"
    events.write_text(json.dumps({"Records": [
        {"eventSource": "ec2.amazonaws.com", "eventName": "RunInstances",
         "awsRegion": "eu-west-1", "recipientAccountId": "111122223333"}]}))
    assert main(["simulate", config, "--events", str(events), "--region", "us-east-1"]) == 0
    out = capsys.readouterr().out
    assert ("Summary: 1 event(s); 0 not captured by any trail or event data store; "
            "1 whose capture is unknown") in out
    assert main(["simulate", config, "--events", str(events), "--region", "us-east-1",
                 "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert (summary["not_captured"], summary["capture_unknown"]) == (0, 1)
    # a known single-Region trail misses it
    assert main(["simulate", config, "--events", str(events), "--region", "us-east-1",
                 "--var", "all_regions=false", "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert (summary["not_captured"], summary["capture_unknown"]) == (1, 0)
