"""The scenario catalog and the scenario x Region coverage matrix."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.model import (
    Alarm,
    Estate,
    EventRule,
    EventTarget,
    LogGroup,
    MetricFilter,
    MetricTransformation,
    Reference,
    Subscription,
    Topic,
    Unknown,
)
from checker.simulator.filter_pattern import parse
from checker.simulator.pipeline import EventResult
from checker.simulator.scenarios import (
    CatalogError,
    Scenario,
    ScenarioRunner,
    cis_scenario,
    coverage_matrix,
    get_scenario,
    load_catalog,
    load_catalog_from,
    region_cell,
)
from checker.simulator.scenarios import cell as cell_of
from tests.simulator.capture_cases import single, trail

CIS_NAMES = {
    4: 16, 5: 5, 7: 2, 8: 9, 9: 4, 10: 6, 11: 6, 12: 6, 13: 7, 14: 11, 15: 18,
}  # the event lists of docs/semantics.md (CIS topics)


def test_catalog_loads_and_is_cached() -> None:
    catalog = load_catalog()
    assert catalog is load_catalog()
    ids = [s.id for s in catalog]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    for needed in ("ec2-instance-terminated", "s3-object-access", "console-login-failures",
                   "s3-bucket-deleted", "iam-changes", "root-usage", "tamper-stop-logging",
                   "tamper-delete-trail", "tamper-update-trail", "tamper-put-event-selectors"):
        assert get_scenario(needed) is not None, needed


def test_every_cis_topic_has_one_event_per_listed_name() -> None:
    for topic in range(1, 16):
        sc = cis_scenario(topic)
        assert sc is not None, topic
        names = sc.event_names()
        if topic in CIS_NAMES:
            assert len(names) == CIS_NAMES[topic] == len(set(names)), topic


def test_tamper_events_are_critical() -> None:
    for sc in load_catalog():
        if sc.id.startswith("tamper-"):
            assert sc.critical
            assert sc.records[0]["eventSource"] == "cloudtrail.amazonaws.com"


def test_records_are_complete_and_regions_fill_in() -> None:
    sc = get_scenario("ec2-instance-terminated")
    assert sc is not None
    (event,) = sc.events("eu-west-1")
    assert (event.event_source, event.event_name, event.aws_region) == (
        "ec2.amazonaws.com", "TerminateInstances", "eu-west-1")
    assert event.event_category == "Management" and event.read_only is False
    iam = get_scenario("iam-changes")
    assert iam is not None
    assert {e.aws_region for e in iam.events("eu-west-1")} == {"us-east-1"}  # global service


def test_s3_object_access_events_are_data_events() -> None:
    sc = get_scenario("s3-object-access")
    assert sc is not None
    events = sc.events("eu-west-1")
    assert {e.event_category for e in events} == {"Data"}
    assert all(e.resources[0].type == "AWS::S3::Object" for e in events)


# The usual CIS pattern texts (docs/semantics.md, CIS topics) match every sample event of the topic.
CIS_PATTERNS = {
    1: '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}',
    2: '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
    3: '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && '
       '$.eventType !="AwsServiceEvent"}',
    6: '{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}',
}


def _names_pattern(topic: int) -> str:
    sc = cis_scenario(topic)
    assert sc is not None
    ors = " || ".join(f"($.eventName={n})" for n in sc.event_names())
    if topic in (7, 8, 9):
        source = sc.records[0]["eventSource"]
        return "{($.eventSource=" + source + ") && (" + ors + ")}"
    if topic == 15:
        return "{ ($.eventSource = organizations.amazonaws.com) && (" + ors + ") }"
    return "{" + ors + "}"


@pytest.mark.parametrize("topic", range(1, 16))
def test_cis_patterns_match_the_sample_events(topic: int) -> None:
    sc = cis_scenario(topic)
    assert sc is not None
    pattern = parse(CIS_PATTERNS.get(topic) or _names_pattern(topic))
    for i in range(len(sc.records)):
        assert pattern.matches(sc.record(i, "eu-west-1")), (topic, sc.records[i]["eventName"])


def test_invalid_catalog_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "scenarios:\n  - id: Bad Id\n    title: nope\n    critical: yes\n    events: []\n")
    with pytest.raises(CatalogError, match=r"bad\.yaml"):
        load_catalog_from(tmp_path)


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    body = ("scenarios:\n  - id: one\n    title: the one\n    critical: false\n    events:\n"
            "      - {eventSource: ec2.amazonaws.com, eventName: RunInstances}\n")
    (tmp_path / "a.yaml").write_text(body)
    (tmp_path / "b.yaml").write_text(body)
    with pytest.raises(CatalogError, match="duplicate"):
        load_catalog_from(tmp_path)


# -- the matrix ------------------------------------------------------------------------------


def _row(matrix: dict, scenario_id: str) -> dict:  # type: ignore[type-arg]
    return next(s for s in matrix["scenarios"] if s["id"] == scenario_id)


def test_matrix_shape_multi_region_trail() -> None:
    estate = Estate(trails=(trail(),))
    m = coverage_matrix(estate, ["us-east-1", "eu-west-1"])
    assert m["regions"] == ["us-east-1", "eu-west-1"]
    row = _row(m, "tamper-stop-logging")
    assert row["critical"] is True and row["title"]
    cell = row["cells"]["eu-west-1"]
    assert cell["status"] == "captured"
    assert cell["captured_by"] == ["aws_cloudtrail.t"]
    assert cell["cloudwatch"] is False and cell["alarm"] is False
    assert "captured by aws_cloudtrail.t" in cell["reason"]
    # data events need a data selector
    s3 = _row(m, "s3-object-access")["cells"]["eu-west-1"]
    assert s3["status"] == "missed" and s3["captured_by"] == []


def test_single_region_trail_misses_other_regions_but_not_pinned_global_events() -> None:
    estate = Estate(trails=(single("us-east-1"),))
    m = coverage_matrix(estate, ["us-east-1", "eu-west-1"])
    ec2 = _row(m, "ec2-instance-terminated")["cells"]
    assert ec2["us-east-1"]["status"] == "captured"
    assert ec2["eu-west-1"]["status"] == "missed"
    assert "single-region trail in us-east-1" in ec2["eu-west-1"]["reason"]
    iam = _row(m, "iam-changes")["cells"]
    assert iam["eu-west-1"]["status"] == "captured"  # IAM events land in us-east-1


def test_unknown_cells_have_no_captured_by() -> None:
    estate = Estate(trails=(trail(is_logging=Unknown("var.enabled has no value")),))
    cell = _row(coverage_matrix(estate, ["eu-west-1"]), "tamper-delete-trail")["cells"]["eu-west-1"]
    assert cell["status"] == "unknown"
    assert cell["captured_by"] is None
    # the trail has no log group: whatever its logging state, nothing reaches CloudWatch Logs
    assert cell["cloudwatch"] is False and cell["alarm"] is False
    assert "var.enabled" in cell["reason"]


def test_no_trails_everything_missed() -> None:
    m = coverage_matrix(Estate(), ["eu-west-1"])
    cell = _row(m, "root-usage")["cells"]["eu-west-1"]
    assert cell["status"] == "missed"
    assert cell["reason"].endswith("no trail or event data store in the inputs")


def test_scenarios_argument_limits_rows() -> None:
    sc = get_scenario("root-usage")
    assert sc is not None
    m = coverage_matrix(Estate(trails=(trail(),)), ["us-east-1"], scenarios=[sc])
    assert [s["id"] for s in m["scenarios"]] == ["root-usage"]


def test_sample_events_made_once_match_each_regions_record() -> None:
    # the runner makes each sample event once and derives the other Regions' copies: they must
    # be what reading each Region's record gives, size included (the 256 KB delivery limit)
    from checker.simulator.delivery import event_size
    from checker.simulator.events import Event

    runner = ScenarioRunner(Estate())
    for sc in load_catalog():
        for region in ("us-east-1", "ap-southeast-2", "eu-west-1"):
            for i in range(len(sc.records)):
                key = (sc.id, i, sc.region_of(i, region))
                event, size = runner._event(sc, i, key)
                expected = Event.from_record(sc.record(i, key[2]))
                assert event == expected and event.raw == expected.raw
                assert size == event_size(expected)


# -- Region classes (ScenarioRunner.across) -----------------------------------------------------

CLASS_REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "ap-south-1", "cn-north-1")
GROUP_NAME = "/aws/cloudtrail/main"
CLASS_PATTERNS = (
    "{ ($.eventName = StopLogging) || ($.eventName = DeleteTrail) }",
    "{ $.eventName = ConsoleLogin }",
    "{ $.awsRegion = eu-west-1 }",  # reads the Region
    "eu-west-1",  # a text pattern matches anywhere in the record, its Region too
)


@st.composite
def _class_estates(draw: st.DrawFn) -> Estate:
    unknown = Unknown("var.x has no value")
    trails = []
    for n in range(draw(st.integers(1, 3))):
        trails.append(trail(
            id=f"aws_cloudtrail.t{n}", name=f"t{n}",
            home_region=draw(st.sampled_from((*CLASS_REGIONS, None))),
            is_multi_region=draw(st.sampled_from((True, True, False, unknown))),
            include_global_service_events=draw(st.sampled_from((True, False, unknown))),
            # the first trail sends to the filters' log group
            log_group=Reference(GROUP_NAME) if n == 0 or draw(st.booleans()) else None,
            cloudwatch_logs_role_arn="arn:aws:iam::111122223333:role/ct",
        ))  # fmt: skip
    topic = Topic("aws_sns_topic.alerts", "alerts", arn="arn:aws:sns:us-east-1:1:alerts")
    patterns = draw(st.lists(st.sampled_from(CLASS_PATTERNS), min_size=1, max_size=2))
    filters = tuple(
        MetricFilter(f"mf{i}", Reference(GROUP_NAME), p, (MetricTransformation(f"m{i}", "CIS"),))
        for i, p in enumerate(patterns)
    )  # fmt: skip
    alarms = tuple(Alarm(f"a{f.id}", f"m{i}", "CIS", actions=(Reference(topic.arn or ""),))
                   for i, f in enumerate(filters))  # fmt: skip
    rules = tuple(
        EventRule(f"r{i}", f"r{i}", region=region, pattern='{"source": ["aws.cloudtrail"]}',
                  targets=(EventTarget("to", Reference(topic.arn or ""), kind="sns"),))
        for i, region in enumerate(draw(st.lists(
            st.sampled_from(("eu-west-1", "us-west-2", unknown)), max_size=2)))
    )  # fmt: skip
    return Estate(
        trails=tuple(trails), log_groups=(LogGroup("lg", GROUP_NAME),), metric_filters=filters,
        alarms=alarms, topics=(topic,), event_rules=rules,
        subscriptions=(Subscription("s", Reference(topic.arn or ""), "email", "a@example.com"),),
    )  # fmt: skip


def _apart_from_region(result: EventResult) -> object:
    """What must not depend on which Region of a class the event was simulated in."""
    trails = [
        (t.trail, t.decision, t.captured, t.cloudwatch, t.alarm,
         None if t.delivery is None else [(d.name, d.status, d.reason) for d in
                                          t.delivery.destinations if d.name != "eventbridge"],
         None if t.alarms is None else (t.alarms.firing_alarms(), t.alarms.status))
        for t in result.iter_trails()
    ]  # fmt: skip
    rules = [(r.rule, r.status, r.notifies, r.reason) for r in result.eventbridge]
    return (result.status, result.cloudwatch, result.alarm, result.alerted, trails, rules)


# STS calls: one whose record does not tell its endpoint (a global service event in us-east-1,
# if it went to the global endpoint, and a Regional one elsewhere), one to the global endpoint
# and one to a Regional endpoint, beside an ordinary call
STS_SCENARIO = Scenario("sts-endpoints", "STS calls", False, records=tuple(
    {"eventVersion": "1.08", "eventCategory": "Management", "eventSource": source,
     "eventName": name,
     "recipientAccountId": "111122223333", "tlsDetails": tls}
    for source, name, tls in (
        ("sts.amazonaws.com", "AssumeRole", None),
        ("sts.amazonaws.com", "GetSessionToken", {"clientProvidedHostHeader": "sts.amazonaws.com"}),
        ("sts.amazonaws.com", "GetCallerIdentity",
         {"clientProvidedHostHeader": "sts.eu-west-1.amazonaws.com"}),
        ("cloudtrail.amazonaws.com", "StopLogging", None),
    )))  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(_class_estates(), st.sampled_from((5, 4, 3)))
def test_an_event_simulated_in_another_region_of_its_class_gets_the_same_results(
    estate: Estate, topic: int
) -> None:
    sc = cis_scenario(topic)
    assert sc is not None
    _same_results_in_every_region_of_a_class(estate, sc)


@settings(max_examples=100, deadline=None)
@given(_class_estates())
def test_sts_calls_simulated_in_another_region_of_their_class_get_the_same_results(
    estate: Estate,
) -> None:
    _same_results_in_every_region_of_a_class(estate, STS_SCENARIO)


def _same_results_in_every_region_of_a_class(estate: Estate, sc: Scenario) -> None:
    stand_ins = ScenarioRunner(estate, default_region="us-east-1").across(sc, CLASS_REGIONS)
    fresh = ScenarioRunner(estate, default_region="us-east-1")
    recorded = [(s.index, region) for s in stand_ins for region in s.regions]
    assert len(set(recorded)) == len(recorded)
    # every event in every Region that records it, in the matrix's order, Region by Region (an
    # event pinned to a partition's Region where that partition's first Region stands)
    first = {}
    for pos, r in enumerate(CLASS_REGIONS):
        for i in range(len(sc.records)):
            first.setdefault((i, sc.region_of(i, r)), pos)
    assert sorted(recorded, key=lambda p: (first[p], p[0])) == sorted(
        first, key=lambda p: (first[p], p[0]))
    for s in stand_ins:
        for region in s.regions:
            (expected,) = [r for i, r in enumerate(fresh.results(sc, region)) if i == s.index]
            assert expected.event.aws_region == region
            assert _apart_from_region(s.result) == _apart_from_region(expected), region
    for region in CLASS_REGIONS:  # the coverage matrix's cells
        assert region_cell(fresh, sc, region) == cell_of(fresh.results(sc, region)), region


def test_regions_that_every_trail_treats_alike_are_simulated_once() -> None:
    sc = cis_scenario(5)
    assert sc is not None
    runner = ScenarioRunner(Estate(trails=(trail(),)))
    stand_ins = runner.across(sc, CLASS_REGIONS)
    assert [s.region for s in stand_ins] == ["us-east-1"] * len(sc.records) + [
        "cn-north-1"] * len(sc.records)
    # a multi-region trail treats us-east-1 like the three other Regions of its partition
    simulated = {s.result.event.aws_region for s in stand_ins}
    assert simulated == {"us-east-1", "cn-north-1"}  # cn-*: another partition
    assert {s.regions for s in stand_ins} == {
        ("us-east-1", "us-west-2", "eu-west-1", "ap-south-1"), ("cn-north-1",)}
    assert len(stand_ins) == 2 * len(sc.records)
    # a Region named twice is one Region
    again = runner.across(sc, (*CLASS_REGIONS, "us-west-2"))
    assert [(s.index, s.regions) for s in again] == [(s.index, s.regions) for s in stand_ins]


def test_an_sts_call_of_unknown_endpoint_stands_alone_in_us_east_1() -> None:
    # in us-east-1 it may be a global service event, which this trail does not record
    runner = ScenarioRunner(Estate(trails=(trail(include_global_service_events=False),)))
    stand_ins = runner.across(STS_SCENARIO, CLASS_REGIONS)
    by_event = {i: {s.regions: s.result.status for s in stand_ins if s.index == i}
                for i in range(len(STS_SCENARIO.records))}  # fmt: skip
    partition = ("us-east-1", "us-west-2", "eu-west-1", "ap-south-1")
    china = ("cn-north-1",)  # outside the trail's partition: never recorded
    assert by_event[0] == {("us-east-1",): "unknown", partition[1:]: "pass", china: "fail"}
    assert by_event[1] == {partition: "fail", china: "fail"}  # the global endpoint
    assert by_event[2] == by_event[3] == {partition: "pass", china: "fail"}
