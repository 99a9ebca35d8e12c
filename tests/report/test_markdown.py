from __future__ import annotations

from pathlib import Path

import pytest

from checker.cli import main
from checker.report import ScanReport
from checker.report.formats import render
from checker.report.markdown import LIMIT
from tests.report.ci_sample import TF, check_golden, finding, sample_report


def test_golden() -> None:
    check_golden("report.md", render("markdown", sample_report()))


def test_summary_and_failures() -> None:
    text = render("markdown", sample_report())
    assert text.startswith("## trailcheck ❌ failed\n")
    assert "**6** failed, **1** unknown, **1** passed, **3** suppressed." in text
    assert "| critical | 1 | 0 | 0 |" in text
    assert "### Failed (6)" in text
    assert f"`{TF}:12`" in text
    # the critical failure comes first
    failed = text.split("### Failed")[1]
    assert failed.index("CT120") < failed.index("CT003") < failed.index("CT002")


def test_cells_are_escaped() -> None:
    text = render("markdown", sample_report())
    assert "eu-west-1 \\| no trail covers it &lt;multi-region>" in text


def test_details_blocks() -> None:
    text = render("markdown", sample_report())
    assert "<details><summary>Unknown (1)</summary>" in text
    assert "<details><summary>Suppressed (3)</summary>" in text
    assert "<details><summary>Passed (1)</summary>" in text
    assert text.count("</details>") == 3
    suppressed = text.split("<summary>Suppressed")[1].split("</details>")[0]
    assert "versioned by the replication target (config: .trailcheck.yaml:4)" in suppressed


def test_coverage_table() -> None:
    text = render("markdown", sample_report())
    assert "### Critical scenarios in infra" in text
    assert "| scenario | us-east-1 | eu-west-1 |" in text
    assert "| Root user signs in | ✅📈🔔 | ❌ |" in text
    assert "| CloudTrail StopLogging | ✅📈 | ✅ |" in text
    assert "S3 GetObject" not in text  # not critical


def test_no_coverage_no_section() -> None:
    text = render("markdown", sample_report(coverage=False))
    assert "Critical scenarios" not in text


def test_long_lists_are_capped() -> None:
    many = tuple(finding("CT002", "fail", f"aws_cloudtrail.t{i:03}", TF, i + 1, "off")
                 for i in range(LIMIT + 70))
    text = render("markdown", ScanReport(many, ()))
    assert text.count("aws_cloudtrail.t") == LIMIT
    assert "…and 70 more, in the full report." in text
    assert len(text) < 65536


def test_clean_report() -> None:
    ok = finding("CT004", "pass", "aws_cloudtrail.main", TF, 3, "logging")
    text = render("markdown", ScanReport((ok,), ()))
    assert text.startswith("## trailcheck ✅ passed")
    assert "### Failed" not in text and "<summary>Passed (1)</summary>" in text


def test_findings_of_several_units_have_a_unit_column(capsys: pytest.CaptureFixture[str]) -> None:
    """As the text report: two stages that use one module give findings alike but for their
    unit, so the tables gain a unit column; a one-unit scan's tables are as before."""
    shared = Path(__file__).resolve().parents[2] / "fixtures/regressions/shared-module-units"
    main(["scan", str(shared), "--no-config", "--format", "markdown"])
    out = capsys.readouterr().out
    assert "| | severity | rule | resource | location | unit | message |" in out
    rows = [r for r in out.splitlines() if "[CT002]" in r]
    assert len(rows) == 2 and "stages/live`" in rows[0] and "stages/test`" in rows[1]
    main(["scan", str(shared / "stages" / "live"), "--no-config", "--format", "markdown"])
    assert "| unit |" not in capsys.readouterr().out
