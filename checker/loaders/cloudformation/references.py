"""References that name nothing the template declares: a CT000 at each place they are written.

`Ref X` names a parameter, a resource or a pseudo parameter; `Fn::GetAtt X.Attr` a resource;
`${X}` and `${X.Attr}` in `Fn::Sub` the same, unless the function's own variable map sets X
(User Guide: the Ref, Fn::GetAtt and Fn::Sub pages, and "Get AWS values using pseudo
parameters"). CloudFormation rejects a template that names anything else ("Template format
error: Unresolved resource dependencies [X] in the Resources block of the template"), so it is
an input error (CT000, fail), not a finding of any rule: the rest of the template is still
judged, and a value built from the name is an Unknown with the same reason (`Evaluator`).

When a transform or an `Fn::ForEach` loop may declare names trailcheck does not see
(`Template.expander`), or a registry module whose logical id begins the name (`Template.maker`),
such a name is not certainly an error: the CT000 is unknown.
Properties of resources, Conditions and Outputs are read; each place is reported once.
"""

from __future__ import annotations

from typing import Any, Literal

from checker.loaders.cloudformation.intrinsics import (
    SUB_VARIABLE,
    Template,
    getatt_written,
    sub_variable,
)
from checker.loaders.located import MAX_DEPTH, LineDict, LineList, line_of
from checker.model import Diagnostic, Location


def expander(doc: dict[str, Any]) -> str | None:
    """What may declare names the template does not show: a transform other than
    AWS::LanguageExtensions (SAM, AWS::Include, a macro), an `Fn::ForEach` loop of Resources,
    an `Fn::Transform` that includes resources, or org-formation, whose templates (version
    `2010-09-09-OC`) name the organization's accounts (`CurrentAccount`, `AWSAccount`, those of
    its organization file) and resolve them before CloudFormation reads the template
    (org-formation-cli, docs/cloudformation-resources.md)."""
    version = doc.get("AWSTemplateFormatVersion")
    if isinstance(version, str) and version.endswith("-OC"):
        return f"org-formation (the template's version is {version})"
    transform = doc.get("Transform")
    named = transform if isinstance(transform, list) else [transform] if transform else []
    names = [t.get("Name") if isinstance(t, dict) else t for t in named]
    others = [str(n) for n in names if n != "AWS::LanguageExtensions"]
    if others:
        return f"the {', '.join(others)} transform{'s' if len(others) > 1 else ''}"
    resources = doc.get("Resources")
    keys = [k for k in resources if isinstance(k, str)] if isinstance(resources, dict) else []
    if any(k.startswith("Fn::ForEach::") for k in keys):
        return "an Fn::ForEach loop of AWS::LanguageExtensions"
    if "Fn::Transform" in keys:
        return "the Fn::Transform of Resources"
    return None


def unresolved_references(
    doc: dict[str, Any], template: Template, display: str
) -> list[Diagnostic]:
    """One CT000 per place (line and reference) where the template names what it does not
    declare: fail, or unknown when a transform, a loop or a module may declare it
    (`Template.maker`)."""
    seen: dict[tuple[int, str], Diagnostic] = {}

    def check(owner: str, name: str, written: str, line: int, attribute: bool = False) -> None:
        if not name or template.declares(name, attribute=attribute):
            return
        message = f"{owner}: {template.undeclared(written, name, attribute=attribute)}"
        status: Literal["fail", "unknown"] = "fail" if template.maker(name) is None else "unknown"
        seen.setdefault((line, message), Diagnostic(
            "CT000", status, message, Location(display, line), resource=display
        ))  # fmt: skip

    def intrinsic(owner: str, key: str, arg: Any, line: int) -> None:
        if key == "Ref" and isinstance(arg, str):
            check(owner, arg, f"Ref {arg}", line)
        elif key == "Fn::GetAtt":
            target = arg.split(".", 1)[0] if isinstance(arg, str) else (
                arg[0] if isinstance(arg, list) and arg else None)  # fmt: skip
            if isinstance(target, str):
                check(owner, target, getatt_written(arg), line, attribute=True)
        elif key == "Fn::Sub":
            text, variables = (arg, {}) if isinstance(arg, str) else (
                (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2
                and isinstance(arg[1], dict) else (None, {}))  # fmt: skip
            if isinstance(text, str):
                for m in SUB_VARIABLE.finditer(text):
                    raw = m.group(1).strip()
                    if raw.startswith("!") or raw in variables:
                        continue  # ${!Literal}, or a variable of the function's own map
                    name, attribute = sub_variable(raw)
                    check(owner, name, "${" + m.group(1) + "} in Fn::Sub", line, attribute)

    def walk(owner: str, node: Any, line: int, depth: int = 0) -> None:
        if depth > MAX_DEPTH:
            return
        if isinstance(node, dict):
            here = node.line if isinstance(node, LineDict) else line
            if len(node) == 1:
                ((key, arg),) = node.items()
                intrinsic(owner, key, arg, here)
            for key, value in node.items():
                if isinstance(key, str) and key.startswith("Fn::ForEach::"):
                    continue  # its ${Identifier}s are the loop's, which is not expanded
                walk(owner, value, node.line_of(key) if isinstance(node, LineDict) else line,
                     depth + 1)  # fmt: skip
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(owner, item, node.line_of(i) if isinstance(node, LineList) else line,
                     depth + 1)  # fmt: skip

    for section, kind in (("Resources", ""), ("Conditions", "condition "),
                          ("Outputs", "output ")):  # fmt: skip
        entries = doc.get(section)
        if not isinstance(entries, dict):
            continue
        for name, node in entries.items():
            if section == "Resources":  # a loop (Fn::ForEach::) is no resource: not read
                node = node.get("Properties") if isinstance(node, dict) else None
            elif isinstance(name, str) and name.startswith("Fn::ForEach::"):
                continue
            walk(f"{kind}{name}", node, line_of(entries, name))
    return list(seen.values())
