"""Rules answered by the event simulator rather than by reading attributes.

CT001, CT009 and CT010 ask whether whole classes of events are recorded, which
`checker.simulator.coverage` answers exactly through the capture semantics; CT011 asks whether
a trail's selectors are ones AWS accepts and that do what they seem to.
"""

from __future__ import annotations

from checker.model import Estate, Trail
from checker.predicates.context import Context, PredicateArgs
from checker.rules import Outcome, Subject
from checker.simulator.coverage import Coverage


def _estate_outcome(estate: Estate, cov: Coverage) -> Outcome:
    # a passing or failing estate answer that names one trail is located at that trail
    trail = next((t for t in estate.trails if t.id == cov.trail), None)
    return Outcome(cov.status, cov.message, trail.location if trail else None)


def records_all_management_events(
    ctx: Context, subject: Subject[Estate], args: PredicateArgs
) -> Outcome:
    from checker.simulator.coverage import estate_management_coverage

    estate = subject.obj
    cov = estate_management_coverage(
        estate, ctx.options.expected_regions, default_region=ctx.options.default_region,
        shared=ctx.shared,
    )
    return _estate_outcome(estate, cov)


def records_all_s3_objects(ctx: Context, subject: Subject[Estate], args: PredicateArgs) -> Outcome:
    from checker.simulator.coverage import s3_object_coverage

    estate = subject.obj
    cov = s3_object_coverage(
        estate,
        ctx.options.expected_regions,
        read_only=bool(args["read_only"]),
        default_region=ctx.options.default_region,
        shared=ctx.shared,
    )
    return _estate_outcome(estate, cov)


def valid_selectors(ctx: Context, subject: Subject[Trail], args: PredicateArgs) -> list[Outcome]:
    from checker.simulator.validity import check_selectors

    trail = subject.obj
    problems = check_selectors(trail, ctx.estate, default_region=ctx.options.default_region)
    if problems:
        return [Outcome(p.status, p.message, trail.where(p.attribute)) for p in problems]
    # a problem only the loader could see (basic and advanced selectors mixed) is already a
    # CT011 finding from the diagnostics: no contradicting pass next to it
    if any(d.rule_id == "CT011" and d.resource == trail.id for d in ctx.estate.diagnostics):
        return []
    ok = "the selectors are valid and do what they seem to"
    return [Outcome("pass", ok, trail.where("selectors"))]
