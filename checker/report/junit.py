"""JUnit XML, for CI systems that show test results (GitLab, Jenkins, Azure DevOps, ...).

One testcase per rule and resource (classname "CT002 log-file-validation", name the resource):
a failure when any of its findings fails (every failing message, with file:line, in the
body), else skipped when one is unknown or suppressed (with the reason), else a plain pass.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from itertools import groupby

from checker.findings import Finding
from checker.report import ScanReport

# XML 1.0 cannot carry most control characters, whatever the escaping.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render(report: ScanReport) -> str:
    cases = [_case(group) for _, group in _groups(report.findings)]
    counts = {
        "tests": str(len(cases)),
        "failures": str(sum(1 for c in cases if c.find("failure") is not None)),
        "errors": "0",
        "skipped": str(sum(1 for c in cases if c.find("skipped") is not None)),
    }
    root = ET.Element("testsuites", {"name": "trailcheck", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": "trailcheck", **counts})
    suite.extend(cases)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _groups(findings: Sequence[Finding]) -> list[tuple[tuple[str, str, str], list[Finding]]]:
    def key(f: Finding) -> tuple[str, str, str]:
        return (f.rule_id, f.resource, f.file)

    ordered = sorted(findings, key=lambda f: (key(f), f.line, f.message))
    return [(k, list(g)) for k, g in groupby(ordered, key=key)]


def _case(findings: list[Finding]) -> ET.Element:
    first = findings[0]
    attrs = {"classname": _clean(f"{first.rule_id} {first.rule_name}"),
             "name": _clean(first.resource)}
    if first.file:
        attrs["file"] = _clean(first.file)
        if first.line:
            attrs["line"] = str(first.line)
    case = ET.Element("testcase", attrs)
    failing = [f for f in findings if f.status == "fail"]
    unknown = [f for f in findings if f.status == "unknown"]
    suppressed = [f for f in findings if f.status == "suppressed"]
    if failing:
        message = failing[0].message
        if len(failing) > 1:
            message = f"{len(failing)} failures: {message}"
        failure = ET.SubElement(case, "failure", {"message": _clean(message),
                                                  "type": first.severity})
        failure.text = _clean("\n".join(f"{_where(f)}: {f.message}" for f in failing))
    elif unknown:
        ET.SubElement(case, "skipped", {"message": _clean(f"unknown: {unknown[0].message}")})
    elif suppressed:
        reason = str(suppressed[0].suppression or "")
        ET.SubElement(case, "skipped", {"message": _clean(f"suppressed: {reason}")})
    return case


def _where(f: Finding) -> str:
    if not f.file:
        return f.resource
    return f"{f.file}:{f.line}" if f.line else f.file


def _clean(text: str) -> str:
    return _INVALID_XML.sub("?", text)
