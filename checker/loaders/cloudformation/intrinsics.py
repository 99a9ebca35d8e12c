"""CloudFormation intrinsic functions, evaluated as far as a template alone allows.

`Evaluator.value(node)` gives a plain value (str, int, bool, list, dict), `NO_VALUE` for
`AWS::NoValue`, or an `Unknown` that says why:

- `Ref` to a parameter: the override given with `--var NAME=VALUE`, else its `Default`, else
  Unknown("parameter X has no default"); SSM-typed parameters are read at deploy time (Unknown);
- `Ref`/`Fn::GetAtt` to a resource of the template: its name when the template sets it
  (`BucketName`, `TrailName`, ...), the bucket ARN built from it; anything assigned by AWS (key
  ids, most ARNs, generated names) is `Computed`: certainly set, value unknown;
- a name the template does not declare (no parameter, resource or pseudo parameter): Unknown
  saying CloudFormation rejects the template, naming the function as written (`Ref X`,
  `Fn::GetAtt X.Attr`, `${X} in Fn::Sub`); `references` reports it as a CT000;
- pseudo parameters are symbolic: `AWS::AccountId`, `AWS::StackName`, `AWS::StackId` are
  `Computed`; `AWS::Region` is `--region` when given, else `Computed`; `AWS::Partition` and
  `AWS::URLSuffix` follow the region (`aws` / `amazonaws.com` when it is not known: the only
  partition where most templates are deployed; a China or GovCloud `--region` changes them);
- conditions (the `Conditions` section, `Fn::If`, `{"Condition": X}`) are evaluated like every
  `Ref`: from the parameters' values, `--var` overrides, else defaults (`Fn::Equals`/`Not`/
  `And`/`Or` when their operands are known). `Fn::If` on a condition that is not known is
  Unknown unless both branches give the same value;
- `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::FindInMap`, `Fn::Base64`,
  `Fn::Length` are computed when their inputs are known; `Fn::ImportValue`, `Fn::GetAZs`,
  `Fn::Cidr` and unknown functions are Unknown.

`Evaluator.targets(node)` lists the logical ids of the template's resources a value refers to
(through `Ref`, `Fn::GetAtt` or a `${Name}` in `Fn::Sub`); `link` picks the one of the expected
type, so a property like `KMSKeyId: !Sub "arn:...:key/${Key}"` links to the key `Key` even
though its value is unknown.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from checker.model import Computed, Unknown, partly_known
from checker.regions import dns_suffix, partition_of

PSEUDO_PREFIX = "AWS::"
# Every pseudo parameter CloudFormation defines (User Guide, "Get AWS values using pseudo
# parameters", pseudo-parameter-reference.html): any other `AWS::` name is undeclared.
PSEUDO_PARAMETERS = frozenset(
    {
        "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition",
        "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
    }
)  # fmt: skip


class _NoValue:
    """`AWS::NoValue`: the property is removed, as if it were not written."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()

# Property that names a resource, and what `Ref` returns for the type.
NAME_PROPERTY = {
    "AWS::S3::Bucket": "BucketName",
    "AWS::CloudTrail::Trail": "TrailName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::Logs::MetricFilter": "FilterName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::KMS::Alias": "AliasName",
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::Organizations::Policy": "Name",
}
# Types whose Ref is not the name: what it is, for the reason of the Computed value (each
# type's "Return values" in the CloudFormation template reference).
REF_ASSIGNED = {
    "AWS::KMS::Key": "key id",
    "AWS::SNS::Topic": "ARN",
    "AWS::SNS::Subscription": "ARN",
    "AWS::IAM::ManagedPolicy": "ARN",
    "AWS::Organizations::Policy": "policy id",
    "AWS::SQS::Queue": "queue URL",
    "AWS::CloudTrail::EventDataStore": "ARN",
    "AWS::CloudTrail::Channel": "ARN",
}
INTRINSICS = frozenset(
    {
        "Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::If",
        "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Fn::FindInMap", "Fn::ImportValue",
        "Fn::GetAZs", "Fn::Base64", "Fn::Cidr", "Fn::Length", "Fn::ToJsonString",
        "Fn::Transform", "Condition",
    }
)  # fmt: skip
# A `${Name}` of Fn::Sub. Spaces around the name are ignored: CloudFormation deploys
# `${ AWS::Region}` (cfn-lint issue #236; cfn-lint strips them likewise), so they are stripped.
SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def intrinsic_name(node: Any) -> str | None:
    """The function of a one-key mapping such as `{"Ref": "X"}`, else None."""
    if isinstance(node, dict) and len(node) == 1:
        (key,) = node
        if key in INTRINSICS or (isinstance(key, str) and key.startswith("Fn::")):
            if key == "Condition" and not isinstance(node[key], str):
                return None  # a policy statement's Condition block, not the function
            return str(key)
    return None


def _as_condition(name: str, value: Any) -> bool | Unknown:
    if isinstance(value, bool):
        return value
    if isinstance(value, Unknown):
        return value
    return Unknown(f"condition {name} is not a boolean")


def _partition(region: str | None) -> str:
    # an unknown Region is taken to be in the commercial partition, where nearly every stack is
    return partition_of(region) if region else "aws"


@dataclass
class Template:
    """The sections of a template the evaluator reads."""

    parameters: Mapping[str, Any] = field(default_factory=dict)
    mappings: Mapping[str, Any] = field(default_factory=dict)
    resources: Mapping[str, Any] = field(default_factory=dict)
    conditions: Mapping[str, Any] = field(default_factory=dict)
    region: str | None = None  # --region: the stack's region
    overrides: Mapping[str, str] = field(default_factory=dict)  # --var NAME=VALUE
    # what may declare names the template does not (a transform, an Fn::ForEach loop), which
    # trailcheck does not expand; None when every name must be declared in the template
    expander: str | None = None

    def type_of(self, logical_id: str) -> str | None:
        res = self.resources.get(logical_id)
        t = res.get("Type") if isinstance(res, dict) else None
        return t if isinstance(t, str) else None

    def declares(self, name: str, *, attribute: bool = False) -> bool:
        """Whether `Ref name` (or, with `attribute`, `Fn::GetAtt name.X`) names something of the
        template: a parameter, a resource or a pseudo parameter (Fn::GetAtt: a resource only)."""
        if attribute:
            return name in self.resources
        return name in self.parameters or name in self.resources or name in PSEUDO_PARAMETERS

    def maker(self, name: str) -> str | None:
        """What may declare `name` though the template does not: the template's expander, or
        a registry module (a Type ending in ::MODULE) whose logical id begins the name, since a
        module's resources are named by joining its logical id and theirs, with or without a
        dot (User Guide, "Reference module resources in CloudFormation templates")."""
        if self.expander is not None:
            return self.expander
        for logical_id in self.resources:
            rtype = self.type_of(logical_id)
            if (rtype is not None and rtype.endswith("::MODULE") and name != logical_id
                    and name.startswith(logical_id)):  # fmt: skip
                return f"the module {logical_id} ({rtype})"
        return None

    def undeclared(self, written: str, name: str, *, attribute: bool = False) -> str:
        """Why `written` (`Ref X`, `Fn::GetAtt X.Attr`, `${X} in Fn::Sub`), which names something
        (`name`) the template does not declare, has no value: the reason of its Unknown and the
        message of its CT000. CloudFormation rejects such a template ("Template format error:
        Unresolved resource dependencies [X] in the Resources block of the template", AWS
        Knowledge Center, "How do I resolve template validation or template format errors in
        CloudFormation?") unless something it expands may declare the name (`maker`)."""
        what = "resource" if attribute else "parameter, resource or pseudo parameter"
        maker = self.maker(name)
        if maker is not None:
            return (f"{written} names no {what} of the template as written; {maker} "
                    "may declare it, and trailcheck does not expand it")  # fmt: skip
        return (f"{written} names no {what} of the template: CloudFormation rejects the "
                "template (unresolved resource dependencies)")  # fmt: skip


def getatt_written(arg: Any) -> str:
    """`Fn::GetAtt X.Attr` as the template writes it (either form), for messages."""
    if isinstance(arg, list):
        arg = ".".join(str(x) if isinstance(x, str) else "<function>" for x in arg)
    return f"Fn::GetAtt {arg}"


def sub_variable(name: str) -> tuple[str, bool]:
    """The name a `${name}` of Fn::Sub refers to, and whether it is a resource attribute
    (`${X.Attr}`, as Fn::GetAtt) rather than a Ref (`${X}`, `${AWS::Region}`)."""
    attribute = "." in name and not name.startswith(PSEUDO_PREFIX)
    return (name.split(".", 1)[0] if attribute else name), attribute


class Evaluator:
    def __init__(self, template: Template) -> None:
        self.t = template
        self._active: set[str] = set()  # names being resolved: a cycle is an error, not a hang

    # -- values --------------------------------------------------------------------------------

    def value(self, node: Any) -> Any:
        fn = intrinsic_name(node)
        if fn is not None:
            return self._function(fn, node[fn])
        if isinstance(node, list):
            items = [self.value(x) for x in node]
            return [x for x in items if x is not NO_VALUE]
        if isinstance(node, dict):
            out = {}
            for k, v in node.items():
                resolved = self.value(v)
                if resolved is not NO_VALUE:
                    out[k] = resolved
            return out
        return node

    def _function(self, fn: str, arg: Any) -> Any:
        handler = getattr(self, "_fn_" + fn.removeprefix("Fn::").lower(), None)
        if handler is None:
            return Unknown(f"{fn} is not evaluated")
        result: Any = handler(arg)
        return result

    def _fn_ref(self, arg: Any, written: str | None = None) -> Any:
        if not isinstance(arg, str):
            return Unknown("Ref needs the name of a parameter or resource")
        if not self.t.declares(arg):  # a CT000 of the loader; nothing to evaluate
            return Unknown(self.t.undeclared(written or f"Ref {arg}", arg))
        if arg in PSEUDO_PARAMETERS:
            return self._pseudo(arg)
        if arg in self.t.parameters:
            if arg in self.t.overrides:
                return self.t.overrides[arg]
            return self._parameter(arg)
        rtype = self.t.type_of(arg)
        if rtype is None:
            return Unknown(f"the Type of resource {arg} is not known")
        if rtype in REF_ASSIGNED:
            what = REF_ASSIGNED[rtype]
            return Computed(f"the {what} of {arg} is assigned when the stack is deployed")
        if rtype.startswith("Custom::") or rtype == "AWS::CloudFormation::CustomResource":
            # Ref gives the PhysicalResourceId the provider's response sets (User Guide,
            # "Custom resource response objects")
            return Computed(f"Ref {arg} is the physical id its custom resource provider returns "
                            "when the stack is deployed")  # fmt: skip
        return self._name(arg, rtype)

    def _pseudo(self, name: str) -> Any:
        region = self.t.region
        if name == "AWS::NoValue":
            return NO_VALUE
        if name == "AWS::Region":
            return region or Computed("the stack's region is not known from the template")
        if name == "AWS::Partition":
            return _partition(region)
        if name == "AWS::URLSuffix":
            return dns_suffix(_partition(region))
        if name == "AWS::AccountId":
            return Computed("the stack's account is not known from the template")
        if name in ("AWS::StackName", "AWS::StackId"):
            return Computed(f"{name} is known only when the stack is deployed")
        return Unknown(f"{name} is known only when the stack is deployed")  # NotificationARNs

    def _parameter(self, name: str) -> Any:
        return self._guarded(f"parameter {name}", lambda: self._parameter_value(name))

    def _guarded(self, what: str, compute: Callable[[], Any]) -> Any:
        if what in self._active:
            return Unknown(f"{what} refers to itself")
        self._active.add(what)
        try:
            return compute()
        finally:
            self._active.discard(what)

    def _parameter_value(self, name: str) -> Any:
        definition = self.t.parameters[name]
        if not isinstance(definition, dict):
            return Unknown(f"parameter {name} has no definition")
        ptype = definition.get("Type")
        if "Default" not in definition:
            return Unknown(f"parameter {name} has no default")
        default = self.value(definition["Default"])
        if isinstance(ptype, str) and ptype.startswith("AWS::SSM::Parameter::Value"):
            return Unknown(f"parameter {name} is read from SSM parameter {default} at deploy time")
        is_list = ptype == "CommaDelimitedList" or str(ptype).startswith("List<")
        if is_list and isinstance(default, str):
            return [x.strip() for x in default.split(",")]
        if isinstance(default, (int, float)) and not isinstance(default, bool):
            return str(default)  # Ref returns parameters as strings
        return default

    def _name(self, logical_id: str, rtype: str) -> Any:
        prop = NAME_PROPERTY.get(rtype)
        res = self.t.resources.get(logical_id)
        props = res.get("Properties") if isinstance(res, dict) else None
        if prop and isinstance(props, dict) and prop in props:
            name = self._guarded(f"the name of {logical_id}", lambda: self.value(props[prop]))
            if name is not NO_VALUE:
                return name
        return Computed(f"the name of {logical_id} is generated by CloudFormation")

    def _fn_getatt(self, arg: Any, written: str | None = None) -> Any:
        shown = written or getatt_written(arg)
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        if not isinstance(arg, list) or len(arg) != 2:
            return Unknown("Fn::GetAtt needs a logical id and an attribute")
        logical_id, attribute = arg[0], self.value(arg[1])
        if isinstance(logical_id, str) and not self.t.declares(logical_id, attribute=True):
            # a CT000 of the loader; were the resource there, the attribute would be set
            return Computed(self.t.undeclared(shown, logical_id, attribute=True))
        if not isinstance(logical_id, str) or not isinstance(attribute, str):
            return Unknown("Fn::GetAtt has an attribute that is not known")
        rtype = self.t.type_of(logical_id)
        if rtype is None:
            return Computed(f"the Type of resource {logical_id} is not known")
        if rtype.endswith("::MODULE"):  # `Module.Resource.Attr`: a resource the module makes
            return Computed(f"{shown} is set by the module {logical_id} ({rtype}), which "
                            "trailcheck does not expand")  # fmt: skip
        if rtype == "AWS::S3::Bucket" and attribute == "Arn":
            # the ARN of one bucket even when its name is not known: arn:<partition>:s3:::<name>
            name = self._name(logical_id, rtype)
            prefix = f"arn:{_partition(self.t.region)}:s3:::"
            if isinstance(name, Unknown):
                why = f"the ARN of {logical_id} holds its name, and {name.reason}"
                return partly_known(why, [prefix, name])
            return f"{prefix}{name}"
        if attribute in ("TopicName", "Name") or (
            attribute == "LogGroupName" and rtype == "AWS::Logs::LogGroup"
        ):
            return self._name(logical_id, rtype)
        what = "ARN" if attribute.endswith("Arn") else attribute
        return Computed(f"the {what} of {logical_id} is assigned when the stack is deployed")

    def _fn_sub(self, arg: Any) -> Any:
        variables: dict[str, Any] = {}
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
            arg, var_nodes = arg[0], arg[1]
            variables = {k: self.value(v) for k, v in var_nodes.items()}
        if not isinstance(arg, str):
            return Unknown("Fn::Sub needs a string")
        parts: list[Any] = []
        pos = 0
        for m in SUB_VARIABLE.finditer(arg):
            parts.append(arg[pos : m.start()])
            pos = m.end()
            name = m.group(1).strip()  # `${ AWS::Region }`: see SUB_VARIABLE
            if name.startswith("!"):
                parts.append("${" + name[1:] + "}")  # ${!Literal} is written as is
            elif name in variables:
                parts.append(variables[name])
            else:
                written = "${" + name + "} in Fn::Sub"
                target, attribute = sub_variable(name)
                parts.append(self._fn_getatt(name.split(".", 1), written) if attribute
                             else self._fn_ref(target, written))  # fmt: skip
        parts.append(arg[pos:])
        return _concat(parts)

    def _fn_join(self, arg: Any) -> Any:
        if not isinstance(arg, list) or len(arg) != 2:
            return Unknown("Fn::Join needs a delimiter and a list")
        delimiter, items = self.value(arg[0]), self.value(arg[1])
        if isinstance(delimiter, Unknown):
            return delimiter
        if isinstance(items, Unknown):
            return items
        if not isinstance(delimiter, str) or not isinstance(items, list):
            return Unknown("Fn::Join needs a delimiter and a list")
        joined: list[Any] = []
        for i, item in enumerate(items):
            if i:
                joined.append(delimiter)
            joined.append(item)
        return _concat(joined)

    def _fn_select(self, arg: Any) -> Any:
        if not isinstance(arg, list) or len(arg) != 2:
            return Unknown("Fn::Select needs an index and a list")
        index, items = self.value(arg[0]), self.value(arg[1])
        for v in (index, items):
            if isinstance(v, Unknown):
                return v
        try:
            i = int(index)
        except (TypeError, ValueError):
            return Unknown(f"Fn::Select index {index!r} is not a number")
        if not isinstance(items, list) or not 0 <= i < len(items):
            return Unknown(f"Fn::Select index {i} is outside the list")
        return items[i]

    def _fn_split(self, arg: Any) -> Any:
        if not isinstance(arg, list) or len(arg) != 2:
            return Unknown("Fn::Split needs a delimiter and a string")
        delimiter, text = self.value(arg[0]), self.value(arg[1])
        for v in (delimiter, text):
            if isinstance(v, Unknown):
                return v
        if not isinstance(delimiter, str) or not delimiter or not isinstance(text, str):
            return Unknown("Fn::Split needs a delimiter and a string")
        return text.split(delimiter)

    def condition(self, name: Any) -> bool | Unknown:
        """A condition of the `Conditions` section: True, False, or Unknown with the reason."""
        if not isinstance(name, str) or name not in self.t.conditions:
            return Unknown(f"condition {name} is not declared in the template")
        holds: bool | Unknown = self._guarded(
            f"condition {name}", lambda: _as_condition(name, self.value(self.t.conditions[name]))
        )
        return holds

    def _fn_if(self, arg: Any) -> Any:
        if not isinstance(arg, list) or len(arg) != 3:
            return Unknown("Fn::If needs a condition and two values")
        holds = self.condition(arg[0])
        if isinstance(holds, bool):
            return self.value(arg[1] if holds else arg[2])
        yes, no = self.value(arg[1]), self.value(arg[2])
        if yes is no or (type(yes) is type(no) and yes == no):
            return yes
        return Unknown(f"depends on condition {arg[0]}, which is not known ({holds.reason})")

    def _fn_condition(self, arg: Any) -> Any:
        return self.condition(arg)

    def _fn_equals(self, arg: Any) -> Any:
        if not isinstance(arg, list) or len(arg) != 2:
            return Unknown("Fn::Equals needs two values")
        a, b = self.value(arg[0]), self.value(arg[1])
        for v in (a, b):
            if isinstance(v, Unknown):
                return v
        return _text(a) == _text(b)

    def _fn_not(self, arg: Any) -> Any:
        v = self.value(arg[0] if isinstance(arg, list) and len(arg) == 1 else arg)
        return (not v) if isinstance(v, bool) else _unknown(v, "Fn::Not needs a condition")

    def _fn_and(self, arg: Any) -> Any:
        return self._logic(arg, all_of=True)

    def _fn_or(self, arg: Any) -> Any:
        return self._logic(arg, all_of=False)

    def _logic(self, arg: Any, *, all_of: bool) -> Any:
        if not isinstance(arg, list):
            return Unknown("Fn::And and Fn::Or need a list of conditions")
        unknown: Unknown | None = None
        for v in (self.value(x) for x in arg):
            if isinstance(v, bool):
                if v is not all_of:  # a false in an And, a true in an Or decides
                    return v
            elif unknown is None:
                unknown = _unknown(v, "a condition that is not a boolean")
        return unknown if unknown is not None else all_of

    def _fn_findinmap(self, arg: Any) -> Any:
        if not isinstance(arg, list) or len(arg) not in (3, 4):
            return Unknown("Fn::FindInMap needs a map name and two keys")
        default: Any = None
        if len(arg) == 4 and isinstance(arg[3], dict) and "DefaultValue" in arg[3]:
            default = self.value(arg[3]["DefaultValue"])
        name, top, second = (self.value(x) for x in arg[:3])
        for v in (name, second):
            if isinstance(v, Unknown):
                return v
        table = self.t.mappings.get(name) if isinstance(name, str) else None
        if not isinstance(table, dict):
            return Unknown(f"Fn::FindInMap names no mapping {name!r}")
        rows = list(table.values()) if isinstance(top, Unknown) else [table.get(str(top))]
        key = str(second)
        found = [self.value(r[key]) for r in rows if isinstance(r, dict) and key in r]
        if isinstance(top, Unknown):  # the key is unknown: fine when every row agrees
            if found and len(found) == len(rows) and all(f == found[0] for f in found):
                return found[0]
            return top
        if found:
            return found[0]
        if default is not None:
            return default
        return Unknown(f"mapping {name} has no entry {top}/{second}")

    def _fn_base64(self, arg: Any) -> Any:
        v = self.value(arg)
        if isinstance(v, str):
            return base64.b64encode(v.encode()).decode()
        return _unknown(v, "Fn::Base64 needs a string")

    def _fn_length(self, arg: Any) -> Any:
        v = self.value(arg)
        return len(v) if isinstance(v, list) else _unknown(v, "Fn::Length needs a list")

    def _fn_tojsonstring(self, arg: Any) -> Any:
        v = self.value(arg)
        if _has_unknown(v):
            return Unknown("Fn::ToJsonString of a value that is not known")
        return json.dumps(v, separators=(",", ":"))

    def _fn_importvalue(self, arg: Any) -> Any:
        name = self.value(arg)
        shown = name if isinstance(name, str) else "an export"
        return Unknown(f"imported from another stack ({shown})")

    def _fn_getazs(self, arg: Any) -> Any:
        return Unknown("the region's availability zones are known only at deploy time")

    # -- links -----------------------------------------------------------------------------------

    def targets(self, node: Any) -> tuple[str, ...]:
        """Logical ids of the template's resources that `node` refers to, in order."""
        out: dict[str, None] = {}
        self._collect(node, out)
        return tuple(out)

    def _collect(self, node: Any, out: dict[str, None]) -> None:
        fn = intrinsic_name(node)
        if fn is None:
            children: Iterable[Any] = (
                node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
            )
            for child in children:
                self._collect(child, out)
            return
        arg = node[fn]
        if fn == "Ref":
            if isinstance(arg, str) and self.t.type_of(arg):
                out.setdefault(arg)
        elif fn == "Fn::GetAtt":
            logical = arg.split(".", 1)[0] if isinstance(arg, str) else (
                arg[0] if isinstance(arg, list) and arg else None
            )
            if isinstance(logical, str) and self.t.type_of(logical):
                out.setdefault(logical)
        elif fn == "Fn::Sub":
            pair = isinstance(arg, list) and len(arg) == 2
            text, variables = (arg[0], arg[1]) if pair else (arg, {})
            if isinstance(variables, dict):
                for v in variables.values():
                    self._collect(v, out)
            if isinstance(text, str):
                for m in SUB_VARIABLE.finditer(text):
                    name = m.group(1).split(".", 1)[0]
                    if name not in (variables or {}) and self.t.type_of(name):
                        out.setdefault(name)
        elif fn == "Fn::If":
            if isinstance(arg, list) and len(arg) == 3:
                holds = self.condition(arg[0])
                if isinstance(holds, bool):  # the branch `value` takes: its resources
                    self._collect(arg[1] if holds else arg[2], out)
                    return
                yes, no = self.targets(arg[1]), self.targets(arg[2])
                if yes == no:  # a link only when both branches name the same resources
                    for t in yes:
                        out.setdefault(t)
        else:
            self._collect(arg, out)

    def link(self, node: Any, types: Iterable[str]) -> str | None:
        """The one resource of one of `types` that `node` refers to, else None."""
        wanted = set(types)
        hits = [t for t in self.targets(node) if self.t.type_of(t) in wanted]
        return hits[0] if len(hits) == 1 else None


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _unknown(v: Any, reason: str) -> Unknown:
    return v if isinstance(v, Unknown) else Unknown(reason)


def _has_unknown(v: Any) -> bool:
    if isinstance(v, Unknown):
        return True
    if isinstance(v, dict):
        return any(_has_unknown(x) for x in v.values())
    if isinstance(v, list):
        return any(_has_unknown(x) for x in v)
    return False


def _concat(parts: list[Any]) -> Any:
    """Join string parts. With unknown parts the result keeps the known stretches
    (`partly_known`); it is Computed only when every unknown part is: certainly set."""
    unknowns = [p for p in parts if isinstance(p, Unknown)]
    # the reason shown is that of a plain unknown, when there is one (an Unknown has no truth
    # value: compare with None, never `or`)
    plain = [u for u in unknowns if not isinstance(u, Computed)]
    first = plain[0] if plain else unknowns[0] if unknowns else None
    if any(isinstance(p, (list, dict)) or p is NO_VALUE for p in parts):
        if first is not None:
            return first
        return Unknown("a string is built from a value that is not a string")
    if first is None:
        return "".join(_text(p) for p in parts)
    texts = [p if isinstance(p, Unknown) else _text(p) for p in parts]
    return partly_known(first.reason, texts)
