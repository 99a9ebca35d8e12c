"""SAM events -> the EventBridge rules and SNS subscriptions the transform generates, read as the
same model objects the explicit CloudFormation resources give (checker/loaders/cloudformation/
sam.py)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from checker.cli import main
from checker.loaders import LoadOptions
from checker.loaders.cloudformation.loader import load_template
from checker.model import Estate, EventRule, Location

SAM = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Watcher:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Events:
        Stop:
          Type: EventBridgeRule
          Properties:
            RuleName: stop-logging
            EventBusName: default
            State: ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS
            Pattern:
              source: [aws.cloudtrail]
              detail:
                eventName: [StopLogging]
            Target:
              Id: watcher
"""

EXPLICIT = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Watcher:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
  WatcherStop:
    Type: AWS::Events::Rule
    Properties:
      Name: stop-logging
      EventBusName: default
      State: ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS
      EventPattern:
        source: [aws.cloudtrail]
        detail:
          eventName: [StopLogging]
      Targets:
        - Id: watcher
          Arn: !GetAtt Watcher.Arn
"""


def template(tmp_path: Path, text: str, name: str = "t.yaml") -> Estate:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_template(path, name, LoadOptions())


def placeless(rule: EventRule) -> EventRule:
    """The rule without where it is written."""
    targets = rule.targets
    assert isinstance(targets, tuple)
    here = Location("t.yaml", 0)
    return replace(rule, location=here, lines={}, names={}, targets=tuple(
        replace(t, location=here, lines={}) for t in targets))


def test_an_eventbridgerule_event_is_the_rule_written_out(tmp_path: Path) -> None:
    (sam,) = template(tmp_path, SAM).event_rules
    (explicit,) = template(tmp_path, EXPLICIT).event_rules
    assert placeless(sam) == placeless(explicit)
    assert sam.id == "WatcherStop" and sam.name == "stop-logging"
    targets = sam.targets
    assert isinstance(targets, tuple) and [t.kind for t in targets] == ["lambda"]


def test_the_generated_rule_points_at_the_event_and_its_properties(tmp_path: Path) -> None:
    e = template(tmp_path, SAM)
    (rule,) = e.event_rules
    assert e.diagnostics == ()
    assert rule.location.line == 10  # the event
    assert rule.lines["pattern"] == 16 and rule.names["pattern"] == "EventPattern"
    assert rule.lines["state"] == 15
    targets = rule.targets
    assert isinstance(targets, tuple) and targets[0].location.line == 20  # Target


def test_without_the_transform_events_make_nothing(tmp_path: Path) -> None:
    text = SAM.replace("Transform: AWS::Serverless-2016-10-31\n", "")
    assert template(tmp_path, text).event_rules == ()


def test_a_transform_list_naming_sam_is_expanded(tmp_path: Path) -> None:
    text = SAM.replace("Transform: AWS::Serverless-2016-10-31",
                       "Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]")
    assert [r.id for r in template(tmp_path, text).event_rules] == ["WatcherStop"]


CLOUDWATCH_EVENT = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Conditions:
  Never: !Equals [a, b]
Resources:
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Events:
        Root:
          Type: CloudWatchEvent
          Properties:
            Enabled: false
            EventBusName: !Ref Bus
            Pattern: {detail-type: [AWS Console Sign In via CloudTrail]}
        Tick:
          Type: Schedule
          Properties: {Schedule: rate(1 hour)}
  Bus:
    Type: AWS::Events::EventBus
    Properties: {Name: audit}
  Skipped:
    Type: AWS::Serverless::Function
    Condition: Never
    Properties:
      Events:
        Any:
          Type: EventBridgeRule
          Properties: {Pattern: {source: [aws.s3]}}
"""


def test_a_state_machine_rule_enabled_false_on_a_custom_bus(tmp_path: Path) -> None:
    e = template(tmp_path, CLOUDWATCH_EVENT)
    # the schedule is a rule too; the function's false Condition leaves its rule out
    assert sorted(r.id for r in e.event_rules) == ["MachineRoot", "MachineTick"]
    (rule,) = [r for r in e.event_rules if r.id == "MachineRoot"]
    assert rule.state == "DISABLED"
    assert rule.lines["state"] == 13  # Enabled
    assert rule.event_bus is not None and rule.event_bus.target == "Bus"
    targets = rule.targets
    assert isinstance(targets, tuple)
    assert [(t.kind, t.arn.target) for t in targets] == [("step-functions", "Machine")]


SCHEDULES = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Nightly:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Tick:
          Type: Schedule
          Properties:
            Schedule: rate(1 day)
            Name: nightly
            Enabled: false
        Tock:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: rate(1 hour)
"""

EXPLICIT_SCHEDULE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Nightly:
    Type: AWS::Lambda::Function
  NightlyTick:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: rate(1 day)
      Name: nightly
      State: DISABLED
      Targets:
        - Id: NightlyTickLambdaTarget
          Arn: !GetAtt Nightly.Arn
"""


def test_a_schedule_event_is_the_schedule_rule_written_out(tmp_path: Path) -> None:
    """`Type: Schedule` makes an AWS::Events::Rule with a schedule and no pattern: the same
    rule an explicit one is. `ScheduleV2` makes an EventBridge Scheduler schedule, no rule of a
    bus (and trailcheck models no schedule): nothing, and no diagnostic."""
    e = template(tmp_path, SCHEDULES)
    (sam,) = e.event_rules
    (explicit,) = template(tmp_path, EXPLICIT_SCHEDULE).event_rules
    assert placeless(sam) == placeless(explicit)
    assert (sam.id, sam.pattern, sam.state, sam.lines["state"]) == ("NightlyTick", None,
                                                                    "DISABLED", 13)
    assert e.diagnostics == ()


def test_a_schedule_event_without_its_schedule_is_rejected_by_sam(tmp_path: Path) -> None:
    e = template(tmp_path, SCHEDULES.replace("            Schedule: rate(1 day)\n", ""))
    assert e.event_rules == ()
    (d,) = e.diagnostics
    assert (d.status, d.location.line) == ("fail", 8) and "has no Schedule" in d.message


def test_state_and_enabled_together_are_rejected_by_sam(tmp_path: Path) -> None:
    text = SAM.replace("            State: ENABLED_WITH", "            Enabled: true\n"
                       "            State: ENABLED_WITH")
    e = template(tmp_path, text)
    assert e.event_rules == ()
    (d,) = e.diagnostics
    assert (d.rule_id, d.status, d.location.line) == ("CT000", "fail", 10)
    assert "both State and Enabled" in d.message


def test_an_enabled_that_is_not_a_literal_boolean_is_said(tmp_path: Path) -> None:
    text = SAM.replace("            State: ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
                       "            Enabled: !Ref On")
    e = template(tmp_path, text)
    assert e.event_rules == ()
    assert [d.rule_id for d in e.diagnostics if "Enabled" in d.message] == ["CT000"]


def test_a_name_the_template_declares_is_left_as_written(tmp_path: Path) -> None:
    text = SAM + """\
  WatcherStop:
    Type: AWS::Events::Rule
    Properties:
      State: DISABLED
      EventPattern: {source: [aws.s3]}
"""
    (rule,) = template(tmp_path, text).event_rules
    assert rule.state == "DISABLED"


SNS = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Direct:
          Type: SNS
          Properties: {Topic: !Ref Topic}
        Queued:
          Type: SNS
          Properties:
            Topic: !Ref Topic
            SqsSubscription: true
"""


def test_sns_events_subscribe_the_function_or_a_queue(tmp_path: Path) -> None:
    e = template(tmp_path, SNS)
    subs = {s.id: s for s in e.subscriptions}
    assert {i: (s.protocol, s.topic.target) for i, s in subs.items()} == {
        "ReaderDirect": ("lambda", "Topic"), "ReaderQueued": ("sqs", "Topic")}
    assert subs["ReaderDirect"].location.line == 10
    assert len(e.subscriptions_of(e.topics[0])) == 2


def test_schedules_through_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    """Each `Schedule` event is a rule CT060 judges at its event (no pattern: it runs on a
    schedule); the `ScheduleV2` event makes no rule and no finding."""
    fixture = Path(__file__).resolve().parents[2] / "fixtures" / "sam" / "schedules"
    main(["scan", str(fixture), "--format", "json", "--no-config"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    ct060 = {f["resource"]: (f["status"], f["line"], f["message"])
             for f in findings if f["rule_id"] == "CT060"}  # fmt: skip
    assert ct060 == {
        "RotateNightly": ("pass", 14, "The rule has no event pattern (it runs on a schedule)."),
        "ReportWeekly": ("pass", 28, "The rule has no event pattern (it runs on a schedule)."),
    }
    assert not [f for f in findings if f["rule_id"] == "CT000"]
