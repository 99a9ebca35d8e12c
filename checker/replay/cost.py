"""What a configuration costs, extrapolated from a sample of real logs to a month.

The replay's summary counts, per trail, the records it captures by category (management, data,
network activity), event source (for data and network activity events), account and Region.
The sample covers `days` days (from its first to its last eventTime, at least one); a month is
MONTH_DAYS days. Per trail and month:

- management events: the first trail that records an account's management events in a Region
  delivers them for free; every further copy is charged (CloudTrail pricing). "First" is the
  first trail of the configuration, in its order, that captures such events in the sample;
- data events and network activity events: every copy is charged;
- Insights: management events analyzed, once per Insights type, write events counted by both
  types and reads by the error-rate type (CloudTrail UG, "Costs for Insights events");
- CloudWatch Logs ingestion: the bytes the trail sends there (records, as compact JSON);
- S3: the month's log files, gzip-compressed, stored for a month.

Bytes are the sample's average record size (decompressed bytes read / records) times the count;
the gzip ratio is measured on the gzip inputs when the sample has any, else DEFAULT_GZIP_RATIO.
Event data stores (CloudTrail Lake): the bytes of the records a store captures are ingested
(whatever their category; the free copy of management events is a trail's), priced with the
one-year extendable retention option, the default billing mode, whose price includes the first
366 days of retention; a longer retention adds, in the steady state, each month's ingestion
stored for the days beyond (CloudTrail UG, "Managing CloudTrail Lake costs"). The model does not
hold the billing mode: a store on seven-year retention pricing is priced as the default.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from checker.model import Estate, EventDataStore, Trail, Unknown
from checker.replay.summary import Summary
from checker.resources import policies_root
from checker.simulator.insights import CALL_RATE, ERROR_RATE

MONTH_DAYS = 30.4375  # 365.25 / 12
LAKE_INCLUDED_DAYS = 366  # retention included in one-year extendable retention pricing
DEFAULT_GZIP_RATIO = 0.1
PRICES_FILE = "pricing/aws-logging-prices.yaml"


@dataclass(frozen=True)
class Prices:
    as_of: str
    region: str
    asked: str
    table: Mapping[str, float]
    sources: Mapping[str, str]

    @property
    def note(self) -> str:
        head = f"prices of {self.region} as of {self.as_of} (USD)"
        if self.asked != self.region:
            head += f"; the table has no prices for {self.asked}, so {self.region}'s are used"
        return head


def load_prices(region: str | None = None) -> Prices:
    doc: Any = yaml.safe_load((policies_root() / PRICES_FILE).read_text(encoding="utf-8"))
    default = str(doc["default_region"])
    asked = region or default
    regions: Mapping[str, Mapping[str, float]] = doc["regions"]
    chosen = asked if asked in regions else default
    return Prices(str(doc["as_of"]), chosen, asked, regions[chosen], doc["sources"])


@dataclass
class Line:
    trail: str
    item: str  # what is charged, e.g. "S3 data events"
    events: float = 0.0  # per month
    gigabytes: float = 0.0  # per month
    dollars: float = 0.0  # per month

    def to_json(self) -> dict[str, Any]:
        return {"trail": self.trail, "item": self.item, "events_per_month": round(self.events),
                "gb_per_month": round(self.gigabytes, 3),
                "usd_per_month": round(self.dollars, 2)}  # fmt: skip


@dataclass
class Estimate:
    days: float
    prices: Prices
    lines: list[Line] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(line.dollars for line in self.lines)

    def to_json(self) -> dict[str, Any]:
        return {"sample_days": round(self.days, 3), "prices": self.prices.note,
                "lines": [line.to_json() for line in self.lines],
                "usd_per_month": round(self.total, 2)}  # fmt: skip


def sample_days(summary: Summary) -> float:
    """The days the sample covers: from its first to its last day, inclusive."""
    days = sorted(summary.days)
    if not days:
        return 1.0
    try:
        first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    except ValueError:
        return float(len(days))
    return float((last - first).days + 1)


def _service(source: str) -> str:
    name = source.split(".")[0]
    return {"s3": "S3", "lambda": "Lambda", "dynamodb": "DynamoDB"}.get(name, name)


def estimate(
    estate: Estate, summary: Summary, *, region: str | None = None, gzip_ratio: float | None = None,
    days: float | None = None,
) -> Estimate:  # fmt: skip
    prices = load_prices(region)
    p = prices.table
    span = days or sample_days(summary)
    scale = MONTH_DAYS / span
    avg_bytes = summary.bytes / summary.events if summary.events else 0.0
    ratio = gzip_ratio if gzip_ratio is not None else DEFAULT_GZIP_RATIO
    result = Estimate(span, prices)
    trails = {t.id: t for t in estate.trails}
    order = [t.id for t in estate.trails]
    # the first trail recording management events in each (account, Region) is the free copy
    free: dict[tuple[str, str], str] = {}
    for trail_id in order:
        for (t, category, _src, account, reg), n in summary.usage.items():
            if t == trail_id and category == "Management" and n:
                free.setdefault((account, reg), trail_id)
    per_trail: dict[str, dict[str, Line]] = defaultdict(dict)
    captured_bytes: dict[str, float] = defaultdict(float)

    def line(trail: str, item: str) -> Line:
        found = per_trail[trail].get(item)
        if found is None:
            found = per_trail[trail][item] = Line(trail, item)
        return found

    stores = {s.id: s for s in estate.event_data_stores}
    for (trail_id, category, source, account, reg), n in sorted(summary.usage.items()):
        if trail_id in stores:
            continue  # priced by the bytes ingested (_lake)
        monthly = n * scale
        captured_bytes[trail_id] += monthly * avg_bytes
        if category == "Management":
            item = line(trail_id, "management events (first copy, free)" if
                        free.get((account, reg)) == trail_id else
                        "management events (additional copy)")  # fmt: skip
            item.events += monthly
            if free.get((account, reg)) != trail_id:
                item.dollars += monthly / 1e5 * p["management_events_additional_copy_per_100k"]
        elif category == "Data":
            item = line(trail_id, f"{_service(source)} data events")
            item.events += monthly
            item.dollars += monthly / 1e5 * p["data_events_per_100k"]
        elif category == "NetworkActivity":
            item = line(trail_id, f"{_service(source)} network activity events")
            item.events += monthly
            item.dollars += monthly / 1e5 * p["network_activity_events_per_100k"]
    for trail_id, trail in trails.items():
        _insights(trail, summary, scale, p, line)
        stats = summary.trails.get(trail_id)
        if stats is not None and stats.cloudwatch:
            item = line(trail_id, "CloudWatch Logs ingestion")
            item.events += stats.cloudwatch * scale
            item.gigabytes += stats.cloudwatch * scale * avg_bytes / 1e9
            item.dollars += item.gigabytes * p["cloudwatch_logs_ingestion_per_gb"]
        if captured_bytes.get(trail_id):
            item = line(trail_id, "S3 storage of a month of log files")
            item.gigabytes += captured_bytes[trail_id] * ratio / 1e9
            item.dollars += item.gigabytes * p["s3_standard_per_gb_month"]
    for store in stores.values():
        stats = summary.trails.get(store.id)
        _lake(store, stats.captured * scale if stats else 0.0, avg_bytes, p, line)
    for trail_id in [*order, *stores]:
        result.lines.extend(per_trail.get(trail_id, {}).values())
    return result


def _lake(store: EventDataStore, events: float, avg_bytes: float, p: Mapping[str, float],
          line: Any) -> None:  # fmt: skip
    """A store's month of ingestion (`events` records of `avg_bytes`), and its retention beyond
    what the ingestion price includes."""
    if not events:
        return
    gb = events * avg_bytes / 1e9
    item = line(store.id, "CloudTrail Lake ingestion (one-year extendable retention pricing)")
    item.events += events
    item.gigabytes += gb
    item.dollars += gb * p["lake_ingestion_per_gb_one_year"]
    days = store.retention_days
    if isinstance(days, int) and days > LAKE_INCLUDED_DAYS:
        # steady state: each month's ingestion is kept (days - 366) days beyond the included year
        extra = line(store.id, f"CloudTrail Lake retention beyond {LAKE_INCLUDED_DAYS} days "
                               f"({days} days)")  # fmt: skip
        extra.gigabytes += gb * (days - LAKE_INCLUDED_DAYS) / MONTH_DAYS
        extra.dollars += extra.gigabytes * p["lake_retention_per_gb_month_after_first_year"]


def _insights(trail: Trail, summary: Summary, scale: float, p: Mapping[str, float],
              line: Any) -> None:  # fmt: skip
    selectors = trail.insight_selectors
    if isinstance(selectors, Unknown) or not selectors:
        return
    types = {s.insight_type for s in selectors if isinstance(s.insight_type, str)}
    stats = summary.trails.get(trail.id)
    if stats is None:
        return
    management = sum(n for (t, c, *_), n in summary.usage.items() if t == trail.id
                     and c == "Management")  # fmt: skip
    writes = summary.writes.get(trail.id, 0)
    analyzed = 0.0
    if CALL_RATE in types:
        analyzed += writes
    if ERROR_RATE in types:
        analyzed += management
    if analyzed:
        item = line(trail.id, "Insights (events analyzed)")
        item.events += analyzed * scale
        item.dollars += analyzed * scale / 1e5 * p["insights_per_100k_analyzed"]


# ---------------------------------------------------------------------------------------------
# Output


def estimate_text(est: Estimate) -> list[str]:
    out = [f"Cost per month, extrapolated from {est.days:g} day(s) of logs; {est.prices.note}"]
    for line in est.lines:
        gb = f", {line.gigabytes:,.2f} GB" if line.gigabytes else ""
        out.append(f"  {line.trail}: {line.item}: {line.events:,.0f} events{gb}, "
                   f"${line.dollars:,.2f}")  # fmt: skip
    out.append(f"  total: ${est.total:,.2f} per month")
    return out


def difference(base: Estimate, head: Estimate) -> list[dict[str, Any]]:
    """Per (trail, item), what HEAD adds or removes, largest change first."""
    keys: dict[tuple[str, str], list[Line | None]] = {}
    for side, est in enumerate((base, head)):
        for line in est.lines:
            keys.setdefault((line.trail, line.item), [None, None])[side] = line
    out = []
    for (trail, item), (b, h) in keys.items():
        events = (h.events if h else 0.0) - (b.events if b else 0.0)
        dollars = (h.dollars if h else 0.0) - (b.dollars if b else 0.0)
        if round(events) or round(dollars, 2):
            out.append({"trail": trail, "item": item, "events_per_month": round(events),
                        "usd_per_month": round(dollars, 2)})  # fmt: skip
    return sorted(out, key=lambda d: (-abs(d["usd_per_month"]), d["trail"], d["item"]))


def difference_text(
    changes: Sequence[Mapping[str, Any]], base: Estimate, head: Estimate
) -> list[str]:
    out = ["", f"Cost change per month ({head.prices.note}; sample of {head.days:g} day(s)):"]
    if not changes:
        out.append("  none")
    for c in changes:
        out.append(f"  {c['trail']}: {c['item']}: {c['events_per_month']:+,} events/month, "
                   f"{'+' if c['usd_per_month'] >= 0 else '-'}${abs(c['usd_per_month']):,.2f}"
                   "/month")  # fmt: skip
    delta = head.total - base.total
    out.append(f"  total: {'+' if delta >= 0 else '-'}${abs(delta):,.2f}/month "
               f"(${base.total:,.2f} -> ${head.total:,.2f})")  # fmt: skip
    return out
