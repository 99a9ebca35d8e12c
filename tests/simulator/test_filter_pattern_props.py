"""Property tests: random JSON patterns (random spacing, quoting and redundant parentheses) print
to a canonical form that parses back to the same pattern, and the parser respects the boolean
structure the text was generated from."""

from __future__ import annotations

from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from checker.simulator.filter_ast import quote
from checker.simulator.filter_pattern import Pattern, parse

SELECTORS = ["$.a", "$.b", "$.a.b", "$.l[0]", "$.l[1].id", "$.n", "$.flag", "$.nul"]
TEXT_VALUES = ['"x"', "x", '"xy"', '"*y"', "x*", '"*"', "*", '"Root"', "root", '"a b"',
               "kms.amazonaws.com", '"1*"', "%^x%", '"q\\"uote"', '"Ev*ent"', "true"]
NUMBERS = ["5", "5.0", "-1.5", "+5", "1e1", "0", "10e-1", "123"]
CHECKS = ["IS NULL", "IS TRUE", "IS FALSE", "NOT EXISTS"]

space = st.sampled_from(["", " ", "  ", "\t", "\n"])
gap = st.sampled_from([" ", "  ", "\t", "\n "])  # where a space is required

equality = st.builds(lambda s, a, op, b, v: f"{s}{a}{op}{b}{v}", st.sampled_from(SELECTORS),
                     space, st.sampled_from(["=", "!="]), space,
                     st.sampled_from(TEXT_VALUES + NUMBERS))
ordering = st.builds(lambda s, a, op, b, v: f"{s}{a}{op}{b}{v}", st.sampled_from(SELECTORS),
                     space, st.sampled_from(["<", ">", "<=", ">="]), space,
                     st.sampled_from(NUMBERS))
check = st.builds(lambda s, g, c: f"{s}{g}{c}", st.sampled_from(SELECTORS), gap,
                  st.sampled_from(CHECKS))

Tree = str | tuple[str, list["Tree"]]
leaves: st.SearchStrategy[Tree] = st.one_of(equality, ordering, check)
trees: st.SearchStrategy[Tree] = st.recursive(
    leaves,
    lambda kids: st.tuples(st.sampled_from(["&&", "||"]), st.lists(kids, min_size=2, max_size=4)),
    max_leaves=10,
)

SCALARS = st.sampled_from(["x", "xy", "y", "Root", "root", "a b", 'q"uote', "Ev*ent", "Event",
                           "kms.amazonaws.com", "1x", "", "5", "true", 5, 5.0, -1.5, 0, 10, 123,
                           True, False, None])
NESTED = st.one_of(SCALARS, st.fixed_dictionaries({}, optional={"b": SCALARS}),
                   st.lists(SCALARS, max_size=2))
events = st.fixed_dictionaries({}, optional={
    "a": NESTED,
    "b": SCALARS,
    "n": SCALARS,
    "flag": SCALARS,
    "nul": SCALARS,
    "l": st.lists(st.one_of(SCALARS, st.fixed_dictionaries({}, optional={"id": SCALARS})),
                  max_size=3),
})


class Choices:
    """Where `render` may add optional spaces and redundant parentheses."""

    def __init__(self, data: st.DataObject | None) -> None:
        self.data = data  # None: no extras at all

    def space(self) -> str:
        return self.data.draw(space) if self.data else " "

    def extra_parens(self) -> bool:
        return self.data.draw(st.booleans()) if self.data else False


def render(tree: Tree, choices: Choices, parent: str | None = None) -> str:
    """Pattern text for a tree; parentheses where precedence needs them, plus random extras."""
    if isinstance(tree, str):
        text = tree
    else:
        op, kids = tree
        joiner = choices.space() + op + choices.space()
        text = joiner.join(render(k, choices, op) for k in kids)
        if parent == "&&" and op == "||":
            return "(" + choices.space() + text + choices.space() + ")"
    if choices.extra_parens():
        text = "(" + choices.space() + text + choices.space() + ")"
    return text


def expected(tree: Tree, event: dict[str, Any]) -> bool:
    """Evaluate the generated structure directly; leaves go through the parser one at a time."""
    if isinstance(tree, str):
        return parse("{" + tree + "}").matches(event)
    op, kids = tree
    values = [expected(k, event) for k in kids]
    return all(values) if op == "&&" else any(values)


@settings(deadline=None, max_examples=300)
@given(tree=trees, evs=st.lists(events, min_size=1, max_size=8), data=st.data())
def test_json_patterns_round_trip_and_keep_their_meaning(
    tree: Tree, evs: list[dict[str, Any]], data: st.DataObject
) -> None:
    text = "{" + data.draw(space) + render(tree, Choices(data)) + data.draw(space) + "}"
    assume(text.count("%") <= 4)  # CloudWatch allows two regexes per pattern
    first = parse(text)
    printed = str(first)
    second = parse(printed)
    assert second == first
    assert str(second) == printed  # canonical printing is idempotent
    assert second.canonical() == printed
    for event in evs:
        assert first.matches(event) == second.matches(event) == expected(tree, event), (
            text, printed, event)


@settings(deadline=None)
@given(tree=trees, data=st.data())
def test_redundant_parentheses_do_not_change_the_tree(tree: Tree, data: st.DataObject) -> None:
    plain = "{" + render(tree, Choices(None)) + "}"
    decorated = "{" + render(tree, Choices(data)) + "}"
    assume(plain.count("%") <= 4)
    assert parse(plain) == parse(decorated)


term_text = st.text(alphabet=st.characters(codec="ascii", exclude_categories=("Cc",)), max_size=6)
term = st.tuples(st.sampled_from(["", "?", "-", "?-"]), term_text)


@settings(deadline=None)
@given(terms=st.lists(term, min_size=1, max_size=5),
       messages=st.lists(st.text(alphabet="ab \"\\?-x", max_size=12), max_size=6))
def test_term_patterns_round_trip(terms: list[tuple[str, str]], messages: list[str]) -> None:
    text = " ".join(prefix + quote(body) for prefix, body in terms)
    first = parse(text)
    second = parse(str(first))
    assert isinstance(second, Pattern) and second == first
    assert str(second) == str(first)
    for message in messages:
        assert first.matches_message(message) == second.matches_message(message)


@settings(deadline=None, max_examples=200)
@given(tree=trees, extra=leaves, evs=st.lists(events, min_size=1, max_size=8))
def test_adding_an_or_alternative_never_matches_fewer_events(
    tree: Tree, extra: Tree, evs: list[dict[str, Any]]
) -> None:
    body = render(tree, Choices(None))
    narrow = "{" + body + "}"
    wide = "{ (" + body + ") || " + render(extra, Choices(None)) + " }"
    assume(wide.count("%") <= 4)
    first, second = parse(narrow), parse(wide)
    for event in evs:
        if first.matches(event):
            assert second.matches(event), (narrow, wide, event)
        assert first.evaluate(event).match == first.matches(event)


WILD_SELECTORS = ["$.l[*]", "$.l[*].id", "$.*", "$.a.*"]


@settings(deadline=None, max_examples=200)
@given(sel=st.sampled_from(WILD_SELECTORS), value=st.sampled_from(TEXT_VALUES + NUMBERS),
       evs=st.lists(events, min_size=1, max_size=8))
def test_a_wildcard_selector_is_the_or_of_its_positions(
    sel: str, value: str, evs: list[dict[str, Any]]
) -> None:
    wild = parse(f"{{ {sel} = {value} }}")
    for event in evs:
        if sel.startswith("$.l"):
            size = len(event.get("l", []))
            spots = [sel.replace("[*]", f"[{i}]") for i in range(size)]
        else:
            base = event if sel == "$.*" else event.get("a")
            keys = list(base) if isinstance(base, dict) else []
            spots = [sel.replace("*", k) for k in keys]
        expected = any(parse(f"{{ {s} = {value} }}").matches(event) for s in spots)
        assert wild.matches(event) is expected, (sel, value, event)
