"""EventBridge rules as a SQL pre-filter: which records some rule's event pattern may match.

An event pattern reads the EventBridge event CloudTrail makes of the record (eventbridge_event.py)
with operators the table cannot always express, so the patterns are not compiled: the SQL only
rules out, for each rule, the records that certainly do not match it, from the conjuncts of the
pattern it can read exactly, and the Python evaluator decides every other record (a rule is
listed in a record's result only when its pattern matches or might: eventbridge.evaluate_rules).
The conjuncts read are plain-string lists (exact matches, EventBridge UG "Event patterns") on:

- `source`: `aws.` and the service prefix of a well-formed eventSource (`<service>.amazonaws.com`)
  of a record that is neither an Insights nor a network activity event; other records' source is
  unknown, so they may match;
- `detail.eventSource` and `detail.eventName`: the record's own fields (a value that starts with
  `[` may be an array, whose elements match one by one: it may match).

Every other part of a pattern (`detail-type`, `$or`, operators, other fields) is left out, which
only widens what may match. A pattern that is unknown may match anything; a rule without a
pattern, or with an invalid one, matches nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from checker.model import EventRule, Unknown
from checker.replay.sqltext import all_of, any_of, in_list, lit
from checker.simulator.event_pattern import PatternProblem
from checker.simulator.eventbridge import compiled_pattern

# eventbridge_event._EVENT_SOURCE, as RE2 reads it
WELL_FORMED = r"[a-z0-9][a-z0-9-]*\.amazonaws\.com"
SUFFIX = ".amazonaws.com"


def rule_candidates(rules: Sequence[EventRule], paths: set[tuple[str, ...]]) -> str:
    """TRUE for a record some rule's pattern may match, FALSE when none can (DuckDB SQL over the
    CloudTrail table's columns). Adds the record fields it reads to `paths`."""
    return any_of([c for c in (_rule(r, paths) for r in rules) if c != "FALSE"])


def _rule(rule: EventRule, paths: set[tuple[str, ...]]) -> str:
    text = rule.pattern
    if text is None:
        return "FALSE"
    if isinstance(text, Unknown):
        return "TRUE"
    if isinstance(compiled_pattern(text), PatternProblem):
        return "FALSE"
    root = json.loads(text)  # valid: compiled above (the last of duplicate keys counts)
    parts: list[str] = []
    source = _strings(root.get("source"))
    if source is not None:
        parts.append(_source(source))
    detail = root.get("detail")
    if isinstance(detail, dict):
        for key, column in (("eventSource", "eventsource"), ("eventName", "eventname")):
            values = _strings(detail.get(key))
            if values is not None:
                paths.add((key,))
                parts.append(f"(coalesce({in_list(column, values)}, FALSE) OR "
                             f"starts_with(coalesce({column}, ''), '['))")  # fmt: skip
    return all_of(parts) if parts else "TRUE"


def _strings(value: Any) -> list[str] | None:
    """The values of a field that lists plain strings only; None for anything else."""
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value
    return None


def _source(values: list[str]) -> str:
    sources = [v[len("aws."):] + SUFFIX for v in values if v.startswith("aws.")]
    known = (f"(coalesce(regexp_full_match(eventsource, {lit(WELL_FORMED)}), FALSE) AND "
             "coalesce(eventcategory, '') NOT IN ('Insight', 'NetworkActivity'))")  # fmt: skip
    if not sources:
        return f"(NOT {known})"
    return f"(NOT {known} OR {in_list('eventsource', sources)})"


__all__ = ["rule_candidates"]
