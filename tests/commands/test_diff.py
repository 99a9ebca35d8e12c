"""`trailcheck diff BASE HEAD` end to end through checker.cli.main (issue 6, item 4)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from checker.cli import main

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "diff"
BASE = FIXTURES / "base"
NARROWED = FIXTURES / "narrowed"

ACCEPT = """\
accept:
  - trail: aws_cloudtrail.data
    reason: only payroll objects need object-level logging (SEC-42)
    expires: {expires}
  - rule: CT009
    reason: only payroll objects need object-level logging (SEC-42)
    expires: {expires}
  - rule: CT010
    reason: only payroll objects need object-level logging (SEC-42)
    expires: {expires}
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["diff", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_narrowed_selector_exits_1_naming_scenario_and_regions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, str(BASE), str(NARROWED))
    assert code == 1, err
    assert "Traceback" not in out + err
    assert "Coverage lost" in out
    # the changelog line for the selector
    assert ("PutObject, DeleteObject, GetObject on all buckets in every region (17) is no "
            "longer recorded (trail `aws_cloudtrail.data` now records only "
            "arn:aws:s3:::payroll/…)") in out  # fmt: skip
    # the lost scenario and its regions
    assert "(s3-object-access) is no longer recorded in every region (17)" in out
    assert "CT009 s3-data-events-write on estate: pass -> fail" in out
    assert "Result: coverage shrinks" in out


def test_narrowed_json_names_scenario_and_regions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(BASE), str(NARROWED), "--format", "json",
                       "--regions", "eu-west-1,us-east-1")  # fmt: skip
    assert code == 1
    doc = json.loads(out)
    assert doc["result"] == "shrinks" and doc["exit_code"] == 1
    assert doc["regions"] == ["eu-west-1", "us-east-1"]
    lost = [c for c in doc["changes"] if c["direction"] == "lost"]
    scenario = next(c for c in lost if c["kind"] == "scenario")
    assert scenario["scenario"] == "s3-object-access"
    assert scenario["regions"] == ["eu-west-1", "us-east-1"]
    selectors = next(c for c in lost if c["kind"] == "selectors")
    assert selectors["trail"] == "aws_cloudtrail.data"
    assert "PutObject" in selectors["message"] and "eu-west-1" in selectors["message"]
    assert doc["summary"]["lost"] == len(lost)


def test_widening_is_a_gain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(NARROWED), str(BASE), "--format", "json")
    doc = json.loads(out)
    gained = {c["kind"] for c in doc["changes"] if c["direction"] == "gained"}
    assert {"selectors", "scenario"} <= gained
    # nothing recorded is lost (a rule such as CT011 may still regress on the wider selector)
    lost = [c for c in doc["changes"] if c["direction"] == "lost"]
    assert [c for c in lost if c["kind"] != "rule"] == []
    assert code == (1 if lost else 0)


def test_identical_trees_exit_0(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(BASE, copy)
    code, out, _ = run(capsys, str(BASE), str(copy))
    assert code == 0
    assert "no change in coverage" in out
    code, out, _ = run(capsys, str(BASE), str(copy), "--format", "markdown")
    assert code == 0 and "no change in coverage" in out


def test_accepted_loss_exits_0_with_reason(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    head = tmp_path / "head"
    shutil.copytree(NARROWED, head)
    (head / ".trailcheck.yaml").write_text(ACCEPT.format(expires="2999-12-31"))
    code, out, err = run(capsys, str(BASE), str(head))
    assert code == 0, out + err
    assert "[accepted: only payroll objects need object-level logging (SEC-42)]" in out
    assert "every loss accepted" in out
    code, out, _ = run(capsys, str(BASE), str(head), "--format", "json")
    doc = json.loads(out)
    assert doc["result"] == "accepted" and doc["summary"]["lost"] == 0
    assert all(c.get("accepted") for c in doc["changes"] if c["direction"] == "lost")


def test_expired_acceptance_exits_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    head = tmp_path / "head"
    shutil.copytree(NARROWED, head)
    (head / ".trailcheck.yaml").write_text(ACCEPT.format(expires="2020-01-31"))
    code, out, _ = run(capsys, str(BASE), str(head))
    assert code == 1
    assert "expired on 2020-01-31" in out and "no longer accepts this loss" in out
    assert "[accepted:" not in out


def test_partial_acceptance_still_fails(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "accept.yaml"
    config.write_text("accept:\n  - trail: aws_cloudtrail.data\n    region: eu-west-1\n"
                      "    reason: payroll only in Ireland\n")  # fmt: skip
    code, out, _ = run(capsys, str(BASE), str(NARROWED), "--config", str(config))
    assert code == 1
    assert "[accepted:" not in out  # the losses are in every region, the entry names one
    assert "accept with: {trail: aws_cloudtrail.data, reason: ...}" in out
    code, out, _ = run(capsys, str(BASE), str(NARROWED), "--config", str(config),
                       "--regions", "eu-west-1")  # fmt: skip
    assert code == 0 and "[accepted: payroll only in Ireland]" in out


def test_bad_config_is_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("accept:\n  - trail: aws_cloudtrail.data\n")
    code, _, err = run(capsys, str(BASE), str(NARROWED), "--config", str(config))
    assert code == 2 and "bad.yaml:2" in err and "Traceback" not in err


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A throw-away repository: infra/ as BASE on main, then narrowed on the next commit."""
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("HOME", str(tmp_path))
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Test")
    git(root, "config", "user.email", "test@example.com")
    shutil.copytree(BASE, root / "infra")
    git(root, "add", ".")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "narrow")
    shutil.copy(NARROWED / "main.tf", root / "infra" / "main.tf")
    git(root, "commit", "-qam", "narrow the data trail")
    monkeypatch.chdir(root)
    return root


def test_git_revisions(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    (repo / "infra" / "main.tf").write_text("# work in progress, not committed\n")
    before = git(repo, "status", "--porcelain")
    code, out, err = run(capsys, "main", "HEAD", "--path", "infra")
    assert code == 1, err
    assert "(s3-object-access) is no longer recorded in every region (17)" in out
    assert "trailcheck diff main (" in out
    code, out, _ = run(capsys, "HEAD~1:infra", "narrow:infra", "--format", "json")
    assert code == 1 and json.loads(out)["base"]["kind"] == "git"
    code, out, _ = run(capsys, "main", "main")
    assert code == 0 and "no change in coverage" in out
    # the work tree is untouched
    assert git(repo, "status", "--porcelain") == before
    assert (repo / "infra" / "main.tf").read_text() == "# work in progress, not committed\n"


def test_git_acceptance_read_from_head(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    (repo / ".trailcheck.yaml").write_text(ACCEPT.format(expires="2999-12-31"))
    git(repo, "add", ".trailcheck.yaml")
    git(repo, "commit", "-qm", "accept the narrowing")
    code, out, err = run(capsys, "main", "HEAD", "--path", "infra")
    assert code == 0, out + err
    assert "(SEC-42)" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nosuchrev", "HEAD"], "unknown revision"),
        (["main", "HEAD:nowhere"], "does not exist in revision"),
        (["main", "HEAD", "--path", "nowhere"], "does not exist in revision"),
        (["main", "HEAD", "--regions", "mars-1"], "not a Region name"),
    ],
)
def test_bad_input_exit_2(capsys: pytest.CaptureFixture[str], repo: Path, argv: list[str],
                          message: str) -> None:  # fmt: skip
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert message in err and "Traceback" not in out + err


def test_unreadable_side_is_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "main.tf").write_text('resource "aws_cloudtrail" "x" {\n  name = \n')
    code, _, err = run(capsys, str(BASE), str(broken))
    assert code == 2
    assert "HEAD" in err and "main.tf" in err and "Traceback" not in err


def test_cloudwatch_delivery_and_alarms_lost(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(FIXTURES / "alarmed"), str(FIXTURES / "no-cloudwatch"),
                       "--format", "json")  # fmt: skip
    assert code == 1
    lost = [c for c in json.loads(out)["changes"] if c["direction"] == "lost"]
    kinds = {c["kind"] for c in lost}
    assert {"cloudwatch", "alarm", "rule"} <= kinds
    trail_level = next(c for c in lost if c["kind"] == "cloudwatch" and "trail" in c)
    assert trail_level["trail"] == "aws_cloudtrail.main"
    alarm = next(c for c in lost if c["kind"] == "alarm")
    assert "tamper-stop-logging" in alarm["scenarios"]
    assert alarm["trails"] == ["aws_cloudtrail.main"]
    assert "no longer raise an alarm in every region (17)" in alarm["message"]


def test_one_trail_entry_accepts_its_consequences(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "accept.yaml"
    config.write_text("accept:\n  - trail: aws_cloudtrail.main\n"
                      "    reason: logs move to the SIEM; alarms there (SEC-7)\n")  # fmt: skip
    code, out, err = run(capsys, str(FIXTURES / "alarmed"), str(FIXTURES / "no-cloudwatch"),
                         "--config", str(config), "--format", "markdown")  # fmt: skip
    assert code == 0, out + err
    assert "every loss accepted" in out and "SEC-7" in out
    assert out.startswith("### ⚠️ trailcheck diff")


def test_unknown_on_one_side_is_reported_never_no_change(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    head = tmp_path / "head"
    shutil.copytree(BASE, head)
    text = (head / "main.tf").read_text()
    text = text.replace('equals = ["AWS::S3::Object"]\n    }\n  }',
                        'equals = ["AWS::S3::Object"]\n    }\n    field_selector {\n'
                        '      field       = "resources.ARN"\n      starts_with = [var.prefix]\n'
                        '    }\n  }')  # fmt: skip
    (head / "main.tf").write_text(text + '\nvariable "prefix" {\n  type = string\n}\n')
    out_file = tmp_path / "diff.json"
    code, out, _ = run(capsys, str(BASE), str(head), "--regions", "eu-west-1",
                       "--format", "json", "--output", str(out_file))  # fmt: skip
    assert code == 0 and out == ""
    doc = json.loads(out_file.read_text())
    assert doc["result"] == "unknown" and "no change" not in doc["headline"]
    unknown = [c for c in doc["changes"] if c["direction"] == "unknown"]
    assert {c["kind"] for c in unknown} >= {"selectors", "scenario"}
    assert all("var.prefix" in c["message"] for c in unknown)
    code, _, _ = run(capsys, str(BASE), str(head), "--regions", "eu-west-1", "--fail-on-unknown")
    assert code == 1


def test_root_modules_with_the_same_addresses_are_compared_each_with_itself(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # envs good/ and weak/ both hold aws_cloudtrail.main; only weak's stops logging
    base, head = tmp_path / "base", tmp_path / "head"
    shutil.copytree(REPO / "fixtures" / "units" / "terraform", base)
    shutil.copytree(base, head)
    weak = head / "weak" / "main.tf"
    stopped = 'name = "weak"\n  enable_logging = false'
    weak.write_text(weak.read_text().replace('name                  = "weak"', stopped))
    assert main(["diff", str(base), str(head), "--no-config", "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    lost = [c for c in doc["changes"] if c["direction"] == "lost" and c["kind"] == "logging"]
    assert [c["trail"] for c in lost] == ["aws_cloudtrail.main (weak)"]
    assert not any(c["kind"] == "trail" for c in doc["changes"])  # nothing removed or added


def test_losses_grouped_by_trail_with_one_accept_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A multi-region trail made single-region loses dozens of scenario x Region cells: they
    print by trail and cause, scenarios lost in the same Regions on one line, and the `accept`
    entry once."""
    base, head = tmp_path / "base", tmp_path / "head"
    shutil.copytree(REPO / "fixtures" / "example", base)
    shutil.copytree(base, head)
    trail = head / "trail.tf"
    trail.write_text(trail.read_text().replace("is_multi_region_trail         = true",
                                               "is_multi_region_trail         = false"))
    code, out, _ = run(capsys, str(base), str(head))
    assert code == 1
    lost = out.split("Coverage lost (")[1].split("\n\n")[0]
    count = int(lost.split(")", 1)[0])
    assert count > 25
    assert lost.count("accept with:") == 1
    assert "accept with: {trail: aws_cloudtrail.org, reason: ...}" in lost
    assert "  trail `aws_cloudtrail.org` (" in lost
    merged = [line for line in lost.splitlines() if " scenarios (" in line and "no longer recorded"
              in line]  # fmt: skip
    assert merged and all(line.lstrip().startswith("- ") for line in merged)
    assert "e.g. " in lost and "single-region trail in eu-west-1" in lost
    assert len(lost.splitlines()) < count  # fewer lines than losses
    assert "new resource" not in out


# -- other partitions ---------------------------------------------------------------------------

GOV = REPO / "fixtures" / "regressions" / "global-events-govcloud"


def test_diff_judges_a_govcloud_change_on_the_govcloud_regions(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A GovCloud trail made single-Region loses us-gov-west-1: on the 17 commercial Regions
    `diff` saw no change, every commercial cell being missed on both sides."""
    base, head = tmp_path / "base", tmp_path / "head"
    shutil.copytree(GOV, base)
    shutil.copytree(GOV, head)
    trails = head / "describe-trails.json"
    trails.write_text(trails.read_text().replace('"IsMultiRegionTrail": true',
                                                 '"IsMultiRegionTrail": false'))
    assert main(["diff", str(base), str(head), "--no-config", "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    lost = [c for c in doc["changes"] if c["direction"] == "lost"]
    assert lost and "us-gov-west-1" in json.dumps(lost)
    assert "us-east-1" not in json.dumps(doc["changes"])


CHINA = GOV.parent / "cli-china-partition"


def test_diff_sees_a_china_trail_stop_recording_s3_objects(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The diff's S3 probes were commercial ARNs, which `arn:aws-cn:s3` never matched: dropping
    the China all-buckets selector showed no loss."""
    base, head = tmp_path / "base", tmp_path / "head"
    shutil.copytree(CHINA, base)
    shutil.copytree(CHINA, head)
    selectors = head / "get-event-selectors.json"
    selectors.write_text(selectors.read_text().replace('"arn:aws-cn:s3"', '"arn:aws-cn:s3:::x/"'))
    assert main(["diff", str(base), str(head), "--no-config", "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    lost = [c for c in doc["changes"] if c["direction"] == "lost"]
    assert any("all buckets" in json.dumps(c) for c in lost), lost
