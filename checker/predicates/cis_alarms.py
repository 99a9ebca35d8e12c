"""CIS monitoring alarms (rules CT101-CT115), judged by simulation, never by pattern text.

For CIS topic N, every sample event of the catalog's `cis_topic: N` scenario
(policies/scenarios/cis.yaml, one per event name the topic lists) is run through the estate in
every expected Region (`--regions`, default the 17 default-enabled Regions; events that AWS
records in us-east-1, such as IAM calls, once). Each must be:
captured by a trail -> sent to its CloudWatch Logs log group -> matched by a metric filter on that
group (the pattern is parsed and evaluated) -> counted in a metric that an alarm watches -> the
alarm notifies an SNS topic with at least one subscription (Security Hub CloudWatch.1-14, SH
cloudwatch-controls: "an alarm and an SNS topic that has >=1 subscriber").

Fail when some event certainly does not get that far, naming the event and where it stops (a
filter that matches the topic's other events but misses one names that event). Unknown when
only unknown values stand in the way, or a filter pattern does not parse (the position is
given). A pass that rests on an undocumented pattern choice (Pattern.caveats) is unknown.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from checker.model import Estate, Location
from checker.predicates.context import Context, PredicateArgs
from checker.rules import Outcome, Subject
from checker.simulator.pipeline import EventResult, TrailResult
from checker.simulator.scenarios import SHOWN, Scenario, ScenarioRunner, StandIn, cis_scenario


def shared_runner(ctx: Context) -> ScenarioRunner:
    """The view's runner, shared by CT101-CT115, CT120 and the coverage matrix."""
    return ctx.scenarios


def regions_text(regions: Sequence[str], total: int, limit: int = 3) -> str:
    regions = sorted(set(regions))
    if len(regions) == total and total > 1:
        return "every region"
    if len(regions) > limit:
        return ", ".join(regions[:limit]) + f" (+{len(regions) - limit} more)"
    return ", ".join(regions)


def _stop(r: EventResult) -> tuple[str, str]:
    """Where a certainly-not-alarmed event stops: (cause, detail) for grouping."""
    if r.status == "fail":
        first = next((t.decision.reason for t in r.decided("fail", 1)), "there is no trail")
        return "not captured", first
    if r.cloudwatch == "fail":
        # the trails that capture it, or might (a single-region trail of unknown home Region)
        maybe = (t for t in r.iter_trails() if t.decision.status != "fail")
        why = [_whose(r, t) + t.delivery.get("cloudwatch_logs").reason
               for t in itertools.islice(maybe, SHOWN) if t.delivery]  # fmt: skip
        cause = ("captured but not sent to CloudWatch Logs" if r.status == "pass" else
                 "not sent to CloudWatch Logs by a trail that might capture it")  # fmt: skip
        return cause, "; ".join(dict.fromkeys(why))
    # in CloudWatch Logs (or perhaps, when the capture is unknown): no filter matches, or no
    # alarm / subscribed topic behind the match
    for t in r.iter_trails():
        if t.cloudwatch == "fail" or t.alarms is None:
            continue
        if not t.alarms.matched_filters():
            return "no metric filter on its log group matches", _whose(r, t) + (
                t.alarms.log_group or "?")
        return "matched but no alarm notifies a subscribed topic", _whose(r, t) + t.alarms.reason
    return "not alarmed", "no trail delivers it to an alarmed log group"


def _whose(r: EventResult, t: TrailResult) -> str:
    """Names another unit's organization trail before what is said of it (its log group is that
    unit's to fix); nothing for the unit's own trails."""
    return "" if any(t is own for own in r.own) else f"organization trail {t.trail}: "


def _partial_filters(runs: list[StandIn], sc: Scenario) -> dict[str, set[str]]:
    """filter id -> event names of the topic it matches, for the filters of the unit's own
    trails (the unit can fix those)."""
    out: dict[str, set[str]] = {}
    for run in runs:
        for t in run.result.own:
            for f in t.alarms.matched_filters() if t.alarms else []:
                out.setdefault(f.filter, set()).add(sc.event_names()[run.index])
    return out


def _home_topics(ctx: Context, filter_id: str) -> set[int]:
    """The CIS topics whose events the filter matches the largest share of: the topic(s) it was
    written for. An IAM-policy filter matches Organizations' CreatePolicy and DeletePolicy by
    name, but it is not a CIS 15 filter that misses the other Organizations events."""
    share = _filter_shares(ctx).get(filter_id, {})
    best = max(share.values(), default=0.0)
    return {t for t, v in share.items() if v == best and v > 0}


def _filter_shares(ctx: Context) -> dict[str, dict[int, float]]:
    """filter id -> CIS topic -> the share of the topic's events it matches, once per view."""
    found: dict[str, dict[int, float]] | None = ctx.answers.get("cis filter shares")
    if found is None:
        found = ctx.answers["cis filter shares"] = {}
        runner = shared_runner(ctx)
        for topic in range(1, 16):
            sc = cis_scenario(topic)
            names = set(sc.event_names()) if sc is not None else set()
            if sc is None or not names:
                continue
            runs = runner.across(sc, ctx.options.expected_regions)
            for fid, matched in _partial_filters(runs, sc).items():
                found.setdefault(fid, {})[topic] = len(matched) / len(names)
    return found


def _filter_location(estate: Estate, filter_id: str) -> Location | None:
    mf = next((m for m in estate.metric_filters if m.id == filter_id), None)
    return None if mf is None else mf.where("pattern")


def judge_topic(ctx: Context, topic: int) -> Outcome:
    sc = cis_scenario(topic)
    if sc is None:  # a packaging bug, not an input problem
        raise LookupError(f"the scenario catalog has no CIS topic {topic}")
    estate = ctx.estate
    runs = shared_runner(ctx).across(sc, ctx.options.expected_regions)
    names = sc.event_names()
    n_regions = len(ctx.options.expected_regions)
    failing = [run for run in runs if run.result.alarm == "fail"]
    if failing:
        groups: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
        stops: dict[int, tuple[str, str]] = {}  # Regions of a class share their result
        for run in failing:
            key = stops.get(id(run.result))
            if key is None:
                key = stops[id(run.result)] = _stop(run.result)
            events, where = groups.setdefault(key, ([], []))
            if names[run.index] not in events:
                events.append(names[run.index])
            where.extend(run.regions)
        parts = []
        for (cause, detail), (events, where) in groups.items():
            shown = ", ".join(events[:6]) + (f" (+{len(events) - 6} more)" if len(events) > 6
                                              else "")  # fmt: skip
            parts.append(f"{shown} in {regions_text(where, n_regions)}: {cause} ({detail})")
        partial = {f: ev for f, ev in _partial_filters(runs, sc).items()
                   if set(names) - ev and _home_topics(ctx, f) & {topic}}  # fmt: skip
        location: Location | None = None
        resource: str | None = None
        if partial:
            fid, matched = max(partial.items(), key=lambda kv: len(kv[1]))
            missing = [n for n in names if n not in matched]
            parts.insert(0, f"metric filter {fid} misses {', '.join(missing)}")
            location, resource = _filter_location(estate, fid), fid
        return Outcome("fail", f"CIS {topic} ({sc.title.split(': ', 1)[-1]}): "
                       + "; ".join(parts), location, resource)  # fmt: skip
    unknown = [run for run in runs if run.result.alarm == "unknown"]
    if unknown:
        run = unknown[0]
        return Outcome("unknown", f"CIS {topic}: {names[run.index]} in {run.region}: "
                       f"{_unknown_reason(run.result)}")  # fmt: skip
    caveats: list[str] = []
    alarms: list[str] = []
    filters: list[str] = []
    for run in runs:
        for f in run.result.alarming_filters():
            caveats += [c for c in f.caveats if c not in caveats]
            filters += [f.filter] if f.filter not in filters else []
            alarms += [a for a in f.alarms if a not in alarms]
    detail = (f"all {len(names)} sample event(s) match {', '.join(filters)} and alarm "
              f"{', '.join(alarms)} notifies a subscribed topic")  # fmt: skip
    if caveats:
        return Outcome("unknown", f"CIS {topic}: {detail}, but the pattern relies on an "
                       f"undocumented choice: {caveats[0]}")  # fmt: skip
    return Outcome("pass", f"CIS {topic}: {detail}")


def _unknown_reason(result: EventResult) -> str:
    """Why whether an alarm fires is unknown: the first trail that might alarm, and where its
    chain is undecided."""
    if result.status == "unknown":
        return result.decided("unknown", 1)[0].decision.reason
    for t in result.iter_trails():
        if t.alarm != "unknown":
            continue
        if t.decision.status == "unknown":
            # another trail records the event, but not into an alarmed log group
            return f"{t.trail}: whether it records the event is unknown ({t.decision.reason})"
        dest = t.delivery.get("cloudwatch_logs") if t.delivery is not None else None
        if dest is not None and dest.status == "unknown":
            return f"{t.trail}: {dest.reason}"
        if t.alarms is not None and t.alarms.status == "unknown":
            return f"{t.trail}: {t.alarms.reason}"
    return "not known"


def cis_alarm(ctx: Context, subject: Subject[Estate], args: PredicateArgs) -> Outcome:
    topic = args.get("topic")
    if not isinstance(topic, int) or not 1 <= topic <= 15:
        raise ValueError(f"cis_alarm needs args.topic between 1 and 15, not {topic!r}")
    return judge_topic(ctx, topic)

