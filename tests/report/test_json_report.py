"""The JSON report: the schema_version 1 contract of docs/architecture.md, sorted, no timestamps."""

from __future__ import annotations

import json

from checker.report.formats import render
from tests.report.ci_sample import check_golden, sample_report


def test_golden() -> None:
    check_golden("report.json", render("json", sample_report()))


def test_contract_keys_and_summary() -> None:
    doc = json.loads(render("json", sample_report()))
    assert list(doc)[:5] == ["schema_version", "tool", "inputs", "findings", "summary"]
    assert doc["schema_version"] == 1 and doc["tool"]["name"] == "trailcheck"
    keys = {"rule_id", "rule_name", "status", "severity", "resource", "file", "line", "message",
            "compliance"}  # fmt: skip
    for f in doc["findings"]:
        assert keys <= set(f)
        assert f["status"] in ("pass", "fail", "unknown", "suppressed")
    counts = {s: sum(f["status"] == s for f in doc["findings"]) for s in doc["summary"]}
    assert counts == doc["summary"]
    assert doc["coverage"]["regions"] == ["us-east-1", "eu-west-1"]


def test_same_bytes_every_time() -> None:
    assert render("json", sample_report()) == render("json", sample_report())
