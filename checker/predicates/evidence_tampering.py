"""Deny trail tampering (rule CT040): an SCP or IAM policy denies the calls that silence a trail.

StopLogging, DeleteTrail, UpdateTrail and PutEventSelectors must each be denied by some Deny
statement of an SCP or IAM policy in the inputs, named directly or by a wildcard. Conditions:
- a condition that only exempts principals (a negated test of aws:PrincipalArn, a principal tag,
  aws:userid, ...: the break-glass pattern) keeps the deny, and the exemption is reported;
- any other condition makes the deny conditional: unknown, not pass, because the inputs do not
  tell whether it holds for every request.
An Allow of those actions is no protection. In scope are every SCP and the IAM policies that
name CloudTrail actions (a role policy for CloudWatch Logs delivery says nothing either way);
with none in scope the result is unknown: the guard may well live outside the scanned inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from checker import policy_doc
from checker.model import ControlPolicy, Estate, Unknown
from checker.predicates.context import Context, PredicateArgs
from checker.predicates.evidence import listing
from checker.rules import Outcome, Subject
from checker.unread import unread_of

PROTECTED = (
    "cloudtrail:StopLogging",
    "cloudtrail:DeleteTrail",
    "cloudtrail:UpdateTrail",
    "cloudtrail:PutEventSelectors",
)
KINDS = {"scp": "SCP", "iam": "IAM policy"}
_PRINCIPAL_KEYS = ("aws:principal", "aws:userid", "aws:username")


@dataclass
class Coverage:
    """What the policies in scope say about one protected action."""

    full: list[str] = field(default_factory=list)  # "policy (statement)" that deny it
    conditional: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    allowed_by: list[str] = field(default_factory=list)


def _empty_coverage() -> dict[str, Coverage]:
    return {action: Coverage() for action in PROTECTED}


@dataclass
class Findings:
    coverage: dict[str, Coverage] = field(default_factory=_empty_coverage)
    exemptions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    protecting: list[ControlPolicy] = field(default_factory=list)


def deny_trail_tampering(ctx: Context, subject: Subject[Estate], args: PredicateArgs) -> Outcome:
    estate = subject.obj
    # each policy is read once per scan: every unit's view holds the organization's SCPs, after
    # its own policies (units.unit_views), so they are also added up once per scan
    own, organization = _split_scps(estate.policies)
    read = [(p, ctx.shared.answer(p, "tampering", partial(_read_in_scope, p))) for p in own]
    key = ("tampering of", tuple(id(p) for p in organization))
    scps: tuple[list[ControlPolicy], Findings] | None = ctx.shared.results.get(key)
    if scps is None:
        together = Findings()
        in_scope_scps = []
        for p in organization:
            part = ctx.shared.answer(p, "tampering", partial(_read_in_scope, p))
            if part is not None:
                in_scope_scps.append(p)
                _add(together, part)
        scps = ctx.shared.results[key] = (in_scope_scps, together)
    policies = [p for p, part in read if part is not None] + scps[0]
    unread = next(unread_of(estate, "policies"), None) if estate.unread else None
    if not policies:
        why = (f"the organization's SCPs could not be read ({unread.reason})" if unread else
               "scan the organization's SCPs too")  # fmt: skip
        return Outcome(
            "unknown",
            "no SCP, and no IAM policy that names StopLogging, DeleteTrail, UpdateTrail or "
            "PutEventSelectors, is in the scanned inputs, "
            f"so nothing shows whether stopping logging or deleting the trail is denied; {why}",
        )
    found = Findings()
    for _, part in read:
        if part is not None:
            _add(found, part)
    own_only = [p for p, part in read if part is not None]
    if not scps[0]:
        outcome = _verdict(found, own_only)
        if unread is not None and outcome.status == "fail":  # an unread SCP may deny it
            return replace(outcome, status="unknown", message=f"{outcome.message}; the "
                           f"organization's SCPs, which may deny it, could not be read "
                           f"({unread.reason})")  # fmt: skip
        return outcome
    managed = _in_management_account(estate)
    if managed is True:  # SCPs do not bind the account an organization trail lives in
        if not own_only:
            return Outcome("unknown", f"{_MANAGEMENT} no IAM policy in the inputs names "
                           "StopLogging, DeleteTrail, UpdateTrail or PutEventSelectors, so "
                           "nothing shows whether they are denied there")  # fmt: skip
        outcome = _verdict(found, own_only)
        return replace(outcome, message=f"{outcome.message}; {_MANAGEMENT.rstrip(':')}")
    with_scps = Findings()
    _add(with_scps, found)
    _add(with_scps, scps[1])  # adding up is associative: as if added one by one
    outcome = _verdict(with_scps, policies)
    if isinstance(managed, Unknown) and outcome.status == "pass":
        alone = _verdict(found, own_only) if own_only else None
        if alone is None or alone.status != "pass":
            return Outcome("unknown", f"only SCPs deny {listing(_short(PROTECTED))}, and SCPs do "
                           "not apply in the management account: whether this unit's trail is "
                           f"an organization trail (in that account) is unknown "
                           f"({managed.reason})")  # fmt: skip
    return outcome


# AWS Organizations User Guide, "Service control policies (SCPs)": SCPs do not affect users or
# roles in the management account, only member accounts. An organization trail is owned by the
# management account (CloudTrail User Guide, "Creating a trail for an organization").
_MANAGEMENT = ("the unit's organization trail lives in the management account, where SCPs do not "
               "apply, so only its IAM policies can deny tampering:")  # fmt: skip


def _in_management_account(estate: Estate) -> bool | Unknown:
    """Whether the unit's own trails include an organization trail (so the unit is the
    management account's): True, False, or Unknown when some trail's flag is unknown."""
    unknown: Unknown | None = None
    for t in estate.trails:
        if t.foreign_unit is not None:
            continue
        flag = t.is_organization
        if flag is True:
            return True
        if isinstance(flag, Unknown):
            unknown = unknown or flag
    return unknown if unknown is not None else False


def _short(actions: tuple[str, ...]) -> list[str]:
    return [a.split(":", 1)[1] for a in actions]


def _split_scps(
    policies: tuple[ControlPolicy, ...],
) -> tuple[tuple[ControlPolicy, ...], tuple[ControlPolicy, ...]]:
    """The policies, and the SCPs and RCPs they end with."""
    cut = len(policies)
    while cut and policies[cut - 1].kind in ("scp", "rcp"):
        cut -= 1
    return policies[:cut], policies[cut:]


def _read_in_scope(pol: ControlPolicy) -> Findings | None:
    """What one policy says about tampering; None when it is not `in_scope`."""
    if not in_scope(pol):
        return None
    found = Findings()
    _read_policy(pol, found)
    return found


def _add(found: Findings, part: Findings) -> None:
    """`part` (one policy's findings) added to `found`, as reading it into `found` would."""
    for action, cov in part.coverage.items():
        into = found.coverage[action]
        into.full += cov.full
        into.conditional += cov.conditional
        into.unknown += cov.unknown
        into.allowed_by += cov.allowed_by
    found.unreadable += part.unreadable
    for name in ("exemptions", "notes", "protecting"):
        kept: list[Any] = getattr(found, name)
        kept += [x for x in getattr(part, name) if x not in kept]


def in_scope(pol: ControlPolicy) -> bool:
    """Every SCP; an IAM policy only when it names a protected CloudTrail action, by name or
    by a pattern such as `cloudtrail:*` (or cannot be read): the role policy that lets CloudTrail
    write to CloudWatch Logs, or a monitoring role's DescribeTrails, says nothing about
    tampering."""
    if pol.kind == "scp":
        return True
    if pol.kind != "iam":
        return False
    found = policy_doc.statements(pol.document)
    if isinstance(found, Unknown):
        return True
    for stmt in found:
        negated = stmt.not_actions is not None
        for pattern in stmt.not_actions or () if negated else stmt.actions:
            if isinstance(pattern, Unknown):
                return True
            if pattern.lower().startswith("cloudtrail:") and (negated or any(
                    policy_doc.action_matches(pattern, a) for a in PROTECTED)):  # fmt: skip
                return True
    return False


def _name(pol: ControlPolicy) -> str:
    return f"{KINDS[pol.kind]} {pol.id}"


def _read_policy(pol: ControlPolicy, found: Findings) -> None:
    statements = policy_doc.statements(pol.document, f"the document of {pol.id}")
    if isinstance(statements, Unknown):
        found.unreadable.append(f"{_name(pol)}: {statements.reason}")
        return
    for stmt in statements:
        where = f"{_name(pol)} ({stmt.label})"
        resources = _covers_trails(stmt)
        for action in PROTECTED:
            cov = found.coverage[action]
            if stmt.allows_action(action) is True:
                cov.allowed_by.append(where)
                continue
            denied = stmt.denies_action(action)
            if denied is False or resources is False:
                continue
            if isinstance(denied, Unknown):
                cov.unknown.append(f"{where}: {denied.reason}")
                continue
            if isinstance(resources, Unknown):
                cov.unknown.append(f"{where}: its Resource is unknown ({resources.reason})")
                continue
            kind, text = _condition_kind(stmt)
            if kind == "conditional":
                cov.conditional.append(f"{where} only when {text}")
                continue
            cov.full.append(where)
            if kind == "exempt" and f"{where}: {text}" not in found.exemptions:
                found.exemptions.append(f"{where}: {text}")
            if isinstance(resources, str) and resources not in found.notes:
                found.notes.append(resources)
            if pol not in found.protecting:
                found.protecting.append(pol)


def _covers_trails(stmt: policy_doc.Statement) -> bool | str | Unknown:
    """True when the statement's resources reach every trail; a note (str) when it is limited
    to some trails; False when it names no trail."""
    if stmt.not_resources is not None:
        named = [r for r in stmt.not_resources if isinstance(r, str)]
        if any(r == "*" for r in named):
            return False
        trails = [r for r in named if ":cloudtrail:" in r.lower()]
        return f"{stmt.label} leaves out {', '.join(trails)}" if trails else True
    if not stmt.resources:
        return True  # an SCP statement without Resource applies to every resource
    unknown: Unknown | None = None
    limited: list[str] = []
    for r in stmt.resources:
        if isinstance(r, Unknown):
            unknown = r if unknown is None else unknown
            continue
        low = r.lower()
        if r == "*" or low.startswith("arn:*") or (":cloudtrail:" in low and low.endswith("*")):
            return True
        if ":cloudtrail:" in low:
            limited.append(r)
    if limited:
        return f"{stmt.label} is limited to {', '.join(limited)}"
    return unknown if unknown is not None else False


def _condition_kind(stmt: policy_doc.Statement) -> tuple[str, str]:
    """("none" | "exempt" | "conditional", the conditions as written)."""
    conditions = stmt.conditions
    if isinstance(conditions, Unknown):
        return "conditional", f"its unknown conditions hold ({conditions.reason})"
    if not conditions:
        return "none", ""
    text = "; ".join(c.shown() for c in conditions)
    if all(_is_exemption(c) for c in conditions):
        return "exempt", f"principals matching {text} are exempt"
    return "conditional", text


def _is_exemption(cond: policy_doc.Condition) -> bool:
    """A condition that only carves principals out of the deny (break-glass roles)."""
    if not cond.key.startswith(_PRINCIPAL_KEYS):
        return False
    if cond.negated:
        return True
    # Bool aws:PrincipalIsAWSService false: the deny spares AWS services only
    return cond.base == "bool" and cond.key == "aws:principalisawsservice" and all(
        isinstance(v, str) and v.lower() == "false" for v in cond.values
    )


def _verdict(found: Findings, policies: list[ControlPolicy]) -> Outcome:
    short = dict(zip(PROTECTED, _short(PROTECTED), strict=True))
    missing = [a for a, c in found.coverage.items() if not c.full]
    if not missing:
        names = ", ".join(_name(p) + _attachment(p) for p in found.protecting)
        parts = [f"{names} den{'ies' if len(found.protecting) == 1 else 'y'} "
                 f"{listing([short[a] for a in PROTECTED])}"]
        if found.exemptions:
            parts.append("exemption: " + "; ".join(found.exemptions))
        parts.extend(found.notes)
        where = found.protecting[0].location if found.protecting else None
        return Outcome("pass", "; ".join(parts), where)
    open_: list[str] = list(found.unreadable)
    grouped: dict[str, list[str]] = {}
    for action in missing:
        cov = found.coverage[action]
        for text in [f"denied by {c}" for c in cov.conditional] + cov.unknown:
            grouped.setdefault(text, []).append(short[action])
    open_ += [f"{text} (for {listing(actions)})" for text, actions in grouped.items()]
    if open_:
        return Outcome(
            "unknown",
            f"cannot tell whether {listing([short[a] for a in missing])} "
            f"{'is' if len(missing) == 1 else 'are'} denied: {'; '.join(open_)}",
            policies[0].location if len(policies) == 1 else None,
        )
    detail: list[str] = []
    denied = [a for a in PROTECTED if a not in missing]
    if denied:
        detail.append(f"only {listing([short[a] for a in denied])} "
                      f"{'is' if len(denied) == 1 else 'are'} denied")
    allowers: dict[str, list[str]] = {}
    for action in missing:
        for who in found.coverage[action].allowed_by:
            allowers.setdefault(who, []).append(action)
    for who, actions in sorted(allowers.items()):
        detail.append(f"{who} allows {listing(actions)}, which grants rather than prevents")
    tail = f" ({'; '.join(detail)})" if detail else ""
    return Outcome(
        "fail",
        f"no SCP or IAM policy in the inputs denies {listing(missing)}{tail}",
        policies[0].location if len(policies) == 1 else None,
    )


def _attachment(pol: ControlPolicy) -> str:
    if pol.kind == "scp" and pol.targets == ():
        return " (declared; its attachment is not in the inputs)"
    return ""
