"""CloudTrail Lake event data stores in the simulator: scope, status, and the `lake` destination."""

from __future__ import annotations

from dataclasses import replace

from checker.model import (
    AdvancedSelector,
    Estate,
    EventDataStore,
    FieldSelector,
    Location,
    Selectors,
    Trail,
    Unknown,
)
from checker.simulator.capture import decide
from checker.simulator.coverage import compiled_trails
from checker.simulator.events import Event
from checker.simulator.lake import collects_insights
from checker.simulator.pipeline import simulate_event
from checker.unit_stamp import in_unit
from checker.units import unit_views

ACCOUNT, OTHER = "111122223333", "444455556666"
STORE = EventDataStore(id="aws_cloudtrail_event_data_store.lake", name="lake", account_id=ACCOUNT,
                       home_region="eu-west-1")  # fmt: skip


def event(region: str = "us-west-2", account: str = ACCOUNT, **kw: object) -> Event:
    return Event("ec2.amazonaws.com", "RunInstances", region, read_only=False,
                 recipient_account_id=account, **kw)  # type: ignore[arg-type]


def test_a_multi_region_store_records_management_events_everywhere_in_its_account() -> None:
    assert decide(STORE, event()).status == "pass"
    assert decide(STORE, event("cn-north-1")).status == "fail"  # another partition
    other = decide(STORE, event(account=OTHER))
    assert other.status == "fail" and "the event data store records account" in other.reason


def test_a_single_region_store_records_its_region_and_us_east_1_global_events_there() -> None:
    single = replace(STORE, is_multi_region=False)
    missed = decide(single, event())
    assert missed.status == "fail"
    assert missed.reason == "single-region event data store in eu-west-1"
    iam = Event("iam.amazonaws.com", "CreateUser", "us-east-1", read_only=False)
    assert decide(replace(single, home_region="us-east-1"), iam).status == "pass"


def test_an_organization_store_records_member_accounts() -> None:
    org = replace(STORE, is_organization=True)
    assert decide(org, event(account=OTHER)).status == "pass"
    unsure = decide(replace(STORE, is_organization=Unknown("var.org")), event(account=OTHER))
    assert unsure.status == "unknown" and "organization event data store" in unsure.reason


def test_only_an_enabled_store_records() -> None:
    stopped = decide(replace(STORE, status="STOPPED_INGESTION"), event())
    assert stopped.status == "fail" and "STOPPED_INGESTION" in stopped.reason
    assert decide(replace(STORE, status=Unknown("var.s")), event()).status == "unknown"


def test_a_store_appears_in_captured_by_with_the_lake_destination() -> None:
    trail = Trail(id="aws_cloudtrail.regional", name="r", account_id=ACCOUNT,
                  home_region="eu-west-1")  # fmt: skip
    estate = Estate(trails=(trail,), event_data_stores=(STORE,))
    doc = simulate_event(estate, compiled_trails(estate), event()).to_json()
    assert doc["captured_by"] == [{
        "trail": STORE.id, "selector": "default selectors (all management events)",
        "destinations": ["lake"], "alarms": [],
    }]  # fmt: skip
    assert doc["missed_by"] == [{"trail": trail.id, "reason": "single-region trail in eu-west-1"}]
    assert doc["eventbridge"] == []


def test_organization_stores_of_other_units_count_in_each_unit() -> None:
    trail = Trail(id="aws_cloudtrail.t", name="t", location=Location("member/main.tf", 1))
    org_store = replace(STORE, is_organization=True, location=Location("org/main.tf", 1))
    estate = Estate.merge([
        in_unit(Estate(trails=(trail,)), "member"),
        in_unit(Estate(event_data_stores=(org_store,)), "org"),
        in_unit(Estate(event_data_stores=(replace(STORE, id="local"),)), "org"),
    ])  # fmt: skip
    views = {v.name: v for v in unit_views(estate)}
    assert set(views) == {"member", "org"}  # a unit with only a store is judged too
    borrowed = views["member"].estate.event_data_stores
    assert [s.id for s in borrowed] == [f"{STORE.id} (org)"]
    assert borrowed[0].foreign_unit == "org"


def test_collects_insights_reads_only_the_selectors() -> None:
    def store(selectors: Selectors | Unknown, status: str = "ENABLED") -> EventDataStore:
        return EventDataStore(id="s", name="s", selectors=selectors, status=status)

    insight = Selectors("advanced", advanced=(
        AdvancedSelector((FieldSelector("eventCategory", equals=("Insight",)),)),))  # fmt: skip
    assert collects_insights(store(insight)).match is True
    # ingestion is the caller's question
    assert collects_insights(store(insight, "STOPPED_INGESTION")).match is True
    assert collects_insights(store(Selectors.default())).match is False
    assert collects_insights(store(Unknown("var.selectors"))).match is None


# -- a store whose selectors AWS rejects (CreateEventDataStore fails): it records nothing -------

NO_CATEGORY = Selectors("advanced", advanced=(AdvancedSelector((
    FieldSelector("eventName", equals=("StopLogging",)),)),))  # fmt: skip
CATEGORY_VAR = Unknown("var.category has no value")
UNKNOWN_CATEGORY = Selectors("advanced", advanced=(AdvancedSelector((
    FieldSelector("eventCategory", equals=(CATEGORY_VAR,)),)),))  # fmt: skip
STOP = Event("cloudtrail.amazonaws.com", "StopLogging", "eu-west-1", read_only=False,
             recipient_account_id=ACCOUNT)  # fmt: skip


def test_a_rejected_store_records_nothing_and_says_why() -> None:
    decision = decide(replace(STORE, selectors=NO_CATEGORY), STOP)
    assert decision.status == "fail" and decision.stage == "logging"
    assert decision.reason == (
        "the event data store is rejected by AWS, so it does not exist and records nothing "
        "(selector 1: has no eventCategory field selector (required))"
    )


def test_whether_aws_accepts_a_store_may_be_unknown() -> None:
    store = replace(STORE, selectors=UNKNOWN_CATEGORY)
    decision = decide(store, STOP)
    assert decision.status == "unknown"
    assert "whether AWS accepts the event data store is unknown" in decision.reason
    assert "var.category has no value" in decision.reason
    # a miss that holds whatever the selectors are stays a miss
    assert decide(store, replace(STOP, aws_region="cn-north-1")).status == "fail"
    stopped = decide(replace(store, status="STOPPED_INGESTION"), STOP)
    assert stopped.status == "fail" and "STOPPED_INGESTION" in stopped.reason
    both = decide(replace(store, status=Unknown("var.suspend has no value")), STOP)
    assert both.status == "unknown" and "var.suspend" in both.reason
    assert "var.category" in both.reason


def test_a_trail_with_the_same_selectors_is_judged_as_before() -> None:
    # CreateTrail can succeed before PutEventSelectors fails: a trail is not dropped (CT011 says)
    t = Trail(id="t", name="t", account_id=ACCOUNT, home_region="eu-west-1",
              selectors=NO_CATEGORY)  # fmt: skip
    decision = decide(t, STOP)
    assert "rejected" not in decision.reason
    assert decision.stage != "logging"
