"""The lookup tables of a unit's view (`joins.layered_index`: its own objects, then the objects
lent by other units, whose tables are built once per scan) join every reference to the same
object as a table built over the whole view (`joins.whole_index`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from checker.joins import KINDS, LentTables, lookup, whole_index
from checker.model import (
    Alarm,
    Bucket,
    Estate,
    Key,
    KeyAlias,
    Location,
    LogGroup,
    MetricFilter,
    Reference,
    Topic,
    Trail,
    Unknown,
)
from checker.simulator.alarms import TraceCache
from checker.unit_stamp import UNIT_COLLECTIONS, in_unit
from checker.units import unit_views

UNITS = ("envs/a", "envs/b", "envs/c", "envs/d")
NAMES = ("logs", "audit", "alias/ct", "alias/x")  # shared across units on purpose
ACCOUNT = "111122223333"


@st.composite
def unit_estates(draw: st.DrawFn, unit: str) -> Estate:
    """One unit's objects, with names and ids that collide with other units'."""
    n = draw(st.integers(0, 2))
    key_ids = [f"k{draw(st.integers(0, 2))}" for _ in range(draw(st.integers(0, 3)))]
    keys = tuple(
        Key(id=f"aws_kms_key.{i}", location=Location(f"{unit}/main.tf", i + 1),
            arn=f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{kid}", key_id=kid,
            aliases=tuple(draw(st.lists(st.sampled_from(NAMES[2:]), max_size=2))))
        for i, kid in enumerate(dict.fromkeys(key_ids))
    )  # fmt: skip
    targets = st.one_of(
        st.builds(lambda i: Reference("?", target=f"aws_kms_key.{i}"),
                  st.integers(0, max(0, len(keys) - 1))),
        st.builds(lambda i: Reference("?", target=f"aws_kms_key.{i}"),
                  st.integers(0, max(0, len(keys) - 1))),
        st.builds(lambda kid: Reference(f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{kid}"),
                  st.sampled_from(("k0", "k1", "k2"))),
        st.builds(Reference, st.sampled_from(NAMES[2:])),
    )  # fmt: skip
    aliases = tuple(
        KeyAlias(id=f"aws_kms_alias.{i}", name=draw(st.sampled_from(NAMES[2:])),
                 target=draw(targets), location=Location(f"{unit}/main.tf", 50 + i))
        for i in range(draw(st.integers(0, 3)))
    )  # fmt: skip
    buckets = tuple(
        Bucket(id=f"aws_s3_bucket.{i}", name=draw(st.sampled_from(NAMES[:2])),
               location=Location(f"{unit}/main.tf", 10 + i))
        for i in range(n)
    )  # fmt: skip
    groups = tuple(
        LogGroup(id=f"aws_cloudwatch_log_group.{i}", name=draw(st.sampled_from(NAMES[:2])),
                 location=Location(f"{unit}/main.tf", 20 + i))
        for i in range(draw(st.integers(0, 2)))
    )  # fmt: skip
    topics = tuple(
        Topic(id=f"aws_sns_topic.{i}", name=draw(st.sampled_from(NAMES[:2])),
              location=Location(f"{unit}/main.tf", 30 + i))
        for i in range(draw(st.integers(0, 1)))
    )  # fmt: skip
    trails = tuple(
        Trail(id="aws_cloudtrail.t", name="t", location=Location(f"{unit}/main.tf", 40),
              is_organization=draw(st.sampled_from((True, True, False))))
        for _ in range(draw(st.sampled_from((0, 1, 1))))
    )  # fmt: skip
    # filters on a group by target (within the unit) or by a name any unit may hold, some of
    # which read the record's Region; alarms on metrics named alike across units, or unknown
    filters = tuple(
        MetricFilter(id=f"aws_cloudwatch_log_metric_filter.{i}",
                     log_group=draw(st.sampled_from((
                         Reference("?", target=f"aws_cloudwatch_log_group.{i % 2}"),
                         Reference(NAMES[i % 2])))),
                     pattern=draw(st.sampled_from(('{ $.eventName = "StopLogging" }',
                                                   '{ $.awsRegion = "us-east-1" }'))),
                     transformations=(), location=Location(f"{unit}/main.tf", 60 + i))
        for i in range(draw(st.integers(0, 2)))
    )  # fmt: skip
    alarms = tuple(
        Alarm(id=f"aws_cloudwatch_metric_alarm.{i}",
              metric_name=draw(st.sampled_from(("StopLogging", "RootUse", Unknown("var")))),
              namespace="CIS", location=Location(f"{unit}/main.tf", 70 + i))
        for i in range(draw(st.integers(0, 2)))
    )  # fmt: skip
    raw = Estate(trails=trails, buckets=buckets, keys=keys, key_aliases=aliases,
                 log_groups=groups, topics=topics, metric_filters=filters,
                 alarms=alarms)  # fmt: skip
    return in_unit(raw, unit)


def references(estate: Estate) -> list[Reference]:
    """References from every unit: by each object's id, and by every name and ARN in play."""
    values = [*NAMES, *(f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k{i}" for i in range(3)),
              *(f"arn:aws:kms:us-east-1:{ACCOUNT}:{a}" for a in NAMES[2:]),
              *(f"arn:aws:s3:::{b}" for b in NAMES[:2])]  # fmt: skip
    ids = {o.id for c in ("buckets", "keys", "key_aliases", "log_groups", "topics")
           for o in getattr(estate, c)}  # fmt: skip
    out = [Reference(v, unit=u) for u in UNITS for v in values]
    out += [Reference("?", target=i, unit=u) for u in UNITS for i in sorted(ids)]
    return out


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(UNITS), min_size=2, max_size=4, unique=True).flatmap(
        lambda units: st.tuples(*(unit_estates(u) for u in units))
    ),
    st.dictionaries(st.sampled_from(UNITS), st.sampled_from(("g1", "g2")), max_size=2),
)
def test_a_views_layered_tables_join_as_a_whole_table(parts: tuple[Estate, ...],
                                                       groups: dict[str, str]) -> None:  # fmt: skip
    estate = Estate.merge(parts)
    refs = references(estate)
    for view in unit_views(estate, groups):
        lent: Any = view.estate.__dict__.get("_lent")
        if lent is None:
            continue
        event("layered" if lent[1].exact else "whole")
        whole = whole_index(view.estate)
        for kind in KINDS:
            for ref in refs:
                assert view.estate.resolve(kind, ref) is lookup(whole[kind], ref), (kind, ref)
        # what is indexed once over the lent filters and alarms (`LentTables`) holds for the view
        plain = replace(view.estate)
        plain.share_account(lent[2])
        event("lent filters indexed once" if lent[1].filters_by_group is not None
              else "lent filters joined per view")  # fmt: skip
        for group in view.estate.log_groups:
            assert view.estate.filters_on(group) == plain.filters_on(group)
            assert view.estate.filters_maybe_on(group) == plain.filters_maybe_on(group)
        for name in ("StopLogging", "RootUse"):
            assert view.estate.alarms_on(name, "CIS") == plain.alarms_on(name, "CIS")
        assert view.estate.alarms_on_unknown_metrics == plain.alarms_on_unknown_metrics
        blind = TraceCache({}).estate_region_blind
        assert blind(view.estate) == blind(plain)


def test_an_alias_joined_by_name_makes_views_build_whole_tables() -> None:
    """A lent alias that joins its key by name might join one of the view's own keys instead."""
    alias = KeyAlias("aws_kms_alias.a", "alias/ct", Reference("k0"), Location("envs/a/main.tf"))
    assert not LentTables(in_unit(Estate(key_aliases=(alias,)), "envs/a")).exact
    by_target = KeyAlias("aws_kms_alias.a", "alias/ct", Reference("k0", target="aws_kms_key.k"),
                         Location("envs/a/main.tf"))  # fmt: skip
    key = Key("aws_kms_key.k", Location("envs/a/main.tf"), key_id="k0")
    assert LentTables(in_unit(Estate(keys=(key,), key_aliases=(by_target,)), "envs/a")).exact


def test_a_bucket_known_by_its_arn_alone_joins_by_name_in_any_partition() -> None:
    """A bucket whose name is unknown but whose China ARN is known: a trail naming it by name,
    or by a commercial spelling of the ARN (CloudFormation without a Region), finds it."""
    bucket = Bucket(id="b", location=Location("main.tf", 1), name=Unknown("computed"),
                    arn="arn:aws-cn:s3:::cn-logs")  # fmt: skip
    table = whole_index(Estate(buckets=(bucket,)))["bucket"]
    for spelling in ("cn-logs", "arn:aws:s3:::cn-logs", "arn:aws-cn:s3:::cn-logs"):
        assert lookup(table, Reference(spelling)) is bucket, spelling


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(UNITS), min_size=2, max_size=4, unique=True).flatmap(
        lambda units: st.tuples(*(unit_estates(u) for u in units))
    ),
    st.dictionaries(st.sampled_from(UNITS), st.sampled_from(("g1", "g2")), max_size=2),
)
def test_a_view_holds_its_units_objects_then_those_of_the_units_it_borrows_from(
    parts: tuple[Estate, ...], groups: dict[str, str]
) -> None:
    """What the units of organization trails lend is put together once per organization
    (`units._LentObjects`); each view still holds its own units' objects, then those of every
    other unit with an organization trail, in the estate's order."""
    estate = Estate.merge(parts)
    collections = ("buckets", "keys", "log_groups", "metric_filters", "alarms", "topics")
    # units in the order their objects first come, collection by collection
    units = list(dict.fromkeys(o.location.unit for c in UNIT_COLLECTIONS
                               for o in getattr(estate, c)))  # fmt: skip
    lending = list(dict.fromkeys(t.location.unit for t in estate.trails
                                 if t.is_organization is not False))  # fmt: skip
    for view in unit_views(estate, groups):
        own = [u for u in units if groups.get(u, u) == view.name]
        order = own + [u for u in lending if u not in own]
        for collection in collections:
            expected = [o for u in order for o in getattr(estate, collection)
                        if o.location.unit == u]  # fmt: skip
            assert list(getattr(view.estate, collection)) == expected, collection
