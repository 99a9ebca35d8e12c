"""`trailcheck audit --organization --role-name NAME` against the emulator: an organization of 22
accounts (tests/live/organization.py), one without the role, one throttled, one closed, an
organization trail in the management account and a trail of its own in one member.

The organization is built and audited once for the module (about five seconds); each test reads
the reports of that one run.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from checker.aws_readonly import ReadOnlyViolation, guard_client, is_allowed
from checker.cli import build_parser, main
from checker.commands import audit as audit_command
from checker.engine import load_rules
from tests.live.conftest import FakeAws, fresh_emulator, without_backoff
from tests.live.organization import MANAGEMENT, ROLE_NAME, Org, OrgHooks, build_organization

REGIONS = "us-east-1,eu-west-1"


class Recorder:
    """Stands in for the rich progress bars: what the audit reported."""

    def __init__(self) -> None:
        self.tasks: list[dict[str, Any]] = []

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def add_task(self, label: str, total: int) -> int:
        self.tasks.append({"label": label, "total": total, "done": 0})
        return len(self.tasks) - 1

    def advance(self, task: int) -> None:
        self.tasks[task]["done"] += 1

    def label(self, task: int, label: str) -> None:
        self.tasks[task]["label"] = label


@dataclass
class Audited:
    org: Org
    hooks: OrgHooks
    aws: FakeAws
    code: int
    doc: dict[str, Any]
    html: str
    markdown: str
    text: str
    err: str
    saved: Path
    progress: Recorder

    def account(self, account_id: str) -> dict[str, Any]:
        return next(a for a in self.doc["accounts"] if a["account_id"] == account_id)


@pytest.fixture(scope="module")
def audited(moto_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Audited]:
    tmp = tmp_path_factory.mktemp("organization")
    with pytest.MonkeyPatch.context() as mp:
        aws = fresh_emulator(moto_url, mp, tmp)
        without_backoff(mp)
        org = build_organization(aws)
        hooks = OrgHooks(org)
        hooks.register(aws.add_hook)
        progress = Recorder()
        mp.setattr(audit_command, "show_progress", lambda args=None: True)
        mp.setattr(audit_command, "RichProgress", lambda: progress)
        aws.sent.clear()
        args = build_parser().parse_args([
            "audit", "--organization", "--role-name", ROLE_NAME, "--endpoint-url", aws.url,
            "--regions", REGIONS, "--no-config", "--save", str(tmp / "snapshots"),
            "--output", f"json={tmp / 'report.json'}", "--output", f"html={tmp / 'report.html'}",
            "--output", f"markdown={tmp / 'report.md'}",
        ])  # fmt: skip
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = audit_command.run(args, session_factory=aws.factory)
        yield Audited(
            org, hooks, aws, code,
            json.loads((tmp / "report.json").read_text(encoding="utf-8")),
            (tmp / "report.html").read_text(encoding="utf-8"),
            (tmp / "report.md").read_text(encoding="utf-8"),
            out.getvalue(), err.getvalue(), tmp / "snapshots", progress,
        )  # fmt: skip


def test_every_account_appears_in_every_format(audited: Audited) -> None:
    ids = audited.org.accounts
    assert len(ids) == 22
    assert [a["account_id"] for a in audited.doc["accounts"]] == ids
    assert audited.doc["organization"]["summary"] == {
        "accounts": 22, "checked": 19, "partial": 0, "not_checked": 3,
    }  # fmt: skip
    assert audited.doc["organization"]["id"] == audited.org.org_id
    assert audited.doc["organization"]["management_account_id"] == MANAGEMENT
    for account in ids:
        assert f'id="account-{account}"' in audited.html
        assert f"### Account {account}" in audited.markdown
        assert f"  {account}  " in audited.text
    # the heatmap: one row per account, one column per critical scenario
    scenarios = audited.doc["organization"]["critical_scenarios"]
    assert scenarios
    assert audited.html.count('<th class="scenario"') == len(scenarios)
    for a in audited.doc["accounts"]:
        assert set(a["coverage"]) == {s["id"] for s in scenarios}


def _not_checked_everywhere(audited: Audited, account: str, reason: str) -> None:
    a = audited.account(account)
    assert a["status"] == "not_checked" and a["verdict"] == "not_checked"
    assert reason in a["reason"]
    assert {c["status"] for c in a["coverage"].values()} == {"not_checked"}
    assert a["summary"]["pass"] == 0  # nothing in it is judged, so nothing passes
    assert f"| {account} | " in audited.markdown and reason in audited.markdown
    assert f"{account}" in audited.text and f"NOT CHECKED: {a['reason']}" in audited.text
    section = audited.html.split(f'id="account-{account}"', 1)[1].split("</section>", 1)[0]
    assert "NOT CHECKED" in section and "Nothing in this account was judged." in section
    assert account in audited.err  # "N account(s) not checked: ..."


def test_role_less_account_is_not_checked_with_its_reason(audited: Audited) -> None:
    account = audited.org.role_less
    _not_checked_everywhere(audited, account, "sts:AssumeRole")
    reason = audited.account(account)["reason"]
    assert reason == (
        f"sts:AssumeRole on arn:aws:iam::{account}:role/{ROLE_NAME} failed: AccessDenied"
    )
    (ct000,) = audited.account(account)["findings"]
    assert (ct000["rule_id"], ct000["status"]) == ("CT000", "fail")
    assert any(e["call"] == "sts:AssumeRole" for e in audited.doc["not_checked"])


def test_throttled_account_is_not_checked_with_its_reason(audited: Audited) -> None:
    account = audited.org.throttled
    _not_checked_everywhere(audited, account, "ThrottlingException after 6 attempts")
    assert audited.hooks.throttled_calls, "the throttling hook never fired"
    assert "cloudtrail:DescribeTrails failed in every audited Region" in (
        audited.account(account)["reason"]
    )
    entries = audited.account(account)["not_checked"]
    assert {e["call"] for e in entries} == {"cloudtrail:DescribeTrails"}
    assert {e["region"] for e in entries} == set(REGIONS.split(","))


def test_closed_account_is_not_checked(audited: Audited) -> None:
    account = audited.org.closed
    _not_checked_everywhere(audited, account, "SUSPENDED")
    (ct000,) = audited.account(account)["findings"]
    assert (ct000["rule_id"], ct000["status"]) == ("CT000", "unknown")
    assert not [e for e in audited.doc["not_checked"] if e["account"] == account]  # no call made


def test_exit_code_says_accounts_could_not_be_read(audited: Audited) -> None:
    assert audited.code == 2  # CT000 failures: the role-less and the throttled accounts
    assert "3 account(s) not checked" in audited.err


def test_the_organization_trail_covers_every_member(audited: Audited) -> None:
    org_trail = audited.org.org_trail_arn
    assert audited.doc["organization"]["organization_trails"] == [org_trail]
    checked = [a for a in audited.doc["accounts"] if a["status"] == "checked"]
    assert len(checked) == 19
    for a in checked:
        ct001 = [f for f in a["findings"] if f["rule_id"] == "CT001"]
        assert [f["status"] for f in ct001] == ["pass"], a["account_id"]
        # judged as its own unit: located in the account, at the deciding trail if it is its own
        assert ct001[0]["file"].split("/")[2] == a["account_id"]
        for cell in a["coverage"].values():
            assert cell["status"] == "captured" and cell["captured_by"] == [org_trail]
    # the trail is read once, through its owner, though every member lists it
    (card,) = [t for t in audited.doc["trails"] if t["id"] == org_trail]
    assert card["logging"] is True and card["organization"] is True
    assert audited.aws.sent[("cloudtrail", "GetTrailStatus")] == 2  # org-trail and own-trail


def test_a_members_own_trail_is_its_own(audited: Audited) -> None:
    a = audited.account(audited.org.own_trail)
    assert a["trails"] == [audited.org.own_trail_arn]
    ct004 = [f for f in a["findings"] if f["rule_id"] == "CT004"]
    assert [(f["resource"], f["status"]) for f in ct004] == [(audited.org.own_trail_arn, "fail")]
    for other in audited.doc["accounts"]:  # nobody else gets the member's trail
        if other["account_id"] != audited.org.own_trail:
            assert audited.org.own_trail_arn not in other["trails"]
            assert all(f["resource"] != audited.org.own_trail_arn for f in other["findings"])


def test_the_log_bucket_is_read_through_its_owner(audited: Audited) -> None:
    archive = audited.account(audited.org.log_archive)
    bucket = f"arn:aws:s3:::org-logs-{audited.org.log_archive}"
    assert any(f["resource"] == bucket for f in archive["findings"] + [
        f for f in audited.doc["findings"] if f["file"].startswith(f"aws://{audited.org.log_archive}")
    ])  # fmt: skip
    assert not [e for e in audited.doc["not_checked"] if bucket.split(":::")[1] in e["target"]]


def test_json_keeps_the_existing_keys(audited: Audited) -> None:
    doc = audited.doc
    assert {"schema_version", "tool", "inputs", "findings", "summary", "audit", "not_checked",
            "trails", "coverage", "accounts", "organization"} <= set(doc)  # fmt: skip
    for a in doc["audit"]["accounts"]:
        assert set(a) == {"account_id", "role_arn", "status", "regions"}
    # every account's findings are in the report's findings
    listed = {json.dumps(f, sort_keys=True) for f in doc["findings"]}
    for a in doc["accounts"]:
        for f in a["findings"]:
            assert json.dumps(f, sort_keys=True) in listed
    assert sum(a["summary"]["fail"] for a in doc["accounts"]) == doc["summary"]["fail"]


def test_progress_counts_accounts_done_and_not_checked(audited: Audited) -> None:
    (accounts,) = [t for t in audited.progress.tasks if t["label"].startswith("accounts")]
    assert accounts["total"] == 22 and accounts["done"] == 22
    assert accounts["label"] == "accounts (3 not checked)"


def test_the_audit_made_only_allowed_calls(audited: Audited) -> None:
    assert ("organizations", "ListAccounts") in audited.aws.sent
    assert ("organizations", "DescribeOrganization") in audited.aws.sent
    for service, op in audited.aws.sent:
        assert is_allowed(service, op), f"{service}:{op}"


def test_html_is_one_self_contained_file(audited: Audited) -> None:
    page = audited.html
    assert "<script" not in page and "<link" not in page and 'src="http' not in page
    assert 'id="organization"' in page and "Critical scenarios by account" in page
    assert "td.cell.skip" in page  # not-checked cells have their own look
    assert "overflow-wrap: anywhere" in page  # long ARNs wrap inside cells


# ---------------------------------------------------------------------------------------------
# One snapshot per account, and `scan DIR`


def test_save_writes_one_snapshot_per_account(audited: Audited) -> None:
    from checker.loaders.aws.snapshot import validate

    files = sorted(p.name for p in audited.saved.iterdir())
    assert files == [f"{a}.json" for a in audited.org.accounts]
    org_trail_in = []
    for path in audited.saved.iterdir():
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert validate(doc) is None, path
        assert [a["account_id"] for a in doc["accounts"]] == [path.stem]
        assert doc["organization_accounts"] == audited.org.accounts
        if any(t["id"] == audited.org.org_trail_arn for t in doc["trails"]):
            org_trail_in.append(path.stem)
    assert org_trail_in == [MANAGEMENT]  # each object once, in its owner's snapshot
    role_less = json.loads((audited.saved / f"{audited.org.role_less}.json").read_text())
    assert [e["call"] for e in role_less["not_checked"]] == ["sts:AssumeRole"]
    assert [d["rule_id"] for d in role_less["diagnostics"]] == ["CT000"]


def _scan(folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main(["scan", str(folder), "--format", "json", "--regions", REGIONS, "--no-config"])
    return code, json.loads(capsys.readouterr().out)


def _key(f: dict[str, Any]) -> tuple[str, str, str, str, str]:
    return (f["rule_id"], f["status"], f["severity"], f["resource"], f["message"])


def test_scan_of_the_folder_reads_each_snapshot_as_a_unit(
    audited: Audited, capsys: pytest.CaptureFixture[str]
) -> None:
    code, scan = _scan(audited.saved, capsys)
    assert code == 2  # the accounts not checked are still CT000 failures offline
    # paths as reports show them (relative to the current folder when near it)
    assert sorted(os.path.abspath(i["path"]) for i in scan["inputs"]) == sorted(
        str(audited.saved / f"{a}.json") for a in audited.org.accounts
    )
    assert {i["kind"] for i in scan["inputs"]} == {"snapshot"}
    # rules about one trail or one resource, and the CT000s, judge exactly as the audit did;
    # estate rules, judged per account by the audit, wait for the engine to judge them per unit
    # (docs/architecture.md, "Estates and deployment units"): scan judges the folder as one estate
    per_unit = {r.id for r in load_rules() if r.scope == "estate"}
    offline = sorted(_key(f) for f in scan["findings"] if f["rule_id"] not in per_unit)
    live = sorted(_key(f) for f in audited.doc["findings"] if f["rule_id"] not in per_unit)
    assert offline == live


# ---------------------------------------------------------------------------------------------
# Without an organization, and the guard on the new calls


def test_outside_an_organization_is_a_clear_error(
    aws: FakeAws, capsys: pytest.CaptureFixture[str]
) -> None:
    args = build_parser().parse_args(["audit", "--organization", "--role-name", ROLE_NAME,
                                      "--endpoint-url", aws.url, "--no-config"])  # fmt: skip
    code = audit_command.run(args, session_factory=aws.factory)
    err = capsys.readouterr().err
    assert code == 2
    assert "not in an organization" in err and "AWSOrganizationsNotInUseException" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.create_account(AccountName="x", Email="x@example.com"),
        lambda c: c.close_account(AccountId="111122223333"),
        lambda c: c.leave_organization(),
        lambda c: c.detach_policy(PolicyId="p-FullAWSAccess", TargetId="r-0000"),
        lambda c: c.delete_organization(),
    ],
)
def test_organization_writes_are_refused(aws: FakeAws, call: Any) -> None:
    aws.client("organizations").create_organization(FeatureSet="ALL")
    client = guard_client(aws.session().client("organizations", endpoint_url=aws.url))
    aws.sent.clear()
    with pytest.raises(ReadOnlyViolation):
        call(client)
    assert not aws.sent, "the write went out"
    assert aws.client("organizations").describe_organization()["Organization"]["Id"]


def test_a_caller_that_cannot_list_the_accounts_is_told_where_to_run(
    aws: FakeAws, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.live.conftest import response

    aws.client("organizations").create_organization(FeatureSet="ALL")
    denied = b'{"__type":"AccessDeniedException","Message":"not the management account"}'
    aws.add_hook(
        "before-send.organizations.ListAccounts",
        lambda request, **_: response(request.url, 400, denied, "application/x-amz-json-1.1"),
    )
    args = build_parser().parse_args(["audit", "--organization", "--role-name", ROLE_NAME,
                                      "--endpoint-url", aws.url, "--no-config"])  # fmt: skip
    assert audit_command.run(args, session_factory=aws.factory) == 2
    err = capsys.readouterr().err
    assert "organizations:ListAccounts in us-east-1 failed: AccessDeniedException" in err
    assert "management account or of a delegated administrator" in err
