"""CT011: selectors AWS rejects, and selectors that do not do what they seem."""

from __future__ import annotations

import pytest

from checker.model import (
    AdvancedSelector,
    BasicSelector,
    Bucket,
    DataResource,
    Estate,
    FieldSelector,
    Reference,
    Selectors,
    Trail,
    Unknown,
)
from checker.simulator.validity import Problem, check_selectors
from tests.simulator.capture_cases import DATA, MANAGEMENT, S3_OBJECTS, adv, fs, sel, trail

VAR = Unknown("var.x has no value")
NETWORK = fs("eventCategory", equals="NetworkActivity")
KMS = fs("eventSource", equals="kms.amazonaws.com")
ONE_BUCKET = DataResource("AWS::S3::Object", ("arn:aws:s3:::x/",))


def basic(*selectors: BasicSelector) -> Selectors:
    return Selectors("basic", basic=selectors)


def messages(t: Trail, estate: Estate | None = None) -> list[str]:
    return [p.message for p in check_selectors(t, estate)]


def only(t: Trail, estate: Estate | None = None) -> Problem:
    problems = check_selectors(t, estate)
    assert len(problems) == 1, problems
    return problems[0]


@pytest.mark.parametrize(
    "selectors",
    [
        Selectors.default(),
        basic(BasicSelector()),
        basic(BasicSelector("WriteOnly", exclude_management_event_sources=("kms.amazonaws.com",),
                            data_resources=(
                                DataResource("AWS::S3::Object", ("arn:aws:s3:::b/",)),
                                DataResource("AWS::Lambda::Function", ("arn:aws:lambda",)),
                                DataResource("AWS::DynamoDB::Table", ("arn:aws:dynamodb",))))),
        adv(sel(MANAGEMENT, fs("readOnly", equals="true"),
                fs("eventSource", not_equals=("kms.amazonaws.com", "rdsdata.amazonaws.com")))),
        adv(sel(DATA, S3_OBJECTS, fs("resources.ARN", starts_with="arn:aws:s3:::b/",
                                     not_starts_with="arn:aws:s3:::b/tmp/"),
                fs("eventName", equals=("PutObject", "DeleteObject")),
                fs("readOnly", equals="false"),
                fs("userIdentity.arn", not_starts_with="arn:aws:sts::1:assumed-role/etl"),
                fs("eventType", not_equals="AwsServiceEvent"))),
        adv(sel(fs("eventCategory", equals="NetworkActivity"),
                fs("eventSource", equals="kms.amazonaws.com"),
                fs("errorCode", equals="VpceAccessDenied"),
                fs("vpcEndpointId", not_equals="vpce-1"))),
    ],
)  # fmt: skip
def test_valid_selectors_have_no_problem(selectors: Selectors) -> None:
    assert check_selectors(trail(selectors=selectors)) == []


def test_multi_region_without_global_events() -> None:
    problem = only(trail(include_global_service_events=False))
    assert problem.status == "fail"
    assert problem.attribute == "include_global_service_events"
    assert "InvalidParameterCombinationException" in problem.message
    assert check_selectors(trail(is_multi_region=False, include_global_service_events=False)) == []
    assert only(trail(include_global_service_events=VAR)).status == "unknown"
    assert only(trail(is_multi_region=VAR, include_global_service_events=False)).status == "unknown"


def test_unknown_selectors() -> None:
    problem = only(trail(selectors=VAR))
    assert (problem.status, problem.attribute) == ("unknown", "selectors")


# -- basic ---------------------------------------------------------------------------------------


def test_too_many_basic_selectors() -> None:
    problem = only(trail(selectors=basic(*[BasicSelector()] * 6)))
    assert "6 basic event selectors" in problem.message


def test_too_many_data_values_but_all_values_are_free() -> None:
    values = tuple(f"arn:aws:s3:::b{i}/" for i in range(251))
    problem = only(trail(selectors=basic(BasicSelector(
        data_resources=(DataResource("AWS::S3::Object", values),)))))  # fmt: skip
    assert "251 data resource values" in problem.message
    ok = (*(f"arn:aws:s3:::b{i}/" for i in range(250)), "arn:aws:s3")
    assert check_selectors(trail(selectors=basic(BasicSelector(
        data_resources=(DataResource("AWS::S3::Object", ok),))))) == []  # fmt: skip


def test_basic_data_resource_type_outside_the_three() -> None:
    topic = DataResource("AWS::SNS::Topic", ("arn:aws:sns:us-east-1:1:t",))
    problem = only(trail(selectors=basic(BasicSelector(data_resources=(topic,)))))
    assert "needs advanced selectors" in problem.message
    assert problem.message.startswith("selector 1: ")


def test_exclusions_other_than_kms_and_rdsdata() -> None:
    problem = only(trail(selectors=basic(BasicSelector(
        exclude_management_event_sources=("s3.amazonaws.com",)))))  # fmt: skip
    assert "accepts only kms.amazonaws.com and rdsdata.amazonaws.com" in problem.message


def test_selector_that_logs_nothing() -> None:
    problem = only(trail(selectors=basic(BasicSelector(include_management_events=False))))
    assert "logs nothing" in problem.message


def test_exclusions_without_management_events() -> None:
    found = messages(trail(selectors=basic(BasicSelector(
        include_management_events=False, exclude_management_event_sources=("kms.amazonaws.com",),
        data_resources=(DataResource("AWS::S3::Object", ("arn:aws:s3",)),)))))  # fmt: skip
    assert found == ["selector 1: ExcludeManagementEventSources has no effect without "
                     "IncludeManagementEvents (Terraform rejects it)"]  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("AWS::S3::Object", "arn:aws:s3:::bucket", "without the trailing `/`"),
        ("AWS::S3::Object", "arn:aws:s3:::*", "`*` is not a wildcard"),
        ("AWS::S3::Object", "arn:aws:s3:::bkt/*", "`*` is not a wildcard"),
        ("AWS::Lambda::Function", "arn:aws:lambda:*", "`*` is not a wildcard"),
        ("AWS::S3::Object", "bucket/", "is not a AWS::S3::Object ARN"),
        ("AWS::Lambda::Function", "arn:aws:s3:::b/", "is not a AWS::Lambda::Function ARN"),
    ],
)
def test_basic_values_that_do_not_do_what_they_seem(kind: str, value: str, expected: str) -> None:
    problem = only(trail(selectors=basic(BasicSelector(
        data_resources=(DataResource(kind, (value,)),)))))  # fmt: skip
    assert problem.status == "fail"
    assert expected in problem.message


def test_basic_unknown_values_are_unknown() -> None:
    problem = only(trail(selectors=basic(BasicSelector(
        data_resources=(DataResource("AWS::S3::Object", (VAR,)),)))))  # fmt: skip
    assert problem.status == "unknown"


def test_invalid_read_write_type() -> None:
    assert "is not ReadOnly, WriteOnly or All" in only(
        trail(selectors=basic(BasicSelector("Writes")))).message  # fmt: skip


# -- advanced ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        (sel(fs("readOnly", equals="true")), "no eventCategory field selector"),
        (sel(fs("eventCategory", not_equals="Data")), "eventCategory accepts only Equals"),
        (sel(fs("eventCategory", equals="Insight")), "event data stores only"),
        (sel(fs("eventCategory", equals="Mgmt")), "is not Management, Data or NetworkActivity"),
        (sel(MANAGEMENT, fs("eventName", equals="ConsoleLogin")), "event data stores only"),
        (sel(MANAGEMENT, fs("resources.type", equals="AWS::S3::Object")),
         "resources.type is not accepted for Management events"),
        (sel(MANAGEMENT, fs("eventSource", equals="iam.amazonaws.com")), "accepts only NotEquals"),
        (sel(MANAGEMENT, fs("eventSource", not_equals="s3.amazonaws.com")),
         "trails accept only kms.amazonaws.com and rdsdata.amazonaws.com"),
        (sel(DATA), "Data selectors need a resources.type field selector"),
        (sel(DATA, fs("resources.type", starts_with="AWS::S3")),
         "resources.type accepts only Equals"),
        (sel(DATA, fs("resources.type", equals=("AWS::S3::Object", "AWS::Lambda::Function"))),
         "resources.type takes one value per selector"),
        (sel(DATA, fs("resources.type", equals="S3 objects")), "is not a resource type"),
        (sel(DATA, S3_OBJECTS, fs("errorCode", equals="VpceAccessDenied")),
         "errorCode is not accepted for Data events"),
        (sel(fs("eventCategory", equals="NetworkActivity")),
         "NetworkActivity selectors need a eventSource field selector"),
        (sel(fs("eventCategory", equals="NetworkActivity"),
             fs("eventSource", equals=("kms.amazonaws.com", "s3.amazonaws.com"))),
         "eventSource takes one value per selector"),
        (sel(NETWORK, KMS, fs("errorCode", equals="AccessDenied")),
         "errorCode accepts only Equals VpceAccessDenied"),
        (sel(NETWORK, KMS, fs("readOnly", equals="true")),
         "readOnly is not accepted for NetworkActivity events"),
        (sel(DATA, S3_OBJECTS, fs("readOnly", equals="yes")), "is not true or false"),
        (sel(DATA, S3_OBJECTS, fs("sessionCredentialFromConsole", equals="false")),
         "accepts only Equals or NotEquals true"),
        (sel(DATA, S3_OBJECTS, fs("eventTime", equals="x")), "is not a field trails accept"),
        (sel(DATA, S3_OBJECTS, FieldSelector("eventName")), "has no operator"),
        (sel(DATA, S3_OBJECTS, fs("resources.ARN", starts_with="arn:aws:s3:::bkt/*")),
         "`*` is a literal character"),
        (sel(DATA, S3_OBJECTS, fs("resources.ARN", equals="arn:aws:s3:::bkt/")),
         "matches only that exact ARN, not the objects in the bucket; use StartsWith"),
        (sel(DATA, S3_OBJECTS, fs("resources.ARN", not_equals="arn:aws:s3:::bkt")),
         "use NotStartsWith arn:aws:s3:::bkt/"),
        (sel(DATA, S3_OBJECTS, fs("resources.ARN", starts_with="arn:aws:s3:::bkt")),
         "also matches every bucket whose name starts with it"),
        (AdvancedSelector(()), "has no field selectors"),
    ],
)  # fmt: skip
def test_advanced_problems(selector: AdvancedSelector, expected: str) -> None:
    found = messages(trail(selectors=adv(selector)))
    assert any(expected in m for m in found), found
    assert all(m.startswith("selector 1: ") for m in found)


def test_too_many_advanced_values() -> None:
    values = tuple(f"arn:aws:s3:::b{i}/" for i in range(499))
    selectors = adv(sel(DATA, S3_OBJECTS, fs("resources.ARN", starts_with=values)))
    problem = only(trail(selectors=selectors))
    assert "501 values" in problem.message


def test_unknown_event_category_is_unknown() -> None:
    problem = only(trail(selectors=adv(sel(fs("eventCategory", equals=VAR)))))
    assert problem.status == "unknown"


def test_problems_name_their_selector() -> None:
    selectors = adv(sel(MANAGEMENT), sel(DATA))
    assert messages(trail(selectors=selectors)) == [
        "selector 2: Data selectors need a resources.type field selector"
    ]


# -- data events on the trail's own bucket -------------------------------------------------------


def _with_bucket(selectors: Selectors, **kw: object) -> tuple[Trail, Estate]:
    ref = Reference("logs-bucket", target="aws_s3_bucket.logs")
    t = trail(selectors=selectors, bucket=ref, **kw)
    bucket = Bucket(id="aws_s3_bucket.logs", name="logs-bucket", region="eu-west-1")
    return t, Estate(trails=(t,), buckets=(bucket,))


def test_data_events_on_own_bucket() -> None:
    named = DataResource("AWS::S3::Object", ("arn:aws:s3:::logs-bucket/",))
    t, estate = _with_bucket(basic(BasicSelector(data_resources=(named,))))
    problem = only(t, estate)
    assert problem.status == "fail"
    assert "own log bucket logs-bucket" in problem.message
    # the same without the estate: the bucket name comes from the reference
    assert "logs-bucket" in only(t).message


def test_data_events_on_every_bucket_are_fine() -> None:
    # what CT009/CT010 and CIS ask for includes the log bucket: not a selector mistake
    t, estate = _with_bucket(basic(BasicSelector(
        data_resources=(DataResource("AWS::S3::Object", ("arn:aws:s3",)),))))  # fmt: skip
    assert check_selectors(t, estate) == []


def test_data_events_excluding_own_bucket_are_fine() -> None:
    not_logs = fs("resources.ARN", not_starts_with="arn:aws:s3:::logs-bucket/")
    t, estate = _with_bucket(adv(sel(DATA, S3_OBJECTS, not_logs)))
    assert check_selectors(t, estate) == []


def test_data_events_on_own_bucket_from_a_stopped_trail_still_count() -> None:
    t, estate = _with_bucket(basic(BasicSelector(
        data_resources=(DataResource("AWS::S3::Object", ("arn:aws:s3:::logs-bucket/",)),))),
        is_logging=False)  # fmt: skip
    assert "own log bucket" in only(t, estate).message


def test_own_bucket_name_unknown() -> None:
    some = basic(BasicSelector(data_resources=(ONE_BUCKET,)))
    t = trail(selectors=some, bucket=Reference(Unknown("var.bucket")))
    assert only(t).status == "unknown"
    every = basic(BasicSelector(data_resources=(DataResource("AWS::S3::Object", ("arn:aws:s3",)),)))
    t = trail(selectors=every, bucket=Reference(Unknown("var.bucket")))
    assert check_selectors(t) == []
    assert check_selectors(trail(bucket=Reference(Unknown("var.bucket")))) == []
