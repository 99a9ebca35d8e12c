"""Findings: what the engine reports, in the shape of the JSON contract."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Status = Literal["pass", "fail", "unknown", "suppressed"]
SuppressionSource = Literal["inline", "metadata", "config", "baseline"]
Severity = Literal["info", "low", "medium", "high", "critical"]

SEVERITIES: tuple[Severity, ...] = ("info", "low", "medium", "high", "critical")
STATUSES: tuple[Status, ...] = ("fail", "unknown", "pass", "suppressed")


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)  # type: ignore[arg-type,unused-ignore]


def blocking(
    findings: Iterable[Finding], fail_on: str | None = None, fail_on_unknown: bool = False
) -> list[Finding]:
    """The findings that make the exit code 1: failures (and, with --fail-on-unknown, unknowns)
    at or above --fail-on (default low)."""
    threshold = severity_rank(fail_on or "low")
    statuses = ("fail", "unknown") if fail_on_unknown else ("fail",)
    return [f for f in findings if f.status in statuses and severity_rank(f.severity) >= threshold]


@dataclass(frozen=True)
class Suppression:
    """Why a finding is suppressed: the reason given, and where it was given (a comment, a
    template's Metadata, a config `skip` entry, a baseline file)."""

    reason: str
    source: SuppressionSource
    where: str

    def __str__(self) -> str:  # the form every report shows
        return f"{self.reason} ({self.source}: {self.where})"


@dataclass(frozen=True)
class Finding:
    rule_id: str
    rule_name: str
    status: Status
    severity: Severity
    resource: str
    file: str
    line: int
    message: str
    compliance: tuple[str, ...] = ()
    # why a finding is suppressed (and by what), kept visible in every report
    suppression: Suppression | None = field(default=None)
    # the deployment unit (Terraform root module, template, plan, CLI output folder, account)
    # the finding is about; None for a finding about a file as such (CT000, CT099)
    unit: str | None = None

    def sort_key(self) -> tuple[str, int, str, str, str, str, str]:
        # the unit and status last: two units judging through one module file give findings
        # that differ only there, and a report must not list them in a different order each run
        return (self.file, self.line, self.rule_id, self.resource, self.message,
                self.unit or "", self.status)  # fmt: skip

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "rule_id": self.rule_id,
            "rule_name": self.rule_name,
            "status": self.status,
            "severity": self.severity,
            "resource": self.resource,
            "file": self.file,
            "line": self.line,
            "message": self.message,
            "compliance": list(self.compliance),
            "unit": self.unit,
        }
        if self.suppression is not None:
            out["suppression"] = str(self.suppression)
        return out
