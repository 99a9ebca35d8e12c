"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

- tool.driver.rules: every rule, with its rationale, remediation (text and markdown),
  tags and a `security-severity` GitHub uses to rank alerts;
- results: fail, unknown and suppressed findings (passes are not alerts). A fail's level
  follows its severity; an unknown is a "note" with `properties.status` "unknown";
- locations: a relative uri under %SRCROOT% (the root itself for a finding without a file) and,
  when the finding has a line, a region; the resource as a logical location;
- partialFingerprints: checker/fingerprint.py, so an alert survives its block moving;
- suppressions: "inSource" for inline comments and CloudFormation Metadata, "external" for
  the config file and the baseline, with the reason as justification.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from checker.findings import Finding
from checker.fingerprint import SARIF_KEY, fingerprint
from checker.report import ScanReport, tool_info

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
_REMEDIATION = (("terraform", "Terraform", "hcl"), ("cloudformation", "CloudFormation", "yaml"),
                ("aws_cli", "AWS CLI", "sh"))


def render(report: ScanReport) -> str:
    return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"


def document(report: ScanReport) -> dict[str, Any]:
    rules = _rules(report)
    index = {r["id"]: i for i, r in enumerate(rules)}
    shown = sorted((f for f in report.findings if f.status != "pass"), key=Finding.sort_key)
    results = [_result(f, index) for f in shown]
    tool = tool_info()
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": tool["name"],
                "version": tool["version"],
                "semanticVersion": tool["version"],
                "rules": rules,
            }},
            "originalUriBaseIds": {
                SRCROOT: {"description": {"text": "The folder trailcheck ran in."}},
            },
            "results": results,
            "properties": {"summary": report.summary()},
        }],
    }


def _rules(report: ScanReport) -> list[dict[str, Any]]:
    """The report's rules, plus a bare descriptor for any rule a finding names but the report
    does not describe."""
    described = {r.id: _rule(r) for r in report.rules}
    for f in report.findings:
        if f.rule_id not in described:
            described[f.rule_id] = {
                "id": f.rule_id,
                "name": f.rule_name,
                "shortDescription": {"text": f.rule_name},
                "defaultConfiguration": {"level": LEVEL[f.severity]},
                "properties": {"tags": ["security", "cloudtrail"],
                               "security-severity": SECURITY_SEVERITY[f.severity]},
            }
    return [described[k] for k in sorted(described)]


def _rule(rule: Any) -> dict[str, Any]:
    text = [rule.title, "", rule.rationale]
    markdown = [f"**{rule.title}**", "", rule.rationale]
    remediation: Mapping[str, str] = rule.remediation
    for key, label, lang in _REMEDIATION:
        snippet = remediation.get(key)
        if snippet:
            text += ["", f"Fix ({label}):", snippet.rstrip()]
            markdown += ["", f"Fix ({label}):", "", f"```{lang}", snippet.rstrip(), "```"]
    if rule.compliance:
        text += ["", "Compliance: " + ", ".join(rule.compliance)]
        markdown += ["", "Compliance: " + ", ".join(f"`{c}`" for c in rule.compliance)]
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": "\n".join(text), "markdown": "\n".join(markdown)},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {
            "tags": ["security", "cloudtrail", f"scope:{rule.scope}", *rule.compliance],
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "severity": rule.severity,
        },
    }


def _result(f: Finding, index: Mapping[str, int]) -> dict[str, Any]:
    status = f.status
    level = "note" if status == "unknown" else LEVEL[f.severity]
    properties: dict[str, Any] = {"status": status, "severity": f.severity, "resource": f.resource}
    if f.compliance:
        properties["compliance"] = list(f.compliance)
    result: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": index[f.rule_id],
        "level": level,
        "message": {"text": f.message},
        "locations": [_location(f)],
        "partialFingerprints": {SARIF_KEY: fingerprint(f)},
        "properties": properties,
    }
    if f.suppression is not None:
        result["suppressions"] = [{
            "kind": "inSource" if f.suppression.source in ("inline", "metadata") else "external",
            "status": "accepted",
            "justification": f.suppression.reason,
        }]
        properties["suppression"] = str(f.suppression)
    return result


def _location(f: Finding) -> dict[str, Any]:
    logical = [{"name": f.resource, "kind": "resource"}]
    # GitHub rejects the whole file when a result has no physical location, so a finding
    # without a file (live account data) points at the root the scan ran in.
    path = (f.file or ".").replace(os.sep, "/")
    artifact: dict[str, Any]
    if os.path.isabs(path):
        artifact = {"uri": "file://" + quote(path if path.startswith("/") else "/" + path)}
    else:
        artifact = {"uri": quote(path), "uriBaseId": SRCROOT}
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if f.line > 0:  # SARIF lines are 1-based: line 0 (no line known) has no region
        physical["region"] = {"startLine": f.line}
    return {"physicalLocation": physical, "logicalLocations": logical}
