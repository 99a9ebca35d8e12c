"""Predicates about one trail's own settings."""

from __future__ import annotations

from checker.model import Estate, EventDataStore, InsightSelector, Key, Trail, Unknown
from checker.predicates.context import Context, PredicateArgs
from checker.rules import Outcome, Subject
from checker.simulator.insights import CALL_RATE, ERROR_RATE

US_EAST_1 = "us-east-1"


def covers_us_east_1(ctx: Context, subject: Subject[Trail], args: PredicateArgs) -> Outcome:
    """Whether the trail records events of us-east-1, where global service events land."""
    trail = subject.obj
    if trail.is_multi_region is True:
        return Outcome("pass", "multi-region trail", trail.where("is_multi_region"))
    home = trail.home_region
    if isinstance(home, Unknown) and ctx.options.default_region:
        home = ctx.options.default_region
    if isinstance(trail.is_multi_region, Unknown):
        return Outcome("unknown", f"is_multi_region is unknown: {trail.is_multi_region.reason}")
    if isinstance(home, Unknown):
        return Outcome(
            "unknown", f"single-region trail whose home region is unknown: {home.reason}"
        )
    if home == US_EAST_1:
        return Outcome("pass", "single-region trail in us-east-1")
    return Outcome("fail", f"single-region trail in {home}")


def customer_managed_key(
    ctx: Context, subject: Subject[Trail | EventDataStore], args: PredicateArgs
) -> Outcome:
    """The subject's `kms_key` (a trail's or an event data store's) is a customer managed key."""
    trail = subject.obj
    ref = trail.kms_key
    where = trail.where("kms_key")
    if ref is None:
        return Outcome("fail", "no KMS key is set (kms_key_id / KMSKeyId)", where)
    if isinstance(ref.value, Unknown) and ref.target is None:
        return Outcome("unknown", f"the KMS key is unknown: {ref.value.reason}", where)
    value = ref.value if isinstance(ref.value, str) else ""
    if value.startswith("alias/aws/") or ":alias/aws/" in value:
        return Outcome("fail", f"{value} is an AWS managed key", where)
    key: Key | None = ctx.estate.resolve("key", ref)
    shown = ref.target or value
    if key is not None and isinstance(key.customer_managed, Unknown):
        return Outcome("unknown", f"whether {shown} is customer managed is unknown", where)
    if key is not None and key.customer_managed is False:
        return Outcome("fail", f"{shown} is an AWS managed key", where)
    return Outcome("pass", shown, where)


INSIGHT_TYPES = (CALL_RATE, ERROR_RATE)


def insights_enabled(ctx: Context, subject: Subject[Estate], args: PredicateArgs) -> Outcome:
    estate = subject.obj
    unknowns: list[str] = []
    partial: list[str] = []
    for trail in estate.trails:
        selectors = trail.insight_selectors
        if isinstance(selectors, Unknown):
            unknowns.append(f"{trail.id}: insight selectors unknown ({selectors.reason})")
            continue
        types = _insight_types(selectors)
        missing = [t for t in INSIGHT_TYPES if t not in types]
        if missing and len(missing) < len(INSIGHT_TYPES):
            partial.append(f"{trail.id} lacks {', '.join(missing)}")
        if missing:
            continue
        if isinstance(trail.is_logging, Unknown):
            unknowns.append(
                f"{trail.id} has Insights but its logging is unknown ({trail.is_logging.reason})"
            )
            continue
        if trail.is_logging:
            return Outcome(
                "pass",
                f"{trail.id} has both Insights types",
                trail.where("insight_selectors"),
                trail.id,
            )
        partial.append(f"{trail.id} has Insights but is not logging")
    if unknowns:
        return Outcome("unknown", "; ".join(unknowns))
    detail = "; ".join(partial) if partial else "no trail has Insights enabled"
    return Outcome(
        "fail", f"no logging trail has both ApiCallRateInsight and ApiErrorRateInsight ({detail})"
    )


def _insight_types(selectors: tuple[InsightSelector, ...]) -> set[str]:
    return {s.insight_type for s in selectors if isinstance(s.insight_type, str)}
