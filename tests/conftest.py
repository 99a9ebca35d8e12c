"""Shared test helpers."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    # The rule-validation cache must not leak between test runs or into the user's home.
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture
def repo() -> Path:
    return REPO


def installed_command() -> str:
    """The `trailcheck` console script of the environment running the tests."""
    candidate = Path(sys.executable).parent / "trailcheck"
    return str(candidate)
