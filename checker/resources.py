"""Where the package's data lives: the shipped policies and JSON Schemas."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def policies_root() -> Path:
    """`checker/policies` in an installed wheel; the repository's `policies/` in a checkout."""
    for candidate in (_PACKAGE / "policies", _PACKAGE.parent / "policies"):
        if (candidate / "rules").is_dir():
            return candidate
    raise FileNotFoundError("the trailcheck policies are missing from this installation")


def schema_path(name: str) -> Path:
    return _PACKAGE / "schemas" / name
