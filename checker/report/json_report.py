"""The JSON report, schema_version 1 (docs/architecture.md, "Contracts"): sorted and free of
timestamps."""

from __future__ import annotations

import json

from checker.report import ScanReport, tool_info


def document(report: ScanReport) -> dict[str, object]:
    doc: dict[str, object] = {
        "schema_version": 1,
        "tool": tool_info(),
        "inputs": [
            {"path": i.path, "kind": i.kind, "status": i.status}
            for i in sorted(set(report.inputs), key=lambda i: (i.path, i.kind))
        ],
        "findings": [f.to_json() for f in report.findings],
        "summary": report.summary(),
    }
    for key in sorted(report.extra):
        doc[key] = report.extra[key]
    return doc


def render(report: ScanReport) -> str:
    return json.dumps(document(report), indent=2, sort_keys=False, ensure_ascii=False) + "\n"
