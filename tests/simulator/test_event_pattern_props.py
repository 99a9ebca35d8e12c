"""Property tests for EventBridge event patterns: laws that hold whatever the event."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from checker.simulator.event_pattern import EventPattern, compile_pattern

TEXT = st.text(alphabet="abAB-*.", max_size=5)
SCALARS = st.one_of(TEXT, st.integers(-3, 3), st.booleans(), st.none())
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3))
NESTED = st.fixed_dictionaries({}, optional={"a": VALUES})
EVENTS = st.fixed_dictionaries({}, optional={"a": VALUES, "b": VALUES, "d": NESTED})

LEAF_ITEMS = st.one_of(
    SCALARS,
    st.builds(lambda t: {"prefix": t}, TEXT),
    st.builds(lambda t: {"suffix": t}, TEXT),
    st.builds(lambda t: {"equals-ignore-case": t}, TEXT),
    st.builds(lambda t: {"anything-but": t}, st.text(alphabet="abAB", max_size=3)),
    st.builds(lambda n: {"numeric": [">", n]}, st.integers(-3, 3)),
    st.builds(lambda e: {"exists": e}, st.booleans()),
)
BRANCHES = st.dictionaries(st.sampled_from(["a", "b"]), st.lists(LEAF_ITEMS, min_size=1,
                                                                  max_size=3), min_size=1)


def compiled(obj: Any) -> EventPattern:
    p = compile_pattern(obj)
    assert isinstance(p, EventPattern), p
    return p


@settings(max_examples=150, deadline=None)
@given(branches=st.lists(BRANCHES, min_size=2, max_size=3), extra=BRANCHES,
       events=st.lists(EVENTS, min_size=1, max_size=5))
def test_adding_an_or_branch_never_matches_fewer_events(
    branches: list[dict[str, Any]], extra: dict[str, Any], events: list[dict[str, Any]]
) -> None:
    narrow = compiled({"$or": branches})
    wide = compiled({"$or": [*branches, extra]})
    for event in events:
        before, after = narrow.match(event).match, wide.match(event).match
        if before is True:
            assert after is True
        if after is False:
            assert before is False


@settings(max_examples=150, deadline=None)
@given(items=st.lists(LEAF_ITEMS, min_size=1, max_size=3), extra=LEAF_ITEMS,
       events=st.lists(EVENTS, min_size=1, max_size=5))
def test_adding_a_value_never_matches_fewer_events(
    items: list[Any], extra: Any, events: list[dict[str, Any]]
) -> None:
    narrow, wide = compiled({"a": items}), compiled({"a": [*items, extra]})
    for event in events:
        if narrow.match(event).match is True:
            assert wide.match(event).match is True


@settings(max_examples=200, deadline=None)
@given(x=TEXT, s=TEXT)
def test_anything_but_is_the_complement_of_the_exact_value_on_strings(x: str, s: str) -> None:
    exact = compiled({"f": [x]}).match({"f": s}).match
    but = compiled({"f": [{"anything-but": x}]}).match({"f": s}).match
    assert but is (not exact)


@settings(max_examples=200, deadline=None)
@given(p=TEXT, s=TEXT)
def test_prefix_suffix_and_ignore_case_are_the_string_tests(p: str, s: str) -> None:
    event = {"f": s}
    assert compiled({"f": [{"prefix": p}]}).match(event).match is s.startswith(p)
    assert compiled({"f": [{"suffix": p}]}).match(event).match is s.endswith(p)
    assert compiled({"f": [{"equals-ignore-case": p}]}).match(event).match is (
        s.lower() == p.lower())
    assert compiled({"f": [{"anything-but": {"prefix": p}}]}).match(event).match is (
        not s.startswith(p))


@settings(max_examples=200, deadline=None)
@given(p=st.text(alphabet="ab.-", max_size=5), s=TEXT)
def test_a_wildcard_without_stars_is_an_exact_match(p: str, s: str) -> None:
    assert compiled({"f": [{"wildcard": p}]}).match({"f": s}).match is (p == s)


@settings(max_examples=100, deadline=None)
@given(event=EVENTS)
def test_exists_true_and_false_are_complements(event: dict[str, Any]) -> None:
    for path in ({"a": None}, {"d": {"a": None}}):
        def make(flag: bool, node: dict[str, Any] = path) -> dict[str, Any]:
            key, sub = next(iter(node.items()))
            return {key: make(flag, sub)} if isinstance(sub, dict) else {key: [{"exists": flag}]}
        yes = compiled(make(True)).match(event).match
        no = compiled(make(False)).match(event).match
        assert yes is (not no)
