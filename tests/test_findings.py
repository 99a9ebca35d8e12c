"""Findings sort the same way on every run."""

from __future__ import annotations

from checker.findings import Finding


def _finding(unit: str | None) -> Finding:
    return Finding("CT001", "multi-region", "fail", "high", "estate", "modules/trail.tf", 3,
                   "no multi-region trail", unit=unit)  # fmt: skip


def test_findings_that_differ_only_in_their_unit_sort_by_unit() -> None:
    # one shared module file judged in several root modules: set order must not decide
    found = [_finding("roots/b"), _finding(None), _finding("roots/a")]
    ordered = [f.unit for f in sorted(set(found), key=Finding.sort_key)]
    assert ordered == [None, "roots/a", "roots/b"]
    assert ordered == [f.unit for f in sorted(reversed(found), key=Finding.sort_key)]
