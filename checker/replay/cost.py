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

Bytes are the sample's average record size (decompressed bytes read / records read) times the
count; the gzip ratio is measured on the gzip inputs when the sample has any, else
DEFAULT_GZIP_RATIO.
Event data stores (CloudTrail Lake): the bytes of the records a store captures are ingested
(whatever their category; the free copy of management events is a trail's), priced with the
one-year extendable retention option, the default billing mode, whose price includes the first
366 days of retention; a longer retention adds, in the steady state, each month's ingestion
stored for the days beyond (CloudTrail UG, "Managing CloudTrail Lake costs"). The model does not
hold the billing mode: a store on seven-year retention pricing is priced as the default.

Each charge is priced in its Region (checker/replay/prices.py): events in the record's awsRegion,
CloudWatch Logs in the log group's Region, S3 in the bucket's, Lake in the store's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from checker.model import Estate, EventDataStore, Trail, Unknown
from checker.replay.prices import PriceTable, Pricing, load_prices
from checker.replay.summary import Summary
from checker.simulator.insights import CALL_RATE, ERROR_RATE

MONTH_DAYS = 30.4375  # 365.25 / 12
LAKE_INCLUDED_DAYS = 366  # retention included in one-year extendable retention pricing
DEFAULT_GZIP_RATIO = 0.1


@dataclass
class Line:
    trail: str
    item: str  # what is charged, e.g. "S3 data events"
    events: float = 0.0  # per month
    gigabytes: float = 0.0  # per month
    dollars: float = 0.0  # per month
    priced: bool = True  # False: charged in a partition the price table does not hold

    def to_json(self) -> dict[str, Any]:
        return {"trail": self.trail, "item": self.item, "events_per_month": round(self.events),
                "gb_per_month": round(self.gigabytes, 3),
                "usd_per_month": round(self.dollars, 2) if self.priced else None}  # fmt: skip


@dataclass
class Estimate:
    days: float
    pricing: Pricing
    lines: list[Line] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(line.dollars for line in self.lines)

    def to_json(self) -> dict[str, Any]:
        return {"sample_days": round(self.days, 3), "prices": self.pricing.note,
                "pricing": self.pricing.to_json(),
                "lines": [line.to_json() for line in self.lines],
                "usd_per_month": round(self.total, 2)}  # fmt: skip


@dataclass
class _Lines:
    """Per trail (or event data store) and item, what a month costs, each charge priced in the
    Region it is made in."""

    pricing: Pricing
    per_trail: dict[str, dict[str, Line]] = field(default_factory=lambda: defaultdict(dict))

    def line(self, trail: str, item: str, priced: bool = True) -> Line:
        found = self.per_trail[trail].get(item)
        if found is None:
            found = self.per_trail[trail][item] = Line(trail, item, priced=priced)
        return found

    def charge(self, trail: str, item: str, region: str | None, price: str, quantity: float, *,
               events: float = 0.0, gigabytes: float = 0.0) -> None:  # fmt: skip
        """`quantity` units of `price` (100,000 events, GB or GB-months), charged in `region`."""
        unit = self.pricing.price(region, price)
        where = self.pricing.override or region
        found = (self.line(trail, item) if unit is not None else
                 self.line(trail, f"{item} in {where} (not priced)", priced=False))  # fmt: skip
        found.events += events
        found.gigabytes += gigabytes
        found.dollars += quantity * unit if unit is not None else 0.0


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


def _known(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _log_group_region(estate: Estate, trail: Trail) -> str | None:
    """The log group's Region: its ARN's (or the trail's reference to it), else the trail's
    home Region."""
    group = estate.log_group_of(trail)
    arn = _known(group.arn if group is not None else
                 trail.log_group.value if trail.log_group is not None else None)  # fmt: skip
    parts = arn.split(":") if arn and arn.startswith("arn:") else []
    return _known(parts[3]) if len(parts) > 3 else _known(trail.home_region)


def _bucket_region(estate: Estate, trail: Trail) -> str | None:
    bucket = estate.bucket_of(trail)
    return _known(bucket.region) if bucket is not None else None


def estimate(
    estate: Estate, summary: Summary, *, region: str | None = None, gzip_ratio: float | None = None,
    days: float | None = None, prices: PriceTable | None = None,
) -> Estimate:  # fmt: skip
    """`region` prices every charge as that Region (default: each charge's own Region);
    `prices` replaces the shipped price table."""
    lines = _Lines(Pricing(prices or load_prices(), override=region))
    span = days or sample_days(summary)
    scale = MONTH_DAYS / span
    avg_bytes = summary.bytes / summary.records_read if summary.records_read else 0.0
    ratio = gzip_ratio if gzip_ratio is not None else DEFAULT_GZIP_RATIO
    result = Estimate(span, lines.pricing)
    trails = {t.id: t for t in estate.trails}
    order = [t.id for t in estate.trails]
    # the first trail recording management events in each (account, Region) is the free copy
    free: dict[tuple[str, str], str] = {}
    for trail_id in order:
        for (t, category, _src, account, reg), n in summary.usage.items():
            if t == trail_id and category == "Management" and n:
                free.setdefault((account, reg), trail_id)
    captured_bytes: dict[str, float] = defaultdict(float)
    stores = {s.id: s for s in estate.event_data_stores}
    # CloudTrail charges events in the Region that records them (the record's awsRegion)
    for (trail_id, category, source, account, reg), n in sorted(summary.usage.items()):
        if trail_id in stores:
            continue  # priced by the bytes ingested (_lake)
        monthly = n * scale
        captured_bytes[trail_id] += monthly * avg_bytes
        if category == "Management" and free.get((account, reg)) == trail_id:
            lines.line(trail_id, "management events (first copy, free)").events += monthly
        elif category == "Management":
            lines.charge(trail_id, "management events (additional copy)", reg,
                         "management_events_additional_copy_per_100k", monthly / 1e5,
                         events=monthly)  # fmt: skip
        elif category == "Data":
            lines.charge(trail_id, f"{_service(source)} data events", reg,
                         "data_events_per_100k", monthly / 1e5, events=monthly)  # fmt: skip
        elif category == "NetworkActivity":
            lines.charge(trail_id, f"{_service(source)} network activity events", reg,
                         "network_activity_events_per_100k", monthly / 1e5,
                         events=monthly)  # fmt: skip
        elif not category:  # a management event (maybe the free copy) or a data event
            lines.line(trail_id, "events whose category, management or data, is not known "
                                 "(not priced)", priced=False).events += monthly
    for trail_id, trail in trails.items():
        _insights(trail, summary, scale, lines)
        stats = summary.trails.get(trail_id)
        if stats is not None and stats.cloudwatch:
            events = stats.cloudwatch * scale
            gb = events * avg_bytes / 1e9
            lines.charge(trail_id, "CloudWatch Logs ingestion", _log_group_region(estate, trail),
                         "cloudwatch_logs_ingestion_per_gb", gb, events=events,
                         gigabytes=gb)  # fmt: skip
        if captured_bytes.get(trail_id):
            gb = captured_bytes[trail_id] * ratio / 1e9
            lines.charge(trail_id, "S3 storage of a month of log files",
                         _bucket_region(estate, trail), "s3_standard_per_gb_month", gb,
                         gigabytes=gb)  # fmt: skip
    for store in stores.values():
        stats = summary.trails.get(store.id)
        _lake(store, stats.captured * scale if stats else 0.0, avg_bytes, lines)
    for trail_id in [*order, *stores]:
        result.lines.extend(lines.per_trail.get(trail_id, {}).values())
    return result


def _lake(store: EventDataStore, events: float, avg_bytes: float, lines: _Lines) -> None:
    """A store's month of ingestion (`events` records of `avg_bytes`), and its retention beyond
    what the ingestion price includes, in the store's Region."""
    if not events:
        return
    gb = events * avg_bytes / 1e9
    region = _known(store.home_region)
    lines.charge(store.id, "CloudTrail Lake ingestion (one-year extendable retention pricing)",
                 region, "lake_ingestion_per_gb_one_year", gb, events=events,
                 gigabytes=gb)  # fmt: skip
    days = store.retention_days
    if isinstance(days, int) and days > LAKE_INCLUDED_DAYS:
        # steady state: each month's ingestion is kept (days - 366) days beyond the included year
        kept = gb * (days - LAKE_INCLUDED_DAYS) / MONTH_DAYS
        lines.charge(store.id, f"CloudTrail Lake retention beyond {LAKE_INCLUDED_DAYS} days "
                               f"({days} days)", region,
                     "lake_retention_per_gb_month_after_first_year", kept,
                     gigabytes=kept)  # fmt: skip


def _insights(trail: Trail, summary: Summary, scale: float, lines: _Lines) -> None:
    """Events analyzed, charged in the Region that recorded them (CloudTrail pricing: Insights
    are charged by the events analyzed in a Region)."""
    selectors = trail.insight_selectors
    if isinstance(selectors, Unknown) or not selectors:
        return
    types = {s.insight_type for s in selectors if isinstance(s.insight_type, str)}
    if trail.id not in summary.trails:
        return
    management: dict[str, int] = defaultdict(int)
    for (t, c, _src, _acct, reg), n in summary.usage.items():
        if t == trail.id and c == "Management":
            management[reg] += n
    for reg in sorted(management):
        writes = summary.writes.get((trail.id, reg), 0)
        analyzed = (writes if CALL_RATE in types else 0) + \
            (management[reg] if ERROR_RATE in types else 0)
        if analyzed:
            lines.charge(trail.id, "Insights (events analyzed)", reg,
                         "insights_per_100k_analyzed", analyzed * scale / 1e5,
                         events=analyzed * scale)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Output


def estimate_text(est: Estimate) -> list[str]:
    out = [f"Cost per month, extrapolated from {est.days:g} day(s) of logs; {est.pricing.note}"]
    for line in est.lines:
        gb = f", {line.gigabytes:,.2f} GB" if line.gigabytes else ""
        usd = f"${line.dollars:,.2f}" if line.priced else "not priced"
        out.append(f"  {line.trail}: {line.item}: {line.events:,.0f} events{gb}, {usd}")
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
    out = ["", f"Cost change per month ({head.pricing.note}; sample of {head.days:g} day(s)):"]
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
