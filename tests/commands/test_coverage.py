"""`trailcheck coverage` end to end through checker.cli.main."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.cli import main
from checker.commands.coverage import cell_text, plain_table, short_region

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


def _matrix(regions: list[str]) -> dict[str, object]:
    cell = {"status": "captured", "captured_by": ["aws_cloudtrail.org"], "cloudwatch": True,
            "alarm": True, "reason": ""}  # fmt: skip
    missed = {"status": "missed", "captured_by": [], "cloudwatch": False, "alarm": False,
              "reason": "single-region trail in us-east-1"}  # fmt: skip
    return {"regions": regions, "scenarios": [
        {"id": "root-usage", "title": "Root", "critical": True,
         "cells": {r: cell for r in regions}},
        {"id": "s3-object-access", "title": "S3", "critical": False,
         "cells": {r: (cell if r == "us-east-1" else missed) for r in regions}},
    ]}  # fmt: skip


def test_region_headers_are_never_cut(monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """At 120 columns, 17 Regions do not fit as a table: one line per scenario instead, and
    no Region name is shortened to "u…"."""
    monkeypatch.setenv("COLUMNS", "120")
    assert main(["coverage", CONFIG]) == 0
    out = capsys.readouterr().out
    assert "…" not in out
    assert all(len(line) <= 120 for line in out.split("\nGaps")[0].splitlines()
               if not line.startswith(("cell:", "T1 =", "T2 =")))  # fmt: skip
    assert "the table is wider than 120 columns" in out
    assert "tamper-stop-logging *: T1+T2 LA in us-east-1; T1 LA in the other 16 Regions" in out


def test_layouts_by_width() -> None:
    regions = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"]
    full = plain_table(_matrix(regions), width=0)
    assert full.splitlines()[0].split() == ["scenario", *regions]
    short = plain_table(_matrix(regions), width=60)
    assert short.splitlines()[0].split() == ["scenario", "use1", "usw2", "euw1", "apse2"]
    assert "Regions: use1 = us-east-1, usw2 = us-west-2, euw1 = eu-west-1, apse2 = " \
           "ap-southeast-2" in short  # fmt: skip
    listed = plain_table(_matrix(regions), width=40)
    assert "root-usage *: T1 LA in every Region" in listed
    assert "s3-object-access: T1 LA in us-east-1; - in us-west-2, eu-west-1, ap-southeast-2" \
        in listed.replace("\n    ", " ")


def test_short_region_codes() -> None:
    assert [short_region(r) for r in ("us-east-1", "ap-northeast-3", "eu-central-2",
                                      "us-gov-west-1", "ca-west-1", "il-central-1")] == [
        "use1", "apne3", "euc2", "usgw1", "caw1", "ilc1"]  # fmt: skip
    from checker.regions import DEFAULT_REGIONS, OPT_IN_REGIONS

    every = [*DEFAULT_REGIONS, *OPT_IN_REGIONS]
    assert len({short_region(r) for r in every}) == len(every)  # no two Regions share a code


def test_colour_on_a_terminal_only() -> None:
    regions = ["us-east-1", "eu-west-1"]
    coloured = plain_table(_matrix(regions), color=True)
    assert "\033[32mT1 LA\033[0m" in coloured and "\033[1;31m-\033[0m" in coloured
    assert "\033[" not in plain_table(_matrix(regions))


def test_output_file_format_from_its_extension(tmp_path: Path) -> None:
    out = tmp_path / "matrix.json"
    assert main(["coverage", CONFIG, "--regions", "eu-west-1", "--output", str(out)]) == 0
    assert json.loads(out.read_text())["regions"] == ["eu-west-1"]
    assert main(["coverage", CONFIG, "--format", "text", "--output", str(out)]) == 2


def test_bad_input_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["coverage", CONFIG, "--regions", ","]) == 2
    assert main(["coverage", str(tmp_path / "missing")]) == 2
    assert "Traceback" not in capsys.readouterr().err
