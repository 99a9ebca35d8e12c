"""Compliance mappings (policies/compliance/*.yaml) and the per-control report section."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.cli import UsageError, main
from checker.compliance import find_framework, load_frameworks
from checker.engine import load_rules
from checker.findings import Finding
from checker.report.compliance import compliance_section, render_compliance_text
from checker.resources import policies_root

# Rule ids other issues add (monitoring alarms, coverage, capture): mappings may name them
# before their rule files land. Ids in policies/rules are checked directly.
EXPECTED_IDS = {
    "CT001", "CT004", "CT005", "CT006", "CT007", "CT008", "CT009", "CT010", "CT011", "CT120",
    *(f"CT{n}" for n in range(101, 116)),
}
FRAMEWORKS = {"cis-aws-1.4", "cis-aws-3.0", "cis-aws-5.0", "cis-aws-6.0", "aws-fsbp",
              "pci-dss-4.0"}


def rule_ids_on_disk() -> set[str]:
    return {p.stem for p in (policies_root() / "rules").glob("CT*.yaml")}


def finding(rule_id: str, status: str, resource: str = "aws_s3_bucket.logs") -> Finding:
    return Finding(rule_id, "name", status, "high", resource, "main.tf", 3,  # type: ignore[arg-type]
                   f"{rule_id} said {status}")


def control(section: dict[str, object], cid: str) -> dict[str, object]:
    [c] = [c for c in section["controls"] if c["id"] == cid]  # type: ignore[attr-defined]
    return c  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------------------------
# Mapping files


def test_expected_frameworks_are_shipped() -> None:
    assert {fw.slug for fw in load_frameworks()} >= FRAMEWORKS


def test_every_mapped_rule_exists_or_is_expected() -> None:
    known = rule_ids_on_disk() | EXPECTED_IDS
    for fw in load_frameworks():
        for c in fw.controls:
            unknown = set(c.rules) - known
            assert not unknown, f"{fw.slug} {c.id} maps to unknown rules {sorted(unknown)}"


def test_every_control_has_rules_or_a_reason_not_both() -> None:
    for fw in load_frameworks():
        ids = [c.id for c in fw.controls]
        assert len(ids) == len(set(ids)), f"{fw.slug} repeats a control id"
        for c in fw.controls:
            assert bool(c.rules) != bool(c.not_covered), f"{fw.slug} {c.id}"
            assert c.title


def test_every_rule_appears_in_a_framework() -> None:
    mapped = {r for fw in load_frameworks() for c in fw.controls for r in c.rules}
    # file-scope rules (CT000 unreadable input, suppression hygiene) judge the inputs, not AWS
    judged = {r.id for r in load_rules() if r.scope != "file"}
    missing = judged - mapped
    assert not missing, f"rules in no compliance framework: {sorted(missing)}"
    assert not (EXPECTED_IDS - mapped), "an expected rule id is mapped nowhere"


@pytest.mark.parametrize(
    ("slug", "logging", "monitoring", "security_hub"),
    [
        ("cis-aws-1.4", "3", "4", False),
        ("cis-aws-3.0", "3", "4", True),
        ("cis-aws-5.0", "3", "4", True),
        ("cis-aws-6.0", "4", "5", True),
    ],
)
def test_cis_sections_and_monitoring_topics(
    slug: str, logging: str, monitoring: str, security_hub: bool
) -> None:
    fw = find_framework(slug)
    assert fw is not None
    by_id = {c.id: c for c in fw.controls}
    assert by_id[f"{logging}.1"].rules == ("CT001",)
    assert by_id[f"{logging}.2"].rules == ("CT002",)
    for topic in range(1, 16):  # CIS monitoring topics 1-15 in the design's order
        assert by_id[f"{monitoring}.{topic}"].rules == (f"CT{100 + topic}",)
    assert (f"{monitoring}.16" in by_id) is security_hub
    if security_hub:
        assert by_id[f"{monitoring}.16"].not_covered


def test_cis_1_4_has_the_public_bucket_and_cloudwatch_controls() -> None:
    fw = find_framework("cis-aws-1.4")
    assert fw is not None
    by_id = {c.id: c for c in fw.controls}
    assert by_id["3.3"].rules == ("CT023",)
    assert by_id["3.4"].rules == ("CT005",)
    assert by_id["3.10"].rules == ("CT009",) and by_id["3.11"].rules == ("CT010",)


def test_findings_carry_compliance_ids() -> None:
    rules = {r.id: r for r in load_rules()}
    assert "CIS-AWS-5.0:3.4" in rules["CT024"].compliance
    assert "CIS-AWS-6.0:4.4" in rules["CT024"].compliance
    assert "AWS-FSBP:CloudTrail.6" in rules["CT023"].compliance
    assert "PCI-DSS-4.0:10.5.1" in rules["CT027"].compliance


# ---------------------------------------------------------------------------------------------
# Section


def test_unknown_framework_is_a_usage_error_and_a_value_error() -> None:
    with pytest.raises(UsageError, match=r"cis-aws-5\.0"):
        compliance_section("cis-aws-9.9", [], [])
    with pytest.raises(ValueError):
        compliance_section("nope", [], [])


def test_control_status_from_findings() -> None:
    rules = load_rules()
    findings = [
        finding("CT023", "fail"),
        finding("CT023", "pass", "aws_s3_bucket.other"),
        finding("CT024", "unknown"),
        finding("CT002", "pass"),
    ]
    section = compliance_section("cis-aws-1.4", findings, rules)
    assert section["framework"] == "CIS-AWS-1.4"
    public = control(section, "3.3")
    assert public["status"] == "fail"
    assert "CT023" in public["why"] and "aws_s3_bucket.logs" in public["why"]  # type: ignore[operator]
    assert control(section, "3.6")["status"] == "unknown"
    assert control(section, "3.2")["status"] == "pass"
    config = control(section, "3.5")
    assert config["status"] == "not_covered" and "Config" in config["why"]  # type: ignore[operator]
    assert section["summary"]["fail"] == 1  # type: ignore[index]


def test_control_without_results_is_unknown_and_says_why() -> None:
    rules = [r for r in load_rules() if r.id != "CT003"]
    section = compliance_section("cis-aws-5.0", [], rules)
    validation = control(section, "3.2")  # CT002 is loaded but had nothing to judge
    assert validation["status"] == "unknown"
    assert "nothing to judge" in validation["why"]  # type: ignore[operator]
    encryption = control(section, "3.5")  # CT003 left out of the loaded rules
    assert "not available" in encryption["why"]  # type: ignore[operator]


def test_suppressed_failures_do_not_fail_the_control_but_are_listed() -> None:
    section = compliance_section(
        "aws-fsbp", [finding("CT002", "suppressed"), finding("CT002", "pass", "t2")], load_rules()
    )
    c = control(section, "CloudTrail.4")
    assert c["status"] == "pass"
    assert c["suppressed"][0]["rule_id"] == "CT002"  # type: ignore[index]


def test_text_lists_every_logging_control_with_its_status() -> None:
    section = compliance_section("cis-aws-5.0", [finding("CT024", "fail")], load_rules())
    text = render_compliance_text(section)
    lines = text.splitlines()
    assert lines[0].startswith("Compliance: CIS Amazon Web Services Foundations Benchmark v5.0.0")
    for n in range(1, 10):
        [line] = [ln for ln in lines if ln.strip().startswith(f"3.{n} ")]
        assert any(s in line for s in ("PASS", "FAIL", "UNKNOWN", "NOT COVERED"))
    [access] = [ln for ln in lines if ln.strip().startswith("3.4 ")]
    assert "FAIL" in access and "[CT024]" in access
    assert "CT024 fails on aws_s3_bucket.logs" in text
    assert lines[-1].endswith("not covered by trailcheck")


def test_scan_with_compliance_lists_every_logging_control(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An empty folder loads without any loader: every control is then unknown or not covered.
    code = main(["scan", str(tmp_path), "--format", "json", "--compliance", "cis-aws-5.0"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    section = report["compliance"]
    assert section["framework"] == "CIS-AWS-5.0"
    statuses = {c["id"]: c["status"] for c in section["controls"]}
    for n in range(1, 10):
        assert statuses[f"3.{n}"] in ("pass", "fail", "unknown", "not_covered")
    assert statuses["3.3"] == "not_covered" and statuses["3.7"] == "not_covered"


def test_scan_with_unknown_framework_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", str(tmp_path), "--compliance", "cis-aws-0.1"]) == 2
    assert "unknown compliance framework" in capsys.readouterr().err
