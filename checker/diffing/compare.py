"""The comparison of two estates: what BASE captures that HEAD does not, and the reverse.

Pure: estates in, `Change`s out. Trails are matched by resource id. Every change has a
direction: `lost` (coverage shrinks: the diff fails unless accepted), `gained`, `unknown` (one
side cannot be decided: never reported as a pass or as "no change") or `changed` (different, but
neither more nor less is recorded).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from checker.diffing import probes
from checker.findings import Finding
from checker.model import Estate, Selectors, Trail, Tri, Unknown
from checker.simulator.coverage import Coverage, management_coverage, s3_object_coverage
from checker.simulator.selector_tests import describe_advanced, describe_basic
from checker.tri import Status

Direction = Literal["lost", "gained", "unknown", "changed"]
Kind = Literal[
    "trail", "logging", "multi-region", "organization", "global-events", "home-region",
    "selectors", "cloudwatch", "alarm", "scenario", "rule",
]  # fmt: skip
Matrix = Mapping[str, Any]
MatrixFn = Callable[[Estate, Sequence[str]], Matrix]

KIND_ORDER: tuple[str, ...] = (
    "trail", "logging", "multi-region", "organization", "global-events", "home-region",
    "selectors", "scenario", "cloudwatch", "alarm", "rule",
)  # fmt: skip
DIRECTION_ORDER: tuple[str, ...] = ("lost", "unknown", "changed", "gained")


@dataclass(frozen=True)
class Change:
    kind: Kind
    direction: Direction
    subject: str  # a trail id, a scenario id, "CT009 estate"
    message: str  # one changelog line
    trail: str | None = None  # the trail it is about (or whose capture was lost)
    trails: tuple[str, ...] = ()  # for scenario cells: the trails that captured it in BASE
    scenario: str | None = None
    scenarios: tuple[str, ...] = ()  # several scenarios of one merged change
    regions: tuple[str, ...] = ()
    rule: str | None = None
    critical: bool = False
    details: tuple[str, ...] = ()
    accepted: str | None = None  # the reason of the accept entry that covers this loss
    note: str | None = None  # e.g. an acceptance that expired
    cause: str | None = None  # for scenario cells: why HEAD misses them (an example)

    def sort_key(self) -> tuple[int, int, str, str]:
        return (
            DIRECTION_ORDER.index(self.direction),
            KIND_ORDER.index(self.kind),
            self.subject,
            self.message,
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "direction": self.direction,
            "subject": self.subject,
            "message": self.message,
        }
        for name in ("trail", "scenario", "rule", "accepted", "note"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.trails:
            out["trails"] = list(self.trails)
        if self.scenarios:
            out["scenarios"] = list(self.scenarios)
        if self.regions:
            out["regions"] = list(self.regions)
        if self.kind == "scenario":
            out["critical"] = self.critical
        if self.details:
            out["details"] = list(self.details)
        return out


@dataclass(frozen=True)
class Comparison:
    changes: tuple[Change, ...]
    regions: tuple[str, ...]
    still_unknown: tuple[str, ...] = ()  # "scenario in region: reason", unknown on both sides
    notes: tuple[str, ...] = field(default=())


# ---------------------------------------------------------------------------------------------
# Text helpers


def region_text(regions: Sequence[str], total: int) -> str:
    if total > 3 and len(regions) == total:
        return f"every region ({total})"
    shown = list(regions)
    if len(shown) > 5:
        return ", ".join(shown[:5]) + f" (+{len(shown) - 5} more)"
    return ", ".join(shown)


def _words(items: Iterable[str], limit: int = 4) -> str:
    items = list(dict.fromkeys(items))
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" (+{len(items) - limit} more)"
    return ", ".join(items)


def _tri(value: Tri) -> str:
    return f"unknown ({value.reason})" if isinstance(value, Unknown) else str(value).lower()


def _transition(before: Tri, after: Tri) -> Direction | None:
    """A tri-state flag whose true is "records more": the direction of its change."""
    if isinstance(before, Unknown) or isinstance(after, Unknown):
        if isinstance(before, Unknown) and isinstance(after, Unknown) and before == after:
            return None
        return "unknown"
    if before == after:
        return None
    return "lost" if before else "gained"


# ---------------------------------------------------------------------------------------------
# Trails


def selector_lines(selectors: Selectors | Unknown) -> tuple[str, ...]:
    if isinstance(selectors, Unknown):
        return (f"selectors unknown ({selectors.reason})",)
    if selectors.kind == "default":
        return ("AWS default: all management events, no data events",)
    if selectors.kind == "basic":
        return tuple(describe_basic(s, i) for i, s in enumerate(selectors.basic))
    return tuple(describe_advanced(s, i) for i, s in enumerate(selectors.advanced))


_FLAGS: tuple[tuple[str, Kind, str, str], ...] = (
    ("is_logging", "logging", "logging is turned off", "logging is turned on"),
    ("is_multi_region", "multi-region", "is no longer multi-region: it records only in its home "
     "region", "is now multi-region"),
    ("is_organization", "organization", "is no longer an organization trail: it records only "
     "its own account", "is now an organization trail"),
    ("include_global_service_events", "global-events", "no longer includes global service "
     "events (IAM, STS, sign-in, CloudFront)", "now includes global service events"),
)  # fmt: skip


def _cloudwatch(trail: Trail) -> Tri:
    return trail.log_group is not None and trail.cloudwatch_logs_role_arn is not None


def compare_trails(
    base: Estate, head: Estate, regions: Sequence[str], default_region: str | None
) -> list[Change]:
    out: list[Change] = []
    head_by_id = {t.id: t for t in head.trails}
    base_by_id = {t.id: t for t in base.trails}
    for t in base.trails:
        if t.id not in head_by_id:
            out.append(Change("trail", "lost", t.id, f"trail `{t.id}` is removed", trail=t.id,
                              details=selector_lines(t.selectors)))  # fmt: skip
    for t in head.trails:
        if t.id not in base_by_id:
            out.append(Change("trail", "gained", t.id, f"trail `{t.id}` is added", trail=t.id,
                              details=selector_lines(t.selectors)))  # fmt: skip
    for tid in sorted(set(base_by_id) & set(head_by_id)):
        b, h = base_by_id[tid], head_by_id[tid]
        out += _trail_settings(b, h)
        out += _trail_selectors(b, h, base, head, regions, default_region)
    return out


def _trail_settings(b: Trail, h: Trail) -> list[Change]:
    out: list[Change] = []
    for attr, kind, lost, gained in _FLAGS:
        before, after = getattr(b, attr), getattr(h, attr)
        direction = _transition(before, after)
        if direction is None:
            continue
        if direction == "unknown":
            text = f"{attr} was {_tri(before)}, now {_tri(after)}"
            out.append(Change(kind, "unknown", b.id, f"trail `{b.id}`: {text}", trail=b.id))
        else:
            text = lost if direction == "lost" else gained
            out.append(Change(kind, direction, b.id, f"trail `{b.id}` {text}", trail=b.id))
    direction = _transition(_cloudwatch(b), _cloudwatch(h))
    if direction is not None:
        text = ("no longer delivers to CloudWatch Logs (log group or role removed): metric "
                "filters and alarms on its events stop" if direction == "lost"
                else "now delivers to CloudWatch Logs")  # fmt: skip
        out.append(Change("cloudwatch", direction, b.id, f"trail `{b.id}` {text}", trail=b.id))
    if b.home_region != h.home_region:
        was, now = (x if isinstance(x, str) else str(x) for x in (b.home_region, h.home_region))
        unknown = isinstance(b.home_region, Unknown) or isinstance(h.home_region, Unknown)
        text = f"trail `{b.id}` home region was {was}, now {now}"
        direction = "unknown" if unknown else "changed"
        out.append(Change("home-region", direction, b.id, text, trail=b.id))
    return out


def _coverage_line(label: str, before: Coverage, after: Coverage) -> str | None:
    if before.status == after.status:
        return None
    return f"{label}: was {before.status} ({before.message}); now {after.status} ({after.message})"


def _trail_coverages(
    trail: Trail, estate: Estate, regions: Sequence[str], default_region: str | None
) -> dict[str, Coverage]:
    alone = replace(estate, trails=(trail,))
    region = default_region
    return {
        "management events": management_coverage(
            trail, regions, default_region=default_region,
            organization_accounts=estate.organization_accounts,
        ),
        "S3 object writes": s3_object_coverage(alone, regions, False, default_region=region),
        "S3 object reads": s3_object_coverage(alone, regions, True, default_region=region),
    }  # fmt: skip


def _trail_selectors(
    b: Trail, h: Trail, base: Estate, head: Estate, regions: Sequence[str],
    default_region: str | None,
) -> list[Change]:  # fmt: skip
    if b.selectors == h.selectors:
        return []
    # The selectors' own effect: HEAD's selectors on BASE's trail settings (logging, Regions,
    # accounts are reported on their own above).
    hybrid = replace(b, selectors=h.selectors)
    results = probes.compare_trail(b, hybrid, regions, default_region=default_region,
                                   base_members=base.organization_accounts,
                                   head_members=base.organization_accounts)  # fmt: skip
    cov_b = _trail_coverages(b, base, regions, default_region)
    cov_h = _trail_coverages(hybrid, base, regions, default_region)
    details: list[str] = [f"was: {line}" for line in selector_lines(b.selectors)]
    details += [f"now: {line}" for line in selector_lines(h.selectors)]
    for label in cov_b:
        line = _coverage_line(label, cov_b[label], cov_h[label])
        if line:
            details.append(line)
    scope = probes.s3_scope(h)
    out: list[Change] = []
    groups: dict[tuple[Direction, str, str], tuple[list[str], list[str], list[str]]] = {}
    for r in results:
        direction = _probe_direction(r.base, r.head)
        target = r.probe.target if r.probe.area == "s3" else "events"
        key = (direction, "s3" if r.probe.area == "s3" else "management", target)
        names, where, reasons = groups.setdefault(key, ([], [], []))
        names.append(r.probe.event.event_name if r.probe.area == "s3" else r.probe.what)
        if r.probe.event.aws_region not in where:
            where.append(r.probe.event.aws_region)
        reason = r.head_reason if direction != "gained" else r.base_reason
        if reason not in reasons:
            reasons.append(reason)
    for (direction, area, target), (names, where, reasons) in sorted(groups.items()):
        out.append(_probe_change(b.id, direction, area, target, names, where, reasons, regions,
                                 scope, tuple(details)))  # fmt: skip
    covered_areas = {area for (_, area, _) in groups}
    for label, area in (("management events", "management"), ("S3 object writes", "s3"),
                        ("S3 object reads", "s3")):  # fmt: skip
        if area in covered_areas:
            continue
        moved = _coverage_direction(cov_b[label].status, cov_h[label].status)
        if moved is not None:
            out.append(Change("selectors", moved, b.id,
                              f"trail `{b.id}` {label}: was {cov_b[label].status}, now "
                              f"{cov_h[label].status} ({cov_h[label].message})",
                              trail=b.id, regions=tuple(regions),
                              details=tuple(details)))  # fmt: skip
    if not out:
        out.append(Change("selectors", "changed", b.id,
                          f"trail `{b.id}`: selectors rewritten; every probed event is recorded "
                          "as before", trail=b.id, details=tuple(details)))  # fmt: skip
    return out


def _probe_direction(before: Status, after: Status) -> Direction:
    if before == "pass" and after == "fail":
        return "lost"
    if before == "fail" and after == "pass":
        return "gained"
    return "unknown"


def _coverage_direction(before: str, after: str) -> Direction | None:
    if before == after:
        return None
    if "unknown" in (before, after):
        return "unknown"
    return "lost" if before == "pass" else "gained"


def _probe_change(
    trail_id: str, direction: Direction, area: str, target: str, names: list[str],
    where: list[str], reasons: list[str], regions: Sequence[str], scope: str,
    details: tuple[str, ...],
) -> Change:  # fmt: skip
    places = region_text(where, len(regions))
    if area == "s3":
        what = f"{_words(names)} on {target} in {places}"
        if direction == "lost":
            msg = f"{what} is no longer recorded (trail `{trail_id}` now records {scope})"
        elif direction == "gained":
            msg = f"{what} is now recorded (trail `{trail_id}` now records {scope})"
        else:
            msg = f"whether {what} is recorded by trail `{trail_id}` is now unknown ({reasons[0]})"
    else:
        what = f"{_words(names, 6)} in {places}"
        why = "; ".join(reasons[:2]) + (f" (+{len(reasons) - 2} more)" if len(reasons) > 2 else "")
        if direction == "lost":
            msg = f"{what}: no longer recorded by trail `{trail_id}` ({why})"
        elif direction == "gained":
            msg = f"{what}: now recorded by trail `{trail_id}`"
        else:
            msg = f"{what}: whether trail `{trail_id}` records them is now unknown ({why})"
    return Change("selectors", direction, trail_id, msg, trail=trail_id, regions=tuple(where),
                  details=details)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Scenarios x Regions (checker.simulator.scenarios.coverage_matrix)


def _cells(matrix: Matrix) -> dict[str, tuple[dict[str, Any], dict[str, Mapping[str, Any]]]]:
    out: dict[str, tuple[dict[str, Any], dict[str, Mapping[str, Any]]]] = {}
    for row in matrix.get("scenarios", []):
        out[str(row["id"])] = (dict(row), dict(row.get("cells", {})))
    return out


_MISSING_CELL: Mapping[str, Any] = {"status": "unknown", "reason": "not in this side's matrix"}


def compare_matrices(
    base: Matrix, head: Matrix, regions: Sequence[str]
) -> tuple[list[Change], list[str]]:
    """Cell by cell: capture lost or gained, then CloudWatch delivery and alarms of cells
    captured on both sides. Returns the changes and the cells unknown on both sides."""
    b_rows, h_rows = _cells(base), _cells(head)
    changes: list[Change] = []
    still_unknown: list[str] = []
    for sid in sorted(set(b_rows) | set(h_rows)):
        row = (h_rows.get(sid) or b_rows[sid])[0]
        title = str(row.get("title") or sid)
        critical = bool(row.get("critical"))
        b_cells = b_rows[sid][1] if sid in b_rows else {}
        h_cells = h_rows[sid][1] if sid in h_rows else {}
        groups: dict[
            tuple[str, Direction], list[tuple[str, Mapping[str, Any], Mapping[str, Any]]]
        ] = {}
        for region in regions:
            bc = b_cells.get(region, _MISSING_CELL)
            hc = h_cells.get(region, _MISSING_CELL)
            for kind, direction in _cell_changes(bc, hc):
                groups.setdefault((kind, direction), []).append((region, bc, hc))
            if bc.get("status") == "unknown" and hc.get("status") == "unknown":
                still_unknown.append(f"{sid} in {region}: {hc.get('reason', '')}")
        for (kind, direction), cells in groups.items():
            changes.append(_scenario_change(sid, title, critical, kind, direction, cells, regions))
    return _merge_delivery(changes, regions), still_unknown


def _merge_delivery(changes: list[Change], regions: Sequence[str]) -> list[Change]:
    """CloudWatch and alarm changes of several scenarios in the same Regions become one change
    (removing a trail's log group otherwise gives one line per scenario)."""
    groups: dict[tuple[str, str, tuple[str, ...]], list[Change]] = {}
    out: list[Change] = []
    for c in changes:
        if c.kind in ("cloudwatch", "alarm"):
            groups.setdefault((c.kind, c.direction, c.regions), []).append(c)
        else:
            out.append(replace(c, details=()))
    for (kind, direction, where), group in groups.items():
        if len(group) == 1:
            out.append(replace(group[0], details=()))
            continue
        ids = tuple(c.scenario or c.subject for c in group)
        critical = [c.scenario or c.subject for c in group if c.critical]
        places = region_text(where, len(regions))
        what = {
            ("cloudwatch", "lost"): "are still recorded but no longer delivered to CloudWatch "
            f"Logs in {places}",
            ("cloudwatch", "gained"): f"are now delivered to CloudWatch Logs in {places}",
            ("cloudwatch", "unknown"): f"may or may not reach CloudWatch Logs in {places} "
            "(unknown)",
            ("alarm", "lost"): f"no longer raise an alarm in {places}",
            ("alarm", "gained"): f"now raise an alarm in {places}",
            ("alarm", "unknown"): f"may or may not raise an alarm in {places} (unknown)",
        }[(kind, direction)]
        crit = f", {len(critical)} critical" if critical else ""
        msg = f"{len(ids)} scenarios{crit} {what}: {_words(ids, 6)}"
        trails = tuple(sorted({t for c in group for t in c.trails}))
        out.append(Change(group[0].kind, group[0].direction, ", ".join(ids), msg, trails=trails,
                          scenarios=ids, regions=where, critical=bool(critical),
                          details=tuple(c.details[0] for c in group if c.details)))  # fmt: skip
    return out


def _cell_changes(bc: Mapping[str, Any], hc: Mapping[str, Any]) -> list[tuple[str, Direction]]:
    bs, hs = bc.get("status"), hc.get("status")
    out: list[tuple[str, Direction]] = []
    if bs != hs:
        if "unknown" in (bs, hs):
            out.append(("scenario", "unknown"))
        else:
            out.append(("scenario", "lost" if bs == "captured" else "gained"))
        return out
    if bs != "captured":
        return out
    for kind in ("cloudwatch", "alarm"):
        before, after = bc.get(kind), hc.get(kind)
        if before == after:
            continue
        if before is None or after is None:
            out.append((kind, "unknown"))
        else:
            out.append((kind, "lost" if before else "gained"))
    return out


def _scenario_change(
    sid: str, title: str, critical: bool, kind: str, direction: Direction,
    cells: list[tuple[str, Mapping[str, Any], Mapping[str, Any]]], regions: Sequence[str],
) -> Change:  # fmt: skip
    where = [c[0] for c in cells]
    places = region_text(where, len(regions))
    base_by = sorted({t for _, bc, _ in cells for t in bc.get("captured_by", []) or []})
    head_by = sorted({t for _, _, hc in cells for t in hc.get("captured_by", []) or []})
    reason = next((str(hc.get("reason")) for _, _, hc in cells if hc.get("reason")), "")
    label = f"{title} ({sid})" + (" [critical]" if critical else "")
    if kind == "scenario":
        if direction == "lost":
            by = f"was recorded by {_words(base_by)}" if base_by else "was recorded"
            msg = f"{label} is no longer recorded in {places} ({by}; now: {reason})"
        elif direction == "gained":
            msg = f"{label} is now recorded in {places} (by {_words(head_by)})"
        else:
            msg = f"{label}: whether it is recorded in {places} is now unknown ({reason})"
        kind_out: Kind = "scenario"
    elif kind == "cloudwatch":
        kind_out = "cloudwatch"
        msg = {
            "lost": f"{label} is still recorded in {places} but no longer delivered to "
            "CloudWatch Logs",
            "gained": f"{label} is now delivered to CloudWatch Logs in {places}",
            "unknown": f"{label}: whether it reaches CloudWatch Logs in {places} is now unknown",
        }[direction]  # fmt: skip
    else:
        kind_out = "alarm"
        msg = {
            "lost": f"{label} no longer raises an alarm in {places}",
            "gained": f"{label} now raises an alarm in {places}",
            "unknown": f"{label}: whether it raises an alarm in {places} is now unknown",
        }[direction]  # fmt: skip
    responsible = tuple(base_by if direction != "gained" else head_by)
    return Change(kind_out, direction, sid, msg, trails=responsible, scenario=sid,
                  regions=tuple(where), critical=critical, details=(label,),
                  cause=reason or None)  # fmt: skip


def _attribute(cells: list[Change], changed: set[str], only_trails: bool) -> list[Change]:
    """The trails a cell change is due to: those among the ones that recorded it that changed
    themselves. Capture depends on trails alone; CloudWatch delivery and alarms also on log
    groups, filters, alarms and topics, so they are put on trails only when nothing else
    changed (else an `accept` entry must name the scenario)."""
    out = []
    for c in cells:
        due = tuple(t for t in c.trails if t in changed)
        if c.kind != "scenario" and not only_trails:
            due = ()
        out.append(replace(c, trails=due))
    return out


# ---------------------------------------------------------------------------------------------
# Rules


def _by_key(findings: Iterable[Finding]) -> dict[tuple[str, str], Finding]:
    rank = {"fail": 0, "unknown": 1, "pass": 2, "suppressed": 3}
    out: dict[tuple[str, str], Finding] = {}
    for f in findings:
        if f.rule_id == "CT000":
            continue
        key = (f.rule_id, f.resource)
        if key not in out or rank[f.status] < rank[out[key].status]:
            out[key] = f
    return out


def compare_findings(
    base: Iterable[Finding], head: Iterable[Finding], trail_ids: set[str]
) -> list[Change]:
    b, h = _by_key(base), _by_key(head)
    out: list[Change] = []
    for key in sorted(set(b) & set(h)):
        before, after = b[key], h[key]
        if before.status == after.status or "suppressed" in (before.status, after.status):
            continue
        rule_id, resource = key
        direction: Direction
        if before.status == "pass" and after.status == "fail":
            direction = "lost"
            msg = f"{rule_id} {after.rule_name} on {resource}: pass -> fail ({after.message})"
        elif before.status == "fail" and after.status == "pass":
            direction = "gained"
            msg = f"{rule_id} {after.rule_name} on {resource}: fail -> pass"
        else:
            direction = "unknown"
            msg = (f"{rule_id} {after.rule_name} on {resource}: {before.status} -> "
                   f"{after.status} ({after.message})")  # fmt: skip
        out.append(Change("rule", direction, f"{rule_id} {resource}", msg, rule=rule_id,
                          trail=resource if resource in trail_ids else None))  # fmt: skip
    judged = {resource for _, resource in b}  # resources BASE has any finding about
    for key in sorted(set(h) - set(b)):
        after = h[key]
        if after.status != "fail":
            continue
        rule_id, resource = key
        # a resource BASE already had is not new: the rule did not apply to it there (or was
        # not run), and now fails
        what = (f"now fails on {resource}, which BASE did not judge by this rule"
                if resource in judged else f"fails on new resource {resource}")  # fmt: skip
        out.append(Change("rule", "changed", f"{rule_id} {resource}",
                          f"{rule_id} {after.rule_name} {what} ({after.message})", rule=rule_id,
                          trail=resource if resource in trail_ids else None))  # fmt: skip
    return out


# ---------------------------------------------------------------------------------------------
# Everything


def _configuration(estate: Estate) -> Estate:
    return replace(estate, inputs=(), diagnostics=())


def compare(
    base: Estate,
    head: Estate,
    regions: Sequence[str],
    *,
    default_region: str | None = None,
    matrix: MatrixFn | None = None,
    base_findings: Sequence[Finding] = (),
    head_findings: Sequence[Finding] = (),
) -> Comparison:
    """What changes between BASE and HEAD. `matrix` computes the scenario x Region coverage
    matrix; without it, scenarios are not compared and a note says so."""
    regions = tuple(regions)
    if _configuration(base) == _configuration(head):
        return Comparison((), regions)
    changes = compare_trails(base, head, regions, default_region)
    notes: list[str] = []
    still_unknown: list[str] = []
    changed = {c.trail for c in changes if c.trail is not None}
    # When nothing but trails differs, every consequence (CloudWatch delivery, alarms, estate
    # rules) is due to the trails that changed, and an `accept` entry for them covers it.
    only_trails = _configuration(replace(base, trails=())) == _configuration(
        replace(head, trails=())
    )
    if matrix is not None:
        before, after = matrix(base, regions), matrix(head, regions)
        cells, still_unknown = compare_matrices(before, after, regions)
        changes += _attribute(cells, changed, only_trails)
    else:
        notes.append("the scenario catalog is not available: scenarios were not compared")
    trail_ids = {t.id for t in (*base.trails, *head.trails)}
    for c in compare_findings(base_findings, head_findings, trail_ids):
        if c.trail is None and only_trails and changed:
            c = replace(c, trails=tuple(sorted(changed)))
        if c.subject.endswith(" estate"):
            c = replace(c, regions=regions)  # judged over every compared Region
        changes.append(c)
    return Comparison(
        tuple(sorted(changes, key=Change.sort_key)), regions, tuple(still_unknown), tuple(notes)
    )
