"""A Serverless Framework service file (serverless.yml, .yaml, .json) -> Estate.

The Framework deploys each stage of a service as one CloudFormation stack: the resources it
generates from `functions` and their events, merged with the raw CloudFormation of the
`resources` section (Serverless Framework docs, "AWS Infrastructure Resources";
docs/semantics/serverless.md). trailcheck builds that template from the file, as far as the file
decides it, and reads it with the CloudFormation loader (`template_estate`): a trail, a log
bucket or an alarm declared in `resources` is judged as in any template, and so are the
EventBridge rules and SNS subscriptions the functions' events make (`events`). Lines point into
serverless.yml.

- Variables (`variables`): `${self:...}` is resolved within the file; every other source is an
  Unknown naming it. A section or resource whose shape depends on one (`Resources:
  ${file(...)}`, a resource's Type or Properties) is an unknown CT000: not judged.
- `resources` may be a list of fragments, merged in order, and is merged over the generated
  resources as the Framework merges it (lodash `merge`: mappings key by key, lists item by
  item, a null removes the setting); `resources.extensions` then sets or merges the attributes
  of the resources it names. An entry without a Type changes a resource the Framework generates
  and trailcheck does not write out (the functions' role, log groups, deployment bucket): it
  declares nothing to judge, and is left out.
- A name the file does not declare may be one the Framework generates: a reference to it is an
  unknown CT000, as for a transform.
- The stack's Region is `--region`: the serverless command's own `--region` option decides it
  before `provider.region` does, so the file does not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from checker.loaders.cloudformation.generated import mapping
from checker.loaders.cloudformation.loader import parse_document, template_estate
from checker.loaders.located import LineDict, LineList, SourceError, line_of
from checker.loaders.reading import LoadOptions, error_estate, input_error, read_text
from checker.loaders.serverless.events import Generated, generate
from checker.loaders.serverless.variables import Variables
from checker.model import Diagnostic, Estate, Location, Unknown

KIND: Final = "cloudformation"
FRAMEWORK: Final = ("the Serverless Framework (it generates resources serverless.yml does not "
                    "show: the functions' role, their log groups, ...)")  # fmt: skip
# resource attributes `resources.extensions` may set (merge-custom-provider-resources.js)
_SET: Final = ("Condition", "CreationPolicy", "DeletionPolicy", "UpdatePolicy",
               "UpdateReplacePolicy")  # fmt: skip


def load_serverless(path: Path, display: str, options: LoadOptions) -> Estate:
    text, err = read_text(path, display, KIND)
    if err is not None:
        return err
    try:
        doc = parse_document(text or "", path.suffix.lower())
    except SourceError as e:
        return error_estate(display, KIND, e.line, e.message)
    if not isinstance(doc, LineDict):
        return error_estate(display, KIND, line_of(doc) or 1, "a Serverless Framework service "
                            "file must be a mapping of its settings (service, provider, "
                            "functions, resources)")  # fmt: skip
    variables = Variables(doc)
    notes = _Notes(display)
    functions = _functions(doc, variables, notes)
    made = generate(functions, _service_name(variables.resolve(doc.get("service"))))
    for line, message in made.errors:
        notes.error(line, message)
    for line, message in made.unknown:
        notes.unknown(line, message)
    template = _template(doc, variables, made, notes)
    return template_estate(template, display, options, generator=FRAMEWORK, notes=notes.found)


def _service_name(service: Any) -> str | Unknown:
    """`service: name`, or the older `service: {name: ...}`."""
    if isinstance(service, dict):
        service = service.get("name")
    if isinstance(service, (str, Unknown)):
        return service
    return Unknown("the file names no service (the Serverless Framework requires one)")


class _Notes:
    """The CT000s of the file: settings the Framework rejects, and parts not judged."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.found: list[Diagnostic] = []

    def error(self, line: int, message: str) -> None:
        self.found.append(input_error(self.display, line, message))

    def unknown(self, line: int, message: str) -> None:
        self.found.append(Diagnostic("CT000", "unknown", message, Location(self.display, line),
                                     self.display))  # fmt: skip


def _functions(doc: LineDict, variables: Variables, notes: _Notes) -> dict[str, Any]:
    """The `functions` mapping (a list of mappings is merged, as the Framework does)."""
    line = line_of(doc, "functions")
    parts = _fragments(variables.resolve(doc.get("functions")), "functions", line, notes)
    out = LineDict(line)
    for part in parts:
        out = _merged(out, part)
    return out


def _fragments(value: Any, section: str, line: int, notes: _Notes) -> list[LineDict]:
    """A section written as one mapping or as a list of them, each mapping once."""
    items = value if isinstance(value, list) else [] if value is None else [value]
    out: list[LineDict] = []
    for i, item in enumerate(items):
        at = line_of(value, i) if isinstance(value, list) else line
        if isinstance(item, LineDict):
            out.append(item)
        elif isinstance(item, Unknown):
            notes.unknown(at, f"{section} is not known ({item.reason}), so what it declares is "
                              "not judged")  # fmt: skip
        elif item is not None:
            notes.error(at, f"{section} must be a mapping (or a list of mappings), which the "
                            "Serverless Framework merges")  # fmt: skip
    return out


def _template(doc: LineDict, variables: Variables, made: Generated, notes: _Notes) -> LineDict:
    """The stack: the generated resources with the `resources` section merged over them."""
    line = line_of(doc, "resources") if "resources" in doc else 1
    made_resources = mapping(line, [(k, v, line_of(v)) for k, v in made.resources.items()])
    generated = mapping(line, [("Resources", made_resources, line)])
    written = LineDict(line)
    for part in _fragments(variables.resolve(doc.get("resources")), "resources", line, notes):
        written = _merged(written, part)
    extensions_line = line_of(written, "extensions")
    extensions = written.pop("extensions", None)
    template: LineDict = _merged(generated, written)
    resources = template.get("Resources")
    if isinstance(resources, Unknown):
        notes.unknown(line_of(template, "Resources"), f"resources.Resources is not known "
                      f"({resources.reason}), so the resources it declares are not judged")
        template["Resources"] = made_resources
    elif isinstance(resources, LineDict):
        _extend(resources, extensions, extensions_line, notes)
        template["Resources"] = _declared(resources, set(made.resources), notes)
    return template


def _declared(resources: LineDict, generated: set[str], notes: _Notes) -> LineDict:
    """The resources to judge: without those whose Type or Properties are not known (said not
    judged) and the entries without a Type that change a resource the Framework generates."""
    out = LineDict(resources.line)
    for logical_id, node in resources.items():
        line = line_of(resources, logical_id)
        unknown = node if isinstance(node, Unknown) else next(
            (node[k] for k in ("Type", "Properties") if isinstance(node, dict)
             and isinstance(node.get(k), Unknown)), None)  # fmt: skip
        if unknown is not None:
            notes.unknown(line, f"resource {logical_id} is not known ({unknown.reason}), so it "
                                "is not judged")  # fmt: skip
        elif isinstance(node, dict) and "Type" not in node and logical_id not in generated:
            continue
        else:
            out[logical_id] = node
            out.key_lines[logical_id] = line
    return out


def _extend(resources: LineDict, extensions: Any, line: int, notes: _Notes) -> None:
    """`resources.extensions`: each attribute of `_SET` replaced, Properties merged key by key
    (Object.assign), into the resources the template has; others are not written out here."""
    if isinstance(extensions, Unknown):
        notes.unknown(line, f"resources.extensions is not known "
                      f"({extensions.reason}), so the settings it changes are not judged")
        return
    if not isinstance(extensions, dict):
        return
    for logical_id, extension in extensions.items():
        node = resources.get(logical_id)
        if not isinstance(node, LineDict) or not isinstance(extension, LineDict):
            continue
        node = _merged(node, LineDict(node.line))  # a copy: the node may be shared
        for attribute, value in extension.items():
            if attribute in _SET:
                node[attribute] = value
                node.key_lines[attribute] = line_of(extension, attribute)
            elif attribute == "Properties" and isinstance(value, LineDict):
                props = node.get("Properties")
                merged = _merged(props, LineDict(props.line)) if isinstance(
                    props, LineDict) else LineDict(value.line)  # fmt: skip
                merged.update(value)
                merged.key_lines.update(value.key_lines)
                node["Properties"] = merged
        resources[logical_id] = node


def _merged(base: Any, over: Any) -> Any:
    """`over` merged into `base` as lodash `merge` does (a new value; lines from where each
    setting is written last): mappings key by key, lists item by item, a null removes."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = LineDict(line_of(over) or line_of(base))
        for key, value in base.items():
            out[key] = value
            out.key_lines[key] = line_of(base, key)
        for key, value in over.items():
            if value is None:
                out.pop(key, None)
                continue
            out[key] = _merged(out[key], value) if key in out else value
            out.key_lines[key] = line_of(over, key)
        return out
    if isinstance(base, list) and isinstance(over, list):
        items = LineList(line_of(over) or line_of(base))
        for i in range(max(len(base), len(over))):
            items.append(_merged(base[i], over[i]) if i < len(base) and i < len(over)
                         else over[i] if i < len(over) else base[i])  # fmt: skip
            items.item_lines.append(line_of(over if i < len(over) else base, i))
        return items
    return over
