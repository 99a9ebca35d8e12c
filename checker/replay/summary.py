"""What a replay found, in numbers: per trail, destination, metric filter, alarm and EventBridge
rule, the counts, the top reasons for misses with a few example records each, captured versus
missed per day, and the records whose Region is not a Region AWS has. Apart from the API
activity: the records whose category is not known (counted as events, unknown for the trails
whose decision depends on it), the Insights records (CloudTrail's findings about the activity,
not activity: counted apart, per trail), and the copies of events read before (dropped,
counted).

Both engines fill the same `Summary`: the Python path adds one result per record, the DuckDB
engine one result per group of records that share every decision (with the group's size), so
the two summaries of the same input compare equal.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from checker.regions import KNOWN_REGIONS
from checker.simulator.pipeline import EventResult

TOP_REASONS = 5
EXAMPLES = 3
EXAMPLE_FIELDS = ("eventTime", "eventID", "eventSource", "eventName", "awsRegion",
                  "recipientAccountId")  # fmt: skip

Example = dict[str, Any]


def reason_key(reason: str, stage: str | None) -> str:
    """Group miss reasons: selector reasons name event-specific details, so they group by stage."""
    if stage == "selectors":
        return "no selector matches" if reason.startswith("no selector") else reason
    return reason


def example_of(record: Mapping[str, Any]) -> Example:
    return {k: record.get(k) for k in EXAMPLE_FIELDS}


def example_order(ex: Example) -> tuple[str, str]:
    return str(ex.get("eventTime") or ""), str(ex.get("eventID") or "")


def _keep(examples: list[Example], more: Iterable[Example]) -> None:
    """Keep the EXAMPLES earliest records (by eventTime, then eventID) seen so far."""
    examples.extend(more)
    if len(examples) > EXAMPLES:
        examples.sort(key=example_order)
        del examples[EXAMPLES:]


@dataclass
class TrailStats:
    trail: str
    captured: int = 0
    missed: int = 0
    unknown: int = 0
    cloudwatch: int = 0
    alarmed: int = 0
    destinations: Counter[str] = field(default_factory=Counter)
    miss_reasons: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[Example]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        top = sorted(self.miss_reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_REASONS]
        return {
            "trail": self.trail, "captured": self.captured, "missed": self.missed,
            "unknown": self.unknown, "cloudwatch_logs": self.cloudwatch, "alarmed": self.alarmed,
            "destinations": dict(sorted(self.destinations.items())),
            "top_miss_reasons": [
                {"reason": r, "events": n, "examples": self.examples.get(r, [])} for r, n in top
            ],
        }  # fmt: skip


INVALID_SHOWN = 20  # invalid records listed by place; beyond, only counted


@dataclass
class Insights:
    """The Insights records replayed: how many, and per trail (or event data store) how many it
    captures (generates, or receives), misses, or might capture."""

    records: int = 0
    trails: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, result: EventResult, count: int) -> None:
        self.records += count
        for t in result.trails:
            counts = self.trails.setdefault(t.trail, Counter())
            status = t.decision.status
            counts[{"pass": "captured", "fail": "missed", "unknown": "unknown"}[status]] += count

    def to_json(self) -> dict[str, Any]:
        return {"count": self.records, "trails": [
            {"trail": t, **{k: c.get(k, 0) for k in ("captured", "missed", "unknown")}}
            for t, c in self.trails.items()]}  # fmt: skip


@dataclass
class Summary:
    events: int = 0
    not_captured: int = 0  # no trail or event data store records them
    capture_unknown: int = 0  # none is known to record them, and one might
    trails: dict[str, TrailStats] = field(default_factory=dict)
    alarms: Counter[str] = field(default_factory=Counter)
    alarm_examples: dict[str, list[Example]] = field(default_factory=dict)
    # EventBridge rule -> records its pattern matches ("matched"), might match ("unknown"), and
    # through which someone is notified ("notifies")
    rules: dict[str, Counter[str]] = field(default_factory=dict)
    filters: Counter[str] = field(default_factory=Counter)
    days: dict[str, Counter[str]] = field(default_factory=dict)  # day -> captured/missed/unknown
    unknown_regions: Counter[str] = field(default_factory=Counter)
    # (trail, category, event source for data/network events, account, region) -> events
    usage: Counter[tuple[str, str, str, str, str]] = field(default_factory=Counter)
    # (trail, region) -> write management events
    writes: Counter[tuple[str, str]] = field(default_factory=Counter)
    engine: str = "python"
    files: int = 0
    bytes: int = 0  # decompressed bytes of the records read
    fallbacks: list[dict[str, Any]] = field(default_factory=list)
    fallback_records: int = 0
    mismatches: int = 0  # groups whose SQL decision the Python evaluator did not confirm
    # records that are no CloudTrail record to judge: where each is, and why (not simulated)
    invalid: list[dict[str, str]] = field(default_factory=list)
    invalid_count: int = 0
    # input files that could not be read (damaged, not CloudTrail JSON, not readable): skipped,
    # each with its place and why (simulator/replay.py unreadable_entry)
    unreadable: list[dict[str, Any]] = field(default_factory=list)
    unreadable_count: int = 0
    # records that repeat an event read before (dedupe.py): dropped
    duplicate_records: int = 0
    insights: Insights = field(default_factory=Insights)
    # why a record's category is not known -> records, and a few of them
    unclassified: Counter[str] = field(default_factory=Counter)
    unclassified_examples: dict[str, list[Example]] = field(default_factory=dict)

    @property
    def records_read(self) -> int:
        """Every record read: the events, the Insights records, the copies dropped and those
        that are no CloudTrail record."""
        return self.events + self.insights.records + self.duplicate_records + self.invalid_count

    def skip_input(self, entry: dict[str, Any]) -> None:
        self.unreadable_count += 1
        self.unreadable.append(entry)

    def reject(self, where: str, problem: str) -> None:
        self.invalid_count += 1
        if len(self.invalid) < INVALID_SHOWN:
            self.invalid.append({"record": where, "problem": problem})

    def add(
        self,
        result: EventResult,
        count: int = 1,
        *,
        day: str | None = None,
        account: str | None = None,
        region: str | None = None,
        examples: Sequence[Example] = (),
    ) -> None:
        """Count `result` `count` times. `examples` show the records it stands for; `day` is
        the records' day (eventTime's date), `account` their recipientAccountId and `region`
        their awsRegion (default: the result's event's)."""
        e = result.event
        if e.event_category == "Insight":  # not API activity: counted apart
            self.insights.add(result, count)
            return
        if e.unclassified is not None:
            self.unclassified[e.unclassified] += count
            _keep(self.unclassified_examples.setdefault(e.unclassified, []), examples)
        self.events += count
        status = result.status
        if status == "fail":
            self.not_captured += count
        elif status == "unknown":
            self.capture_unknown += count
        if day:
            per_day = self.days.setdefault(day, Counter())
            per_day[{"pass": "captured", "fail": "missed", "unknown": "unknown"}[status]] += count
        region = e.aws_region if region is None else region
        if region not in KNOWN_REGIONS:
            self.unknown_regions[region or "(none)"] += count
        service = e.event_source if e.event_category in ("Data", "NetworkActivity") else ""
        for r in result.eventbridge:
            counts = self.rules.setdefault(r.rule, Counter())
            counts["matched" if r.match is True else "unknown"] += count
            if r.notifies is True:
                counts["notifies"] += count
        for t in result.trails:
            s = self.trails.get(t.trail)
            if s is None:
                s = self.trails[t.trail] = TrailStats(t.trail)
            decision = t.decision
            if decision.status == "pass":
                s.captured += count
                self.usage[(t.trail, e.event_category, service, account or "", region)] += count
                if e.event_category == "Management" and e.read_only is not True:
                    self.writes[(t.trail, region)] += count
                for name in t.delivery.delivered() if t.delivery else ():
                    s.destinations[name] += count
                if t.cloudwatch == "pass":
                    s.cloudwatch += count
                    for f in t.alarms.matched_filters() if t.alarms else ():
                        self.filters[f.filter] += count
                if t.alarm == "pass":
                    s.alarmed += count
                    for alarm in t.alarms.firing_alarms() if t.alarms else ():
                        self.alarms[alarm] += count
                        _keep(self.alarm_examples.setdefault(alarm, []), examples)
            elif decision.status == "fail":
                s.missed += count
                key = reason_key(decision.reason, decision.stage)
                s.miss_reasons[key] += count
                _keep(s.examples.setdefault(key, []), examples)
            else:
                s.unknown += count

    def finish(self) -> None:
        """Order the examples and the unreadable inputs (the engines find them in different
        orders) once every result is in; keep the first INVALID_SHOWN of these."""
        self.unreadable.sort(key=lambda x: (str(x["file"]), x.get("line", 0)))
        del self.unreadable[INVALID_SHOWN:]
        for s in self.trails.values():
            for items in s.examples.values():
                items.sort(key=example_order)
        for items in (*self.alarm_examples.values(), *self.unclassified_examples.values()):
            items.sort(key=example_order)

    def to_json(self) -> dict[str, Any]:
        return {
            "engine": self.engine,
            "events": self.events,
            "invalid_records": {"count": self.invalid_count, "first": self.invalid},
            "unreadable_inputs": {"count": self.unreadable_count, "first": self.unreadable},
            "not_captured": self.not_captured,
            "capture_unknown": self.capture_unknown,
            "duplicate_records": self.duplicate_records,
            "unknown_category": {"count": sum(self.unclassified.values()), "reasons": [
                {"reason": r, "events": n, "examples": self.unclassified_examples.get(r, [])}
                for r, n in sorted(self.unclassified.items())]},
            "insights_records": self.insights.to_json(),
            "trails": [s.to_json() for s in self.trails.values()],
            "alarms": [
                {"alarm": a, "events": n, "examples": self.alarm_examples.get(a, [])}
                for a, n in sorted(self.alarms.items())
            ],
            "metric_filters": [{"filter": f, "events": n} for f, n in sorted(self.filters.items())],
            "eventbridge_rules": [{"rule": r, **{k: c.get(k, 0) for k in ("matched", "unknown",
                                                                      "notifies")}}
                                  for r, c in sorted(self.rules.items())],
            "days": [{"day": d, **{k: c.get(k, 0) for k in ("captured", "missed", "unknown")}}
                     for d, c in sorted(self.days.items())],
            "unknown_regions": [{"awsRegion": r, "events": n}
                                for r, n in sorted(self.unknown_regions.items())],
            "fallbacks": self.fallbacks,
            "fallback_records": self.fallback_records,
            **({"internal_mismatches": self.mismatches} if self.mismatches else {}),
        }  # fmt: skip

    def comparable(self) -> dict[str, Any]:
        """What two engines must agree on: everything but how it was computed, the words of
        the reasons an input could not be read, and which records serve as examples (the Python
        path shows the earliest, the DuckDB engine the earliest of the chunk where it first met
        them)."""
        doc = self.to_json()
        for key in ("engine", "fallbacks", "fallback_records"):
            doc.pop(key)
        for trail in doc["trails"]:
            for reason in trail["top_miss_reasons"]:
                reason.pop("examples")
        for item in (*doc["alarms"], *doc["unknown_category"]["reasons"]):
            item.pop("examples")
        unreadable = doc["unreadable_inputs"]  # the libraries' words may differ
        unreadable["first"] = [{k: v for k, v in e.items() if k != "problem"}
                               for e in unreadable["first"]]  # fmt: skip
        return doc


def summary_text(summary: Summary) -> list[str]:
    unknown = (f"; {summary.capture_unknown} whose capture is unknown"
               if summary.capture_unknown else "")  # fmt: skip
    out = ["", f"Summary: {summary.events} event(s); {summary.not_captured} not captured by "
           f"any trail or event data store{unknown}"]  # fmt: skip
    if summary.invalid_count:
        out.append(f"  {summary.invalid_count} record(s) are not CloudTrail records and were "
                   "not simulated:")  # fmt: skip
        out += [f"      {x['record']}: {x['problem']}" for x in summary.invalid]
    if summary.unreadable_count:
        out.append(f"  {summary.unreadable_count} input file(s) could not be read and were "
                   "skipped:")  # fmt: skip
        out += [f"      {unreadable_text(x)}" for x in summary.unreadable]
    if summary.duplicate_records:
        out.append(f"  {summary.duplicate_records} record(s) repeat an event read before (the "
                   "same eventID, recipientAccountId and eventTime) and were counted once")
    for reason, n in sorted(summary.unclassified.items()):
        out.append(f"  {n} event(s) of unknown category, management or data event: {reason}; "
                   "a trail whose decision depends on it counts them as unknown")  # fmt: skip
        for ex in summary.unclassified_examples.get(reason, []):
            out.append(f"        e.g. {_example_text(ex)}")
    if summary.insights.records:
        per_trail = "; ".join(f"{t} captured {c['captured']}, missed {c['missed']}, unknown "
                              f"{c['unknown']}" for t, c in summary.insights.trails.items())
        out.append(f"  {summary.insights.records} Insights record(s), findings about the "
                   f"activity and not activity, counted apart: {per_trail or 'no trail'}")
    for s in summary.trails.values():
        out.append(f"  {s.trail}: captured {s.captured}, missed {s.missed}, unknown {s.unknown}; "
                   f"to CloudWatch Logs {s.cloudwatch}; alarmed {s.alarmed}")  # fmt: skip
        if s.destinations:
            shown = ", ".join(f"{d} {n}" for d, n in sorted(s.destinations.items()))
            out.append(f"      delivered: {shown}")
        for item in s.to_json()["top_miss_reasons"]:
            out.append(f"      missed {item['events']}x: {item['reason']}")
            for ex in item["examples"]:
                out.append(f"        e.g. {_example_text(ex)}")
    for alarm, n in sorted(summary.alarms.items()):
        out.append(f"  alarm {alarm}: {n} event(s)")
        for ex in summary.alarm_examples.get(alarm, []):
            out.append(f"        e.g. {_example_text(ex)}")
    for rule, c in sorted(summary.rules.items()):
        unknown = f" ({c['unknown']} more might)" if c["unknown"] else ""
        out.append(f"  EventBridge rule {rule}: its pattern matches {c['matched']} event(s)"
                   f"{unknown}; {c['notifies']} notify someone")  # fmt: skip
    if summary.unknown_regions:
        shown = ", ".join(f"{r} ({n})" for r, n in sorted(summary.unknown_regions.items()))
        out.append(f"  records whose awsRegion is not an AWS Region: {shown}; trailcheck places "
                   "them in the partition their name's prefix says (see docs/semantics/replay.md)")
    for fb in summary.fallbacks:
        out.append(f"  decided by the Python evaluator: {fb['kind']} {fb['name']}: {fb['reason']}")
    if summary.fallback_records:
        out.append(f"  {summary.fallback_records} record(s) decided by the Python evaluator")
    return out


def unreadable_text(entry: Mapping[str, Any]) -> str:
    """`file:line:column: problem`, as far as the place is known."""
    place = "".join(f":{entry[k]}" for k in ("line", "column") if k in entry)
    note = "; its records before the damage were replayed" if entry.get("partly_replayed") else ""
    return f"{entry['file']}{place}: {entry['problem']}{note}"


def _example_text(ex: Example) -> str:
    account = f" account {ex['recipientAccountId']}" if ex.get("recipientAccountId") else ""
    return (f"{ex.get('eventTime') or '?'} {ex.get('eventSource')} {ex.get('eventName')} in "
            f"{ex.get('awsRegion')}{account} ({ex.get('eventID') or 'no eventID'})")  # fmt: skip
