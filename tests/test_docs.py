"""The generated rules page and `explain` stay true to the policies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.docs import explain, rules_page

REPO = Path(__file__).resolve().parent.parent


def test_committed_rules_page_is_current() -> None:
    page = REPO / "docs" / "rules.md"
    assert page.read_text(encoding="utf-8") == rules_page(), (
        "docs/rules.md is stale: run `trailcheck rules --format markdown > docs/rules.md`"
    )


def test_explain_names_rule_examples_and_remediation() -> None:
    text = explain("ct001")
    assert text is not None
    assert "CT001" in text and "fixtures/rules/CT001/fail/terraform" in text
    assert "is_multi_region_trail" in text


def test_explain_unknown_rule_is_none() -> None:
    assert explain("CT999") is None


def test_explain_fits_on_a_screen() -> None:
    """Rationale, the fix in each format and the compliance ids; the examples are pointed to
    (it printed 641 lines for CT020 and about 945 for CT101 when it included them)."""
    from checker.engine import load_rules

    for rule in load_rules():
        text = explain(rule.id)
        assert text is not None
        assert len(text.splitlines()) <= 70, rule.id
        for ex in rule.examples:
            assert ex.path in text
    ct020 = explain("CT020") or ""
    assert "Fix (Terraform):" in ct020 and "Fix (CloudFormation):" in ct020
    assert "Fix (AWS CLI):" in ct020 and "Compliance: PCI-DSS-4.0:10.3.2" in ct020
    assert "--examples prints them" in ct020
    assert "docs/rules.md#ct020-log-bucket-object-lock" in ct020


def test_explain_examples_prints_them() -> None:
    short, full = explain("CT002") or "", explain("CT002", examples=True) or ""
    assert "Example that should fail: fixtures/rules/CT002/fail/terraform" in full
    assert "enable_log_file_validation = false" in full
    assert "enable_log_file_validation = false" not in short
    assert len(full.splitlines()) > len(short.splitlines())


def test_explain_and_rules_through_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    from checker.cli import main

    assert main(["explain", "CT101", "--examples"]) == 0
    assert "Example that should pass: fixtures/rules/cis-alarms/pass/terraform" in (
        capsys.readouterr().out)
    assert main(["rules", "--severity", "critical"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(line.split()[1] == "critical" for line in lines)
    assert main(["rules", "--framework", "pci-dss-4.0", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed and all(any(c.startswith("PCI-DSS-4.0:") for c in r["compliance"])
                          for r in listed)  # fmt: skip
    assert main(["rules", "--framework", "iso-27001"]) == 2
    assert "known: aws-fsbp, cis-aws-1.4" in capsys.readouterr().err


def test_compliance_help_lists_the_frameworks(capsys: pytest.CaptureFixture[str]) -> None:
    from checker.cli import main

    assert main(["scan", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    frameworks = "aws-fsbp, cis-aws-1.4, cis-aws-3.0, cis-aws-5.0, cis-aws-6.0, pci-dss-4.0"
    assert f"--compliance FRAMEWORK also report per control of a framework: {frameworks}" in (
        help_text)
