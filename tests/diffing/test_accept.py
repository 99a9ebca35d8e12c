"""checker/diffing/accept.py: accept entries applied to losses."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from checker.config import Accept
from checker.diffing.accept import apply_accepts, matches, suggestion
from checker.diffing.compare import Change

TODAY = date(2026, 6, 1)


def loss(**kw: object) -> Change:
    base: dict[str, object] = dict(kind="selectors", direction="lost", subject="s", message="m")
    base.update(kw)
    return Change(**base)  # type: ignore[arg-type]


def test_criteria_all_must_match() -> None:
    c = loss(trail="aws_cloudtrail.data", regions=("eu-west-1", "eu-west-2"))
    assert matches(Accept("r", trail="aws_cloudtrail.*"), c)
    assert matches(Accept("r", trail="aws_cloudtrail.data", region="eu-*"), c)
    assert not matches(Accept("r", trail="aws_cloudtrail.data", region="eu-west-1"), c)
    assert not matches(Accept("r", trail="aws_cloudtrail.main"), c)
    assert not matches(Accept("r", scenario="root-login"), c)
    assert not matches(Accept("r", rule="CT009"), c)


def test_scenario_loss_matches_by_every_trail_that_recorded_it() -> None:
    c = loss(kind="scenario", scenario="root-login", trails=("a.x", "a.y"), regions=("us-east-1",))
    assert matches(Accept("r", trail="a.*"), c)
    assert not matches(Accept("r", trail="a.x"), c)
    assert matches(Accept("r", scenario="root-*", region="us-east-1"), c)


def test_rule_loss() -> None:
    c = loss(kind="rule", rule="CT009", subject="CT009 estate")
    assert matches(Accept("r", rule="CT009"), c)
    assert suggestion(c) == "{rule: CT009, reason: ...}"


def test_apply_sets_reason_or_expiry_note() -> None:
    changes = (
        loss(trail="t.a"),
        loss(trail="t.b"),
        loss(trail="t.c"),
        Change("selectors", "gained", "s", "m", trail="t.a"),
    )
    entries = (
        Accept("payroll only", trail="t.a", expires=date(2026, 6, 1)),  # through that day
        Accept("old", trail="t.b", expires=date(2026, 5, 31), line=7),
    )
    out = apply_accepts(changes, entries, ".trailcheck.yaml", TODAY)
    assert out[0].accepted == "payroll only"
    assert out[1].accepted is None and out[1].note is not None
    assert "expired on 2026-05-31" in out[1].note and ".trailcheck.yaml:7" in out[1].note
    assert out[2].accepted is None and out[2].note is None
    assert out[3].accepted is None  # only losses are accepted


def test_config_accept_entries_with_rule_and_expiry(tmp_path: Path) -> None:
    from checker.config import ConfigError, load_config

    path = tmp_path / ".trailcheck.yaml"
    path.write_text(
        "accept:\n  - rule: CT009\n    reason: payroll only\n    expires: 2030-01-31\n"
        "  - trail: aws_cloudtrail.*\n    region: eu-*\n    reason: moved\n"
    )
    config = load_config(path)
    assert config.accept[0] == Accept("payroll only", expires=date(2030, 1, 31), line=2,
                                      rule="CT009")  # fmt: skip
    assert config.accept[1].describe() == "trail aws_cloudtrail.*, region eu-*"
    path.write_text("accept:\n  - reason: nothing named\n")
    with pytest.raises(ConfigError, match="at least one of scenario, region, trail, rule"):
        load_config(path)
