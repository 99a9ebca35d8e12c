"""Predicates about CloudTrail Lake event data stores (rules CT050-CT053). Termination protection
and the ingesting status are plain attribute checks in the rule files; the key check is
`customer_managed_key` (trail.py), shared with trails."""

from __future__ import annotations

from checker.model import EventDataStore, Unknown
from checker.predicates.context import Context, PredicateArgs
from checker.rules import Outcome, Subject


def lake_retention(ctx: Context, subject: Subject[EventDataStore], args: PredicateArgs) -> Outcome:
    """CT051: the store keeps events at least `--min-retention-days` (default 365)."""
    store = subject.obj
    minimum = ctx.options.min_retention_days
    days = store.retention_days
    where = store.where("retention_days")
    if isinstance(days, Unknown):
        return Outcome("unknown", f"the retention period is unknown ({days.reason})", where)
    if days < minimum:
        return Outcome("fail", f"events are kept {days} days, under the minimum of {minimum}",
                       where)  # fmt: skip
    return Outcome("pass", f"events are kept {days} days (minimum {minimum})", where)
