"""Predicates about one trail's own settings."""

from __future__ import annotations

from functools import partial

from checker.model import Estate, EventDataStore, InsightSelector, Key, Trail, Unknown
from checker.predicates.context import Context, PredicateArgs
from checker.regions import global_region, partition_of
from checker.rules import Outcome, Subject
from checker.simulator.insights import CALL_RATE, ERROR_RATE
from checker.simulator.lake import collects_insights

IAM = "iam.amazonaws.com"
MANAGEMENT = "Management"


def covers_us_east_1(ctx: Context, subject: Subject[Trail], args: PredicateArgs) -> Outcome:
    """Whether the trail records events of the Region IAM's global service events land in:
    us-east-1, or its partition's own (`checker.regions.global_region`)."""
    trail = subject.obj
    if trail.is_multi_region is True:
        return Outcome("pass", "multi-region trail", trail.where("is_multi_region"))
    home = trail.home_region
    if isinstance(home, Unknown) and ctx.options.default_region:
        home = ctx.options.default_region
    if isinstance(trail.is_multi_region, Unknown):
        said = trail.spelling("is_multi_region")
        return Outcome("unknown", f"{said} is unknown: {trail.is_multi_region.reason}")
    if isinstance(home, Unknown):
        return Outcome(
            "unknown", f"single-region trail whose home region is unknown: {home.reason}"
        )
    if home == global_region(partition_of(home), IAM)[0]:
        return Outcome("pass", f"single-region trail in {home}")
    return Outcome("fail", f"single-region trail in {home}")


def customer_managed_key(
    ctx: Context, subject: Subject[Trail | EventDataStore], args: PredicateArgs
) -> Outcome:
    """The subject's `kms_key` (a trail's or an event data store's) is a customer managed key."""
    trail = subject.obj
    ref = trail.kms_key
    where = trail.where("kms_key")
    if ref is None:
        return Outcome("fail", f"no KMS key is set ({trail.spelling('kms_key')})", where)
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
    """CT008: a logging trail, or an ingesting source event data store whose destination store
    collects Insights events, enables both Insights types (docs/semantics/insights.md)."""
    estate = subject.obj
    unknowns: list[str] = []
    lacking: list[str] = []
    for trail in estate.trails:
        # another unit's organization trail is worked out once per scan (every view holds it)
        kind, why = _trail_insights(trail) if trail.foreign_unit is None else ctx.shared.answer(
            trail, "insights", partial(_trail_insights, trail))
        if kind == "pass":
            return Outcome("pass", why, trail.where("insight_selectors"), trail.id)
        if kind == "unknown":
            unknowns.append(why)
        elif kind == "partial":
            lacking.append(why)
    stores: list[str] = []
    for store in estate.event_data_stores:
        status, why = _store_insights(ctx, store)
        if status == "pass":
            return Outcome("pass", why, store.where("insight_selectors"), store.id)
        if status != "skip":
            (unknowns if status == "unknown" else stores).append(why)
    if unknowns:
        return Outcome("unknown", "; ".join(unknowns))
    detail = "; ".join(lacking + stores) if lacking or stores else "no trail has Insights enabled"
    who = "logging trail, and no event data store through its destination," if stores else (
        "logging trail")  # fmt: skip
    return Outcome(
        "fail", f"no {who} has both ApiCallRateInsight and ApiErrorRateInsight ({detail})"
    )


def _trail_insights(trail: Trail) -> tuple[str, str]:
    """What CT008 makes of one trail: ("pass", why) when it has both Insights types and logs,
    ("unknown", why), ("partial", what it lacks), or ("none", "") when it has no Insights."""
    selectors = trail.insight_selectors
    if isinstance(selectors, Unknown):
        return "unknown", f"{trail.id}: insight selectors unknown ({selectors.reason})"
    types = _insight_types(selectors)
    missing = [t for t in INSIGHT_TYPES if t not in types]
    if missing:
        data_only = _data_only(selectors)
        if len(missing) < len(INSIGHT_TYPES) or data_only:
            return "partial", f"{trail.id} lacks {', '.join(missing)}{data_only}"
        return "none", ""
    if isinstance(trail.is_logging, Unknown):
        return "unknown", (f"{trail.id} has Insights but its logging is unknown "
                           f"({trail.is_logging.reason})")  # fmt: skip
    if trail.is_logging:
        return "pass", f"{trail.id} has both Insights types"
    return "partial", f"{trail.id} has Insights but is not logging"


def _store_insights(ctx: Context, store: EventDataStore) -> tuple[str, str]:
    """Whether a source store enables both Insights types for the estate: it ingests, and its
    InsightsDestination is a store that selects Insights events and ingests (PutInsightSelectors;
    docs/semantics/lake.md). ("skip", "") for a store without Insights."""
    selectors = store.insight_selectors
    if isinstance(selectors, Unknown):
        return "unknown", f"{store.id}: insight selectors unknown ({selectors.reason})"
    missing = [t for t in INSIGHT_TYPES if t not in _insight_types(selectors)]
    data_only = _data_only(selectors)
    if len(missing) == len(INSIGHT_TYPES) and not data_only:
        return "skip", ""
    if missing:
        return "fail", f"{store.id} lacks {', '.join(missing)}{data_only}"
    enabled = f"Insights are enabled on event data store {store.id}"
    destination, problems = _destination(ctx, store)
    own = _ingesting(store, "it")
    problems = [own, *problems] if own else problems
    # a definite fail, of the source or of its destination, holds whatever else is unknown
    fails = [why for status, why in problems if status == "fail"]
    if fails:
        return "fail", f"{enabled}, but {' and '.join(fails)}"
    if problems or destination is None:
        return "unknown", f"{enabled}; {'; '.join(why for _, why in problems)}"
    return "pass", (f"event data store {store.id} has both Insights types, and its destination "
                    f"{destination.id} collects Insights events")  # fmt: skip


Problem = tuple[str, str]  # ("fail" or "unknown", what to say)


def _destination(
    ctx: Context, store: EventDataStore
) -> tuple[EventDataStore | None, list[Problem]]:
    """A source store's Insights destination, and what keeps it from collecting the source's
    Insights events: it selects them (eventCategory Insight) and ingests."""
    ref = store.insights_destination
    if ref is None:
        return None, [("fail", "it names no Insights destination (InsightsDestination)")]
    destination: EventDataStore | None = ctx.estate.resolve("lake", ref)
    if destination is None:
        if isinstance(ref.value, Unknown):
            return None, [("unknown", f"its Insights destination is unknown ({ref.value.reason})")]
        return None, [("unknown", f"its destination {ref.value} is not in the inputs, so whether "
                                  "it collects Insights events is unknown")]  # fmt: skip
    name = f"its destination {destination.id}"
    problems: list[Problem] = []
    collects = collects_insights(destination, ctx.shared)
    if collects.match is False:
        problems.append(("fail", f"{name} does not collect Insights events ({collects.reason})"))
    elif collects.match is None:
        problems.append(("unknown", f"whether {name} collects Insights events is unknown "
                                    f"({collects.reason})"))  # fmt: skip
    ingesting = _ingesting(destination, name)
    return destination, [*problems, ingesting] if ingesting else problems


def _ingesting(store: EventDataStore, name: str) -> Problem | None:
    """None when the store ingests; else the status and what to say about it."""
    value = store.is_logging
    if isinstance(value, Unknown):
        return "unknown", f"whether {name} ingests events is unknown ({value.reason})"
    return None if value else ("fail", f"{name} is not ingesting (status {store.status})")


def _insight_types(selectors: tuple[InsightSelector, ...]) -> set[str]:
    """The Insights types enabled on management events, the API call and error rates CT008 is
    about; a selector without EventCategories is on management events (CloudTrail API
    reference, InsightSelector: "If EventCategories is not provided, the specified Insights
    types are enabled on management API calls by default")."""
    return {s.insight_type for s in selectors
            if isinstance(s.insight_type, str) and MANAGEMENT in s.event_categories}  # fmt: skip


def _data_only(selectors: tuple[InsightSelector, ...]) -> str:
    """' on management events (T only on data events)' when some types are enabled, but not
    on management events; else ''."""
    on_management = _insight_types(selectors)
    types = [s.insight_type for s in selectors
             if isinstance(s.insight_type, str) and s.insight_type not in on_management]
    return f" on management events ({', '.join(types)} only on data events)" if types else ""
