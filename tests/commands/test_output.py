"""Where reports go and which findings they carry: `--output` formats from file extensions,
`--severity`, `--check`, `--skip-check`, and the text-only display flags, through main()."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.cli import main
from checker.commands.options import EXTENSIONS, REPORT_FORMATS
from checker.report.formats import FORMATS

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = str(REPO / "fixtures" / "example")


def test_the_parser_knows_every_report_format() -> None:
    assert REPORT_FORMATS == FORMATS
    assert set(EXTENSIONS.values()) == set(FORMATS)


@pytest.mark.parametrize(("name", "check"), [
    ("out.sarif", lambda t: json.loads(t)["version"] == "2.1.0"),
    ("b.json", lambda t: json.loads(t)["schema_version"] == 1),
    ("r.xml", lambda t: t.startswith('<?xml version="1.0"') and "<testsuites" in t),
    ("s.md", lambda t: t.startswith("## trailcheck ")),
    ("a.html", lambda t: t.startswith("<!DOCTYPE html>")),
    ("t.txt", lambda t: "CT002 aws_cloudtrail.team" in t and "fix:" in t),
    ("report.out", lambda t: "CT002 aws_cloudtrail.team" in t),  # no known extension: text
])  # fmt: skip
def test_format_from_the_extension(name: str, check: object, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    out = tmp_path / name
    assert main(["scan", EXAMPLE, "--output", str(out)]) == 1
    assert check(out.read_text(encoding="utf-8"))  # type: ignore[operator]
    assert capsys.readouterr().out == ""


def test_format_and_extension_that_disagree_are_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", EXAMPLE, "--format", "json", "--output", str(tmp_path / "x.sarif")]) == 2
    assert "--format json but --output" in capsys.readouterr().err
    assert not (tmp_path / "x.sarif").exists()
    # agreeing, or an extension that names nothing: --format decides
    assert main(["scan", EXAMPLE, "--format", "json", "--output", str(tmp_path / "x.json")]) == 1
    assert main(["scan", EXAMPLE, "--format", "json", "--output", str(tmp_path / "x.log")]) == 1
    assert json.loads((tmp_path / "x.log").read_text())["schema_version"] == 1


def test_several_files_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b, c = tmp_path / "a.sarif", tmp_path / "b.json", tmp_path / "summary"
    assert main(["scan", EXAMPLE, "--output", str(a), "--output", str(b),
                 "--output", f"markdown={c}"]) == 1  # fmt: skip
    assert json.loads(a.read_text())["version"] == "2.1.0"
    assert json.loads(b.read_text())["schema_version"] == 1
    assert c.read_text().startswith("## trailcheck")
    assert capsys.readouterr().out == ""
    assert main(["scan", EXAMPLE, "--output", str(a), "--output", str(a)]) == 2
    assert main(["scan", EXAMPLE, "--output", "sarif="]) == 2


def test_severity_filters_every_report_and_the_exit_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["scan", EXAMPLE, "--format", "json", "--severity", "high,critical"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {f["severity"] for f in doc["findings"]} <= {"high", "critical"}
    assert doc["findings"] and doc["summary"]["fail"] == 0
    assert main(["scan", EXAMPLE, "--severity", "urgent"]) == 2
    assert "--severity: 'urgent' is not a severity" in capsys.readouterr().err


def test_input_errors_are_never_filtered(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "broken.tf").write_text('resource "aws_cloudtrail" "x" {\n')
    assert main(["scan", str(tmp_path), "--format", "json", "--severity", "info",
                 "--skip-check", "CT000"]) == 2  # fmt: skip
    assert [f["rule_id"] for f in json.loads(capsys.readouterr().out)["findings"]] == ["CT000"]


def test_check_and_skip_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", EXAMPLE, "--format", "json", "--check", "CT002,CT02*"]) == 1
    ids = {f["rule_id"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert ids == {"CT002", "CT020", "CT021", "CT022", "CT023", "CT024", "CT025", "CT026",
                   "CT027"}  # fmt: skip
    assert main(["scan", EXAMPLE, "--format", "json", "--skip-check", "ct1*",
                 "--skip-check", "CT022,CT00?"]) == 0  # fmt: skip
    ids = {f["rule_id"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert ids and not any(i.startswith(("CT1", "CT00")) or i == "CT022" for i in ids)
    assert main(["scan", EXAMPLE, "--check", "CT9*"]) == 2
    assert "--check CT9*: matches no rule" in capsys.readouterr().err


def test_show_passes_in_text(capsys: pytest.CaptureFixture[str]) -> None:
    main(["scan", EXAMPLE])
    assert "PASS " not in capsys.readouterr().out
    main(["scan", EXAMPLE, "--show-passes"])
    out = capsys.readouterr().out
    assert "PASS       high     CT004 aws_cloudtrail.org" in out
    assert out.count("\nPASS ") == 25


def test_quiet_compact_and_suppressed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    baseline = tmp_path / "baseline.json"
    assert main(["scan", EXAMPLE, "--create-baseline", str(baseline)]) == 0
    out = capsys.readouterr().out
    assert "SUPPRESSED" not in out and "21 suppressed (shown with --show-suppressed)" in out
    main(["scan", EXAMPLE, "--baseline", str(baseline), "--show-suppressed"])
    out = capsys.readouterr().out
    assert out.count("SUPPRESSED ") == 21 and "(baseline: " in " ".join(out.split())
    main(["scan", EXAMPLE, "--quiet", "--compact"])
    out = capsys.readouterr().out
    assert "fix:" not in out and "UNKNOWN" not in out and "FAIL " in out


def test_the_summary_counts_what_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", EXAMPLE, "--fail-on", "medium"]) == 1
    assert "; 3 failing at or above --fail-on medium" in " ".join(capsys.readouterr().out.split())
    assert main(["scan", EXAMPLE, "--fail-on", "high"]) == 0
    assert "; 0 failing at or above --fail-on high" in " ".join(capsys.readouterr().out.split())
