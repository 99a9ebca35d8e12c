"""The resources the AWS SAM transform makes from a function's or state machine's `Events`, for
the parts trailcheck judges: EventBridge rules and SNS subscriptions.

With `Transform: AWS::Serverless-2016-10-31`, an `AWS::Serverless::Function` (or
`AWS::Serverless::StateMachine`) event of `Type: EventBridgeRule` or `CloudWatchEvent` becomes an
`AWS::Events::Rule` named `<resource logical id><event name>` whose one target is the function (the
state machine); an `SNS` event of a function becomes an `AWS::SNS::Subscription` of the same name
(protocol `lambda`, or `sqs` through a queue with `SqsSubscription`). SAM gives the generated
resources the function's `Condition`. Sources: AWS SAM Developer Guide, "EventBridgeRule",
"CloudWatchEvent", "SNS", "Target" (event source types) and "CloudFormation resources generated
when AWS::Serverless::Function is specified" (docs/semantics/cloudformation.md, SAM).

`expand` adds them, as written CloudFormation would declare them and with the lines of the event
that makes them, to the template's resources, so the rest of the loader reads them as any
explicit resource. A `Schedule` event makes a rule without a pattern, which never matches a
CloudTrail event: not added.
"""

from __future__ import annotations

from typing import Any, Final

from checker.loaders.located import LineDict, LineList, line_of

SAM_TRANSFORM: Final = "AWS::Serverless-2016-10-31"
FUNCTION: Final = "AWS::Serverless::Function"
STATE_MACHINE: Final = "AWS::Serverless::StateMachine"
RULE_EVENTS: Final = ("EventBridgeRule", "CloudWatchEvent")

# SAM event property -> the AWS::Events::Rule property it is passed to
_RULE_PROPERTIES: Final = {"Pattern": "EventPattern", "EventBusName": "EventBusName",
                           "State": "State", "RuleName": "Name"}  # fmt: skip
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
        if kind in RULE_EVENTS:
            made = _rule(logical_id, rtype == FUNCTION, event_name, given, line)
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


def _mapping(line: int, **items: Any) -> LineDict:
    out = LineDict(line)
    for key, value in items.items():
        out[key] = value
        out.key_lines[key] = line
    return out


def _rule(owner: str, function: bool, event_name: str, given: dict[str, Any],
          line: int) -> LineDict | str:  # fmt: skip
    """The AWS::Events::Rule SAM writes for the event, or why SAM rejects the event."""
    props = LineDict(line)
    for sam, cfn in _RULE_PROPERTIES.items():
        if sam in given:
            props[cfn] = given[sam]
            props.key_lines[cfn] = line_of(given, sam)
    if "Enabled" in given:
        enabled = given["Enabled"]
        if "State" in given:
            return "sets both State and Enabled, which SAM rejects"
        if not isinstance(enabled, bool):
            return ("has an Enabled that is not true or false as written; SAM takes a boolean "
                    "there and turns it into the rule's State")  # fmt: skip
        props["State"] = "ENABLED" if enabled else "DISABLED"
        props.key_lines["State"] = line_of(given, "Enabled")
    target_node = given.get("Target")
    target_line = line_of(given, "Target") if "Target" in given else line
    suffix = "LambdaTarget" if function else "StepFunctionsTarget"
    target_id = (target_node.get("Id") if isinstance(target_node, dict) else None) \
        or owner + event_name + suffix  # fmt: skip
    arn: dict[str, Any] = {"Fn::GetAtt": [owner, "Arn"]} if function else {"Ref": owner}
    target = _mapping(target_line, Id=target_id, Arn=arn)
    for sam in _TARGET_PROPERTIES:
        if sam in given:
            target[sam] = given[sam]
            target.key_lines[sam] = line_of(given, sam)
    targets = LineList(target_line)
    targets.append(target)
    targets.item_lines.append(target_line)
    props["Targets"] = targets
    props.key_lines["Targets"] = target_line
    return _mapping(line, Type="AWS::Events::Rule", Properties=props)


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
    props = _mapping(line, Protocol=protocol, Endpoint=endpoint)
    if "Topic" in given:
        props["TopicArn"] = given["Topic"]
        props.key_lines["TopicArn"] = line_of(given, "Topic")
    return _mapping(line, Type="AWS::SNS::Subscription", Properties=props)
