"""What a predicate judges with, and the type every predicate has.

`Context` lives here, in the predicates' layer, rather than with `Rule` and `Subject` in the
bottom-layer `checker.rules`: it carries the scan's simulator caches (`Shared`, the scenario
runner), and the bottom layer may not know the simulator. The engine builds one per
deployment unit's view; everything cached on it lives as long as the scan, never in a module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from checker.model import Estate
from checker.rules import Options, Outcome, Subject
from checker.simulator.scenarios import ScenarioRunner
from checker.simulator.sharing import Shared


@dataclass(frozen=True)
class Context:
    """The estate (for rules about the set of trails, one deployment unit's view of it), the
    options, and the work the scan shares: `shared` across every view (other units'
    organization trails), `scenarios` within this view."""

    estate: Estate
    options: Options
    shared: Shared = field(default_factory=Shared, compare=False, hash=False)

    @cached_property
    def scenarios(self) -> ScenarioRunner:
        """The view's scenario runner, shared by CT101-CT115, CT120 and the coverage matrix:
        each sample event is simulated once per view. (`cached_property` writes the instance's
        `__dict__`, which a frozen dataclass allows.)"""
        return ScenarioRunner(
            self.estate, default_region=self.options.default_region, shared=self.shared
        )

    @cached_property
    def answers(self) -> dict[str, Any]:
        """Answers about the view that several rules or calls share (a predicate names its own
        key), let go with the view's simulations."""
        return {}

    def release(self) -> None:
        """Let go of the view's simulations (the engine calls this once the view is judged, so
        that a scan of many units holds one view's at a time), and of its estate's indexes;
        asked again, they are redone."""
        self.__dict__.pop("scenarios", None)
        self.__dict__.pop("answers", None)
        self.estate.drop_indexes()


PredicateArgs = dict[str, Any]  # the rule's `args:` mapping
PredicateResult = Outcome | Iterable[Outcome]
# A predicate takes the subject of its rule's scope; the registry holds them all under one type
Predicate = Callable[[Context, Subject[Any], PredicateArgs], PredicateResult]
