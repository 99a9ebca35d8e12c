from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from checker.cli import main
from checker.fingerprint import SARIF_KEY
from checker.report import ScanReport, sarif
from checker.report.formats import render
from checker.report.sarif import document
from tests.report.ci_sample import CFN, TF, check_golden, finding, sample_findings, sample_report

DATA = Path(__file__).resolve().parent.parent / "data"
REPO = Path(__file__).resolve().parents[2]


def _schema() -> dict[str, Any]:
    # tests/data holds a copy of the standard schema, so a clean clone validates without shared/
    schema: dict[str, Any] = json.loads((DATA / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    return schema


def _results(doc: dict[str, Any]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = doc["runs"][0]["results"]
    return results


def _result(doc: dict[str, Any], rule_id: str, file: str) -> dict[str, Any]:
    for r in _results(doc):
        uri = r["locations"][0].get("physicalLocation", {}).get("artifactLocation", {}).get("uri")
        if r["ruleId"] == rule_id and (uri or "") == file:
            return r
    raise AssertionError(f"no result {rule_id} in {file}")


def test_golden() -> None:
    check_golden("report.sarif", sarif.render(sample_report(), cwd=REPO, root=REPO))


def test_fingerprint_key_is_not_the_one_github_computes() -> None:
    """GitHub code scanning uses only `primaryLocationLineHash`, which upload-sarif computes
    from the text at startLine when it is absent: trailcheck leaves it to GitHub."""
    for r in _results(document(sample_report())):
        assert "primaryLocationLineHash" not in r["partialFingerprints"]


def test_validates_against_the_sarif_schema() -> None:
    doc = json.loads(render("sarif", sample_report()))
    jsonschema.Draft7Validator(_schema()).validate(doc)
    assert doc["version"] == "2.1.0"


def test_schema_copy_is_the_sarif_2_1_0_schema() -> None:
    schema = _schema()
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]
    assert "region" in schema["definitions"] and "startLine" in (
        schema["definitions"]["region"]["properties"])


def test_rules_are_described() -> None:
    doc = document(sample_report())
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert list(rules) == sorted(rules)
    ct002 = rules["CT002"]
    assert ct002["fullDescription"]["text"].startswith("Why log-file-validation matters")
    assert "```hcl" in ct002["help"]["markdown"] and "```yaml" in ct002["help"]["markdown"]
    assert "# fix CT002" in ct002["help"]["text"]
    assert "CIS-AWS-5.0:3.2" in ct002["properties"]["tags"]
    severities = {rid: r["properties"]["security-severity"] for rid, r in rules.items()}
    assert severities["CT120"] == "9.5" and severities["CT003"] == "8.0"
    assert severities["CT002"] == "5.5" and severities["CT099"] == "3.0"
    described = doc["runs"][0]["tool"]["driver"]["rules"]
    for result in _results(doc):  # ruleIndex points at the rule
        assert described[result["ruleIndex"]]["id"] == result["ruleId"]


def test_levels_follow_status_and_severity() -> None:
    doc = document(sample_report())
    assert _result(doc, "CT003", TF)["level"] == "error"  # high
    assert _result(doc, "CT002", TF)["level"] == "warning"  # medium
    assert _result(doc, "CT099", TF)["level"] == "note"  # low
    assert _result(doc, "CT120", "infra")["level"] == "error"  # critical
    unknown = _result(doc, "CT030", TF)
    assert unknown["level"] == "note" and unknown["properties"]["status"] == "unknown"
    assert "kind" not in unknown  # a level other than "none" requires kind "fail" (the default)


def test_passes_are_not_alerts() -> None:
    doc = document(sample_report())
    assert all(r["properties"]["status"] != "pass" for r in _results(doc))
    assert len(_results(doc)) == sum(1 for f in sample_findings() if f.status != "pass")


def test_locations() -> None:
    doc = document(sample_report(), cwd=REPO, root=REPO)
    loc = _result(doc, "CT002", CFN)["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"] == {"uri": CFN, "uriBaseId": "%SRCROOT%"}
    assert loc["physicalLocation"]["region"] == {"startLine": 8}
    assert loc["logicalLocations"] == [{"name": "Trail", "kind": "resource"}]
    estate = _result(doc, "CT120", "infra")["locations"][0]["physicalLocation"]
    assert estate["region"] == {"startLine": 1}  # no line known: the start of the folder
    live = next(r for r in _results(doc) if r["properties"]["resource"].startswith("arn:"))
    # GitHub rejects a file whose results lack a physical location: no file means the root
    assert live["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": ".", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 1}}


def test_every_result_has_a_start_line() -> None:
    results = _results(document(sample_report()))
    assert results and all(
        r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for r in results)


def test_uris_are_relative_to_the_repository_root(tmp_path: Path) -> None:
    """Run from a subfolder of the repository, paths still start at its top level."""
    (tmp_path / ".git").mkdir()
    sub = tmp_path / "infra"
    sub.mkdir()
    report = ScanReport((finding("CT003", "fail", "aws_cloudtrail.main", "main.tf", 5, "m"),
                         finding("CT003", "fail", "x", "../../elsewhere.tf", 1, "m")), ())
    doc = document(report, cwd=sub)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in _results(doc)]
    assert {"uri": "infra/main.tf", "uriBaseId": "%SRCROOT%"} in uris
    outside = next(u for u in uris if "elsewhere" in u["uri"])
    assert outside["uri"].startswith("file:///") and "uriBaseId" not in outside
    # without a repository: the folder trailcheck runs in
    bare = tmp_path.parent / f"{tmp_path.name}-bare"
    bare.mkdir()
    doc = document(replace(report, findings=report.findings[:1]), cwd=bare)
    assert _results(doc)[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] \
        == "main.tf"


def test_help_uri_and_its_override(monkeypatch: pytest.MonkeyPatch) -> None:
    rules = document(sample_report())["runs"][0]["tool"]["driver"]["rules"]
    ct002 = next(r for r in rules if r["id"] == "CT002")
    assert ct002["helpUri"].endswith("/docs/rules.md#ct002-log-file-validation")
    assert all("helpUri" in r for r in rules)
    monkeypatch.setenv("TRAILCHECK_DOCS_URL", "https://docs.example.com/trailcheck/rules.html")
    rules = document(sample_report())["runs"][0]["tool"]["driver"]["rules"]
    assert next(r for r in rules if r["id"] == "CT002")["helpUri"] == (
        "https://docs.example.com/trailcheck/rules.html#ct002-log-file-validation")


def test_help_uris_name_real_sections_of_the_rules_page() -> None:
    from checker.docs import rules_page
    from checker.engine import load_rules
    from checker.report import rule_doc_url

    headings = {line[3:] for line in rules_page().splitlines() if line.startswith("## ")}
    for rule in load_rules():
        anchor = rule_doc_url(rule.id, rule.name).split("#", 1)[1]
        assert f"{rule.id} {rule.name}" in headings
        assert anchor == f"{rule.id} {rule.name}".lower().replace(" ", "-")


def test_scan_output_file_is_valid_sarif(tmp_path: Path) -> None:
    """`--output x.sarif` writes SARIF (from the extension) that validates, every result with a
    startLine, and paths from the repository root."""
    out = tmp_path / "x.sarif"
    assert main(["scan", str(REPO / "fixtures" / "example"), "--output", str(out)]) == 1
    doc = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(_schema()).validate(doc)
    results = _results(doc)
    assert len(results) >= 19
    for r in results:
        physical = r["locations"][0]["physicalLocation"]
        assert physical["region"]["startLine"] >= 1
        assert physical["artifactLocation"]["uri"].startswith("fixtures/example")
        assert set(r["partialFingerprints"]) == {SARIF_KEY}


def test_suppressions() -> None:
    doc = document(sample_report())
    kinds = {r["ruleId"]: r["suppressions"][0] for r in _results(doc) if "suppressions" in r}
    assert kinds["CT020"] == {"kind": "inSource", "status": "accepted",
                              "justification": "copies go to the audit account's locked bucket"}
    assert kinds["CT021"]["kind"] == "external"
    assert kinds["CT021"]["justification"] == "versioned by the replication target"
    assert kinds["CT024"]["kind"] == "external"  # baseline
    assert set(kinds) == {"CT020", "CT021", "CT024"}


def test_fingerprints_survive_line_moves() -> None:
    report = sample_report()
    moved = ScanReport(
        tuple(replace(f, line=f.line + 20 if f.line else 0) for f in report.findings),
        report.inputs, report.rules,
    )

    def prints(r: ScanReport) -> list[str]:
        return [x["partialFingerprints"][SARIF_KEY] for x in _results(document(r))]

    assert prints(report) == prints(moved)
    assert len(set(prints(report))) == len(prints(report))


def test_output_does_not_depend_on_finding_order() -> None:
    report = sample_report()
    shuffled = ScanReport(tuple(reversed(report.findings)), report.inputs, report.rules)
    assert render("sarif", report) == render("sarif", shuffled)


def test_rule_missing_from_the_report_gets_a_descriptor() -> None:
    report = ScanReport(tuple(sample_findings()), (), ())
    doc = document(report)
    ids = [r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]]
    assert "CT120" in ids
    jsonschema.Draft7Validator(_schema()).validate(doc)


def test_rules_meet_github_code_scanning_limits() -> None:
    """"SARIF support for code scanning" (reportingDescriptor object): name <= 255 characters,
    shortDescription and fullDescription <= 1,024, help.text required; "About code scanning
    limits on SARIF results": GitHub keeps 10 tags per rule (and rejects the file past 20).
    Checked on every rule, and on the bare descriptor of a rule the report does not describe."""
    from checker.engine import load_rules

    bare = replace(finding("CT002", "fail", "x", TF, 1, "m"), rule_id="CT777", rule_name="new")
    report = ScanReport((*sample_report().findings, bare), (), tuple(load_rules()))
    rules = document(report)["runs"][0]["tool"]["driver"]["rules"]
    assert len(rules) > 40
    for r in rules:
        assert len(r["name"]) <= 255
        assert 0 < len(r["shortDescription"]["text"]) <= 1024
        assert 0 < len(r["fullDescription"]["text"]) <= 1024
        assert r["help"]["text"]
        assert len(r["properties"]["tags"]) <= 10 and r["properties"]["tags"][0] == "security"
    ct001 = next(r for r in rules if r["id"] == "CT001")
    assert ct001["fullDescription"]["text"].endswith("…")  # its rationale is longer
    assert len(ct001["properties"]["compliance"]) > 7  # the full list, past the 10 tags
    assert "PCI-DSS-4.0:10.2.1.6" in ct001["properties"]["compliance"]


def test_fingerprints_and_uris_do_not_depend_on_the_folder_the_scan_ran_in(
        tmp_path: Path) -> None:  # fmt: skip
    """From the repository root, from inside `infra/`, or from outside the repository with an
    absolute path: the same uri and the same `trailcheck/v1` fingerprint."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "infra").mkdir()
    outside = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    outside.mkdir()
    runs = [("infra/main.tf", tmp_path), ("main.tf", tmp_path / "infra"),
            (str(tmp_path / "infra" / "main.tf"), outside)]

    def seen(file: str, cwd: Path) -> tuple[Any, Any]:
        report = ScanReport((finding("CT003", "fail", "aws_cloudtrail.main", file, 5, "m"),), ())
        r = _results(document(report, cwd=cwd))[0]
        return r["locations"][0]["physicalLocation"]["artifactLocation"], r["partialFingerprints"]

    first = seen(*runs[0])
    assert first[0] == {"uri": "infra/main.tf", "uriBaseId": "%SRCROOT%"}
    assert all(seen(*run) == first for run in runs[1:])


def test_a_run_keeps_within_githubs_result_limit_the_most_severe_failures_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GitHub code scanning rejects a run of more than 25,000 results ("About code scanning
    limits on SARIF results"): past the limit the least severe are left out, failures kept
    before unknowns and suppressed findings, in the report's order, and a notification says
    how many (the limit is lowered here to the size of the sample)."""
    report = sample_report()
    shown = [f for f in sorted(report.findings, key=lambda f: f.sort_key())
             if f.status != "pass"]  # fmt: skip
    fails = [f for f in shown if f.status == "fail"]
    monkeypatch.setattr(sarif, "MAX_RESULTS", len(fails))
    doc = document(report)
    jsonschema.Draft7Validator(_schema()).validate(doc)
    kept = [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
            for r in _results(doc)]  # fmt: skip
    assert kept == [(f.rule_id, f.line or 1) for f in fails]
    (note,) = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"].startswith(f"{len(shown) - len(fails)} of {len(shown)} "
                                              "results are left out")
    monkeypatch.setattr(sarif, "MAX_RESULTS", len(shown))
    assert "invocations" not in document(report)["runs"][0]
