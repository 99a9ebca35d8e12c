"""Every file under fixtures/ loads without an input error, unless its name says it is broken.

A file is loaded with its folder, as a scan would: Terraform files need their module's other
files, saved CLI output its describe-trails file. Unevaluated parts (a remote module, a count
whose condition is unknown) are `unknown` CT000 notes, not errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.loaders import LoadOptions, load_paths

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
# Not inputs: documentation, and the event files that `simulate --events` replays.
NOT_INPUTS = {".md", ".txt", ".gz", ".jsonl"}


def _is_broken(path: Path) -> bool:
    return "broken" in path.name


def _inputs() -> list[Path]:
    return sorted(
        p for p in FIXTURES.rglob("*")
        if p.is_file() and p.suffix not in NOT_INPUTS and "events" not in p.parts
        and ".terraform" not in p.parts
    )  # fmt: skip


@pytest.mark.parametrize("path", _inputs(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_loads_cleanly_unless_broken(path: Path) -> None:
    estate = load_paths([str(path.parent)], LoadOptions(cwd=str(REPO)))
    mine = str(path.relative_to(REPO))
    errors = [
        d for d in estate.diagnostics
        if d.rule_id == "CT000" and d.status == "fail" and d.location.file == mine
    ]  # fmt: skip
    if _is_broken(path):
        assert errors, f"{path} is named broken but loads cleanly"
    else:
        assert not errors, f"{path}: {errors}"
