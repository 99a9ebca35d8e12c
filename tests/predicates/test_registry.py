"""The predicate table (`checker.predicates.PREDICATES`): a rule's predicate name leads to a
function of that name, and every predicate is used by a shipped rule."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checker.engine import load_rules
from checker.predicates import PREDICATES


def _names(cond: Any) -> set[str]:
    if isinstance(cond, Mapping):
        own = {cond["predicate"]} if "predicate" in cond else set()
        return own.union(*(_names(v) for v in cond.values()))
    if isinstance(cond, list):
        return set().union(*(_names(v) for v in cond))
    return set()


def test_each_name_is_its_function_name() -> None:
    assert {name: fn.__name__ for name, fn in PREDICATES.items()} == {n: n for n in PREDICATES}


def test_every_predicate_is_used_by_a_rule_and_every_used_one_exists() -> None:
    used = set().union(*(_names(r.check) | _names(r.applies) for r in load_rules()))
    assert used == set(PREDICATES)
