from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from tests.conftest import installed_command

REPO = Path(__file__).resolve().parent.parent


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert "trailcheck 0.1.0" in capsys.readouterr().out


def test_no_command_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2


def test_bad_option_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--fail-on", "extreme"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_missing_path_is_ct000_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["scan", str(tmp_path / "nope"), "--format", "json"]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert [f["rule_id"] for f in doc["findings"]] == ["CT000"]
    assert "no such file" in doc["findings"][0]["message"]


def test_empty_folder_reports_nothing_to_judge(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["scan", str(tmp_path)]) == 0
    assert "nothing to judge" in capsys.readouterr().out


def test_rules_and_explain(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert "CT002" in out and "log-file-validation" in out
    assert main(["explain", "ct002"]) == 0
    text = capsys.readouterr().out
    assert "enable_log_file_validation = true" in text and "EnableLogFileValidation: true" in text


def test_explain_unknown_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "CT999"]) == 2
    assert "no rule" in capsys.readouterr().err


@pytest.mark.parametrize("var", ["novalue", "=x", " =x", "1abc=x", "a.b=x"])
def test_bad_var_is_usage_error(
    var: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["scan", str(tmp_path), "--var", var]) == 2
    assert "NAME=VALUE" in capsys.readouterr().err


def test_var_value_may_hold_equals_signs(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('variable "x" {}\n', encoding="utf-8")
    assert main(["scan", str(tmp_path), "--var", "x=a=b", "--format", "json"]) == 0


def test_output_to_several_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_json = tmp_path / "r.json"
    out_text = tmp_path / "r.txt"
    code = main(
        [
            "scan",
            str(tmp_path / "missing"),
            "--output",
            str(out_text),
            "--output",
            f"json={out_json}",
        ]
    )
    assert code == 2
    assert json.loads(out_json.read_text())["schema_version"] == 1
    assert "CT000" in out_text.read_text()
    assert capsys.readouterr().out == ""


def test_installed_command_runs(tmp_path: Path) -> None:
    proc = subprocess.run(
        [installed_command(), "scan", str(tmp_path), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"] == {
        "fail": 0,
        "pass": 0,
        "unknown": 0,
        "suppressed": 0,
    }


def test_json_report_carries_the_coverage_matrix(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["scan", str(REPO / "fixtures" / "example"), "--format", "json",
                 "--regions", "us-east-1,eu-west-1"])  # fmt: skip
    assert code == 1
    doc = json.loads(capsys.readouterr().out)
    matrix = doc["coverage"]
    assert matrix["regions"] == ["us-east-1", "eu-west-1"]
    (unit,) = matrix["units"]  # the example is one Terraform root module
    assert unit["unit"] == os.path.relpath(REPO / "fixtures" / "example").replace(os.sep, "/")
    root = next(s for s in unit["scenarios"] if s["id"] == "root-usage")
    cell = root["cells"]["eu-west-1"]
    assert cell["status"] == "captured" and "aws_cloudtrail.org" in cell["captured_by"]


def test_text_report_skips_the_coverage_matrix(capsys: pytest.CaptureFixture[str]) -> None:
    main(["scan", str(REPO / "fixtures" / "example")])
    assert "coverage" not in capsys.readouterr().out.lower()


def test_policies_with_several_unknown_values_give_unknowns_not_a_crash(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = REPO / "fixtures" / "cloudformation" / "unknown-policy-resources.yaml"
    code = main(["scan", str(path), "--format", "json"])
    assert code in (0, 1)
    doc = json.loads(capsys.readouterr().out)
    tls = [f for f in doc["findings"] if f["rule_id"] == "CT026"]
    assert tls and all(f["status"] == "unknown" for f in tls)


def test_a_policy_on_a_bucket_whose_arn_is_assigned_at_deploy_is_judged(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # `!Sub "${Logs.Arn}/*"`: the name is unknown, that the statement reaches objects is not
    path = REPO / "fixtures" / "cloudformation" / "computed-bucket-arns.yaml"
    main(["scan", str(path), "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    (tls,) = [f for f in doc["findings"] if f["rule_id"] == "CT026"]
    assert tls["status"] == "pass"


@pytest.mark.parametrize(
    "flags", [["--regions", "eu-west-1,mars-1"], ["--regions", ","], ["--region", "EU"]]
)
def test_bad_region_names_are_usage_errors(
    flags: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", str(REPO / "fixtures" / "example"), *flags]) == 2
    assert "Region" in capsys.readouterr().err


def test_a_rule_bug_exits_3_but_still_reports_the_rest(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from checker.predicates import PREDICATES

    def broken(ctx: object, subject: object, args: object) -> object:
        raise KeyError("oops")

    monkeypatch.setitem(PREDICATES, "insights_enabled", broken)
    monkeypatch.delenv("TRAILCHECK_DEBUG", raising=False)
    code = main(["scan", str(REPO / "fixtures" / "example"), "--format", "json"])
    assert code == 3
    doc = json.loads(capsys.readouterr().out)
    ct008 = [f for f in doc["findings"] if f["rule_id"] == "CT008"]
    assert ct008 and ct008[0]["status"] == "unknown" and "KeyError" in ct008[0]["message"]
    assert any(f["rule_id"] == "CT002" and f["status"] == "fail" for f in doc["findings"])


def test_same_ids_in_two_templates_or_roots_stay_apart(capsys: pytest.CaptureFixture[str]) -> None:
    main(["scan", str(REPO / "fixtures" / "units"), "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    versioning = {(Path(f["file"]).parent.name, Path(f["file"]).name): f["status"]
                  for f in doc["findings"] if f["rule_id"] == "CT021"}  # fmt: skip
    assert versioning == {
        ("cloudformation", "good.yaml"): "pass",
        ("cloudformation", "weak.yaml"): "fail",
        ("good", "main.tf"): "pass",
        ("weak", "main.tf"): "fail",
    }


def test_compliance_section_in_the_text_report(capsys: pytest.CaptureFixture[str]) -> None:
    main(["scan", str(REPO / "fixtures" / "example"), "--compliance", "cis-aws-5.0"])
    out = capsys.readouterr().out
    section = out[out.index("Compliance: CIS") :]
    for control in ("3.1", "3.2", "3.3", "3.9", "4.1", "4.15", "4.16"):
        assert f"\n  {control} " in section, control
    assert "NOT COVERED" in section and "not covered by trailcheck" in section


@pytest.mark.parametrize("fmt", ["txt", "sarif", "md"])
def test_example_scan_golden(fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled example through main() into a file named by its format, byte for byte: the
    text a user reads, the SARIF GitHub gets, the Markdown a pull request gets. Regenerate with
    TRAILCHECK_UPDATE_GOLDEN=1 when the engine's findings change on purpose, and review."""
    from tests.report.ci_sample import check_golden

    monkeypatch.chdir(REPO)
    out = tmp_path / f"example.{fmt}"
    assert main(["scan", "fixtures/example", "--output", str(out)]) == 1
    check_golden(f"example.{fmt}", out.read_text(encoding="utf-8"))


# Heavy libraries only some commands need: a pre-commit scan of one file must not pay for them.
HEAVY = ("boto3", "botocore", "rich", "jinja2", "duckdb", "sqlglot", "pyarrow")
SCAN_AND_LIST_MODULES = """
import contextlib, io, json, sys
from checker.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    main(["scan", *sys.argv[1:]])
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _modules_after_scan(args: list[str], cache: Path) -> set[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", SCAN_AND_LIST_MODULES, *args],
        cwd=REPO, capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def _packages(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_scanning_one_file_imports_no_heavy_library(tmp_path: Path, fmt: str) -> None:
    one = "fixtures/rules/CT002/fail/terraform/main.tf"
    loaded = _packages(_modules_after_scan([one, "--format", fmt], tmp_path))
    assert "checker" in loaded
    assert loaded.isdisjoint(HEAVY), loaded & set(HEAVY)
    # the rules and scenarios validated by the first run are not validated again
    assert "jsonschema" not in _packages(_modules_after_scan([one, "--format", fmt], tmp_path))


# What a scan imports only when the inputs need it: the other commands, the pattern languages of
# metric filters and EventBridge rules, and PyYAML (Terraform's yamldecode; the shipped
# policies are read from a cache after the first run).
ON_DEMAND = ("checker.commands.cost", "checker.commands.test_pattern", "yaml",
             "checker.simulator.filter_pattern", "checker.simulator.event_pattern")  # fmt: skip


def test_scanning_a_trail_without_filters_or_rules_imports_only_what_it_needs(
    tmp_path: Path,
) -> None:
    one = "fixtures/rules/CT002/fail/terraform/main.tf"  # a trail, no filter, no rule
    _modules_after_scan([one], tmp_path)  # the first run reads the shipped YAML policies
    assert not set(ON_DEMAND) & _modules_after_scan([one, "--format", "json"], tmp_path)
    for folder, language in (("fixtures/rules/CT101/fail/terraform", "filter_pattern"),
                             ("fixtures/rules/CT060/fail/terraform", "event_pattern")):
        loaded = _modules_after_scan([folder, "--format", "json"], tmp_path)
        assert f"checker.simulator.{language}" in loaded, folder


def test_the_parser_of_one_command_stops_after_it_and_help_lists_them_all(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from checker.cli import build_parser

    sub = next(a for a in build_parser("scan")._actions
               if isinstance(a, argparse._SubParsersAction))  # fmt: skip
    assert "scan" in sub.choices and "cost" not in sub.choices
    assert main(["nosuch"]) == 2
    assert "cost" in capsys.readouterr().err  # an unknown command lists every command


def _scan_findings(capsys: pytest.CaptureFixture[str], path: Path) -> dict[str, list[Any]]:
    main(["scan", str(path), "--format", "json"])
    by_rule: dict[str, list[Any]] = {}
    for f in json.loads(capsys.readouterr().out)["findings"]:
        by_rule.setdefault(f["rule_id"], []).append(f)
    return by_rule


@pytest.mark.parametrize("kind", ["terraform", "cloudformation"])
def test_scan_an_event_data_store_aws_rejects(
    capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """CT054 fails the store, and CT120/CT105 no longer count it as capturing anything."""
    base = REPO / "fixtures" / "rules" / "CT054"
    rejected = _scan_findings(capsys, base / "fail" / kind)
    (ct054,) = rejected["CT054"]
    assert ct054["status"] == "fail" and ct054["line"] == 8
    (ct120,) = rejected["CT120"]
    assert ct120["status"] == "fail" and "9 of 9 critical scenarios have gaps" in ct120["message"]
    assert "the event data store is rejected by AWS" in ct120["message"]
    ct105 = rejected["CT105"][0]["message"]
    assert ": captured" not in ct105 and "not captured (the event data store is rejected" in ct105
    accepted = _scan_findings(capsys, base / "pass" / kind)
    assert [f["status"] for f in accepted["CT054"]] == ["pass"]
    (ct120,) = accepted["CT120"]
    assert "7 of 9 critical scenarios have gaps" in ct120["message"]
    assert "DeleteTrail, StopLogging in every region: captured" in accepted["CT105"][0]["message"]
