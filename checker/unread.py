"""What an unread collection of recorders may hold, as the simulator and the rules see it.

An `Unread` trails or event data stores collection (DescribeTrails or ListEventDataStores failed
in one account and Region, or the saved output lacks it) becomes one stand-in recorder in each
deployment unit's view (`checker.units`): its selectors are unknown, so it never captures an
event for certain, and its account, Region and organization scope are the widest its objects
can have, so it misses an event only where none of them could record it. Capture is a
disjunction over the recorders (`checker.tri`): an event a known trail captures stays captured;
one that no known recorder captures becomes unknown, with the failed read as its reason, where
the stand-in may record it; it stays missed where it cannot (another partition, an account
outside the organization).

- stores (ListEventDataStores answers for its own Region only; a store records every Region of
  its partition unless it is single-Region): multi-Region, ingesting, in the account, and an
  organization store unless the inputs say there is no organization;
- trails of one Region (DescribeTrails lists the multi-Region trails of the other Regions as
  shadow trails there, so only single-Region trails homed in the Region can be missing): a
  single-Region trail there; of every Region (no listing answered in the account): a multi-Region
  trail.

Rules about one trail or store judge no stand-in (`checker.engine` gives them one unknown per
unit and collection instead): a stand-in is not a resource."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from checker.model import Estate, EventDataStore, Reference, Trail, Tri, Unknown, Unread

RECORDERS = ("trails", "event_data_stores")
NOUN = {"trails": "trails", "event_data_stores": "event data stores"}


def describe(entry: Unread) -> str:
    """The collection as findings name it: "the event data stores of account A in R"."""
    noun = NOUN.get(entry.collection, entry.collection)
    whose = f" of account {entry.account_id}" if entry.account_id else ""
    if entry.collection == "trails":
        where = f" homed in {entry.region}" if entry.region else ""
    else:
        where = f" in {entry.region}" if entry.region else ""
    return f"the {noun}{whose}{where}"


def stand_in(entry: Unread, members: tuple[str, ...] | Unknown) -> Trail | EventDataStore:
    """The recorder standing for an unread trails or event data stores collection."""
    u = Unknown(f"{describe(entry)} could not be read: {entry.reason}")
    # an organization recorder records the members' events; without an organization, none
    organization: Tri = False if members == () else u
    account = entry.account_id or u
    home = entry.region or u
    # where its objects deliver: one unknown for every Region's stand-in of the account, so that
    # rules about the destinations say it once (CT027)
    whose = replace(entry, region="", reason="")
    ref = Reference(Unknown(f"{describe(whose)} could not all be read"))
    if entry.collection == "event_data_stores":
        return EventDataStore(
            id=f"{describe(entry)} (not read)", name=u, location=entry.location, account_id=account,
            home_region=home, status="ENABLED", is_multi_region=True, is_organization=organization,
            termination_protection=u, retention_days=u, billing_mode=u, kms_key=ref, selectors=u,
            insight_selectors=u,
        )  # fmt: skip
    return Trail(
        id=f"{describe(entry)} (not read)", name=u, location=entry.location, account_id=account,
        home_region=home, is_logging=True, is_multi_region=not entry.region,
        is_organization=organization, include_global_service_events=True, log_file_validation=u,
        bucket=ref, kms_key=ref, log_group=ref, sns_topic=ref, selectors=u, insight_selectors=u,
        delivery=u,
    )  # fmt: skip


def stand_ins(estate: Estate) -> tuple[Trail | EventDataStore, ...]:
    """One stand-in recorder per unread trails or event data stores collection of `estate`."""
    members = estate.organization_accounts
    return tuple(stand_in(u, members) for u in estate.unread if u.collection in RECORDERS)


def with_stand_ins(estate: Estate) -> Estate:
    """`estate` with its stand-in recorders among its trails and stores, for the commands that
    simulate a whole estate rather than its units' views (`trailcheck simulate`)."""
    extra = stand_ins(estate)
    if not extra:
        return estate
    return replace(
        estate,
        trails=estate.trails + tuple(t for t in extra if isinstance(t, Trail)),
        event_data_stores=estate.event_data_stores
        + tuple(s for s in extra if isinstance(s, EventDataStore)),
    )


def unread_of(estate: Estate, collection: str, target: str = "") -> Iterator[Unread]:
    """The estate's unread entries of one collection (of one target, when given)."""
    return (u for u in estate.unread
            if u.collection == collection and (not target or u.target == target))  # fmt: skip
