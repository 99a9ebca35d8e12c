"""The terminal report: the findings that fail the run first, each with its one-line fix.

Order: failures, then unknowns (then suppressed findings and passes when asked for), each by
falling severity, then file and line. A failure ends with its fix (fixes.py) or the `trailcheck
explain` command that shows it; the fifteen CIS alarm findings of one place print as one group
(cis_group.py). Control characters from the inputs are shown as escapes (report.printable).
Prose wraps to the terminal width at spaces; code is never wrapped, so it can be
copied. The summary counts the findings at or above --fail-on, the ones that set the exit code.

Plain ANSI codes rather than a rendering library: this is the pre-commit path, where every
millisecond of start-up counts, and the layout is simple.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from checker.findings import Finding, blocking, severity_rank
from checker.report import ScanReport, TextOptions, printable_findings, several_units

if TYPE_CHECKING:
    from checker.report.cis_group import CisGroup
    from checker.rules import Rule

_STATUS_STYLE = {"fail": "1;31", "unknown": "33", "pass": "32", "suppressed": "36"}
_SEVERITY_STYLE = {"critical": "1;35", "high": "1;31", "medium": "33", "low": "36", "info": "2"}
_LABEL = {"fail": "FAIL", "unknown": "UNKNOWN", "pass": "PASS", "suppressed": "SUPPRESSED"}
_ORDER = {"fail": 0, "unknown": 1, "suppressed": 2, "pass": 3}
_INDENT = "  "
_CODE_INDENT = "    "
MIN_WIDTH = 40  # narrower than this, wrapping does more harm than good


def render(report: ScanReport, options: TextOptions | None = None) -> str:
    o = options or TextOptions()
    report = printable_findings(report)  # no escape sequence from the inputs reaches the terminal
    painter = _Painter(o.color)
    rules = {r.id: r for r in report.rules}
    kinds = _input_kinds(report)
    shown = [f for f in report.findings if _listed(f, o)]
    groups = _cis_groups(shown)
    grouped = {id(f) for g in groups for f in g.findings}
    units = several_units(report.findings)
    entries: list[tuple[tuple[Any, ...], list[str]]] = [
        (_sort_key(f), _entry(f, o, painter, rules.get(f.rule_id), kinds.get(f.file), units))
        for f in shown
        if id(f) not in grouped
    ]
    entries += [(_sort_key(g.first), _group_entry(g, o, painter, rules, kinds, units))
                for g in groups]  # fmt: skip
    entries.sort(key=lambda e: e[0])
    lines: list[str] = []
    for _, block in entries:
        lines += [*block, ""]
    lines += _summary(report, o)
    if not report.findings:
        # metric filters, alarms, buckets and keys are judged with the trail that uses them
        lines.append("No trail or event data store found in the inputs: nothing to judge "
                     "(filters, alarms, buckets and keys are judged with the trail that uses "
                     "them).")  # fmt: skip
    out = "\n".join(lines) + "\n"
    section = report.extra.get("compliance")
    if section:  # --compliance FRAMEWORK
        from checker.report.compliance import render_compliance_text

        out += "\n" + render_compliance_text(section)
    return out


def _cis_groups(findings: Sequence[Finding]) -> list[CisGroup]:
    """The CIS alarm groups; the grouping module is imported only when there is one to make."""
    if sum(1 for f in findings if "CT101" <= f.rule_id <= "CT115" and f.status == "fail") < 2:
        return []
    from checker.report.cis_group import group

    return group(findings)


def _input_kinds(report: ScanReport) -> dict[str, str]:
    """Each input's kind by path, and a folder's by the inputs under it when they agree (a
    finding about a whole module folder takes its fix in that folder's format)."""
    kinds: dict[str, str] = {i.path: i.kind for i in report.inputs}
    under: dict[str, set[str]] = {}
    for path, kind in kinds.items():
        parts = path.split("/")
        for n in range(1, len(parts)):
            under.setdefault("/".join(parts[:n]), set()).add(kind)
    for folder, found in under.items():
        if len(found) == 1 and folder not in kinds:
            kinds[folder] = found.pop()
    return kinds


def _listed(f: Finding, o: TextOptions) -> bool:
    if f.status == "fail":
        return True
    if o.quiet:
        return False
    return (
        f.status == "unknown"
        or (f.status == "suppressed" and o.show_suppressed)
        or (f.status == "pass" and o.show_passes)
    )


def _sort_key(f: Finding) -> tuple[Any, ...]:
    return (_ORDER[f.status], -severity_rank(f.severity), *f.sort_key())


class _Painter:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, style: str) -> str:
        return f"\033[{style}m{text}\033[0m" if self.color and style else text


def _wrap(text: str, width: int, first: str, rest: str) -> list[str]:
    """`text` after the prefix `first` (later lines after `rest`), wrapped at spaces only."""
    if width < MIN_WIDTH:
        return [first + text]
    return textwrap.wrap(
        text, width, initial_indent=first, subsequent_indent=rest,
        break_long_words=False, break_on_hyphens=False,
    ) or [first]  # fmt: skip


def _where(f: Finding) -> str:
    return f.file + (f":{f.line}" if f.line else "")


def _unit(f: Finding, units: bool) -> list[str]:
    """`  unit: envs/dev` under the title when the scan has several units, so that their
    findings about one shared module can be told apart; nothing in a one-unit scan. A line of
    its own: a path is never wrapped."""
    return [f"{_INDENT}unit: {f.unit}"] if units and f.unit else []


def _head(f: Finding, title: str, o: TextOptions, paint: _Painter) -> list[str]:
    """`FAIL       high     CT003 aws_cloudtrail.main (infra/main.tf:12)`, wrapped, coloured."""
    label, severity = _LABEL[f.status], f.severity
    lead = f"{label:<10} {severity:<8} "
    lines = _wrap(title, o.width, lead, _INDENT)
    coloured = (paint(label, _STATUS_STYLE[f.status]) + " " * (11 - len(label))
                + paint(severity, _SEVERITY_STYLE[severity]) + " " * (9 - len(severity)))
    lines[0] = coloured + lines[0][len(lead):]
    return lines


def _entry(
    f: Finding, o: TextOptions, paint: _Painter, rule: Rule | None, input_kind: str | None,
    units: bool,
) -> list[str]:  # fmt: skip
    if f.file and f.resource == f.file:  # about a file itself (CT000, CT099): `CT099 c.yaml:4`
        title = f"{f.rule_id} {_where(f)}"
    else:
        title = f"{f.rule_id} {f.resource}" + (f" ({_where(f)})" if f.file else "")
    lines = _head(f, title, o, paint) + _unit(f, units)
    lines += _wrap(f.message, o.width, _INDENT, _INDENT)
    if f.suppression is not None:
        lines += [paint(line, "2") for line in
                  _wrap(f"suppressed: {f.suppression}", o.width, _INDENT, _INDENT)]  # fmt: skip
    if f.status == "fail" and not o.compact:
        from checker.report.fixes import fix_line

        lines.append(f"{_INDENT}{paint('fix:', '1')} {fix_line(f, rule, input_kind)}")
    return lines


def _group_entry(
    g: CisGroup, o: TextOptions, paint: _Painter, rules: Mapping[str, Rule],
    kinds: Mapping[str, str], units: bool,
) -> list[str]:  # fmt: skip
    from checker.report import cis_group as cis
    from checker.report.fixes import snippet_kind

    n = len(g.topics)
    title = f"{g.rule_range()} {n} of {cis.TOPICS} CIS monitoring topics have no alarm"
    if g.first.file:
        title += f" ({_where(g.first)})"
    lines = _head(g.first, title, o, paint) + _unit(g.first, units)
    topic_indent = _INDENT * 2
    if g.cause:
        lines += _wrap(f"{g.cause}:", o.width, _INDENT, _INDENT)
    for t in g.topics:
        lines += _wrap(f"{t.rule_id} {t.title}: {t.what}", o.width, topic_indent,
                       topic_indent + "  ")  # fmt: skip
    if o.compact:
        return lines
    code = cis.fix_snippet(g, snippet_kind(g.first.file, kinds.get(g.first.file)), rules)
    if not code:
        fix = f"trailcheck explain {g.topics[0].rule_id} (and the other topics' rules)"
        return [*lines, f"{_INDENT}{paint('fix:', '1')} {fix}"]
    lines.append(f"{_INDENT}{paint('fix:', '1')} a metric filter and an alarm for each topic:")
    return lines + [_CODE_INDENT + line for line in code]


def _summary(report: ScanReport, o: TextOptions) -> list[str]:
    s = report.summary()
    failing = len(blocking(report.findings, o.fail_on, o.fail_on_unknown))
    counted = "failing or unknown" if o.fail_on_unknown else "failing"
    files = len({i.path for i in report.inputs if i.status == "ok"})
    # the other inputs the JSON report lists, so that the two counts add up
    others = [f"{n} {status}" for status, n in (
        ("unreadable", len({i.path for i in report.inputs if i.status == "error"})),
        ("skipped", len({i.path for i in report.inputs if i.status == "skipped"}))) if n]
    read = f"{files} input file{'s' if files != 1 else ''}" + "".join(f", {x}" for x in others)
    lines = _wrap(
        f"{s['fail']} failed, {s['unknown']} unknown, {s['pass']} passed, "
        f"{s['suppressed']} suppressed ({read}); "
        f"{failing} {counted} at or above --fail-on {o.fail_on}", o.width, "", _INDENT)
    hidden = _hidden(report.findings, o)
    if hidden:
        lines += _wrap("Not listed: " + ", ".join(hidden), o.width, "", _INDENT)
    return lines


def _hidden(findings: Sequence[Finding], o: TextOptions) -> list[str]:
    out = []
    for status, word, flag in (("unknown", "unknown", "--quiet"),
                               ("suppressed", "suppressed", "--show-suppressed"),
                               ("pass", "passed", "--show-passes")):  # fmt: skip
        n = sum(1 for f in findings if f.status == status and not _listed(f, o))
        if n:
            why = "--quiet" if o.quiet else flag
            out.append(f"{n} {word} ({'hidden by' if why == '--quiet' else 'shown with'} {why})")
    return out
