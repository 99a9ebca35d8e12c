"""The answer of a pattern test: match, no match, or unknown, always with a reason.

Shared by the EventBridge event patterns (`event_pattern`) and the CloudWatch Logs filter
patterns (`filter_pattern`), so `trailcheck test-pattern` reports both the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from checker.model import Tri, Unknown
from checker.tri import FAIL, PASS, UNKNOWN, Status, deciding_all, deciding_any


@dataclass(frozen=True)
class Verdict:
    """`match` is True, False, or None when it is unknown; `reason` says why in either case."""

    match: bool | None
    reason: str

    @property
    def unknown(self) -> bool:
        return self.match is None

    def tri(self) -> Tri:
        """The project's tri-state: an unknown verdict becomes `Unknown(reason)`."""
        return Unknown(self.reason) if self.match is None else self.match


def yes(reason: str) -> Verdict:
    return Verdict(True, reason)


def no(reason: str) -> Verdict:
    return Verdict(False, reason)


def unknown(reason: str) -> Verdict:
    return Verdict(None, reason)


def _status(v: Verdict) -> Status:
    return UNKNOWN if v.match is None else PASS if v.match else FAIL


def all_of(verdicts: Iterable[Verdict], reason_if_all: str) -> Verdict:
    """AND (`checker.tri`): the first definite no wins, then the first unknown; else yes."""
    return deciding_all(verdicts, _status) or yes(reason_if_all)


def any_of(verdicts: Iterable[Verdict], reason_if_none: str) -> Verdict:
    """OR (`checker.tri`): the first yes wins, then the first unknown; else no."""
    return deciding_any(verdicts, _status) or no(reason_if_none)
