"""Report writers. Each format module has `render(report: ScanReport) -> str`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from checker import __version__
from checker.findings import STATUSES, Finding
from checker.model import InputFile

FORMATS = ("text", "json", "sarif", "junit", "markdown", "html")


@dataclass(frozen=True)
class ScanReport:
    """Everything a report shows: deterministic, so two runs give byte-identical output."""

    findings: tuple[Finding, ...]
    inputs: tuple[InputFile, ...]
    rules: tuple[Any, ...] = ()  # checker.engine.Rule, for formats that describe rules
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. "coverage", "compliance"

    def summary(self) -> dict[str, int]:
        counts = Counter(f.status for f in self.findings)
        return {s: counts.get(s, 0) for s in ("fail", "pass", "unknown", "suppressed")}

    def by_status(self, status: str) -> list[Finding]:
        return [f for f in self.findings if f.status == status]


def tool_info() -> dict[str, str]:
    return {"name": "trailcheck", "version": __version__}


def render(fmt: str, report: ScanReport, *, color: bool = False) -> str:
    if fmt == "json":
        from checker.report import json_report

        return json_report.render(report)
    if fmt == "text":
        from checker.report import text

        return text.render(report, color=color)
    if fmt in ("sarif", "junit", "markdown", "html"):
        import importlib

        module = importlib.import_module(f"checker.report.{fmt}")
        out: str = module.render(report)
        return out
    raise ValueError(f"unknown format {fmt!r}")


def status_order(findings: Sequence[Finding]) -> list[Finding]:
    rank = {s: i for i, s in enumerate(STATUSES)}
    return sorted(findings, key=lambda f: (rank[f.status], f.sort_key()))
