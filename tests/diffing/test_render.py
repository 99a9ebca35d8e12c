"""checker/diffing/render.py: the headline never calls an unknown "no change"."""

from __future__ import annotations

import json

from checker.diffing.compare import Change, Comparison
from checker.diffing.render import NO_CHANGE, DiffReport, Side, render

REGIONS = ("us-east-1", "eu-west-1")


def report(changes: tuple[Change, ...] = (), still: tuple[str, ...] = (),
           fail_on_unknown: bool = False) -> DiffReport:  # fmt: skip
    cmp = Comparison(changes, REGIONS, still)
    return DiffReport(Side("main", "git", "0123456789abcdef"), Side("work", "path"), cmp, changes,
                      None, fail_on_unknown)  # fmt: skip


def test_identical_is_no_change() -> None:
    r = report()
    assert r.headline() == NO_CHANGE and r.exit_code == 0
    assert "Result: no change in coverage" in render("text", r)
    assert "main (0123456789ab) -> work" in render("text", r)


def test_unknown_on_both_sides_is_not_no_change() -> None:
    r = report(still=("root-usage in us-east-1: var.x has no value",))
    assert r.result() == "unknown" and NO_CHANGE not in r.headline()
    text = render("text", r)
    assert "Unknown on both sides (1)" in text and "var.x has no value" in text
    assert r.exit_code == 0


def test_unknown_change_fails_only_with_the_flag() -> None:
    change = Change("logging", "unknown", "t", "trail `t`: is_logging was true, now unknown")
    assert report((change,)).exit_code == 0
    assert report((change,), fail_on_unknown=True).exit_code == 1
    assert report((change,)).result() == "unknown"


def test_json_and_markdown() -> None:
    lost = Change("selectors", "lost", "t", "PutObject on all buckets in eu-west-1 is no longer "
                  "recorded", trail="t", regions=("eu-west-1",))  # fmt: skip
    accepted = Change("rule", "lost", "CT009 estate", "CT009 | pass -> fail", rule="CT009",
                      accepted="payroll only")  # fmt: skip
    gained = Change("trail", "gained", "u", "trail `u` is added", trail="u")
    r = report((lost, accepted, gained))
    doc = json.loads(render("json", r))
    assert doc["schema_version"] == 1 and doc["result"] == "shrinks" and doc["exit_code"] == 1
    assert doc["summary"] == {"lost": 1, "accepted": 1, "unknown": 0, "changed": 0, "gained": 1}
    assert doc["base"] == {"spec": "main", "kind": "git", "revision": "0123456789abcdef"}
    md = render("markdown", r)
    assert md.startswith("### ❌ trailcheck diff: coverage shrinks")
    assert "| **lost** | PutObject on all buckets in eu-west-1" in md
    assert "| accepted | CT009 \\| pass -> fail | payroll only |" in md
    assert "<details><summary>Coverage gained (1)</summary>" in md
