from __future__ import annotations

import pytest

from checker.model import (
    Bucket,
    Estate,
    InputFile,
    Key,
    KeyAlias,
    LogGroup,
    Reference,
    Topic,
    Trail,
    Unknown,
    first_unknown,
)


def test_unknown_has_no_truth_value() -> None:
    with pytest.raises(TypeError, match="no truth value"):
        bool(Unknown("var.x has no value"))


def test_unknown_carries_reason_in_str() -> None:
    assert "var.x" in str(Unknown("var.x has no value"))


def test_first_unknown() -> None:
    u = Unknown("r")
    assert first_unknown([True, u, False]) is u
    assert first_unknown([True, False]) is None


def test_locations_do_not_affect_equality() -> None:
    from checker.model import Location

    a = Trail(id="t", name="n", location=Location("a.tf", 1), lines={"name": 2})
    b = Trail(id="t", name="n", location=Location("b.yaml", 9))
    assert a == b


def test_resolve_by_target_name_and_arn() -> None:
    bucket = Bucket(id="aws_s3_bucket.logs", name="logs")
    key = Key(id="aws_kms_key.k", arn="arn:aws:kms:us-east-1:111122223333:key/abcd", key_id="abcd")
    group = LogGroup(
        id="g",
        name="/aws/cloudtrail",
        arn="arn:aws:logs:us-east-1:111122223333:log-group:/aws/cloudtrail",
    )
    topic = Topic(id="t", name="deliveries", arn="arn:aws:sns:us-east-1:111122223333:deliveries")
    estate = Estate(buckets=(bucket,), keys=(key,), log_groups=(group,), topics=(topic,))
    assert estate.resolve("bucket", Reference("logs")) is bucket
    assert estate.resolve("bucket", Reference("arn:aws:s3:::logs")) is bucket
    assert estate.resolve("bucket", Reference(Unknown("x"), target="aws_s3_bucket.logs")) is bucket
    assert estate.resolve("bucket", Reference("other")) is None
    assert estate.resolve("key", Reference("arn:aws:kms:us-east-1:111122223333:key/abcd")) is key
    assert estate.resolve("key", Reference("abcd")) is key
    assert estate.resolve("log_group", Reference(f"{group.arn}:*")) is group
    assert estate.resolve("topic", Reference("deliveries")) is topic
    assert estate.resolve("topic", Reference(topic.arn or "")) is topic


def test_resolve_key_through_alias() -> None:
    key = Key(id="k", arn="arn:aws:kms:eu-west-1:111122223333:key/abcd")
    alias = KeyAlias(
        id="a", name="alias/trail", target=Reference(Unknown("after apply"), target="k")
    )
    estate = Estate(keys=(key,), key_aliases=(alias,))
    assert estate.resolve("key", Reference("alias/trail")) is key
    assert estate.resolve("key", Reference("arn:aws:kms:eu-west-1:111122223333:alias/trail")) is key


def test_trail_joins() -> None:
    bucket = Bucket(id="b", name="logs")
    trail = Trail(id="t", name="main", bucket=Reference("logs"), kms_key=Reference("missing"))
    estate = Estate(trails=(trail,), buckets=(bucket,))
    assert estate.bucket_of(trail) is bucket
    assert estate.key_of(trail) is None
    assert estate.log_group_of(trail) is None


def test_merge_concatenates_and_keeps_origin() -> None:
    a = Estate(trails=(Trail(id="a", name="a"),), inputs=(InputFile("a.tf", "terraform"),))
    b = Estate(trails=(Trail(id="b", name="b"),), origin="live", organization_accounts=("1",))
    merged = Estate.merge([a, b])
    assert [t.id for t in merged.trails] == ["a", "b"]
    assert merged.origin == "live"
    assert merged.organization_accounts == ("1",)
    assert merged.inputs == (InputFile("a.tf", "terraform"),)


def test_merge_keeps_unknown_org_when_none_known() -> None:
    merged = Estate.merge([Estate(), Estate()])
    assert isinstance(merged.organization_accounts, Unknown)


def test_partly_known_keeps_known_stretches_and_certainty() -> None:
    from checker.model import Computed, PartlyComputed, PartlyKnown, Unknown, partly_known

    arn = Computed("the ARN of Logs is assigned at deploy")
    objects = partly_known("r", [arn, "/", "*"])
    assert isinstance(objects, PartlyComputed) and objects.parts == (None, "/*")
    assert isinstance(objects, Computed)  # certainly set: counts as present
    maybe = partly_known("r", ["arn:aws:s3:::", Unknown("var.name"), "/*"])
    assert isinstance(maybe, PartlyKnown) and not isinstance(maybe, Computed)
    assert maybe.parts == ("arn:aws:s3:::", None, "/*")
    # nested: a part built the same way is spliced in
    assert partly_known("r", [objects, "x"]).parts == (None, "/*x")  # type: ignore[attr-defined]
    # nothing known: a plain unknown (or Computed)
    assert type(partly_known("r", [arn])) is Computed
    assert type(partly_known("r", [Unknown("u"), ""])) is Unknown


def test_targets_join_only_within_their_load_unit() -> None:
    from checker.model import Bucket, Estate, Location, Reference, Trail
    from checker.unit_stamp import in_unit

    def unit(name: str, bucket_name: str) -> Estate:
        loc = Location(f"{name}.yaml", 1)
        return in_unit(Estate(
            trails=(Trail(id="Trail", name=name, location=loc,
                          bucket=Reference(bucket_name, target="Logs")),),
            buckets=(Bucket(id="Logs", name=bucket_name, location=loc),),
        ), f"{name}.yaml")  # fmt: skip

    estate = Estate.merge([unit("a", "a-logs"), unit("b", "b-logs")])
    for trail in estate.trails:
        bucket = estate.bucket_of(trail)
        assert bucket is not None and bucket.name == f"{trail.name}-logs"
    # names and ARNs still join across units
    by_name = Reference("b-logs")
    found = estate.resolve("bucket", by_name)
    assert found is not None and found.name == "b-logs"


def test_where_points_at_an_attribute_in_the_objects_file_or_at_its_own_location() -> None:
    from checker.model import Bucket, Location

    lifecycle = Location("env/main.tf", 40, unit="env")
    b = Bucket(id="b", name="b", location=Location("modules/bucket/main.tf", 3, unit="env"),
               lines={"versioning": 7, "lifecycle_expirations": lifecycle})  # fmt: skip
    assert b.where("versioning") == Location("modules/bucket/main.tf", 7)
    assert b.where("lifecycle_expirations") == lifecycle
    assert b.where("policy") == b.where() == Location("modules/bucket/main.tf", 3)
