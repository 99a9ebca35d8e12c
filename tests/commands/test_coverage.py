"""`trailcheck coverage` end to end through checker.cli.main."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.cli import main
from checker.commands.coverage import cell_text, plain_table

REPO = Path(__file__).resolve().parents[2]
CONFIG = str(REPO / "fixtures" / "replay" / "config")
CIS = str(REPO / "fixtures" / "rules" / "cis-alarms" / "pass" / "terraform")


def test_json_is_the_coverage_matrix(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", CIS, "--regions", "us-east-1,eu-west-1", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["regions"] == ["us-east-1", "eu-west-1"]
    rows = {r["id"]: r for r in doc["scenarios"]}
    assert len(rows) >= 25
    cis5 = rows["cis-05-cloudtrail-changes"]["cells"]["eu-west-1"]
    assert cis5 == {**cis5, "status": "captured", "captured_by": ["aws_cloudtrail.main"],
                    "cloudwatch": True, "alarm": True}
    assert rows["s3-object-access"]["cells"]["eu-west-1"]["status"] == "missed"


def test_plain_table_when_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", CONFIG, "--regions", "us-east-1,eu-west-1", "--critical"]) == 0
    out = capsys.readouterr().out
    header = out.splitlines()[0].split()
    assert header == ["scenario", "us-east-1", "eu-west-1"]
    assert "tamper-stop-logging *" in out and "cis-01" not in out  # --critical
    assert "T1 = aws_cloudtrail.main" in out
    assert "LA" in out  # CloudWatch Logs and alarm on the tamper scenarios
    assert "\x1b[" not in out


def test_cells() -> None:
    keys = {"a": "T1", "b": "T2"}
    assert cell_text({"status": "unknown", "captured_by": None, "cloudwatch": None,
                      "alarm": None}, keys) == "?"
    assert cell_text({"status": "missed", "captured_by": [], "cloudwatch": False,
                      "alarm": False}, keys) == "-"
    assert cell_text({"status": "captured", "captured_by": ["a", "b"], "cloudwatch": True,
                      "alarm": False}, keys) == "T1+T2 L"
    assert cell_text({"status": "captured", "captured_by": ["a"], "cloudwatch": True,
                      "alarm": True}, keys) == "T1 LA"
    assert cell_text({"status": "captured", "captured_by": ["a"], "cloudwatch": None,
                      "alarm": None}, keys) == "T1 L?A?"


def test_gaps_listed_for_critical_scenarios() -> None:
    matrix = {"regions": ["eu-west-1"], "scenarios": [
        {"id": "x", "title": "X", "critical": True, "cells": {"eu-west-1": {
            "status": "missed", "captured_by": [], "cloudwatch": False, "alarm": False,
            "reason": "single-region trail in us-east-1"}}}]}
    text = plain_table(matrix)
    assert "x in eu-west-1: missed: single-region trail in us-east-1" in text


def test_rich_table_on_a_terminal(monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("rich")
    import checker.commands.coverage as cov

    monkeypatch.setattr(cov, "_terminal", lambda: True)
    assert main(["coverage", CONFIG, "--regions", "eu-west-1", "--critical"]) == 0
    out = capsys.readouterr().out
    assert "Scenario coverage by region" in out and "tamper-stop-logging" in out


def test_bad_input_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["coverage", CONFIG, "--regions", ","]) == 2
    assert main(["coverage", str(tmp_path / "missing")]) == 2
    assert "Traceback" not in capsys.readouterr().err
