"""The algebra of checker.tri: fail beats unknown in `all`, pass beats unknown in `any`, and an
unknown is never a pass; the status and value forms agree."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from checker.model import Tri, Unknown
from checker.tri import (
    FAIL,
    PASS,
    UNKNOWN,
    Status,
    all_of,
    all_values,
    any_of,
    any_values,
    both,
    code_status,
    deciding_all,
    deciding_any,
    either,
    negate,
    status_of,
    to_bool,
)

statuses = st.lists(st.sampled_from([PASS, FAIL, UNKNOWN]), max_size=6)
values = st.lists(
    st.one_of(st.booleans(), st.text(min_size=1, max_size=3).map(Unknown)), max_size=6
)
SETTINGS = settings(max_examples=200, deadline=None)


@SETTINGS
@given(statuses)
def test_all_fail_beats_unknown_and_unknown_is_never_a_pass(parts: list[Status]) -> None:
    result = all_of(parts)
    if FAIL in parts:
        assert result == FAIL
    elif UNKNOWN in parts:
        assert result == UNKNOWN
    else:
        assert result == PASS


@SETTINGS
@given(statuses)
def test_any_pass_beats_unknown_and_unknown_is_never_a_pass(parts: list[Status]) -> None:
    result = any_of(parts)
    if PASS in parts:
        assert result == PASS
    elif UNKNOWN in parts:
        assert result == UNKNOWN
    else:
        assert result == FAIL


@SETTINGS
@given(statuses)
def test_de_morgan_and_double_negation(parts: list[Status]) -> None:
    assert negate(all_of(parts)) == any_of(negate(p) for p in parts)
    assert all(negate(negate(p)) == p for p in parts)


@SETTINGS
@given(statuses)
def test_the_deciding_part_has_the_result_s_status(parts: list[Status]) -> None:
    items = list(enumerate(parts))
    for decide, combine in ((deciding_all, all_of), (deciding_any, any_of)):
        found = decide(items, lambda item: item[1])
        result = combine(parts)
        if found is None:
            assert result in (PASS, FAIL) and (result == PASS) == (decide is deciding_all)
        else:
            assert found[1] == result
            assert found == next(i for i in items if i[1] == result)  # the first one


@SETTINGS
@given(values)
def test_values_agree_with_statuses_and_keep_the_first_reason(parts: list[Tri]) -> None:
    for combine, by_status in ((all_values, all_of), (any_values, any_of)):
        result = combine(parts)
        assert status_of(result) == by_status(status_of(p) for p in parts)
        if isinstance(result, Unknown):
            assert result is next(p for p in parts if isinstance(p, Unknown))


def test_an_unknown_is_never_true_in_json_and_codes_order_like_all() -> None:
    assert to_bool(UNKNOWN) is None and to_bool(PASS) is True and to_bool(FAIL) is False
    codes = range(3)
    for a in codes:
        for b in codes:
            assert code_status(max(a, b)) == all_of([code_status(a), code_status(b)])
            assert code_status(min(a, b)) == any_of([code_status(a), code_status(b)])


@SETTINGS
@given(statuses)
def test_pairwise_folds_agree_with_the_whole(parts: list[Status]) -> None:
    # `either` and `both` fold a list two at a time, from the empty disjunction / conjunction
    folded_any: Status = FAIL
    folded_all: Status = PASS
    for part in parts:
        folded_any, folded_all = either(folded_any, part), both(folded_all, part)
    assert folded_any == any_of(parts)
    assert folded_all == all_of(parts)
