"""Report writers: what every format shows (`ScanReport`) and how the text report looks
(`TextOptions`). Each format module has `render(report: ScanReport) -> str` (the text report also
takes `TextOptions`); `checker.report.formats.render` picks one by name."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from checker import __version__
from checker.findings import Finding

if TYPE_CHECKING:
    from checker.model import InputFile
    from checker.rules import Rule

# Where each rule's documentation lives: the section of docs/rules.md named after the rule.
# TRAILCHECK_DOCS_URL replaces the base (a fork, a mirror, an internal copy of the page).
DOCS_URL = f"https://github.com/your-org/trailcheck/blob/v{__version__}/docs/rules.md"
DOCS_URL_VARIABLE = "TRAILCHECK_DOCS_URL"


@dataclass(frozen=True)
class ScanReport:
    """Everything a report shows: deterministic, so two runs give byte-identical output."""

    findings: tuple[Finding, ...]
    inputs: tuple[InputFile, ...]
    rules: tuple[Rule, ...] = ()  # for formats that describe rules
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. "coverage", "compliance"

    def summary(self) -> dict[str, int]:
        counts = Counter(f.status for f in self.findings)
        return {s: counts.get(s, 0) for s in ("fail", "pass", "unknown", "suppressed")}

    def by_status(self, status: str) -> list[Finding]:
        return [f for f in self.findings if f.status == status]


def several_units(findings: Iterable[Finding]) -> bool:
    """Whether the findings come from more than one deployment unit. Then the text, Markdown and
    HTML reports name each finding's unit: two units that use one module get findings alike in all
    else (resource, file, line), one per unit."""
    return len({f.unit for f in findings if f.unit}) > 1


# C0 and C1 control characters (ESC starts a terminal escape sequence, CR rewrites a line) and
# the Unicode bidirectional controls: text from the inputs shows them as escapes, so that it
# cannot recolour, hide or reorder what a reader of a terminal, CI log or PR comment sees.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with line breaks and tabs as spaces and other control characters as escapes."""
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def printable_findings(report: ScanReport) -> ScanReport:
    """The report with the text of its findings that comes from the inputs made `printable`."""

    def clean(f: Finding) -> Finding:
        texts = (f.resource, f.file, f.message, f.unit or "",
                 f.suppression.reason if f.suppression else "")  # fmt: skip
        if not any(_CONTROL.search(t) for t in texts):
            return f
        reason = f.suppression and replace(f.suppression, reason=printable(f.suppression.reason))
        return replace(f, resource=printable(f.resource), file=printable(f.file),
                       message=printable(f.message), suppression=reason,
                       unit=f.unit and printable(f.unit))  # fmt: skip

    return replace(report, findings=tuple(clean(f) for f in report.findings))


def tool_info() -> dict[str, str]:
    return {"name": "trailcheck", "version": __version__}


@dataclass(frozen=True)
class TextOptions:
    """How the text report looks (the other formats always carry everything)."""

    color: bool = False
    width: int = 0  # wrap to this many columns; 0: never wrap (a file)
    show_passes: bool = False
    show_suppressed: bool = False
    quiet: bool = False  # failures only
    compact: bool = False  # no fixes or code
    fail_on: str = "low"  # the summary counts the findings that fail the run
    fail_on_unknown: bool = False


def rule_doc_url(rule_id: str, rule_name: str) -> str:
    """The rule's section of docs/rules.md (a GitHub heading anchor)."""
    base = os.environ.get(DOCS_URL_VARIABLE) or DOCS_URL
    anchor = re.sub(r"[^a-z0-9 _-]", "", f"{rule_id} {rule_name}".lower()).replace(" ", "-")
    return f"{base.split('#', 1)[0]}#{anchor}"
