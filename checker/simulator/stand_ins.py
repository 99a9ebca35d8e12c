"""Concrete stand-ins for the unknown stretches of strings in a trail's selectors.

Some questions have the same answer whatever an unknown stretch turns out to be, as long as the
same unknown always reads the same: "does the trail log data events on its own log bucket?" when
both the bucket's name and the selector are `logs-${random_id.s.hex}`. Writing every unknown
stretch (`PartlyKnown.gaps`) as one made-up name, the same for the same unknown, lets the capture
code answer such questions with strings. The caller decides which answers stay sound.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from checker.model import FieldSelector, MaybeStr, PartlyKnown, Trail, Unknown

STAND_IN = "<unknown {}>"


class StandIns:
    """Made-up names for unknown stretches: the same unknown, the same name. `label` keeps
    two sets of names apart (one unit's own unknowns, other units' organization trails')."""

    def __init__(self, label: str = "") -> None:
        self.names: dict[str, str] = {}
        self.label = label

    def name(self, gap: str) -> str:
        return self.names.setdefault(gap, STAND_IN.format(f"{self.label}{len(self.names) + 1}"))

    def string(
        self, value: MaybeStr, accept: Callable[[PartlyKnown], bool] = lambda v: True
    ) -> MaybeStr:
        """`value` with its unknown stretches named, when it is a PartlyKnown whose stretches
        are all identified and `accept` says so; else `value` itself."""
        if not isinstance(value, PartlyKnown) or value.symbol() is None or not accept(value):
            return value
        gaps = iter(value.gaps)
        return "".join(p if p is not None else self.name(next(gaps)) for p in value.parts)

    def trail(
        self, trail: Trail, accept: Callable[[PartlyKnown], bool] = lambda v: True
    ) -> Trail:
        """The trail with the S3 resource values of its selectors named (`string`)."""
        selectors = trail.selectors
        if isinstance(selectors, Unknown) or selectors.kind == "default":
            return trail

        def arn_field(fs: FieldSelector) -> FieldSelector:
            if fs.field != "resources.ARN":
                return fs
            values: dict[str, Any] = {
                op: tuple(self.string(v, accept) for v in vals) for op, vals in fs.operator_values()
            }
            return replace(fs, **values)

        basic = tuple(
            replace(b, data_resources=tuple(
                replace(dr, values=tuple(self.string(v, accept) for v in dr.values))
                for dr in b.data_resources))
            for b in selectors.basic
        )  # fmt: skip
        advanced = tuple(
            replace(a, field_selectors=tuple(arn_field(f) for f in a.field_selectors))
            for a in selectors.advanced
        )
        changed = replace(selectors, basic=basic, advanced=advanced)
        return trail if changed == selectors else replace(trail, selectors=changed)


def names_one_bucket(value: PartlyKnown) -> bool:
    """An S3 ARN whose unknown stretches lie inside one bucket name: the known text before them
    is `arn:<partition>:s3:::` (and maybe the start of the name), and a known `/` after them ends
    the name. `arn:aws:s3:::${var.x}` could be every bucket and is not such a value."""
    parts = value.parts
    head = parts[0]
    if head is None or ":s3:::" not in head or "/" in head.split(":::", 1)[1]:
        return False
    first_gap = parts.index(None)
    return any(p is not None and "/" in p for p in parts[first_gap + 1 :])
