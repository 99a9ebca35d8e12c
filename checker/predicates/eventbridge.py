"""Predicates about EventBridge rules (rule CT060): the event pattern is one EventBridge accepts.

CT011 judges a trail's selectors and locates its findings at the trail; an invalid pattern is a
problem of the rule, found at the rule's `event_pattern`, so it has its own rule id.
"""

from __future__ import annotations

from checker.model import EventRule, Unknown
from checker.predicates.context import Context, PredicateArgs
from checker.rules import Outcome, Subject


def valid_event_pattern(ctx: Context, subject: Subject[EventRule], args: PredicateArgs) -> Outcome:
    from checker.simulator.event_pattern import PatternProblem
    from checker.simulator.eventbridge import compiled_pattern

    rule = subject.obj
    text = rule.pattern
    where = rule.where("pattern")
    if text is None:
        return Outcome("pass", "The rule has no event pattern (it runs on a schedule)", where)
    if isinstance(text, Unknown):
        return Outcome("unknown", f"The event pattern is unknown ({text.reason})", where)
    compiled = compiled_pattern(text)
    if isinstance(compiled, PatternProblem):
        return Outcome("fail", f"EventBridge rejects the event pattern: {compiled}", where)
    if compiled.caveats:
        return Outcome("unknown", f"The event pattern is valid, but {compiled.caveats[0]}", where)
    return Outcome("pass", "The event pattern is valid", where)
