"""Registered Python predicates: the escape hatch of the declarative rule language.

A predicate receives the evaluation context, the subject of the rule's scope and the rule's
`args`, and returns one `Outcome` or several (estate-scope predicates report per resource).
Modules in this package register themselves on import; `load_all()` imports them.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from checker.model import Estate, Location, Reference, Trail
from checker.simulator.sharing import Shared

OutcomeStatus = Literal["pass", "fail", "unknown"]


@dataclass(frozen=True)
class Outcome:
    status: OutcomeStatus
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
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def expected_regions(self) -> tuple[str, ...]:
        from checker.regions import DEFAULT_REGIONS

        return self.regions or DEFAULT_REGIONS


@dataclass(frozen=True)
class Context:
    """What a predicate judges with: the estate (for rules about the set of trails, one
    deployment unit's view of it), the options, and caches that live as long as the scan."""

    estate: Estate
    options: Options
    cache: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    # work every unit's view of the scan shares (other units' organization trails)
    shared: Shared = field(default_factory=Shared, compare=False, hash=False)


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


PredicateResult = Outcome | Iterable[Outcome]
Predicate = Callable[[Context, Any, dict[str, Any]], PredicateResult]

PREDICATES: dict[str, Predicate] = {}


def predicate(name: str) -> Callable[[Predicate], Predicate]:
    def register(fn: Predicate) -> Predicate:
        if name in PREDICATES:
            raise ValueError(f"predicate {name!r} registered twice")
        PREDICATES[name] = fn
        return fn

    return register


def load_all() -> dict[str, Predicate]:
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return PREDICATES
