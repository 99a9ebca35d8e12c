"""CloudFormation templates (YAML or JSON) -> Estate.

A file is a template when its top level has `AWSTemplateFormatVersion`, or a `Resources` section
whose entries have a `Type` of `AWS::...` and no `version` (a CodeDeploy AppSpec file); any other
YAML or JSON is skipped silently. Reading
is safe (`cfn_yaml`, `cfn_json`: no object construction from tags, bounded aliases and nesting)
and keeps the line of every property, so a finding points at the property that causes it.

Resource ids are logical ids. Values go through `cfn_intrinsics` (parameters, mappings, pseudo
parameters, conditions as unknowns); references between resources of the template become
`Reference(value, target=<LogicalId>)`, joined by the estate. A template carries no account,
and no region unless `--region` gives it: the trails' `account_id` is unknown, their
`home_region` is `--region` or unknown.

Bad input gives one CT000 naming the file and line: text that is not UTF-8 or above the size
limit, invalid YAML/JSON, aliases that expand too far, sections of the wrong shape (a
`Resources` list). A `Ref`, `Fn::GetAtt` or `Fn::Sub` that names nothing the template declares
is a CT000 at each place (`references`), and so is a property named in the wrong case
(`KmsKeyId` for `KMSKeyId`); the rest of the template is still judged. A missing
`IsLogging` on a trail is the CT011 CloudFormation itself enforces.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from checker.estate_builder import EstateBuilder
from checker.loaders.cloudformation.intrinsics import Evaluator, Template
from checker.loaders.cloudformation.references import expander, unresolved_references
from checker.loaders.cloudformation.resource import Resource, whole_properties
from checker.loaders.cloudformation.resources import build
from checker.loaders.cloudformation.sam import expand, uses_sam
from checker.loaders.cloudformation.yaml_source import parse_yaml
from checker.loaders.located import LineDict, SourceError, line_of
from checker.loaders.located_json import parse_json
from checker.loaders.reading import LoadOptions, error_estate, input_error, read_text
from checker.model import Diagnostic, Estate, InputFile, Location, Unknown

KIND: Final = "cloudformation"
_SECTIONS = ("Parameters", "Mappings", "Conditions", "Resources", "Outputs")


def load_template(path: Path, display: str, options: LoadOptions) -> Estate:
    text, err = read_text(path, display, KIND)
    if err is not None:
        return err
    try:
        doc = parse_document(text or "", path.suffix.lower())
    except SourceError as e:
        jinja = _JINJA.search(text or "")
        if jinja is None:
            return error_estate(display, KIND, e.line, e.message)
        # a template for a generator (formica, Jinja): not CloudFormation until it is rendered
        line = (text or "").count("\n", 0, jinja.start()) + 1
        message = (f"the file holds Jinja template syntax ({jinja.group()!r} at line {line}) "
                   f"and does not parse as written ({e.message}): a tool renders it into "
                   "CloudFormation before deployment, so it is not judged; scan the rendered "
                   "template")  # fmt: skip
        return Estate(inputs=(InputFile(display, KIND, "skipped"),),
                      diagnostics=(Diagnostic("CT000", "unknown", message,
                                              Location(display, line), display),))  # fmt: skip
    if not is_template(doc):
        return Estate(inputs=(InputFile(display, "unknown", "skipped"),))
    assert isinstance(doc, LineDict)
    return template_estate(doc, display, options)


def parse_document(text: str, suffix: str) -> Any:
    """JSON for `.json` files and text that starts with `{`, YAML otherwise. JSON that is not
    strictly valid (`#` comments, trailing commas) is read again as YAML, as CloudFormation and
    cfn-lint read it: YAML is a superset of JSON. When neither reads it, a `.json` file's error
    is the JSON one."""
    if suffix != ".json" and not text.lstrip().startswith("{"):
        return parse_yaml(text)
    try:
        return parse_json(text)
    except SourceError as json_error:
        if suffix != ".json":
            return parse_yaml(text)
        try:
            return parse_yaml(text)
        except SourceError:
            raise json_error from None


def is_template(doc: Any) -> bool:
    if not isinstance(doc, dict):
        return False
    if "AWSTemplateFormatVersion" in doc:
        return True
    if "version" in doc:
        # a CodeDeploy AppSpec file (`version: 0.0`, a `Resources` list of the ECS services or
        # Lambda functions it deploys): CloudFormation has no `version` section (AWS CodeDeploy
        # User Guide, "AppSpec File structure"; CloudFormation User Guide, "Template anatomy")
        return False
    resources = doc.get("Resources")
    if isinstance(resources, dict):
        entries: list[Any] = list(resources.values())
    elif isinstance(resources, list):  # not valid, but meant as a template: CT000, not a skip
        entries = resources + [v for e in resources if isinstance(e, dict) for v in e.values()]
    else:
        return False
    return any(
        isinstance(e, dict) and isinstance(e.get("Type"), str) and e["Type"].startswith("AWS::")
        for e in entries
    )


def template_estate(doc: LineDict, display: str, options: LoadOptions, *,
                    generator: str | None = None, notes: Sequence[Diagnostic] = ()) -> Estate:
    """The estate of a parsed template. `generator` is the tool that made the template from a
    shorter form (the Serverless Framework) and may declare names it does not show; `notes` are
    that tool's CT000s, added to the file's (a fail among them makes the file an error)."""
    errors: list[Diagnostic] = [n for n in notes if n.status == "fail"]
    for name in _SECTIONS:
        value = doc.get(name)
        if value is None or isinstance(value, dict):
            continue
        shape = "a list" if isinstance(value, list) else f"a {type(value).__name__}"
        error = input_error(
            display,
            line_of(doc, name),
            f"{name} must be a mapping of logical ids to definitions, not {shape}",
        )
        if name == "Resources":  # nothing else can be read: one clear error for the file
            return Estate(inputs=(InputFile(display, KIND, "error"),),
                          diagnostics=(*notes, error))
        errors.append(error)

    def section(name: str) -> dict[str, Any]:
        value = doc.get(name)
        return value if isinstance(value, dict) else {}

    resources = section("Resources")
    if uses_sam(doc):  # the rules and subscriptions SAM makes from events, judged as declared
        resources, rejected = expand(resources)
        errors.extend(input_error(display, line, message) for line, message in rejected)
    template = Template(
        parameters=section("Parameters"),
        mappings=section("Mappings"),
        resources=resources,
        conditions=section("Conditions"),
        region=options.default_region,
        overrides=dict(options.variables),
        expander=generator or expander(doc),
    )
    ev = Evaluator(template)
    loaded: list[Resource] = []
    # valid, but beyond what trailcheck expands
    errors_unknown: list[Diagnostic] = [n for n in notes if n.status != "fail"]
    for logical_id, node in resources.items():
        line = line_of(resources, logical_id)
        rtype = node.get("Type") if isinstance(node, dict) else None
        not_expanded = _not_expanded(logical_id, rtype)
        if not_expanded is not None:
            errors_unknown.append(Diagnostic("CT000", "unknown", not_expanded,
                                             Location(display, line), logical_id))  # fmt: skip
            continue
        if not isinstance(node, LineDict) or not isinstance(rtype, str):
            errors.append(
                input_error(display, line, f"resource {logical_id} must be a mapping with a Type")
            )
            continue
        props = node.get("Properties")
        props = None if props is None else whole_properties(props, ev.condition)
        if isinstance(props, str):
            message = f"Properties of {logical_id} {props}"
            errors.append(input_error(display, line_of(node, "Properties"), message))
            continue
        if props is not None:
            node["Properties"] = props  # read as one mapping, here and by the evaluator
        created: bool | Unknown = True
        if "Condition" in node:
            created = ev.condition(node["Condition"])
            if created is False:  # not created in this deployment (the parameters' values)
                if rtype in RECORDER_TYPES:  # said so: never a silently missing trail
                    errors_unknown.append(Diagnostic(
                        "CT000", "unknown",
                        f"{logical_id} is not created with these parameter values (its "
                        f"Condition {node['Condition']} is false), so it is not judged: set the "
                        "parameters it depends on (for example with --var) to judge it",
                        Location(display, line_of(node, "Condition")), logical_id,
                    ))  # fmt: skip
                continue
        inner = _stackset_recorders(logical_id, rtype, props)
        if inner is not None:
            errors_unknown.append(Diagnostic("CT000", "unknown", inner, Location(
                display, line_of(props, "TemplateBody")), logical_id))  # fmt: skip
        loaded.append(Resource(logical_id, rtype, node, line, display, ev, created))
    out = EstateBuilder()
    out.add(*errors, *errors_unknown)
    build(loaded, options.default_region, out)
    # the file stays "ok": every resource of it is judged (its inline suppressions apply)
    out.add(*unresolved_references(doc, template, display))
    out.add(*_miscased_properties(loaded, display))
    out.add(InputFile(display, KIND, "error" if errors else "ok"))
    return out.estate()


def _miscased_properties(loaded: list[Resource], display: str) -> list[Diagnostic]:
    """A property name that differs from one trailcheck reads only in case: CloudFormation
    rejects it as unsupported, and the value it meant to set is not set."""
    return [
        input_error(
            display,
            line_of(r.props, written),
            f"{r.id}: {written} is not a property of {r.type} (names are case-sensitive: the "
            f"property is {meant}); CloudFormation rejects the template (unsupported property "
            f"{written}), and {meant} is judged as not set",
        )
        for r in loaded
        for written, meant in sorted(r.miscased.items())
    ]


# Jinja statements and expressions; `{{resolve:...}}` is CloudFormation's own dynamic reference
_JINJA = re.compile(r"\{%|\{\{(?!\s*resolve:)")

# Types that record events: one that a false Condition leaves out is said so (never silently)
RECORDER_TYPES = frozenset({"AWS::CloudTrail::Trail", "AWS::CloudTrail::EventDataStore"})


def _stackset_recorders(logical_id: str, rtype: str, props: Any) -> str | None:
    """Why the trails or event data stores a StackSet's inline TemplateBody declares are not
    judged: that template is deployed as stack instances in the target accounts and Regions
    (Template Reference, "AWS::CloudFormation::StackSet"), not in this stack, and trailcheck
    reads only files. A TemplateURL names a file, which is scanned when it is among the inputs."""
    if rtype != "AWS::CloudFormation::StackSet" or not isinstance(props, dict):
        return None
    body = props.get("TemplateBody")
    if isinstance(body, dict) and isinstance(body.get("Fn::Sub"), (str, list)):
        sub = body["Fn::Sub"]  # Fn::Sub over the text, with or without a variable map
        body = sub if isinstance(sub, str) else sub[0] if sub else None
    if not isinstance(body, str) or not any(t in body for t in RECORDER_TYPES):
        return None
    return (f"the StackSet {logical_id} deploys a template, written inline in its TemplateBody, "
            "that declares CloudTrail trails or event data stores; its stack instances are "
            "created in the StackSet's target accounts and Regions, and trailcheck does not "
            "judge an inline template: save it to its own file and scan that")  # fmt: skip


def _not_expanded(logical_id: str, rtype: Any) -> str | None:
    """Why a valid entry of Resources is not judged: a loop of the AWS::LanguageExtensions
    transform, a registry module (a Type ending in ::MODULE, whose resources CloudFormation
    adds from the registry: User Guide, "Use modules to encapsulate and reuse resource
    configurations"), or a Type that a packaging tool replaces (Rain's `!Rain::Module`)."""
    if logical_id.startswith("Fn::ForEach::"):
        return (f"{logical_id}: the resources an AWS::LanguageExtensions loop makes are not "
                "expanded, so they are not judged")  # fmt: skip
    if isinstance(rtype, str) and rtype.endswith("::MODULE"):
        return (f"the resources of the module {logical_id} ({rtype}) come from the "
                "CloudFormation registry, which trailcheck does not read, so they are not "
                "judged: scan the module's template fragment too")  # fmt: skip
    if isinstance(rtype, dict) and len(rtype) == 1:
        (tag,) = rtype
        if isinstance(tag, str) and tag.removeprefix("Fn::").startswith("Rain::"):
            return (f"the Type of {logical_id} is a !{tag.removeprefix('Fn::')} tag, which the "
                    "Rain tool replaces when it packages the template: scan the packaged "
                    "template to judge it")  # fmt: skip
    return None
