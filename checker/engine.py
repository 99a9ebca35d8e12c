"""The policy engine: loads the declarative rules in `policies/`, evaluates them on an estate.

A rule's `check` is a small condition language:

    {attribute: NAME, equals: V} | {attribute: NAME, present: true|false}
    {attribute: NAME, in: [..]}
    {all: [C, ...]} | {any: [C, ...]} | {not: C} | {predicate: NAME, args: {...}}

Results are tri-state. `all` fails if any part fails (a fail holds whatever the unknown value
is), else is unknown if any part is unknown. `any` passes if any part passes, else is unknown if
any part is unknown. An unknown is never turned into a pass.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from checker import parallel
from checker.errors import INTERNAL_ERROR, internal_error_message
from checker.findings import Finding
from checker.model import (
    Computed,
    Estate,
    Located,
    Location,
    PartlyKnown,
    Reference,
    ResolveKind,
    Unknown,
    Unread,
)
from checker.predicates import PREDICATES
from checker.predicates.context import Context
from checker.resources import policies_root, schema_path, validate_once, yaml_documents
from checker.rules import (
    Example,
    Options,
    Outcome,
    Rule,
    Subject,
    outside_inputs,
)
from checker.simulator.sharing import Shared
from checker.tri import FAIL, PASS, Status, deciding_all, deciding_any, negate
from checker.units import UnitView, unit_views
from checker.unread import RECORDERS, describe

R = TypeVar("R")


class PolicyError(Exception):
    """A rule file that is not valid: a bug in the shipped policies or in a user's own."""


# ---------------------------------------------------------------------------------------------
# Loading


def load_rules(root: Path | None = None) -> list[Rule]:
    """All rules under `root/rules`, validated against the rule schema, with compliance ids."""
    root = root or policies_root()
    files = sorted((root / "rules").glob("*.yaml"))
    raw: list[tuple[Path, dict[str, Any]]] = list(zip(files, yaml_documents(files), strict=True))
    _validate_cached(raw)
    compliance = load_compliance_index(root)
    rules = []
    for path, data in raw:
        rules.append(
            Rule(
                id=data["id"],
                name=data["name"],
                title=data["title"],
                severity=data["severity"],
                scope=data["scope"],
                rationale=data["rationale"].strip(),
                check=data.get("check"),
                messages=data.get("messages", {}),
                remediation=data.get("remediation", {}),
                examples=tuple(Example(**e) for e in data.get("examples", [])),
                applies=data.get("applies"),
                source=str(path),
                compliance=tuple(sorted(compliance.get(data["id"], ()))),
            )
        )
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise PolicyError(f"duplicate rule ids in {root}")
    return sorted(rules, key=lambda r: r.id)


def validate_rule_documents(raw: list[tuple[Path, dict[str, Any]]]) -> None:
    import jsonschema

    schema = json.loads(schema_path("rule.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    for path, data in raw:
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
        if errors:
            e = errors[0]
            where = "/".join(str(p) for p in e.path) or "(top)"
            raise PolicyError(f"{path}: {where}: {e.message}")
        if path.stem != data["id"]:
            raise PolicyError(f"{path}: file name must be the rule id {data['id']}")
        for name in _predicate_names(data.get("check") or {}) | _predicate_names(
            data.get("applies") or {}
        ):
            if name not in PREDICATES:
                raise PolicyError(f"{path}: unknown predicate {name!r}")


def _predicate_names(cond: Any) -> set[str]:
    names: set[str] = set()
    if isinstance(cond, Mapping):
        if "predicate" in cond:
            names.add(cond["predicate"])
        for value in cond.values():
            names |= _predicate_names(value)
    elif isinstance(cond, list):
        for item in cond:
            names |= _predicate_names(item)
    return names


def _validate_cached(raw: list[tuple[Path, dict[str, Any]]]) -> None:
    # the registered predicate names belong to what is validated: a rule that names a predicate
    # this version no longer has must fail validation, not pass on an old marker
    content = {"rules": [[p.name, d] for p, d in raw], "predicates": sorted(PREDICATES)}
    validate_once("policies", content, "rule.schema.json", lambda: validate_rule_documents(raw))


def load_compliance_index(root: Path | None = None) -> dict[str, set[str]]:
    """rule id -> {"FRAMEWORK:control", ...}, inverted from the framework mapping files."""
    from checker.compliance import load_frameworks

    index: dict[str, set[str]] = {}
    for fw in load_frameworks(root):
        for control in fw.controls:
            for rule_id in control.rules:
                index.setdefault(rule_id, set()).add(f"{fw.id}:{control.id}")
    return index


# ---------------------------------------------------------------------------------------------
# Subjects of each scope


# scopes whose subjects are the objects of one collection, each judged on its own
_COLLECTION_SCOPES = {
    "trail": "trails", "event_data_store": "event_data_stores", "event_rule": "event_rules",
}  # fmt: skip


# scopes whose subjects are what the trails name: scope -> (trail attribute, `Estate.resolve` kind)
_REFERENCED_SCOPES: dict[str, tuple[str, ResolveKind]] = {
    "bucket": ("bucket", "bucket"), "key": ("kms_key", "key"),
    "log_group": ("log_group", "log_group"), "topic": ("sns_topic", "topic"),
}  # fmt: skip


def _scope_subjects(scope: str, estate: Estate) -> Iterator[Subject[Any]]:
    collection = _COLLECTION_SCOPES.get(scope)
    if collection is not None:
        for obj in getattr(estate, collection):
            yield Subject(obj.id, obj.location, obj)
        return
    attr, kind = _REFERENCED_SCOPES[scope]
    seen: dict[str, Subject[Any]] = {}
    for t in estate.trails:
        ref: Reference | None = getattr(t, attr)
        if ref is None:
            continue
        obj = estate.resolve(kind, ref)
        if obj is not None:
            key = f"{obj.location.unit}\x00{obj.id}"  # ids are unique within a load unit
            subject = Subject(obj.id, obj.location, obj, (t,))
        else:
            # one subject per unit: two root modules naming the same missing bucket are
            # usually two accounts, and each finding points into its own unit
            key = f"ref:{t.location.unit}\x00{ref.value}"
            resource, _ = outside_inputs(kind, ref, (t,), "")
            subject = Subject(resource, t.where(attr), ref, (t,))
        if key in seen:
            prev = seen[key]
            seen[key] = Subject(prev.resource, prev.location, prev.obj, (*prev.users, t))
        else:
            seen[key] = subject
    yield from seen.values()


# ---------------------------------------------------------------------------------------------
# Conditions


@dataclass(frozen=True)
class Verdict:
    status: Status
    message: str = ""
    attribute: str | None = None


def evaluate_condition(
    cond: Mapping[str, Any], ctx: Context, subject: Subject[Any]
) -> list[Outcome]:
    """Evaluate a condition; predicates may return several outcomes (one per resource)."""
    if "predicate" in cond:
        result = PREDICATES[cond["predicate"]](ctx, subject, dict(cond.get("args", {})))
        return [result] if isinstance(result, Outcome) else list(result)
    v = _evaluate(cond, ctx, subject)
    loc = subject.obj.where(v.attribute) if isinstance(subject.obj, Located) else subject.location
    return [Outcome(v.status, v.message, loc)]


def _evaluate(cond: Mapping[str, Any], ctx: Context, subject: Subject[Any]) -> Verdict:
    if "all" in cond:
        parts = [_evaluate(c, ctx, subject) for c in cond["all"]]
        decided = deciding_all(parts, _status)
        if decided is not None:
            return decided
        return Verdict(PASS, "; ".join(p.message for p in parts if p.message))
    if "any" in cond:
        parts = [_evaluate(c, ctx, subject) for c in cond["any"]]
        decided = deciding_any(parts, _status)
        if decided is not None:
            return decided
        return parts[0] if parts else Verdict(FAIL, "no alternative holds")
    if "not" in cond:
        inner = _evaluate(cond["not"], ctx, subject)
        return Verdict(negate(inner.status), inner.message, inner.attribute)
    if "predicate" in cond:
        outcomes = evaluate_condition(cond, ctx, subject)
        worst = deciding_all(outcomes, _status) or (outcomes[0] if outcomes else None)
        return Verdict(worst.status, worst.message) if worst else Verdict(PASS)
    if "attribute" in cond:
        return _attribute(cond, subject)
    raise PolicyError(f"unknown condition {dict(cond)!r}")


def _status(part: Verdict | Outcome) -> Status:
    return part.status


def _attribute(cond: Mapping[str, Any], subject: Subject[Any]) -> Verdict:
    name = cond["attribute"]
    value = getattr(subject.obj, name)
    said = _said(subject.obj, name)
    if isinstance(value, Reference):
        value = value.value
    certain = isinstance(value, Computed) or (
        isinstance(value, PartlyKnown) and any(value.parts)
    )
    if certain and "present" in cond:
        # set for certain, only its value is known later (a resource's ARN, a name with known
        # text in it): present
        ok = bool(cond["present"])
        return Verdict("pass" if ok else "fail", f"{said} is set ({value.reason})", name)
    if isinstance(value, Unknown):
        return Verdict("unknown", f"{said} is unknown: {value.reason}", name)
    shown = _show(value)
    if "present" in cond:
        ok = (value is not None and value != "" and value != ()) == bool(cond["present"])
        return Verdict("pass" if ok else "fail", f"{said} is {shown}", name)
    if "equals" in cond:
        ok = value == cond["equals"]
        return Verdict("pass" if ok else "fail", f"{said} is {shown}", name)
    if "in" in cond:
        ok = value in cond["in"]
        return Verdict("pass" if ok else "fail", f"{said} is {shown}", name)
    raise PolicyError(f"attribute condition without a test: {dict(cond)!r}")


def _said(obj: Any, attribute: str) -> str:
    """An attribute as the input spells it (`Located.names`): the name a user can search for."""
    return obj.spelling(attribute) if isinstance(obj, Located) else attribute


def _show(value: Any) -> str:
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)


# ---------------------------------------------------------------------------------------------
# Evaluation


class Judgement:
    """One scan's judging: the whole estate for rules about one resource, and one view per
    deployment unit for rules about the set of trails (`units.unit_views`), each with a context
    whose caches the rules and the coverage matrix share."""

    def __init__(self, estate: Estate, options: Options | None = None) -> None:
        self.estate = estate
        self.options = options or Options()
        self.context = Context(estate, self.options)
        self.views = unit_views(estate, self.options.unit_groups, self.options.unit_organizations)
        # the views of one organization hold the same organization trails: their simulations
        # are shared (one `Shared` per organization the config file tells apart, else one)
        shared: dict[int, Shared] = {}
        self.contexts = {
            v.name: Context(v.estate, self.options,
                            shared=shared.setdefault(id(v.organization), Shared(v.organization)))
            for v in self.views
        }  # fmt: skip

    def unit_name(self, location: Location) -> str | None:
        unit = location.unit
        return self.options.unit_groups.get(unit, unit) or None


def evaluate(
    estate: Estate,
    rules: Iterable[Rule],
    options: Options | None = None,
    judgement: Judgement | None = None,
    jobs: int = 0,
) -> list[Finding]:
    """Every rule on every subject of its scope, plus the loaders' diagnostics, sorted. Rules
    about the set of trails are judged once per deployment unit."""
    return judge(estate, rules, options, judgement, jobs=jobs)[0]


# Deployment units from which judging them in a pool of processes pays for the pool.
PARALLEL_UNITS = 8


def judge(
    estate: Estate,
    rules: Iterable[Rule],
    options: Options | None = None,
    judgement: Judgement | None = None,
    *,
    jobs: int = 0,
    per_view: Callable[[UnitView, Context], R] | None = None,
) -> tuple[list[Finding], list[R]]:
    """`evaluate`, and `per_view(view, context)` on each deployment unit once its rules are
    judged, in the same process (it reads the caches they filled; then the view's caches are
    let go, so that a scan of many units holds one view's simulations at a time): its results
    in the units' order. Units are judged in a pool of processes (`parallel`) when there are
    many; the findings are the serial run's, sorted."""
    judgement = judgement or Judgement(estate, options)
    rules = list(rules)
    checked = [r for r in rules if r.check is not None]  # CT000 comes from the diagnostics
    on_views = [r for r in checked if r.scope == "estate"]
    views = judgement.views
    findings: list[Finding] = []

    def whole_estate() -> list[Finding]:
        found = list(_diagnostic_findings(estate, rules, judgement))
        for rule in checked:
            if rule.scope == "estate":
                continue
            for subject in _scope_subjects(rule.scope, estate):
                unit = judgement.unit_name(subject.location)
                found.extend(_evaluate_rule(rule, judgement.context, subject, unit))
            if estate.unread:
                found.extend(_unread_findings(rule, estate, judgement))
        return found

    def units(start: int, stop: int) -> tuple[list[Finding], list[R]]:
        # view by view, so that a view's simulations are shared by all its rules
        found: list[Finding] = []
        extras: list[R] = []
        for view in views[start:stop]:
            ctx = judgement.contexts[view.name]
            subject = Subject("estate", view.anchor, view.estate)
            for rule in on_views:
                found.extend(_evaluate_rule(rule, ctx, subject, view.name or None, view))
            if per_view is not None:
                extras.append(per_view(view, ctx))
            ctx.release()
        return found, extras

    processes = parallel.workers(jobs, len(views), PARALLEL_UNITS)
    slices: list[tuple[list[Finding], list[R]]]
    if processes > 1 and len(views) > 1:
        # This process judges the first view before the pool starts, so that the work every view
        # shares (other units' organization trails: `Shared`) is done once and inherited by the
        # forked workers, not done again by each; a worker judges the whole-estate rules
        # meanwhile.
        aside = parallel.iter_slices(lambda _a, _b: whole_estate(), 1, 1)
        slices = [units(0, 1)]
        slices += parallel.map_slices(lambda a, b: units(a + 1, b + 1), len(views) - 1,
                                      processes)  # fmt: skip
        for found in aside:
            findings.extend(found)
    else:
        findings.extend(whole_estate())
        slices = [units(0, len(views))] if views else []
    extras: list[R] = []
    for found, extra in slices:
        findings.extend(found)
        extras.extend(extra)
    return sorted(set(findings), key=Finding.sort_key), extras


def _unread_findings(rule: Rule, estate: Estate, judgement: Judgement) -> Iterator[Finding]:
    """For a rule about each trail (or each event data store): one unknown per account (and
    unit) whose trails (stores) could not all be read, since any of those may fail it
    (`model.Unread`); one per collection, not one per Region, so that a denied listing does not
    flood the report."""
    collection = _COLLECTION_SCOPES.get(rule.scope)
    grouped: dict[tuple[str, str], list[Unread]] = {}
    for u in estate.unread:
        if u.collection == collection and collection in RECORDERS:
            grouped.setdefault((u.location.unit, u.account_id), []).append(u)
    for (_, account), entries in sorted(grouped.items()):
        first = entries[0]
        regions = [u.region for u in entries if u.region]
        what = describe(replace(first, region=", ".join(regions) if len(regions) == len(
            entries) else ""))  # fmt: skip
        more = f", and {len(entries) - 1} more like it" if len(entries) > 1 else ""
        why = f"{what} could not be read ({first.reason}{more}): any of them may fail this rule"
        resource = f"aws://{account}" if account else first.location.file
        subject = Subject(resource, first.location, estate)
        yield _finding(rule, subject, Outcome("unknown", why, first.location),
                       judgement.unit_name(first.location), None)  # fmt: skip


def _diagnostic_findings(
    estate: Estate, rules: list[Rule], judgement: Judgement
) -> Iterator[Finding]:
    by_id = {r.id: r for r in rules}
    for d in estate.diagnostics:
        rule = by_id.get(d.rule_id)
        yield Finding(
            rule_id=d.rule_id,
            rule_name=rule.name if rule else "input-error",
            status=d.status,
            severity=rule.severity if rule else "high",
            resource=d.resource or d.location.file,
            file=d.location.file,
            line=d.location.line,
            message=d.message,
            compliance=rule.compliance if rule else (),
            unit=judgement.unit_name(d.location),
        )


def _evaluate_rule(
    rule: Rule,
    ctx: Context,
    subject: Subject[Any],
    unit: str | None,
    view: UnitView | None = None,
) -> list[Finding]:
    if subject.outside:
        assert isinstance(subject.obj, Reference)
        _, message = outside_inputs(
            rule.scope, subject.obj, subject.users, "its settings cannot be checked"
        )
        outcomes = [Outcome("unknown", message, subject.location)]
    else:
        gate = _evaluate(rule.applies, ctx, subject) if rule.applies is not None else None
        if gate is not None and gate.status == "fail":
            return []
        outcomes = _checked(rule, ctx, subject)
        if gate is not None and gate.status == "unknown" and (
            not outcomes or any(o.status != "pass" for o in outcomes)
        ):
            # a pass holds whether or not the rule applies; anything else waits on the gate
            loc = (
                subject.obj.where(gate.attribute)
                if isinstance(subject.obj, Located)
                else subject.location
            )
            why = f"cannot tell whether the rule applies: {gate.message}"
            return [_finding(rule, subject, Outcome("unknown", why, loc), unit, view)]
    return [_finding(rule, subject, o, unit, view) for o in outcomes]


def _checked(rule: Rule, ctx: Context, subject: Subject[Any]) -> list[Outcome]:
    assert rule.check is not None
    try:
        return evaluate_condition(rule.check, ctx, subject)
    except Exception as e:  # a bug in one rule must not hide the others' findings
        if os.environ.get("TRAILCHECK_DEBUG"):
            raise
        message = internal_error_message("judging this rule", e)
        return [Outcome("unknown", message, subject.location)]


def has_internal_errors(findings: Iterable[Finding]) -> bool:
    return any(f.status == "unknown" and f.message.startswith(INTERNAL_ERROR) for f in findings)


def _finding(
    rule: Rule, subject: Subject[Any], outcome: Outcome, unit: str | None, view: UnitView | None
) -> Finding:
    loc = outcome.location or subject.location
    if view is not None and loc.file not in view.files:
        # decided by an object of another unit (an organization trail): point into this unit
        loc = view.anchor
    message = outcome.message
    template = rule.messages.get(outcome.status)
    if template and not message.startswith(INTERNAL_ERROR):
        message = template.format(
            detail=outcome.message, resource=outcome.resource or subject.resource
        )
    return Finding(
        rule_id=rule.id,
        rule_name=rule.name,
        status=outcome.status,
        severity=rule.severity,
        resource=outcome.resource or subject.resource,
        file=loc.file,
        line=loc.line,
        message=message,
        compliance=rule.compliance,
        unit=unit,
    )
