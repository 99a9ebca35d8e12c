"""The organization's sections in the HTML, Markdown and text reports
(checker/report/organization.py), from a hand-written `extra`."""

from __future__ import annotations

from typing import Any

from checker.report import ScanReport, organization
from checker.report.audit_markdown import render as render_markdown
from checker.report.html import render as render_html

A, B = "111111111111", "222222222222"
LONG_ARN = "arn:aws:cloudtrail:us-east-1:111111111111:trail/" + "a-very-long-trail-name" * 4


def captured(cloudwatch: bool | None, alarm: bool | None) -> dict[str, Any]:
    return {"status": "captured", "captured_by": ["t"], "cloudwatch": cloudwatch, "alarm": alarm,
            "alarms": [], "reason": "ok", "missed_in": [], "unknown_in": []}  # fmt: skip


MISSED = {"status": "missed", "captured_by": [], "cloudwatch": False, "alarm": False,
          "alarms": [], "reason": "no trail", "missed_in": ["eu-west-1"],
          "unknown_in": []}  # fmt: skip
NOT_CHECKED = {"status": "not_checked", "captured_by": None, "cloudwatch": None, "alarm": None,
               "alarms": [], "reason": "role refused", "missed_in": [],
               "unknown_in": []}  # fmt: skip
FINDING = {"rule_id": "CT004", "rule_name": "trail-logging", "status": "fail", "severity": "high",
           "resource": LONG_ARN, "file": f"aws://{A}/us-east-1", "line": 0,
           "message": "logging is off | <b>", "compliance": []}  # fmt: skip

EXTRA: dict[str, Any] = {
    "organization": {
        "id": "o-abc", "management_account_id": A, "role_name": "Audit",
        "summary": {"accounts": 2, "checked": 1, "partial": 0, "not_checked": 1},
        "organization_trails": [LONG_ARN],
        "critical_scenarios": [{"id": "s1", "title": "Scenario one"},
                               {"id": "s2", "title": "Scenario two"}],
    },
    "accounts": [
        {"account_id": A, "name": "prod|<x>", "status": "checked", "reason": None,
         "verdict": "fail", "role_arn": None, "regions": ["us-east-1"],
         "summary": {"fail": 1, "pass": 3, "unknown": 0, "suppressed": 0},
         "trails": [LONG_ARN], "findings": [FINDING], "not_checked": [],
         "coverage": {"s1": captured(True, True), "s2": MISSED}},
        {"account_id": B, "name": "sandbox", "status": "not_checked",
         "reason": "sts:AssumeRole on arn:aws:iam::222222222222:role/Audit failed: AccessDenied",
         "verdict": "not_checked", "role_arn": "arn:aws:iam::222222222222:role/Audit",
         "regions": [], "summary": {"fail": 1, "pass": 0, "unknown": 0, "suppressed": 0},
         "trails": [], "findings": [], "not_checked": [{"reason": "sts:AssumeRole failed"}],
         "coverage": {"s1": NOT_CHECKED, "s2": NOT_CHECKED}},
    ],
}  # fmt: skip


def test_heat_classes() -> None:
    assert organization.heat(captured(True, True))["cls"] == "alarm"
    assert organization.heat(captured(True, None))["cls"] == "logs"
    assert organization.heat(captured(False, False))["cls"] == "stored"
    missed = organization.heat(MISSED)
    assert missed["cls"] == "miss" and missed["title"] == "missed in eu-west-1: no trail"
    assert organization.heat(NOT_CHECKED) == {
        "cls": "skip", "label": "not checked", "title": "not checked: role refused",
    }  # fmt: skip
    assert organization.heat(None)["cls"] == "unk"


def test_nothing_without_an_organization() -> None:
    assert organization.view({}) is None
    assert organization.markdown({}) == [] and organization.text({}) == ""


def test_markdown_heatmap_and_sections() -> None:
    text = "\n".join(organization.markdown(EXTRA))
    assert "### Organization o-abc" in text
    assert "| 222222222222 | sandbox | sts:AssumeRole on" in text  # the not-checked list
    assert "| 111111111111 | prod\\|&lt;x> | FAILED | alarm | **MISSED** |" in text
    assert "| 222222222222 | sandbox | NOT CHECKED | not checked | not checked |" in text
    assert "### Account 111111111111 (prod\\|&lt;x>): FAILED" in text
    assert "logging is off \\| &lt;b>" in text
    assert "### Account 222222222222 (sandbox): NOT CHECKED" in text
    assert "Nothing in this account was judged." in text


def test_audit_markdown_replaces_the_accounts_table() -> None:
    report = ScanReport((), (), (), {**EXTRA, "audit": {"accounts": [{"account_id": A}]}})
    text = render_markdown(report)
    assert "### Organization o-abc" in text and "### Accounts audited" not in text


def test_text_lines() -> None:
    lines = organization.text(EXTRA).splitlines()
    assert lines[1] == "Organization o-abc: 2 accounts, 1 checked, 0 partly checked, 1 not checked"
    assert lines[2] == "  111111111111  prod|<x>  FAILED: 1 failed, 0 unknown"
    assert lines[3].startswith("  222222222222  sandbox   NOT CHECKED: sts:AssumeRole on")


def test_html_sections_escaped_and_wrapping() -> None:
    page = render_html(ScanReport((), (), (), dict(EXTRA)))
    assert '<section id="organization">' in page
    assert f'<section class="account" id="account-{A}">' in page
    assert f'<section class="account" id="account-{B}">' in page
    assert "prod|&lt;x&gt;" in page and "<x>" not in page
    assert "logging is off | &lt;b&gt;" in page
    assert 'class="cell skip"' in page and 'class="cell miss"' in page
    assert '<th class="scenario" title="s1">Scenario one</th>' in page
    assert "Nothing in this account was judged." in page
    assert "<script" not in page
    # the header names the organization rather than listing every account
    assert "organization <span class=\"mono\">o-abc</span>" in page
