"""checker/unread.py: the stand-in recorders of what could not be read, and how they decide."""

from __future__ import annotations

from checker.model import Estate, EventDataStore, Trail, Unknown, Unread
from checker.simulator.capture import CompiledTrail
from checker.simulator.events import Event
from checker.unread import describe, stand_in, stand_ins, unread_of, with_stand_ins

A, B = "111122223333", "444455556666"
STORES = Unread("event_data_stores", A, "us-east-1", "cloudtrail:ListEventDataStores failed")
TRAILS = Unread("trails", A, "eu-west-1", "cloudtrail:DescribeTrails failed")


def decide(entry: Unread, event: Event, members: tuple[str, ...] | Unknown = Unknown("?")) -> str:
    recorder = stand_in(entry, members)
    return CompiledTrail(recorder, organization_accounts=members).decide(event).status


def event(region: str, account: str = A) -> Event:
    return Event("iam.amazonaws.com", "CreateUser", region, recipient_account_id=account)


def test_names() -> None:
    assert describe(STORES) == f"the event data stores of account {A} in us-east-1"
    assert describe(TRAILS) == f"the trails of account {A} homed in eu-west-1"
    assert describe(Unread("trails", A, "", "x")) == f"the trails of account {A}"


def test_unread_stores_may_record_any_region_of_their_partition() -> None:
    store = stand_in(STORES, Unknown("?"))
    assert isinstance(store, EventDataStore) and isinstance(store.selectors, Unknown)
    assert "ListEventDataStores failed" in store.selectors.reason
    assert decide(STORES, event("ap-south-1")) == "unknown"
    assert decide(STORES, event("cn-north-1")) == "fail"  # another partition
    # another account: only as an organization store, unknown while members are
    assert decide(STORES, event("us-east-1", B)) == "unknown"
    assert decide(STORES, event("us-east-1", B), members=()) == "fail"  # no organization


def test_unread_trails_of_one_region_record_only_that_region() -> None:
    trail = stand_in(TRAILS, Unknown("?"))
    assert isinstance(trail, Trail) and trail.is_multi_region is False
    assert decide(TRAILS, event("eu-west-1")) == "unknown"
    assert decide(TRAILS, event("us-east-1")) == "fail"
    # no Region listed at all: a multi-Region trail may be missing
    everywhere = Unread("trails", A, "", "every Region failed")
    assert decide(everywhere, event("us-east-1")) == "unknown"


def test_only_recorders_stand_in() -> None:
    subs = Unread("subscriptions", A, "us-east-1", "denied", target="arn:aws:sns:us-east-1:1:t")
    estate = Estate(unread=(STORES, TRAILS, subs))
    assert [type(r) for r in stand_ins(estate)] == [EventDataStore, Trail]
    widened = with_stand_ins(estate)
    assert len(widened.trails) == 1 and len(widened.event_data_stores) == 1
    assert with_stand_ins(Estate()) == Estate()
    assert list(unread_of(estate, "subscriptions", "arn:aws:sns:us-east-1:1:t")) == [subs]
    assert list(unread_of(estate, "subscriptions", "arn:aws:sns:us-east-1:1:other")) == []
