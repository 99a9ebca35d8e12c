"""The HTML report: one self-contained file (inline CSS, no script, no external asset) that reads
well on screen and on paper.

Sections: executive summary (counts, the worst problems first), coverage heatmap of the
critical scenarios by Region (`extra["coverage"]`, from the simulator), one card per trail
(`extra["trails"]`, from checker/report/trail_cards.py), findings by severity with each rule's
remediation (Terraform, CloudFormation, AWS CLI), the compliance table (`extra["compliance"]`)
and what could not be checked (`extra["not_checked"]`, from the audit). An organization audit
adds its summary with a heatmap of accounts by critical scenario, and a section per account
(`extra["organization"]`, `extra["accounts"]`: checker/report/organization.py). Any section
whose data the report lacks says so rather than disappearing, so a reader knows what was not
computed.

Jinja2 renders `templates/report.html.j2` with autoescaping on; everything shown is escaped.
The output is deterministic (no timestamps), like every other format.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.findings import SEVERITIES, Finding, severity_rank
from checker.report import ScanReport, organization, several_units, tool_info

if TYPE_CHECKING:
    from checker.rules import Rule

TEMPLATES = Path(__file__).resolve().parent / "templates"
WORST_LIMIT = 10
_REMEDIATION = (("terraform", "Terraform"), ("cloudformation", "CloudFormation"),
                ("aws_cli", "AWS CLI"))  # fmt: skip


def render(report: ScanReport) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"], default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env.get_template("report.html.j2").render(view=view(report))


# ---------------------------------------------------------------------------------------------
# The view: plain data for the template


def view(report: ScanReport) -> dict[str, Any]:
    rules = {r.id: r for r in report.rules}
    summary = report.summary()
    units = several_units(report.findings)
    passes = sorted(report.by_status("pass"), key=Finding.sort_key)
    suppressed = sorted(report.by_status("suppressed"), key=Finding.sort_key)
    return {
        "tool": tool_info(),
        "title": "trailcheck audit report" if "audit" in report.extra else "trailcheck report",
        "summary": summary,
        "verdict": "fail" if summary["fail"] else ("unknown" if summary["unknown"] else "pass"),
        "severity_rows": _severity_rows(report.findings),
        "worst": [_finding(f, units) for f in _worst(report.findings)],
        "inputs": sorted({i.path for i in report.inputs}),
        "accounts": _accounts(report.extra.get("audit")),
        "coverage": _coverage(report.extra.get("coverage")),
        "trails": _trails(report.extra.get("trails")),
        "severities": _by_severity(report.findings, rules, units),
        "passes": [_finding(f, units) for f in passes],
        "suppressed": [_finding(f, units) for f in suppressed],
        "compliance": _compliance(report.extra.get("compliance")),
        "not_checked": _not_checked(report.extra.get("not_checked")),
        "organization": organization.view(report.extra),
    }


def _finding(f: Finding, units: bool) -> dict[str, Any]:
    """A finding for the template. `unit` is its deployment unit when the scan has several (two
    units that use one module get findings alike in all else), empty in a one-unit scan."""
    where = f"{f.file}:{f.line}" if f.file and f.line else f.file
    return {
        "rule_id": f.rule_id,
        "rule_name": f.rule_name,
        "status": f.status,
        "severity": f.severity,
        "resource": f.resource,
        "where": where,
        "unit": (f.unit or "") if units else "",
        "message": f.message,
        "compliance": list(f.compliance),
        "suppression": str(f.suppression) if f.suppression else None,
    }


def _worst(findings: Sequence[Finding]) -> list[Finding]:
    """Failures by falling severity, then unknowns, at most WORST_LIMIT."""
    status_rank = {"fail": 0, "unknown": 1}
    shown = [f for f in findings if f.status in status_rank]
    shown.sort(key=lambda f: (status_rank[f.status], -severity_rank(f.severity), f.sort_key()))
    return shown[:WORST_LIMIT]


def _severity_rows(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    rows = []
    for sev in reversed(SEVERITIES):
        counts = {
            st: sum(1 for f in findings if f.severity == sev and f.status == st)
            for st in ("fail", "unknown", "pass", "suppressed")
        }
        if any(counts.values()):
            rows.append({"severity": sev, **counts})
    return rows


def _by_severity(
    findings: Sequence[Finding], rules: Mapping[str, Rule], units: bool
) -> list[dict[str, Any]]:
    """Severity -> rule -> its failing and unknown findings, with the rule's remediation once."""
    out = []
    for sev in reversed(SEVERITIES):
        mine = [f for f in findings if f.severity == sev and f.status in ("fail", "unknown")]
        if not mine:
            continue
        groups = []
        for rule_id in sorted({f.rule_id for f in mine}):
            group = sorted(
                (f for f in mine if f.rule_id == rule_id),
                key=lambda f: (f.status != "fail", f.sort_key()),
            )
            rule = rules.get(rule_id)
            groups.append({
                "rule_id": rule_id,
                "rule_name": group[0].rule_name,
                "title": (rule.title if rule else "") or group[0].rule_name,
                "rationale": rule.rationale if rule else "",
                "compliance": list((rule.compliance if rule else ()) or group[0].compliance),
                "fail": sum(1 for f in group if f.status == "fail"),
                "unknown": sum(1 for f in group if f.status == "unknown"),
                "findings": [_finding(f, units) for f in group],
                "remediation": _remediation(rule),
            })  # fmt: skip
        out.append({"severity": sev, "rules": groups, "count": len(mine)})
    return out


def _remediation(rule: Rule | None) -> list[dict[str, str]]:
    fixes: Mapping[str, str] = rule.remediation if rule is not None else {}
    return [
        {"label": label, "code": str(fixes[key]).strip()}
        for key, label in _REMEDIATION
        if fixes.get(key)
    ]


def _accounts(audit: Any) -> list[dict[str, Any]]:
    if not isinstance(audit, Mapping):
        return []
    return [dict(a) for a in audit.get("accounts") or [] if isinstance(a, Mapping)]


def _coverage(coverage: Any) -> dict[str, Any] | None:
    """The heatmaps: critical scenarios (all of them if none is marked) by Region, one per
    deployment unit."""
    if not isinstance(coverage, Mapping):
        return None
    regions = [str(r) for r in coverage.get("regions") or []]
    if not regions:
        return None
    units = []
    for unit in coverage.get("units") or []:
        if not isinstance(unit, Mapping):
            continue
        scenarios = [s for s in unit.get("scenarios") or [] if isinstance(s, Mapping)]
        critical = [s for s in scenarios if s.get("critical")] or scenarios
        rows = []
        for sc in sorted(critical, key=lambda s: str(s.get("id", ""))):
            raw = sc.get("cells")
            cells: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
            rows.append({
                "id": str(sc.get("id", "")),
                "title": str(sc.get("title") or sc.get("id", "")),
                "cells": [_cell(region, cells.get(region)) for region in regions],
            })  # fmt: skip
        if rows:
            units.append({"unit": str(unit.get("unit") or ""), "rows": rows})
    if not units:
        return None
    return {"regions": regions, "units": units, "note": str(coverage.get("note") or "")}


def _cell(region: str, cell: Any) -> dict[str, str]:
    if not isinstance(cell, Mapping) or not isinstance(cell.get("captured_by"), list):
        return {"cls": "unk", "label": "?", "title": f"{region}: not known"}
    trails = [str(t) for t in cell["captured_by"]]
    if not trails:
        return {"cls": "miss", "label": "missed", "title": f"{region}: no trail records it"}
    detail = f"{region}: recorded by {', '.join(trails)}"
    if cell.get("alarm") is True:
        return {"cls": "alarm", "label": "alarm", "title": detail + "; an alarm fires"}
    if cell.get("eventbridge"):
        rules = ", ".join(str(r) for r in cell["eventbridge"])
        return {"cls": "alarm", "label": "rule", "title": f"{detail}; EventBridge rule {rules} "
                "notifies"}  # fmt: skip
    if cell.get("cloudwatch") is True:
        return {"cls": "logs", "label": "logs", "title": detail + "; sent to CloudWatch Logs"}
    return {"cls": "stored", "label": "stored", "title": detail + "; not sent to CloudWatch Logs"}


def _trails(trails: Any) -> list[dict[str, Any]] | None:
    if not isinstance(trails, Sequence) or isinstance(trails, str):
        return None
    return [dict(t) for t in trails if isinstance(t, Mapping)]


def _compliance(section: Any) -> dict[str, Any] | None:
    if not isinstance(section, Mapping) or not isinstance(section.get("controls"), list):
        return None
    return {
        "title": str(section.get("title") or section.get("framework") or ""),
        "summary": dict(section.get("summary") or {}),
        "controls": [
            {
                "id": str(c.get("id", "")),
                "title": str(c.get("title", "")),
                "status": str(c.get("status", "unknown")),
                "rules": ", ".join(str(r) for r in c.get("rules") or []),
                "why": str(c.get("why", "")),
            }
            for c in section["controls"]
            if isinstance(c, Mapping)
        ],
    }


def _not_checked(entries: Any) -> list[dict[str, str]] | None:
    if not isinstance(entries, Sequence) or isinstance(entries, str):
        return None
    out = []
    for e in entries:
        if not isinstance(e, Mapping):
            continue
        row = {k: str(e.get(k, "")) for k in ("account", "region", "call", "target", "error")}
        row["error"] = _short(row["error"], ERROR_CHARS)
        row["message"] = short_message(str(e.get("message", "")))
        out.append(row)
    return out


# A service's error can arrive as a whole response body (an XML error document, a proxy's HTML
# page, a JSON blob): the report shows the error code and a short message, never the body.
ERROR_CHARS = 120
MESSAGE_CHARS = 160
_BODY = re.compile(r"^\s*(<|\{|\[)")
_TAG = re.compile(r"<[^>]*>")
_XML_MESSAGE = re.compile(r"<Message>(.*?)</Message>", re.IGNORECASE | re.DOTALL)
_JSON_MESSAGE = re.compile(r'"message"\s*:\s*"((?:[^"\\]|\\.)*)"', re.IGNORECASE)


def short_message(message: str) -> str:
    """A service message fit for one table cell: a body's own message when it has one (XML
    `<Message>`, JSON `"message"`), else nothing from a body; cut to MESSAGE_CHARS."""
    if _BODY.match(message) or _TAG.search(message):
        found = _XML_MESSAGE.search(message) or _JSON_MESSAGE.search(message)
        message = _TAG.sub("", found.group(1)) if found else ""
    return _short(message, MESSAGE_CHARS)


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
