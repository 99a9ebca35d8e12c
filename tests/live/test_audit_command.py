"""`trailcheck audit` end to end against the emulator: options, reports, exit codes, --save."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from checker.cli import build_parser, main
from checker.commands import audit as audit_command
from tests.live.account import ACCOUNT_ID, Account
from tests.live.conftest import FakeAws

REGIONS = "us-east-1,eu-west-1,us-west-2"


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["audit", *argv])


def run(aws: FakeAws, *argv: str) -> int:
    args = parse("--endpoint-url", aws.url, "--regions", REGIONS, "--no-config", *argv)
    return audit_command.run(args, session_factory=aws.factory)


def test_options() -> None:
    options = audit_command.audit_options(
        parse("--regions", "eu-west-1, us-east-1,eu-west-1", "--role-arn",
              "arn:aws:iam::111111111111:role/audit", "--profile", "p", "--workers", "3")
    )  # fmt: skip
    assert options.regions == ("eu-west-1", "us-east-1")
    assert options.role_arns == ("arn:aws:iam::111111111111:role/audit",)
    assert options.profile == "p" and options.workers == 3
    assert audit_command.audit_options(parse()).regions == ()  # all


def test_role_arns_file(tmp_path: Path) -> None:
    roles = tmp_path / "roles.txt"
    roles.write_text(
        "# members\narn:aws:iam::111111111111:role/a\n\narn:aws:iam::222222222222:role/a  # b\n"
    )
    options = audit_command.audit_options(parse("--role-arns-file", str(roles)))
    assert options.role_arns == (
        "arn:aws:iam::111111111111:role/a", "arn:aws:iam::222222222222:role/a"
    )  # fmt: skip


@pytest.mark.parametrize(
    "argv",
    [
        ["--regions", "mars-1"],
        ["--role-arn", "arn:aws:iam::1:user/x"],
        ["--role-arns-file", "/nonexistent/roles.txt"],
        ["--workers", "0"],
        ["--organization"],
        ["--role-name", "Audit"],
        ["--organization", "--role-name", "A", "--role-arn", "arn:aws:iam::111111111111:role/a"],
        ["--organization", "--role-name", "not a role"],
    ],
)
def test_bad_options_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", *argv]) == 2
    assert "trailcheck:" in capsys.readouterr().err


def test_json_report(aws: FakeAws, account: Account, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(aws, "--format", "json")
    doc = json.loads(capsys.readouterr().out)
    assert code == 1  # the account has failing findings (west-basic is not logging, ...)
    assert doc["not_checked"] == []
    assert doc["audit"]["accounts"] == [{
        "account_id": ACCOUNT_ID, "role_arn": None, "status": "ok",
        "regions": ["us-east-1", "eu-west-1", "us-west-2"],
    }]  # fmt: skip
    assert doc["inputs"] == [{"path": f"aws://{ACCOUNT_ID}", "kind": "live", "status": "ok"}]
    cards = {t["name"]: t for t in doc["trails"]}
    assert "S3 object writes under arn:aws:s3:::payroll/" in cards["main"]["selectors"]
    assert cards["west-basic"]["logging"] is False
    ct004 = {f["resource"]: f["status"] for f in doc["findings"] if f["rule_id"] == "CT004"}
    assert ct004 == {account.main_arn: "pass", account.eu_arn: "pass", account.west_arn: "fail"}


def test_partial_audit_is_still_a_report(
    aws: FakeAws, account: Account, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.live.test_live_faults import s3_denied_for

    aws.add_hook("before-send.s3.GetBucketPolicy", s3_denied_for("trail-logs"))
    code = run(aws, "--format", "json", "--fail-on", "critical")
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert code == 0  # nothing critical fails: a partial audit exits by its findings
    (entry,) = doc["not_checked"]
    assert entry["reason"] == "s3:GetBucketPolicy on trail-logs failed: AccessDenied"
    assert doc["audit"]["accounts"][0]["status"] == "partial"
    assert "1 call(s) could not be made" in captured.err


def test_text_report_lists_what_could_not_be_checked(
    aws: FakeAws, account: Account, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.live.test_live_faults import s3_denied_for

    aws.add_hook("before-send.s3.GetBucketPolicy", s3_denied_for("trail-logs"))
    run(aws)
    out = capsys.readouterr().out
    assert "Could not be checked (1)" in out
    assert "s3:GetBucketPolicy on trail-logs failed: AccessDenied" in out


def test_html_and_markdown_files(
    aws: FakeAws, account: Account, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    html, md = tmp_path / "report.html", tmp_path / "report.md"
    run(aws, "--format", "html", "--output", str(html), "--output", f"markdown={md}")
    assert capsys.readouterr().out == ""
    page = html.read_text(encoding="utf-8")
    assert 'id="coverage-heatmap"' in page and "<script" not in page
    assert "S3 object writes under arn:aws:s3:::payroll/" in page
    assert "Every call of the audit succeeded." in page
    text = md.read_text(encoding="utf-8")
    assert text.startswith("## trailcheck")  # the scan report's Markdown first
    assert "#### main" in text and "### Could not be checked (0)" in text
    assert "- S3 object writes under arn:aws:s3:::payroll/" in text


def test_progress_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stderr", Tty())
    monkeypatch.delenv("CI", raising=False)
    assert audit_command.show_progress() is True
    monkeypatch.setenv("CI", "true")
    assert audit_command.show_progress() is False


def test_organization_options() -> None:
    options = audit_command.audit_options(parse("--organization", "--role-name", "/audit/Reader"))
    assert options.organization_role == "audit/Reader" and options.role_arns == ()
    assert audit_command.audit_options(parse()).organization_role is None


def test_organization_save_must_be_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = tmp_path / "snapshot.json"
    existing.write_text("{}")
    argv = ["audit", "--organization", "--role-name", "Audit", "--save", str(existing)]
    assert main(argv) == 2
    assert "a folder" in capsys.readouterr().err


def test_no_progress_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stderr", Tty())
    monkeypatch.delenv("CI", raising=False)
    assert audit_command.show_progress(parse()) is True
    assert audit_command.show_progress(parse("--no-progress")) is False


def test_progress_not_shown_when_piped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert audit_command.show_progress() is False  # pytest captures stderr: not a terminal


def test_rich_progress_counts() -> None:
    with audit_command.RichProgress() as bar:
        task = bar.add_task("accounts", 2)
        bar.advance(task)
        bar.advance(task)
        bar.label(task, "accounts (1 not checked)")
        assert bar._progress.tasks[0].completed == 2
        assert bar._progress.tasks[0].description == "accounts (1 not checked)"


def _snapshot_module() -> Any:
    try:
        import checker.loaders.aws.snapshot as snapshot
    except ModuleNotFoundError:
        pytest.skip("checker/loaders/snapshot.py (the snapshot format) is not in this build yet")
    return snapshot


def test_save_then_scan_gives_the_same_findings(
    aws: FakeAws,
    account: Account,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    no_backoff: None,
) -> None:
    """Offline, the snapshot judges exactly like the live audit, unknowns and gaps included."""
    from botocore.exceptions import ReadTimeoutError

    from tests.live.conftest import response
    from tests.live.test_live_faults import THROTTLED, s3_denied_for

    _snapshot_module()

    def throttled(request: Any, **_: Any) -> Any:
        if b"trail/main" in (request.body or b""):
            return response(request.url, 400, THROTTLED, "application/x-amz-json-1.1")
        return None

    def timeout(request: Any, **_: Any) -> None:
        raise ReadTimeoutError(endpoint_url=request.url)

    aws.add_hook("before-send.s3.GetBucketPolicy", s3_denied_for("trail-logs"))
    aws.add_hook("before-send.cloudtrail.GetTrailStatus", throttled)
    aws.add_hook("before-send.kms.GetKeyPolicy", timeout)
    aws.add_hook("before-send.sns.ListSubscriptionsByTopic", timeout)
    snapshot = tmp_path / "account.json"
    audit_code = run(aws, "--format", "json", "--save", str(snapshot))
    live = json.loads(capsys.readouterr().out)
    assert len(live["not_checked"]) == 4
    scan = ["scan", str(snapshot), "--format", "json", "--regions", REGIONS, "--no-config"]
    scan_code = main(scan)
    offline = json.loads(capsys.readouterr().out)

    def key(f: dict[str, Any]) -> tuple[str, str, str, str, str]:
        return (f["rule_id"], f["status"], f["severity"], f["resource"], f["message"])

    assert sorted(map(key, offline["findings"])) == sorted(map(key, live["findings"]))
    assert offline["summary"] == live["summary"]
    assert scan_code == audit_code
    unknown = {f["rule_id"] for f in live["findings"] if f["status"] == "unknown"}
    assert {"CT000", "CT004"} <= unknown  # the gaps are findings, and survive the snapshot
    saved = json.loads(snapshot.read_text(encoding="utf-8"))
    assert {e["call"] for e in saved["not_checked"]} == {
        "s3:GetBucketPolicy", "cloudtrail:GetTrailStatus", "kms:GetKeyPolicy",
        "sns:ListSubscriptionsByTopic",
    }  # fmt: skip
    assert saved["accounts"] == [{"account_id": ACCOUNT_ID, "regions": REGIONS.split(",")}]


def test_config_file_applies_as_for_scan(
    aws: FakeAws, account: Account, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / ".trailcheck.yaml"
    config.write_text(
        "skip:\n  - rule: CT022\n    reason: MFA delete is managed by the root team\n"
    )
    args = parse(
        "--endpoint-url", aws.url, "--regions", REGIONS, "--config", str(config),
        "--format", "json",
    )  # fmt: skip
    audit_command.run(args, session_factory=aws.factory)
    doc = json.loads(capsys.readouterr().out)
    ct022 = [f for f in doc["findings"] if f["rule_id"] == "CT022"]
    assert ct022 and all(f["status"] == "suppressed" for f in ct022)
    assert "root team" in ct022[0]["suppression"]
