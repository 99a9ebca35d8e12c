from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.model import Computed, PartlyKnown, Unknown, partly_known
from checker.policy_doc import (
    SourceReading,
    Statement,
    action_matches,
    grants_service,
    has_restricting_condition,
    is_public_principal,
    parse,
    source_reading,
    statements,
)


def one(statement: dict[str, object]) -> Statement:
    found = statements({"Version": "2012-10-17", "Statement": statement})
    assert not isinstance(found, Unknown), found
    [stmt] = found
    return stmt


# ---------------------------------------------------------------------------------------------
# Parsing


def test_statement_as_object_or_list_and_as_json_string() -> None:
    stmt = {"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    as_object = statements({"Version": "2012-10-17", "Statement": stmt})
    as_list = statements({"Version": "2012-10-17", "Statement": [stmt, dict(stmt, Sid="B")]})
    as_text = statements(json.dumps({"Statement": [stmt]}))
    assert not isinstance(as_object, Unknown) and [s.sid for s in as_object] == ["A"]
    assert not isinstance(as_list, Unknown) and [s.sid for s in as_list] == ["A", "B"]
    assert not isinstance(as_text, Unknown) and as_text[0].actions == ("s3:GetObject",)


def test_version_and_id_are_kept() -> None:
    policy = parse({"Version": "2012-10-17", "Id": "key-policy", "Statement": []})
    assert not isinstance(policy, Unknown)
    assert (policy.version, policy.id, policy.statements) == ("2012-10-17", "key-policy", ())


def test_unknown_document_stays_unknown() -> None:
    reason = Unknown("var.policy has no value")
    assert parse(reason) is reason
    assert statements(reason) is reason


@pytest.mark.parametrize(
    ("doc", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ([1, 2], "not a JSON object"),
        ({"Version": "2012-10-17"}, "no Statement"),
        ({"Statement": 5}, "object or a list"),
        ({"Statement": [{"Effect": "Maybe", "Action": "*"}]}, "Effect must be Allow or Deny"),
        ({"Statement": [{"Effect": "Allow"}]}, "neither Action nor NotAction"),
        ({"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "s3:*"}]}, "both"),
        ({"Statement": [{"Effect": "Allow", "Action": "*", "Condition": "x"}]}, "Condition"),
    ],
)
def test_invalid_documents_become_unknown_with_the_reason(doc: object, fragment: str) -> None:
    result = parse(doc, "the bucket policy")
    assert isinstance(result, Unknown)
    assert fragment in result.reason
    assert result.reason.startswith("the bucket policy")


def test_unknown_values_inside_the_document_are_kept() -> None:
    stmt = one({"Effect": "Allow", "Action": ["s3:GetObject", Unknown("var.extra_action")],
                "Resource": Unknown("aws_s3_bucket.logs.arn")})
    assert stmt.actions[0] == "s3:GetObject"
    assert isinstance(stmt.actions[1], Unknown)
    assert isinstance(stmt.resources[0], Unknown)


def test_an_unknown_statement_leaves_the_others_readable() -> None:
    """A statement rendered from a value the inputs lack (jsondecode of a template whose
    variable has no value) is in doubt on its own: every question about it is unknown, with the
    reason, and the document's other statements still answer."""
    found = statements({"Statement": [
        {"Effect": "Deny", "Action": "cloudtrail:StopLogging", "Resource": "*"},
        Unknown("var.partition has no value"),
    ]})  # fmt: skip
    assert not isinstance(found, Unknown), found
    known, unknown = found
    assert known.denies_action("cloudtrail:StopLogging") is True
    for answer in (unknown.denies_action("cloudtrail:StopLogging"),
                   unknown.allows_action("s3:GetObject"), unknown.principal):  # fmt: skip
        assert isinstance(answer, Unknown)
        assert answer.reason == "statement #2 is unknown (var.partition has no value)"
    assert isinstance(unknown.conditions_on("aws:SourceArn"), Unknown)


def test_principal_forms() -> None:
    star = one({"Effect": "Allow", "Principal": "*", "Action": "s3:*"})
    aws_star = one({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:*"})
    accounts = one({"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root",
                                                             "444455556666"]}, "Action": "s3:*"})
    service = one({"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                   "Action": "s3:PutObject"})
    federated = one({"Effect": "Allow",
                     "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                     "Action": "sts:AssumeRoleWithWebIdentity"})
    assert is_public_principal(star) is True
    assert is_public_principal(aws_star) is True
    assert is_public_principal(accounts) is False
    assert accounts.principal is not None and not isinstance(accounts.principal, Unknown)
    assert accounts.principal.aws == ("arn:aws:iam::111122223333:root", "444455556666")
    assert grants_service(service, "cloudtrail.amazonaws.com") is True
    assert grants_service(service, "config.amazonaws.com") is False
    assert is_public_principal(federated) is False
    assert federated.principal is not None and not isinstance(federated.principal, Unknown)
    assert federated.principal.federated == ("cognito-identity.amazonaws.com",)


def test_service_principal_list_and_case() -> None:
    stmt = one({"Effect": "Allow", "Action": "s3:PutObject",
                "Principal": {"Service": ["config.amazonaws.com", "CloudTrail.amazonaws.com"]}})
    assert grants_service(stmt, "cloudtrail.amazonaws.com") is True


def test_not_principal_allow_is_public_and_deny_is_not() -> None:
    allow = one({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}, "Action": "*"})
    deny = one({"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}, "Action": "*"})
    assert is_public_principal(allow) is True
    assert is_public_principal(deny) is False


def test_identity_policy_has_no_principal() -> None:
    stmt = one({"Effect": "Deny", "Action": "cloudtrail:*", "Resource": "*"})
    assert stmt.principal is None
    assert is_public_principal(stmt) is False


def test_unknown_principal_is_unknown() -> None:
    stmt = one({"Effect": "Allow", "Principal": Unknown("var.principal"), "Action": "s3:*"})
    assert isinstance(is_public_principal(stmt), Unknown)
    assert isinstance(grants_service(stmt, "cloudtrail.amazonaws.com"), Unknown)
    stmt = one({"Effect": "Allow", "Principal": {"AWS": [Unknown("var.reader")]}, "Action": "*"})
    assert isinstance(is_public_principal(stmt), Unknown)  # it may be "*"
    stmt = one({"Effect": "Allow", "Principal": {"AWS": [Unknown("var.reader"), "*"]},
                "Action": "*"})
    assert is_public_principal(stmt) is True


# ---------------------------------------------------------------------------------------------
# Actions


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("cloudtrail:StopLogging", "cloudtrail:StopLogging", True),
        ("cloudtrail:stoplogging", "CloudTrail:StopLogging", True),
        ("cloudtrail:*", "cloudtrail:DeleteTrail", True),
        ("cloudtrail:Delete*", "cloudtrail:DeleteTrail", True),
        ("cloudtrail:Delete*", "cloudtrail:UpdateTrail", False),
        ("*", "cloudtrail:PutEventSelectors", True),
        ("cloudtrail:?pdateTrail", "cloudtrail:UpdateTrail", True),
        ("cloudtrail:?pdateTrail", "cloudtrail:UUpdateTrail", False),
        ("kms:GenerateDataKey*", "kms:GenerateDataKey", True),
        ("kms:GenerateDataKey*", "kms:GenerateDataKeyWithoutPlaintext", True),
        ("s3:Get*", "s3:PutObject", False),
        ("cloud*:Stop*", "cloudtrail:StopLogging", True),
        ("cloudtrail:Stop.ogging", "cloudtrail:StopLogging", False),  # "." is not a wildcard
    ],
)
def test_action_matching(pattern: str, action: str, expected: bool) -> None:
    assert action_matches(pattern, action) is expected


@given(st.from_regex(r"[a-z0-9]{1,8}:[A-Za-z0-9]{1,20}", fullmatch=True))
def test_an_action_matches_itself_in_any_case_and_star_matches_all(action: str) -> None:
    assert action_matches(action, action.upper())
    assert action_matches(action.lower(), action)
    assert action_matches("*", action)
    service = action.split(":")[0]
    assert action_matches(f"{service}:*", action)


def test_action_list_and_not_action() -> None:
    listed = one({"Effect": "Deny", "Action": ["cloudtrail:StopLogging", "cloudtrail:Delete*"],
                  "Resource": "*"})
    assert listed.matches_action("cloudtrail:DeleteTrail") is True
    assert listed.matches_action("cloudtrail:UpdateTrail") is False
    not_action = one({"Effect": "Deny", "NotAction": ["cloudtrail:Describe*", "cloudtrail:Get*",
                                                      "cloudtrail:List*"], "Resource": "*"})
    assert not_action.matches_action("cloudtrail:StopLogging") is True
    assert not_action.matches_action("cloudtrail:DescribeTrails") is False


def test_allows_and_denies() -> None:
    stmt = one({"Effect": "Allow", "Action": "cloudtrail:StopLogging", "Resource": "*"})
    assert stmt.allows_action("cloudtrail:StopLogging") is True
    assert stmt.denies_action("cloudtrail:StopLogging") is False
    doc = {"Statement": [
        {"Sid": "Stop", "Effect": "Deny", "Action": "cloudtrail:StopLogging", "Resource": "*"},
        {"Sid": "All", "Effect": "Deny", "Action": "cloudtrail:*", "Resource": "*"},
        {"Sid": "Ok", "Effect": "Allow", "Action": "cloudtrail:StopLogging", "Resource": "*"},
    ]}
    found = statements(doc)
    assert not isinstance(found, Unknown)
    assert [s.sid for s in found if s.denies_action("cloudtrail:StopLogging") is True] == [
        "Stop", "All"
    ]
    assert [s.sid for s in found if s.denies_action("cloudtrail:DeleteTrail") is True] == ["All"]
    assert [s.sid for s in found if s.allows_action("cloudtrail:StopLogging") is True] == ["Ok"]


def test_unknown_action_or_effect_gives_unknown_match() -> None:
    stmt = one({"Effect": "Deny", "Action": Unknown("var.actions"), "Resource": "*"})
    assert isinstance(stmt.denies_action("cloudtrail:StopLogging"), Unknown)
    stmt = one({"Effect": Unknown("var.effect"), "Action": "cloudtrail:*", "Resource": "*"})
    assert isinstance(stmt.denies_action("cloudtrail:StopLogging"), Unknown)
    # a definite non-match wins over an unknown effect
    assert stmt.denies_action("s3:GetObject") is False


def test_covers_service() -> None:
    assert one({"Effect": "Deny", "Action": "s3:*"}).covers_service("s3") is True
    assert one({"Effect": "Deny", "Action": "*"}).covers_service("s3") is True
    assert one({"Effect": "Deny", "Action": "S3:*"}).covers_service("s3") is True
    assert one({"Effect": "Deny", "Action": "s3:Get*"}).covers_service("s3") is False
    assert one({"Effect": "Deny", "NotAction": "iam:*"}).covers_service("s3") is True
    assert one({"Effect": "Deny", "NotAction": "s3:GetObject"}).covers_service("s3") is False


# ---------------------------------------------------------------------------------------------
# Conditions


def test_condition_operators_qualifiers_and_case_insensitive_keys() -> None:
    stmt = one({
        "Effect": "Allow", "Action": "s3:PutObject", "Principal": {"Service": "x"},
        "Condition": {
            "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-1/*"]},
            "ArnNotLikeIfExists": {"AWS:PrincipalArn": "arn:aws:iam::*:role/BreakGlass"},
            "Bool": {"aws:SecureTransport": False},
            "NumericLessThan": {"s3:TlsVersion": 1.2},
        },
    })
    assert not isinstance(stmt.conditions, Unknown)
    by_key = {c.key: c for c in stmt.conditions}
    paths = by_key["aws:principalorgpaths"]
    assert (paths.qualifier, paths.base, paths.if_exists, paths.negated) == (
        "foranyvalue", "stringlike", False, False)
    arn = by_key["aws:principalarn"]
    assert (arn.qualifier, arn.base, arn.if_exists, arn.negated) == (None, "arnnotlike", True, True)
    assert arn.key_text == "AWS:PrincipalArn"
    assert by_key["aws:securetransport"].values == ("false",)
    assert by_key["s3:tlsversion"].values == ("1.2",)
    found = stmt.conditions_on("aws:SECURETRANSPORT")  # keys match in any case
    assert not isinstance(found, Unknown) and [c.key for c in found] == ["aws:securetransport"]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"StringEquals": {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:1:trail/t"}}, True),
        ({"ArnLike": {"AWS:SOURCEARN": "arn:aws:cloudtrail:us-east-1:1:trail/t"}}, True),
        ({"StringEquals": {"aws:SourceAccount": "111122223333"}}, True),
        ({"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}, True),
        ({"StringEquals": {"aws:SourceVpce": "vpce-1"}}, True),
        ({"StringEquals": {"aws:PrincipalAccount": ["111122223333"]}}, True),
        ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, True),
        ({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, False),
        ({"StringLike": {"aws:SourceArn": "arn:aws:cloudtrail:*"}}, False),  # not a fixed value
        ({"StringNotEquals": {"aws:SourceAccount": "111122223333"}}, False),
        ({"StringEqualsIfExists": {"aws:SourceAccount": "111122223333"}}, False),
        ({"ForAllValues:StringEquals": {"aws:SourceAccount": "111122223333"}}, False),
        ({"Null": {"aws:SourceArn": "false"}}, False),
        ({"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}, False),
        ({"Bool": {"aws:SecureTransport": "true"}}, False),
    ],
)
def test_restricting_conditions(condition: dict[str, object], expected: bool) -> None:
    stmt = one({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                "Condition": condition})
    assert has_restricting_condition(stmt) is expected


def test_restricting_condition_with_unknown_value_is_unknown() -> None:
    stmt = one({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                "Condition": {"StringEquals": {"aws:SourceAccount": Unknown("var.account_id")}}})
    assert isinstance(has_restricting_condition(stmt), Unknown)


def test_a_value_set_at_deploy_restricts_and_a_known_wildcard_never_does() -> None:
    """An organization ID read from AWS (`data.aws_organizations_organization.o.id`) is a real
    ID, never a wildcard; a partly known value with a `*` in a known stretch is a pattern."""
    def cond(value: object) -> Statement:
        return one({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                    "Condition": {"StringEquals": {"aws:PrincipalOrgID": value}}})
    org = Computed("data.aws_organizations_organization.o.id is read from AWS")
    assert has_restricting_condition(cond(org)) is True
    arn = partly_known("the role", ["arn:aws:iam::", Computed("the account"), ":role/*"])
    assert has_restricting_condition(cond(arn)) is False
    some = partly_known("the role", ["arn:aws:iam::", Unknown("var.account"), ":role/a"])
    assert isinstance(has_restricting_condition(cond(some)), Unknown)


def test_no_condition_is_not_restricting() -> None:
    stmt = one({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"})
    assert has_restricting_condition(stmt) is False


def test_statement_label_uses_sid_or_position() -> None:
    found = statements({"Statement": [{"Effect": "Allow", "Action": "*"},
                                      {"Sid": "Named", "Effect": "Allow", "Action": "*"}]})
    assert not isinstance(found, Unknown)
    assert [s.label for s in found] == ["statement #1", "statement 'Named'"]


def test_a_partly_known_service_principal_is_told_apart_by_its_known_stretches() -> None:
    region = Unknown("var.aws_region has no value")
    logs = partly_known("the service", ["logs.", region, ".amazonaws.com"])
    any_service = partly_known("the service", [region, ".amazonaws.com"])
    stmt = one({"Effect": "Allow", "Principal": {"Service": [logs]}, "Action": "kms:Encrypt"})
    assert grants_service(stmt, "cloudtrail.amazonaws.com") is False  # logs.*, whatever region
    assert isinstance(grants_service(stmt, "logs.eu-west-1.amazonaws.com"), Unknown)
    either = one({"Effect": "Allow", "Principal": {"Service": [any_service]},
                  "Action": "kms:Encrypt"})  # fmt: skip
    assert isinstance(grants_service(either, "CloudTrail.amazonaws.com"), Unknown)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text("ab.", max_size=3)), min_size=1, max_size=4),
       st.text("ab.", max_size=6))  # fmt: skip
def test_can_be_agrees_with_filling_the_gaps(parts: list[str | None], text: str) -> None:
    # oracle: try every filling of the gaps with substrings of `text` (enough, since any
    # matching filling is made of stretches of `text`)
    import itertools

    value = PartlyKnown("x", tuple(parts))
    gaps = sum(p is None for p in parts)
    pieces = {text[i:j] for i in range(len(text) + 1) for j in range(i, len(text) + 1)}
    found = any(
        "".join(p if p is not None else next(fill) for p in parts) == text
        for choice in itertools.product(sorted(pieces), repeat=gaps)
        for fill in [iter(choice)]
    )
    assert value.can_be(text) == found


# ---------------------------------------------------------------------------------------------
# Nulls where strings belong


def test_a_null_value_is_an_unknown_in_its_place_not_an_invalid_document() -> None:
    found = statements({"Statement": [
        {"Effect": "Allow", "Action": "s3:PutObject"},
        {"Effect": "Allow", "Action": "s3:GetBucketAcl",
         "Condition": {"StringEquals": {"aws:SourceAccount": [None]}}},
    ]})  # fmt: skip
    assert not isinstance(found, Unknown), found
    first, second = found
    assert first.conditions == ()
    assert not isinstance(second.conditions, Unknown)
    [cond] = second.conditions
    [value] = cond.values
    assert isinstance(value, Unknown) and "null" in value.reason


def test_a_value_that_is_no_string_is_named_in_json_words() -> None:
    policy = parse({"Statement": {"Effect": "Allow", "Action": [{"a": 1}]}})
    assert isinstance(policy, Unknown)
    assert "Action holds an object, not a string" in policy.reason
    assert "dict" not in policy.reason


# ---------------------------------------------------------------------------------------------
# Source conditions, as a request by an AWS service principal meets them

ACCOUNT_ARN = "arn:aws:cloudtrail:us-east-1:111122223333:trail/audit"
SOURCE = ("aws:SourceArn", "aws:SourceAccount")


def read(condition: dict[str, object], principal: object = None) -> SourceReading:
    stmt = one({"Effect": "Allow", "Action": "s3:PutObject", "Condition": condition,
                "Principal": principal or {"Service": "cloudtrail.amazonaws.com"}})
    reading = source_reading(stmt, SOURCE)
    assert not isinstance(reading, Unknown), reading
    return reading


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:SourceArn": ACCOUNT_ARN}},
        {"StringEquals": {"aws:SourceAccount": "111122223333"}},
        {"StringEqualsIfExists": {"aws:sourcearn": ACCOUNT_ARN}},
        # a fixed account: a wildcard in the trail name (or region) keeps it to that account
        {"StringLike": {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/*"}},
        {"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:111122223333:trail/*"}},
        {"ArnEquals": {"aws:SourceArn": "arn:aws:cloudtrail:??-*:111122223333:trail/a?"}},
        # a literal "*" among fixed alternatives: the fixed one still pins
        {"StringEquals": {"aws:SourceAccount": ["111122223333", "*"]}},
    ],
)
def test_source_conditions_that_pin_one_account(condition: dict[str, object]) -> None:
    reading = read(condition)
    assert (reading.matches, reading.scoped) == (True, True)


@pytest.mark.parametrize(
    "condition",
    [
        {"StringLike": {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:*:trail/*"}},
        {"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:1111????????:trail/x"}},
        # IAM: ArnEquals takes wildcards as ArnLike does
        {"ArnEquals": {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:*:trail/x"}},
        {"StringLike": {"aws:SourceArn": "arn:aws:cloudtrail:*"}},  # no account field at all
        {"StringLike": {"aws:SourceArn": "*"}},
        {"StringLike": {"aws:SourceAccount": "1111*"}},
        # one open alternative opens the condition
        {"StringLike": {"aws:SourceArn": [ACCOUNT_ARN, "arn:aws:cloudtrail:*:*:trail/*"]}},
    ],
)
def test_source_conditions_with_a_wildcard_account_are_not_scoped(
    condition: dict[str, object]
) -> None:
    reading = read(condition)
    assert (reading.matches, reading.scoped) == (True, False)
    [op] = condition
    assert op in reading.why and "account" in reading.why


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:*:trail/*"}},
        {"StringEquals": {"aws:SourceAccount": "1111?2223333"}},
        {"StringEqualsIgnoreCase": {"aws:SourceArn": ["*", "arn:aws:cloudtrail:*"]}},
    ],
)
def test_a_literal_wildcard_under_an_exact_operator_never_matches(
    condition: dict[str, object]
) -> None:
    reading = read(condition)
    assert reading.matches is False
    assert "plain characters" in reading.why


def test_another_condition_pinning_the_account_scopes_an_open_pattern() -> None:
    reading = read({"StringLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:*:trail/*"},
                    "StringEquals": {"aws:SourceAccount": "111122223333"}})
    assert (reading.matches, reading.scoped, reading.keys) == (True, True, ("aws:SourceAccount",))


@pytest.mark.parametrize(
    ("condition", "matches"),
    [
        ({"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}, False),
        ({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-abc123/*"}}, False),
        ({"Null": {"aws:PrincipalOrgID": "false"}}, False),
        # true when the key is missing: these let a service's request through
        ({"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123"}}, True),
        ({"StringNotEquals": {"aws:PrincipalOrgID": "o-abc123"}}, True),
        ({"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}, True),
        ({"Null": {"aws:PrincipalOrgID": "true"}}, True),
    ],
)
def test_organization_keys_are_absent_from_a_service_principals_request(
    condition: dict[str, object], matches: bool
) -> None:
    reading = read(condition, principal="*")
    assert reading.matches is matches
    if not matches:
        assert "carry no" in reading.why


def test_no_source_condition_is_not_scoped() -> None:
    reading = read({"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}})
    assert (reading.matches, reading.scoped, reading.why) == (True, False, "")


def test_an_unknown_exact_value_pins_if_it_matches_at_all() -> None:
    # whatever the value, StringEquals pins one account or matches nothing: scoped, but whether
    # it grants anything is open (a null, or a var without a value)
    reading = read({"StringEquals": {"aws:SourceAccount": Unknown("var.acct is null")}})
    assert reading.scoped is True
    assert isinstance(reading.matches, Unknown) and "var.acct is null" in reading.matches.reason


def test_an_unknown_pattern_value_leaves_the_scope_open() -> None:
    reading = read({"StringLike": {"aws:SourceArn": Unknown("var.pattern has no value")}})
    assert reading.matches is True
    assert isinstance(reading.scoped, Unknown) and "var.pattern" in reading.scoped.reason


def test_a_value_set_at_deploy_is_a_real_one() -> None:
    reading = read({"ArnLike": {"aws:SourceArn": Computed("aws_cloudtrail.t.arn")}})
    assert (reading.matches, reading.scoped) == (True, True)


def test_a_partly_known_arn_is_judged_by_its_known_account() -> None:
    region = Unknown("var.region has no value")
    fixed = partly_known("arn", ["arn:aws:cloudtrail:", region, ":111122223333:trail/*"])
    assert read({"StringLike": {"aws:SourceArn": fixed}}).scoped is True
    wild = partly_known("arn", ["arn:aws:cloudtrail:", region, ":*:trail/*"])
    reading = read({"StringLike": {"aws:SourceArn": wild}})
    assert reading.scoped is False and "${...}:*:trail/*" in reading.why
    account = partly_known("arn", ["arn:aws:cloudtrail:us-east-1:", Unknown("var.a"), ":trail/x"])
    assert isinstance(read({"StringLike": {"aws:SourceArn": account}}).scoped, Unknown)
    # under StringEquals a known "*" never matches, whatever the unknown stretch is
    assert read({"StringEquals": {"aws:SourceArn": wild}}).matches is False


def test_unknown_conditions_give_an_unknown_reading() -> None:
    stmt = one({"Effect": "Allow", "Action": "s3:PutObject", "Condition": Unknown("var.c")})
    assert isinstance(source_reading(stmt, SOURCE), Unknown)


def test_two_source_conditions_with_unknown_values_keep_the_first_reason() -> None:
    """Each condition pins the caller if it matches at all, and each match depends on an
    unknown: the grant stays open with the first one's reason (a reviewed key policy with two
    such conditions made the rule an internal error)."""
    region = partly_known("var.region has no value", [
        "arn:aws:cloudtrail:", Unknown("var.region has no value"), ":111122223333:trail/audit"])
    account = Unknown("var.account has no value")
    reading = read({"StringEquals": {"aws:SourceArn": region, "aws:SourceAccount": account}})
    assert isinstance(reading.matches, Unknown) and reading.scoped is True
    assert reading.matches.reason.startswith("StringEquals aws:SourceArn ")
    assert "var.region has no value" in reading.matches.reason
    assert reading.keys == ("aws:SourceArn", "aws:SourceAccount")
