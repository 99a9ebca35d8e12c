"""Judging an organization per account, and its report sections (checker/commands/audit_org.py),
on hand-built audits: no emulator."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from checker.commands.audit_org import (
    judge_accounts,
    not_checked_cell,
    save_organization,
    sections,
    weakest,
)
from checker.engine import load_rules
from checker.loaders.aws.live import AccountSummary, LiveAudit, NotChecked
from checker.loaders.aws.live_shapes import where
from checker.loaders.aws.organization import OrgAccount, OrganizationListing
from checker.model import Diagnostic, Estate, InputFile, Trail
from checker.rules import Options

A, B, C = "111111111111", "222222222222", "333333333333"
OPTIONS = Options(regions=("us-east-1", "eu-west-1"))


def trail(account: str, name: str, *, org: bool = False) -> Trail:
    arn = f"arn:aws:cloudtrail:us-east-1:{account}:trail/{name}"
    return Trail(
        id=arn, name=name, arn=arn, account_id=account, home_region="us-east-1",
        location=where(account, "us-east-1"), is_organization=org, is_multi_region=True,
        is_logging=True,
    )  # fmt: skip


def audit(*trails: Trail) -> LiveAudit:
    role = f"arn:aws:iam::{C}:role/Audit"
    refused = NotChecked(C, "us-east-1", "sts:AssumeRole", role, "AccessDenied")
    estate = Estate(
        trails=trails,
        diagnostics=(Diagnostic("CT000", "fail", f"could not audit the account of {role}: "
                                f"{refused.reason}", where(C, ""), resource=role),),
        inputs=(InputFile(f"aws://{A}", "live"), InputFile(f"aws://{B}", "live"),
                InputFile(f"aws://{C}", "live", "error")),
        organization_accounts=(A, B, C),
        origin="live",
    )  # fmt: skip
    listing = OrganizationListing("o-1", A, "Audit", (
        OrgAccount(A, "management", "ACTIVE"), OrgAccount(B, "workload", "ACTIVE"),
        OrgAccount(C, "sandbox", "ACTIVE"),
    ))  # fmt: skip
    return LiveAudit(
        estate=estate,
        not_checked=(refused,),
        accounts=(
            AccountSummary(A, None, OPTIONS.regions, "ok", "management"),
            AccountSummary(B, f"arn:aws:iam::{B}:role/Audit", OPTIONS.regions, "ok", "workload"),
            AccountSummary(C, role, (), "error", "sandbox", refused.reason),
        ),
        organization=listing,
    )


def ct001(findings: list[Any]) -> dict[str, str]:
    return {f.file.split("/")[2]: f.status for f in findings if f.rule_id == "CT001"}


def test_one_accounts_trail_does_not_make_another_pass() -> None:
    judged = judge_accounts(audit(trail(A, "main")), load_rules(), OPTIONS)
    assert ct001(judged.findings) == {A: "pass", B: "fail"}  # C was not checked: not judged
    assert set(judged.matrices) == {A, B}


def test_an_organization_trail_covers_every_member() -> None:
    judged = judge_accounts(audit(trail(A, "org", org=True)), load_rules(), OPTIONS)
    assert ct001(judged.findings) == {A: "pass", B: "pass"}
    # B's finding is about B, though the trail that decides it is A's
    (b,) = [f for f in judged.findings if f.rule_id == "CT001" and B in f.file]
    assert (b.file, b.line) == (f"aws://{B}", 0)
    cells = judged.matrices[B]["scenarios"][0]["cells"]
    assert {c["status"] for c in cells.values()} == {"captured"}


def test_the_account_not_checked_keeps_only_its_ct000() -> None:
    judged = judge_accounts(audit(trail(A, "org", org=True)), load_rules(), OPTIONS)
    mine = [f for f in judged.findings if f.file.startswith(f"aws://{C}")]
    assert [(f.rule_id, f.status) for f in mine] == [("CT000", "fail")]


def test_sections_per_account() -> None:
    result = audit(trail(A, "org", org=True), trail(B, "own"))
    judged = judge_accounts(result, load_rules(), OPTIONS)
    out = sections(result, judged.findings, judged)
    by_id = {a["account_id"]: a for a in out["accounts"]}
    assert [a["status"] for a in out["accounts"]] == ["checked", "checked", "not_checked"]
    assert by_id[C]["verdict"] == "not_checked" and by_id[C]["summary"]["pass"] == 0
    assert "AccessDenied" in by_id[C]["reason"]
    assert {c["status"] for c in by_id[C]["coverage"].values()} == {"not_checked"}
    assert by_id[B]["trails"] == [f"arn:aws:cloudtrail:us-east-1:{B}:trail/own"]
    assert all(f["file"].startswith(f"aws://{B}") for f in by_id[B]["findings"])
    assert out["organization"]["summary"] == {
        "accounts": 3, "checked": 2, "partial": 0, "not_checked": 1,
    }  # fmt: skip
    assert out["organization"]["organization_trails"] == [
        f"arn:aws:cloudtrail:us-east-1:{A}:trail/org"
    ]
    critical = {s["id"] for s in out["organization"]["critical_scenarios"]}
    assert critical and set(by_id[A]["coverage"]) == critical


def test_a_partial_account_is_never_a_pass() -> None:
    result = audit(trail(A, "org", org=True))
    entry = NotChecked(B, "eu-west-1", "kms:DescribeKey", "k", "AccessDenied")
    result = replace(
        result,
        not_checked=(*result.not_checked, entry),
        accounts=tuple(replace(a, status="partial") if a.account_id == B else a
                       for a in result.accounts),
    )  # fmt: skip
    judged = judge_accounts(result, [r for r in load_rules() if r.id == "CT001"], OPTIONS)
    accounts = sections(result, judged.findings, judged)["accounts"]
    b = next(a for a in accounts if a["account_id"] == B)
    assert b["summary"]["fail"] == 0 and b["summary"]["unknown"] == 0
    assert (b["status"], b["verdict"]) == ("partial", "unknown")
    assert b["reason"] == "1 call(s) could not be made: the values they read are unknown"
    assert [e["call"] for e in b["not_checked"]] == ["kms:DescribeKey"]


def test_coverage_by_region_is_the_weakest_account() -> None:
    judged = judge_accounts(audit(trail(A, "main")), load_rules(), OPTIONS)
    coverage = judged.coverage()
    assert coverage is not None and coverage["regions"] == list(OPTIONS.regions)
    (unit,) = coverage["units"]
    cell = unit["scenarios"][0]["cells"]["us-east-1"]
    assert cell["status"] == "missed" and cell["missed_in"] == [B]
    assert "the weakest of 2 accounts" in coverage["note"]


# ---------------------------------------------------------------------------------------------
# Cells


def cell(status: str, trails: list[str] | None = None, cloudwatch: bool | None = True,
         alarm: bool | None = True, reason: str = "r") -> dict[str, Any]:  # fmt: skip
    captured_by = trails if status == "captured" else ([] if status == "missed" else None)
    return {"status": status, "captured_by": captured_by, "cloudwatch": cloudwatch,
            "alarm": alarm, "alarms": [], "reason": reason}  # fmt: skip


def test_weakest_missed_then_unknown_then_captured() -> None:
    got = weakest({"a": cell("captured", ["t1"]), "b": cell("missed"), "c": cell("unknown")}, "x")
    assert got["status"] == "missed" and got["captured_by"] == []
    assert (got["missed_in"], got["unknown_in"]) == (["b"], ["c"])
    got = weakest({"a": cell("captured", ["t1"]), "c": cell("unknown", reason="why")}, "x")
    assert got["status"] == "unknown" and got["captured_by"] is None
    assert got["reason"] == "c: why"


def test_weakest_captured_keeps_every_trail_and_the_weakest_delivery() -> None:
    got = weakest({
        "a": cell("captured", ["t1"]),
        "b": cell("captured", ["t2", "t1"], cloudwatch=True, alarm=None, reason="b's"),
    }, "Region")  # fmt: skip
    assert got["captured_by"] == ["t1", "t2"]
    assert (got["cloudwatch"], got["alarm"]) == (True, None)
    assert got["reason"] == "in every Region; b: b's"
    got = weakest({"a": cell("captured", ["t1"], cloudwatch=False, alarm=False)}, "Region")
    assert (got["cloudwatch"], got["alarm"], got["reason"]) == (False, False, "r")


def test_weakest_names_a_few_reasons() -> None:
    many = {f"r{i}": cell("missed", reason=f"m{i}") for i in range(5)}
    assert weakest(many, "Region")["reason"] == "r0: m0; r1: m1; r2: m2; and 2 more"
    assert weakest({}, "account") == not_checked_cell("no account was checked")


# ---------------------------------------------------------------------------------------------
# Snapshots


def test_save_writes_each_account_and_refuses_a_file(tmp_path: Path) -> None:
    import json

    result = audit(trail(A, "org", org=True), trail(B, "own"))
    written = save_organization(result, str(tmp_path / "out"))
    assert sorted(p.name for p in written) == [f"{A}.json", f"{B}.json", f"{C}.json"]
    c = json.loads((tmp_path / "out" / f"{C}.json").read_text())
    assert [e["call"] for e in c["not_checked"]] == ["sts:AssumeRole"]
    assert c["trails"] == [] and [d["rule_id"] for d in c["diagnostics"]] == ["CT000"]
    (tmp_path / "file").write_text("")
    from checker.errors import UsageError

    with pytest.raises(UsageError, match="cannot make the folder"):
        save_organization(result, str(tmp_path / "file"))
