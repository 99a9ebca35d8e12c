"""The one estate builder: every object filed under its collection, in the order added."""

from __future__ import annotations

from dataclasses import fields

from checker.estate_builder import COLLECTIONS, EstateBuilder
from checker.model import (
    Bucket,
    Diagnostic,
    Estate,
    InputFile,
    Location,
    PublicAccessBlock,
    Trail,
    Unknown,
)


def test_objects_land_in_their_collections_in_order() -> None:
    out = EstateBuilder()
    out.add(Trail(id="b", name="b"), Bucket(id="x", name="x"), Trail(id="a", name="a"))
    out.add(InputFile("t.yaml", "cloudformation", "ok"))
    out.add(Diagnostic("CT000", "fail", "broken", Location("t.yaml", 3)))
    out.of(Trail).append(Trail(id="c", name="c"))
    estate = out.estate(origin="live")
    assert [t.id for t in estate.trails] == ["b", "a", "c"]
    assert [b.id for b in estate.buckets] == ["x"]
    assert estate.inputs[0].path == "t.yaml" and estate.diagnostics[0].message == "broken"
    assert estate.origin == "live" and estate.keys == ()


def test_an_empty_builder_gives_the_empty_estate() -> None:
    assert EstateBuilder().estate() == Estate()
    u = Unknown("denied")
    blocks = EstateBuilder()
    blocks.add(PublicAccessBlock(u, u, u, u))
    assert len(blocks.estate().account_public_access_blocks) == 1


def test_the_collections_are_the_estate_s_resource_fields() -> None:
    names = {f.name for f in fields(Estate)}
    assert {name for name, _ in COLLECTIONS} <= names
    builder = EstateBuilder()
    for name, _ in COLLECTIONS:
        assert builder.named(name) == []
