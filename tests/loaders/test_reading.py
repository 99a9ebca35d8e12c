"""Shared file reading (`checker.loaders.reading`): encodings of machine-written JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.cli import main

REPO = Path(__file__).resolve().parents[2]
PLAN = REPO / "fixtures" / "equivalence" / "plan.json"


def _findings(capsys: pytest.CaptureFixture[str], path: Path) -> list[tuple[str, str, int]]:
    main(["scan", str(path), "--format", "json", "--no-config"])
    doc = json.loads(capsys.readouterr().out)
    return sorted((f["rule_id"], f["status"], f["line"]) for f in doc["findings"])


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le"])
def test_a_plan_saved_as_utf16_or_utf32_with_its_byte_order_mark_is_read_like_utf8(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, encoding: str
) -> None:
    """Windows PowerShell 5.1 writes `terraform show -json plan > plan.json` as UTF-16 with a
    byte order mark: the same findings, on the same lines, as the UTF-8 file."""
    text = PLAN.read_text(encoding="utf-8")
    saved = tmp_path / "plan.json"
    saved.write_bytes("\ufeff".encode(encoding) + text.encode(encoding))
    expected = _findings(capsys, PLAN)
    assert expected and _findings(capsys, saved) == expected


@pytest.mark.parametrize("name", ["main.tf", "template.yaml"])
def test_a_utf16_configuration_file_is_an_input_error_that_names_the_encoding(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    """Terraform reads configuration as UTF-8 only: a UTF-16 file is a CT000 that says what to
    do, not 'invalid byte 0xff'."""
    body = 'resource "aws_cloudtrail" "t" {}\n' if name == "main.tf" else (
        "Resources:\n  T:\n    Type: AWS::CloudTrail::Trail\n")
    (tmp_path / name).write_text(body, encoding="utf-16")
    code = main(["scan", str(tmp_path / name), "--format", "json", "--no-config"])
    doc = json.loads(capsys.readouterr().out)
    (problem,) = [f for f in doc["findings"] if f["rule_id"] == "CT000"]
    assert code == 2 and problem["status"] == "fail"
    assert "UTF-16" in problem["message"] and "save it as UTF-8" in problem["message"]


@pytest.mark.parametrize("name", ["plan.json", "template.json"])
def test_a_lone_surrogate_escape_in_json_is_an_input_error_at_its_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    """`\\ud800` alone decodes to no character: Python's json accepts it, but no report could be
    written with it (it was an internal error, exit 3). It is a CT000 at its line, as YAML and
    HCL readers already refuse it; a surrogate pair (an emoji) and an escaped backslash are
    fine."""
    source = PLAN if name == "plan.json" else REPO / "fixtures" / "equivalence" / "cfn.json"
    text = source.read_text(encoding="utf-8")
    first = text.index('"', text.index("\n", 200) + 1)  # a string on some line past the start
    line = text.count("\n", 0, first) + 1
    bad = tmp_path / "bad" / name
    bad.parent.mkdir()
    bad.write_text(text[: first + 1] + "\\ud800" + text[first + 1:], encoding="utf-8")
    code = main(["scan", str(bad), "--format", "json", "--no-config"])
    doc = json.loads(capsys.readouterr().out)
    (problem,) = [f for f in doc["findings"] if f["rule_id"] == "CT000"]
    assert code == 2 and problem["line"] == line
    assert "\\ud800 is half of a UTF-16 surrogate pair" in problem["message"]
    fine = tmp_path / "fine" / name
    fine.parent.mkdir()
    fine.write_text(text[: first + 1] + "\\ud83d\\ude00\\\\ud800" + text[first + 1:],
                    encoding="utf-8")
    assert main(["scan", str(fine), "--format", "json", "--no-config"]) != 3
    doc = json.loads(capsys.readouterr().out)
    assert not [f for f in doc["findings"] if f["rule_id"] == "CT000"]
