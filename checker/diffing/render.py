"""The diff report in text, JSON and Markdown: a changelog of what is recorded, losses first."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from checker import __version__
from checker.diffing.accept import accept_key, suggestion
from checker.diffing.compare import Change, Comparison

FORMATS = ("text", "json", "markdown")
NO_CHANGE = "no change in coverage"


@dataclass(frozen=True)
class Side:
    spec: str
    kind: str  # path | git
    revision: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"spec": self.spec, "kind": self.kind}
        if self.revision:
            out["revision"] = self.revision
        return out

    def label(self) -> str:
        return f"{self.spec} ({self.revision[:12]})" if self.revision else self.spec


@dataclass(frozen=True)
class DiffReport:
    base: Side
    head: Side
    comparison: Comparison
    changes: tuple[Change, ...]  # with acceptances applied
    config: str | None = None
    fail_on_unknown: bool = False

    def of(self, direction: str) -> list[Change]:
        return [c for c in self.changes if c.direction == direction]

    @property
    def failing(self) -> list[Change]:
        out = [c for c in self.of("lost") if c.accepted is None]
        if self.fail_on_unknown:
            out += self.of("unknown")
        return out

    @property
    def exit_code(self) -> int:
        return 1 if self.failing else 0

    def summary(self) -> dict[str, int]:
        lost = self.of("lost")
        return {
            "lost": len([c for c in lost if c.accepted is None]),
            "accepted": len([c for c in lost if c.accepted is not None]),
            "unknown": len(self.of("unknown")),
            "changed": len(self.of("changed")),
            "gained": len(self.of("gained")),
        }

    def result(self) -> str:
        """no-change | shrinks | accepted | unknown | changed | grows."""
        s = self.summary()
        if s["lost"]:
            return "shrinks"
        if s["accepted"]:
            return "accepted"
        if s["unknown"] or (not self.changes and self.comparison.still_unknown):
            return "unknown"
        if s["gained"]:
            return "grows"
        if s["changed"]:
            return "changed"
        return "no-change"

    def headline(self) -> str:
        s = self.summary()
        result = self.result()
        if result == "no-change":
            return NO_CHANGE
        if result == "unknown" and not self.changes:
            n = len(self.comparison.still_unknown)
            return (f"no decided change in coverage, but {n} scenario x region cell(s) are "
                    "unknown on both sides")  # fmt: skip
        parts = []
        if s["lost"]:
            parts.append(f"{s['lost']} loss(es) not accepted")
        if s["accepted"]:
            parts.append(f"{s['accepted']} accepted loss(es)")
        if s["unknown"]:
            parts.append(f"{s['unknown']} unknown change(s)")
        if s["gained"]:
            parts.append(f"{s['gained']} gain(s)")
        if s["changed"]:
            parts.append(f"{s['changed']} other change(s)")
        lead = {
            "shrinks": "coverage shrinks",
            "accepted": "coverage shrinks, every loss accepted",
            "unknown": "coverage may have changed (unknown)",
            "grows": "coverage grows",
            "changed": "no loss or gain in coverage, but the configuration changed",
        }[result]
        return f"{lead}: " + ", ".join(parts)


_SECTIONS = (
    ("lost", "Coverage lost"),
    ("unknown", "Unknown (cannot be decided on one side)"),
    ("changed", "Changed"),
    ("gained", "Coverage gained"),
)


def render(fmt: str, report: DiffReport) -> str:
    if fmt == "json":
        return render_json(report)
    if fmt == "markdown":
        return render_markdown(report)
    return render_text(report)


def render_text(report: DiffReport) -> str:
    cmp = report.comparison
    lines = [f"trailcheck diff {report.base.label()} -> {report.head.label()} "
             f"({len(cmp.regions)} region(s))", ""]  # fmt: skip
    for direction, title in _SECTIONS:
        changes = report.of(direction)
        if not changes:
            continue
        lines.append(f"{title} ({len(changes)}):")
        if direction == "lost":
            lines += _losses(changes, report)
        else:
            for c in changes:
                lines += _change_lines(c, "  ")
        lines.append("")
    if cmp.still_unknown:
        lines.append(f"Unknown on both sides ({len(cmp.still_unknown)}):")
        lines += [f"  - {u}" for u in _limit(cmp.still_unknown)]
        lines.append("")
    lines += [f"note: {n}" for n in cmp.notes]
    lines.append(f"Result: {report.headline()}")
    return "\n".join(lines) + "\n"


def _change_lines(c: Change, indent: str) -> list[str]:
    mark = f"[accepted: {c.accepted}] " if c.accepted else ""
    out = [f"{indent}- {mark}{c.message}"]
    out += [f"{indent}    {d}" for d in _limit(c.details, 8)]
    if c.note:
        out.append(f"{indent}    ! {c.note}")
    return out


def _losses(changes: Sequence[Change], report: DiffReport) -> list[str]:
    """Losses grouped by what would accept them (a trail, the rules, scenarios), causes merged,
    and the `accept` entry printed once per group."""
    where = report.config or ".trailcheck.yaml"
    groups: dict[tuple[str, str], list[Change]] = {}
    for c in changes:
        what, value = accept_key(c)
        # one group per trail; the rules together, the scenarios together
        groups.setdefault((what, value if what == "trail" else ""), []).append(c)
    out: list[str] = []
    for (what, value), group in groups.items():
        title = {"trail": f"trail `{value}`", "rule": "rules that now fail",
                 "scenario": "scenarios no single trail is responsible for"}.get(what, "other")
        out.append(f"  {title} ({len(group)}):")
        out += _merged(group, len(report.comparison.regions))
        pending = [c for c in group if c.accepted is None]
        if not pending:
            continue
        if what == "trail":
            entry = suggestion(pending[0])
        elif what == "rule":
            ids = sorted({c.rule or "" for c in pending})
            entry = "{rule: " + ids[0] + ", reason: ...}" + (
                f", one per rule ({', '.join(ids)})" if len(ids) > 1 else "")
        elif what == "scenario":
            entry = "{scenario: ID, reason: ...}, one per scenario"
        else:
            entry = suggestion(pending[0])
        out.append(f"    accept with: {entry} under `accept:` in {where}")
    return out


def _merged(group: Sequence[Change], total: int) -> list[str]:
    """The group's changes in order; scenarios lost in the same Regions become one line, where
    the first of them was. A change that merges several scenarios lists their ids in its
    message, so their titles are not repeated below it."""
    from checker.diffing.compare import region_text

    by_regions: dict[tuple[str, ...], list[Change]] = {}
    for c in group:
        if c.kind == "scenario" and c.scenario and c.accepted is None and not c.note:
            by_regions.setdefault(c.regions, []).append(c)
    out: list[str] = []
    for c in group:
        cells = by_regions.get(c.regions, []) if c.kind == "scenario" else []
        if not any(x is c for x in cells) or len(cells) == 1:
            shown = replace(c, details=()) if c.scenarios else c
            out += _change_lines(shown, "    ")
            continue
        if c is not cells[0]:
            continue
        ids = [x.scenario or "" for x in cells]
        critical = sum(1 for x in cells if x.critical)
        crit = f" ({critical} critical)" if critical else ""
        listed = ", ".join(ids[:6]) + (f" (+{len(ids) - 6} more)" if len(ids) > 6 else "")
        out.append(f"    - {len(cells)} scenarios{crit} are no longer recorded in "
                   f"{region_text(c.regions, total)}: {listed}")  # fmt: skip
        cause = next((x.cause for x in cells if x.cause), None)
        if cause:
            out.append(f"        e.g. {cause}")
    return out


def _limit(items: Sequence[str], n: int = 10) -> list[str]:
    out = list(items[:n])
    if len(items) > n:
        out.append(f"… and {len(items) - n} more")
    return out


def render_json(report: DiffReport) -> str:
    doc = {
        "schema_version": 1,
        "tool": {"name": "trailcheck", "version": __version__},
        "base": report.base.to_json(),
        "head": report.head.to_json(),
        "config": report.config,
        "regions": list(report.comparison.regions),
        "result": report.result(),
        "headline": report.headline(),
        "exit_code": report.exit_code,
        "summary": report.summary(),
        "changes": [c.to_json() for c in report.changes],
        "still_unknown": list(report.comparison.still_unknown),
        "notes": list(report.comparison.notes),
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: DiffReport) -> str:
    icon = {"shrinks": "❌", "accepted": "⚠️", "unknown": "❔"}.get(report.result(), "✅")
    lines = [
        f"### {icon} trailcheck diff: {_md(report.headline())}",
        "",
        f"`{_md(report.base.label())}` → `{_md(report.head.label())}`, "
        f"{len(report.comparison.regions)} region(s)",
        "",
    ]
    lost = report.of("lost")
    if lost:
        lines += ["| | Lost | Accepted because |", "|---|---|---|"]
        for c in lost:
            mark = "accepted" if c.accepted else "**lost**"
            why = _md(c.accepted or (c.note or ""))
            lines.append(f"| {mark} | {_md(c.message)} | {why} |")
        lines.append("")
    for direction, title in _SECTIONS[1:]:
        changes = report.of(direction)
        if not changes:
            continue
        lines += [f"<details><summary>{title} ({len(changes)})</summary>", ""]
        lines += [f"- {_md(c.message)}" for c in changes]
        lines += ["", "</details>", ""]
    if report.comparison.still_unknown:
        n = len(report.comparison.still_unknown)
        lines += [f"<details><summary>Unknown on both sides ({n})</summary>", ""]
        lines += [f"- {_md(u)}" for u in _limit(report.comparison.still_unknown)]
        lines += ["", "</details>", ""]
    lines += [f"_{_md(n)}_" for n in report.comparison.notes]
    return "\n".join(lines).rstrip("\n") + "\n"
