"""jsontext writes what `json.dumps(value, indent=2, ensure_ascii=False)` writes, byte for
byte (the reports' text did not change when orjson started making it)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from checker.report.jsontext import chunks

# what the reports hold: strings (any code point but a lone surrogate, which orjson refuses and
# the standard library writes), integers, booleans, null, lists and string-keyed objects
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), TEXT)
VALUES = st.recursive(LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)), max_leaves=30)


def expected(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


@settings(max_examples=300, deadline=None)
@given(st.one_of(VALUES, st.dictionaries(TEXT, VALUES, max_size=5)), st.booleans())
def test_the_text_is_the_standard_librarys(value: Any, large: bool) -> None:
    assert "".join(chunks(value, large)) == expected(value)


def test_what_orjson_refuses_is_written_as_before() -> None:
    value = {"findings": [{"n": 2**70}, {"file": "bad\udcffname"}, {1: "int key"}], "empty": [],
             "keys": {2: "x", "y": [None]}}
    assert "".join(chunks(value)) == expected(value)


def test_a_report_comes_in_pieces_one_per_finding() -> None:
    value = {"schema_version": 1, "findings": [{"rule_id": f"CT{i:03}"} for i in range(50)]}
    assert len(list(chunks(value))) > 50


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(TEXT, st.lists(VALUES, max_size=4), max_size=4))
def test_an_iterator_is_written_as_the_list_it_yields(value: dict[str, list[Any]]) -> None:
    for large in (True, False):
        lazy = {key: iter(items) for key, items in value.items()}
        assert "".join(chunks(lazy, large)) == expected(value)
        deeper = {"a": {key: iter(items) for key, items in value.items()}}
        assert "".join(chunks(deeper, large)) == expected({"a": value})
