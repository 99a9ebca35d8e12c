"""Where model objects are written, and how one object names another: the base of the model
(`checker.model` re-exports every name here)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from checker.unknowns import MaybeStr


@dataclass(frozen=True, order=True)
class Location:
    """Where an object (or one of its attributes) is written: a path relative to the scan and a
    1-based line; line 0 when the source has no lines (AWS API data)."""

    file: str
    line: int = 0
    # the load unit (a Terraform root module, a template) whose addresses and logical ids
    # this object's id belongs to; see `in_unit`
    unit: str = field(default="", compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


NOWHERE = Location("", 0)


class Located:
    """A model object written somewhere: its location, and where each attribute that set one of
    its fields is (model field name -> its line in the object's file, or its own location when
    another block sets it elsewhere, as a bucket's lifecycle), for findings that point at it.
    `names` spells a field as the input does (model field -> the Terraform argument or the
    CloudFormation property that sets it, or would set it when absent), for findings that name
    it; inputs without their own spelling (AWS API data) leave it empty."""

    location: Location
    lines: Mapping[str, int | Location]
    names: Mapping[str, str]

    def spelling(self, attribute: str) -> str:
        """The attribute as the input names it, else its model name."""
        return self.names.get(attribute, attribute)

    def where(self, attribute: str | None = None) -> Location:
        """The location of one attribute, falling back to the object's own."""
        at = self.lines.get(attribute) if attribute else None
        if isinstance(at, Location):
            return at
        if at is not None:
            return replace(self.location, line=at)
        return self.location


@dataclass(frozen=True)
class Reference:
    """What one resource says about another.

    `value` is the name or ARN as written (resolved as far as the inputs allow); `target` is the id
    of a resource in the inputs when the source names it directly (a Terraform address, a
    CloudFormation logical id). The estate joins a reference to an object by target, then by name
    or ARN; a reference that joins nothing points outside the scanned inputs.
    """

    value: MaybeStr
    target: str | None = field(default=None, compare=False)
    unit: str = field(default="", compare=False, repr=False)  # where `target` is an id
