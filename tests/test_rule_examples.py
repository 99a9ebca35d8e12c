"""Every rule's documented failing and fixed examples really fail and pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.engine import evaluate, load_rules
from checker.loaders import LoadOptions, load_paths
from checker.rules import Rule
from checker.suppress import Sources, apply

REPO = Path(__file__).resolve().parent.parent
RULES = load_rules()
CASES = [(r, e) for r in RULES for e in r.examples]


def test_every_checked_rule_has_a_failing_and_a_fixed_example() -> None:
    for r in RULES:
        expects = {e.expect for e in r.examples}
        assert expects == {"fail", "pass"}, f"{r.id} needs a failing and a fixed example"


# Examples that cannot exist, and why.
NOT_EXPRESSIBLE = {
    # CloudFormation cannot enable MFA delete: only the root user can, through the API.
    ("CT022", "pass", "cloudformation"),
    # delivery errors exist only in a status read from AWS; IaC describes intent
    *(("CT012", e, k) for e in ("fail", "pass") for k in ("terraform", "cloudformation")),
}


def test_every_checked_rule_has_examples_in_terraform_and_cloudformation() -> None:
    for r in RULES:
        if r.check is None:
            continue  # CT000 and CT099 report problems of the inputs themselves
        have = {(e.expect, e.kind) for e in r.examples}
        for expect in ("fail", "pass"):
            for kind in ("terraform", "cloudformation"):
                if (r.id, expect, kind) not in NOT_EXPRESSIBLE:
                    assert (expect, kind) in have, f"{r.id} has no {expect}ing {kind} example"


@pytest.mark.parametrize(
    ("rule", "example"), CASES, ids=[f"{r.id}-{e.expect}-{e.kind}" for r, e in CASES]
)
def test_example(rule: Rule, example: object) -> None:
    path = REPO / example.path  # type: ignore[attr-defined]
    assert path.exists(), f"{rule.id}: example {example.path} is missing"  # type: ignore[attr-defined]
    estate = load_paths([str(path)], LoadOptions(cwd=str(REPO)))
    # as `trailcheck scan` does: suppression problems (CT099) are found after the rules
    every = apply(evaluate(estate, RULES), Sources(estate.inputs, REPO))
    findings = [f for f in every if f.rule_id == rule.id]
    if rule.id != "CT000":
        errors = [f for f in every if f.rule_id == "CT000"]
        assert not errors, f"example {example.path} does not load: {errors}"  # type: ignore[attr-defined]
    statuses = sorted({f.status for f in findings})
    if example.expect == "fail":  # type: ignore[attr-defined]
        assert "fail" in statuses, f"{rule.id} should fail on {example.path}: {findings}"  # type: ignore[attr-defined]
    else:
        # rules without a check (CT000, CT099) report only problems, never a pass
        assert statuses in (["pass"], []) if rule.check is None else statuses == ["pass"], (
            f"{rule.id} should pass on {example.path}: {findings}"  # type: ignore[attr-defined]
        )
