"""Per-control compliance results: `trailcheck scan --compliance FRAMEWORK`.

A control's status comes from the findings of the rules mapped to it:
- `fail` if any of them fails (suppressed findings aside),
- else `unknown` if any is unknown, or if none of its rules produced a result (nothing to judge
  in the inputs, or a rule this version does not have),
- else `pass`;
- `not_covered` when trailcheck cannot judge the control, with the mapping's reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from checker.compliance import Control, find_framework, load_frameworks
from checker.errors import UsageError
from checker.findings import Finding

if TYPE_CHECKING:
    from checker.rules import Rule

STATUSES = ("fail", "unknown", "pass", "not_covered")
_LABEL = {"fail": "FAIL", "unknown": "UNKNOWN", "pass": "PASS", "not_covered": "NOT COVERED"}


class UnknownFrameworkError(UsageError, ValueError):
    """`--compliance` names no framework: a usage error (exit 2) and a ValueError."""


def compliance_section(
    slug: str, findings: Sequence[Finding], rules: Iterable[Rule]
) -> dict[str, Any]:
    """The JSON report's "compliance" object for one framework.

    `rules` are the loaded rules, used to tell a rule that produced no finding from a rule this
    version does not have."""
    framework = find_framework(slug)
    if framework is None:
        known = ", ".join(sorted(fw.slug for fw in load_frameworks()))
        raise UnknownFrameworkError(f"unknown compliance framework {slug!r}; known: {known}")
    available = {r.id for r in rules}
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.rule_id, []).append(f)
    controls = [_control(c, by_rule, available) for c in framework.controls]
    counts = Counter(c["status"] for c in controls)
    return {
        "framework": framework.id,
        "slug": framework.slug,
        "title": framework.title,
        "summary": {s: counts.get(s, 0) for s in STATUSES},
        "controls": controls,
    }


def _control(
    control: Control, by_rule: dict[str, list[Finding]], available: set[str]
) -> dict[str, Any]:
    out: dict[str, Any] = {"id": control.id, "title": control.title, "rules": list(control.rules)}
    if control.not_covered or not control.rules:
        out["status"] = "not_covered"
        out["why"] = control.not_covered or "no trailcheck rule judges this control"
        return out
    mine = [f for r in control.rules for f in by_rule.get(r, ())]
    live = [f for f in mine if f.status != "suppressed"]
    failing = [f for f in live if f.status == "fail"]
    unknown = [f for f in live if f.status == "unknown"]
    suppressed = [f for f in mine if f.status == "suppressed"]
    if failing:
        out["status"] = "fail"
        out["why"] = _why("fails", failing)
        out["findings"] = [_brief(f) for f in failing]
    elif unknown:
        out["status"] = "unknown"
        out["why"] = _why("cannot tell", unknown)
        out["findings"] = [_brief(f) for f in unknown]
    elif live:
        out["status"] = "pass"
        out["why"] = f"{', '.join(sorted({f.rule_id for f in live}))} pass"
    else:
        out["status"] = "unknown"
        missing = [r for r in control.rules if r not in available]
        idle = [r for r in control.rules if r in available]
        reasons = []
        if idle:
            reasons.append(f"{', '.join(idle)} had nothing to judge in the inputs")
        if missing:
            reasons.append(f"{', '.join(missing)} not available in this version of trailcheck")
        if suppressed:
            reasons.append("every result was suppressed")
        out["why"] = "; ".join(reasons)
    if suppressed:
        out["suppressed"] = [_brief(f) for f in suppressed]
    return out


def _why(verb: str, findings: list[Finding]) -> str:
    parts = []
    for rule_id in sorted({f.rule_id for f in findings}):
        resources = sorted({f.resource for f in findings if f.rule_id == rule_id})
        parts.append(f"{rule_id} {verb} on {', '.join(resources)}")
    return "; ".join(parts)


def _brief(f: Finding) -> dict[str, Any]:
    return {
        "rule_id": f.rule_id,
        "status": f.status,
        "resource": f.resource,
        "file": f.file,
        "line": f.line,
        "message": f.message,
    }


def render_compliance_text(section: dict[str, Any]) -> str:
    """The compliance section for the text report, one line per control (and its reason)."""
    lines = [f"Compliance: {section['title']} ({section['slug']})"]
    width = max((len(c["id"]) for c in section["controls"]), default=0)
    for c in section["controls"]:
        rules = f"  [{', '.join(c['rules'])}]" if c["rules"] else ""
        lines.append(f"  {c['id']:<{width}}  {_LABEL[c['status']]:<11}  {c['title']}{rules}")
        if c["status"] != "pass" and c.get("why"):
            lines.append(f"  {'':<{width}}  {'':<11}  {c['why']}")
    s = section["summary"]
    lines.append(
        f"{s['pass']} passed, {s['fail']} failed, {s['unknown']} unknown, "
        f"{s['not_covered']} not covered by trailcheck"
    )
    return "\n".join(lines) + "\n"


