"""checker/diffing/compare.py: two estates in, changes out."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from checker.diffing.compare import (
    Change,
    Comparison,
    compare,
    compare_findings,
    compare_matrices,
)
from checker.findings import Finding
from checker.model import (
    AdvancedSelector,
    Estate,
    FieldSelector,
    Reference,
    Selectors,
    Trail,
    Unknown,
)

REGIONS = ("us-east-1", "eu-west-1")


def s3_selector(*starts: str) -> Selectors:
    fields = [FieldSelector("eventCategory", equals=("Data",)),
              FieldSelector("resources.type", equals=("AWS::S3::Object",))]  # fmt: skip
    if starts:
        fields.append(FieldSelector("resources.ARN", starts_with=starts))
    return Selectors("advanced", advanced=(AdvancedSelector(tuple(fields)),))


def trail(tid: str = "aws_cloudtrail.data", **kw: Any) -> Trail:
    base: dict[str, Any] = dict(name=tid.split(".")[-1], home_region="eu-west-1",
                                account_id="111122223333", is_multi_region=True)  # fmt: skip
    base.update(kw)
    return Trail(tid, **base)


def kinds(changes: Any) -> set[tuple[str, str]]:
    return {(c.kind, c.direction) for c in changes}


def losses(result: Comparison) -> list[Change]:
    return [c for c in result.changes if c.direction == "lost"]


def test_identical_estates_are_no_change() -> None:
    e = Estate(trails=(trail(selectors=s3_selector()),))
    result = compare(e, e, REGIONS)
    assert result.changes == () and result.notes == ()


def test_narrowed_s3_selector_is_a_loss_naming_buckets_and_regions() -> None:
    base = Estate(trails=(trail(selectors=s3_selector()),))
    head = Estate(trails=(trail(selectors=s3_selector("arn:aws:s3:::payroll/")),))
    result = compare(base, head, REGIONS)
    lost = [c for c in losses(result) if c.kind == "selectors"]
    assert lost, result.changes
    msg = lost[0].message
    assert "PutObject" in msg and "on all buckets" in msg
    assert "in us-east-1, eu-west-1 is no longer" in msg
    assert "no longer recorded" in msg and "arn:aws:s3:::payroll/" in msg
    assert "`aws_cloudtrail.data`" in msg
    assert set(lost[0].regions) == set(REGIONS)
    assert any(d.startswith("was: selector 0") for d in lost[0].details)
    # the reverse is a gain, not a loss
    back = compare(head, base, REGIONS)
    assert not losses(back) and ("selectors", "gained") in kinds(back.changes)


def test_selectors_rewritten_to_the_same_effect_are_changed_not_lost() -> None:
    two = Selectors("advanced", advanced=(
        AdvancedSelector((FieldSelector("eventCategory", equals=("Data",)),
                          FieldSelector("resources.type", equals=("AWS::S3::Object",)),
                          FieldSelector("readOnly", equals=("true",)))),
        AdvancedSelector((FieldSelector("eventCategory", equals=("Data",)),
                          FieldSelector("resources.type", equals=("AWS::S3::Object",)),
                          FieldSelector("readOnly", equals=("false",)))),
    ))  # fmt: skip
    base = Estate(trails=(trail(selectors=s3_selector()),))
    head = Estate(trails=(trail(selectors=two),))
    result = compare(base, head, REGIONS)
    assert kinds(result.changes) == {("selectors", "changed")}


def test_trail_settings_removed_and_added() -> None:
    main = trail("aws_cloudtrail.main", log_group=Reference("/aws/cloudtrail"),
                 cloudwatch_logs_role_arn="arn:aws:iam::111122223333:role/ct")  # fmt: skip
    base = Estate(trails=(main, trail("aws_cloudtrail.old")))
    head = Estate(trails=(
        replace(main, is_logging=False, is_multi_region=False, log_group=None),
        trail("aws_cloudtrail.new"),
    ))  # fmt: skip
    result = compare(base, head, REGIONS)
    got = kinds(result.changes)
    assert {("logging", "lost"), ("multi-region", "lost"), ("cloudwatch", "lost"),
            ("trail", "lost"), ("trail", "gained")} <= got  # fmt: skip
    removed = next(c for c in result.changes if c.kind == "trail" and c.direction == "lost")
    assert removed.trail == "aws_cloudtrail.old" and "removed" in removed.message


def test_unknown_flag_is_an_unknown_change_never_no_change() -> None:
    base = Estate(trails=(trail(),))
    head = Estate(trails=(trail(is_logging=Unknown("var.enabled has no value")),))
    result = compare(base, head, REGIONS)
    assert ("logging", "unknown") in kinds(result.changes)
    change = next(c for c in result.changes if c.kind == "logging")
    assert "var.enabled has no value" in change.message


def cell(status: str, by: tuple[str, ...] = (), cw: bool | None = True,
         alarm: bool | None = True, reason: str = "") -> dict[str, Any]:  # fmt: skip
    return {"status": status, "captured_by": list(by), "cloudwatch": cw, "alarm": alarm,
            "reason": reason}  # fmt: skip


def matrix(cells: dict[str, dict[str, Any]], critical: bool = True) -> dict[str, Any]:
    return {"regions": list(REGIONS), "scenarios": [
        {"id": "root-login", "title": "Root sign-in", "critical": critical, "cells": cells}
    ]}  # fmt: skip


def test_matrix_cells_lost_gained_unknown_alarm() -> None:
    t = ("aws_cloudtrail.main",)
    base = matrix({"us-east-1": cell("captured", t), "eu-west-1": cell("captured", t)})
    head = matrix({"us-east-1": cell("missed", reason="trail removed"),
                   "eu-west-1": cell("captured", t, alarm=False)})  # fmt: skip
    changes, unknown = compare_matrices(base, head, REGIONS)
    assert unknown == []
    lost = {c.kind: c for c in changes if c.direction == "lost"}
    assert lost["scenario"].regions == ("us-east-1",) and lost["scenario"].trails == t
    assert "Root sign-in (root-login) [critical] is no longer recorded in us-east-1" in (
        lost["scenario"].message
    )
    assert "trail removed" in lost["scenario"].message
    assert lost["alarm"].regions == ("eu-west-1",) and "no longer raises an alarm" in (
        lost["alarm"].message
    )


def test_matrix_unknown_cells() -> None:
    t = ("aws_cloudtrail.main",)
    base = matrix({"us-east-1": cell("captured", t), "eu-west-1": cell("unknown", reason="r1")})
    head = matrix({"us-east-1": cell("unknown", reason="var.x"),
                   "eu-west-1": cell("unknown", reason="r1")})  # fmt: skip
    changes, still = compare_matrices(base, head, REGIONS)
    assert [(c.kind, c.direction, c.regions) for c in changes] == [
        ("scenario", "unknown", ("us-east-1",))
    ]
    assert still == ["root-login in eu-west-1: r1"]
    # CloudWatch delivery that becomes unknown on a captured cell is unknown, not unchanged
    head2 = matrix({"us-east-1": cell("captured", t, cw=None),
                    "eu-west-1": cell("unknown", reason="r1")})  # fmt: skip
    changes2, _ = compare_matrices(base, head2, REGIONS)
    assert [(c.kind, c.direction) for c in changes2] == [("cloudwatch", "unknown")]


def test_scenarios_compared_through_the_matrix_function() -> None:
    base = Estate(trails=(trail(),))
    head = Estate(trails=(trail(is_logging=False),))
    seen: list[Estate] = []

    def fake(estate: Estate, regions: Any) -> dict[str, Any]:
        seen.append(estate)
        on = estate.trails[0].is_logging is True
        status = "captured" if on else "missed"
        return matrix({r: cell(status, ("aws_cloudtrail.data",) if on else ()) for r in regions})

    result = compare(base, head, REGIONS, matrix=fake)
    assert seen == [base, head]
    assert ("scenario", "lost") in kinds(result.changes)
    assert compare(base, head, REGIONS).notes  # without the catalog, a note says so


def finding(rule: str, status: str, resource: str = "estate") -> Finding:
    return Finding(rule, "name", status, "high", resource, "main.tf", 1, f"{rule} {status}")  # type: ignore[arg-type]


def test_rules_pass_to_fail_and_back() -> None:
    base = [finding("CT009", "pass"), finding("CT002", "fail", "aws_cloudtrail.main"),
            finding("CT004", "pass", "aws_cloudtrail.main")]  # fmt: skip
    head = [finding("CT009", "fail"), finding("CT002", "pass", "aws_cloudtrail.main"),
            finding("CT004", "unknown", "aws_cloudtrail.main"),
            finding("CT003", "fail", "aws_cloudtrail.new")]  # fmt: skip
    changes = compare_findings(base, head, {"aws_cloudtrail.main", "aws_cloudtrail.new"})
    got = {(c.rule, c.direction, c.trail) for c in changes}
    assert got == {("CT009", "lost", None), ("CT002", "gained", "aws_cloudtrail.main"),
                   ("CT004", "unknown", "aws_cloudtrail.main"),
                   ("CT003", "changed", "aws_cloudtrail.new")}  # fmt: skip


def test_management_narrowing_is_one_loss_per_trail() -> None:
    from checker.model import BasicSelector

    write_only = Selectors("basic", basic=(BasicSelector(
        read_write_type="WriteOnly", exclude_management_event_sources=("kms.amazonaws.com",)),))
    base = Estate(trails=(trail("aws_cloudtrail.main"),))
    head = Estate(trails=(trail("aws_cloudtrail.main", selectors=write_only),))
    lost = losses(compare(base, head, REGIONS))
    assert [c.kind for c in lost] == ["selectors"]
    msg = lost[0].message
    assert "read management events" in msg and "from kms.amazonaws.com" in msg
    assert "no longer recorded by trail `aws_cloudtrail.main`" in msg
    assert any("management events: was pass" in d and "now fail" in d for d in lost[0].details)


def test_an_existing_resource_is_never_called_new() -> None:
    """A rule that did not judge a resource in BASE (it did not apply) and fails on it in HEAD:
    the resource was there all along."""
    base = [finding("CT002", "pass", "aws_cloudtrail.main")]
    head = [finding("CT002", "pass", "aws_cloudtrail.main"),
            finding("CT003", "fail", "aws_cloudtrail.main"),
            finding("CT003", "fail", "aws_cloudtrail.added")]  # fmt: skip
    changes = {c.subject: c.message for c in compare_findings(base, head, set())}
    assert "new resource" not in changes["CT003 aws_cloudtrail.main"]
    assert "now fails on aws_cloudtrail.main, which BASE did not judge by this rule" in (
        changes["CT003 aws_cloudtrail.main"])
    assert "fails on new resource aws_cloudtrail.added" in changes["CT003 aws_cloudtrail.added"]
