"""From a log group to a page: filters evaluated, metrics, alarms, SNS topics, subscriptions."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from checker.model import (
    Alarm,
    Estate,
    Location,
    LogGroup,
    MetricFilter,
    MetricTransformation,
    Reference,
    Subscription,
    Topic,
    Unknown,
)
from checker.simulator.alarms import trace, trace_log_group
from checker.simulator.events import Event
from checker.unknowns import PartlyComputed

GROUP = LogGroup("aws_cloudwatch_log_group.trail", "/aws/cloudtrail/main")
TOPIC = Topic("aws_sns_topic.alerts", "alerts", arn="arn:aws:sns:us-east-1:111122223333:alerts")
SUB = Subscription("aws_sns_topic_subscription.oncall", Reference(TOPIC.arn or ""), "email",
                   "oncall@example.com")
P5 = ("{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || "
      "($.eventName=StartLogging) || ($.eventName=StopLogging)}")


def mf(pattern: Any, fid: str = "aws_cloudwatch_log_metric_filter.cis5",
       metric: tuple[Any, Any] = ("TrailChanges", "CIS")) -> MetricFilter:
    return MetricFilter(fid, Reference("/aws/cloudtrail/main"), pattern,
                        (MetricTransformation(metric[0], metric[1]),))


def alarm(actions: tuple[Reference, ...] = (Reference(TOPIC.arn or ""),), **kw: Any) -> Alarm:
    return Alarm("aws_cloudwatch_metric_alarm.cis5", kw.pop("metric_name", "TrailChanges"),
                 kw.pop("namespace", "CIS"), actions=actions, **kw)


def estate(*filters: MetricFilter, alarms: tuple[Alarm, ...] = (), subs: bool = True) -> Estate:
    return Estate(log_groups=(GROUP,), metric_filters=filters, alarms=alarms, topics=(TOPIC,),
                  subscriptions=(SUB,) if subs else ())


def event(name: str = "StopLogging", **extra: Any) -> Event:
    return Event.from_record({"eventSource": "cloudtrail.amazonaws.com", "eventName": name,
                              "awsRegion": "us-east-1", **extra})


def test_full_chain_fires() -> None:
    t = trace_log_group(estate(mf(P5), alarms=(alarm(),)), GROUP, event())
    assert t.status == "pass" and t.alarm is True
    assert t.firing_alarms() == ["aws_cloudwatch_metric_alarm.cis5"]
    (f,) = t.filters
    assert f.metrics == (("TrailChanges", "CIS"),)
    assert f.alarms[0].topics[0].subscriptions == 1


def test_filter_that_does_not_match() -> None:
    t = trace_log_group(estate(mf(P5), alarms=(alarm(),)), GROUP, event("PutEventSelectors"))
    assert t.status == "fail" and t.firing_alarms() == []
    assert "no metric filter" in t.reason


def test_no_alarm_or_no_subscription_or_disabled_actions() -> None:
    assert trace_log_group(estate(mf(P5)), GROUP, event()).status == "fail"
    no_sub = trace_log_group(estate(mf(P5), alarms=(alarm(),), subs=False), GROUP, event())
    assert no_sub.status == "fail" and "has a subscription" in no_sub.reason
    off = trace_log_group(estate(mf(P5), alarms=(alarm(actions_enabled=False),)), GROUP, event())
    assert off.status == "fail"
    wrong_ns = trace_log_group(estate(mf(P5), alarms=(alarm(namespace="Other"),)), GROUP, event())
    assert wrong_ns.status == "fail" and "no alarm watches CIS/TrailChanges" in wrong_ns.reason


def test_pattern_error_is_unknown_with_position_never_a_non_match() -> None:
    broken = mf("{ ($.eventName = StopLogging) && }")
    t = trace_log_group(estate(broken, alarms=(alarm(),)), GROUP, event())
    assert t.status == "unknown"
    (f,) = t.filters
    assert f.error_position is not None and f.error_position > 0
    assert t.diagnostics and "position" in t.diagnostics[0]
    # another filter that fires still decides
    both = trace_log_group(estate(broken, mf(P5, "good"), alarms=(alarm(),)), GROUP, event())
    assert both.status == "pass" and both.diagnostics


def test_unknown_values_are_unknown() -> None:
    assert trace_log_group(estate(mf(Unknown("var.pattern"))), GROUP, event()).status == "unknown"
    unknown_metric = mf(P5, metric=(Unknown("var.metric"), "CIS"))
    assert trace_log_group(estate(unknown_metric, alarms=(alarm(),)), GROUP,
                           event()).status == "unknown"
    maybe = alarm(metric_name=Unknown("var.metric"))
    assert trace_log_group(estate(mf(P5), alarms=(maybe,)), GROUP, event()).status == "unknown"
    enabled = alarm(actions_enabled=Unknown("var.enabled"))
    assert trace_log_group(estate(mf(P5), alarms=(enabled,)), GROUP, event()).status == "unknown"
    outside = alarm(actions=(Reference("arn:aws:sns:us-east-1:111122223333:elsewhere"),))
    t = trace_log_group(estate(mf(P5), alarms=(outside,)), GROUP, event())
    assert t.status == "unknown" and "outside the scanned inputs" in t.reason


def test_non_sns_actions_do_not_notify() -> None:
    scaling = alarm(actions=(Reference("arn:aws:autoscaling:us-east-1:1:scalingPolicy:x"),))
    assert trace_log_group(estate(mf(P5), alarms=(scaling,)), GROUP, event()).status == "fail"


def test_log_group_outside_the_inputs_is_unknown() -> None:
    t = trace(Estate(), Reference("arn:aws:logs:us-east-1:1:log-group:elsewhere:*"), event())
    assert t.status == "unknown" and "outside the scanned inputs" in t.reason
    assert trace(Estate(), None, event()).status == "fail"


def test_log_group_arn_with_an_unknown_account_still_names_the_log_group() -> None:
    """A trail's `arn:aws:logs:REGION:${account}:log-group:NAME:*` (the account of the stack or
    of aws_caller_identity): the filters of the inputs on NAME were not looked at, and the
    reason said "the log group <unknown>", though the name is written in the ARN."""
    arn = PartlyComputed("the stack's account is not known", ("arn:aws:logs:us-east-1:", None,
                         ":log-group:/aws/cloudtrail/main:*"), ("the stack's account",))
    outside = Estate(metric_filters=(mf(P5),), alarms=(alarm(),), topics=(TOPIC,),
                     subscriptions=(SUB,))
    t = trace(outside, Reference(arn), event())
    assert t.status == "pass" and t.firing_alarms() == ["aws_cloudwatch_metric_alarm.cis5"]
    missed = trace(outside, Reference(arn), event("RunInstances"))
    assert missed.status == "unknown"
    assert "the log group /aws/cloudtrail/main is outside the scanned inputs" in missed.reason
    # no filter on it in the inputs: still named
    alone = trace(Estate(), Reference(arn), event())
    assert "the log group /aws/cloudtrail/main is outside" in alone.reason
    # an ARN whose name itself is unknown names nothing
    hidden = PartlyComputed("x", ("arn:aws:logs:us-east-1:111122223333:log-group:", None), ())
    assert "<unknown>" in trace(outside, Reference(hidden), event()).reason


def test_root_pattern_is_case_sensitive_end_to_end() -> None:
    lower = mf('{$.userIdentity.type="root" && $.userIdentity.invokedBy NOT EXISTS}')
    root_event = event("ConsoleLogin", userIdentity={"type": "Root"})
    t = trace_log_group(estate(lower, alarms=(alarm(),)), GROUP, root_event)
    assert t.status == "fail"


def test_trace_cache_reuses_traces_only_for_filters_blind_to_the_region() -> None:
    from checker.simulator.alarms import TraceCache

    ref = Reference("/aws/cloudtrail/main")
    blind = estate(mf(P5), alarms=(alarm(),))
    cache = TraceCache()
    first = trace(blind, ref, event(), cache, "stop")
    again = trace(blind, ref, event(awsRegion="eu-west-1"), cache, "stop")
    assert again is first and first.alarm is True

    # a pattern that reads the Region must be evaluated for each Region
    regional = estate(mf('{ $.awsRegion = "us-east-1" && $.eventName = StopLogging }'),
                      alarms=(alarm(),))  # fmt: skip
    cache = TraceCache()
    east = trace(regional, ref, event(), cache, "stop")
    west = trace(regional, ref, event(awsRegion="eu-west-1"), cache, "stop")
    assert east.alarm is True and west.status == "fail"

    # term patterns read the record's whole text, its Region too
    terms = estate(mf('"eu-west-1"'), alarms=(alarm(),))
    cache = TraceCache()
    assert trace(terms, ref, event(), cache, "stop").status == "fail"
    assert trace(terms, ref, event(awsRegion="eu-west-1"), cache, "stop").status == "pass"


def _unplaced(pattern: str, value: Unknown, unit: str = "") -> MetricFilter:
    from checker.model import Location

    return MetricFilter("aws_cloudwatch_log_metric_filter.maybe", Reference(value), pattern,
                        (MetricTransformation("TrailChanges", "CIS"),),
                        location=Location("main.tf", 9, unit))  # fmt: skip


def test_a_filter_whose_log_group_name_is_unknown_may_be_on_the_group() -> None:
    from checker.model import PartlyKnown

    maybe = _unplaced(P5, Unknown("var.lg has no value"))
    t = trace_log_group(estate(maybe, alarms=(alarm(),)), GROUP, event())
    assert t.status == "unknown" and t.alarm is None
    assert "aws_cloudwatch_log_metric_filter.maybe matches the event" in t.reason
    assert "var.lg has no value" in t.reason and t.firing_alarms() == []
    # it cannot matter where it is: it does not match, or its match notifies no one
    assert trace_log_group(estate(maybe, alarms=(alarm(),)), GROUP, event("GetUser")).status \
        == "fail"  # fmt: skip
    assert trace_log_group(estate(maybe), GROUP, event()).status == "fail"
    # a filter certainly on the group decides first
    t = trace_log_group(estate(mf(P5), maybe, alarms=(alarm(),)), GROUP, event())
    assert t.status == "pass"
    # known stretches the group's name cannot have, or another unit (another account)
    other = PartlyKnown("x", ("/aws/lambda/", None))
    for never in (_unplaced(P5, other), _unplaced(P5, Unknown("var.lg"), unit="envs/dev")):
        assert trace_log_group(estate(never, alarms=(alarm(),)), GROUP, event()).status == "fail"


def test_an_alarm_of_another_unit_does_not_watch_this_units_metric() -> None:
    """A metric is its account's: an organization trail's unit lends its alarms to every view,
    but an alarm there on a metric of the same name watches its own account's metric."""
    from dataclasses import replace

    from checker.model import Location
    from checker.units import unit_views

    def at(obj: Any, unit: str) -> Any:
        return replace(obj, location=Location(f"{unit}/main.tf", 1, unit))

    def ref(r: Reference, unit: str) -> Reference:
        return replace(r, unit=unit)

    from checker.model import Trail

    member_trail = at(Trail("aws_cloudtrail.t", "t"), "member")
    org_trail = at(Trail("aws_cloudtrail.org", "org", is_organization=True), "org")
    lent_alarm = at(alarm(actions=(ref(Reference(TOPIC.arn or ""), "org"),)), "org")
    f = at(replace(mf(P5), log_group=ref(mf(P5).log_group, "member")), "member")
    est = Estate(trails=(member_trail, org_trail), log_groups=(at(GROUP, "member"),),
                 metric_filters=(f,), alarms=(lent_alarm,), topics=(at(TOPIC, "org"),),
                 subscriptions=(at(replace(SUB, topic=ref(SUB.topic, "org")), "org"),))
    view = next(v for v in unit_views(est) if v.name == "member").estate
    group = view.resolve("log_group", Reference("/aws/cloudtrail/main", unit="member"))
    t = trace_log_group(view, group, event())
    assert t.status == "fail" and "no alarm watches CIS/TrailChanges" in t.reason
    # units the config file puts in one account share their metrics, with or without an
    # organization trail among them
    for trails in ((member_trail, org_trail), (member_trail, replace(org_trail, id="x",
                                                                     is_organization=False))):
        grouped = next(iter(unit_views(replace(est, trails=trails),
                                       {"member": "acct", "org": "acct"}))).estate
        group = grouped.resolve("log_group", Reference("/aws/cloudtrail/main", unit="member"))
        assert trace_log_group(grouped, group, event()).status == "pass"


def test_a_pattern_is_evaluated_once_per_record_across_filters_and_traces(
    monkeypatch: Any,
) -> None:
    """A pattern text gives one verdict on one record, whichever filter or unit holds it: the
    scenario runner's caches share it (`Shared.pattern_verdicts`)."""
    from checker.simulator import filter_pattern
    from checker.simulator.alarms import TraceCache

    calls: list[str] = []
    original = filter_pattern.Pattern.evaluate

    def counting(self: Any, record: Any) -> Any:
        calls.append(str(record.get("eventName")))
        return original(self, record)

    monkeypatch.setattr(filter_pattern.Pattern, "evaluate", counting)
    shared: dict[Any, Any] = {}
    two = estate(mf(P5), mf(P5, fid="aws_cloudwatch_log_metric_filter.again"), alarms=(alarm(),))
    for cache in (TraceCache(shared), TraceCache(shared)):  # two views
        t = cache.get(two, GROUP, ("cis-5", 0), event())
        assert t.status == "pass" and len(t.filters) == 2
    assert calls == ["StopLogging"]
    # another record (here, another Region of the event) is evaluated on its own
    TraceCache(shared).get(two, GROUP, ("cis-5", 0), event(awsRegion="eu-west-1"))
    assert calls == ["StopLogging", "StopLogging"]


def test_filters_of_the_trails_account_on_a_log_group_outside_the_inputs() -> None:
    """The log group is not in the inputs: a filter naming it (by name, the trail by ARN) in
    the trail's unit shows that the alarm fires; a miss stays unknown (the group may have other
    filters); a filter of another unit (another account) names another group, and is named
    in the message."""
    arn = "arn:aws:logs:us-east-1:111122223333:log-group:/aws/cloudtrail/main:*"
    here = Location("main.tf", 1, unit="audit")
    mine = replace(mf(P5), location=here)
    theirs = replace(mf(P5), id="aws_cloudwatch_log_metric_filter.other",
                     location=Location("other.tf", 1, unit="workloads"))
    alarms = (replace(alarm(), location=here),)
    outside = Estate(metric_filters=(mine,), alarms=alarms, topics=(TOPIC,), subscriptions=(SUB,))
    ref = Reference(arn, unit="audit")
    fired = trace(outside, ref, event())
    assert fired.status == "pass" and fired.firing_alarms() == ["aws_cloudwatch_metric_alarm.cis5"]
    missed = trace(outside, ref, event("PutEventSelectors"))
    assert missed.status == "unknown" and "it may have others" in missed.reason
    elsewhere = replace(outside, metric_filters=(theirs,))
    assert trace(elsewhere, ref, event()).reason.endswith(
        "its metric filters are not known (metric filters of workloads name /aws/cloudtrail/main:"
        " if that deploys into the account of audit, list both in one `estates:` group of"
        " .trailcheck.yaml)")


def test_filters_of_another_unit_count_only_when_it_shares_the_trails_account() -> None:
    """A CIS alarms stack apart from the trail's: its filters on the log group outside the
    inputs count once the units share an account (the config file's `estates:`); until then
    the unknown names that unit and how to say so."""
    arn = "arn:aws:logs:us-east-1:111122223333:log-group:/aws/cloudtrail/main:*"
    ref = Reference(arn, unit="trail")
    alarms_unit = Location("alarms/main.tf", 1, "alarms")
    apart = Estate(metric_filters=(replace(mf(P5), location=alarms_unit),),
                   alarms=(replace(alarm(), location=alarms_unit),), topics=(TOPIC,),
                   subscriptions=(SUB,))  # fmt: skip
    t = trace(apart, ref, event())
    assert t.status == "unknown" and "its metric filters are not known" in t.reason
    assert "metric filters of alarms name /aws/cloudtrail/main" in t.reason
    # a unit of its own account is not named again
    assert "metric filters of" not in trace(Estate(), ref, event()).reason

    together = replace(apart)
    together.share_account(frozenset({"trail", "alarms"}), apart)
    t = trace(together, ref, event())
    assert t.status == "pass" and t.firing_alarms() == ["aws_cloudwatch_metric_alarm.cis5"]
