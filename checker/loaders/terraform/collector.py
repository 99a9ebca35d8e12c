"""What the model mappings share: the collector's state (`Collected`), the table of mappings
(each mapping module registers its resource types), and references between resources.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from checker.estate_builder import EstateBuilder
from checker.loaders.terraform.attrs import (
    Attrs,
    as_string,
    to_model,
)
from checker.loaders.terraform.values import Traced, untrace
from checker.model import (
    EventTarget,
    Location,
    Reference,
    Unknown,
)

Mapper = Callable[["Collected", Attrs], None]
# resource type -> its mapping; split S3 bucket resources -> how they fold into their bucket.
# Filled by the mapping modules (`register`); `resources` imports them all.
MAPPERS: dict[str, Mapper] = {}
FRAGMENTS: dict[str, Callable[[BucketDraft, Attrs], None]] = {}


def register(
    mappers: Mapping[str, Mapper],
    fragments: Mapping[str, Callable[[BucketDraft, Attrs], None]] | None = None,
) -> None:
    MAPPERS.update(mappers)
    FRAGMENTS.update(fragments or {})


def is_model_type(rtype: str) -> bool:
    return rtype in MAPPERS or rtype in FRAGMENTS


def resource_type(address: str) -> str:
    """`module.a["k"].aws_s3_bucket.logs[0]` -> aws_s3_bucket; "" for a data source, which is
    read from AWS and is no object of the inputs."""
    names = re.sub(r'\["[^"]*"\]|\[[^\]]*\]', "", address).split(".")
    while len(names) >= 2 and names[0] == "module":
        names = names[2:]
    return "" if not names or names[0] == "data" else names[0]


@dataclass
class BucketDraft:
    address: str
    location: Location
    values: dict[str, Any]
    lines: dict[str, int | Location]
    name: Any
    names: dict[str, str] = field(default_factory=dict)


@dataclass
class PolicyDraft:
    address: str
    kind: str
    document: Any
    location: Location
    name: Any
    targets: list[Any]
    lines: dict[str, int]
    names: dict[str, str] = field(default_factory=dict)


@dataclass
class Collected:
    """The model objects gathered so far (`resources.Collector` adds the mapping and the
    joining)."""

    default_region: str | None = None
    # the model objects as mapped (`built.add`); buckets and policies wait as drafts until
    # their fragments and attachments are folded in
    built: EstateBuilder = field(default_factory=EstateBuilder)
    buckets: dict[str, BucketDraft] = field(default_factory=dict)
    fragments: list[tuple[Attrs, Any]] = field(default_factory=list)
    policies: dict[str, PolicyDraft] = field(default_factory=dict)
    attachments: list[tuple[Any, Any]] = field(default_factory=list)
    # each target with the `rule` and `event_bus_name` it names, folded into its rule
    event_targets: list[tuple[EventTarget, Any, Any]] = field(default_factory=list)

    def region(self, a: Attrs) -> Any:
        r = to_model(a.region())
        if isinstance(r, str):
            return r
        if self.default_region:
            return self.default_region
        return r if isinstance(r, Unknown) else Unknown("the region is not known from the inputs")

    def _bucket_for(self, raw: Any) -> BucketDraft | None:
        if isinstance(raw, Traced) and raw.target in self.buckets:
            return self.buckets[raw.target]
        name = to_model(raw)
        if isinstance(name, str):
            for d in self.buckets.values():
                if d.name == name:
                    return d
        return None


def reference(a: Attrs, name: str) -> Reference | None:
    return make_reference(a.raw(name), name)


def make_reference(raw: Any, what: str) -> Reference | None:
    target = raw.target if isinstance(raw, Traced) else None
    if target is not None and not is_model_type(resource_type(target)):
        # "${var.prefix}-logs-${random_id.s.hex}" is traced to random_id.s, which is no object
        # of the model: the reference joins by its value instead
        target = None
    value = as_string(raw, what)
    if value is None or value == "":
        return None  # `kms_key_id = ""` is no key: the provider treats "" as not set
    return Reference(value, target)


def references(a: Attrs, name: str) -> tuple[Reference, ...]:
    raw = a.raw(name)
    v = untrace(raw)
    if v is None:
        return ()
    if isinstance(v, Unknown):
        # the list as a whole is unknown: one action whose value (and count) is unknown
        return (Reference(to_model(v), raw.target if isinstance(raw, Traced) else None),)
    if not isinstance(v, list):
        v = [raw]
    out = []
    for item in v:
        r = make_reference(item, name)
        if r is not None:
            out.append(r)
    return tuple(out)

