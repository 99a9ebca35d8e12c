"""The audit's Markdown: the scan report (checker/report/markdown.py) plus the audited accounts
(with --organization: the organization summary and a section per account, from
checker/report/organization.py), a card per trail with its selectors in plain words, and what
could not be checked.

Also the plain-text "could not be checked" block the audit appends to the text report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from checker.report import ScanReport, organization
from checker.report.markdown import render as render_scan

_FIELDS = (
    ("account", "account"),
    ("home_region", "home Region"),
    ("logging", "logging"),
    ("multi_region", "multi-Region"),
    ("organization", "organization trail"),
    ("log_file_validation", "log file validation"),
    ("bucket", "S3 bucket"),
    ("kms_key", "KMS key"),
    ("log_group", "CloudWatch Logs group"),
    ("sns_topic", "SNS topic"),
)


def render(report: ScanReport) -> str:
    out = [render_scan(report).rstrip("\n"), ""]
    by_organization = organization.markdown(report.extra)
    out += by_organization or _accounts(report.extra.get("audit"))
    out += _trails(report.extra.get("trails"))
    out += _not_checked(report.extra.get("not_checked"))
    return "\n".join(out).rstrip("\n") + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return "not set"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    text = " ".join(str(value).split())
    return text.replace("|", "\\|").replace("<", "&lt;")


def _accounts(audit: Any) -> list[str]:
    if not isinstance(audit, Mapping) or not audit.get("accounts"):
        return []
    out = ["### Accounts audited", "", "| account | role | status | Regions |", "|---|---|---|---|"]
    for a in audit["accounts"]:
        regions = ", ".join(a.get("regions") or []) or "none"
        role = f"`{a['role_arn']}`" if a.get("role_arn") else "caller"
        out.append(f"| {a.get('account_id', '')} | {role} | {a.get('status', '')} | {regions} |")
    return [*out, ""]


def _trails(trails: Any) -> list[str]:
    if not isinstance(trails, Sequence) or isinstance(trails, str):
        return []
    out = [f"### Trails ({len(trails)})", ""]
    if not trails:
        return [*out, "No trail was found.", ""]
    for t in trails:
        out += [f"#### {_cell(t.get('name'))}", "", f"`{t.get('id', '')}`", ""]
        out += ["| setting | value |", "|---|---|"]
        out += [f"| {label} | {_cell(t.get(key))} |" for key, label in _FIELDS]
        out += ["", "Records:", ""]
        out += [f"- {_cell(line)}" for line in t.get("selectors") or []]
        insights = t.get("insights")
        if isinstance(insights, list):
            shown = ", ".join(insights) if insights else "none"
        else:
            shown = str(insights)
        out += ["", f"Insights: {_cell(shown)}", ""]
    return out


def _not_checked(entries: Any) -> list[str]:
    if not isinstance(entries, Sequence) or isinstance(entries, str):
        return []
    out = [f"### Could not be checked ({len(entries)})", ""]
    if not entries:
        return [*out, "Every call of the audit succeeded.", ""]
    out += ["| account | Region | call | on | error |", "|---|---|---|---|---|"]
    for e in entries:
        out.append(
            f"| {_cell(e.get('account'))} | {_cell(e.get('region'))} | `{e.get('call', '')}` | "
            f"{_cell(e.get('target') or '')} | {_cell(e.get('error'))} |"
        )
    return [*out, ""]


def not_checked_text(report: ScanReport) -> str:
    """The text report's tail: what the audit could not read (nothing when everything was)."""
    entries = report.extra.get("not_checked")
    if not isinstance(entries, Sequence) or not entries:
        return ""
    lines = ["", f"Could not be checked ({len(entries)}): these values are reported as unknown"]
    lines += [
        f"  {e.get('account', '')} {e.get('region', '')}: {e.get('reason', '')}" for e in entries
    ]
    return "\n".join(lines) + "\n"
