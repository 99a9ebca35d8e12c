"""The terminal report: grouped by file, readable without colour, coloured on a terminal."""

from __future__ import annotations

from checker.report import render
from tests.report.ci_sample import CFN, TF, check_golden, sample_report


def test_golden() -> None:
    check_golden("report.txt", render("text", sample_report()))


def test_grouped_by_file_with_lines_and_summary() -> None:
    text = render("text", sample_report())
    assert text.index(f"\n{TF}\n") < text.index(f"\n{CFN}\n")  # files in order
    assert text.count(f"\n{TF}\n") + text.startswith(f"{TF}\n") == 1
    assert "     12  FAIL" in text
    assert text.rstrip().endswith("(2 input files)")
    assert "\033[" not in text


def test_colour_only_when_asked() -> None:
    coloured = render("text", sample_report(), color=True)
    assert "\033[31mFAIL" in coloured
