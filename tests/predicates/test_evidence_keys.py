"""CT030 key rotation and CT031 key policy, on the key the trail really uses."""

from __future__ import annotations

from typing import Any

import pytest

from checker.model import PartlyKnown, Reference, Unknown
from tests.predicates.evidence_models import TRAIL_ARN, bucket, estate, key, one, run, trail

KEY_REF = Reference("arn:aws:kms:us-east-1:111122223333:key/abcd", target="aws_kms_key.trail")
ROOT = {"Sid": "EnableIAMUserPermissions", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}
ENCRYPT = {
    "Sid": "AllowCloudTrailToEncryptLogs", "Effect": "Allow",
    "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:GenerateDataKey*",
    "Resource": "*",
    "Condition": {"StringLike": {
        "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:111122223333:trail/*"}},
}
DESCRIBE = {"Sid": "AllowCloudTrailToDescribeKey", "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:DescribeKey",
            "Resource": "*"}


def key_estate(**kw: Any) -> Any:
    return estate(trail(kms_key=KEY_REF), buckets=(bucket(),), keys=(key(**kw),))


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


# ---------------------------------------------------------------------------------------------
# CT030


@pytest.mark.parametrize(
    ("kw", "status"),
    [
        ({"rotation_enabled": True}, "pass"),
        ({"rotation_enabled": False}, "fail"),
        ({"rotation_enabled": Unknown("var.rotate")}, "unknown"),
        ({"rotation_enabled": False, "customer_managed": False}, "pass"),
        ({"rotation_enabled": False, "customer_managed": Unknown("data source")}, "unknown"),
    ],
)
def test_rotation(kw: dict[str, Any], status: str) -> None:
    assert one("CT030", key_estate(**kw)).status == status


def test_rotation_period_is_reported() -> None:
    f = one("CT030", key_estate(rotation_enabled=True, rotation_period_days=180))
    assert "every 180 days" in f.message


def test_key_outside_the_inputs_is_unknown() -> None:
    e = estate(trail(kms_key=Reference("arn:aws:kms:us-east-1:111122223333:key/ffff")),
               buckets=(bucket(),))
    for rule_id in ("CT030", "CT031"):
        f = one(rule_id, e)
        assert f.status == "unknown"
        assert f.resource == "arn:aws:kms:us-east-1:111122223333:key/ffff"
        assert "not in the scanned inputs" in f.message


def test_trail_without_key_has_no_key_finding() -> None:
    e = estate(buckets=(bucket(),), keys=(key(),))
    assert run("CT030", e) == []


# ---------------------------------------------------------------------------------------------
# CT031


def test_scoped_encrypt_grant_passes() -> None:
    f = one("CT031", key_estate(policy=policy(ROOT, ENCRYPT, DESCRIBE)))
    assert f.status == "pass"
    assert "kms:EncryptionContext:aws:cloudtrail:arn" in f.message


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:SourceArn": TRAIL_ARN}},
        {"StringEquals": {"AWS:SourceAccount": "111122223333"}},
        {"ArnLike": {"aws:sourcearn": "arn:aws:cloudtrail:*:111122223333:trail/*"}},
    ],
)
def test_source_arn_or_account_also_scope(condition: dict[str, Any]) -> None:
    stmt = dict(ENCRYPT, Condition=condition)
    assert one("CT031", key_estate(policy=policy(ROOT, stmt))).status == "pass"


def test_unscoped_encrypt_grant_fails() -> None:
    stmt = {k: v for k, v in ENCRYPT.items() if k != "Condition"}
    f = one("CT031", key_estate(policy=policy(ROOT, stmt, DESCRIBE)))
    assert f.status == "fail"
    assert "AllowCloudTrailToEncryptLogs" in f.message


def test_kms_star_to_cloudtrail_without_condition_fails() -> None:
    stmt = {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "kms:*", "Resource": "*"}
    assert one("CT031", key_estate(policy=policy(ROOT, stmt))).status == "fail"


def test_no_cloudtrail_grant_fails() -> None:
    f = one("CT031", key_estate(policy=policy(ROOT, DESCRIBE)))
    assert f.status == "fail" and "does not allow cloudtrail.amazonaws.com" in f.message


def test_no_policy_fails_with_the_default_policy_explained() -> None:
    f = one("CT031", key_estate())
    assert f.status == "fail"
    assert "default key policy" in f.message
    assert "InsufficientEncryptionPolicyException" in f.message


def test_unknown_policy_is_unknown() -> None:
    f = one("CT031", key_estate(policy=Unknown("data.aws_iam_policy_document.key")))
    assert f.status == "unknown" and "data.aws_iam_policy_document.key" in f.message


@pytest.mark.parametrize(("enabled", "status"), [(False, "fail"), (Unknown("var.on"), "unknown")])
def test_key_must_be_enabled(enabled: Any, status: str) -> None:
    f = one("CT031", key_estate(enabled=enabled, policy=policy(ROOT, ENCRYPT)))
    assert f.status == status
    if status == "fail":
        assert "disabled" in f.message


def test_disabled_key_fails_even_if_policy_unknown() -> None:
    f = one("CT031", key_estate(enabled=False, policy=Unknown("var.policy")))
    assert f.status == "fail"


# Conditions are read as CT025 reads a bucket policy's (policy_doc.source_reading): a statement
# that no CloudTrail request satisfies grants nothing.
NEVER = [
    # StringEquals compares * literally: no real trail ARN holds one
    {"StringEquals": {"kms:EncryptionContext:aws:cloudtrail:arn":
                      "arn:aws:cloudtrail:*:111122223333:trail/*"}},
    # requests of a service principal carry no aws:PrincipalOrgID
    {"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn":
                    "arn:aws:cloudtrail:*:111122223333:trail/*"},
     "StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
]


@pytest.mark.parametrize("condition", NEVER)
def test_a_grant_no_cloudtrail_request_satisfies_fails(condition: dict[str, Any]) -> None:
    stmt = dict(ENCRYPT, Condition=condition)
    f = one("CT031", key_estate(policy=policy(ROOT, stmt, DESCRIBE)))
    assert f.status == "fail", f.message
    assert "in a way a CloudTrail request can satisfy" in f.message
    assert "AllowCloudTrailToEncryptLogs" in f.message


def test_an_inert_grant_beside_a_scoped_one_is_a_note() -> None:
    inert = dict(ENCRYPT, Sid="Inert", Condition=NEVER[0])
    f = one("CT031", key_estate(policy=policy(ROOT, ENCRYPT, inert)))
    assert f.status == "pass" and "'Inert'" in f.message
    assert f.message.rstrip('.').endswith("grants CloudTrail nothing")


def test_a_wildcard_account_scopes_nothing() -> None:
    stmt = dict(ENCRYPT, Condition={"StringLike": {
        "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:*:trail/*"}})
    f = one("CT031", key_estate(policy=policy(ROOT, stmt)))
    assert f.status == "fail" and "does not pin the account" in f.message


def test_a_grant_an_unknown_value_may_void_is_unknown() -> None:
    arn = PartlyKnown(("arn:aws:cloudtrail:", None, ":111122223333:trail/org"),
                      "var.region has no value")
    stmt = dict(ENCRYPT, Condition={"StringEquals": {"aws:SourceArn": arn}})
    f = one("CT031", key_estate(policy=policy(ROOT, stmt)))
    assert f.status == "unknown" and "var.region" in f.message
