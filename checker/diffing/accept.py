"""The config file's `accept` entries applied to the losses of a comparison.

An entry accepts a loss when every criterion it gives matches: `trail` (the trail the change is
about, or every trail that recorded a lost scenario), `scenario`, `rule`, and `region` (every
Region of the change; an entry for some of them does not accept the rest). An expired entry
(`expires` in the past) accepts nothing, and each loss it would have covered says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from fnmatch import fnmatchcase

from checker.config import Accept
from checker.diffing.compare import Change


def _glob(value: str, pattern: str) -> bool:
    return value == pattern or fnmatchcase(value, pattern)


def matches(entry: Accept, change: Change) -> bool:
    if entry.trail is not None:
        if change.trail is not None:
            if not _glob(change.trail, entry.trail):
                return False
        elif not change.trails or not all(_glob(t, entry.trail) for t in change.trails):
            return False
    if entry.scenario is not None:
        scenarios = (change.scenario,) if change.scenario is not None else change.scenarios
        if not scenarios or not all(_glob(sc, entry.scenario) for sc in scenarios):
            return False
    if entry.rule is not None and (change.rule is None or not _glob(change.rule, entry.rule)):
        return False
    return entry.region is None or (
        bool(change.regions) and all(_glob(r, entry.region) for r in change.regions)
    )


def apply_accepts(
    changes: Sequence[Change], entries: Sequence[Accept], config_path: str | None,
    today: date | None = None,
) -> tuple[Change, ...]:  # fmt: skip
    """The changes with `accepted` (the reason) set on accepted losses, and a note on losses
    that an expired entry would have accepted."""
    today = today or date.today()
    where = config_path or "the config file"
    out = []
    for change in changes:
        if change.direction != "lost":
            out.append(change)
            continue
        live = next((e for e in entries if not e.expired(today) and matches(e, change)), None)
        if live is not None:
            out.append(replace(change, accepted=live.reason))
            continue
        dead = next((e for e in entries if e.expired(today) and matches(e, change)), None)
        if dead is not None and dead.expires is not None:
            note = (f"the acceptance at {where}:{dead.line} ({dead.describe()}: {dead.reason}) "
                    f"expired on {dead.expires.isoformat()} and no longer accepts this loss")
            out.append(replace(change, note=note))
            continue
        out.append(change)
    return tuple(out)


def accept_key(change: Change) -> tuple[str, str]:
    """What an `accept` entry for this loss names: ("trail", id), ("rule", id), ("scenario",
    id; the first of several), or ("", "")."""
    if change.trail is not None:
        return ("trail", change.trail)
    if len(change.trails) == 1:
        return ("trail", change.trails[0])
    if change.rule is not None:
        return ("rule", change.rule)
    if change.scenario is not None or change.scenarios:
        return ("scenario", change.scenario or change.scenarios[0])
    return ("", "")


def suggestion(change: Change) -> str:
    """An `accept` entry that would accept this loss, for the report."""
    what, value = accept_key(change)
    if not what:
        return "{reason: ...}"
    several = " for each scenario" if change.scenario is None and change.scenarios else ""
    return f"{{{what}: {value}, reason: ...}}{several}"
