"""Values the inputs may not determine: `Unknown` with the reason a reader can act on, its
kinds (set for certain, partly known), and the value types built on it (`Tri`, `MaybeStr`).
The bottom of the package: `checker.model` re-exports every name here, and `checker.tri`
combines tri-states.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Unknown:
    """A value that the inputs do not determine, with the reason a reader can act on."""

    reason: str

    def __bool__(self) -> bool:  # an unknown must never be read as true or false by accident
        raise TypeError(f"an unknown value has no truth value ({self.reason})")

    def __str__(self) -> str:
        return f"unknown ({self.reason})"


@dataclass(frozen=True)
class Computed(Unknown):
    """An unknown that is certainly set: a value known only after apply, such as the ARN of a
    resource in the inputs. Its value is unknown, but a check for presence may count it present."""


@dataclass(frozen=True)
class PartlyKnown(Unknown):
    """A string with some stretches known: `${Logs.Arn}/*` is (None, "/*"). Its value is unknown,
    but a question the known stretches answer (does this resource reach objects?) is answered."""

    parts: tuple[str | None, ...] = ()
    # what each unknown stretch is (the reason of the value it stands for), in order: two
    # strings built alike from the same unknowns are the same string, though unknown
    gaps: tuple[str, ...] = field(default=(), compare=False)

    def symbol(self) -> str | None:
        """A name for the string, equal for strings built alike from the same unknowns; None
        when the stretches are not all named."""
        if len(self.gaps) != sum(1 for p in self.parts if p is None):
            return None
        gaps = iter(self.gaps)
        return "".join(p if p is not None else f"\x00{next(gaps)}\x00" for p in self.parts)


    def can_be(self, text: str, ignore_case: bool = False) -> bool:
        """Whether some value of the unknown stretches makes the string `text`: the known
        stretches in their order, anything (nothing included) between them.
        `logs.${var.region}.amazonaws.com` can never be `cloudtrail.amazonaws.com`."""
        pattern = "".join(".*" if p is None else re.escape(p) for p in self.parts)
        flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
        return re.fullmatch(pattern, text, flags) is not None


@dataclass(frozen=True)
class PartlyComputed(Computed, PartlyKnown):
    """A PartlyKnown whose unknown stretches are certainly set (ARNs assigned at deploy)."""


def partly_known(reason: str, parts: Iterable[object]) -> Unknown:
    """The value of a string built from known and unknown parts (loaders build these from
    interpolation, `Fn::Sub` and `Fn::Join`)."""
    flat: list[object] = []
    for p in parts:
        if isinstance(p, PartlyKnown):  # a part built the same way: its stretches, in place
            cls = Computed if isinstance(p, Computed) else Unknown
            names = iter(p.gaps) if p.symbol() is not None else None
            flat += [
                s if s is not None else cls(next(names) if names is not None else p.reason)
                for s in p.parts
            ]
        elif p != "":
            flat.append(p)
    shape: list[str | None] = []
    for p in flat:
        if isinstance(p, str) and shape and isinstance(shape[-1], str):
            shape[-1] += p
        else:
            shape.append(p if isinstance(p, str) else None)
    certain = all(isinstance(p, (str, Computed)) for p in flat)
    if not any(shape):
        return Computed(reason) if certain else Unknown(reason)
    gaps = tuple(p.reason for p in flat if isinstance(p, Unknown))
    kind = PartlyComputed if certain else PartlyKnown
    return kind(reason, tuple(shape), gaps)


Tri = bool | Unknown
"""A tri-state: true, false or unknown with its reason."""

MaybeStr = str | Unknown
MaybeInt = int | Unknown


def first_unknown(values: Iterable[object]) -> Unknown | None:
    for value in values:
        if isinstance(value, Unknown):
            return value
    return None
