"""The terminal report: findings grouped by file, readable without colour.

Plain ANSI codes rather than a rendering library: this is the pre-commit path, where every
millisecond of start-up counts, and the layout is simple.
"""

from __future__ import annotations

from itertools import groupby

from checker.findings import Finding
from checker.report import ScanReport

_COLORS = {"fail": "31", "unknown": "33", "pass": "32", "suppressed": "36", "dim": "2", "bold": "1"}
_LABEL = {"fail": "FAIL", "unknown": "UNKNOWN", "pass": "PASS", "suppressed": "SUPPRESSED"}


def render(report: ScanReport, *, color: bool = False, show_passes: bool = False) -> str:
    def paint(text: str, style: str) -> str:
        return f"\033[{_COLORS[style]}m{text}\033[0m" if color else text

    lines: list[str] = []
    shown = [f for f in report.findings if show_passes or f.status != "pass"]
    for file, group in groupby(sorted(shown, key=_by_file), key=lambda f: f.file):
        lines.append(paint(file or "(estate)", "bold"))
        for f in group:
            where = f"{f.line}" if f.line else "-"
            label = paint(f"{_LABEL[f.status]:<10}", f.status)
            lines.append(f"  {where:>5}  {label} {f.rule_id} {f.severity:<8} {f.resource}")
            lines.append(f"         {' ' * 10} {f.message}")
            if f.suppression:
                lines.append(paint(f"         {' ' * 10} suppressed: {f.suppression}", "dim"))
        lines.append("")
    s = report.summary()
    total = (
        f"{s['fail']} failed, {s['unknown']} unknown, {s['pass']} passed, "
        f"{s['suppressed']} suppressed"
    )
    files = len({i.path for i in report.inputs if i.status == "ok"})
    lines.append(f"{total} ({files} input file{'s' if files != 1 else ''})")
    if not shown and not report.findings:
        lines.append("No trail or related resource found in the inputs: nothing to judge.")
    out = "\n".join(lines) + "\n"
    section = report.extra.get("compliance")
    if section:  # --compliance FRAMEWORK
        from checker.report.compliance import render_compliance_text

        out += "\n" + render_compliance_text(section)
    return out


def _by_file(f: Finding) -> tuple[str, int, str, str]:
    return (f.file, f.line, f.rule_id, f.resource)
