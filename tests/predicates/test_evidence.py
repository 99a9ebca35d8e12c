"""Log bucket rules CT020-CT026 on model objects built directly."""

from __future__ import annotations

import pytest

from checker.model import Grant, PublicAccessBlock, Reference, Unknown
from tests.predicates.evidence_models import (
    BUCKET,
    CT_ACL,
    CT_WRITE,
    GOOD_POLICY,
    PUBLIC_READ,
    TLS,
    bucket,
    bucket_policy,
    estate,
    one,
    run,
    trail,
)

ALL_ON = PublicAccessBlock(True, True, True, True)
ALL_OFF = PublicAccessBlock(False, False, False, False)

# ---------------------------------------------------------------------------------------------
# Subjects outside the inputs


@pytest.mark.parametrize(
    "rule_id", ["CT020", "CT021", "CT022", "CT023", "CT024", "CT025", "CT026"]
)
def test_bucket_outside_the_inputs_is_unknown_and_named(rule_id: str) -> None:
    e = estate(trail(bucket=Reference("central-audit-logs")))  # no bucket in the inputs
    finding = one(rule_id, e)
    assert finding.status == "unknown"
    assert finding.resource == "arn:aws:s3:::central-audit-logs"
    assert "central-audit-logs" in finding.message
    assert "not in the scanned inputs" in finding.message
    assert (finding.file, finding.line) == ("main.tf", 7)  # the trail's s3_bucket_name line


def test_bucket_shared_by_two_trails_is_judged_once() -> None:
    e = estate(trail(), trail(id="aws_cloudtrail.second"), buckets=(bucket(),))
    assert [f.resource for f in run("CT021", e)] == ["aws_s3_bucket.logs"]


# ---------------------------------------------------------------------------------------------
# CT020 Object Lock


def test_object_lock_compliance_passes_with_mode_and_days() -> None:
    b = bucket(object_lock_enabled=True, object_lock_mode="COMPLIANCE", object_lock_days=365)
    f = one("CT020", estate(buckets=(b,)))
    assert f.status == "pass"
    assert "COMPLIANCE" in f.message and "365 days" in f.message


def test_object_lock_governance_passes_with_bypass_note() -> None:
    b = bucket(object_lock_enabled=True, object_lock_mode="GOVERNANCE", object_lock_days=90)
    f = one("CT020", estate(buckets=(b,)))
    assert f.status == "pass"
    assert "GOVERNANCE" in f.message and "90 days" in f.message
    assert "s3:BypassGovernanceRetention" in f.message


def test_object_lock_without_retention_rule_fails() -> None:
    f = one("CT020", estate(buckets=(bucket(object_lock_enabled=True),)))
    assert f.status == "fail"
    assert "without a default retention" in f.message


def test_object_lock_off_fails_and_unknown_is_unknown() -> None:
    assert one("CT020", estate(buckets=(bucket(),))).status == "fail"
    b = bucket(object_lock_enabled=Unknown("var.lock has no value"))
    f = one("CT020", estate(buckets=(b,)))
    assert f.status == "unknown" and "var.lock has no value" in f.message
    b = bucket(object_lock_enabled=True, object_lock_mode=Unknown("var.mode has no value"))
    assert one("CT020", estate(buckets=(b,))).status == "unknown"


def test_object_lock_unknown_days_still_passes_because_a_rule_exists() -> None:
    b = bucket(object_lock_enabled=True, object_lock_mode="COMPLIANCE",
               object_lock_days=Unknown("var.days has no value"))
    f = one("CT020", estate(buckets=(b,)))
    assert f.status == "pass" and "unknown number of days" in f.message


# ---------------------------------------------------------------------------------------------
# CT021 versioning, CT022 MFA delete, CT024 access logging (declarative)


@pytest.mark.parametrize(
    ("kw", "status"),
    [
        ({"versioning": "Enabled"}, "pass"),
        ({"versioning": "Suspended"}, "fail"),
        ({"versioning": None}, "fail"),
        ({"versioning": None, "object_lock_enabled": True}, "pass"),
        ({"versioning": Unknown("var.v has no value")}, "unknown"),
    ],
)
def test_versioning(kw: dict[str, object], status: str) -> None:
    assert one("CT021", estate(buckets=(bucket(**kw),))).status == status


def test_versioning_fail_message_names_the_state() -> None:
    f = one("CT021", estate(buckets=(bucket(versioning="Suspended"),)))
    assert "'Suspended'" in f.message


@pytest.mark.parametrize(
    ("value", "status"), [(True, "pass"), (False, "fail"), (Unknown("var.m"), "unknown")]
)
def test_mfa_delete(value: object, status: str) -> None:
    assert one("CT022", estate(buckets=(bucket(mfa_delete=value),))).status == status


@pytest.mark.parametrize(
    ("value", "status"),
    [("example-access-logs", "pass"), (None, "fail"), (Unknown("var.target"), "unknown")],
)
def test_access_logging(value: object, status: str) -> None:
    assert one("CT024", estate(buckets=(bucket(access_logging_target=value),))).status == status


# ---------------------------------------------------------------------------------------------
# CT023 not public


def test_iac_bucket_without_settings_relies_on_defaults() -> None:
    f = one("CT023", estate(buckets=(bucket(),)))
    assert f.status == "pass"
    assert "relies on the S3 defaults" in f.message


def test_live_bucket_without_block_and_without_public_grants_passes() -> None:
    f = one("CT023", estate(buckets=(bucket(origin="live", policy=GOOD_POLICY),)))
    assert f.status == "pass"
    assert "defaults" not in f.message


def test_live_bucket_without_block_and_public_policy_fails() -> None:
    b = bucket(origin="live", policy=bucket_policy(CT_ACL, CT_WRITE, PUBLIC_READ))
    f = one("CT023", estate(buckets=(b,)))
    assert f.status == "fail"
    assert "'PublicRead'" in f.message
    assert f.line == 30  # the policy's line


def test_iac_bucket_public_policy_fails_even_with_default_block() -> None:
    # the S3 defaults would reject it at deployment; the configuration is wrong either way
    b = bucket(policy=bucket_policy(PUBLIC_READ))
    f = one("CT023", estate(buckets=(b,)))
    assert f.status == "fail"
    assert "would reject it at deployment" in f.message


def test_public_policy_neutralized_by_explicit_restrict_public_buckets() -> None:
    b = bucket(policy=bucket_policy(PUBLIC_READ), public_access_block=ALL_ON)
    f = one("CT023", estate(buckets=(b,)))
    assert f.status == "pass" and "RestrictPublicBuckets" in f.message
    e = estate(buckets=(bucket(origin="live", policy=bucket_policy(PUBLIC_READ)),),
               account_public_access_blocks=(ALL_ON,))
    assert one("CT023", e).status == "pass"


def test_iac_public_acl_without_explicit_block_fails() -> None:
    f = one("CT023", estate(buckets=(bucket(acl="public-read"),)))
    assert f.status == "fail" and "public-read" in f.message


def test_all_flags_off_fails_naming_them() -> None:
    f = one("CT023", estate(buckets=(bucket(public_access_block=ALL_OFF),)))
    assert f.status == "fail"
    for name in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                 "RestrictPublicBuckets"):
        assert name in f.message


def test_flags_off_on_bucket_but_enforced_by_account_block_pass() -> None:
    e = estate(buckets=(bucket(public_access_block=ALL_OFF),),
               account_public_access_blocks=(ALL_ON,))
    f = one("CT023", e)
    assert f.status == "pass" and "the account" in f.message


def test_partial_account_block_leaves_other_flags_failing() -> None:
    account = PublicAccessBlock(block_public_acls=True, ignore_public_acls=True)
    e = estate(buckets=(bucket(public_access_block=ALL_OFF),),
               account_public_access_blocks=(account,))
    f = one("CT023", e)
    assert f.status == "fail"
    assert "BlockPublicPolicy" in f.message and "RestrictPublicBuckets" in f.message
    assert "BlockPublicAcls" not in f.message


def test_all_four_flags_are_considered() -> None:
    for flag in ("block_public_acls", "ignore_public_acls", "block_public_policy",
                 "restrict_public_buckets"):
        block = PublicAccessBlock(**{f: f != flag for f in (
            "block_public_acls", "ignore_public_acls", "block_public_policy",
            "restrict_public_buckets")})
        assert one("CT023", estate(buckets=(bucket(public_access_block=block),))).status == "fail"


@pytest.mark.parametrize("acl", ["public-read", "public-read-write", "authenticated-read"])
def test_public_canned_acl_fails_without_ignore(acl: str) -> None:
    b = bucket(origin="live", acl=acl)
    f = one("CT023", estate(buckets=(b,)))
    assert f.status == "fail" and acl in f.message


def test_public_acl_ignored_by_ignore_public_acls_passes_with_note() -> None:
    b = bucket(acl="public-read", public_access_block=ALL_ON)
    f = one("CT023", estate(buckets=(b,)))
    assert f.status == "pass" and "IgnorePublicAcls" in f.message


def test_private_and_log_delivery_acls_pass() -> None:
    for acl in ("private", "log-delivery-write"):
        assert one("CT023", estate(buckets=(bucket(origin="live", acl=acl),))).status == "pass"


@pytest.mark.parametrize("group", ["AllUsers", "AuthenticatedUsers"])
def test_grant_to_public_group_fails(group: str) -> None:
    grant = Grant(f"http://acs.amazonaws.com/groups/global/{group}", "READ")
    f = one("CT023", estate(buckets=(bucket(origin="live", grants=(grant,)),)))
    assert f.status == "fail" and group in f.message


def test_grant_to_log_delivery_group_passes() -> None:
    grant = Grant("http://acs.amazonaws.com/groups/s3/LogDelivery", "WRITE")
    assert one("CT023", estate(buckets=(bucket(origin="live", grants=(grant,)),))).status == "pass"


def test_principal_star_with_restricting_condition_is_not_public() -> None:
    stmt = dict(PUBLIC_READ, Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}})
    b = bucket(origin="live", policy=bucket_policy(stmt))
    assert one("CT023", estate(buckets=(b,))).status == "pass"


def test_aws_star_principal_is_public() -> None:
    stmt = dict(PUBLIC_READ, Principal={"AWS": "*"})
    b = bucket(origin="live", policy=bucket_policy(stmt))
    assert one("CT023", estate(buckets=(b,))).status == "fail"


def test_deny_for_everyone_is_not_public() -> None:
    b = bucket(origin="live", policy=bucket_policy(TLS))
    assert one("CT023", estate(buckets=(b,))).status == "pass"


def test_unknown_parts_give_unknown_but_a_fail_stays_a_fail() -> None:
    b = bucket(public_access_block=Unknown("module output"))
    assert one("CT023", estate(buckets=(b,))).status == "unknown"
    b = bucket(origin="live", policy=Unknown("var.policy has no value"))
    f = one("CT023", estate(buckets=(b,)))
    assert f.status == "unknown" and "var.policy has no value" in f.message
    b = bucket(public_access_block=ALL_OFF, policy=Unknown("var.policy has no value"))
    assert one("CT023", estate(buckets=(b,))).status == "fail"


def test_unknown_account_block_with_flag_off_is_unknown() -> None:
    e = estate(buckets=(bucket(public_access_block=ALL_OFF),),
               account_public_access_blocks=(PublicAccessBlock(*(Unknown("var.b"),) * 4),))
    assert one("CT023", e).status == "unknown"


# ---------------------------------------------------------------------------------------------
# CT025 CloudTrail grants scoped by source


def test_scoped_cloudtrail_grants_pass_and_are_named() -> None:
    f = one("CT025", estate(buckets=(bucket(policy=GOOD_POLICY),)))
    assert f.status == "pass"
    assert "AWSCloudTrailAclCheck" in f.message and "aws:SourceArn" in f.message


def test_grant_without_source_condition_fails_naming_the_statement() -> None:
    write = {k: v for k, v in CT_WRITE.items() if k != "Condition"}
    f = one("CT025", estate(buckets=(bucket(policy=bucket_policy(CT_ACL, write)),)))
    assert f.status == "fail"
    assert "AWSCloudTrailWrite" in f.message and "s3:PutObject" in f.message
    assert "AWSCloudTrailAclCheck" not in f.message
    assert "any account's trail can write into this bucket" in f.message


def test_an_unscoped_acl_check_is_not_said_to_let_others_write() -> None:
    # the write grant is scoped: an unscoped s3:GetBucketAcl still fails, for what it allows
    acl = {k: v for k, v in CT_ACL.items() if k != "Condition"}
    f = one("CT025", estate(buckets=(bucket(policy=bucket_policy(acl, CT_WRITE)),)))
    assert f.status == "fail"
    assert "passes CloudTrail's check of this bucket's ACL" in f.message
    assert "can write into this bucket" not in f.message


@pytest.mark.parametrize(
    "condition",
    [
        {"ArnLike": {"AWS:SourceArn": "arn:aws:cloudtrail:*:111122223333:trail/*"}},
        {"StringEquals": {"aws:sourceaccount": "111122223333"}},
        {"ArnEquals": {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/t"}},
        {"StringEqualsIfExists": {"aws:SourceAccount": "111122223333"}},
    ],
)
def test_any_positive_operator_and_key_case_count(condition: dict[str, object]) -> None:
    write = dict(CT_WRITE, Condition=condition)
    acl = dict(CT_ACL, Condition=condition)
    b = bucket(policy=bucket_policy(acl, write))
    assert one("CT025", estate(buckets=(b,))).status == "pass"


def test_negated_source_condition_does_not_count() -> None:
    cond = {"StringNotEquals": {"aws:SourceAccount": "999999999999"}}
    write = dict(CT_WRITE, Condition=cond)
    assert one("CT025", estate(buckets=(bucket(policy=bucket_policy(write)),))).status == "fail"


def test_no_policy_fails_and_unknown_policy_is_unknown() -> None:
    f = one("CT025", estate(buckets=(bucket(),)))
    assert f.status == "fail" and "no bucket policy" in f.message
    f = one("CT025", estate(buckets=(bucket(policy=Unknown("data.aws_iam_policy_document.x")),)))
    assert f.status == "unknown" and "data.aws_iam_policy_document.x" in f.message


def test_policy_without_any_cloudtrail_grant_fails() -> None:
    f = one("CT025", estate(buckets=(bucket(policy=bucket_policy(TLS)),)))
    assert f.status == "fail" and "cannot deliver" in f.message


def test_policy_as_json_string_is_read() -> None:
    import json

    b = bucket(policy=json.dumps(GOOD_POLICY))  # type: ignore[arg-type]
    assert one("CT025", estate(buckets=(b,))).status == "pass"


def _with_source(stmt: dict[str, object], op: str, key: str, value: object) -> dict[str, object]:
    return dict(stmt, Condition={op: {key: value}})


def test_a_wildcard_account_under_stringlike_fails_naming_statement_and_value() -> None:
    pattern = "arn:aws:cloudtrail:us-east-1:*:trail/*"
    acl = _with_source(CT_ACL, "StringLike", "aws:SourceArn", pattern)
    f = one("CT025", estate(buckets=(bucket(policy=bucket_policy(acl, CT_WRITE)),)))
    assert f.status == "fail"
    assert "AWSCloudTrailAclCheck" in f.message and pattern in f.message
    assert "AWSCloudTrailWrite" not in f.message


def test_a_wildcard_only_in_the_trail_name_with_a_fixed_account_is_scoped() -> None:
    pattern = "arn:aws:cloudtrail:us-east-1:111122223333:trail/*"
    acl = _with_source(CT_ACL, "StringLike", "aws:SourceArn", pattern)
    write = _with_source(CT_WRITE, "ArnLike", "aws:SourceArn", pattern)
    f = one("CT025", estate(buckets=(bucket(policy=bucket_policy(acl, write)),)))
    assert f.status == "pass", f.message


def test_a_literal_star_under_stringequals_grants_nothing_and_is_named_as_the_cause() -> None:
    pattern = "arn:aws:cloudtrail:us-east-1:*:trail/*"
    acl = _with_source(CT_ACL, "StringEquals", "aws:SourceArn", pattern)
    write = _with_source(CT_WRITE, "StringEquals", "aws:SourceArn", pattern)
    f = one("CT025", estate(buckets=(bucket(policy=bucket_policy(acl, write, TLS)),)))
    assert f.status == "fail"
    assert "CloudTrail cannot deliver" in f.message
    assert "AWSCloudTrailAclCheck" in f.message and "AWSCloudTrailWrite" in f.message
    assert "plain characters" in f.message and pattern in f.message
    assert "scoped" not in f.message


def test_a_literal_star_statement_beside_real_grants_is_not_counted_as_one() -> None:
    dead = dict(_with_source(CT_WRITE, "StringEquals", "aws:SourceAccount", "*"), Sid="Stale")
    f = one("CT025", estate(buckets=(bucket(policy=bucket_policy(CT_ACL, CT_WRITE, dead)),)))
    assert f.status == "pass"
    assert "'Stale' (" in f.message and "grants CloudTrail nothing" in f.message
    assert "CloudTrail grants are scoped: statement 'AWSCloudTrailAclCheck' (aws:SourceArn); " \
        "statement 'AWSCloudTrailWrite' (aws:SourceArn)" in f.message


def test_everyone_limited_by_principal_org_id_grants_cloudtrail_nothing() -> None:
    org = {"Sid": "OrgWrite", "Effect": "Allow", "Principal": "*", "Action": "s3:PutObject",
           "Resource": f"arn:aws:s3:::{BUCKET}/*",
           "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}
    f = one("CT025", estate(buckets=(bucket(policy=bucket_policy(CT_ACL, CT_WRITE, org)),)))
    assert f.status == "pass", f.message  # not "every principal, cloudtrail included"
    assert "'OrgWrite'" in f.message and "aws:PrincipalOrgID" in f.message
    f = one("CT025", estate(buckets=(bucket(policy=bucket_policy(org)),)))
    assert f.status == "fail" and "every principal" not in f.message
    assert "cannot deliver" in f.message and "carry no aws:PrincipalOrgID" in f.message


NULL = Unknown("var.trail_account is null; give it a value, e.g. --var trail_account=VALUE")


def test_a_null_source_value_stays_in_its_statement() -> None:
    acl = _with_source(CT_ACL, "StringEquals", "aws:SourceAccount", [NULL])
    # another grant has no source condition: a fail whatever the null becomes
    bare = {k: v for k, v in CT_WRITE.items() if k != "Condition"}
    f = one("CT025", estate(buckets=(bucket(policy=bucket_policy(acl, bare)),)))
    assert f.status == "fail" and "AWSCloudTrailWrite" in f.message
    # a scoped grant exists: the null one is scoped or grants nothing, so the pass holds
    f = one("CT025", estate(buckets=(bucket(policy=bucket_policy(acl, CT_WRITE)),)))
    assert f.status == "pass"
    # it is the only grant: whether CloudTrail can deliver at all depends on it
    f = one("CT025", estate(buckets=(bucket(policy=bucket_policy(acl)),)))
    assert f.status == "unknown"
    assert "var.trail_account is null" in f.message and "--var trail_account" in f.message
    assert "NoneType" not in f.message


def test_a_null_source_value_leaves_ct023_and_ct026_their_verdicts() -> None:
    acl = _with_source(CT_ACL, "StringEquals", "aws:SourceAccount", [NULL])
    b = bucket(policy=bucket_policy(acl, CT_WRITE))
    assert one("CT023", estate(buckets=(b,))).status == "pass"
    assert one("CT026", estate(buckets=(b,))).status == "fail"
    b = bucket(policy=bucket_policy(acl, CT_WRITE, TLS))
    assert one("CT026", estate(buckets=(b,))).status == "pass"


# ---------------------------------------------------------------------------------------------
# CT026 TLS only


def test_deny_insecure_transport_passes() -> None:
    f = one("CT026", estate(buckets=(bucket(policy=GOOD_POLICY),)))
    assert f.status == "pass" and "DenyInsecureTransport" in f.message


def test_deny_with_action_star_and_aws_star_principal_passes() -> None:
    stmt = dict(TLS, Action="*", Principal={"AWS": "*"},
                Condition={"BoolIfExists": {"aws:SecureTransport": False}})
    assert one("CT026", estate(buckets=(bucket(policy=bucket_policy(stmt)),))).status == "pass"


def test_no_policy_or_no_deny_fails() -> None:
    assert one("CT026", estate(buckets=(bucket(),))).status == "fail"
    f = one("CT026", estate(buckets=(bucket(policy=bucket_policy(CT_ACL, CT_WRITE)),)))
    assert f.status == "fail" and "aws:SecureTransport" in f.message


def test_partial_deny_fails_and_says_what_is_missing() -> None:
    stmt = dict(TLS, Action="s3:GetObject")
    f = one("CT026", estate(buckets=(bucket(policy=bucket_policy(stmt)),)))
    assert f.status == "fail" and "every S3 action" in f.message
    stmt = dict(TLS, Principal={"AWS": "arn:aws:iam::111122223333:root"})
    f = one("CT026", estate(buckets=(bucket(policy=bucket_policy(stmt)),)))
    assert f.status == "fail" and "every principal" in f.message
    stmt = dict(TLS, Resource="arn:aws:s3:::example-org-audit-logs")
    f = one("CT026", estate(buckets=(bucket(policy=bucket_policy(stmt)),)))
    assert f.status == "fail" and "objects" in f.message


def test_secure_transport_true_or_allow_does_not_count() -> None:
    stmt = dict(TLS, Condition={"Bool": {"aws:SecureTransport": "true"}})
    assert one("CT026", estate(buckets=(bucket(policy=bucket_policy(stmt)),))).status == "fail"
    stmt = dict(TLS, Effect="Allow")
    assert one("CT026", estate(buckets=(bucket(policy=bucket_policy(stmt)),))).status == "fail"


def test_unknown_resource_gives_unknown() -> None:
    stmt = dict(TLS, Resource=[Unknown("aws_s3_bucket.logs.arn is known after apply")])
    f = one("CT026", estate(buckets=(bucket(policy=bucket_policy(stmt)),)))
    assert f.status == "unknown" and "known after apply" in f.message


def test_access_logging_target_known_after_apply_counts_as_set() -> None:
    from checker.model import Computed

    b = bucket(access_logging_target=Computed("aws_s3_bucket.access.bucket is generated"))
    f = one("CT024", estate(buckets=(b,)))
    assert f.status == "pass" and "known after apply" in f.message


def test_access_logging_into_itself_passes_with_a_note() -> None:
    f = one("CT024", estate(buckets=(bucket(access_logging_target="example-org-audit-logs"),)))
    assert f.status == "pass" and "into itself" in f.message


def test_access_logging_into_itself_is_seen_when_the_name_is_known_after_apply() -> None:
    from checker.model import PartlyKnown

    # the bucket's name and the logging target, built alike from the same unknown suffix
    def name(cls: type[PartlyKnown]) -> PartlyKnown:
        return cls("suffix known after apply", parts=("audit-", None), gaps=("random_id.s.dec",))

    b = bucket(name=name(PartlyKnown), access_logging_target=name(PartlyKnown))
    f = one("CT024", estate(buckets=(b,)))
    assert f.status == "pass" and "this bucket itself" in f.message
    other = bucket(name=name(PartlyKnown), access_logging_target=PartlyKnown(
        "suffix known after apply", parts=("access-", None), gaps=("random_id.s.dec",)))
    assert "itself" not in one("CT024", estate(buckets=(other,))).message


def test_delivery_grant_to_everyone_needs_a_source_condition_too() -> None:
    stmt = dict(CT_WRITE, Principal="*")
    del stmt["Condition"]
    f = one("CT025", estate(buckets=(bucket(policy=bucket_policy(CT_ACL, stmt)),)))
    assert f.status == "fail" and "every principal" in f.message
    scoped = dict(CT_WRITE, Principal="*")
    assert one("CT025", estate(buckets=(bucket(policy=bucket_policy(CT_ACL, scoped)),))).status \
        == "pass"


def test_fail_points_at_the_failing_attribute_even_after_an_unknown() -> None:
    b = bucket(origin="live", acl=Unknown("var.acl"), policy=bucket_policy(PUBLIC_READ))
    f = one("CT023", estate(buckets=(b,)))
    assert (f.status, f.line) == ("fail", 30)


def test_a_statement_allowing_no_delivery_action_grants_nothing_whoever_its_principal() -> None:
    # the principal is unknown, but s3:GetObject is no delivery action: the statement cannot let
    # CloudTrail deliver whoever it names, so it leaves the verdict to the real grants
    reader = {"Sid": "Readers", "Effect": "Allow", "Action": "s3:GetObject",
              "Principal": {"AWS": Unknown("var.reader_arn has no value")},
              "Resource": "arn:aws:s3:::example-org-audit-logs/*"}  # fmt: skip
    f = one("CT025", estate(buckets=(bucket(policy=bucket_policy(CT_ACL, CT_WRITE, reader)),)))
    assert f.status == "pass", f.message
