"""`trailcheck audit --organization`: each account judged as its own deployment unit, the
organization's sections of the report, and one snapshot per account.

Judging (docs/architecture.md, "Estates and deployment units"): rules about one trail or one
resource are judged once on the whole audit; rules about the set of trails (scope `estate`) are
judged per account, on that account's own trails plus the organization trails, which record every
member account (`organization.judged_estate`), so that one account's trail never makes another pass.
An account that was not checked (its role could not be assumed, its trails could not be listed in
any Region, or the organization lists it as not ACTIVE) is not judged at all: its CT000
finding says why, and every report shows it as not checked, never as clean.

An estate finding is about the account judged: one the rule placed in another account (at the
organization trail, at the log archive bucket) is moved to the account (`aws://ACCOUNT`); the
message still names the trail or bucket. Accounts judged on the same trails (those without a
trail of their own) are judged once.

Until the engine judges estate rules per load unit itself, this module does it; the audit's
objects already carry their account's unit (`organization.with_account_units`).

The report gets two added sections (`extra`), documented in checker/report/organization.py:
`accounts` (one entry per account: status, reason, findings, coverage of the critical
scenarios) and `organization` (the listing, the counts, the critical scenarios), and `coverage`
(scenarios by Region) becomes the weakest account's cell in each Region.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.errors import UsageError
from checker.findings import Finding

if TYPE_CHECKING:
    from checker.loaders.aws.live import AccountSummary, LiveAudit
    from checker.rules import Options, Rule

# the report's words for the loader's account statuses
STATUS_WORDS = {"ok": "checked", "partial": "partial", "error": "not_checked",
                "skipped": "not_checked"}  # fmt: skip
NOT_JUDGED = frozenset({"error", "skipped"})


@dataclass(frozen=True)
class Judged:
    findings: list[Finding]
    matrices: dict[str, dict[str, Any]]  # account -> scenarios by Region (accounts judged)

    def coverage(self) -> dict[str, Any] | None:
        """Scenarios by Region, each cell the weakest of the judged accounts' cells."""
        if not self.matrices:
            return None
        first = next(iter(self.matrices.values()))
        rows = []
        for i, row in enumerate(first["scenarios"]):
            cells = {
                region: weakest({acct: m["scenarios"][i]["cells"][region]
                                 for acct, m in self.matrices.items()}, "account")
                for region in first["regions"]
            }  # fmt: skip
            rows.append({**{k: v for k, v in row.items() if k != "cells"}, "cells": cells})
        return {"regions": list(first["regions"]),
                "units": [{"unit": "organization", "scenarios": rows}],
                "note": f"the weakest of {len(self.matrices)} accounts in each cell"}  # fmt: skip


def judge_accounts(result: LiveAudit, rules: Sequence[Rule], options: Options) -> Judged:
    """The findings of an organization audit, estate rules judged per account."""
    from checker.engine import evaluate
    from checker.loaders.aws.organization import (
        account_of,
        account_unit,
        judged_estate,
        split_by_account,
    )
    from checker.model import Location
    from checker.simulator.scenarios import coverage_matrix

    per_object = [r for r in rules if r.scope != "estate"]
    per_account = [r for r in rules if r.scope == "estate"]
    findings = set(evaluate(result.estate, per_object, options))  # with every CT000
    parts = split_by_account(result.estate, [a.account_id for a in result.accounts])
    matrices: dict[str, dict[str, Any]] = {}
    # accounts judged on the same trails (those with no trail of their own: most of them) are
    # judged once: estate rules read only the trails and what they point at
    judged_by_trails: dict[tuple[str, ...], tuple[list[Finding], dict[str, Any]]] = {}
    for account in result.accounts:
        if account.status in NOT_JUDGED:
            continue
        own = parts[account.account_id]
        judged = replace(judged_estate(result.estate, own, account.account_id), diagnostics=())
        key = tuple(t.id for t in judged.trails)
        if key not in judged_by_trails:
            # the same estate object: the coverage reuses the rules' simulation
            judged_by_trails[key] = (
                evaluate(judged, per_account, options),
                coverage_matrix(judged, options.expected_regions),
            )
        found, matrices[account.account_id] = judged_by_trails[key]
        for f in found:
            # a finding placed in another account (at an organization trail, at the log
            # bucket, or at the account judged first) is about this account all the same
            if account_of(Location(f.file)) != account.account_id:
                f = replace(f, file=f"aws://{account.account_id}", line=0)
            findings.add(replace(f, unit=account_unit(account.account_id)))
    return Judged(sorted(findings, key=Finding.sort_key), matrices)


# ---------------------------------------------------------------------------------------------
# Cells


_RANK = {"captured": 0, "unknown": 1, "missed": 2}
_SHOWN_REASONS = 3


def weakest(cells: Mapping[str, Mapping[str, Any]], what: str) -> dict[str, Any]:
    """One coverage cell standing for several (the Regions of an account, or the accounts in a
    Region), keyed by their names: missed where any is missed, else unknown where any is
    unknown, else captured; sent to CloudWatch Logs or alarmed only where every one is.
    `missed_in` and `unknown_in` name the cells that make it so."""
    if not cells:
        return not_checked_cell(f"no {what} was checked")
    status = max((str(c["status"]) for c in cells.values()), key=_RANK.__getitem__)

    def every(key: str) -> bool | None:
        values = [c.get(key) for c in cells.values()]
        if any(v is False for v in values):
            return False
        return None if any(v is None for v in values) else True

    captured_by: list[str] | None = None
    if status == "captured":
        captured_by = list(dict.fromkeys(t for c in cells.values() for t in c["captured_by"]))
        # the reason of the cell whose delivery is the weakest
        name, cell = min(
            cells.items(),
            key=lambda kv: (kv[1].get("cloudwatch") is True, kv[1].get("alarm") is True),
        )
        reason = cell["reason"] if len(cells) == 1 else f"in every {what}; {name}: {cell['reason']}"
    else:
        captured_by = [] if status == "missed" else None
        worst = [f"{n}: {c['reason']}" for n, c in cells.items() if c["status"] == status]
        reason = "; ".join(worst[:_SHOWN_REASONS])
        if len(worst) > _SHOWN_REASONS:
            reason += f"; and {len(worst) - _SHOWN_REASONS} more"
    return {
        "status": status,
        "captured_by": captured_by,
        "cloudwatch": every("cloudwatch"),
        "alarm": every("alarm"),
        "alarms": list(dict.fromkeys(a for c in cells.values() for a in c.get("alarms") or ())),
        "reason": reason,
        "missed_in": [n for n, c in cells.items() if c["status"] == "missed"],
        "unknown_in": [n for n, c in cells.items() if c["status"] == "unknown"],
    }


def not_checked_cell(reason: str) -> dict[str, Any]:
    return {
        "status": "not_checked", "captured_by": None, "cloudwatch": None, "alarm": None,
        "alarms": [], "reason": reason, "missed_in": [], "unknown_in": [],
    }  # fmt: skip


# ---------------------------------------------------------------------------------------------
# The report's sections


def sections(result: LiveAudit, findings: Sequence[Finding], judged: Judged) -> dict[str, Any]:
    """`accounts` and `organization`, JSON-ready (findings after suppressions)."""
    from checker.loaders.aws.organization import account_of
    from checker.model import Location
    from checker.simulator.scenarios import load_catalog

    critical = [s for s in load_catalog() if s.critical] or list(load_catalog())
    by_account: dict[str, list[Finding]] = {}
    for f in findings:
        by_account.setdefault(account_of(Location(f.file)), []).append(f)
    entries: dict[str, list[dict[str, str]]] = {}
    for n in result.not_checked:
        entries.setdefault(n.account, []).append(n.to_json())
    accounts = [
        _account(a, by_account.get(a.account_id, []), entries.get(a.account_id, []), result,
                 judged.matrices.get(a.account_id), critical)
        for a in result.accounts
    ]  # fmt: skip
    counts = Counter(a["status"] for a in accounts)
    listing = result.organization
    organization = {
        **(listing.to_json() if listing is not None else {}),
        "summary": {"accounts": len(accounts), "checked": counts["checked"],
                    "partial": counts["partial"], "not_checked": counts["not_checked"]},
        "organization_trails": sorted(t.id for t in result.estate.trails
                                      if t.is_organization is True),
        "critical_scenarios": [{"id": s.id, "title": s.title} for s in critical],
    }  # fmt: skip
    return {"accounts": accounts, "organization": organization}


def _account(
    summary: AccountSummary,
    findings: list[Finding],
    entries: list[dict[str, str]],
    result: LiveAudit,
    matrix: Mapping[str, Any] | None,
    critical: Sequence[Any],
) -> dict[str, Any]:
    status = STATUS_WORDS[summary.status]
    reason = summary.reason or None
    if status == "partial":
        reason = f"{len(entries)} call(s) could not be made: the values they read are unknown"
    counts = Counter(f.status for f in findings)
    if status == "not_checked":
        verdict = "not_checked"
    else:
        verdict = "fail" if counts["fail"] else "unknown" if counts["unknown"] else "pass"
        if verdict == "pass" and status == "partial":
            verdict = "unknown"
    rows = {r["id"]: r for r in matrix["scenarios"]} if matrix is not None else {}
    coverage = {
        s.id: weakest(rows[s.id]["cells"], "Region") if s.id in rows
        else not_checked_cell(reason or "the account was not checked")
        for s in critical
    }  # fmt: skip
    return {
        "account_id": summary.account_id,
        "name": summary.name,
        "status": status,
        "reason": reason,
        "verdict": verdict,
        "role_arn": summary.role_arn,
        "regions": list(summary.regions),
        "summary": {s: counts.get(s, 0) for s in ("fail", "pass", "unknown", "suppressed")},
        "trails": sorted(t.id for t in result.estate.trails
                         if t.account_id == summary.account_id),
        "findings": [f.to_json() for f in findings],
        "not_checked": entries,
        "coverage": coverage,
    }  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Snapshots


def save_organization(result: LiveAudit, folder: str) -> list[Path]:
    """One snapshot per account in `folder` (made if needed): the account's own objects, the
    organization's members, and the calls about it that failed. `trailcheck scan FOLDER`
    loads each file as its own unit; together they hold the whole audit, each object once."""
    from checker.loaders.aws.organization import split_by_account
    from checker.loaders.aws.snapshot import dump_snapshot

    root = Path(folder)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"--save {folder}: cannot make the folder: {e.strerror or e}") from e
    parts = split_by_account(result.estate, [a.account_id for a in result.accounts])
    written = []
    for account in result.accounts:
        doc = dump_snapshot(parts[account.account_id])
        doc["accounts"] = [{"account_id": account.account_id, "regions": list(account.regions)}]
        doc["not_checked"] = [
            n.to_json() for n in result.not_checked if n.account == account.account_id
        ]
        path = root / f"{account.account_id}.json"
        write_snapshot(doc, path)
        written.append(path)
    return written


def write_snapshot(doc: Mapping[str, Any], path: Path) -> None:
    try:
        path.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as e:
        raise UsageError(f"cannot write {path}: {e.strerror or e}") from e
