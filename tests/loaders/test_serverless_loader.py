"""serverless.yml read as the stack the Serverless Framework generates: the `resources` section
through the CloudFormation loader, with lines into serverless.yml, merged over the generated
resources as the Framework merges it (checker/loaders/serverless/loader.py); and the whole scan
through the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.cli import main
from checker.loaders import LoadOptions, load_paths
from checker.loaders.serverless.loader import load_serverless
from checker.model import Estate, PartlyKnown, Unknown

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "serverless"
Capsys = pytest.CaptureFixture[str]


def written(tmp_path: Path, text: str, options: LoadOptions | None = None) -> Estate:
    path = tmp_path / "serverless.yml"
    path.write_text(text, encoding="utf-8")
    return load_serverless(path, "serverless.yml", options or LoadOptions())


TRAIL = """\
service: audit
provider:
  name: aws
custom:
  days: 400
resources:
  Resources:
    Logs:
      Type: AWS::Logs::LogGroup
      Properties:
        RetentionInDays: ${self:custom.days}
    Trail:
      Type: AWS::CloudTrail::Trail
      Properties:
        IsLogging: true
        S3BucketName: ${env:TRAIL_BUCKET}
        CloudWatchLogsLogGroupArn: !GetAtt Logs.Arn
"""


def test_the_resources_section_is_a_template_with_lines_into_serverless_yml(
    tmp_path: Path,
) -> None:
    e = written(tmp_path, TRAIL)
    (trail,) = e.trails
    (logs,) = e.log_groups
    assert (trail.id, trail.location.file, trail.location.line) == ("Trail", "serverless.yml", 12)
    assert trail.lines["is_logging"] == 15 and trail.is_logging is True
    assert trail.log_group is not None and trail.log_group.target == "Logs"
    assert logs.retention_days == 400  # ${self:custom.days}
    assert trail.bucket is not None
    bucket = trail.bucket.value
    assert isinstance(bucket, Unknown) and "environment variable TRAIL_BUCKET" in bucket.reason
    assert e.diagnostics == () and [i.status for i in e.inputs] == ["ok"]


def test_the_region_is_the_command_line_s(tmp_path: Path) -> None:
    """The serverless command's --region decides before provider.region: the file does not."""
    text = TRAIL.replace("  name: aws\n", "  name: aws\n  region: eu-west-1\n")
    (trail,) = written(tmp_path, text).trails
    assert isinstance(trail.home_region, Unknown)
    (trail,) = written(tmp_path, text, LoadOptions(default_region="eu-west-1")).trails
    assert trail.home_region == "eu-west-1"


def test_fragments_extensions_and_null_merge_as_the_framework_merges(tmp_path: Path) -> None:
    """`resources` as a list of fragments (lodash merge, in order), `extensions` changing a
    generated resource, and a null that removes a setting."""
    e = written(tmp_path, """\
service: audit
functions:
  watch:
    events:
      - cloudwatchEvent:
          event: {source: [aws.cloudtrail]}
resources:
  - Resources:
      Trail:
        Type: AWS::CloudTrail::Trail
        Properties:
          IsLogging: true
          S3BucketName: logs
          EnableLogFileValidation: false
  - Resources:
      Trail:
        Properties:
          EnableLogFileValidation: true
          S3BucketName: null
    extensions:
      WatchEventsRuleCloudWatchEvent1:
        Properties:
          State: DISABLED
      WatchLogGroup:
        Properties:
          RetentionInDays: 30
""")
    (trail,) = e.trails
    assert trail.log_file_validation is True and trail.lines["log_file_validation"] == 18
    assert trail.bucket is None  # the null of the second fragment
    (rule,) = e.event_rules
    assert (rule.state, rule.lines["state"]) == ("DISABLED", 23)
    assert e.diagnostics == ()  # WatchLogGroup: a generated resource not written out


def test_a_reference_to_a_name_the_framework_generates_is_unknown(tmp_path: Path) -> None:
    e = written(tmp_path, TRAIL.replace("!GetAtt Logs.Arn", "!GetAtt WatchLogGroup.Arn"))
    (d,) = e.diagnostics
    assert (d.rule_id, d.status, d.location.line) == ("CT000", "unknown", 17)
    assert "Serverless Framework" in d.message


def test_a_reference_to_a_generated_function_or_rule_is_declared(tmp_path: Path) -> None:
    e = written(tmp_path, """\
service: audit
functions:
  watch:
    events:
      - cloudwatchEvent: {event: {source: [aws.cloudtrail]}}
resources:
  Outputs:
    Fn: {Value: !GetAtt WatchLambdaFunction.Arn}
    Rule: {Value: !Ref WatchEventsRuleCloudWatchEvent1}
""")
    assert e.diagnostics == ()


@pytest.mark.parametrize(("resources", "line", "says"), [
    ("resources: ${file(./resources.yml)}", 2, "resources is not known"),
    ("resources:\n  - ${file(./trail.yml)}", 3, "resources is not known"),
    ("resources:\n  Resources: ${file(./trail.yml)}", 3, "resources.Resources is not known"),
    ("resources:\n  Resources:\n    Trail: ${file(./trail.yml)}", 4, "resource Trail"),
    ("resources:\n  Resources:\n    Trail:\n      Type: AWS::CloudTrail::Trail\n"
     "      Properties: ${file(./trail.yml)}", 4, "resource Trail"),
    ("resources:\n  extensions: ${file(./x.yml)}\n  Resources: {}", 3, "extensions"),
])  # fmt: skip
def test_parts_read_from_elsewhere_are_said_not_judged(tmp_path: Path, resources: str, line: int,
                                                       says: str) -> None:  # fmt: skip
    e = written(tmp_path, f"service: audit\n{resources}\n")
    assert e.trails == ()
    (d,) = e.diagnostics
    assert (d.rule_id, d.status, d.location.line) == ("CT000", "unknown", line)
    assert says in d.message and "not judged" in d.message


@pytest.mark.parametrize(("text", "line", "says"), [
    ("service: [", 2, "invalid YAML"),
    ("- a list", 1, "must be a mapping of its settings"),
    ("service: s\nfunctions: 3\n", 2, "functions must be a mapping"),
    ("service: s\nresources:\n  Resources: [a]\n", 3, "Resources must be a mapping"),
    ("service: s\nfunctions:\n  f: 3\n", 3, "function f must be a mapping"),
])  # fmt: skip
def test_bad_files_are_errors_naming_the_line(tmp_path: Path, text: str, line: int,
                                              says: str) -> None:  # fmt: skip
    e = written(tmp_path, text)
    (d,) = e.diagnostics
    assert (d.rule_id, d.status, d.location.file, d.location.line) == (
        "CT000", "fail", "serverless.yml", line)
    assert says in d.message


def test_a_json_service_file_is_read_too(tmp_path: Path) -> None:
    path = tmp_path / "serverless.json"
    path.write_text(json.dumps({"service": "s", "functions": {"f": {"events": [
        {"eventBridge": {"pattern": {"source": ["aws.cloudtrail"]}}}]}}}, indent=1))
    (rule,) = load_serverless(path, "serverless.json", LoadOptions()).event_rules
    assert rule.id == "functions.f.events[0].eventBridge" and rule.location.line == 7


# -- bad input never raises ---------------------------------------------------------------------

# values of the shapes serverless.yml sections take, and of the shapes they should not
_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-2, 70), st.sampled_from([
    "", "x", "arn:aws:sns:us-east-1:111122223333:t", "rate(1 day)", "default", "!Ref",
    "${self:custom.a}", "${self:custom}", "${opt:stage}", "${self:}", "${self:custom.a, 'd'}",
    "${file(x.yml):k}", "a-${sls:stage}-${self:service}", "${AWS::Region}", "${self:custom.${",
    "}${", "${,}", "${self:custom.a, }", "${'q}", "Fn::GetAtt", "Ref"]))
_KEY = st.sampled_from(["eventBridge", "cloudwatchEvent", "schedule", "sns", "pattern", "event",
                        "eventBus", "enabled", "name", "rate", "method", "arn", "topicName",
                        "input", "inputPath", "Resources", "Type", "Properties", "Ref",
                        "Fn::GetAtt", "extensions", "Condition", "a", "custom", "source"])
_VALUE = st.recursive(_LEAF, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(_KEY, inner, max_size=4)), max_leaves=25)


@st.composite
def _service(draw: st.DrawFn) -> dict[str, Any]:
    events = draw(st.lists(st.one_of(_VALUE, st.dictionaries(_KEY, _VALUE, max_size=2)),
                           max_size=4))  # fmt: skip
    function = draw(st.one_of(_VALUE, st.just({"events": events}),
                              st.just({"name": draw(_LEAF), "events": events})))  # fmt: skip
    resource = draw(st.one_of(_VALUE, st.fixed_dictionaries({
        "Type": st.sampled_from(["AWS::CloudTrail::Trail", "AWS::Events::Rule", "AWS::SNS::Topic",
                                 "AWS::S3::Bucket"]), "Properties": _VALUE})))
    return {"service": draw(_LEAF), "custom": {"a": draw(_VALUE)},
            "functions": draw(st.one_of(_VALUE, st.just({"f": function, "g-h": function}))),
            "resources": draw(st.one_of(_VALUE, st.just({"Resources": {"R": resource}}),
                                        st.just([{"Resources": {"R": resource}}, draw(_VALUE)]),
                                        st.just({"extensions": {"R": draw(_VALUE)}})))}


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(service=_service())
def test_any_service_file_loads_without_raising(tmp_path: Path, service: dict[str, Any]) -> None:
    """Whatever the shapes of its sections, a service file gives an estate: what the Framework
    would reject is a CT000 naming the file and a line, never an exception."""
    e = written(tmp_path, yaml.safe_dump(service, sort_keys=False))
    for d in e.diagnostics:
        if d.rule_id == "CT000":
            assert d.location.file == "serverless.yml" and d.location.line >= 1, d


# -- through the command line -------------------------------------------------------------------


def scan(capsys: Capsys, *args: str) -> tuple[int, list[dict[str, Any]]]:
    code = main(["scan", *args, "--format", "json", "--no-config"])
    return code, list(json.loads(capsys.readouterr().out)["findings"])


def test_a_service_s_trail_rules_and_alarm_are_judged_together(capsys: Capsys) -> None:
    """The trail of `resources`, its CloudWatch chain to a topic that a function's `sns` event
    subscribes to, and the rule of an `eventBridge` event: StopLogging pages through the alarm
    (the topic has a subscriber), DeleteTrail reaches the function (which may alert someone:
    not among those that alert nobody), the other scenarios alert nobody."""
    code, findings = scan(capsys, str(FIXTURES / "audit-service"), "--region", "us-east-1",
                          "--regions", "us-east-1")  # fmt: skip
    assert code == 1
    (alerting,) = [f for f in findings if f["rule_id"] == "CT121"]
    assert alerting["status"] == "fail" and alerting["message"].startswith("7 of 9 ")
    assert "tamper-stop-logging" not in alerting["message"]
    assert "tamper-delete-trail" not in alerting["message"]
    assert "tamper-update-trail" in alerting["message"]
    ct060 = {f["resource"]: (f["status"], f["line"]) for f in findings if f["rule_id"] == "CT060"}
    assert ct060 == {"functions.pager.events[1].eventBridge": ("pass", 23)}
    (note,) = [f for f in findings if f["rule_id"] == "CT000"]  # the Framework's role
    assert (note["status"], note["line"]) == ("unknown", 43)
    assert {(f["resource"], f["line"]) for f in findings if f["rule_id"] == "CT002"} == {
        ("Trail", 40)}


def test_without_the_sns_event_the_alarm_topic_pages_nobody(
    capsys: Capsys, tmp_path: Path
) -> None:
    text = (FIXTURES / "audit-service" / "serverless.yml").read_text(encoding="utf-8")
    cut = text.replace("      - sns:\n          arn: !Ref AlertTopic\n"
                       "          topicName: ${self:custom.alerts}\n", "")
    assert cut != text
    (tmp_path / "serverless.yml").write_text(cut, encoding="utf-8")
    _, findings = scan(capsys, str(tmp_path), "--region", "us-east-1", "--regions", "us-east-1")
    (alerting,) = [f for f in findings if f["rule_id"] == "CT121"]
    assert "tamper-stop-logging" in alerting["message"]


def test_the_rules_of_events_are_checked_at_their_lines(capsys: Capsys) -> None:
    _, findings = scan(capsys, str(FIXTURES / "function-events" / "serverless.yml"))
    ct060 = {f["resource"]: (f["status"], f["line"]) for f in findings if f["rule_id"] == "CT060"}
    assert ct060["functions.notifyOnTamper.events[0].eventBridge"] == ("pass", 22)
    assert ct060["functions.notifyOnTamper.events[4].eventBridge"] == ("unknown", 46)
    assert ct060["PageOnCallEventsRuleSchedule1"] == ("pass", 61)
    assert len(ct060) == 7 and not [f for f in findings if f["rule_id"] == "CT000"]


def test_the_bucket_name_keeps_its_known_text(tmp_path: Path) -> None:
    estate = load_paths([str(FIXTURES / "audit-service")], LoadOptions(cwd=str(tmp_path)))
    (bucket,) = estate.buckets
    assert isinstance(bucket.name, PartlyKnown)
    assert bucket.name.parts == ("audit-trail-", None, "-trail")
