"""The SQL path (DuckDB) and the Python path agree on every record's captured-by (trail or event
data store, and selector), destinations and alarms, over random configurations (trails with
insight selectors, event data stores, one receiving the others' Insights) and records (Insights
records among them), with EventBridge rules; and their summaries are equal. Patterns the
compiler leaves to Python (terms, array steps) are in the mix, so the fallback is exercised too."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.model import EventDataStore, InsightSelector, Reference, Selectors, Unknown
from tests.replay.helpers import both, by_event_id, by_key, estate, write_jsonl
from tests.simulator.test_capture_properties import (
    PLAIN,
    UNKNOWN,
    advanced_selectors,
    basic_selectors,
    trails,
)

pytest.importorskip("duckdb")

PATTERNS = (
    "{ ($.eventName = CreateTrail) || ($.eventName = StopLogging) || ($.eventName = Decrypt) }",
    '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
    '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
    '$.eventType != "AwsServiceEvent" }',
    '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
    "{ $.requestParameters.count > 3 }",
    "{ $.requestParameters.count = 5 || $.requestParameters.count != 7 }",
    "{ $.requestParameters.flag IS TRUE || $.requestParameters.gone IS NULL }",
    '{ $.requestParameters.name = "*bkt*" || $.requestParameters.name = * }',
    "{ $.requestParameters IS NULL }",
    '{ $.responseElements.ConsoleLogin = "Failure" }',
    "{ $.readOnly IS FALSE }",
    "{ $.sourceIPAddress = %^198[.]51% }",
    '{ $.requestParameters.items[0].id = "x" }',
    "ConsoleLogin",
    '{ $.requestParameters.name NOT EXISTS && $.eventName = "PutObject" }',
)

SOURCES = ("ec2.amazonaws.com", "kms.amazonaws.com", "iam.amazonaws.com", "sts.amazonaws.com",
           "signin.amazonaws.com", "s3.amazonaws.com", "cloudtrail.amazonaws.com",
           "Custom.Example")  # fmt: skip
# EventBridge rules (compiled to SQL by compile_rules.py): plain lists, operators, $or, the
# sign-in detail-type (unknown for sign-ins), a source no record has, an invalid one
RULES = (
    '{"detail": {"eventName": ["StopLogging", "CreateTrail", "GetObject"]}}',
    '{"source": ["aws.cloudtrail", "aws.kms"], '
    '"detail": {"eventName": ["StopLogging", "Decrypt"]}}',
    '{"detail": {"eventSource": ["s3.amazonaws.com", "ec2.amazonaws.com"], '
    '"eventName": ["PutObject", "RunInstances"]}}',
    '{"source": ["aws.signin"], "detail-type": ["AWS Console Sign In via CloudTrail"]}',
    '{"detail": {"userIdentity": {"type": ["Root"]}}}',
    '{"detail": {"eventName": [{"prefix": "Run"}]}}',
    '{"$or": [{"source": ["aws.kms"]}, {"detail": {"eventName": ["AssumeRole"]}}]}',
    '{"source": ["aws.ec2", "custom.app"], "detail": {"errorCode": [{"exists": true}]}}',
    '{"source": ["custom.app"]}',
    '{"source": "aws.s3"}',
)
NAMES = ("RunInstances", "Decrypt", "PutObject", "GetObject", "ConsoleLogin", "StopLogging",
         "CreateTrail", "AssumeRole")  # fmt: skip
REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "cn-north-1", "apiso-centralnorth-2r", "")
OBJECTS = ("arn:aws:s3:::bkt/key", "arn:aws:s3:::bkt/images/a.jpg", "arn:aws:s3:::bkt2/key",
           "arn:aws:lambda:us-west-2:111111111111:function:helloworld",
           "arn:aws:dynamodb:us-east-1:111122223333:table/orders")  # fmt: skip
TYPES = ("AWS::S3::Object", "AWS::S3::Bucket", "AWS::Lambda::Function", "AWS::DynamoDB::Table")


def _maybe(draw: st.DrawFn, value: Any) -> dict[str, Any]:
    return {} if value is None else value


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "eventVersion": "1.09",
        "eventTime": draw(st.sampled_from(("2026-11-01T10:00:00Z", "2026-11-02T11:00:00Z"))),
        "eventID": str(uuid.UUID(int=draw(st.integers(0, 1 << 64)))),
        "eventSource": draw(st.sampled_from(SOURCES)),
        "eventName": draw(st.sampled_from(NAMES)),
        "awsRegion": draw(st.sampled_from(REGIONS)),
        "sourceIPAddress": draw(st.sampled_from(("198.51.100.7", "203.0.113.9"))),
    }
    optional: dict[str, st.SearchStrategy[Any]] = {
        "eventCategory": st.sampled_from(("Management", "Data", "NetworkActivity", "Insight", "")),
        "insightDetails": st.fixed_dictionaries({}, optional={
            "insightType": st.sampled_from(("ApiCallRateInsight", "ApiErrorRateInsight")),
            "insightContext": st.just({"statistics": {}}),
        }),
        "managementEvent": st.booleans(),
        # a string spelled exactly "true" or "false" reads as the boolean in the table
        # (docs/semantics/replay.md); other spellings are strings in both paths
        "readOnly": st.sampled_from((True, False, "TRUE", "False")),
        "recipientAccountId": st.sampled_from(("111122223333", "444455556666", "999999999999")),
        "eventType": st.sampled_from(("AwsApiCall", "AwsServiceEvent", "AwsVpceEvent",
                                      "AwsConsoleSignIn", "AwsCloudTrailInsight")),
        "errorCode": st.sampled_from(("Client.UnauthorizedOperation", "AccessDenied",
                                      "VpceAccessDenied")),
        "sessionCredentialFromConsole": st.just("true"),
        "vpcEndpointId": st.just("vpce-1"),
        "userIdentity": st.fixed_dictionaries({}, optional={
            "type": st.sampled_from(("Root", "IAMUser", "AssumedRole")),
            "arn": st.sampled_from(("arn:aws:iam::111122223333:user/alice",
                                    "arn:aws:sts::1:assumed-role/etl/x")),
            "invokedBy": st.just("cloudformation.amazonaws.com"),
        }),
        "tlsDetails": st.fixed_dictionaries({}, optional={
            "clientProvidedHostHeader": st.sampled_from(("sts.amazonaws.com",
                                                         "sts.us-east-1.amazonaws.com")),
        }),
        "resources": st.lists(st.fixed_dictionaries(
            {"type": st.sampled_from(TYPES)}, optional={"ARN": st.sampled_from(OBJECTS)}),
            max_size=2),
        "requestParameters": st.one_of(st.none(), st.fixed_dictionaries({}, optional={
            "count": st.one_of(st.integers(0, 9), st.sampled_from(("5", "x", 5.0)),
                               st.booleans()),
            "flag": st.one_of(st.booleans(), st.none(), st.just("true")),
            "gone": st.none(),
            "name": st.one_of(st.sampled_from(("my-bkt-1", "other")), st.integers(0, 3)),
            "items": st.just([{"id": "x"}]),
        })),
        "additionalEventData": st.fixed_dictionaries({}, optional={
            "MFAUsed": st.sampled_from(("Yes", "No"))}),
        "responseElements": st.one_of(st.none(), st.fixed_dictionaries({}, optional={
            "ConsoleLogin": st.sampled_from(("Success", "Failure"))})),
    }  # fmt: skip
    for key, strategy in optional.items():
        if draw(st.booleans()):
            rec[key] = draw(strategy)
    return rec


selectors = st.one_of(
    st.just(Selectors.default()),
    st.builds(lambda b: Selectors("basic", basic=tuple(b)), st.lists(basic_selectors(),
                                                                   min_size=1, max_size=2)),
    st.builds(lambda a: Selectors("advanced", advanced=tuple(a)),
              st.lists(advanced_selectors(), min_size=1, max_size=2)),
)  # fmt: skip


insight_selectors = st.lists(st.builds(
    InsightSelector, st.sampled_from(("ApiCallRateInsight", "ApiErrorRateInsight")),
    st.sampled_from((("Management",), ("Data",)))), max_size=2).map(tuple)  # fmt: skip


@st.composite
def stores(draw: st.DrawFn, index: int) -> EventDataStore:
    """An event data store, recording like a trail; the first one may receive the Insights
    events of the others."""
    advanced = st.lists(advanced_selectors(), min_size=1, max_size=2)
    return EventDataStore(
        id=f"aws_cloudtrail_event_data_store.s{index}", name=f"s{index}",
        account_id=draw(st.sampled_from(("111122223333", UNKNOWN))),
        home_region=draw(st.sampled_from(("us-east-1", "eu-west-1", UNKNOWN))),
        status=draw(st.sampled_from(("ENABLED", "ENABLED", "STOPPED_INGESTION", UNKNOWN))),
        is_multi_region=draw(st.sampled_from((True, False, UNKNOWN))),
        is_organization=draw(st.sampled_from((True, False, UNKNOWN))),
        selectors=draw(st.one_of(st.just(Selectors.default()), advanced.map(
            lambda a: Selectors("advanced", advanced=tuple(a))))),
        insight_selectors=draw(insight_selectors) if index > 1 else (),
        insights_destination=(Reference("aws_cloudtrail_event_data_store.s1",
                                        target="aws_cloudtrail_event_data_store.s1")
                              if index > 1 and draw(st.booleans()) else None),
    )  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(
    configured=st.lists(st.tuples(trails(), selectors, insight_selectors), min_size=1,
                        max_size=3),
    stored=st.integers(0, 2).flatmap(lambda n: st.tuples(*(stores(i) for i in range(1, n + 1)))),
    patterns=st.lists(st.sampled_from(PATTERNS), max_size=5, unique=True),
    rules=st.lists(st.sampled_from(RULES), max_size=3, unique=True),
    recs=st.lists(records(), min_size=1, max_size=40, unique_by=lambda r: r["eventID"]),
    unplaced=st.booleans(),
)
def test_sql_and_python_agree_on_every_record(
    tmp_path_factory: pytest.TempPathFactory, configured: list[Any],
    stored: tuple[EventDataStore, ...], patterns: list[str], rules: list[str],
    recs: list[dict[str, Any]], unplaced: bool,
) -> None:  # fmt: skip
    est = estate([replace(t, selectors=s, insight_selectors=i) for t, s, i in configured],
                 patterns, stored, rules)  # fmt: skip
    if unplaced and est.metric_filters:
        # the last filter's log group name is unknown: it may be on the trails' group
        *placed, last = est.metric_filters
        est = replace(est, metric_filters=(
            *placed, replace(last, log_group=Reference(Unknown("var.lg has no value")))))
    path = write_jsonl(tmp_path_factory.mktemp("eq") / "records.jsonl", recs)
    python, duck = both(est, [str(path)])
    assert duck.summary.mismatches == 0
    assert by_event_id(duck) == by_event_id(python)
    assert duck.summary.comparable() == python.summary.comparable()


# A copy of a pool record: the same record, one with the same key (eventTime, eventID,
# recipientAccountId) that differs (dedupe.py: the first read counts), or the same eventID in
# another account (another event).
def _copy(rec: dict[str, Any], how: str) -> dict[str, Any]:
    if how == "differs":
        return {**rec, "readOnly": rec.get("readOnly") is not True, "eventName": "StopLogging"}
    if how == "other account":
        return {**rec, "recipientAccountId": "444455556666"}
    return rec


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(
    configured=st.lists(st.tuples(trails(), selectors, insight_selectors), min_size=1,
                        max_size=2),
    patterns=st.lists(st.sampled_from(PATTERNS), max_size=3, unique=True),
    rules=st.lists(st.sampled_from(RULES), max_size=2, unique=True),
    pool=st.lists(records(), min_size=1, max_size=10, unique_by=lambda r: r["eventID"]),
    files=st.lists(st.lists(st.tuples(st.integers(0, 9), st.sampled_from(
        ("same", "same", "differs", "other account"))), max_size=12), min_size=1, max_size=3),
    delivery=st.booleans(),
    chunk_bytes=st.sampled_from((None, 1500)),
)  # fmt: skip
def test_copies_and_records_of_unknown_category_agree(
    tmp_path_factory: pytest.TempPathFactory, configured: list[Any], patterns: list[str],
    rules: list[str], pool: list[dict[str, Any]], files: list[list[tuple[int, str]]],
    delivery: bool, chunk_bytes: int | None,
) -> None:  # fmt: skip
    """Records of every category evidence (`records` leaves eventCategory and managementEvent
    out at times) and their copies, spread over files and (small) chunks: the engines count
    the same records once, and keep the same copy."""
    est = estate([replace(t, selectors=s, insight_selectors=i) for t, s, i in configured],
                 patterns, (), rules)  # fmt: skip
    folder = tmp_path_factory.mktemp("copies")
    paths = []
    for n, picks in enumerate(files):
        recs = [_copy(pool[i % len(pool)], how) for i, how in picks] or [pool[0]]
        path = folder / f"{n}.json"
        if delivery:
            path.write_text(json.dumps({"Records": recs}, separators=(",", ":")))
        else:
            write_jsonl(path, recs)
        paths.append(str(path))
    python, duck = both(est, paths, chunk_bytes)
    assert duck.summary.mismatches == 0
    assert by_key(duck) == by_key(python)
    assert duck.summary.comparable() == python.summary.comparable()


def test_fallback_predicates_are_named(tmp_path: Path) -> None:
    est = estate([PLAIN], ["ConsoleLogin", '{ $.eventName = "ConsoleLogin" }'])
    rec = {"eventID": "1", "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin",
           "awsRegion": "us-east-1", "recipientAccountId": "111122223333"}  # fmt: skip
    path = write_jsonl(tmp_path / "r.jsonl", [rec])
    _, duck = both(est, [str(path)])
    (fb,) = duck.summary.fallbacks
    assert fb["name"] == "aws_cloudwatch_log_metric_filter.f1" and "term" in fb["reason"]


# a subset of them: without a rule that may match anything, the SQL decides the records no rule
# can be listed for
FILTERED_RULES = tuple(r for r in RULES if "userIdentity" not in r and "prefix" not in r
                       and "$or" not in r)  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(
    rules=st.lists(st.sampled_from(FILTERED_RULES), min_size=1, max_size=2, unique=True),
    recs=st.lists(records(), min_size=1, max_size=40, unique_by=lambda r: r["eventID"]),
)
def test_rule_prefilter_sends_every_record_a_rule_may_match_to_python(
    tmp_path_factory: pytest.TempPathFactory, rules: list[str], recs: list[dict[str, Any]],
) -> None:  # fmt: skip
    path = write_jsonl(tmp_path_factory.mktemp("rules") / "records.jsonl", recs)
    python, duck = both(estate([PLAIN], [], (), rules), [str(path)])
    assert by_event_id(duck) == by_event_id(python)
    assert duck.summary.comparable() == python.summary.comparable()
    listed = sum(1 for r in python.results if r["eventbridge"])
    assert listed <= duck.summary.fallback_records  # each went through the Python evaluator


def test_rule_prefilter_edges(tmp_path: Path) -> None:
    """Records whose EventBridge source is unknown (a malformed eventSource, an Insights record)
    may match a rule on `source`: the SQL sends them to Python."""
    base = {"eventVersion": "1.09", "eventTime": "2026-11-01T10:00:00Z", "awsRegion": "us-east-1",
            "recipientAccountId": "111122223333", "eventType": "AwsApiCall"}  # fmt: skip
    recs = [
        {**base, "eventID": "malformed", "eventSource": "Custom.Example", "eventName": "Run"},
        {**base, "eventID": "insight", "eventSource": "ec2.amazonaws.com", "eventName": "Run",
         "eventCategory": "Insight", "eventType": "AwsCloudTrailInsight"},
        {**base, "eventID": "plain", "eventSource": "ec2.amazonaws.com", "eventName": "Run"},
    ]  # fmt: skip
    path = write_jsonl(tmp_path / "records.jsonl", recs)
    for rule in ('{"source": ["custom.app"]}', '{"source": ["aws.s3"]}'):
        python, duck = both(estate([PLAIN], [], (), [rule]), [str(path)])
        assert by_event_id(duck) == by_event_id(python)
        listed = {r["event"]["eventID"]: [x["rule"] for x in r["eventbridge"]]
                  for r in python.results}  # fmt: skip
        assert listed["plain"] == [] and all(listed[k] for k in ("malformed", "insight"))
        assert duck.summary.fallback_records == 2  # all but "plain"


def test_a_filter_whose_log_group_is_unknown_is_unknown_in_both_engines(tmp_path: Path) -> None:
    from checker.model import Selectors, Trail

    est = estate([Trail(id="t", name="t", is_multi_region=True, selectors=Selectors.default(),
                        home_region="us-east-1")], [PATTERNS[0]])  # fmt: skip
    (mf,) = est.metric_filters
    est = replace(est, metric_filters=(replace(mf, log_group=Reference(Unknown("var.lg"))),))
    rec = {"eventVersion": "1.09", "eventCategory": "Management",
           "eventTime": "2026-11-01T10:00:00Z", "eventID": "e1",
           "eventSource": "cloudtrail.amazonaws.com", "eventName": "StopLogging",
           "awsRegion": "us-east-1", "recipientAccountId": "111122223333"}  # fmt: skip
    python, duck = both(est, [str(write_jsonl(tmp_path / "r.jsonl", [rec]))])
    for run in (python, duck):
        (result,) = run.results
        (captured,) = result["captured_by"]
        assert captured["alarms"] == []  # not certainly fired: it may be on another group
        assert {"destination": "alarms", "status": "unknown"}.items() <= \
            captured["unknown"][0].items()  # fmt: skip
