from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from checker.cli import main
from checker.report import ScanReport, markdown
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


def test_a_large_monorepo_still_fits_in_a_pull_request_comment() -> None:
    """GitHub refuses a comment body over 65,536 characters: a scan of many units with long
    messages in every list (the per-unit scenario tables too) shows fewer rows and tables, and
    says where the rest is, until it fits."""
    long = "no trail records it | " + "x" * 400
    units = [f"envs/unit-{u:03}" for u in range(60)]
    findings = tuple(
        replace(finding("CT002", status, f"aws_cloudtrail.t{i:03}", f"{unit}/main.tf", i + 1,
                        long), unit=unit)
        for unit in units for i, status in enumerate(("fail", "unknown", "pass") * 4))
    sample = sample_report().extra["coverage"]
    coverage = {**sample, "units": [{**sample["units"][0], "unit": u} for u in units]}
    text = render("markdown", ScanReport(findings, (), extra={"coverage": coverage}))
    assert len(text.encode("utf-8")) <= 65536
    assert "### Failed (240)" in text and "more, in the full report." in text
    assert "more unit(s) are in the full report." in text
    # a report that fits is unchanged: every list up to LIMIT rows
    assert render("markdown", sample_report()).count("…") == 0


def test_the_last_resort_cut_is_said() -> None:
    many = tuple(finding("CT002", "fail", "r", TF, 1, "m") for _ in range(5))
    text = markdown.render(ScanReport(many, ()), max_chars=150)
    assert len(text.encode("utf-8")) <= 150 and text.endswith("the full report has the rest.\n")
    assert "5 in the full report." in markdown.render(ScanReport(many, ()), max_chars=300)
