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
