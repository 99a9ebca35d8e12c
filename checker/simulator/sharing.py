"""Work that the deployment units' views of one scan share.

Every unit's view holds the other units' organization trails, and they are the same objects in
every view (`units.unit_views`). Compiling them, deciding probe events with them and answering
per-trail questions about them is therefore done once per scan, not once per view: without this
a monorepo's cost grows with units times organization trails.

Keys use object identity; each value keeps its object alive, so an identity is never reused
while the cache lives. A `Shared` lives as long as one scan (the engine's `Judgement`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from checker.simulator.alarms import Verdicts
from checker.simulator.capture import (
    MEMBERS_UNKNOWN,
    CompiledTrail,
    Decision,
    InsightSource,
    OrgAccounts,
    Recorder,
)
from checker.simulator.events import Event
from checker.simulator.stand_ins import StandIns

T = TypeVar("T")
R = TypeVar("R", bound=Recorder)


@dataclass(frozen=True)
class Foreign:
    """How one view holds other units' organization trails: `universe`, every such trail of the
    scan (work on them is shared over it, `key` names it), less the copies of the view's own
    (their ids are in `skip`; the view has those trails among its own)."""

    universe: tuple[Recorder, ...]
    key: int
    skip: frozenset[str]


@dataclass(frozen=True)
class OrganizationProbe:
    """Organization trails on one probe event: the first that captures it, or else every
    trail's decision in order and the ids of those that are unknown."""

    captured: str | None
    decisions: tuple[tuple[str, Decision], ...]
    undecided: frozenset[str]


def in_runs(recorders: Iterable[R]) -> Iterator[tuple[bool, list[R]]]:
    """`recorders` in runs of consecutive ones that are, or are not, other units' organization
    trails (a view holds its own, then those: work over the latter is shared, `Shared.each`)."""
    run: list[R] = []
    foreign = False
    for r in recorders:
        theirs = r.foreign_unit is not None
        if run and theirs != foreign:
            yield foreign, run
            run = []
        foreign = theirs
        run.append(r)
    if run:
        yield foreign, run


class Shared:
    def __init__(self, organization: Sequence[Recorder] = ()) -> None:
        # every unit's organization trails and stores as the views hold them (UnitView)
        self.organization = tuple(organization)
        self._compiled: dict[Hashable, tuple[Recorder, CompiledTrail]] = {}
        self._probes: dict[tuple[int, Hashable], OrganizationProbe] = {}
        # names for the unknown stretches of organization trails seen from other units: apart
        # from each unit's own names, since an unknown of one root module is not one of another
        self.stand_ins = StandIns("other unit ")
        self._answers: dict[Hashable, tuple[object, Any]] = {}
        self._tokens: dict[Hashable, int] = {}
        self._kept: list[tuple[Recorder, ...]] = []
        # scenario results of other units' organization trails (scenarios.ScenarioRunner)
        self.results: dict[Hashable, Any] = {}
        # the verdicts of metric filter patterns on the sample events, which every view's
        # filters share (alarms.TraceCache: keyed by the event's key and Region, then the text)
        self.pattern_verdicts: dict[tuple[Hashable, str], Verdicts] = {}

    def compiled(
        self,
        trail: Recorder,
        default_region: str | None,
        organization_accounts: OrgAccounts = MEMBERS_UNKNOWN,
        insight_sources: tuple[InsightSource, ...] = (),
    ) -> CompiledTrail:
        """The trail (or event data store) compiled; `insight_sources`' compiled stores must
        come from this object too, since they are told apart by identity."""
        sources = tuple((id(selectors), id(c)) for selectors, c in insight_sources)
        key = (id(trail), default_region, organization_accounts, sources)
        hit = self._compiled.get(key)
        if hit is None:
            compiled = CompiledTrail(trail, default_region=default_region,
                                     organization_accounts=organization_accounts,
                                     insight_sources=insight_sources)  # fmt: skip
            hit = self._compiled[key] = (trail, compiled)
        return hit[1]

    def compiled_universe(self, foreign: Foreign, default_region: str | None,
                          organization_accounts: OrgAccounts = MEMBERS_UNKNOWN,
                          ) -> list[CompiledTrail]:  # fmt: skip
        """`foreign.universe` compiled (`compiled`), listed once per scan."""
        key = ("compiled universe", foreign.key, default_region, organization_accounts)
        found: list[CompiledTrail] | None = self.results.get(key)
        if found is None:
            found = self.results[key] = [
                self.compiled(r, default_region, organization_accounts) for r in foreign.universe
            ]
        return found

    def foreign(self, recorders: Sequence[Recorder]) -> Foreign:
        """How a view holding `recorders` holds other units' organization trails."""
        held = tuple(r for r in recorders if r.foreign_unit is not None)
        if not held:
            return Foreign((), -1, frozenset())
        key = ("foreign", tuple(map(id, held)))
        found: tuple[tuple[Recorder, ...], Foreign] | None = self.results.get(key)
        if found is None:  # the same for every question about one view
            found = self.results[key] = (held, self._foreign(held))
        return found[1]

    def _foreign(self, held: tuple[Recorder, ...]) -> Foreign:
        universe = self.organization
        if not {id(r) for r in held} <= {id(r) for r in universe}:
            universe = tuple(held)  # a view made without the scan's list (a single view)
            self._kept.append(universe)  # its identities name it: they must not be reused
        ids = {id(r) for r in held}
        skip = frozenset(r.id for r in universe if id(r) not in ids)
        return Foreign(universe, self.token(tuple(id(r) for r in universe)), skip)

    def region_classes(
        self, foreign: Foreign, compiled: Sequence[CompiledTrail], region: str
    ) -> tuple[Hashable, ...]:
        """How the organization trails (`compiled`: `foreign.universe` compiled) treat `region`
        (`CompiledTrail.region_class`), worked out once per scan whichever views ask."""
        key = ("region classes", foreign.key, region)
        found: tuple[Hashable, ...] | None = self.results.get(key)
        if found is None:
            found = self.results[key] = tuple(c.region_class(region) for c in compiled)
        return found

    def probe(
        self,
        foreign: Foreign,
        compiled: Sequence[CompiledTrail],
        probe: Hashable,
        event: Callable[[], Event],
    ) -> OrganizationProbe:
        """The organization trails (`compiled`: `foreign.universe` compiled) on one probe event
        (`event()`, made only the first time: `probe` is a key that names it), decided once per
        scan whichever views ask."""
        key = (foreign.key, probe)
        found = self._probes.get(key)
        if found is None:
            captured: str | None = None
            decisions: list[tuple[str, Decision]] = []
            made = event()
            for c in compiled:
                d = c.decide(made)
                if d.status == "pass":
                    captured = c.trail.id
                    break  # one capture answers the probe
                decisions.append((c.trail.id, d))
            undecided = frozenset(tid for tid, d in decisions if d.status == "unknown")
            found = self._probes[key] = OrganizationProbe(captured, tuple(decisions), undecided)
        return found

    def token(self, key: Hashable) -> int:
        """A small stand-in for a large key (a tuple of identities) that is looked up often."""
        return self._tokens.setdefault(key, len(self._tokens))

    def each(self, recorders: Sequence[R], question: Hashable, compute: Callable[[R], T]
             ) -> list[T]:  # fmt: skip
        """`answer` for each of `recorders` (other units' organization trails), the list made
        once per scan for the same recorders: every view of an organization holds them."""
        key = ("each", question, tuple(map(id, recorders)))
        found: tuple[tuple[R, ...], list[T]] | None = self.results.get(key)
        if found is None:
            found = self.results[key] = (tuple(recorders), [
                self.answer(r, question, partial(compute, r)) for r in recorders])  # fmt: skip
        return found[1]

    def answer(self, obj: object, question: Hashable, compute: Callable[[], T]) -> T:
        """The answer to `question` about `obj` (a trail), computed once per scan."""
        key = (id(obj), question)
        hit = self._answers.get(key)
        if hit is None:
            hit = self._answers[key] = (obj, compute())
        result: T = hit[1]
        return result
