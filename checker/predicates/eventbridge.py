"""Predicates about EventBridge rules (rule CT060): the event pattern is one EventBridge accepts.

CT011 judges a trail's selectors and locates its findings at the trail; an invalid pattern is a
problem of the rule, found at the rule's `event_pattern`, so it has its own rule id.
"""

from __future__ import annotations

from checker.model import EventRule, PartialPattern, Unknown
from checker.predicates.context import Context, PredicateArgs
from checker.rules import Outcome, Subject


def valid_event_pattern(ctx: Context, subject: Subject[EventRule], args: PredicateArgs) -> Outcome:
    from checker.simulator.event_pattern import PatternProblem, load_json
    from checker.simulator.eventbridge import compiled_pattern

    rule = subject.obj
    text = rule.pattern
    where = rule.where("pattern")
    if text is None:
        return Outcome("pass", "The rule has no event pattern (it runs on a schedule)", where)
    if isinstance(text, Unknown) and not isinstance(text, PartialPattern):
        return Outcome("unknown", f"The event pattern is unknown ({text.reason})", where)
    if isinstance(text, str) and not text.strip():
        return Outcome("fail", "The event pattern is empty, so the rule matches no event", where)
    compiled = compiled_pattern(text)
    if isinstance(compiled, PatternProblem):
        return Outcome("fail", f"EventBridge rejects the event pattern: {compiled}", where)
    dead = _prefixed_event_names(text.document if isinstance(text, PartialPattern)
                                 else load_json(text))  # fmt: skip
    if dead:
        shown = ", ".join(repr(v) for v in dead[:3]) + (f" (+{len(dead) - 3} more)"
                                                         if len(dead) > 3 else "")  # fmt: skip
        return Outcome("fail", f"The event pattern is valid, but detail.eventName {shown} never "
                       "matches a CloudTrail event: eventName is the API action alone, without "
                       "the service prefix of IAM policies (StopLogging, not "
                       "cloudtrail:StopLogging)", where)  # fmt: skip
    if compiled.caveats:
        return Outcome("unknown", f"The event pattern is valid, but {compiled.caveats[0]}", where)
    if compiled.holes:
        # a value not known could still be one EventBridge rejects (an array, an operator
        # object, a string long enough to pass the size quota): the known parts are all checked
        return Outcome("unknown", "The known parts of the event pattern are valid; a value in it "
                       f"is not known ({compiled.holes[0]})", where)  # fmt: skip
    return Outcome("pass", "The event pattern is valid", where)


def _prefixed_event_names(pattern: object) -> list[str]:
    """The values a pattern (parsed) compares `detail.eventName` with (exactly, or as a prefix)
    that hold a colon: a CloudTrail record's eventName is the API action's name (CloudTrail User
    Guide, "CloudTrail record contents", eventName), which has none, so such a value never
    matches. `$or` branches are followed."""
    found: list[str] = []

    def values(leaf: object) -> None:
        for item in leaf if isinstance(leaf, list) else ():
            if isinstance(item, dict) and len(item) == 1:
                (op, arg), = item.items()
                item = arg if op in ("prefix", "equals-ignore-case") else None
            if isinstance(item, str) and ":" in item and item not in found:
                found.append(item)

    def walk(node: object, path: tuple[str, ...]) -> None:
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            if key == "$or" and isinstance(value, list):
                for branch in value:
                    walk(branch, path)
            elif path == ("detail",) and key == "eventName":
                values(value)
            elif not path and key == "detail":
                walk(value, ("detail",))

    walk(pattern, ())
    return found
