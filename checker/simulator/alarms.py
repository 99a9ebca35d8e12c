"""From a log group to a page: metric filters, metrics, alarms, SNS topics, subscriptions.

An event delivered to CloudWatch Logs is matched against every metric filter on the trail's log
group (the pattern is parsed and *evaluated*, docs/semantics/filter-patterns.md); a matching filter
publishes to the metric of each transformation (name + namespace); every alarm on that metric
with actions enabled notifies its SNS actions; a topic with at least one subscription reaches
someone. A pattern that does not parse is a diagnostic with its position and makes the result
unknown, never a silent non-match. Undocumented pattern choices (`Pattern.caveats`) are reported
with the result but do not change it.

The alarm threshold is not evaluated: one matching event is taken to be enough, as the CIS
alarms use a threshold of 1 on the Sum (SH cloudwatch-controls).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from checker.joins import known_log_group_name
from checker.model import Alarm, Estate, LogGroup, MetricFilter, Reference, Topic, Unknown
from checker.simulator.events import Event
from checker.tri import Status, any_of
from checker.unread import unread_of

if TYPE_CHECKING:
    from checker.simulator.filter_pattern import Pattern, PatternError
    from checker.simulator.verdict import Verdict

# pattern text -> its verdict on one record
Verdicts = dict[str, "Verdict"]


@dataclass(frozen=True)
class TopicResult:
    topic: str  # the topic's id in the inputs, or the ARN as written
    subscriptions: int | None  # None: not known
    reason: str

    @property
    def notifies(self) -> bool | None:
        return None if self.subscriptions is None else self.subscriptions > 0


@dataclass(frozen=True)
class AlarmResult:
    alarm: str
    status: Status  # "pass": the alarm notifies a topic with a subscription
    reason: str
    topics: tuple[TopicResult, ...] = ()


@dataclass(frozen=True)
class FilterResult:
    filter: str
    status: Status  # whether the pattern matches the event
    reason: str
    pattern: str | None = None
    metrics: tuple[tuple[str, str], ...] = ()  # (name, namespace) the filter publishes to
    alarms: tuple[AlarmResult, ...] = ()
    error_position: int | None = None
    caveats: tuple[str, ...] = ()
    # whether a match notifies a subscribed topic through an alarm ("fail" when it does not match)
    alarm_status: Status = "fail"


@dataclass(frozen=True)
class AlarmTrace:
    """What happens to an event in one log group. `status` is "pass" when some alarm notifies a
    topic with a subscription, "fail" when that certainly does not happen, "unknown" otherwise."""

    log_group: str | None
    status: Status
    reason: str
    filters: tuple[FilterResult, ...] = ()
    diagnostics: tuple[str, ...] = field(default=())

    def matched_filters(self) -> list[FilterResult]:
        return [f for f in self.filters if f.status == "pass"]

    def firing_alarms(self) -> list[str]:
        """Alarms that notify a subscribed topic (status yes), in filter order."""
        out: list[str] = []
        for f in self.filters:
            if f.status != "pass":
                continue
            for a in f.alarms:
                if a.status == "pass" and a.alarm not in out:
                    out.append(a.alarm)
        return out

    @property
    def alarm(self) -> bool | None:
        return None if self.status == "unknown" else self.status == "pass"


# --------------------------------------------------------------------------------------------
# Patterns


@lru_cache(maxsize=1024)
def parse_cached(text: str) -> Pattern | PatternError:
    """The pattern parsed, or why it does not parse (an exception, returned)."""
    # the pattern language is imported when a metric filter is met: a pre-commit scan of a
    # trail without one does not pay for it at startup
    from checker.simulator.filter_pattern import PatternError, parse

    try:
        return parse(text)
    except PatternError as e:
        return e


# --------------------------------------------------------------------------------------------
# Topics and alarms


def topic_result(estate: Estate, ref: Reference) -> TopicResult | None:
    """The SNS topic an alarm action names, with its subscription count; None when the action is
    not an SNS topic (an Auto Scaling or EC2 action)."""
    value = ref.value
    if isinstance(value, str) and value.startswith("arn:") and ":sns:" not in value:
        return None
    topic: Topic | None = estate.resolve("topic", ref)
    shown = ref.target or (value if isinstance(value, str) else None)
    if topic is None:
        if isinstance(value, Unknown) and ref.target is None:
            return TopicResult("<unknown>", None, f"the alarm action is unknown ({value.reason})")
        return TopicResult(shown or "<unknown>", None,
                           "the topic is outside the scanned inputs; its subscriptions are "
                           "not known")  # fmt: skip
    count = len(estate.subscriptions_of(topic))
    if not count and estate.unread:
        unread = next(unread_of(estate, "subscriptions", topic.id), None)
        if unread is not None:  # none listed, because the listing failed
            return TopicResult(topic.id, None, f"the topic's subscriptions could not be read "
                                               f"({unread.reason})")  # fmt: skip
    why = f"{count} subscription(s)" if count else "the topic has no subscription"
    return TopicResult(topic.id, count, why)


def alarm_result(estate: Estate, alarm: Alarm) -> AlarmResult:
    enabled = alarm.actions_enabled
    if enabled is False:
        return AlarmResult(alarm.id, "fail", "the alarm's actions are disabled")
    topics = tuple(t for t in (topic_result(estate, a) for a in alarm.actions) if t is not None)
    if not topics:
        return AlarmResult(alarm.id, "fail", "the alarm has no SNS action")
    notifies = [t.notifies for t in topics]
    if True in notifies:
        status: Status = "pass"
        reason = "notifies " + ", ".join(t.topic for t in topics if t.notifies)
    elif None in notifies:
        status = "unknown"
        reason = next(t.reason for t in topics if t.notifies is None)
    else:
        status, reason = "fail", "no action topic has a subscription"
    if status == "pass" and isinstance(enabled, Unknown):
        status = "unknown"
        reason = f"whether the alarm's actions are enabled is unknown ({enabled.reason})"
    return AlarmResult(alarm.id, status, reason, topics)


def alarms_for_metric(estate: Estate, name: str, namespace: str) -> tuple[list[Alarm], list[Alarm]]:
    """Alarms on the metric, and alarms whose metric name or namespace is unknown (they might be
    on it)."""
    known = list(estate.alarms_on(name, namespace))
    maybe = [a for a in estate.alarms_on_unknown_metrics
             if a.metric_name in (name, a.metric_name) and a.namespace in (namespace, a.namespace)
             and not (isinstance(a.metric_name, str) and a.metric_name != name)
             and not (isinstance(a.namespace, str) and a.namespace != namespace)]  # fmt: skip
    return known, maybe


# --------------------------------------------------------------------------------------------
# Filters


def filter_result(
    estate: Estate,
    mf: MetricFilter,
    record: object,
    matched: bool | None = None,
    memo: dict[tuple[int, int, bool], FilterResult] | None = None,
    verdicts: Verdicts | None = None,
) -> FilterResult:
    """`matched`: whether the pattern matches, when the caller evaluated it already (the SQL
    engine); otherwise the pattern is evaluated on `record`. `memo` keeps, per filter of
    `estate`, the result of a match and of a miss: neither depends on the event. `verdicts`:
    the verdicts of pattern texts on this `record`, which other filters (other units' too)
    share."""
    text = mf.pattern
    if isinstance(text, Unknown):
        return FilterResult(mf.id, "unknown", f"the filter pattern is unknown ({text.reason})")
    parsed = parse_cached(text)
    if isinstance(parsed, Exception):
        return FilterResult(
            mf.id, "unknown",
            f"the filter pattern does not parse: {parsed.message} at position {parsed.position}",
            text, error_position=parsed.position,
        )  # fmt: skip
    if matched is None:
        verdict: Verdict | None = None
        if isinstance(record, dict):
            verdict = verdicts.get(text) if verdicts is not None else None
            if verdict is None:
                verdict = parsed.evaluate(record)
                if verdicts is not None:
                    verdicts[text] = verdict
        if verdict is not None and verdict.match is None:
            return FilterResult(mf.id, "unknown", verdict.reason, text, caveats=parsed.caveats)
        matched = verdict is not None and bool(verdict.match)
    if memo is None:
        return _decided_filter(estate, mf, text, parsed, matched)
    key = (id(estate), id(mf), matched)
    hit = memo.get(key)
    if hit is None:
        hit = memo[key] = _decided_filter(estate, mf, text, parsed, matched)
    return hit


def _decided_filter(
    estate: Estate, mf: MetricFilter, text: str, parsed: Pattern, matched: bool
) -> FilterResult:
    """A filter whose pattern matches the event (or does not): where the match leads."""
    if not matched:
        return FilterResult(mf.id, "fail", "the pattern does not match the event", text,
                            caveats=parsed.caveats)  # fmt: skip
    metrics: list[tuple[str, str]] = []
    alarms: list[AlarmResult] = []
    unknown_metric = ""
    for t in mf.transformations:
        if isinstance(t.name, Unknown) or isinstance(t.namespace, Unknown):
            u = t.name if isinstance(t.name, Unknown) else t.namespace
            assert isinstance(u, Unknown)
            unknown_metric = f"the filter's metric is unknown ({u.reason})"
            # any alarm of the inputs might watch it; one that cannot notify whatever its
            # metric is (no action, no subscribed topic) does not matter
            might = [a for a in estate.alarms
                     if _may_watch(a, t.name, t.namespace) and estate.same_account(a, mf)]
            alarms += _undecided(estate, might, unknown_metric)
            continue
        metrics.append((t.name, t.namespace))
        # a metric is its account's: alarms of another deployment unit (an organization trail's
        # unit lends its alarms to every view) watch their own account's metric of that name
        known, maybe = alarms_for_metric(estate, t.name, t.namespace)
        alarms += [alarm_result(estate, a) for a in known if estate.same_account(a, mf)]
        alarms += _undecided(estate, [a for a in maybe if estate.same_account(a, mf)],
                             "the alarm's metric name or namespace is unknown")
    status = any_of(a.status for a in alarms)
    return FilterResult(
        mf.id, "pass", _match_reason(status, alarms, metrics, unknown_metric), text,
        tuple(metrics), tuple(alarms), caveats=parsed.caveats, alarm_status=status,
    )  # fmt: skip


def _may_watch(alarm: Alarm, name: str | Unknown, namespace: str | Unknown) -> bool:
    """Whether the alarm may watch a metric whose name or namespace is unknown: only a known
    part on both sides that differs rules it out."""
    return not any(
        isinstance(mine, str) and isinstance(theirs, str) and mine != theirs
        for mine, theirs in ((name, alarm.metric_name), (namespace, alarm.namespace))
    )


def _undecided(estate: Estate, alarms: Iterable[Alarm], why: str) -> list[AlarmResult]:
    """Alarms that may or may not watch the metric: unknown when they would notify a subscribed
    topic (or might), left out when they certainly would not."""
    out: list[AlarmResult] = []
    for a in alarms:
        result = alarm_result(estate, a)
        if result.status != "fail":
            out.append(AlarmResult(a.id, "unknown", f"{why}; alarm {a.id} may watch it",
                                   result.topics))  # fmt: skip
    return out


def _match_reason(status: Status, alarms: list[AlarmResult], metrics: list[tuple[str, str]],
                  unknown_metric: str) -> str:  # fmt: skip
    if status == "pass":
        return "matches; an alarm notifies a subscribed topic"
    if not alarms:
        if unknown_metric:
            return (f"matches, but no alarm of the inputs can notify a subscribed topic, "
                    f"whatever the metric is ({unknown_metric})")  # fmt: skip
        shown = ", ".join(f"{ns}/{n}" for n, ns in metrics) or "no metric"
        return f"matches, but no alarm watches {shown}"
    return "matches; " + next(a.reason for a in alarms if a.status == status)


def _filter_alarm_status(f: FilterResult) -> Status:
    if f.status != "pass":
        return f.status if f.status == "unknown" else "fail"
    return f.alarm_status


def trace_log_group(
    estate: Estate,
    group: LogGroup,
    event: Event,
    matches: Mapping[str, bool] | None = None,
    memo: dict[tuple[int, int, bool], FilterResult] | None = None,
    verdicts: Verdicts | None = None,
) -> AlarmTrace:
    """Follow `event` through the metric filters of `group` to alarms and topics. `matches`
    (filter id -> whether its pattern matches) replaces the evaluation of the patterns; `memo`,
    `verdicts` (of pattern texts on this event): see `filter_result`."""
    record = dict(event.raw) if event.raw and matches is None else {}

    def result(mf: MetricFilter) -> FilterResult:
        return filter_result(estate, mf, record, None if matches is None else matches.get(mf.id),
                             memo, verdicts)  # fmt: skip

    maybe = (_maybe_on(group, mf, result(mf)) for mf in estate.filters_maybe_on(group))
    results = (*(result(mf) for mf in estate.filters_on(group)),
               *(r for r in maybe if r is not None))  # fmt: skip
    diagnostics = tuple(
        f"{f.filter}: {f.reason}" for f in results if f.error_position is not None
    )
    if not results:
        return AlarmTrace(group.id, "fail", f"no metric filter on {group.id}", results)
    status = any_of(_filter_alarm_status(f) for f in results)
    if status == "pass":
        fired = [a.alarm for f in results if f.status == "pass" for a in f.alarms
                 if a.status == "pass"]  # fmt: skip
        reason = "alarm " + ", ".join(dict.fromkeys(fired)) + " notifies a subscribed topic"
    elif status == "unknown":
        reason = next(f.reason for f in results if _filter_alarm_status(f) == "unknown")
    elif any(f.status == "pass" for f in results):
        reason = next(f.reason for f in results if f.status == "pass")
    else:
        reason = f"no metric filter on {group.id} matches the event"
    return AlarmTrace(group.id, status, reason, results, diagnostics)


def _maybe_on(group: LogGroup, mf: MetricFilter, result: FilterResult) -> FilterResult | None:
    """A filter that may or may not be on `group` (its log group name is unknown): what it does
    to the event there is unknown, unless it cannot alarm on it wherever it is (None)."""
    if result.status == "fail" or (result.status == "pass" and result.alarm_status == "fail"):
        return None
    value = mf.log_group.value
    why = value.reason if isinstance(value, Unknown) else "not known"
    what = "matches the event" if result.status == "pass" else "may match the event"
    return replace(result, status="unknown", alarm_status="unknown",
                   reason=f"metric filter {mf.id} {what}, but whether it is on {group.id} is "
                          f"unknown: its log group name is unknown ({why})")  # fmt: skip


class TraceCache:
    """Traces of one sample event in many Regions. A log group whose filters cannot see the
    record's Region (JSON patterns that do not read $.awsRegion) gives the same trace for the
    event in every Region, so it is computed once."""

    def __init__(self, verdicts: dict[tuple[Hashable, str], Verdicts] | None = None) -> None:
        self._traces: dict[tuple[str, Hashable], AlarmTrace] = {}
        self._blind: dict[str, bool] = {}
        # where each filter's match (or miss) leads: the same for every event
        self._filters: dict[tuple[int, int, bool], FilterResult] = {}
        # (event key, Region) -> the verdicts of pattern texts on that record: a pattern text
        # gives one verdict on one record whichever filter, log group or unit holds it, so
        # caches that live longer than this one may be shared (`Shared.pattern_verdicts`)
        self._verdicts = {} if verdicts is None else verdicts

    def region_blind(self, estate: Estate, group: LogGroup) -> bool:
        known = self._blind.get(group.id)
        if known is None:
            known = self._blind[group.id] = all(
                _ignores_region(mf)
                for mf in (*estate.filters_on(group), *estate.filters_maybe_on(group))
            )
        return known

    def estate_region_blind(self, estate: Estate) -> bool:
        """Whether no metric filter of the estate can see a record's Region (the lent filters
        of a unit's view are asked once per organization: `Estate.lent_parts`)."""
        parts = estate.lent_parts()
        if parts is not None:
            own, lent, _ = parts
            blind = lent.memo.get("region blind")
            if blind is None:
                blind = lent.memo["region blind"] = all(
                    _ignores_region(mf) for mf in lent.estate.metric_filters)
            if blind:  # the view's lent filters are some of these
                return all(_ignores_region(mf) for mf in own.metric_filters)
        return all(_ignores_region(mf) for mf in estate.metric_filters)

    def get(self, estate: Estate, group: LogGroup, key: Hashable, event: Event) -> AlarmTrace:
        """The trace of `event`, which `key` names apart from its Region."""
        verdicts = self._verdicts.setdefault((key, event.aws_region), {})
        if not self.region_blind(estate, group):
            return trace_log_group(estate, group, event, memo=self._filters, verdicts=verdicts)
        hit = self._traces.get((group.id, key))
        if hit is None:
            hit = trace_log_group(estate, group, event, memo=self._filters, verdicts=verdicts)
            self._traces[(group.id, key)] = hit
        return hit


def _ignores_region(mf: MetricFilter) -> bool:
    if isinstance(mf.pattern, Unknown):
        return True  # unknown whatever the record
    return _pattern_ignores_region(mf.pattern)


@lru_cache(maxsize=4096)
def _pattern_ignores_region(text: str) -> bool:
    parsed = parse_cached(text)
    if isinstance(parsed, Exception):
        return True  # an error whatever the record
    if parsed.is_text:
        return False  # terms match anywhere in the record's text, its Region too
    return not any(f.startswith(("$.awsRegion", "$.*")) for f in parsed.referenced_fields())


def trace(
    estate: Estate,
    log_group_ref: Reference | None,
    event: Event,
    cache: TraceCache | None = None,
    key: Hashable = None,
    matches: Mapping[str, bool] | None = None,
) -> AlarmTrace:
    """Follow `event`, delivered to the log group a trail names, to the alarms it fires.
    With a `cache`, `key` names the event apart from its Region."""
    if log_group_ref is None:
        return AlarmTrace(None, "fail", "the trail sends nothing to CloudWatch Logs")
    group: LogGroup | None = estate.resolve("log_group", log_group_ref)
    if group is None:
        # another stack creates it: the inputs may hold filters on it (filter-patterns.md)
        group = estate.outside_log_group(log_group_ref)
        if group is None:
            return _outside_unknown(estate, log_group_ref)
        return _outside_miss(_trace_group(estate, group, event, cache, key, matches), group.id)
    return _trace_group(estate, group, event, cache, key, matches)


def _outside_unknown(estate: Estate, ref: Reference) -> AlarmTrace:
    """A log group outside the inputs with no filters of its account in them: its filters are not
    known. Other units' filters on its name count once the config file puts them in its account."""
    value = ref.value
    name = known_log_group_name(value)
    shown = value if isinstance(value, str) else name or "<unknown>"
    reason = f"the log group {shown} is outside the scanned inputs; its metric filters are not " \
             "known"
    others = estate.units_filtering(name, ref.unit) if name is not None else ()
    if others:
        listed = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
        which, both = ("that", "both") if len(others) == 1 else ("one", "the two")
        reason += (f" (metric filters of {listed} name {name}: if {which} deploys into the "
                   f"account of {ref.unit or 'the trail'}, list {both} in one `estates:` group of "
                   ".trailcheck.yaml)")
    return AlarmTrace(shown, "unknown", reason)


def _trace_group(estate: Estate, group: LogGroup, event: Event, cache: TraceCache | None,
                 key: Hashable, matches: Mapping[str, bool] | None) -> AlarmTrace:  # fmt: skip
    if matches is not None:
        return trace_log_group(estate, group, event, matches)
    if cache is not None and key is not None:
        return cache.get(estate, group, key, event)
    return trace_log_group(estate, group, event)


def _outside_miss(found: AlarmTrace, shown: str) -> AlarmTrace:
    """A log group outside the inputs (`Estate.outside_log_group`): the filters of the inputs
    on it can show that an alarm fires, not that none does, since it may have others."""
    if found.status == "pass":
        return found
    return replace(found, status="unknown",
                   reason=f"the log group {shown} is outside the scanned inputs: {found.reason} "
                          "among the filters of the inputs, and it may have others")  # fmt: skip
