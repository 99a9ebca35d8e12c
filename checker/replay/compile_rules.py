"""EventBridge rules as SQL: for each record, whether the Python path lists a rule and whether
the rule fires, TRUE, FALSE or NULL (only the Python evaluator can tell), over step `f` of the
plan's query (the record's columns, the derived ones and each trail's decision).

A rule fires for a record when all of what `eventbridge.evaluate_rules` checks before the
targets holds (docs/semantics/eventbridge.md, "Which events reach a rule"):

- its state: DISABLED (or a state EventBridge does not accept) never; ENABLED not for read-only
  management events named Describe*, Get* or List* (but STS GetFederationToken and
  GetSessionToken); ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS always; an unknown state NULL;
- its bus: the default bus (a custom bus of the inputs never, an unknown one NULL) of the
  record's account and Region, when the rule's account and Region are known (else NULL);
- delivery (`eventbridge.reach`): a trail with logging on captures the record (not an event data
  store), it is under 256 KB and not a network activity event (NULL); a trail that may capture
  it, or a management event a logging trail of the account sees but does not record, is NULL;
- its event pattern (compile_event_pattern.py); a rule without a pattern, or with an invalid
  one, never matches; an unknown pattern is NULL.

Whether a target then notifies someone depends on the rule alone (and, for a target that is
another bus, on that bus's rules): the simulator reports it per record; the SQL does not.
`listed` (bus and pattern) is what the replay engine reads: a record for which no rule is listed
certainly has none in its result, and every other record goes to the Python evaluator, which
builds the rules' results with their explanations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from checker.model import Estate, EventRule, PartialPattern, Unknown
from checker.replay.compile_capture import CATEGORY, READ, SOURCE
from checker.replay.compile_event_pattern import compile_event_pattern
from checker.replay.sqltext import NULL_BOOL, all_of, any_of, case, lit
from checker.simulator.delivery import (
    ALL_MANAGEMENT_EVENTS_STATE,
    READ_NAMED_CHANGES,
    READ_PREFIXES,
)
from checker.simulator.event_pattern import PatternProblem
from checker.simulator.eventbridge import compiled_pattern, on_default_bus


@dataclass(frozen=True)
class RuleSQL:
    rule: EventRule
    listed: str  # bus and pattern: the Python path lists the rule in the record's result
    fires: str  # state, bus, delivery and pattern
    notes: tuple[str, ...]  # what is left to the Python evaluator


def compile_rule(estate: Estate, rule: EventRule, trails: Sequence[str],
                 paths: set[tuple[str, ...]]) -> RuleSQL:  # fmt: skip
    """`trails`: the column prefixes (`t<i>`) of the plan's trails, not event data stores. Adds
    the record fields read to `paths`."""
    text = rule.pattern
    notes: tuple[str, ...]
    if text is None:
        return RuleSQL(rule, "FALSE", "FALSE", ())
    if isinstance(text, Unknown) and not isinstance(text, PartialPattern):
        match, notes = NULL_BOOL, (f"the event pattern is unknown ({text.reason})",)
    elif isinstance(compiled_pattern(text), PatternProblem):
        return RuleSQL(rule, "FALSE", "FALSE", ())
    else:
        # a pattern some of whose values are unknown: its known fields still decide
        source = text.document if isinstance(text, PartialPattern) else text
        compiled = compile_event_pattern(source, paths)
        match, notes = compiled.expr, compiled.notes
    where = _bus(estate, rule)
    paths |= {("eventName",), ("eventSource",), ("readOnly",), ("awsRegion",),
              ("recipientAccountId",)}  # fmt: skip
    return RuleSQL(rule, all_of([where, match]),
                   all_of([_state(rule), where, reached(trails), match]), notes)


def rule_candidates(rules: Sequence[RuleSQL]) -> str:
    """TRUE for a record some rule may be listed for (its bus and pattern are not FALSE)."""
    return any_of([r.listed if r.listed in ("TRUE", "FALSE") else f"coalesce({r.listed}, TRUE)"
                   for r in rules if r.listed != "FALSE"])  # fmt: skip


def _state(rule: EventRule) -> str:
    state = rule.state
    if isinstance(state, Unknown):
        return NULL_BOOL
    if state == ALL_MANAGEMENT_EVENTS_STATE:
        return "TRUE"
    if state != "ENABLED":  # DISABLED, or a state EventBridge does not accept
        return "FALSE"
    name = "coalesce(eventname, '')"
    named = any_of([f"starts_with({name}, {lit(p)})" for p in READ_PREFIXES])
    changes = any_of([f"({SOURCE} = {lit(s)} AND {name} = {lit(n)})"
                      for s, n in sorted(READ_NAMED_CHANGES)])  # fmt: skip
    read = f"{READ} AND {named} AND NOT {changes}"
    # a record whose category is not known: whether it is such a management event is unknown
    return case([(f"({CATEGORY} = '' AND {read})", NULL_BOOL)],
                f"(NOT ({CATEGORY} = 'Management' AND {read}))")  # fmt: skip


def _bus(estate: Estate, rule: EventRule) -> str:
    default = on_default_bus(estate, rule.event_bus)
    if default is False:
        return "FALSE"
    parts = [NULL_BOOL] if isinstance(default, Unknown) else []
    account, region = rule.account_id, rule.region
    if isinstance(account, str):  # a record without recipientAccountId is any account's
        parts.append(f"(recipientaccountid IS NULL OR recipientaccountid = {lit(account)})")
    parts.append(f"(coalesce(awsregion, '') = {lit(region)})" if isinstance(region, str)
                 else NULL_BOOL)  # fmt: skip
    return all_of(parts)


def reached(trails: Sequence[str]) -> str:
    """`eventbridge.reach` over the trails' decision columns and the size class."""
    return case([
        (f"({CATEGORY} = 'NetworkActivity')", NULL_BOOL),
        ("(tc_size = 2)", "FALSE"),
        ("(tc_size = 1)", NULL_BOOL),
        (any_of([f"({t}_c = 0)" for t in trails]), "TRUE"),
        (any_of([f"({t}_c IS NULL OR {t}_c = 1)" for t in trails]), NULL_BOOL),
        (f"({CATEGORY} IN ('Data', 'Insight'))", "FALSE"),
        (any_of([f"({t}_s NOT IN (0, 1))" for t in trails]), NULL_BOOL),
    ], "FALSE")  # fmt: skip


__all__ = ["RuleSQL", "compile_rule", "reached", "rule_candidates"]
