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
    # reports must not depend on the environment the tests run in
    os.environ.pop("TRAILCHECK_DOCS_URL", None)
    os.environ["COLUMNS"] = "100"


@pytest.fixture
def repo() -> Path:
    return REPO


def installed_command() -> str:
    """The `trailcheck` console script of the environment running the tests."""
    candidate = Path(sys.executable).parent / "trailcheck"
    return str(candidate)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """A test that could not run for want of a tool (Chromium) says so where nobody misses it:
    in its own section at the end, not only as an `s` among the dots."""
    not_run = []
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if "NOT RUN" in reason:
            not_run.append(f"{report.nodeid}: {reason.removeprefix('Skipped: ')}")
    if not_run:
        terminalreporter.section("tests that could not run", sep="!", red=True, bold=True)
        for line in not_run:
            terminalreporter.line(line, red=True)
        terminalreporter.line("Install what they need, or run .ci/run (which installs it and "
                              "fails when it is missing).", red=True)  # fmt: skip
