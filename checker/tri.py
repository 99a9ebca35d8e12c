"""Three-valued logic, written once: pass, fail or unknown, and how they combine.

Two forms of the same tri-state, one vocabulary:

- A `Status` ("pass", "fail", "unknown") is the verdict of something that carries its own
  message: an `Outcome`, a capture decision, a delivery, an alarm chain. `all_of`, `any_of` and
  `negate` combine statuses; `deciding_all` and `deciding_any` pick the item whose status
  decides, so that its message (for an unknown, the reason) is the one reported.
- A `Tri` value (`checker.unknowns.Tri`: True, False or `Unknown(reason)`) is a fact whose
  unknown carries its reason. `all_values` and `any_values` combine facts (`status_of` gives a
  fact's status).

The rules, the same in both forms: in `all`, a fail beats an unknown (a fail that holds whatever
the unknown value is stays a fail); in `any`, a pass beats an unknown; otherwise an unknown
decides, and an unknown is never a pass. Among several deciding parts the first wins.

The simulator's own words (captured, delivered, fires; yes/no in tables) are for display: the
code that shows them maps a `Status` to them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final, Literal, TypeVar

from checker.unknowns import Tri, Unknown

T = TypeVar("T")

Status = Literal["pass", "fail", "unknown"]
PASS: Final = "pass"
FAIL: Final = "fail"
UNKNOWN: Final = "unknown"

_NEGATED: dict[Status, Status] = {PASS: FAIL, FAIL: PASS, UNKNOWN: UNKNOWN}


def all_of(statuses: Iterable[Status]) -> Status:
    """Conjunction: fail if any part fails, else unknown if any is unknown, else pass (an empty
    conjunction passes)."""
    seen = set(statuses)
    if FAIL in seen:
        return FAIL
    return UNKNOWN if UNKNOWN in seen else PASS


def any_of(statuses: Iterable[Status]) -> Status:
    """Disjunction: pass if any part passes, else unknown if any is unknown, else fail (an empty
    disjunction fails)."""
    seen = set(statuses)
    if PASS in seen:
        return PASS
    return UNKNOWN if UNKNOWN in seen else FAIL


def negate(status: Status) -> Status:
    return _NEGATED[status]


def deciding_all(items: Iterable[T], status: Callable[[T], Status]) -> T | None:
    """The part that decides a conjunction: the first that fails, else the first that is
    unknown; None when every part passes."""
    unknown: T | None = None
    for item in items:
        s = status(item)
        if s == FAIL:
            return item
        if s == UNKNOWN and unknown is None:
            unknown = item
    return unknown


def deciding_any(items: Iterable[T], status: Callable[[T], Status]) -> T | None:
    """The part that decides a disjunction: the first that passes, else the first that is
    unknown; None when every part fails."""
    unknown: T | None = None
    for item in items:
        s = status(item)
        if s == PASS:
            return item
        if s == UNKNOWN and unknown is None:
            unknown = item
    return unknown


def status_of(value: Tri) -> Status:
    if isinstance(value, Unknown):
        return UNKNOWN
    return PASS if value else FAIL


def to_bool(status: Status) -> bool | None:
    """For JSON: true, false, or null when unknown."""
    return None if status == UNKNOWN else status == PASS


def all_values(values: Iterable[Tri]) -> Tri:
    """False if any value is False, else the first `Unknown`, else True."""
    found = deciding_all(values, status_of)
    return True if found is None else found


def any_values(values: Iterable[Tri]) -> Tri:
    """True if any value is True, else the first `Unknown`, else False."""
    found = deciding_any(values, status_of)
    return False if found is None else found


# The same tri-state as ordered integers, for hot loops and for SQL (the capture stages, and
# their compiled form in checker/replay, which computes with the numbers): AND is max(), OR is
# min().
PASS_CODE, UNKNOWN_CODE, FAIL_CODE = 0, 1, 2
_BY_CODE: tuple[Status, Status, Status] = (PASS, UNKNOWN, FAIL)


def code_status(code: int) -> Status:
    return _BY_CODE[code]


_EITHER: dict[tuple[Status, Status], Status] = {
    (a, b): any_of((a, b)) for a in (PASS, UNKNOWN, FAIL) for b in (PASS, UNKNOWN, FAIL)
}
_BOTH: dict[tuple[Status, Status], Status] = {
    (a, b): all_of((a, b)) for a in (PASS, UNKNOWN, FAIL) for b in (PASS, UNKNOWN, FAIL)
}


def either(a: Status, b: Status) -> Status:
    """`any_of((a, b))`, looked up: for code that combines millions of pairs."""
    return _EITHER[a, b]


def both(a: Status, b: Status) -> Status:
    """`all_of((a, b))`, looked up: for code that combines millions of pairs."""
    return _BOTH[a, b]

