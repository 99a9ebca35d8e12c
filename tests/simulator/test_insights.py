"""Insights records: captured by the trails (and event data stores) that generate them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from checker.model import (
    AdvancedSelector,
    BasicSelector,
    Bucket,
    Estate,
    EventDataStore,
    FieldSelector,
    InsightSelector,
    Reference,
    Selectors,
    Trail,
    Unknown,
)
from checker.simulator.capture import decide
from checker.simulator.coverage import compiled_trails
from checker.simulator.events import Event
from checker.simulator.pipeline import simulate_event

ACCOUNT = "111122223333"
CALL_RATE, ERROR_RATE = "ApiCallRateInsight", "ApiErrorRateInsight"
TRAIL = Trail(id="t", name="t", account_id=ACCOUNT, home_region="eu-west-1",
              is_multi_region=True, insight_selectors=(InsightSelector(CALL_RATE),),
              bucket=Reference("logs"))  # fmt: skip
WRITES_ONLY = Selectors("advanced", advanced=(AdvancedSelector((
    FieldSelector("eventCategory", equals=("Management",)),
    FieldSelector("readOnly", equals=("false",)),
)),))  # fmt: skip


def insight(kind: str = CALL_RATE, region: str = "eu-west-1", **details: Any) -> Event:
    return Event.from_record({
        "eventVersion": "1.08", "eventTime": "2026-01-01T00:00:00Z", "awsRegion": region,
        "eventType": "AwsCloudTrailInsight", "recipientAccountId": ACCOUNT,
        "eventCategory": "Insight",
        "insightDetails": {"state": "Start", "eventSource": "ssm.amazonaws.com",
                           "eventName": "SendCommand", "insightType": kind, **details},
    })  # fmt: skip


def test_a_trail_records_the_insight_types_it_enables() -> None:
    assert decide(TRAIL, insight()).status == "pass"
    missed = decide(TRAIL, insight(ERROR_RATE))
    assert missed.status == "fail" and f"does not enable {ERROR_RATE}" in missed.reason
    none = decide(replace(TRAIL, insight_selectors=()), insight())
    assert none.status == "fail" and "no insight selectors" in none.reason


def test_call_rate_insights_need_write_management_events_error_rate_either() -> None:
    reads = replace(TRAIL, selectors=Selectors("basic", basic=(BasicSelector("ReadOnly"),)),
                    insight_selectors=(InsightSelector(CALL_RATE), InsightSelector(ERROR_RATE)))
    call = decide(reads, insight(CALL_RATE))
    assert call.status == "fail" and "write management events" in call.reason
    assert decide(reads, insight(ERROR_RATE)).status == "pass"
    writes = replace(TRAIL, selectors=WRITES_ONLY)
    assert decide(writes, insight()).status == "pass"


def test_insights_stay_in_their_region_and_follow_the_trail_stages() -> None:
    regional = replace(TRAIL, is_multi_region=False)
    assert decide(regional, insight(region="us-east-1")).status == "fail"
    assert decide(replace(TRAIL, is_logging=False), insight()).stage == "logging"


def test_unknown_insight_selectors_or_data_only_categories_are_unknown() -> None:
    assert decide(replace(TRAIL, insight_selectors=Unknown("var.x")), insight()).status == "unknown"
    data_only = replace(TRAIL, insight_selectors=(InsightSelector(CALL_RATE, ("Data",)),))
    assert decide(data_only, insight()).status == "unknown"
    typeless = replace(TRAIL, insight_selectors=(InsightSelector(Unknown("var.type")),))
    assert decide(typeless, insight()).status == "unknown"


def test_a_record_without_insight_type_is_unknown() -> None:
    event = insight()
    bare = Event.from_record({**event.raw, "insightDetails": {}})
    assert decide(TRAIL, bare).status == "unknown"


def test_delivery_under_the_insight_prefix_and_to_eventbridge() -> None:
    estate = Estate(trails=(TRAIL,), buckets=(Bucket(id="b", name="logs"),))
    result = simulate_event(estate, compiled_trails(estate), insight())
    (t,) = result.captured_by()
    assert t.delivery is not None
    assert "CloudTrail-Insight/" in t.delivery.get("s3").reason
    eventbridge = t.delivery.get("eventbridge")
    assert eventbridge.status == "pass" and eventbridge.note is not None
    assert "AWS Insight via CloudTrail" in eventbridge.note


STORE_INSIGHTS = Selectors("advanced", advanced=(AdvancedSelector((
    FieldSelector("eventCategory", equals=("Insight",)),)),))  # fmt: skip


@pytest.mark.parametrize(
    ("source_types", "kind", "status"),
    [((ERROR_RATE,), ERROR_RATE, "pass"), ((ERROR_RATE,), CALL_RATE, "fail")],
)
def test_an_event_data_store_records_the_insights_its_sources_send_it(
    source_types: tuple[str, ...], kind: str, status: str
) -> None:
    source = EventDataStore(id="src", name="src", account_id=ACCOUNT, home_region="eu-west-1",
                            insight_selectors=tuple(InsightSelector(t) for t in source_types),
                            insights_destination=Reference("dest"))  # fmt: skip
    dest = EventDataStore(id="dest", name="dest", account_id=ACCOUNT, home_region="eu-west-1",
                          selectors=STORE_INSIGHTS)  # fmt: skip
    estate = Estate(event_data_stores=(source, dest))
    decisions = {c.trail.id: c.decide(insight(kind)) for c in compiled_trails(estate)}
    assert decisions["src"].status == "fail"  # the source sends them on
    assert decisions["dest"].status == status
    lonely = Estate(event_data_stores=(dest,))
    (only,) = compiled_trails(lonely)
    assert "Insights destination" in only.decide(insight(kind)).reason
