"""The organization's sections of an audit report (`trailcheck audit --organization`), for the
HTML, Markdown and text reports; the JSON report carries the same data as it is.

The data (checker/commands/audit_org.py) is two keys of `report.extra`:

    "organization": {"id", "management_account_id", "role_name",
                     "summary": {"accounts", "checked", "partial", "not_checked"},
                     "organization_trails": [ARN, ...],
                     "critical_scenarios": [{"id", "title"}, ...]}
    "accounts": [{"account_id", "name", "status": "checked"|"partial"|"not_checked", "reason",
                  "verdict": "pass"|"fail"|"unknown"|"not_checked", "role_arn", "regions",
                  "summary": {"fail", "pass", "unknown", "suppressed"}, "trails",
                  "findings": [finding, ...], "not_checked": [call, ...],
                  "coverage": {scenario id: cell}}, ...]

A coverage cell is the simulator's (checker/simulator/scenarios.py) standing for every Region
of the account, with `missed_in` / `unknown_in` naming the Regions that make it so, or status
"not_checked" for an account that was not checked: such an account is never shown as clean.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from checker.findings import severity_rank

_STATUS_WORDS = {"checked": "checked", "partial": "partial", "not_checked": "NOT CHECKED"}
_VERDICT_WORDS = {"pass": "PASSED", "fail": "FAILED", "unknown": "NOT FULLY KNOWN",
                  "not_checked": "NOT CHECKED"}  # fmt: skip
_MD_LABELS = {"alarm": "alarm", "logs": "logs", "stored": "S3 only", "miss": "**MISSED**",
              "unk": "?", "skip": "not checked"}  # fmt: skip


def heat(cell: Any) -> dict[str, str]:
    """A heatmap cell: its class (the by-Region heatmap's, plus `skip`), label and tooltip."""
    if not isinstance(cell, Mapping):
        return {"cls": "unk", "label": "?", "title": "not known"}
    reason = str(cell.get("reason") or "")
    status = cell.get("status")
    if status == "not_checked":
        return {"cls": "skip", "label": "not checked", "title": f"not checked: {reason}"}
    if status == "missed":
        where = ", ".join(cell.get("missed_in") or [])
        return {"cls": "miss", "label": "missed", "title": f"missed in {where}: {reason}"}
    if status != "captured":
        where = ", ".join(cell.get("unknown_in") or [])
        return {"cls": "unk", "label": "?", "title": f"not known in {where}: {reason}"}
    if cell.get("alarm") is True:
        return {"cls": "alarm", "label": "alarm", "title": f"recorded, alarmed: {reason}"}
    if cell.get("cloudwatch") is True:
        return {"cls": "logs", "label": "logs", "title": f"recorded, in CloudWatch Logs: {reason}"}
    return {"cls": "stored", "label": "stored", "title": f"recorded in S3 only: {reason}"}


def _accounts(extra: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    accounts = extra.get("accounts")
    if not isinstance(accounts, Sequence) or isinstance(accounts, str):
        return []
    return [a for a in accounts if isinstance(a, Mapping)]


def _organization(extra: Mapping[str, Any]) -> Mapping[str, Any] | None:
    org = extra.get("organization")
    return org if isinstance(org, Mapping) else None


def _problems(account: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Failing, then unknown findings, the most severe first."""
    shown = [f for f in account.get("findings") or [] if f.get("status") in ("fail", "unknown")]
    return sorted(
        shown,
        key=lambda f: (f["status"] != "fail", -severity_rank(f["severity"]), f["rule_id"],
                       f["resource"]),
    )  # fmt: skip


def _name(account: Mapping[str, Any]) -> str:
    return str(account.get("name") or "")


# ---------------------------------------------------------------------------------------------
# HTML (templates/organization.html.j2 and accounts.html.j2)


def view(extra: Mapping[str, Any]) -> dict[str, Any] | None:
    org = _organization(extra)
    if org is None:
        return None
    scenarios = [s for s in org.get("critical_scenarios") or [] if isinstance(s, Mapping)]
    accounts = _accounts(extra)
    return {
        "id": org.get("id") or "",
        "management_account_id": org.get("management_account_id") or "",
        "role_name": org.get("role_name") or "",
        "summary": dict(org.get("summary") or {}),
        "organization_trails": list(org.get("organization_trails") or []),
        "scenarios": [{"id": str(s.get("id")), "title": str(s.get("title"))} for s in scenarios],
        "not_checked": [a for a in accounts if a.get("status") == "not_checked"],
        "rows": [
            {
                "account_id": a.get("account_id"),
                "name": _name(a),
                "verdict": a.get("verdict"),
                "cells": [heat((a.get("coverage") or {}).get(s["id"])) for s in scenarios],
            }
            for a in accounts
        ],
        "accounts": [
            {
                **a,
                "status_word": _STATUS_WORDS.get(str(a.get("status")), str(a.get("status"))),
                "verdict_word": _VERDICT_WORDS.get(str(a.get("verdict")), str(a.get("verdict"))),
                "problems": [
                    {**f, "where": f"{f['file']}:{f['line']}" if f.get("line") else f["file"]}
                    for f in _problems(a)
                ],
            }
            for a in accounts
        ],
    }


# ---------------------------------------------------------------------------------------------
# Markdown


def _md(value: Any) -> str:
    text = " ".join(str(value).split())
    return text.replace("|", "\\|").replace("<", "&lt;")


def markdown(extra: Mapping[str, Any]) -> list[str]:
    """The organization summary, the heatmap of accounts by critical scenario, and one section
    per account; nothing when the report is not an organization audit."""
    org = _organization(extra)
    if org is None:
        return []
    accounts = _accounts(extra)
    s = org.get("summary") or {}
    out = [
        f"### Organization {_md(org.get('id') or '(id not known)')}",
        "",
        f"Management account `{_md(org.get('management_account_id') or '?')}`, role "
        f"`{_md(org.get('role_name') or '')}` assumed in each account: {s.get('accounts', 0)} "
        f"accounts, {s.get('checked', 0)} checked, {s.get('partial', 0)} partly checked, "
        f"{s.get('not_checked', 0)} not checked.",
        "",
    ]
    trails = org.get("organization_trails") or []
    out += [
        "Organization trails (they record every member account): "
        + (", ".join(f"`{_md(t)}`" for t in trails) or "none"),
        "",
    ]
    unchecked = [a for a in accounts if a.get("status") == "not_checked"]
    if unchecked:
        out += [f"#### Not checked ({len(unchecked)})", "", "| account | name | why |",
                "|---|---|---|"]  # fmt: skip
        out += [
            f"| {_md(a.get('account_id'))} | {_md(_name(a))} | {_md(a.get('reason') or '')} |"
            for a in unchecked
        ]
        out.append("")
    scenarios = [x for x in org.get("critical_scenarios") or [] if isinstance(x, Mapping)]
    if scenarios:
        out += ["#### Critical scenarios by account", ""]
        out += [f"{i}. {_md(x.get('title'))} (`{_md(x.get('id'))}`)"
                for i, x in enumerate(scenarios, 1)]  # fmt: skip
        out += ["", "| account | name | verdict | " + " | ".join(
            str(i) for i in range(1, len(scenarios) + 1)) + " |",
            "|---|---|---|" + "---|" * len(scenarios)]  # fmt: skip
        for a in accounts:
            cells = [
                _MD_LABELS[heat((a.get("coverage") or {}).get(x.get("id")))["cls"]]
                for x in scenarios
            ]
            verdict = _VERDICT_WORDS.get(str(a.get("verdict")), str(a.get("verdict")))
            out.append(
                f"| {_md(a.get('account_id'))} | {_md(_name(a))} | {verdict} | "
                + " | ".join(cells) + " |"
            )
        out.append("")
    for a in accounts:
        out += _markdown_account(a)
    return out


def _markdown_account(a: Mapping[str, Any]) -> list[str]:
    title = f"### Account {_md(a.get('account_id'))}"
    if _name(a):
        title += f" ({_md(_name(a))})"
    verdict = _VERDICT_WORDS.get(str(a.get("verdict")), str(a.get("verdict")))
    out = [f"{title}: {verdict}", ""]
    status = _STATUS_WORDS.get(str(a.get("status")), str(a.get("status")))
    line = f"Status: {status}"
    if a.get("reason"):
        line += f" ({_md(a['reason'])})"
    through = f"`{_md(a['role_arn'])}`" if a.get("role_arn") else "the caller's credentials"
    regions = ", ".join(a.get("regions") or []) or "none"
    out += [f"{line}. Read through {through}; Regions: {_md(regions)}.", ""]
    if a.get("status") == "not_checked":
        return [*out, "Nothing in this account was judged.", ""]
    c = a.get("summary") or {}
    out += [f"{c.get('fail', 0)} failed, {c.get('unknown', 0)} unknown, {c.get('pass', 0)} "
            f"passed, {c.get('suppressed', 0)} suppressed.", ""]  # fmt: skip
    problems = _problems(a)
    if problems:
        out += ["| status | severity | rule | resource | why |", "|---|---|---|---|---|"]
        out += [
            f"| {f['status']} | {f['severity']} | {f['rule_id']} | `{_md(f['resource'])}` | "
            f"{_md(f['message'])} |"
            for f in problems
        ]
        out.append("")
    entries = a.get("not_checked") or []
    if entries:
        out += [f"Could not be checked ({len(entries)}):", ""]
        out += [f"- {_md(e.get('reason', ''))}" for e in entries]
        out.append("")
    return out


# ---------------------------------------------------------------------------------------------
# Text


def text(extra: Mapping[str, Any]) -> str:
    """The text report's tail: one line per account (nothing when not an organization audit)."""
    org = _organization(extra)
    if org is None:
        return ""
    accounts = _accounts(extra)
    s = org.get("summary") or {}
    lines = [
        "",
        f"Organization {org.get('id') or '(id not known)'}: {s.get('accounts', 0)} accounts, "
        f"{s.get('checked', 0)} checked, {s.get('partial', 0)} partly checked, "
        f"{s.get('not_checked', 0)} not checked",
    ]
    width = max((len(_name(a)) for a in accounts), default=0)
    for a in accounts:
        head = f"  {a.get('account_id', '')}  {_name(a):<{width}}  "
        if a.get("status") == "not_checked":
            lines.append(f"{head}NOT CHECKED: {a.get('reason') or ''}")
            continue
        c = a.get("summary") or {}
        verdict = _VERDICT_WORDS.get(str(a.get("verdict")), str(a.get("verdict")))
        detail = f"{c.get('fail', 0)} failed, {c.get('unknown', 0)} unknown"
        if a.get("status") == "partial":
            detail += f"; {a.get('reason') or 'partly checked'}"
        lines.append(f"{head}{verdict}: {detail}")
    return "\n".join(lines) + "\n"
