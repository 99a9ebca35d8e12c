"""The predicates' Context: per-scan work lives on it, never in a module."""

from __future__ import annotations

from checker.model import Estate
from checker.predicates.context import Context
from checker.rules import Options
from checker.simulator.sharing import Shared


def test_the_scenario_runner_is_made_once_per_context_with_the_scan_s_shared_work() -> None:
    shared = Shared()
    one = Context(Estate(), Options(default_region="eu-west-1"), shared=shared)
    assert one.scenarios is one.scenarios
    assert one.scenarios.shared is shared
    assert one.scenarios.default_region == "eu-west-1"
    other = Context(Estate(), Options(), shared=shared)
    assert other.scenarios is not one.scenarios


def test_each_context_gets_its_own_shared_work_by_default() -> None:
    assert Context(Estate(), Options()).shared is not Context(Estate(), Options()).shared
