"""The JSON report, schema_version 1 (docs/architecture.md, "Contracts"): sorted and free of
timestamps."""

from __future__ import annotations

from collections.abc import Iterator

from checker.report import ScanReport, jsontext, tool_info


def document(report: ScanReport) -> dict[str, object]:
    doc: dict[str, object] = {
        "schema_version": 1,
        "tool": tool_info(),
        "inputs": [
            {"path": i.path, "kind": i.kind, "status": i.status}
            for i in sorted(set(report.inputs), key=lambda i: (i.path, i.kind))
        ],
        # made as they are written (jsontext): a large scan has tens of thousands
        "findings": (f.to_json() for f in report.findings),
        "summary": report.summary(),
    }
    for key in sorted(report.extra):
        doc[key] = report.extra[key]
    return doc


def render(report: ScanReport) -> str:
    return "".join(chunks(report))


def chunks(report: ScanReport) -> Iterator[str]:
    """`render`'s text in pieces: a large scan's report (100 MB for 10,000 files) is written as
    it is made rather than held whole."""
    return jsontext.chunks(document(report), large=len(report.findings) >= jsontext.LARGE)
