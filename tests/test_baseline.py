from __future__ import annotations

import importlib.util
import json
from dataclasses import replace
from pathlib import Path

import pytest

from checker import engine, loaders
from checker.baseline import (
    Baseline,
    apply_baseline,
    entries_of,
    load_baseline,
    render_baseline,
    write_baseline,
)
from checker.cli import UsageError, main
from checker.findings import Finding, Status
from checker.fingerprint import SARIF_KEY
from checker.model import Estate, InputFile


def f(rule: str, line: int, status: Status = "fail", resource: str = "aws_cloudtrail.main",
      file: str = "infra/main.tf", message: str = "Log file validation is off.") -> Finding:
    return Finding(rule, rule.lower(), status, "medium", resource, file, line, message)


FINDINGS = [
    f("CT002", 12),
    f("CT003", 5, "unknown", message="kms_key_id is unknown: var.key has no value"),
    f("CT004", 14, "pass"),
    f("CT020", 30, "suppressed", resource="aws_s3_bucket.logs"),
    f("CT000", 1, file="broken.tf", resource="broken.tf", message="invalid HCL"),
    f("CT099", 2, message="suppression without a reason"),
]


def test_entries_hold_fail_and_unknown_only() -> None:
    entries = entries_of(FINDINGS)
    assert [(e.rule_id, e.resource) for e in entries] == [
        ("CT002", "aws_cloudtrail.main"), ("CT003", "aws_cloudtrail.main")]
    assert all(len(e.fingerprint) == 64 and e.file == "infra/main.tf" for e in entries)


def test_file_is_sorted_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "baseline.json"
    write_baseline(str(path), list(reversed(FINDINGS)))
    text = path.read_text()
    assert text == render_baseline(entries_of(FINDINGS))
    doc = json.loads(text)
    assert doc["trailcheck_baseline"] == 1
    assert [x["rule_id"] for x in doc["findings"]] == ["CT002", "CT003"]
    assert set(doc["findings"][0]) == {"rule_id", "resource", "fingerprint", "file", "message"}
    assert load_baseline(str(path)) == Baseline(str(path), entries_of(FINDINGS))


def test_baselined_findings_are_suppressed_and_new_ones_fail() -> None:
    baseline = Baseline("ci/baseline.json", entries_of(FINDINGS))
    later = [replace(x, line=x.line + 20) for x in FINDINGS] + [f("CT005", 40)]
    out = apply_baseline(later, baseline)
    status = {x.rule_id: (x.status, x.suppression and str(x.suppression)) for x in out}
    assert status["CT002"] == ("suppressed", "pre-existing finding (baseline: ci/baseline.json)")
    assert status["CT003"][0] == "suppressed"
    assert status["CT005"] == ("fail", None)  # new
    assert status["CT000"] == ("fail", None) and status["CT099"] == ("fail", None)  # never
    assert status["CT004"] == ("pass", None)


def test_matching_is_by_rule_resource_and_fingerprint() -> None:
    baseline = Baseline("b.json", entries_of([f("CT002", 12)]))
    changed = [
        f("CT002", 12, resource="aws_cloudtrail.other"),
        f("CT002", 12, message="Log file validation is unknown."),
        f("CT002", 12, file="envs/dev/main.tf"),  # the same address in another module
    ]
    assert [x.status for x in apply_baseline(changed, baseline)] == ["fail"] * 3


def test_each_entry_matches_one_finding() -> None:
    baseline = Baseline("b.json", entries_of([f("CT002", 12)]))
    out = apply_baseline([f("CT002", 12), f("CT002", 40)], baseline)
    assert [x.status for x in out] == ["suppressed", "fail"]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("{", "b.json:1: baseline is not valid JSON"),
        ('{"findings": []}', "b.json: not a trailcheck baseline"),
        ('{"trailcheck_baseline": 1, "findings": [{"rule_id": "CT002"}]}',
         "b.json: findings[0] needs string rule_id, resource, fingerprint"),
        # written by another version, or damaged: a usage error that says so, never an
        # empty baseline (every old finding new) or an internal error
        ('{"trailcheck_baseline": 2, "findings": []}',
         "b.json: baseline written by another trailcheck version (format 2; this version reads "
         "format 1)"),
        ('{"trailcheck_baseline": 0, "findings": []}', "b.json: baseline written by another"),
        ('{"trailcheck_baseline": true, "findings": []}', "b.json: not a trailcheck baseline"),
        ('{"trailcheck_baseline": 1}', 'b.json: "findings" must be a list'),
        ('{"trailcheck_baseline": 1, "findings": {"CT002": 1}}', 'b.json: "findings" must be'),
        (b'\xff\xfe{"trailcheck_baseline": 1}', "b.json: baseline is not UTF-8 text"),
    ],
)
def test_bad_baseline_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       text: str | bytes, error: str) -> None:
    monkeypatch.chdir(tmp_path)
    if isinstance(text, bytes):
        Path("b.json").write_bytes(text)
    else:
        Path("b.json").write_text(text)
    with pytest.raises(UsageError) as e:
        load_baseline("b.json")
    assert str(e.value).startswith(error)
    with pytest.raises(UsageError, match="cannot read baseline"):
        load_baseline("missing.json")


def test_bad_baseline_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    Path("b.json").write_bytes(b"\xff\xfe\x00")
    assert main(["scan", ".", "--baseline", "b.json"]) == 2
    assert "b.json: baseline is not UTF-8 text" in capsys.readouterr().err


def test_matching_does_not_depend_on_the_folder_the_scan_runs_in(tmp_path: Path) -> None:
    """A baseline made at the repository root matches a scan run inside `infra/` (paths
    `main.tf`) or from elsewhere (absolute paths): entries are relative to the baseline's
    folder."""
    found = [f("CT002", 12), f("CT003", 5, message="No KMS key.")]
    entries = entries_of(found, folder=tmp_path, cwd=tmp_path)
    assert {e.file for e in entries} == {"infra/main.tf"}
    baseline = Baseline(str(tmp_path / "baseline.json"), entries)
    inside = [replace(x, file="main.tf") for x in found]
    absolute = [replace(x, file=str(tmp_path / "infra" / "main.tf")) for x in found]
    for run, cwd in ((found, tmp_path), (inside, tmp_path / "infra"), (absolute, Path("/"))):
        assert [x.status for x in apply_baseline(run, baseline, cwd)] == ["suppressed"] * 2
    # another module with the same addresses is still not matched
    other = [replace(x, file="envs/dev/main.tf") for x in found]
    assert [x.status for x in apply_baseline(other, baseline, tmp_path)] == ["fail"] * 2
    # an entry written with paths relative to the scan's folder (earlier versions) still matches
    old = Baseline(str(tmp_path / "ci" / "baseline.json"), entries_of(found))
    assert [x.status for x in apply_baseline(found, old, tmp_path)] == ["suppressed"] * 2


# -- the scan command, with the loader and engine replaced by fixed findings -----------------


@pytest.fixture
def fixed_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Finding]:
    """`trailcheck scan` wiring without depending on a loader: findings are set by the test."""
    current = [f("CT002", 12), f("CT004", 14, "pass")]
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    monkeypatch.setattr(loaders, "load_paths", lambda paths, options=None: Estate(
        inputs=(InputFile("infra/main.tf", "terraform"),)))
    monkeypatch.setattr(engine, "judge", lambda estate, rules, *more, **kw: (list(current), []))
    return current


def test_cli_create_then_use_a_baseline(fixed_scan: list[Finding],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "."]) == 1
    # adopting: the run that creates the baseline is green, and reports the findings as baselined
    assert main(["scan", ".", "--create-baseline", "baseline.json", "--format", "json"]) == 0
    capsys.readouterr()
    assert [x["rule_id"] for x in json.loads(Path("baseline.json").read_text())["findings"]] == [
        "CT002"]
    # the block moved 20 lines down: still baselined
    fixed_scan[0] = replace(fixed_scan[0], line=32)
    assert main(["scan", ".", "--baseline", "baseline.json", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    ct002 = next(x for x in doc["findings"] if x["rule_id"] == "CT002")
    assert ct002["status"] == "suppressed"
    assert ct002["suppression"] == "pre-existing finding (baseline: baseline.json)"
    # a new failure fails the run
    fixed_scan.append(f("CT005", 40, message="No CloudWatch Logs delivery."))
    assert main(["scan", ".", "--baseline", "baseline.json"]) == 1
    assert main(["scan", ".", "--baseline", "missing.json"]) == 2
    assert "cannot read baseline missing.json" in capsys.readouterr().err


def test_cli_sarif_fingerprints_survive_a_move(fixed_scan: list[Finding],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    main(["scan", ".", "--format", "sarif"])
    before = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    fixed_scan[0] = replace(fixed_scan[0], line=32)
    main(["scan", ".", "--format", "sarif"])
    after = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after] == [32]
    assert [r["partialFingerprints"] for r in before] == [r["partialFingerprints"] for r in after]


# -- end to end with the Terraform loader ------------------------------------------------------

BLOCK = """\
resource "aws_cloudtrail" "main" {
  name                       = "main"
  s3_bucket_name             = "logs"
  is_multi_region_trail      = true
  enable_log_file_validation = false
}
"""


@pytest.mark.skipif(importlib.util.find_spec("checker.loaders.terraform.loader") is None,
                    reason="the Terraform loader has not landed yet")
def test_moving_a_block_by_20_lines_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    provider = 'provider "aws" {\n  region = "us-east-1"\n}\n\n'
    Path("main.tf").write_text(provider + BLOCK)
    main(["scan", ".", "--format", "sarif", "--create-baseline", "baseline.json"])
    before = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    Path("main.tf").write_text(provider + "# padding\n" * 20 + BLOCK)
    assert main(["scan", ".", "--format", "sarif", "--baseline", "baseline.json"]) == 0
    after = json.loads(capsys.readouterr().out)["runs"][0]["results"]

    def prints(results: list[dict[str, object]]) -> dict[str, object]:
        return {str(r["ruleId"]): r["partialFingerprints"][SARIF_KEY]  # type: ignore[index]
                for r in results}

    assert prints(before) == prints(after) and "CT002" in prints(after)
    lines = {r["ruleId"]: r["locations"][0]["physicalLocation"]["region"]["startLine"]
             for r in after if r["ruleId"] == "CT002"}
    assert lines["CT002"] > 20
    assert all(r.get("suppressions") for r in after)
