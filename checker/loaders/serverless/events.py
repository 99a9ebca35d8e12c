"""The resources the Serverless Framework generates from `functions` and their `events`, for the
parts trailcheck judges: EventBridge rules (`eventBridge`, `cloudwatchEvent`, `schedule` events)
and SNS subscriptions (`sns` events), under the logical ids the Framework gives them.

Written with the same construction as SAM's (`cloudformation/generated.py`), with the lines of the
events, so the template loader reads them as the rules and subscriptions of the stack the
Framework deploys (`serverless package` writes that stack to
.serverless/cloudformation-template-update-stack.json). What the Framework writes, and where the
docs are silent its source (serverless/serverless, packages/serverless/lib/plugins/aws/package/
compile/events/: event-bridge/index.js, cloud-watch-event.js, schedule.js, sns.js; naming in
lib/plugins/aws/lib/naming.js), is in docs/semantics/serverless.md.

Values come resolved (`variables`): an unknown one stays unknown in the rule. A setting the
Framework (or CloudFormation) rejects is an error at the event; one that is not known, where the
resource itself depends on it (an event read from another file), is said not judged.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Final

from checker.loaders.cloudformation.generated import (
    Prop,
    events_rule,
    mapping,
    resource,
    subscription,
)
from checker.loaders.located import LineDict, LineList, line_of
from checker.loaders.serverless.variables import STAGE
from checker.model import Computed, Unknown, partly_known

_INPUTS: Final = ("input", "inputPath", "inputTransformer")  # one of them at most
_NOT_ALPHANUMERIC: Final = re.compile(r"[^0-9A-Za-z]")
_MAX_NAME: Final = 64  # EventBridge rule names and target ids (event-bridge/utils.js)


@dataclass
class Generated:
    """The resources made, by logical id in the Framework's order, and what is said about the
    events: `errors` (rejected: nothing is deployed from them) and `unknown` (not judged),
    each as (line, message)."""

    resources: dict[str, LineDict] = field(default_factory=dict)
    errors: list[tuple[int, str]] = field(default_factory=list)
    unknown: list[tuple[int, str]] = field(default_factory=list)

    def add(self, logical_id: str, node: LineDict) -> None:
        self.resources.setdefault(logical_id, node)


def generate(functions: dict[str, Any], service: Any) -> Generated:
    """The resources of the functions (a mapping of resolved function settings) and of their
    events; `service` is the service's name, for the names the Framework derives from it."""
    out = Generated()
    for key, settings in functions.items():
        line = line_of(functions, key)
        if settings is None:  # the Framework drops a function without settings
            continue
        if isinstance(settings, Unknown):
            out.unknown.append((line, f"function {key}: its settings are not known "
                                      f"({settings.reason}), so its events are not judged"))
            continue
        if not isinstance(settings, dict):
            out.errors.append((line, f"function {key} must be a mapping of its settings (the "
                                     "Serverless Framework stops with an error)"))
            continue
        _Function(key, settings, line, service, out).events()
    return out


def normalized(name: str) -> str:
    """A function's name in logical ids: `-` as Dash, `_` as Underscore, first letter upper
    (naming.js, getNormalizedFunctionName; docs "AWS Infrastructure Resources")."""
    name = name.replace("-", "Dash").replace("_", "Underscore")
    return name[:1].upper() + name[1:]


def _alphanumeric(name: str) -> str:
    """naming.js, normalizeNameToAlphaNumericOnly."""
    name = _NOT_ALPHANUMERIC.sub("", name)
    return name[:1].upper() + name[1:]


def _hashed(name: str, suffix: str) -> str:
    """A name made short enough for EventBridge: its start, its MD5, the suffix (utils.js)."""
    if len(name) <= _MAX_NAME:
        return name
    digest = hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()
    return f"{name[: 31 - len(suffix)]}{digest}-{suffix}"


class _Function:
    def __init__(self, key: str, settings: dict[str, Any], line: int, service: Any,
                 out: Generated) -> None:  # fmt: skip
        self.key, self.settings, self.line, self.out = key, settings, line, out
        self.logical_id = normalized(key) + "LambdaFunction"
        if "name" in settings:
            self.name: Any = settings["name"]
        else:  # `${service}-${stage}-${function}` (lib/classes/service.js)
            stage = Unknown(STAGE)
            self.name = partly_known(f"the function's name holds {STAGE}",
                                     [service, "-", stage, "-", key])  # fmt: skip
        self.arn = {"Fn::GetAtt": [self.logical_id, "Arn"]}
        props: list[Prop] = [("FunctionName", self.name, _at(settings, "name", line))]
        out.add(self.logical_id, resource("AWS::Lambda::Function", line, props))
        self.counts = {"cloudwatchEvent": 0, "schedule": 0}

    def events(self) -> None:
        events = self.settings.get("events")
        at = _at(self.settings, "events", self.line)
        if events is None:
            return
        if isinstance(events, Unknown):
            self.unknown(at, f"its events are not known ({events.reason})")
            return
        if not isinstance(events, list):
            self.error(at, "has events that are not a list")
            return
        for i, item in enumerate(events):
            line = line_of(events, i)
            if isinstance(item, Unknown):
                self.unknown(line, f"event {i + 1} is not known ({item.reason})")
            elif isinstance(item, dict):
                for kind, make in (("eventBridge", self.event_bridge),
                                   ("cloudwatchEvent", self.cloudwatch_event),
                                   ("schedule", self.schedule), ("sns", self.sns)):  # fmt: skip
                    if kind in item:
                        make(item[kind], line_of(item, kind), i)

    def unknown(self, line: int, message: str) -> None:
        self.out.unknown.append((line, f"function {self.key}: {message}, so it is not judged"))

    def error(self, line: int, message: str) -> None:
        self.out.errors.append((line, f"function {self.key}: {message}"))

    def settings_of(self, kind: str, config: Any, line: int) -> dict[str, Any] | None:
        """An event's settings as a mapping, or None after saying why there are none."""
        if isinstance(config, Unknown):
            self.unknown(line, f"the settings of its {kind} event are not known ({config.reason})")
        elif not isinstance(config, dict):
            self.error(line, f"its {kind} event has no settings, so the Serverless Framework "
                             "makes no rule from it (its schema wants a mapping)")  # fmt: skip
        elif sum(1 for k in _INPUTS if config.get(k)) > 1:
            self.error(line, f"its {kind} event sets more than one of input, inputPath and "
                             "inputTransformer, which the Serverless Framework rejects")
        else:
            return config
        return None

    def rule(self, logical_id: str, line: int, config: dict[str, Any], passed: dict[str, str],
             target_id: Any, extra: list[Prop] | None = None) -> None:  # fmt: skip
        """The AWS::Events::Rule of an event: each setting in `passed` goes to the property it
        names; `enabled: false` is the DISABLED state (any other setting: ENABLED)."""
        props: list[Prop] = [(cfn, config[sls], line_of(config, sls))
                             for sls, cfn in passed.items() if sls in config]  # fmt: skip
        props += extra or []
        props.append(("State", _state(config), _at(config, "enabled", line)))
        target: list[Prop] = [("Id", target_id, line), ("Arn", self.arn, line)]
        self.out.add(logical_id, events_rule(line, props, target, line))

    def event_bridge(self, config: Any, line: int, index: int) -> None:
        """event-bridge/index.js, compileWithCloudFormation (the custom resource of
        `useCloudFormation: false` puts the same rule through the API)."""
        settings = self.settings_of("eventBridge", config, line)
        if settings is None:
            return
        if "pattern" not in settings and "schedule" not in settings:
            self.error(line, "its eventBridge event has neither a pattern nor a schedule, and "
                             "CloudFormation rejects such a rule (PutRule needs one)")
            return
        number = index + 1  # the event's position among all the function's events
        extra: list[Prop] = []
        if isinstance(self.name, str):
            logical_id = _alphanumeric(f"{self.name}-rule-{number}") + "EventBridgeRule"
            default_name: Any = _hashed(f"{self.name}-rule-{number}", f"rule-{number}")
        else:  # the id holds the stage: the event's place stands for it
            logical_id = f"functions.{self.key}.events[{index}].eventBridge"
            default_name = Computed(f"the Serverless Framework names the rule after the "
                                    f"function's deployed name, which holds {STAGE}")
        name = settings.get("name", default_name)
        if "name" not in settings:
            extra.append(("Name", name, line))
        extra += self.bus(settings.get("eventBus"), _at(settings, "eventBus", line))
        target_id = _hashed(f"{name}-target", "target") if isinstance(name, str) else Computed(
            "the target's id is made from the rule's name")  # fmt: skip
        self.rule(logical_id, line, settings, {"pattern": "EventPattern", "name": "Name",
                  "schedule": "ScheduleExpression"}, target_id, extra)  # fmt: skip

    def bus(self, bus: Any, line: int) -> list[Prop]:
        """The rule's EventBusName: none for the default bus; the name of a bus ARN; a bus
        name, with the bus the Framework creates for it; an intrinsic function as written."""
        if bus is None or bus == "default":
            return []
        if isinstance(bus, str):
            if bus.startswith("arn"):
                return [("EventBusName", bus[bus.find("/") + 1 :], line)]
            created = resource("AWS::Events::EventBus", line, [("Name", bus, line)])
            self.out.add(normalized(bus) + "EventBridgeEventBus", created)
        return [("EventBusName", bus, line)]

    def cloudwatch_event(self, config: Any, line: int, index: int) -> None:
        settings = self.settings_of("cloudwatchEvent", config, line)
        if settings is None:
            return
        if "event" not in settings:
            self.error(line, "its cloudwatchEvent event has no event (the pattern), and the "
                             "Serverless Framework cannot write the rule without one")
            return
        self.counts["cloudwatchEvent"] += 1
        logical_id = f"{normalized(self.key)}EventsRuleCloudWatchEvent" \
                     f"{self.counts['cloudwatchEvent']}"  # fmt: skip
        self.rule(logical_id, line, settings, {"event": "EventPattern", "name": "Name"},
                  f"{self.key}CloudWatchEvent")

    def schedule(self, config: Any, line: int, index: int) -> None:
        """schedule.js: one rule per rate expression; `method: scheduler` makes EventBridge
        Scheduler schedules instead, which are no rules (not modelled)."""
        if isinstance(config, dict):
            if config.get("method", "eventBus") != "eventBus":
                return
            rates = config.get("rate")
            settings: dict[str, Any] = config
        elif config is None:
            return
        else:
            rates, settings = config, LineDict(line)
        for rate in rates if isinstance(rates, list) else [rates]:
            self.counts["schedule"] += 1
            logical_id = f"{normalized(self.key)}EventsRuleSchedule{self.counts['schedule']}"
            expression: Prop = ("ScheduleExpression", rate, _at(settings, "rate", line))
            self.rule(logical_id, line, settings, {"name": "Name"}, f"{self.key}Schedule",
                      [expression])

    def sns(self, config: Any, line: int, index: int) -> None:
        """sns.js: a topic ARN is subscribed to; a topic name is a topic the Framework creates
        (`SNSTopic<name>`), with the function as a subscription of it."""
        arn: Any = None
        topic: Any = config
        if isinstance(config, dict):
            arn, topic = config.get("arn"), config.get("topicName")
            if isinstance(arn, str) and topic is None:
                topic = arn.rsplit(":", 1)[-1]
            elif arn is not None and topic is None:
                self.error(line, "its sns event names its topic by a function without a "
                                 "topicName, which the Serverless Framework requires")
                return
        elif isinstance(config, str) and config.startswith("arn:"):
            arn, topic = config, config.rsplit(":", 1)[-1]
        elif config is None:
            return
        if not isinstance(topic, str):
            why = topic.reason if isinstance(topic, Unknown) else "it is not a name"
            self.unknown(line, f"the topic of its sns event is not known ({why})")
            return
        name = _alphanumeric(topic)
        if arn is not None:
            subscribed = subscription(line, ("TopicArn", arn, line), "lambda", self.arn)
            self.out.add(f"{normalized(self.key)}SnsSubscription{name}", subscribed)
            return
        topic_id = f"SNSTopic{name}"
        if topic_id not in self.out.resources:
            self.out.add(topic_id, resource("AWS::SNS::Topic", line, [("TopicName", topic, line)]))
        if isinstance(config, dict) and (config.get("filterPolicy") or config.get("redrivePolicy")):
            subscribed = subscription(line, ("TopicArn", {"Ref": topic_id}, line), "lambda",
                                      self.arn)  # fmt: skip
            self.out.add(f"{normalized(self.key)}SnsSubscription{name}", subscribed)
            return
        props = self.out.resources[topic_id]["Properties"]
        if not isinstance(props.get("Subscription"), LineList):
            props["Subscription"] = LineList(line)
            props.key_lines["Subscription"] = line
        props["Subscription"].append(mapping(line, [("Endpoint", self.arn, line),
                                                    ("Protocol", "lambda", line)]))  # fmt: skip
        props["Subscription"].item_lines.append(line)


def _at(node: dict[str, Any], key: str, default: int) -> int:
    """The line of a setting, or `default` (the event's) when it is not written."""
    return line_of(node, key) if key in node else default


def _state(config: dict[str, Any]) -> Any:
    """`enabled: false` disables the rule; the Framework compares with false itself, so any
    other value enables it, but its schema wants a boolean: a value that is none is unknown."""
    enabled = config.get("enabled", True)
    if isinstance(enabled, bool):
        return "ENABLED" if enabled else "DISABLED"
    if isinstance(enabled, Unknown):
        return Unknown(f"enabled is not known ({enabled.reason})")
    return Unknown("enabled is not true or false as written: the Serverless Framework's schema "
                   "wants a boolean (the rule is disabled only by false)")
