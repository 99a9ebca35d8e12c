"""The resources the Serverless Framework makes from functions' events, read as the same model
objects the template `serverless package` writes gives (checker/loaders/serverless/events.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from checker.loaders import LoadOptions
from checker.loaders.cloudformation.loader import load_template
from checker.loaders.serverless.events import normalized
from checker.loaders.serverless.loader import load_serverless
from checker.model import Computed, Estate, EventRule, Location, PartialPattern, Unknown

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "serverless"
EVENTS = FIXTURES / "function-events" / "serverless.yml"
PACKAGED = FIXTURES / "function-events-packaged" / "cloudformation-template-update-stack.json"


def load(path: Path) -> Estate:
    return load_serverless(path, path.name, LoadOptions())


def written(tmp_path: Path, text: str) -> Estate:
    path = tmp_path / "serverless.yml"
    path.write_text(text, encoding="utf-8")
    return load(path)


def rules(estate: Estate) -> dict[str, EventRule]:
    return {r.id: r for r in estate.event_rules}


def placeless(rule: EventRule) -> EventRule:
    targets = rule.targets
    assert isinstance(targets, tuple)
    here = Location("", 0)
    return replace(rule, location=here, lines={}, names={}, targets=tuple(
        replace(t, location=here, lines={}) for t in targets))


def test_the_events_are_the_rules_of_the_packaged_template() -> None:
    """One model: the rules and the subscription of pageOnCall's events are those of the
    template the Framework writes for them, under the same logical ids."""
    mine, packaged = load(EVENTS), load_template(PACKAGED, PACKAGED.name, LoadOptions())
    expected = rules(packaged)
    assert set(expected) == {"Pageoncallrule2EventBridgeRule", "PageOnCallEventsRuleSchedule1"}
    for logical_id, rule in expected.items():
        assert placeless(rules(mine)[logical_id]) == placeless(rule)
    (subscription,) = [s for s in mine.subscriptions if s.id.startswith("SNSTopicTrailalerts")]
    (other,) = packaged.subscriptions
    assert replace(subscription, location=other.location) == other
    assert [t.name for t in mine.topics] == ["trail-alerts"]


def test_every_event_that_makes_a_rule_is_one_at_its_line() -> None:
    found = rules(load(EVENTS))
    assert {i: r.location.line for i, r in found.items()} == {
        "functions.notifyOnTamper.events[0].eventBridge": 21,
        "functions.notifyOnTamper.events[1].eventBridge": 29,
        "NotifyOnTamperEventsRuleCloudWatchEvent1": 35,
        "functions.notifyOnTamper.events[3].eventBridge": 43,  # a schedule: no pattern
        "functions.notifyOnTamper.events[4].eventBridge": 45,
        "Pageoncallrule2EventBridgeRule": 56,
        "PageOnCallEventsRuleSchedule1": 61,  # the `method: scheduler` one makes no rule
    }
    tamper = found["functions.notifyOnTamper.events[0].eventBridge"]
    assert tamper.pattern == ('{"source": ["aws.cloudtrail"], "detail-type": ["AWS API Call via '
                              'CloudTrail"], "detail": {"eventName": ["StopLogging", '
                              '"DeleteTrail"]}}')  # `${self:custom.tamperEvents}`, resolved
    assert tamper.lines["pattern"] == 22 and tamper.names["pattern"] == "EventPattern"
    targets = tamper.targets
    assert isinstance(targets, tuple)
    assert [(t.kind, t.arn.target) for t in targets] == [("lambda", "NotifyOnTamperLambdaFunction")]
    assert found["functions.notifyOnTamper.events[3].eventBridge"].pattern is None


def test_a_rule_whose_id_and_name_hold_the_stage() -> None:
    """The Framework names the rule, and its logical id, after the function's deployed name,
    `<service>-<stage>-<function>`: the stage is the serverless command's, so the id is the
    event's place and the name is set but unknown."""
    rule = rules(load(EVENTS))["functions.notifyOnTamper.events[0].eventBridge"]
    assert isinstance(rule.name, Computed) and "--stage option" in rule.name.reason


def test_state_bus_and_unknown_pattern_values() -> None:
    found = rules(load(EVENTS))
    disabled = found["functions.notifyOnTamper.events[1].eventBridge"]
    assert (disabled.state, disabled.lines["state"]) == ("DISABLED", 31)
    assert disabled.event_bus is not None and disabled.event_bus.value == "audit-bus"
    assert [b.id for b in load(EVENTS).event_buses] == ["AuditDashbusEventBridgeEventBus"]
    account = found["functions.notifyOnTamper.events[4].eventBridge"].pattern
    assert isinstance(account, PartialPattern) and "${aws:accountId}" in account.reason


@pytest.mark.parametrize(("bus", "value"), [
    ("default", None),
    ("arn:aws:events:us-east-1:111122223333:event-bus/audit", "audit"),  # the name, as written
    ("!Ref AuditBus", "AuditBus"),  # an intrinsic function, linked to the bus it names
])  # fmt: skip
def test_the_bus_of_an_eventbridge_event(tmp_path: Path, bus: str, value: str | None) -> None:
    e = written(tmp_path, f"""\
service: s
functions:
  f:
    events:
      - eventBridge:
          eventBus: {bus}
          pattern: {{source: [aws.cloudtrail]}}
resources:
  Resources:
    AuditBus:
      Type: AWS::Events::EventBus
      Properties: {{Name: audit}}
""")
    (rule,) = e.event_rules
    shown = None if rule.event_bus is None else rule.event_bus.target or rule.event_bus.value
    assert shown == value
    assert [b.id for b in e.event_buses] == ["AuditBus"]  # no bus made for these


@pytest.mark.parametrize(("enabled", "state"), [
    ("true", "ENABLED"), ("false", "DISABLED"), ("'false'", None), ("${env:ON}", None)])
def test_enabled(tmp_path: Path, enabled: str, state: str | None) -> None:
    """`enabled: false` disables the rule; a value that is no boolean is unknown (the
    Framework's schema wants a boolean, its code disables only on false)."""
    e = written(tmp_path, "service: s\nfunctions:\n  f:\n    events:\n      - cloudwatchEvent:\n"
                          f"          enabled: {enabled}\n          event: {{source: [aws.s3]}}\n")
    (rule,) = e.event_rules
    if state is None:
        assert isinstance(rule.state, Unknown) and "enabled" in rule.state.reason
    else:
        assert rule.state == state


def test_a_named_function_gives_the_framework_s_logical_id_and_names(tmp_path: Path) -> None:
    long = "a-function-whose-deployed-name-is-long-enough-to-be-hashed"
    e = written(tmp_path, f"service: s\nfunctions:\n  f:\n    name: {long}\n    events:\n"
                          "      - http: GET /\n      - eventBridge:\n"
                          "          pattern: {source: [aws.s3]}\n")
    (rule,) = e.event_rules
    assert rule.id == "Afunctionwhosedeployednameislongenoughtobehashedrule2EventBridgeRule"
    assert isinstance(rule.name, str) and len(rule.name) <= 64 and rule.name.endswith("-rule-2")


@pytest.mark.parametrize(("event", "says"), [
    ("eventBridge:\n          input: {a: 1}", "neither a pattern nor a schedule"),
    ("eventBridge:\n          schedule: rate(1 day)\n          input: {a: 1}\n"
     "          inputPath: $.detail", "more than one of input, inputPath"),
    ("eventBridge:", "has no settings"),
    ("cloudwatchEvent:\n          name: x", "has no event (the pattern)"),
    ("sns:\n          arn: !Ref Topic", "without a topicName"),
])  # fmt: skip
def test_events_the_framework_rejects_are_errors_at_the_event(tmp_path: Path, event: str,
                                                              says: str) -> None:  # fmt: skip
    e = written(tmp_path, f"service: s\nfunctions:\n  f:\n    events:\n      - {event}\n")
    assert e.event_rules == () and e.subscriptions == ()
    (d,) = e.diagnostics
    assert (d.rule_id, d.status, d.location.line) == ("CT000", "fail", 5)
    assert says in d.message and d.message.startswith("function f: ")
    assert [i.status for i in e.inputs] == ["error"]


@pytest.mark.parametrize(("settings", "line"), [
    ("events: ${file(./events.yml)}", 4),
    ("events:\n      - ${file(./event.yml)}", 5),
    ("events:\n      - eventBridge: ${file(./rule.yml)}", 5),
    ("events:\n      - sns: ${ssm:/topic}", 5),
])  # fmt: skip
def test_events_read_from_elsewhere_are_said_not_judged(tmp_path: Path, settings: str,
                                                       line: int) -> None:  # fmt: skip
    e = written(tmp_path, f"service: s\nfunctions:\n  f:\n    {settings}\n")
    assert e.event_rules == () and e.subscriptions == ()
    (d,) = e.diagnostics
    assert (d.status, d.location.line) == ("unknown", line) and "not judged" in d.message


def test_a_whole_function_read_from_elsewhere_is_said_not_judged(tmp_path: Path) -> None:
    e = written(tmp_path, "service: s\nfunctions:\n  f: ${file(./f.yml)}\n  g: null\n")
    (d,) = e.diagnostics
    assert (d.status, d.location.line) == ("unknown", 3) and "function f" in d.message


def test_sns_events_subscribe_the_function(tmp_path: Path) -> None:
    e = written(tmp_path, """\
service: s
functions:
  f:
    events:
      - sns: arn:aws:sns:us-east-1:111122223333:alerts
      - sns: {arn: !Ref Pager, topicName: pager}
      - sns: {topicName: made, filterPolicy: {kind: [alarm]}}
resources:
  Resources:
    Pager: {Type: AWS::SNS::Topic}
""")
    subs = {s.id: s for s in e.subscriptions}
    assert {i: (s.protocol, s.location.line) for i, s in subs.items()} == {
        "FSnsSubscriptionAlerts": ("lambda", 5), "FSnsSubscriptionPager": ("lambda", 6),
        "FSnsSubscriptionMade": ("lambda", 7)}
    assert subs["FSnsSubscriptionPager"].topic.target == "Pager"
    assert subs["FSnsSubscriptionMade"].topic.target == "SNSTopicMade"
    assert sorted(t.id for t in e.topics) == ["Pager", "SNSTopicMade"]


@pytest.mark.parametrize(("name", "id_"), [
    ("notify", "Notify"), ("notify-on-call", "NotifyDashonDashcall"),
    ("page_me", "PageUnderscoreme")])  # fmt: skip
def test_function_names_in_logical_ids(name: str, id_: str) -> None:
    """Serverless Framework docs, "AWS Infrastructure Resources": `-` is Dash, `_` Underscore,
    the first letter upper case."""
    assert normalized(name) == id_
