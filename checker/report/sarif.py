"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

- tool.driver.rules: every rule, with its rationale, remediation (text and markdown),
  tags and a `security-severity` GitHub uses to rank alerts;
- results: fail, unknown and suppressed findings (passes are not alerts). A fail's level
  follows its severity; an unknown is a "note" with `properties.status` "unknown";
- every rule has a helpUri: its section of docs/rules.md (TRAILCHECK_DOCS_URL replaces the
  base, checker.report.rule_doc_url), and what GitHub code scanning requires of a rule
  ("SARIF support for code scanning", reportingDescriptor object): shortDescription and
  fullDescription of at most 1,024 characters (a longer rationale is cut there; `help` keeps
  all of it), help.text; at most 10 tags, the number GitHub shows ("About code scanning
  limits on SARIF results": more than 10 are dropped, more than 20 reject the file), the full
  list of compliance ids is in `properties.compliance`;
- locations: a uri relative to %SRCROOT%, the repository root (the git top level around the
  folder trailcheck ran in, else around the scanned files, else that folder), so the paths
  match the repository's files whatever folder the scan ran from; a path outside it is an
  absolute file:// URI. Every result has a region with a `startLine`, which GitHub code
  scanning requires ("SARIF support for code scanning", physicalLocation object): a finding
  without a line (a whole file, a whole module folder, a live account) starts at line 1. The
  resource is a logical location;
- partialFingerprints: `trailcheck/v1` (checker/fingerprint.py: rule, scope, resource and
  message, no line numbers; the scope from the repository root, like the URI, so it is the same
  whatever folder the scan ran in). GitHub code scanning documents that it uses only the
  `primaryLocationLineHash` key, which its upload-sarif action computes from the text at
  `startLine` when the key is absent (and warns about when a value differs from its own), so
  trailcheck leaves that key to GitHub: a hash of the block's first line also survives the
  block moving. `trailcheck/v1` serves other SARIF consumers;
- suppressions: "inSource" for inline comments and CloudFormation Metadata, "external" for
  the config file and the baseline, with the reason as justification.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from checker.findings import Finding, severity_rank
from checker.fingerprint import SARIF_KEY, fingerprint, relative_to
from checker.report import ScanReport, jsontext, rule_doc_url, tool_info

if TYPE_CHECKING:
    from checker.rules import Rule

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# GitHub code scanning's limits ("SARIF support for code scanning"; "About code scanning limits
# on SARIF results"): description texts, and the tags of a rule it keeps
DESCRIPTION_CHARS = 1024
MAX_TAGS = 10
# results in one run: GitHub rejects a run with more (the same page, "Results per run")
MAX_RESULTS = 25_000
_REMEDIATION = (("terraform", "Terraform", "hcl"), ("cloudformation", "CloudFormation", "yaml"),
                ("aws_cli", "AWS CLI", "sh"))


def render(report: ScanReport, cwd: Path | None = None, root: Path | None = None) -> str:
    return "".join(chunks(report, cwd, root))


def chunks(report: ScanReport, cwd: Path | None = None, root: Path | None = None
           ) -> Iterator[str]:  # fmt: skip
    """`render`'s text in pieces, written as it is made (json_report.chunks)."""
    return jsontext.chunks(document(report, cwd, root),
                           large=len(report.findings) >= jsontext.LARGE)  # fmt: skip


def repository_root(start: Path) -> Path:
    """The git top level around `start` (a `.git` folder, or file in a worktree), else `start`."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return here


def _root(cwd: Path, findings: Sequence[Finding]) -> Path:
    """The repository around `cwd`; run outside one (a scan of an absolute path from another
    folder), the repository of the first scanned file that is in one; else `cwd`."""
    starts = dict.fromkeys([cwd, *((cwd / f.file).parent for f in findings if f.file)])
    for start in starts:
        top = repository_root(start)
        if (top / ".git").exists():
            return top
    return cwd


def document(
    report: ScanReport, cwd: Path | None = None, root: Path | None = None
) -> dict[str, Any]:
    """The SARIF log. Finding paths are relative to `cwd` (default the current folder); URIs
    are made relative to `root` (default the repository around `cwd`)."""
    cwd = (cwd or Path.cwd()).resolve()
    root = (root or _root(cwd, report.findings)).resolve()
    rules = _rules(report)
    index = {r["id"]: i for i, r in enumerate(rules)}
    shown = sorted((f for f in report.findings if f.status != "pass"), key=Finding.sort_key)
    shown, left_out = _within_limit(shown)
    results = [_result(f, index, cwd, root) for f in shown]
    tool = tool_info()
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": tool["name"],
            "version": tool["version"],
            "semanticVersion": tool["version"],
            "rules": rules,
        }},
        "originalUriBaseIds": {
            SRCROOT: {"description": {"text": "The repository root (the git top level), or "
                                              "the folder trailcheck ran in outside one."}},
        },
        "results": results,
        "properties": {"summary": report.summary()},
    }
    if left_out:
        run["invocations"] = [{"executionSuccessful": True, "toolExecutionNotifications": [{
            "level": "warning",
            "message": {"text": f"{left_out} of {len(shown) + left_out} results are left out, "
                                "the least severe: GitHub code scanning rejects a run of more "
                                f"than {MAX_RESULTS:,} results; the JSON report holds every "
                                "finding"},
        }]}]  # fmt: skip
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _within_limit(shown: list[Finding]) -> tuple[list[Finding], int]:
    """At most MAX_RESULTS findings, in their order: the failures before the unknowns, then
    the suppressed, each by falling severity; and how many were left out."""
    if len(shown) <= MAX_RESULTS:
        return shown, 0

    def rank(i: int) -> tuple[bool, bool, int]:
        f = shown[i]
        suppressed = f.status == "suppressed" or f.suppression is not None
        return suppressed, f.status != "fail", -severity_rank(f.severity)
    keep = sorted(sorted(range(len(shown)), key=rank)[:MAX_RESULTS])
    return [shown[i] for i in keep], len(shown) - MAX_RESULTS


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
                "fullDescription": {"text": f.rule_name},
                "help": {"text": f"trailcheck explain {f.rule_id}"},
                "helpUri": rule_doc_url(f.rule_id, f.rule_name),
                "defaultConfiguration": {"level": LEVEL[f.severity]},
                "properties": {"tags": ["security", "cloudtrail"],
                               "security-severity": SECURITY_SEVERITY[f.severity]},
            }
    return [described[k] for k in sorted(described)]


def _rule(rule: Rule) -> dict[str, Any]:
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
        "shortDescription": {"text": _shorten(rule.title)},
        "fullDescription": {"text": _shorten(rule.rationale)},
        "help": {"text": "\n".join(text), "markdown": "\n".join(markdown)},
        "helpUri": rule_doc_url(rule.id, rule.name),
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {
            "tags": ["security", "cloudtrail", f"scope:{rule.scope}", *rule.compliance][
                :MAX_TAGS],
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "severity": rule.severity,
            "compliance": list(rule.compliance),
        },
    }


def _shorten(text: str) -> str:
    """`text` within DESCRIPTION_CHARS, cut at a space with an ellipsis."""
    text = text.strip()
    if len(text) <= DESCRIPTION_CHARS:
        return text
    cut = text[: DESCRIPTION_CHARS - 1]
    return (cut.rsplit(None, 1)[0] if " " in cut else cut).rstrip(" ,;:") + "…"


def _result(f: Finding, index: Mapping[str, int], cwd: Path, root: Path) -> dict[str, Any]:
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
        "locations": [_location(f, cwd, root)],
        "partialFingerprints": {SARIF_KEY: fingerprint(relative_to(f, root, cwd))},
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


def _location(f: Finding, cwd: Path, root: Path) -> dict[str, Any]:
    logical = [{"name": f.resource, "kind": "resource"}]
    # GitHub rejects the whole file when a result has no physical location, so a finding
    # without a file (live account data) points at the repository root.
    target = Path(os.path.realpath(cwd / f.file)) if f.file else root
    artifact: dict[str, Any]
    if target == root or target.is_relative_to(root):
        rel = target.relative_to(root).as_posix() if target != root else "."
        artifact = {"uri": quote(rel), "uriBaseId": SRCROOT}
    else:
        artifact = {"uri": target.as_uri()}
    # SARIF lines are 1-based; a finding about a whole file or folder (line 0) starts at line 1
    region = {"startLine": max(f.line, 1)}
    return {"physicalLocation": {"artifactLocation": artifact, "region": region},
            "logicalLocations": logical}  # fmt: skip
