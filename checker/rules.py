"""What a rule is, and what judging one works with: the types the engine, the predicates, the
configuration and the reports share. A bottom-layer module (it knows only the model).

A `Rule` is one `policies/rules/*.yaml` document, loaded by `checker.engine.load_rules`. The
engine judges it on every `Subject` of its scope: a condition, or a predicate registered in
`checker.predicates.PREDICATES`, gives `Outcome`s, and each outcome becomes a finding. What a
predicate judges with (`Context`, which holds simulator caches) is one layer up, in
`checker.predicates.context`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from checker.findings import Severity
from checker.model import Location, Reference, Trail
from checker.regions import DEFAULT_REGIONS
from checker.tri import Status


@dataclass(frozen=True)
class Example:
    path: str  # relative to the repository root
    expect: str  # "fail" or "pass"
    kind: str = "terraform"


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    title: str
    severity: Severity
    scope: str
    rationale: str
    check: Mapping[str, Any] | None  # None for CT000, which only the loaders report
    messages: Mapping[str, str]
    remediation: Mapping[str, str]
    examples: tuple[Example, ...]
    applies: Mapping[str, Any] | None = None
    source: str = ""
    compliance: tuple[str, ...] = ()


SubjectT = TypeVar("SubjectT")


@dataclass(frozen=True)
class Subject(Generic[SubjectT]):
    """What one rule evaluation is about: for scope `bucket` a `Subject[Bucket]`, for scope
    `estate` a `Subject[Estate]` (one deployment unit's view), and so on. A bucket, key, log
    group or topic that a trail names but the inputs do not hold is a `Subject[Reference]`; the
    engine reports it unknown itself, so a predicate never receives one."""

    resource: str
    location: Location
    obj: SubjectT
    users: tuple[Trail, ...] = ()  # trails that use this bucket/key/log group

    @property
    def outside(self) -> bool:
        return isinstance(self.obj, Reference)


@dataclass(frozen=True)
class Outcome:
    status: Status
    message: str
    location: Location | None = None  # defaults to the subject's location
    resource: str | None = None  # defaults to the subject's id


@dataclass(frozen=True)
class Options:
    """Settings that change verdicts (from the command line or `.trailcheck.yaml`)."""

    min_retention_days: int = 365
    regions: tuple[str, ...] = ()  # expected regions; empty means the default set
    default_region: str | None = None  # `--region`: home region when inputs do not say
    # load unit -> the name of the group of units that deploy into one account (config
    # `estates:`); a unit not listed is its own group
    unit_groups: Mapping[str, str] = field(default_factory=dict, compare=False)
    # load unit -> the name of its organization (config `organizations:`): another unit's
    # organization trails cover it unless both are placed, in different organizations
    unit_organizations: Mapping[str, str] = field(default_factory=dict, compare=False)
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def expected_regions(self) -> tuple[str, ...]:
        return self.regions or DEFAULT_REGIONS


def outside_inputs(
    kind: str, ref: Reference, users: Sequence[Trail], consequence: str
) -> tuple[str, str]:
    """(resource id, message) for an object a trail names that is not in the scanned inputs:
    what it is, or why it is not known, said once and plainly, with how to supply it."""
    names = ", ".join(t.id for t in users)
    kind_name = kind.replace("_", " ")
    if isinstance(ref.value, str):
        resource = ref.value
        if kind == "bucket" and not resource.startswith("arn:"):
            resource = f"arn:aws:s3:::{resource}"
        return resource, (
            f"the {kind_name} {ref.value} (used by {names}) is not in the scanned inputs, so "
            f"{consequence}; scan the configuration that creates it together with this one"
        )
    resource = ref.target or f"the {kind_name} of {users[0].id}" if users else kind_name
    return resource, f"the {kind_name} of {names} is not known, so {consequence}: " + (
        ref.value.reason
    )
