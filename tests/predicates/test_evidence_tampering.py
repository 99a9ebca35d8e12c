"""CT040: an SCP or IAM policy denies StopLogging, DeleteTrail, UpdateTrail, PutEventSelectors."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from checker.model import ControlPolicy, Estate, Location, Unknown
from tests.predicates.evidence_models import bucket, estate, one, run, scp

BREAK_GLASS = {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/BreakGlass"}}


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def deny(action: Any, **extra: Any) -> dict[str, Any]:
    return {"Sid": "Guard", "Effect": "Deny", "Action": action, "Resource": "*", **extra}


def with_policies(*policies: ControlPolicy) -> Estate:
    return estate(buckets=(bucket(),), policies=policies)


def test_no_policy_in_scope_is_unknown() -> None:
    f = one("CT040", with_policies())
    assert f.status == "unknown"
    assert "no SCP" in f.message
    assert f.resource == "estate"


def test_iam_policy_without_cloudtrail_actions_is_not_in_scope() -> None:
    delivery = ControlPolicy(
        id="aws_iam_role_policy.trail_to_cwl", kind="iam",
        document=doc({"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                      "Resource": "*"}),
    )
    f = one("CT040", with_policies(delivery))
    assert f.status == "unknown" and "names StopLogging" in f.message
    # but an SCP is always in scope, whatever it says
    other = scp(doc(deny("s3:DeleteBucket")))
    assert one("CT040", with_policies(delivery, other)).status == "fail"


def test_a_monitoring_policy_reading_trails_is_not_in_scope() -> None:
    # a vendor's read-only role (DescribeTrails, GetTrailStatus) neither allows nor denies
    # tampering: it leaves the question to the SCPs, which are not in the inputs
    reader = ControlPolicy(
        id="aws_iam_policy.monitoring", kind="iam",
        document=doc({"Effect": "Allow", "Resource": "*",
                      "Action": ["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"]}),
    )  # fmt: skip
    assert one("CT040", with_policies(reader)).status == "unknown"
    operator = replace(reader, document=doc({"Effect": "Allow", "Resource": "*",
                                            "Action": "cloudtrail:Stop*"}))  # fmt: skip
    assert one("CT040", with_policies(operator)).status == "fail"  # names StopLogging


def test_other_policy_kinds_do_not_count() -> None:
    rcp = scp(doc(deny("cloudtrail:*")), kind="rcp")
    assert one("CT040", with_policies(rcp)).status == "unknown"


def test_not_reported_without_trails() -> None:
    assert run("CT040", Estate(policies=(scp(doc(deny("cloudtrail:*"))),))) == []


def test_scp_denying_only_stop_logging_fails_naming_the_others() -> None:
    f = one("CT040", with_policies(scp(doc(deny("cloudtrail:StopLogging")))))
    assert f.status == "fail"
    for name in ("DeleteTrail", "UpdateTrail", "PutEventSelectors"):
        assert f"cloudtrail:{name}" in f.message
    assert "cloudtrail:StopLogging and" not in f.message
    assert "only StopLogging is denied" in f.message
    assert (f.file, f.line) == ("org.tf", 3)


@pytest.mark.parametrize(
    "action",
    [
        "cloudtrail:*",
        "*",
        ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail",
         "cloudtrail:PutEventSelectors"],
        ["CloudTrail:stoplogging", "cloudtrail:Delete*", "cloudtrail:Update*", "cloudtrail:Put*"],
    ],
)
def test_wildcards_and_lists_cover_all_four(action: Any) -> None:
    f = one("CT040", with_policies(scp(doc(deny(action)))))
    assert f.status == "pass", f.message
    assert "StopLogging, DeleteTrail, UpdateTrail and PutEventSelectors" in f.message


def test_not_action_that_leaves_them_covered_passes() -> None:
    stmt = {"Effect": "Deny", "NotAction": ["cloudtrail:Describe*", "cloudtrail:Get*",
                                            "cloudtrail:List*", "cloudtrail:LookupEvents"],
            "Resource": "*"}
    assert one("CT040", with_policies(scp(doc(stmt)))).status == "pass"


def test_not_action_that_excludes_one_fails_naming_it() -> None:
    stmt = {"Effect": "Deny", "NotAction": ["cloudtrail:UpdateTrail"], "Resource": "*"}
    f = one("CT040", with_policies(scp(doc(stmt))))
    assert f.status == "fail" and "cloudtrail:UpdateTrail" in f.message


def test_break_glass_exemption_passes_and_is_reported() -> None:
    f = one("CT040", with_policies(scp(doc(deny("cloudtrail:*", Condition=BREAK_GLASS)))))
    assert f.status == "pass"
    assert "exemption" in f.message and "arn:aws:iam::*:role/BreakGlass" in f.message


def test_other_conditions_make_the_deny_conditional_unknown() -> None:
    cond = {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}
    f = one("CT040", with_policies(scp(doc(deny("cloudtrail:*", Condition=cond)))))
    assert f.status == "unknown"
    assert "aws:RequestedRegion" in f.message


def test_allow_is_not_protection() -> None:
    iam = ControlPolicy(
        id="aws_iam_policy.trail_operators", kind="iam", location=Location("iam.tf", 1),
        document=doc({"Effect": "Allow", "Action": ["cloudtrail:StopLogging"], "Resource": "*"}),
    )
    f = one("CT040", with_policies(iam))
    assert f.status == "fail"
    assert "aws_iam_policy.trail_operators" in f.message and "allows" in f.message


def test_iam_policy_deny_counts() -> None:
    iam = ControlPolicy(id="aws_iam_policy.guard", kind="iam", document=doc(deny("cloudtrail:*")))
    f = one("CT040", with_policies(iam))
    assert f.status == "pass" and "IAM policy aws_iam_policy.guard" in f.message


def test_coverage_may_come_from_several_policies() -> None:
    a = scp(doc(deny(["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"])), "scp.a")
    b = scp(doc(deny(["cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors"])), "scp.b")
    f = one("CT040", with_policies(a, b))
    assert f.status == "pass" and "scp.a" in f.message and "scp.b" in f.message


def test_declared_but_unattached_scp_counts_and_says_so() -> None:
    f = one("CT040", with_policies(scp(doc(deny("cloudtrail:*")), targets=())))
    assert f.status == "pass" and "attachment is not in the inputs" in f.message


def test_unknown_document_gives_unknown_unless_covered_elsewhere() -> None:
    unknown = scp(Unknown("file(\"scp.json\") is outside the inputs"), "scp.unknown")
    f = one("CT040", with_policies(unknown))
    assert f.status == "unknown" and "scp.json" in f.message
    full = scp(doc(deny("cloudtrail:*")), "scp.full")
    assert one("CT040", with_policies(unknown, full)).status == "pass"


def test_resource_limited_to_other_services_does_not_count() -> None:
    stmt = deny("cloudtrail:*")
    stmt["Resource"] = "arn:aws:s3:::some-bucket"
    assert one("CT040", with_policies(scp(doc(stmt)))).status == "fail"


def test_resource_limited_to_named_trail_counts_with_a_note() -> None:
    stmt = deny("cloudtrail:*")
    stmt["Resource"] = "arn:aws:cloudtrail:us-east-1:111122223333:trail/org-audit"
    f = one("CT040", with_policies(scp(doc(stmt))))
    assert f.status == "pass" and "limited to" in f.message


def test_trail_wildcard_resource_counts_fully() -> None:
    stmt = deny("cloudtrail:*")
    stmt["Resource"] = "arn:aws:cloudtrail:*:*:trail/*"
    f = one("CT040", with_policies(scp(doc(stmt))))
    assert f.status == "pass" and "limited" not in f.message


# An organization trail lives in the management account, which SCPs do not bind (AWS
# Organizations User Guide, "Service control policies (SCPs)").
ALL_FOUR = doc(deny("cloudtrail:*"))


def _org_unit(flag: Any, *policies: ControlPolicy) -> Estate:
    from tests.predicates.evidence_models import trail

    return estate(trail(is_organization=flag), buckets=(bucket(),), policies=policies)


def test_an_scp_does_not_protect_an_organization_trail() -> None:
    f = one("CT040", _org_unit(True, scp(ALL_FOUR)))
    assert f.status == "unknown"
    assert "management account, where SCPs do not apply" in f.message
    # an IAM policy of the unit does; the SCP is said not to count
    iam = ControlPolicy(id="aws_iam_policy.guard", kind="iam", document=ALL_FOUR)
    f = one("CT040", _org_unit(True, iam, scp(ALL_FOUR)))
    assert f.status == "pass" and "IAM policy aws_iam_policy.guard" in f.message
    assert "SCPs do not apply" in f.message
    # an account trail is protected by the SCP, as before
    assert one("CT040", _org_unit(False, scp(ALL_FOUR))).status == "pass"


def test_an_scp_protects_a_trail_only_if_it_is_not_an_organization_trail() -> None:
    f = one("CT040", _org_unit(Unknown("var.org has no value"), scp(ALL_FOUR)))
    assert f.status == "unknown" and "var.org has no value" in f.message
