"""CloudFormation resources that a tool writes from a shorter form (the AWS SAM transform,
the Serverless Framework), built the way the template reader gives written ones: LineDicts whose
lines are those of the short form, so a finding points at what the user wrote.

One construction for every tool: `sam.py` and `checker/loaders/serverless/` only say which of
their settings goes to which property; the template loader then reads the result as any explicit
resource, so the model never learns which tool made it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from checker.loaders.located import LineDict, LineList

# a property as the tool passes it on: its CloudFormation name, its value, the line it comes from
Prop = tuple[str, Any, int]


def mapping(line: int, items: Iterable[Prop]) -> LineDict:
    out = LineDict(line)
    for key, value, at in items:
        out[key] = value
        out.key_lines[key] = at
    return out


def resource(rtype: str, line: int, properties: Iterable[Prop]) -> LineDict:
    return mapping(line, [("Type", rtype, line), ("Properties", mapping(line, properties), line)])


def events_rule(line: int, rule: Iterable[Prop], target: Iterable[Prop],
                target_line: int) -> LineDict:  # fmt: skip
    """An AWS::Events::Rule with one target (the function or state machine the event is for)."""
    targets = LineList(target_line)
    targets.append(mapping(target_line, target))
    targets.item_lines.append(target_line)
    return resource("AWS::Events::Rule", line, [*rule, ("Targets", targets, target_line)])


def subscription(line: int, topic: Prop | None, protocol: str, endpoint: Any) -> LineDict:
    """An AWS::SNS::Subscription to the topic (`TopicArn`, when the tool names one)."""
    props: list[Prop] = [("Protocol", protocol, line), ("Endpoint", endpoint, line)]
    return resource("AWS::SNS::Subscription", line, props if topic is None else [*props, topic])
