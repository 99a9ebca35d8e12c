"""The generated rules page and `explain` stay true to the policies."""

from __future__ import annotations

from pathlib import Path

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
