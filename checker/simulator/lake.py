"""CloudTrail Lake event data stores in the simulator, compiled with the trails' capture code.

An event data store records by advanced event selectors with a trail's semantics, in its own
Region (every Region of its partition when multi-Region, the default) and organization scope,
while its status is ENABLED (docs/semantics/lake.md). Its Insights come from source stores: a
store with insight selectors sends its Insights events to the store its `insights_destination`
names, which records them when its own selectors select `eventCategory` Insight.
"""

from __future__ import annotations

from checker.model import Estate, EventDataStore
from checker.simulator.capture import CompiledTrail, InsightSource
from checker.simulator.events import Event
from checker.simulator.sharing import Shared
from checker.simulator.verdict import Verdict

# An Insights record as a destination store's selectors see it: an Insights store selects by
# `eventCategory` Insight alone (docs/semantics/lake.md).
INSIGHTS_RECORD = Event(
    event_source="", event_name="", aws_region="", event_category="Insight",
    event_type="AwsCloudTrailInsight",
)  # fmt: skip


def collects_insights(store: EventDataStore, shared: Shared | None = None) -> Verdict:
    """Whether `store`'s selectors select the Insights events a source store sends it. Its
    ingestion (`is_logging`) is a separate question."""
    return (shared or Shared()).compiled(store, None).records(INSIGHTS_RECORD)


def compiled_stores(
    estate: Estate, default_region: str | None = None, shared: Shared | None = None
) -> list[CompiledTrail]:
    """Every event data store of the estate, compiled once (once per scan with `shared`), with
    the estate's organization members and the source stores of its Insights."""
    shared = shared or Shared()
    members = estate.organization_accounts
    sources: dict[int, list[InsightSource]] = {}
    for store in estate.event_data_stores:
        if store.insights_destination is None or store.insight_selectors == ():
            continue
        destination = estate.resolve("lake", store.insights_destination)
        if destination is not None:
            sources.setdefault(id(destination), []).append(
                (store.insight_selectors, shared.compiled(store, default_region, members))
            )
    return [
        shared.compiled(s, default_region, members, tuple(sources.get(id(s), ())))
        for s in estate.event_data_stores
    ]
