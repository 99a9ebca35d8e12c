"""EventBridge event patterns compiled to SQL agree with the Python evaluator wherever the SQL
decides (TRUE or FALSE), over generated records and patterns run in DuckDB on a table with the
Athena schema; simple patterns are decided in SQL; the user guide's kinds of pattern."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from checker.model import Unknown, partly_known
from checker.replay.compile_event_pattern import compile_event_pattern, static
from checker.replay.dialects import render
from checker.simulator.event_pattern import EventPattern, compile_pattern
from checker.simulator.eventbridge_event import to_eventbridge_event
from tests.replay.helpers import load_table

duckdb = pytest.importorskip("duckdb")


def sql_verdicts(text: str | dict[str, Any], records: Sequence[dict[str, Any]]
                 ) -> list[bool | None]:  # fmt: skip
    """The compiled pattern's value on each record, loaded into the Athena-schema table (`text`,
    or a document with values not known)."""
    expr = compile_event_pattern(text, set()).expr
    con = duckdb.connect()
    load_table(con, records)
    query = render(f"SELECT rowid, {expr} FROM cloudtrail_logs ORDER BY rowid", "duckdb")
    return [row[1] for row in con.execute(query).fetchall()]


def python_verdict(text: str | dict[str, Any], record: dict[str, Any]) -> bool | None:
    compiled = compile_pattern(text)
    assert isinstance(compiled, EventPattern)
    return compiled.match(to_eventbridge_event(record)).match


# -- generated records and patterns ----------------------------------------------------------

SOURCES = ("ec2.amazonaws.com", "s3.amazonaws.com", "iam.amazonaws.com", "Custom.Example", "",
           "[s3.amazonaws.com]")  # fmt: skip
NAMES = ("RunInstances", "DescribeInstances", "GetObject", "ConsoleLogin", "ROOTKEY", "")
TEXTS = ("Root", "root", "IAMUser", "AccessDenied", "Ünïcode", "\u212aey", "key", "a_b%c",
         "line\nbreak", "arn:aws:iam::111122223333:root", "{x}", "10.1.2.3", "")  # fmt: skip


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "eventVersion": "1.09", "eventTime": "2026-11-01T10:00:00Z",
        "eventSource": draw(st.sampled_from(SOURCES)),
        "eventName": draw(st.sampled_from(NAMES)),
    }  # fmt: skip
    optional: dict[str, st.SearchStrategy[Any]] = {
        "awsRegion": st.sampled_from(("us-east-1", "eu-west-1", "")),
        "recipientAccountId": st.sampled_from(("111122223333", "")),
        "eventCategory": st.sampled_from(("Management", "Data", "Insight", "NetworkActivity",
                                          "")),
        "eventType": st.sampled_from(("AwsApiCall", "AwsServiceEvent", "AwsConsoleSignIn",
                                      "AwsConsoleAction", "AwsVpceEvent", "Other")),
        "errorCode": st.sampled_from(TEXTS),
        # JSON booleans; strings other than "true"/"false" (which the table reads as booleans)
        "readOnly": st.sampled_from((True, False, "TRUE", "yes")),
        "sourceIPAddress": st.sampled_from(("10.1.2.3", "203.0.113.9", "cloudtrail.amazonaws.com")),
        "userIdentity": st.fixed_dictionaries({}, optional={
            "type": st.sampled_from(TEXTS), "arn": st.sampled_from(TEXTS),
            "credentialId": st.just("c"),  # not a column of the table
        }),
        "requestParameters": st.sampled_from((None, {"bucketName": "key"}, {}, "text")),
        "resources": st.sampled_from(([], [{"ARN": "key", "type": "AWS::S3::Object"}])),
        "insightDetails": st.just({"state": "Start"}),
    }  # fmt: skip
    for key, strategy in optional.items():
        if draw(st.booleans()):
            rec[key] = draw(strategy)
    return rec


STRINGS = ("aws.ec2", "aws.s3", "aws.", "ec2.amazonaws.com", "RunInstances", "Describe", "Root",
           "ROOT", "root", "us-east-1", "111122223333", "AccessDenied", "", "key", "KEY", "Key",
           "AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail", "Ünïcode", "0",
           "10.1.2.3", "true", "a_b%c")  # fmt: skip
WILDCARDS = ("*", "aws.*", "*Instances", "Run*es", "R*o*t", "*_*", "a*b*c", "k*y", "arn:*:root",
             "a\\*b", "Ro*ot", "Roo*oot")  # fmt: skip
_str = st.sampled_from(STRINGS)
_wild = st.sampled_from(WILDCARDS)
_string_ops = st.one_of(
    _str.map(lambda s: {"prefix": s}), _str.map(lambda s: {"suffix": s}),
    _str.map(lambda s: {"equals-ignore-case": s}),
    _str.map(lambda s: {"prefix": {"equals-ignore-case": s}}),
    _str.map(lambda s: {"suffix": {"equals-ignore-case": s}}),
    _wild.map(lambda w: {"wildcard": w}),
)  # fmt: skip
matchers = st.one_of(
    _str, st.none(), st.booleans(), st.just(5), _string_ops,
    st.one_of(_str, st.lists(_str, min_size=1, max_size=3), st.just(5), st.just([1, 2]),
              _str.map(lambda s: {"prefix": s}), _str.map(lambda s: {"suffix": s}),
              _str.map(lambda s: {"equals-ignore-case": s}),
              _wild.map(lambda w: {"wildcard": w})).map(lambda a: {"anything-but": a}),
    st.booleans().map(lambda b: {"exists": b}),
    st.just({"numeric": [">", 0]}), st.just({"cidr": "10.0.0.0/8"}),
)  # fmt: skip
PATHS = (
    ("source",), ("detail-type",), ("account",), ("region",), ("version",), ("id",),
    ("resources",), ("time",), ("missing",), ("detail",), ("detail", "eventSource"),
    ("detail", "eventName"), ("detail", "errorCode"), ("detail", "readOnly"),
    ("detail", "awsRegion"), ("detail", "sourceIPAddress"), ("detail", "userIdentity"),
    ("detail", "userIdentity", "type"), ("detail", "userIdentity", "arn"),
    ("detail", "userIdentity", "credentialId"), ("detail", "requestParameters"),
    ("detail", "requestParameters", "bucketName"), ("detail", "resources"),
    ("detail", "resources", "ARN"), ("detail", "insightDetails", "state"),
    ("detail", "eventName", "nested"), ("detail", "eventTime"),
)  # fmt: skip


def _put(pattern: dict[str, Any], path: tuple[str, ...], leaf: list[Any]) -> None:
    node = pattern
    for key in path[:-1]:
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            return  # a leaf there already: skip
        node = child
    if path[-1] not in node:
        node[path[-1]] = leaf


@st.composite
def simple_patterns(draw: st.DrawFn) -> dict[str, Any]:
    pattern: dict[str, Any] = {}
    for _ in range(draw(st.integers(1, 3))):
        _put(pattern, draw(st.sampled_from(PATHS)), draw(st.lists(matchers, min_size=1,
                                                                  max_size=3)))  # fmt: skip
    return pattern


@st.composite
def patterns(draw: st.DrawFn) -> dict[str, Any]:
    pattern = draw(simple_patterns())
    where = draw(st.sampled_from(("none", "top", "detail")))
    if where != "none":  # a $or of two branches, at the top or inside detail
        branches = [draw(simple_patterns()) for _ in range(2)]
        if where == "detail":
            branches = [b.get("detail") or {"eventName": ["RunInstances"]} for b in branches]
            branches = [b if isinstance(b, dict) else {"eventName": b} for b in branches]
            detail = pattern.setdefault("detail", {})
            if isinstance(detail, dict):
                detail["$or"] = branches
        else:
            pattern["$or"] = branches
    return pattern


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.filter_too_much])
@given(pattern=patterns(), recs=st.lists(records(), min_size=1, max_size=12))
def test_sql_agrees_with_the_evaluator_wherever_it_decides(
    pattern: dict[str, Any], recs: list[dict[str, Any]],
) -> None:  # fmt: skip
    text = json.dumps(pattern)
    assume(isinstance(compile_pattern(text), EventPattern))
    for record, verdict in zip(recs, sql_verdicts(text, recs), strict=True):
        if verdict is not None:
            assert verdict == python_verdict(text, record), (text, record)


# values not known (a PartialPattern's document): a whole value, an item, a string with known
# stretches, an operator holding one
HOLES = (
    Unknown("a role ARN assigned at deploy"),
    partly_known("an account", ["arn:aws:iam::", Unknown("account"), ":root"]),
    partly_known("a name", ["Run", Unknown("suffix")]),
    partly_known("a name", [Unknown("prefix"), "Instances"]),
    partly_known("a text", [Unknown("any")]),
    partly_known("with a percent sign", ["a_b%", Unknown("rest")]),
)


@st.composite
def holed(draw: st.DrawFn, pattern: dict[str, Any]) -> dict[str, Any]:
    """`pattern` with some of its values not known."""
    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if draw(st.integers(0, 9)) == 0:  # the whole value, or a whole $or branch
                    out[key] = [HOLES[0], *value[1:]] if key == "$or" else HOLES[0]
                else:
                    out[key] = walk(value)
            return out
        if isinstance(node, list) and node and not all(isinstance(b, dict) and b for b in node) \
                and draw(st.booleans()):  # fmt: skip
            items = list(node)
            at = draw(st.integers(0, len(items) - 1))
            hole = draw(st.sampled_from(HOLES))
            items[at] = {"prefix": hole} if draw(st.integers(0, 3)) == 0 else hole
            return items
        if isinstance(node, list):
            return [walk(b) if isinstance(b, dict) else b for b in node]
        return node
    return walk(pattern)  # type: ignore[no-any-return]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.filter_too_much])
@given(data=st.data(), pattern=patterns(), recs=st.lists(records(), min_size=1, max_size=10))
def test_sql_agrees_with_the_evaluator_on_patterns_with_values_not_known(
    data: st.DataObject, pattern: dict[str, Any], recs: list[dict[str, Any]],
) -> None:  # fmt: skip
    assume(isinstance(compile_pattern(json.dumps(pattern)), EventPattern))
    document = data.draw(holed(pattern))
    assume(isinstance(compile_pattern(document), EventPattern))
    for record, verdict in zip(recs, sql_verdicts(document, recs), strict=True):
        if verdict is not None:
            assert verdict == python_verdict(document, record), (document, record)


def test_known_stretches_rule_a_string_out_in_sql() -> None:
    document = {"detail": {"userIdentity": {"arn": [HOLES[1]]}}}
    root = {**BASE, "userIdentity": {"type": "Root", "arn": "arn:aws:iam::111122223333:root"}}
    assert sql_verdicts(document, [BASE, root]) == [False, None]
    assert [python_verdict(document, r) for r in (BASE, root)] == [False, None]
    # a field not known decides nothing; another field still does
    other = {"source": ["aws.ec2"], "detail": {"userIdentity": {"arn": HOLES[0]}}}
    assert sql_verdicts(other, [BASE]) == [False]


SIMPLE = (
    '{"source": ["aws.ec2", "aws.s3"]}',
    '{"detail": {"eventName": ["RunInstances"], "eventSource": [{"prefix": "ec2."}]}}',
    '{"detail-type": ["AWS API Call via CloudTrail"], "region": ["us-east-1"]}',
    '{"detail": {"errorCode": [{"exists": false}], "userIdentity": {"type": ["Root"]}}}',
    '{"account": [{"anything-but": "444455556666"}], "detail": {"readOnly": [false]}}',
    '{"$or": [{"detail": {"eventName": [{"suffix": "Instances"}]}}, {"source": ["aws.iam"]}]}',
    '{"detail": {"userIdentity": {"arn": [{"wildcard": "arn:aws:iam::*:root"}]}}}',
)
PLAIN_RECORDS = [
    {"eventSource": s, "eventName": n, "awsRegion": r, "recipientAccountId": "111122223333",
     "eventType": "AwsApiCall", "readOnly": ro, "userIdentity": {"type": t, "arn": a}}
    for s in ("ec2.amazonaws.com", "iam.amazonaws.com") for n in ("RunInstances", "CreateUser")
    for r in ("us-east-1", "eu-west-1") for ro in (True, False) for t in ("Root", "IAMUser")
    for a in ("arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:user/bob")
]  # fmt: skip


@pytest.mark.parametrize("text", SIMPLE)
def test_simple_patterns_are_decided_in_sql(text: str) -> None:
    verdicts = sql_verdicts(text, PLAIN_RECORDS)
    assert None not in verdicts
    assert verdicts == [python_verdict(text, r) for r in PLAIN_RECORDS]
    assert True in verdicts and False in verdicts


# -- the kinds of pattern the EventBridge user guide describes ("Event patterns", "Content
# filtering"), on one record each; `None`: the SQL leaves it to the Python evaluator

BASE = {"eventSource": "s3.amazonaws.com", "eventName": "PutObject", "awsRegion": "eu-west-1",
        "recipientAccountId": "111122223333", "eventType": "AwsApiCall", "readOnly": False,
        "sourceIPAddress": "10.0.4.7",
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/Al"},
        "requestParameters": {"bucketName": "reports"}}  # fmt: skip
GUIDE = [
    # a field's array matches when any value matches; all fields must match
    ('{"source": ["aws.ec2", "aws.s3"], "detail": {"eventName": ["PutObject"]}}', BASE, True),
    ('{"source": ["aws.s3"], "detail": {"eventName": ["GetObject"]}}', BASE, False),
    # matching is case-sensitive, unless equals-ignore-case
    ('{"detail": {"eventName": ["putobject"]}}', BASE, False),
    ('{"detail": {"eventName": [{"equals-ignore-case": "putobject"}]}}', BASE, True),
    # prefix and suffix, also ignoring case
    ('{"region": [{"prefix": "eu-"}]}', BASE, True),
    ('{"detail": {"eventSource": [{"suffix": ".AMAZONAWS.COM"}]}}', BASE, False),
    ('{"detail": {"eventSource": [{"suffix": {"equals-ignore-case": ".AMAZONAWS.COM"}}]}}', BASE,
     True),
    # anything-but: a value, a list, a prefix
    ('{"detail": {"userIdentity": {"type": [{"anything-but": "Root"}]}}}', BASE, True),
    ('{"detail": {"eventName": [{"anything-but": ["PutObject", "GetObject"]}]}}', BASE, False),
    ('{"account": [{"anything-but": {"prefix": "1111"}}]}', BASE, False),
    # exists: a field present or absent (an object is not a leaf)
    ('{"detail": {"errorCode": [{"exists": false}]}}', BASE, True),
    ('{"detail": {"userIdentity": [{"exists": true}]}}', BASE, False),
    # wildcard
    ('{"detail": {"userIdentity": {"arn": [{"wildcard": "arn:aws:iam::*:user/*"}]}}}', BASE, True),
    # $or between fields
    ('{"$or": [{"detail": {"eventName": ["DeleteBucket"]}}, {"region": ["eu-west-1"]}]}', BASE,
     True),
    # readOnly is a JSON boolean
    ('{"detail": {"readOnly": [false]}}', BASE, True),
    ('{"detail": {"readOnly": ["false"]}}', BASE, False),
    # numeric matches numbers only: never a string field
    ('{"detail": {"eventName": [{"numeric": [">", 0]}]}}', BASE, False),
    # the detail-type CloudTrail gives an API call
    ('{"detail-type": ["AWS API Call via CloudTrail"]}', BASE, True),
    # left to Python: cidr, a field inside the request parameters (JSON text in the table)
    ('{"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/16"}]}}', BASE, None),
    ('{"detail": {"requestParameters": {"bucketName": ["reports"]}}}', BASE, None),
    # ... unless the record has no request parameters at all
    ('{"detail": {"requestParameters": {"bucketName": ["reports"]}}}',
     {k: v for k, v in BASE.items() if k != "requestParameters"}, False),
    # edges: a wildcard's two ends do not overlap; ignore-case on non-ASCII text is Python's
    # (the Kelvin sign lower-cases to k there); an Insights record's source is not documented
    ('{"detail": {"userIdentity": {"type": [{"wildcard": "Roo*oot"}]}}}',
     {**BASE, "userIdentity": {"type": "Root"}}, False),
    ('{"detail": {"errorCode": [{"equals-ignore-case": "KEY"}]}}',
     {**BASE, "errorCode": "\u212aey"}, None),
    ('{"source": ["aws.s3"]}', {**BASE, "eventCategory": "Insight"}, None),
    ('{"source": [{"exists": true}]}', {**BASE, "eventCategory": "Insight"}, True),
    # the sign-in detail-type has two spellings: unknown to both
    ('{"detail-type": ["AWS Console Sign In via CloudTrail"]}',
     {**BASE, "eventType": "AwsConsoleSignIn"}, None),
]  # fmt: skip


@pytest.mark.parametrize(("text", "record", "expected"), GUIDE)
def test_user_guide_kinds_of_pattern(text: str, record: dict[str, Any],
                                     expected: bool | None) -> None:  # fmt: skip
    (verdict,) = sql_verdicts(text, [record])
    assert verdict is expected
    if expected is not None:
        assert python_verdict(text, record) is expected


def test_static_reads_the_evaluator_on_known_values() -> None:
    assert static([{"exists": False}], object()) == "FALSE"  # a value that is present
    assert static({}, "x") == "TRUE"  # an empty object adds no condition
    assert static(["0"], "0") == "TRUE" and static(["1"], "0") == "FALSE"


def test_every_member_of_the_event_is_compiled() -> None:
    """The compiler knows every key of the event CloudTrail makes (a new one would be a
    constant only by mistake)."""
    assert set(to_eventbridge_event({})) == {"version", "id", "detail-type", "source", "account",
                                             "time", "region", "resources", "detail"}
