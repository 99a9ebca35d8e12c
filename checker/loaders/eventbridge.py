"""What every loader needs to read an EventBridge rule: its target's kind and its pattern's text.

A target is named by ARN. In IaC the ARN is often known only after apply (`aws_sns_topic.x.arn`,
`!Ref Topic`), so the kind comes from the type of the resource the ARN is read from; otherwise
from the ARN's service and resource type (EventBridge API reference, Target: "Arn").
"""

from __future__ import annotations

import json
import re
from typing import Any

from checker.model import MaybeStr, PartialPattern, TargetKind, Unknown

TERRAFORM_KINDS: dict[str, TargetKind] = {
    "aws_sns_topic": "sns",
    "aws_lambda_function": "lambda",
    "aws_lambda_alias": "lambda",
    "aws_sqs_queue": "sqs",
    "aws_sfn_state_machine": "step-functions",
    "aws_cloudwatch_event_bus": "event-bus",
    "aws_cloudwatch_event_api_destination": "api-destination",
    "aws_cloudwatch_log_group": "logs",
}
CLOUDFORMATION_KINDS: dict[str, TargetKind] = {
    "AWS::SNS::Topic": "sns",
    "AWS::Lambda::Function": "lambda",
    "AWS::Lambda::Alias": "lambda",
    "AWS::Serverless::Function": "lambda",  # SAM: an AWS::Lambda::Function of the same id
    "AWS::SQS::Queue": "sqs",
    "AWS::StepFunctions::StateMachine": "step-functions",
    "AWS::Serverless::StateMachine": "step-functions",
    "AWS::Events::EventBus": "event-bus",
    "AWS::Events::ApiDestination": "api-destination",
    "AWS::Logs::LogGroup": "logs",
}
_SERVICE_KINDS: dict[str, TargetKind] = {
    "sns": "sns", "lambda": "lambda", "sqs": "sqs", "states": "step-functions", "logs": "logs",
}  # fmt: skip


def kind_of_arn(arn: MaybeStr) -> TargetKind | Unknown:
    """`arn:aws:sns:...` is a topic, `arn:aws:events:...:event-bus/x` a bus, and so on."""
    if isinstance(arn, Unknown):
        return Unknown(f"the target's ARN is unknown ({arn.reason})")
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return Unknown(f"the target {arn!r} is not an ARN")
    service, resource = parts[2], parts[5]
    if service == "events":
        if resource.startswith("event-bus/"):
            return "event-bus"
        if resource.startswith("api-destination/"):
            return "api-destination"
    return _SERVICE_KINDS.get(service, "other")


def terraform_type(address: str) -> str:
    """`module.a[0].aws_sns_topic.x["k.1"]` -> `aws_sns_topic`."""
    steps = re.sub(r"\[[^\]]*\]", "", address).split(".")
    return steps[-2] if len(steps) >= 2 else ""


def pattern_text(value: Any, what: str = "EventPattern") -> MaybeStr | None:
    """A pattern written as JSON text, or as a JSON object (CloudFormation), as JSON text; an
    object with unknown values is a PartialPattern, so that its known fields still count."""
    if value is None or isinstance(value, (str, Unknown)):
        return value
    unknown = _first_unknown(value)
    if unknown is not None:
        reason = f"{what} holds a value that is not known ({unknown.reason})"
        return PartialPattern(reason, value) if isinstance(value, dict) else Unknown(reason)
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return Unknown(f"{what} is not JSON")


def _first_unknown(value: Any) -> Unknown | None:
    if isinstance(value, Unknown):
        return value
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for item in items:
        found = _first_unknown(item)
        if found is not None:
            return found
    return None
