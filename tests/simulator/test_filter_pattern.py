"""JSON metric filter patterns: the CIS monitoring patterns in many spellings, matching semantics,
precedence and error positions."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from checker.simulator.filter_pattern import Pattern, PatternError, event_message, parse

ACCOUNT = "111122223333"


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
    return base


def record(name: str, source: str = "iam.amazonaws.com", **extra: Any) -> dict[str, Any]:
    """A minimal but realistic CloudTrail management event record."""
    base: dict[str, Any] = {
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": "AIDAEXAMPLEPRINCIPAL",
            "arn": f"arn:aws:iam::{ACCOUNT}:user/alice",
            "accountId": ACCOUNT,
            "accessKeyId": "AKIAEXAMPLEKEY",
            "userName": "alice",
        },
        "eventTime": "2024-05-01T12:00:00Z",
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.10",
        "userAgent": "aws-cli/2.15.0",
        "requestParameters": None,
        "responseElements": None,
        "requestID": "0f0e0d0c-0000-4000-8000-000000000001",
        "eventID": "0f0e0d0c-0000-4000-8000-000000000002",
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
    }
    return _merge(base, copy.deepcopy(extra))


def console_login(mfa: str | None, outcome: str = "Success", **extra: Any) -> dict[str, Any]:
    rec = record("ConsoleLogin", "signin.amazonaws.com", eventType="AwsConsoleSignIn",
                 responseElements={"ConsoleLogin": outcome}, **extra)
    if mfa is not None:
        rec["additionalEventData"] = {"LoginTo": "https://console.aws.amazon.com/", "MFAUsed": mfa}
    return rec


# --- CIS patterns (docs/semantics.md, CIS monitoring topics) -----------------------------------

NAMES: dict[int, tuple[str, tuple[str, ...]]] = {
    4: ("iam.amazonaws.com", (
        "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy",
        "PutRolePolicy", "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion",
        "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy",
        "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy")),
    5: ("cloudtrail.amazonaws.com",
        ("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging")),
    10: ("ec2.amazonaws.com", (
        "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress",
        "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateSecurityGroup",
        "DeleteSecurityGroup")),
    11: ("ec2.amazonaws.com", (
        "CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry",
        "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation")),
    12: ("ec2.amazonaws.com", (
        "CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway",
        "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway")),
    13: ("ec2.amazonaws.com", (
        "CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation",
        "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable")),
    14: ("ec2.amazonaws.com", (
        "CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection",
        "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection",
        "AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink",
        "EnableVpcClassicLink")),
}
SOURCED: dict[int, tuple[str, tuple[str, ...]]] = {
    7: ("kms.amazonaws.com", ("DisableKey", "ScheduleKeyDeletion")),
    8: ("s3.amazonaws.com", (
        "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle",
        "PutBucketReplication", "DeleteBucketPolicy", "DeleteBucketCors",
        "DeleteBucketLifecycle", "DeleteBucketReplication")),
    9: ("config.amazonaws.com", (
        "StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel",
        "PutConfigurationRecorder")),
    15: ("organizations.amazonaws.com", (
        "AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit",
        "CreatePolicy", "DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit",
        "DeletePolicy", "DetachPolicy", "DisablePolicyType", "EnablePolicyType",
        "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount",
        "RemoveAccountFromOrganization", "UpdatePolicy", "UpdateOrganizationalUnit")),
}


def name_spellings(names: tuple[str, ...]) -> list[str]:
    """P4, P5, P10-P14: the exact CIS text, then equivalent respellings."""
    return [
        "{" + " || ".join(f"($.eventName={n})" for n in names) + "}",  # exact CIS text
        "{ " + " || ".join(f'($.eventName = "{n}")' for n in names) + " }",
        "{" + "||".join(f'$.eventName="{n}"' for n in reversed(names)) + "}",
        "{\n  (" + "\n  || ".join(f"(($.eventName = {n}))" for n in names) + ")\n}",
        "{\t" + " ||\t".join(
            f'$.eventName\t=\t"{n}"' if i % 2 else f"( $.eventName= {n} )"
            for i, n in enumerate(names)) + "\t}",
    ]


def sourced_spellings(source: str, names: tuple[str, ...]) -> list[str]:
    """P7-P9 (the exact CIS text first) and P15 (its widely copied form is the second)."""
    bare = " || ".join(f"($.eventName={n})" for n in names)
    quoted = " || ".join(f'($.eventName = "{n}")' for n in names)
    spread = "\n    || ".join(f"$.eventName = {n}" for n in names)
    return [
        f"{{($.eventSource={source}) && ({bare})}}",  # exact CIS text
        f"{{ ($.eventSource = {source}) && ({quoted}) }}",
        f'{{ ($.eventSource = "{source}") && ({quoted}) }}',
        f'{{ ({quoted}) && $.eventSource = "{source}" }}',  # clause order swapped
        f"{{((($.eventSource={source})) && (({bare})))}}",
        f"{{\n  $.eventSource = {source}\n  && (\n    {spread}\n  )\n}}",
    ]


P1 = [
    '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && '
    '$.eventType !="AwsServiceEvent"}',
    '{ ($.userIdentity.type = "Root") && ($.userIdentity.invokedBy NOT EXISTS) && '
    '($.eventType != "AwsServiceEvent") }',
    "{ $.eventType != AwsServiceEvent && $.userIdentity.type = Root && "
    "$.userIdentity.invokedBy NOT EXISTS }",
    '{(($.userIdentity.type="Root")&&(($.userIdentity.invokedBy NOT EXISTS)))&&'
    '($.eventType!="AwsServiceEvent")}',
]
P2 = [
    '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}',
    "{ $.errorCode = *UnauthorizedOperation || $.errorCode = AccessDenied* }",
    '{ ($.errorCode = "AccessDenied*") || ($.errorCode = "*UnauthorizedOperation") }',
    '{ ((($.errorCode ="*UnauthorizedOperation")) || (($.errorCode ="AccessDenied*"))) }',
]
P2_CIS15 = [
    '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && '
    '($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }',
    '{ $.errorCode = "*UnauthorizedOperation" || ($.errorCode = "AccessDenied*" && '
    '$.sourceIPAddress != "delivery.logs.amazonaws.com" && $.eventName != "HeadBucket") }',
    "{$.errorCode=*UnauthorizedOperation||$.errorCode=AccessDenied*&&"
    "$.sourceIPAddress!=delivery.logs.amazonaws.com&&$.eventName!=HeadBucket}",
]
P3 = [
    '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
    '{($.eventName="ConsoleLogin") && ($.additionalEventData.MFAUsed !="Yes")}',
    "{ $.additionalEventData.MFAUsed != Yes && $.eventName = ConsoleLogin }",
    '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
    '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
]
P6 = [
    '{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}',
    '{ ($.eventName = "ConsoleLogin") && ($.errorMessage = "Failed authentication") }',
    '{ $.errorMessage = "Failed authentication" && $.eventName = "ConsoleLogin" }',
    '{ (($.eventName=ConsoleLogin)&&($.errorMessage="Failed authentication")) }',
]

root_call = record("CreateAccessKey", userIdentity={
    "type": "Root", "arn": f"arn:aws:iam::{ACCOUNT}:root", "principalId": ACCOUNT})
failed_login = console_login(None, "Failure", errorMessage="Failed authentication",
                             userIdentity={"type": "IAMUser"})


def _cases() -> list[tuple[str, str, list[dict[str, Any]], list[dict[str, Any]]]]:
    """(id, pattern text, records that must match, records that must not)."""
    cases = []
    for pid, (source, names) in NAMES.items():
        hits = [record(n, source) for n in names]
        misses = [record("DescribeInstances", source),
                  record("GetCallerIdentity", "sts.amazonaws.com"),
                  record(names[0].lower(), source)]
        for i, text in enumerate(name_spellings(names)):
            cases.append((f"P{pid}-{i}", text, hits, misses))
    for pid, (source, names) in SOURCED.items():
        hits = [record(n, source) for n in names]
        misses = [record("ListKeys", source), record(names[0], "other.amazonaws.com"),
                  record("ConsoleLogin", "signin.amazonaws.com")]
        for i, text in enumerate(sourced_spellings(source, names)):
            cases.append((f"P{pid}-{i}", text, hits, misses))
    p1_miss = [
        record("CreateAccessKey"),  # IAM user
        _merge(copy.deepcopy(root_call), {"userIdentity": {"invokedBy": "s3.amazonaws.com"}}),
        _merge(copy.deepcopy(root_call), {"eventType": "AwsServiceEvent"}),
        _merge(copy.deepcopy(root_call), {"userIdentity": {"type": "root"}}),
    ]
    for i, text in enumerate(P1):
        cases.append((f"P1-{i}", text, [root_call, console_login("No", userIdentity={
            "type": "Root"})], p1_miss))
    p2_hit = [record("RunInstances", "ec2.amazonaws.com", errorCode="Client.UnauthorizedOperation"),
              record("GetObject", "s3.amazonaws.com", errorCode="AccessDenied"),
              record("ListUsers", errorCode="AccessDeniedException")]
    p2_miss = [record("ListUsers"), record("ListUsers", errorCode="accessdenied"),
               record("ListUsers", errorCode="NoSuchEntity")]
    for i, text in enumerate(P2):
        cases.append((f"P2-{i}", text, p2_hit, p2_miss))
    delivery = {"sourceIPAddress": "delivery.logs.amazonaws.com"}
    p2_15_hit = [*p2_hit,
                 record("PutObject", "s3.amazonaws.com", errorCode="Client.UnauthorizedOperation",
                        **delivery)]  # the exclusions bind to the AccessDenied branch only
    p2_15_miss = [*p2_miss,
                  record("PutObject", "s3.amazonaws.com", errorCode="AccessDenied", **delivery),
                  record("HeadBucket", "s3.amazonaws.com", errorCode="AccessDenied")]
    for i, text in enumerate(P2_CIS15):
        cases.append((f"P2cis15-{i}", text, p2_15_hit, p2_15_miss))
    p3_miss = [console_login("Yes"), console_login(None), record("ConsoleLogin")]
    for i, text in enumerate(P3):
        cases.append((f"P3-{i}", text, [console_login("No")], p3_miss))
    p6_miss = [console_login("No"), record("GetUser", errorMessage="Failed authentication"),
               console_login(None, "Failure", errorMessage="failed authentication")]
    for i, text in enumerate(P6):
        cases.append((f"P6-{i}", text, [failed_login], p6_miss))
    return cases


CASES = _cases()


@pytest.mark.parametrize(("text", "hits", "misses"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_cis_pattern_spellings(text: str, hits: list[dict[str, Any]],
                               misses: list[dict[str, Any]]) -> None:
    pattern = parse(text)
    assert pattern.kind == "json"
    for rec in hits:
        assert pattern.matches(rec), (rec["eventName"], text)
    for rec in misses:
        assert not pattern.matches(rec), (rec["eventName"], text)
    again = parse(str(pattern))
    assert again == pattern
    assert all(again.matches(r) for r in hits) and not any(again.matches(r) for r in misses)


@pytest.mark.parametrize("pid", sorted(NAMES))
def test_name_spellings_without_reordering_parse_to_the_same_tree(pid: int) -> None:
    spellings = name_spellings(NAMES[pid][1])
    same = [parse(t) for i, t in enumerate(spellings) if i != 2]  # spelling 2 is reversed
    assert all(p == same[0] for p in same)
    assert parse(spellings[2]) != same[0]


def test_cis_p2_canonical_form_shows_the_binding() -> None:
    text = str(parse(P2_CIS15[0]))
    assert text == (
        '{ $.errorCode = "*UnauthorizedOperation" || ($.errorCode = "AccessDenied*" && '
        '$.sourceIPAddress != "delivery.logs.amazonaws.com" && $.eventName != "HeadBucket") }'
    )


def test_referenced_fields() -> None:
    assert parse(P3[3]).referenced_fields() == {
        "$.eventName", "$.additionalEventData.MFAUsed", "$.userIdentity.type",
        "$.responseElements.ConsoleLogin",
    }
    assert parse("{ $.l[1].id = 3 || $.l[1].id = 4 }").referenced_fields() == {"$.l[1].id"}
    assert parse("ERROR").referenced_fields() == set()


# --- semantics -------------------------------------------------------------------------------


def test_matching_is_case_sensitive() -> None:
    assert not parse('{ $.userIdentity.type = "root" }').matches(root_call)
    assert parse('{ $.userIdentity.type = "Root" }').matches(root_call)
    assert not parse("{ $.eventname = CreateAccessKey }").matches(root_call)  # keys too


def test_and_binds_tighter_than_or() -> None:
    pattern = parse("{ $.a = 1 || $.b = 1 && $.c = 1 }")
    # A true, B and C false: A || (B && C) holds, (A || B) && C does not.
    assert pattern.matches({"a": 1, "b": 0, "c": 0})
    assert not parse("{ ($.a = 1 || $.b = 1) && $.c = 1 }").matches({"a": 1, "b": 0, "c": 0})
    assert not pattern.matches({"a": 0, "b": 1, "c": 0})
    assert pattern.matches({"a": 0, "b": 1, "c": 1})
    assert parse("{ $.b = 1 && $.c = 1 || $.a = 1 }").matches({"a": 1, "b": 0, "c": 0})


@pytest.mark.parametrize(("event", "expected"), [
    ({"a": "x"}, True),
    ({"a": "z"}, True),
    ({"b": "y"}, True),
    ({"b": 7}, True),  # the number's text is "7"
    ({"c": "ww"}, True),
    ({"a": "y", "b": "x", "c": "w-"}, False),
    ({"a": ["x"]}, False),
    ({}, False),
])
def test_or_chains_over_several_selectors(event: dict[str, Any], expected: bool) -> None:
    text = '{ $.a = x || $.b = "y" || $.a = "z" || $.c = *w || $.b = "7" || $.a IS TRUE }'
    assert parse(text).matches(event) is expected


def test_docs_compound_examples() -> None:
    doc = {
        "user": {"id": 1, "email": "John.Stiles@example.com"},
        "users": [{"id": 2, "email": "John.Doe@example.com"},
                  {"id": 3, "email": "Jane.Doe@example.com"}],
        "actions": ["GET", "PUT", "DELETE"],
        "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]],
    }
    assert parse('{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }').matches(doc)
    assert not parse('{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }'
                     ).matches(doc)
    assert parse('{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch '
                 "&& $.actions[2] = nomatch }").matches(doc)
    assert not parse('{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = '
                     "nonmatch) && $.actions[2] = nomatch }").matches(doc)
    assert parse("{ $.coordinates[1][2] = 6 }").matches(doc)


@pytest.mark.parametrize(("text", "expected"), [
    ("{ $.errorCode != AccessDenied }", False),  # absent: != does not match
    ("{ $.errorCode = * }", False),
    ("{ $.errorCode NOT EXISTS }", True),
    ("{ $.errorCode IS NULL }", False),
    ("{ $.requestParameters IS NULL }", True),  # present, JSON null
    ("{ $.requestParameters NOT EXISTS }", False),
    ('{ $.requestParameters = "*" }', False),
    ('{ $.requestParameters != "x" }', False),
    ("{ $.readOnly IS FALSE }", True),
    ("{ $.readOnly IS TRUE }", False),
    ("{ $.managementEvent IS TRUE }", True),
    ("{ $.eventName IS TRUE }", False),
    ("{ $.userIdentity = alice }", False),  # object target: neither = nor !=
    ("{ $.userIdentity != alice }", False),
    ("{ $.resources = x }", False),  # array target
    ("{ $.resources != x }", False),
    ("{ $.resources[0].type = AWS::IAM::User }", False),
    ('{ $.resources[0].type = "AWS::IAM::AccessKey" }', True),
    ("{ $.resources[5].type NOT EXISTS }", True),
    ("{ $.resources[0].type.deeper NOT EXISTS }", True),
    ("{ $.userIdentity.userName = alice }", True),
])
def test_presence_and_shape(text: str, expected: bool) -> None:
    rec = record("CreateAccessKey", resources=[{"type": "AWS::IAM::AccessKey"}])
    assert parse(text).matches(rec) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("{ $.n = 123 }", True),
    ("{ $.n = 123.0 }", True),  # bare numbers compare numerically
    ('{ $.n = "123" }', True),  # quoted values compare with the number's JSON text
    ('{ $.n = "123.0" }', False),
    ('{ $.n != "123.0" }', True),
    ("{ $.n = 1* }", True),  # wildcards apply to the number's text
    ("{ $.n = *23 }", True),
    ("{ $.n != 3* }", True),
    ("{ $.n > 100 }", True),
    ("{ $.n >= 123 }", True),
    ("{ $.n < 1.5e2 }", True),
    ("{ $.n <= +122 }", False),
    ("{ $.n > -1 }", True),
    ("{ $.f = 12.5 }", True),
    ("{ $.f < 10e-3 }", False),
    ('{ $.f2 = "12.0" }', True),  # a float's text keeps its ".0"
    ('{ $.f2 = "12" }', False),
    ("{ $.f2 = 12 }", True),
    ("{ $.f2 = 12.* }", True),
    ("{ $.neg = -2 }", True),
    ("{ $.neg < -1.5 }", True),
    ("{ $.s = 5 }", True),  # numeric text in a string field compares numerically with =
    ("{ $.s = 5.0 }", True),
    ("{ $.s != 6 }", True),
    ("{ $.s > 1 }", False),  # ordering only applies to number fields
    ("{ $.ip = 111.111.111.111 }", True),
    ("{ $.ip != 111 }", True),  # not a number: the values differ
    ("{ $.ip > 1 }", False),
    ("{ $.ip != 123.123.* }", True),
    ("{ $.ip = 111.111.* }", True),
    ("{ $.flag IS TRUE }", True),
    ("{ $.flag = true }", False),  # booleans are not value nodes; see caveats
    ("{ $.flag > 0 }", False),
])
def test_numbers_and_text(text: str, expected: bool) -> None:
    event = {"n": 123, "f": 12.5, "f2": 12.0, "neg": -2, "s": "5", "ip": "111.111.111.111",
             "flag": True}
    assert parse(text).matches(event) is expected


@pytest.mark.parametrize(("value", "text", "expected"), [
    ('"*UnauthorizedOperation"', "Client.UnauthorizedOperation", True),
    ('"*UnauthorizedOperation"', "UnauthorizedOperationX", False),
    ('"AccessDenied*"', "AccessDeniedException", True),
    ('"AccessDenied*"', "XAccessDenied", False),
    ('"*Denied*"', "AccessDeniedException", True),
    ('"*Denied*"', "Accessdenied", False),
    ('"*"', "", True),
    ("*", "anything", True),
    ('"Ev*ent"', "Event", False),  # an inner * is literal (docs)
    ('"Ev*ent"', "Ev*ent", True),
    ("%^Access[A-Z]%", "AccessDenied", True),
    ("%^Access[A-Z]%", "NoAccessDenied", False),
    ("%Denied%", "AccessDeniedException", True),
])
def test_wildcards_and_regexes(value: str, text: str, expected: bool) -> None:
    assert parse(f"{{ $.errorCode = {value} }}").matches({"errorCode": text}) is expected
    assert parse(f"{{ $.errorCode != {value} }}").matches({"errorCode": text}) is not expected


def test_caveats_flag_undocumented_choices() -> None:
    assert parse('{ $.a = "Ev*ent" }').caveats
    assert any("IS TRUE" in c for c in parse("{ $.readOnly = false }").caveats)
    assert parse(P1[0]).caveats == ()
    assert parse(P2_CIS15[0]).caveats == ()


def test_bare_and_quoted_values_are_the_same_value() -> None:
    assert parse("{ $.eventSource = kms.amazonaws.com }") == parse(
        '{$.eventSource="kms.amazonaws.com"}')
    assert parse("{ $.n = 5 }") != parse('{ $.n = "5" }')  # a bare number is a number


def test_escaped_quotes_in_values() -> None:
    pattern = parse(r'{ $.msg = "say \"hi\" \\ bye" }')
    assert pattern.matches({"msg": 'say "hi" \\ bye'})
    assert parse(str(pattern)) == pattern


def test_json_pattern_on_raw_messages() -> None:
    pattern = parse(P6[0])
    assert pattern.matches_message(event_message(failed_login))
    assert not pattern.matches_message("ConsoleLogin Failed authentication")  # not JSON
    assert not pattern.matches_message("[1, 2]")


def test_pattern_equality_ignores_spelling_and_hashes() -> None:
    a = parse("{ ($.a = 1) }")
    b = parse("{$.a=1}")
    assert a == b and hash(a) == hash(b)
    assert isinstance(a, Pattern) and {a, b} == {a}


def test_length_limit() -> None:
    base = "{ $.eventName = x }"
    ok = base[:-1] + " " * (1024 - len(base)) + "}"
    assert len(ok) == 1024
    assert parse(ok).kind == "json"
    with pytest.raises(PatternError) as err:
        parse(ok + " ")
    assert err.value.position == 1024


# --- errors --------------------------------------------------------------------------------

ERRORS = [
    # (pattern, position, words in the message)
    ("{ ($.a = 1 }", 11, "unbalanced '('"),
    ("{ (($.a = 1) }", 13, "opened at position 2"),
    ("{ $.a = 1) }", 9, "unbalanced ')'"),
    ("{ $.a = 1 && ($.b = 2 }", 22, "expected ')'"),
    ("{ $.a = }", 8, "expected a value"),
    ("{ $.a = && $.b = 1 }", 8, "expected a value"),
    ("{ $.a != }", 9, "expected a value"),
    ("{ $.a IS NOT NULL }", 9, "'IS NOT' is not supported"),
    ("{ $.a EXISTS }", 6, "'EXISTS' is not supported"),
    ("{ $.a IS EMPTY }", 9, "expected NULL, TRUE or FALSE"),
    ("{ $.a NOT NULL }", 10, "expected EXISTS"),
    ("{ $. = 1 }", 4, "property name"),
    # The current page allows `$.*`, `$.a[*]` and `$.['a.b']` (they were errors here before),
    # with "up to one wildcard selector in a property selector" and three per pattern.
    ("{ $.a[*].b[*] = 1 }", 10, "one wildcard"),
    ("{ $.*.b.* = 1 }", 7, "one wildcard"),
    ("{ $.a[*] = 1 || $.b[*] = 1 || $.* = 1 || $.c.* = 1 }", 44, "at most 3 wildcard"),
    ("{ $.['a.b = 1 }", 5, "unterminated quoted property name"),
    ("{ $.['a.b' = 1 }", 10, "expected ']'"),
    ("{ $.[''] = 1 }", 5, "empty property name"),
    ("{ $[*] = 1 }", 3, "must follow a property"),
    ("{ $[0] = 1 }", 3, "must follow a property"),
    ("{ $.a[x] = 1 }", 5, "array index"),
    ("{ $ = 1 }", 2, "needs a property"),
    ("{ eventName = 1 }", 2, "expected a condition"),
    ("{ $.a 1 }", 6, "expected an operator"),
    ("{ $.a == 1 }", 6, "'=='"),
    ("{ $.a =! 1 }", 7, "'!'"),
    ("{ $.a > abc }", 8, "expected a number"),
    ('{ $.a >= "5" }', 9, "expected a number"),
    ("{ $.a < %5% }", 8, "expected a number"),
    ('{ $.a = "open }', 8, "unterminated"),
    ("{ $.a = %abc }", 8, "unterminated regular expression"),
    ("{ $.a = %a(b)% }", 10, "parentheses"),
    ("{ $.a = %a!% }", 10, "'!'"),
    ("{ $.a = %x% || $.b = %y% || $.c = %z% }", 34, "at most 2"),
    ("{ $.a = 1 & $.b = 2 }", 10, "'&&'"),
    ("{ $.a = 1 $.b = 2 }", 10, "expected '&&', '||' or '}'"),
    ("{ $.a = 1 ", 10, "end of pattern"),
    ("{ $.a = 1 } x", 12, "after the closing"),
    ("{}", 1, "empty JSON pattern"),
    ("{ () }", 3, "expected a condition"),
    ("{ $.a = 1 || }", 13, "expected a condition"),
]


@pytest.mark.parametrize(("text", "position", "words"), ERRORS, ids=[e[0] for e in ERRORS])
def test_error_positions(text: str, position: int, words: str) -> None:
    with pytest.raises(PatternError) as err:
        parse(text)
    assert err.value.position == position, str(err.value)
    assert words in err.value.message
    assert f"position {position}" in str(err.value)


def test_pattern_error_is_a_value_error() -> None:
    check: Callable[[], Pattern] = lambda: parse("{ $.a IS NOT NULL }")  # noqa: E731
    with pytest.raises(ValueError):
        check()


# --- the current page's JSON examples ----------------------------------------------------------
# Source: CloudWatch Logs User Guide, "Filter pattern syntax for metric filters, subscription
# filters, filter log events, and Live Tail" (FilterAndPatternSyntax), "Using filter patterns to
# match terms in JSON log events": its example event and every example pattern.

PAGE_EVENT = {
    "eventType": "UpdateTrail",
    "sourceIPAddress": "111.111.111.111",
    "arrayKey": ["value", "another value"],
    "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
    "SomeObject": None,
    "cluster.name": "c",
}


@pytest.mark.parametrize("text", [
    '{ $.eventType = "UpdateTrail" }',  # string value
    "{ $.sourceIPAddress != 123.123.* }",  # wildcard in a value
    '{ $.arrayKey[0] = "value" }',  # array element
    "{ $.eventType = %Trail% }",  # regex
    "{ $.arrayKey[*] = %val.{2}% }",  # wildcard selector on array elements, with a regex
    r"{ $.* = %111\.111\.111\.1[0-9]{1,2}% }",  # wildcard selector on object fields
    "{ $.['cluster.name'] = \"c\" }",  # bracket notation for a name with a period
    "{ $.SomeObject IS NULL }",  # IS
    "{ $.SomeOtherObject NOT EXISTS }",  # NOT EXISTS
])
def test_current_page_json_examples_match(text: str) -> None:
    pattern = parse(text)
    assert pattern.matches(PAGE_EVENT)
    assert pattern.evaluate(PAGE_EVENT).match is True
    assert parse(str(pattern)) == pattern  # the canonical form parses back


@pytest.mark.parametrize(("text", "expected"), [
    ("{ $.arrayKey[*] = \"another value\" }", True),
    ("{ $.arrayKey[*] = \"nothing\" }", False),
    ("{ $.objectList[*].id = 2 }", True),  # a wildcard followed by a property
    ("{ $.objectList[*].name = \"c\" }", False),
    ("{ $.*.name = \"a\" }", False),  # fields of the top object are not objects with a name
    ("{ $.* = \"c\" }", True),  # "cluster.name"
    ("{ $.* = 111.111.111.111 }", True),
    ("{ $.eventType[*] = \"U\" }", False),  # [*] selects nothing in a string
    ("{ $.['cluster.name'] = \"d\" }", False),
    ("{ $.cluster.name = \"c\" }", False),  # a dotted path is two steps, not one name
    ("{ $.arrayKey[*] NOT EXISTS }", False),
    ("{ $.missing[*] NOT EXISTS }", True),
])
def test_wildcard_and_bracket_selectors(text: str, expected: bool) -> None:
    assert parse(text).matches(PAGE_EVENT) is expected


def test_wildcard_selectors_print_canonically_and_are_referenced() -> None:
    pattern = parse("{ $.['cluster.name'] = c && $.a[*].b = 1 && $.* = x }")
    assert str(pattern) == '{ $.[\'cluster.name\'] = "c" && $.a[*].b = 1 && $.* = "x" }'
    assert pattern.referenced_fields() == {"$.['cluster.name']", "$.a[*].b", "$.*"}
    assert parse("{ $.['plain'] = 1 }") == parse("{ $.plain = 1 }")
    assert parse("{ $.a[*] != 1 }").caveats  # only '=' is documented with wildcards


# Same page, "Writing filter patterns that match numeric values": every numeric operator.
@pytest.mark.parametrize(("text", "expected"), [
    ("{ $.bandwidth > 75 }", True),
    ("{ $.latency < 50 }", True),
    ("{ $.refreshRate >= 60 }", True),
    ("{ $.responseTime <= 5 }", True),
    ("{ $.errorCode = 400}", True),
    ("{ $.errorCode != 500 }", True),
    ("{ $.number[0] = 1e+3 }", True),
    ("{ $.number[0] != 1e-3 }", True),
    ("{ $.bandwidth > 80 }", False),
    ("{ $.latency < 10 }", False),
])
def test_current_page_numeric_examples(text: str, expected: bool) -> None:
    event = {"bandwidth": 80, "latency": 20, "refreshRate": 60, "responseTime": 5,
             "errorCode": 400, "number": [1000]}  # fmt: skip
    assert parse(text).matches(event) is expected


# Same page: the compound expressions on the user/users/actions/coordinates object.
def test_current_page_compound_examples() -> None:
    doc = {
        "user": {"id": 1, "email": "John.Stiles@example.com"},
        "users": [{"id": 2, "email": "John.Doe@example.com"},
                  {"id": 3, "email": "Jane.Doe@example.com"}],
        "actions": ["GET", "PUT", "DELETE"],
        "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]],
    }
    assert parse('{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }').matches(doc)
    assert parse('{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" '
                 '&& $.actions[2] = "nonmatch" }').matches(doc)
    assert not parse('{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = '
                     '"nonmatch") && $.actions[2] = "nonmatch" }').matches(doc)
    assert not parse('{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }'
                     ).matches(doc)
