"""Which deployment unit an input error of the Terraform loader belongs to (the JSON `unit`)."""

from __future__ import annotations

from dataclasses import replace

from checker.model import Diagnostic


def in_units(diagnostics: list[Diagnostic], owners: dict[str, set[str]]) -> list[Diagnostic]:
    """Each input error once, in its unit: the root module whose evaluation found it, or whose
    module tree alone holds its file. The same error found in several units (a module file
    they share) is reported once, in none of them: it is the file's, whichever unit reads it."""
    found: dict[Diagnostic, set[str]] = {}
    for d in diagnostics:
        unit = d.location.unit
        if not unit and len(owners.get(d.location.file, ())) == 1:
            unit = next(iter(owners[d.location.file]))
        # Location equality leaves the unit out: the same error of several units is one key
        found.setdefault(d, set()).add(unit)
    return [replace(d, location=replace(d.location, unit=next(iter(units))))
            if len(units) == 1 else replace(d, location=replace(d.location, unit=""))
            for d, units in found.items()]  # fmt: skip
