"""The CIS alarm findings (CT101-CT115) as one group in the text report, with one fix that
really fixes them; JSON and SARIF keep them apart."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from checker.cli import main
from checker.engine import load_rules
from checker.findings import Finding
from checker.report import ScanReport, TextOptions
from checker.report.cis_group import fix_snippet, group
from checker.report.formats import render

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "fixtures" / "example"
RULES = {r.id: r for r in load_rules()}
CAUSE = "no metric filter on its log group matches (aws_cloudwatch_log_group.trail)"


def cis(n: int, what: str, file: str = "infra/monitoring.tf", status: str = "fail") -> Finding:
    rule = RULES[f"CT{100 + n}"]
    return Finding(rule.id, rule.name, status, rule.severity, "estate", file, 3,  # type: ignore[arg-type]
                   f"CIS {n} (topic {n}): {what}")


def test_shared_cause_once_and_rule_runs() -> None:
    findings = [cis(n, f"E{n} in every region: {CAUSE}") for n in (1, 2, 3, 5, 7)]
    [g] = group(findings)
    assert g.rule_range() == "CT101-CT103, CT105, CT107"
    assert g.cause == CAUSE
    assert [t.what for t in g.topics] == [f"E{n} in every region" for n in (1, 2, 3, 5, 7)]


def test_two_units_that_share_a_module_get_a_group_each() -> None:
    from dataclasses import replace

    findings = [replace(cis(n, f"E{n} in every region: {CAUSE}"), unit=unit)
                for unit in ("stages/live", "stages/test") for n in (1, 2)]  # fmt: skip
    groups = group(findings)
    assert sorted(g.first.unit or "" for g in groups) == ["stages/live", "stages/test"]
    assert all(len(g.topics) == 2 for g in groups)


def test_different_causes_stay_on_their_topics() -> None:
    findings = [cis(1, f"E1 in every region: {CAUSE}"),
                cis(2, "metric filter f misses E2; E3 in us-east-1: not captured (x)")]
    [g] = group(findings)
    assert g.cause is None
    assert g.topics[1].what.startswith("metric filter f misses E2")


def test_lone_or_scattered_findings_are_not_grouped() -> None:
    assert group([cis(1, f"E in every region: {CAUSE}")]) == []
    assert group([cis(1, "x: y", "a.tf"), cis(2, "x: y", "b.tf")]) == []
    assert group([cis(1, "x: y", status="unknown"), cis(2, "x: y", status="unknown")]) == []


def test_no_filter_snippet_when_events_never_reach_a_log_group() -> None:
    [g] = group([cis(n, "E in every region: captured but not sent to CloudWatch Logs (no "
                       "log group)") for n in (1, 2)])  # fmt: skip
    assert fix_snippet(g, "terraform", RULES) == []
    out = render("text", ScanReport(g.findings, (), tuple(RULES.values())))
    assert "fix: trailcheck explain CT101 (and the other topics' rules)" in out


def test_snippets_for_each_format() -> None:
    [g] = group([cis(n, f"E in every region: {CAUSE}") for n in (1, 4)])
    tf = "\n".join(fix_snippet(g, "terraform", RULES))
    assert "log_group_name = aws_cloudwatch_log_group.trail.name" in tf
    assert 'UnauthorizedApiCalls = "{($.errorCode=' in tf and "IamPolicyChanges" in tf
    cfn = "\n".join(fix_snippet(g, "cloudformation", RULES))
    assert "Type: AWS::Logs::MetricFilter" in cfn and "# IamPolicyChanges: '{(" in cfn
    cli = "\n".join(fix_snippet(g, "aws_cli", RULES))
    assert "aws logs put-metric-filter" in cli and "aws cloudwatch put-metric-alarm" in cli


def test_example_scan_prints_one_group(capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    assert main(["scan", str(EXAMPLE)]) == 1
    out = capsys.readouterr().out
    assert out.count("no metric filter on its log group matches") == 1
    assert "14 of 15 CIS monitoring topics have no alarm" in out
    assert out.count('resource "aws_cloudwatch_metric_alarm" "cis"') == 1
    assert main(["scan", str(EXAMPLE), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    failing = [f for f in doc["findings"]
               if "CT101" <= f["rule_id"] <= "CT115" and f["status"] == "fail"]  # fmt: skip
    assert len(failing) == 14  # one finding per rule in the JSON contract


def test_the_group_fix_makes_the_topics_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The printed Terraform, pasted next to the example, gives every topic an alarm."""
    monkeypatch.setenv("COLUMNS", "100")
    infra = tmp_path / "infra"
    shutil.copytree(EXAMPLE, infra)
    main(["scan", str(infra)])
    out = capsys.readouterr().out
    code = out.split("a metric filter and an alarm for each topic:\n")[1].split("\n\n")[0]
    hcl = "\n".join(line[4:] for line in code.splitlines())
    # the example's subscribed topic is aws_sns_topic.security
    (infra / "cis.tf").write_text(hcl.replace("aws_sns_topic.alarms", "aws_sns_topic.security"))
    main(["scan", str(infra), "--format", "json", "--check", "CT1*"])
    doc = json.loads(capsys.readouterr().out)
    # CT121 asks for more (every critical scenario alerts): not what the CIS group fixes
    assert {f["rule_id"]: f["status"] for f in doc["findings"] if f["rule_id"] != "CT121"} == {
        f"CT{n}": "pass" for n in range(101, 116)} | {"CT120": "pass"}


def test_compact_text_has_no_code() -> None:
    [g] = group([cis(n, f"E in every region: {CAUSE}") for n in (1, 4)])
    out = render("text", ScanReport(g.findings, (), tuple(RULES.values())),
                 TextOptions(compact=True))  # fmt: skip
    assert "resource" not in out and "fix:" not in out
