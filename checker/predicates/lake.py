"""Predicates about CloudTrail Lake event data stores (rules CT050-CT054). Termination protection
and the ingesting status are plain attribute checks in the rule files; the key check is
`customer_managed_key` (trail.py), shared with trails; the selector checks are shared with
CT011 (`checker.simulator.selector_validity`)."""

from __future__ import annotations

from checker.model import EventDataStore, Unknown
from checker.predicates.context import Context, PredicateArgs
from checker.rules import Outcome, Subject
from checker.simulator.selector_validity import retention_problem, store_problems


def lake_retention(ctx: Context, subject: Subject[EventDataStore], args: PredicateArgs) -> Outcome:
    """CT051: the store keeps events at least `--min-retention-days` (default 365), with a
    retention period AWS accepts for its billing mode."""
    store = subject.obj
    minimum = ctx.options.min_retention_days
    days = store.retention_days
    where = store.where("retention_days")
    if isinstance(days, Unknown):
        return Outcome("unknown", f"the retention period is unknown ({days.reason})", where)
    refused = retention_problem(store)
    if refused is not None:
        # a store AWS refuses keeps nothing, whatever the minimum
        return Outcome(refused.status, f"{refused.message}, so the store is not created",
                       store.where(refused.attribute))  # fmt: skip
    if days < minimum:
        return Outcome("fail", f"events are kept {days} days, under the minimum of {minimum}",
                       where)  # fmt: skip
    return Outcome("pass", f"events are kept {days} days (minimum {minimum})", where)


def lake_selectors(
    ctx: Context, subject: Subject[EventDataStore], args: PredicateArgs
) -> list[Outcome]:
    """CT054: the store's advanced event selectors are ones AWS accepts for an event data store,
    and they do what they seem to."""
    store = subject.obj
    problems = store_problems(store)
    if problems:
        return [Outcome(p.status, p.message, store.where(p.attribute)) for p in problems]
    return [Outcome("pass", "the selectors are valid and do what they seem to",
                    store.where("selectors"))]
