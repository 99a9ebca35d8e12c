"""The resources the AWS SAM transform makes from a function's or state machine's `Events`, for
the parts trailcheck judges: EventBridge rules and SNS subscriptions.

With `Transform: AWS::Serverless-2016-10-31`, an `AWS::Serverless::Function` (or
`AWS::Serverless::StateMachine`) event of `Type: EventBridgeRule`, `CloudWatchEvent` or
`Schedule` becomes an `AWS::Events::Rule` named `<resource logical id><event name>` whose one
target is the function (the state machine); an `SNS` event of a function becomes an
`AWS::SNS::Subscription` of the same name (protocol `lambda`, or `sqs` through a queue with
`SqsSubscription`). SAM gives the generated resources the function's `Condition`. Sources: AWS SAM
Developer Guide, "EventBridgeRule", "CloudWatchEvent", "Schedule", "SNS", "Target" (event source
types) and "CloudFormation resources generated when AWS::Serverless::Function is specified"
(docs/semantics/eventbridge.md, "Rules that infrastructure code makes implicitly").

`expand` adds them, as written CloudFormation would declare them and with the lines of the event
that makes them (`generated.py`), to the template's resources, so the rest of the loader reads
them as any explicit resource. A `Schedule` rule has a schedule and no pattern: it is the same
rule an explicit one is (CT060 passes it; no CloudTrail event matches it). A `ScheduleV2` event
makes an EventBridge Scheduler schedule (`AWS::Scheduler::Schedule`), which is no rule of an event
bus and matches no event: trailcheck models no schedule, explicit or generated, so it adds none.
"""

from __future__ import annotations

from typing import Any, Final

from checker.loaders.cloudformation.generated import Prop, events_rule, subscription
from checker.loaders.located import LineDict, line_of

SAM_TRANSFORM: Final = "AWS::Serverless-2016-10-31"
FUNCTION: Final = "AWS::Serverless::Function"
STATE_MACHINE: Final = "AWS::Serverless::StateMachine"

# Event type -> its properties that SAM passes to the AWS::Events::Rule, by the rule's name
_PATTERN_RULE: Final = {"Pattern": "EventPattern", "EventBusName": "EventBusName",
                        "State": "State", "RuleName": "Name"}  # fmt: skip
_RULE_EVENTS: Final = {"EventBridgeRule": _PATTERN_RULE, "CloudWatchEvent": _PATTERN_RULE,
                       "Schedule": {"Schedule": "ScheduleExpression", "State": "State",
                                    "Name": "Name"}}  # fmt: skip
# SAM event property -> the property of the rule's target it is passed to (not judged: kept so
# the generated target reads as the one SAM writes)
_TARGET_PROPERTIES: Final = ("Input", "InputPath", "InputTransformer", "RetryPolicy")


def uses_sam(doc: Any) -> bool:
    """Whether the template names the SAM transform (alone or in a list)."""
    transform = doc.get("Transform") if isinstance(doc, dict) else None
    named = transform if isinstance(transform, list) else [transform]
    return SAM_TRANSFORM in named


def expand(resources: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[int, str]]]:
    """The resources with those SAM generates from events added at the end (a name the template
    already declares is left as written), and the events SAM rejects,
    each with its line and why: SAM fails the transform, so nothing is deployed from them."""
    out = LineDict(line_of(resources))
    errors: list[tuple[int, str]] = []
    generated: list[tuple[str, LineDict]] = []
    for logical_id, node in resources.items():
        out[logical_id] = node
        out.key_lines[logical_id] = line_of(resources, logical_id)
        for name, made in _made(logical_id, node, errors):
            generated.append((name, made))
    for name, made in generated:
        if name not in out:
            out[name] = made
            out.key_lines[name] = made.line
    return out, errors


def _made(logical_id: str, node: Any, errors: list[tuple[int, str]]) -> list[tuple[str, LineDict]]:
    rtype = node.get("Type") if isinstance(node, dict) else None
    if rtype not in (FUNCTION, STATE_MACHINE):
        return []
    props = node.get("Properties")
    events = props.get("Events") if isinstance(props, dict) else None
    if not isinstance(events, dict):
        return []
    out: list[tuple[str, LineDict]] = []
    for event_name, event in events.items():
        if not isinstance(event, dict) or not isinstance(event_name, str):
            continue
        kind = event.get("Type")
        line = line_of(events, event_name)
        given = event.get("Properties")
        given = given if isinstance(given, dict) else LineDict(line)
        made: LineDict | str | None = None
        if isinstance(kind, str) and kind in _RULE_EVENTS:
            made = _rule(logical_id, rtype == FUNCTION, event_name, given, line, _RULE_EVENTS[kind])
        elif kind == "SNS" and rtype == FUNCTION:
            made = _subscription(logical_id, given, line)
        if isinstance(made, str):
            errors.append((line, f"{logical_id}: the {kind} event {event_name} {made}"))
        elif made is not None:
            if "Condition" in node:  # SAM passes the function's Condition on
                made["Condition"] = node["Condition"]
                made.key_lines["Condition"] = line_of(node, "Condition")
            out.append((logical_id + event_name, made))
    return out


def _rule(owner: str, function: bool, event_name: str, given: dict[str, Any], line: int,
          passed: dict[str, str]) -> LineDict | str:  # fmt: skip
    """The AWS::Events::Rule SAM writes for the event, or why SAM rejects the event."""
    if "ScheduleExpression" in passed.values() and "Schedule" not in given:
        return "has no Schedule, which SAM requires"
    rule: list[Prop] = [(cfn, given[sam], line_of(given, sam))
                        for sam, cfn in passed.items() if sam in given]  # fmt: skip
    if "Enabled" in given:
        enabled = given["Enabled"]
        if "State" in given:
            return "sets both State and Enabled, which SAM rejects"
        if not isinstance(enabled, bool):
            return ("has an Enabled that is not true or false as written; SAM takes a boolean "
                    "there and turns it into the rule's State")  # fmt: skip
        rule.append(("State", "ENABLED" if enabled else "DISABLED", line_of(given, "Enabled")))
    target_node = given.get("Target")
    target_line = line_of(given, "Target") if "Target" in given else line
    suffix = "LambdaTarget" if function else "StepFunctionsTarget"
    target_id = (target_node.get("Id") if isinstance(target_node, dict) else None) \
        or owner + event_name + suffix  # fmt: skip
    arn: dict[str, Any] = {"Fn::GetAtt": [owner, "Arn"]} if function else {"Ref": owner}
    target: list[Prop] = [("Id", target_id, target_line), ("Arn", arn, target_line)]
    target += [(sam, given[sam], line_of(given, sam)) for sam in _TARGET_PROPERTIES if sam in given]
    return events_rule(line, rule, target, target_line)


def _subscription(owner: str, given: dict[str, Any], line: int) -> LineDict:
    """The AWS::SNS::Subscription SAM writes for an SNS event: the function subscribed, or the
    queue SAM puts in front of it (`SqsSubscription`)."""
    queue = given.get("SqsSubscription")
    endpoint: Any = {"Fn::GetAtt": [owner, "Arn"]}
    protocol = "lambda"
    if isinstance(queue, dict):
        protocol, endpoint = "sqs", queue.get("QueueArn", "")
    elif queue is not None and queue is not False:  # true: a queue SAM creates (not declared)
        protocol, endpoint = "sqs", ""
    topic = ("TopicArn", given["Topic"], line_of(given, "Topic")) if "Topic" in given else None
    return subscription(line, topic, protocol, endpoint)
