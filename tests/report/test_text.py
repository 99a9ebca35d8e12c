"""The terminal report: blocking findings first, each with its fix, wrapped at spaces, coloured
on a terminal, and a summary that counts what fails the run."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from checker.cli import main
from checker.model import InputFile
from checker.report import ScanReport, TextOptions
from checker.report.formats import render
from checker.report.text import render as text_report
from tests.report.ci_sample import CFN, TF, check_golden, finding, sample_report

ANSI = re.compile(r"\033\[[0-9;]*m")


def text(**options: object) -> str:
    return render("text", sample_report(), TextOptions(**options))  # type: ignore[arg-type]


def test_golden() -> None:
    check_golden("report.txt", text(width=100))


def test_golden_on_a_terminal() -> None:
    check_golden("report.color.txt", text(width=80, color=True))


def test_failures_first_by_severity_then_file() -> None:
    out = text()
    heads = [line.split()[:3] for line in out.splitlines() if line[:1].isalpha()]
    order = [(status, severity) for status, severity, _ in heads if status in ("FAIL", "UNKNOWN")]
    assert order[0] == ("FAIL", "critical")  # the blocking findings lead
    ranks = ["critical", "high", "medium", "low", "info"]
    fails = [ranks.index(sev) for status, sev in order if status == "FAIL"]
    assert fails == sorted(fails)
    assert order[-1] == ("UNKNOWN", "medium")  # unknowns after every failure
    # same severity: by file, then line
    medium = [line for line in out.splitlines() if line.startswith("FAIL       medium")]
    assert medium[0].endswith(f"({TF}:12)") and medium[1].endswith(f"({CFN}:8)")


def test_each_failure_ends_with_its_fix() -> None:
    out = text()
    ct002 = out.split(f"CT002 aws_cloudtrail.main ({TF}:12)")[1].split("\n\n")[0]
    # the sample's Terraform snippet frames a single comment line inside the resource: that is
    # the fix (a real rule frames one attribute: tests/report/test_fixes.py)
    assert ct002.rstrip().endswith("fix: fix CT002")
    cfn = out.split(f"CT002 Trail ({CFN}:8)")[1].split("\n\n")[0]
    assert cfn.rstrip().endswith("fix: trailcheck explain CT002")  # nothing but the frame
    unknown = out.split("CT030 aws_kms_key.trail")[1].split("\n\n")[0]
    assert "fix:" not in unknown  # an unknown has no fix: its message says what is missing


def test_wraps_at_spaces_to_the_width() -> None:
    long = "word " * 40 + "arn:aws:cloudtrail:us-east-1:111122223333:trail/" + "x" * 60
    report = ScanReport((finding("CT003", "fail", "aws_cloudtrail.main", TF, 5, long),), (),
                        sample_report().rules)  # fmt: skip
    out = render("text", report, TextOptions(width=60))
    lines = out.splitlines()
    assert all(len(line) <= 60 for line in lines if "arn:aws" not in line)
    assert any(line.strip().startswith("arn:aws:cloudtrail") for line in lines)  # not broken
    words = " ".join(line.strip() for line in lines[1:8]).split()
    assert all(w in ("word", long.split()[-1]) for w in words if w.startswith(("wo", "arn")))
    assert "\n".join(lines).count("word") == 40
    unwrapped = render("text", report, TextOptions(width=0))
    assert any(len(line) > 200 for line in unwrapped.splitlines())


def test_colour_only_when_asked() -> None:
    plain, coloured = text(), text(color=True)
    assert "\033[" not in plain
    assert "\033[1;31mFAIL\033[0m" in coloured and "\033[1;35mcritical\033[0m" in coloured
    assert "\033[33mUNKNOWN\033[0m" in coloured
    assert ANSI.sub("", coloured) == plain  # colour changes nothing else


def test_summary_counts_what_fails_the_run() -> None:
    assert "6 failed, 1 unknown, 1 passed, 3 suppressed (2 input files); 6 failing at or " \
           "above --fail-on low" in text()  # fmt: skip
    assert "; 3 failing at or above --fail-on high" in text(fail_on="high")
    assert "; 6 failing or unknown at or above --fail-on medium" in text(
        fail_on="medium", fail_on_unknown=True)


def test_summary_counts_the_inputs_the_json_report_lists() -> None:
    report = sample_report()
    more = (InputFile("package.json", "unknown", "skipped"),
            InputFile("broken.tf", "terraform", "error"))  # fmt: skip
    out = render("text", replace(report, inputs=report.inputs + more), TextOptions(width=0))
    assert "(2 input files, 1 unreadable, 1 skipped);" in out


def test_hidden_findings_are_counted() -> None:
    out = text()
    assert "Not listed: 3 suppressed (shown with --show-suppressed), 1 passed (shown with " \
           "--show-passes)" in out  # fmt: skip
    assert "SUPPRESSED" not in out and "PASS " not in out


def test_show_passes_and_suppressed() -> None:
    out = text(show_passes=True, show_suppressed=True)
    assert "PASS       high     CT004 aws_cloudtrail.main" in out
    assert "SUPPRESSED medium   CT020 aws_s3_bucket.logs" in out
    assert "suppressed: copies go to the audit account's locked bucket (inline:" in out
    assert "Not listed" not in out
    assert out.index("SUPPRESSED") > out.index("UNKNOWN")  # after failures and unknowns


def test_quiet_lists_failures_only() -> None:
    out = text(quiet=True, show_passes=True)
    assert "UNKNOWN" not in out and "PASS " not in out
    assert out.count("\nFAIL ") + out.startswith("FAIL ") == 6
    assert "1 unknown (hidden by --quiet)" in out


def test_compact_leaves_out_fixes() -> None:
    assert "fix:" in text() and "fix:" not in text(compact=True)


def test_a_file_finding_names_the_file_once() -> None:
    out = text()
    assert f"CT099 {TF}:40\n" in out


def test_nothing_to_judge() -> None:
    out = render("text", ScanReport((), ()))
    assert "nothing to judge" in out and out.startswith("0 failed")


def test_deterministic_whatever_the_finding_order() -> None:
    report = sample_report()
    shuffled = replace(report, findings=tuple(reversed(report.findings)))
    assert render("text", report) == render("text", shuffled)


def test_a_scan_with_nothing_to_judge_says_what_is_judged() -> None:
    out = render("text", ScanReport((), ()), TextOptions())
    assert "No trail or event data store found in the inputs: nothing to judge" in out
    assert "judged with the trail that uses them" in out


SHARED = Path(__file__).resolve().parents[2] / "fixtures" / "regressions" / "shared-module-units"


def test_findings_of_several_units_name_their_unit(capsys: pytest.CaptureFixture[str]) -> None:
    """Two stages use one module: their findings share resource, file and line, so each one
    names its unit on a line of its own; a one-unit scan names none (its output is as before)."""
    main(["scan", str(SHARED), "--no-config", "--compact"])
    head = "FAIL       medium   CT002 module.audit.aws_cloudtrail.audit"
    blocks = [b for b in capsys.readouterr().out.split("\n\n") if b.startswith(head)]
    units = [line.strip() for b in blocks for line in b.splitlines() if "unit:" in line]
    assert len(blocks) == 2
    assert [u.rsplit("/", 2)[-2:] for u in units] == [["stages", "live"], ["stages", "test"]]
    main(["scan", str(SHARED / "stages" / "test"), "--no-config", "--compact"])
    assert "unit:" not in capsys.readouterr().out


HOSTILE = "Ref Nope\x1b[2K\r\x1b[31mRED\u202eevil\n::error file=main.tf::injected\x07"


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_control_characters_from_the_inputs_are_escaped(fmt: str) -> None:
    """An escape sequence, a carriage return, a bidirectional override or a line break in a
    value read from the inputs cannot recolour, erase or reorder the report, nor start a
    line (a GitHub Actions workflow command) of its own."""
    bad = finding("CT002", "fail", "Trail\x1b", "t\x1b.json", 1, HOSTILE)
    text = render(fmt, ScanReport((bad,), ()))
    assert not any(c in text for c in "\x1b\r\x07\u202e")
    assert "\\u001b[2K\\u000d\\u001b[31mRED\\u202eevil ::error file=main.tf::injected" in text
    assert not any(line.lstrip().startswith("::") for line in text.splitlines())
    coloured = text_report(ScanReport((bad,), ()), TextOptions(color=True))
    assert "\x1b[1;31mFAIL" in coloured and "\x1b[2K" not in coloured  # trailcheck's own colour
