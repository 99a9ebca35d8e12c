"""A pull-request comment: counts by severity, the failures with file:line (each rule id links
to its documentation), the critical scenarios' coverage when the simulator added it, and the
rest folded in <details> blocks.

Kept short enough to post: GitHub refuses a longer comment body with "body is too long (maximum
is 65536 characters)" (REST API, "Create an issue comment"; how it counts is not documented,
so the budget is 65,536 bytes of UTF-8, which fits whether it counts characters or bytes).
Each list shows at most LIMIT findings and says how many more there are, long messages are
cut, and a large monorepo's report shows fewer rows and per-unit scenario tables until it fits
(STEPS).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from checker.findings import SEVERITIES, Finding, severity_rank
from checker.report import ScanReport, printable_findings, rule_doc_url, several_units

LIMIT = 50
MESSAGE_CHARS = 300
MAX_CHARS = 65_536
# (findings per list, per-unit coverage tables) tried in turn until the comment fits
STEPS = ((LIMIT, None), (20, 10), (10, 5), (5, 2), (0, 0))
CUT = "\n\n…cut to fit a pull-request comment: the full report has the rest.\n"
_MARK = {"fail": "❌", "unknown": "❔", "suppressed": "🔕", "pass": "✅"}


def render(report: ScanReport, limit: int = LIMIT, max_chars: int = MAX_CHARS) -> str:
    """The comment, within `max_chars` characters."""
    report = printable_findings(report)  # no control character from the inputs
    steps = [(min(limit, n), units) for n, units in STEPS]
    for n, units in dict.fromkeys(steps):
        text = _render(report, n, units)
        if len(text.encode("utf-8")) <= max_chars:
            return text
    head = text.encode("utf-8")[: max_chars - len(CUT.encode("utf-8"))]
    return head.decode("utf-8", "ignore").rsplit("\n", 1)[0] + CUT


def _render(report: ScanReport, limit: int, max_units: int | None) -> str:
    s = report.summary()
    failed = sorted(report.by_status("fail"),
                    key=lambda f: (-severity_rank(f.severity), f.sort_key()))
    verdict = "❌ failed" if failed else "✅ passed"
    out = [
        f"## trailcheck {verdict}",
        "",
        f"**{s['fail']}** failed, **{s['unknown']}** unknown, **{s['pass']}** passed, "
        f"**{s['suppressed']}** suppressed.",
        "",
    ]
    out += _severity_table(report.findings)
    units = several_units(report.findings)
    if failed:
        out += [f"### Failed ({len(failed)})", ""]
        out += _findings_table(failed, limit, units=units)
    out += _coverage(report.extra.get("coverage"), max_units)
    for status, title in (("unknown", "Unknown"), ("suppressed", "Suppressed"), ("pass", "Passed")):
        group = sorted(report.by_status(status), key=Finding.sort_key)
        if group:
            out += [f"<details><summary>{title} ({len(group)})</summary>", ""]
            out += _findings_table(group, limit, reason=status == "suppressed", units=units)
            out += ["</details>", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _severity_table(findings: Sequence[Finding]) -> list[str]:
    rows = []
    for sev in reversed(SEVERITIES):
        counts = [sum(1 for f in findings if f.severity == sev and f.status == st)
                  for st in ("fail", "unknown", "suppressed")]
        if any(counts):
            rows.append(f"| {sev} | {counts[0]} | {counts[1]} | {counts[2]} |")
    if not rows:
        return []
    return ["| severity | failed | unknown | suppressed |", "|---|---:|---:|---:|", *rows, ""]


def _findings_table(
    findings: Sequence[Finding], limit: int, reason: bool = False, units: bool = False
) -> list[str]:
    """One row per finding; a unit column when the scan has several units (two units that use
    one module get findings alike in all else)."""
    if limit == 0:  # cut to fit: no table at all
        return [f"{len(findings)} in the full report.", ""]
    head = "| | severity | rule | resource | location |" + (" unit |" if units else "")
    columns = 6 + int(units) + int(reason)
    rows = [head + " message |" + (" reason |" if reason else ""), "|---" * columns + "|"]
    for f in findings[:limit]:
        rule = f"[{f.rule_id}]({rule_doc_url(f.rule_id, f.rule_name)}) {f.rule_name}"
        unit = f" {_code(f.unit or '')} |" if units else ""
        row = (f"| {_MARK[f.status]} | {f.severity} | {rule} | "
               f"{_code(f.resource)} | {_code(_where(f))} |{unit} {_cell(f.message)} |")
        if reason:
            row += f" {_cell(str(f.suppression or ''))} |"
        rows.append(row)
    rows.append("")
    if len(findings) > limit:
        rows += [f"…and {len(findings) - limit} more, in the full report.", ""]
    return rows


LEGEND = ("✅ captured · 📈 sent to CloudWatch Logs · 🔔 an alarm or EventBridge rule notifies · "
          "❌ not captured · ❔ not known")


def _coverage(coverage: Any, max_units: int | None = None) -> list[str]:
    """The critical scenarios of `report.extra["coverage"]` as a scenario x region table, one
    per deployment unit (the first `max_units` of them when given)."""
    if not isinstance(coverage, Mapping):
        return []
    regions = [str(r) for r in coverage.get("regions", [])]
    units = [u for u in coverage.get("units", []) if isinstance(u, Mapping)]
    if not regions:
        return []
    tables = [(unit, scenarios) for unit in units
              if (scenarios := [s for s in unit.get("scenarios", [])
                                if isinstance(s, Mapping) and s.get("critical")])]  # fmt: skip
    out: list[str] = []
    for shown, (unit, scenarios) in enumerate(tables):
        if max_units is not None and shown >= max_units:
            out += [f"…the critical scenarios of {len(tables) - shown} more unit(s) are in the "
                    "full report.", ""]
            break
        heading = "### Critical scenarios"
        if len(units) > 1 or unit.get("unit"):
            heading += f" in {_cell(str(unit.get('unit') or '.'))}"
        out += [
            heading,
            "",
            LEGEND,
            "",
            "| scenario | " + " | ".join(regions) + " |",
            "|---" + "|:-:" * len(regions) + "|",
        ]
        for sc in sorted(scenarios, key=lambda s: str(s.get("id", ""))):
            cells = sc.get("cells", {})
            marks = [_cell_mark(cells.get(r) if isinstance(cells, Mapping) else None)
                     for r in regions]  # fmt: skip
            title = _cell(str(sc.get("title") or sc.get("id", "")))
            out.append(f"| {title} | " + " | ".join(marks) + " |")
        out.append("")
    return out


def _cell_mark(cell: Any) -> str:
    if not isinstance(cell, Mapping) or not isinstance(cell.get("captured_by"), list):
        return "❔"
    if not cell["captured_by"]:
        return "❌"
    mark = "✅"
    if cell.get("cloudwatch") is True:
        mark += "📈"
    if cell.get("alarm") is True or cell.get("eventbridge"):
        mark += "🔔"
    return mark


def _where(f: Finding) -> str:
    if not f.file:
        return "(estate)"
    return f"{f.file}:{f.line}" if f.line else f.file


def _cell(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > MESSAGE_CHARS:
        text = text[: MESSAGE_CHARS - 1] + "…"
    return text.replace("|", "\\|").replace("<", "&lt;")


def _code(text: str) -> str:
    return "`" + text.replace("`", "'").replace("|", "\\|") + "`"
