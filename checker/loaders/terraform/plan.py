"""`terraform show -json` plan output -> Estate, through the same mapping as the HCL loader.

Values come from `planned_values` (root module and nested `child_modules`), addresses as given.
A value listed in the resource's `change.after_unknown` is known only after apply. The
`configuration` section gives the provider region and, from each expression's `references`, the
resource an attribute points at when the planned value itself is not known. `prior_state` is the
world before the plan and is not read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

from checker.loaders.documents import line_in, lines_tree, schema_problem
from checker.loaders.reading import LoadOptions, error_estate, read_json
from checker.loaders.terraform.attrs import DictAttrs
from checker.loaders.terraform.resources import MAPPED_TYPES, Collector
from checker.loaders.terraform.values import Traced
from checker.model import Computed, Estate, InputFile, Location, Removal, Unknown

KIND: Literal["terraform-plan"] = "terraform-plan"
_RESOURCE_REF = re.compile(r"^(data\.)?[A-Za-z][\w-]*\.[A-Za-z_][\w-]*(\[[^\]]*\])?$")
_MODULE_STEP = re.compile(r"module\.([A-Za-z_][\w-]*)(\[[^\]]*\])?\.")
_NOT_RESOURCES = ("var.", "local.", "each.", "count.", "path.", "terraform.", "self.", "module.")
# what records events: a plan that deletes one leaves its unit without it (`Removal`)
_RECORDER_TYPES = frozenset({"aws_cloudtrail", "aws_cloudtrail_event_data_store"})


def load_plan(path: Path, display: str, options: LoadOptions) -> Estate:
    text, doc, err = read_json(path, display, KIND)
    if err is not None:
        return err
    if not isinstance(doc, dict) or not isinstance(doc.get("planned_values"), dict):
        return error_estate(
            display, KIND, 1, "not a Terraform plan: there is no planned_values object"
        )
    version = str(doc.get("format_version", "0"))
    if not re.match(r"^[01](\.|$)", version):
        return error_estate(
            display, KIND, 1, f"plan format_version {version} is not supported (0.x and 1.x are)"
        )
    problem = schema_problem(doc, "plan.schema.json", "the plan")
    if problem is not None:
        message, where = problem
        return error_estate(display, KIND, line_in(lines_tree(text), where), message)
    plan = _Plan(doc, text)
    collector = Collector(default_region=options.default_region)
    for res in plan.resources():
        if res.get("mode", "managed") != "managed" or res.get("type") not in MAPPED_TYPES:
            continue
        attrs = plan.attrs(res, display)
        if attrs is not None:
            collector.add(attrs)
    estate = collector.estate()
    removals = tuple(Removal(address, Location(display, plan._line(address)))
                     for address in plan.deleted(_RECORDER_TYPES))  # fmt: skip
    return Estate.merge([Estate(inputs=(InputFile(display, KIND, "ok"),), removals=removals),
                         estate])  # fmt: skip


class _Plan:
    def __init__(self, doc: Mapping[str, Any], text: str) -> None:
        self.doc = doc
        self.text = text
        self.changes: dict[str, Mapping[str, Any]] = {}
        for rc in doc.get("resource_changes") or []:
            # a deposed object (left by a create_before_destroy replacement) shares its address
            # with the current object; its change (a delete) is not the current object's
            if (
                isinstance(rc, dict)
                and isinstance(rc.get("address"), str)
                and not rc.get("deposed")
            ):
                change = rc.get("change")
                self.changes[rc["address"]] = change if isinstance(change, dict) else {}
        config = doc.get("configuration")
        self.config: Mapping[str, Any] = config if isinstance(config, dict) else {}
        self.addresses: set[str] = set()
        self._planned_at = text.find('"planned_values"')
        variables = doc.get("variables")
        self.variables: Mapping[str, Any] = variables if isinstance(variables, dict) else {}

    def deleted(self, types: Collection[str]) -> list[str]:
        """The addresses of managed resources of `types` that the plan deletes and does not
        create again (a replacement's actions are delete and create: it exists after apply)."""
        return [rc["address"] for rc in self.doc.get("resource_changes") or []
                if isinstance(rc, dict) and isinstance(rc.get("address"), str)
                and not rc.get("deposed") and rc.get("mode", "managed") == "managed"
                and rc.get("type") in types and isinstance(rc.get("change"), dict)
                and rc["change"].get("actions") == ["delete"]]  # fmt: skip

    def resources(self) -> list[Mapping[str, Any]]:
        out = list(self._walk(self.doc["planned_values"].get("root_module") or {}))
        self.addresses = {r["address"] for r in out}
        return out

    def _walk(self, module: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
        for res in module.get("resources") or []:
            if (
                isinstance(res, dict)
                and isinstance(res.get("address"), str)
                and isinstance(res.get("type"), str)
            ):
                yield res
        for child in module.get("child_modules") or []:
            if isinstance(child, dict):
                yield from self._walk(child)

    # -- one resource ----------------------------------------------------------------------

    def attrs(self, res: Mapping[str, Any], display: str) -> DictAttrs | None:
        address = res["address"]
        rtype = res["type"]
        name = str(res.get("name", ""))
        raw_values = res.get("values")
        values: dict[str, Any] = raw_values if isinstance(raw_values, dict) else {}
        prefix = _module_prefix(address, rtype, name, res.get("index"))
        conf = self._config_resource(prefix, rtype, name)
        raw_expressions = conf.get("expressions")
        expressions: dict[str, Any] = raw_expressions if isinstance(raw_expressions, dict) else {}
        change = self.changes.get(address, {})
        raw_unknown = change.get("after_unknown")
        unknown: dict[str, Any] = raw_unknown if isinstance(raw_unknown, dict) else {}
        creating = "create" in (change.get("actions") or [])
        merged: dict[str, Any] = {}
        never_computed = _NEVER_COMPUTED.get(rtype, frozenset())
        for key in sorted(set(values) | set(unknown)):
            v = _merge_unknown(
                values.get(key),
                unknown.get(key),
                f"{address}.{key}",
                expressions.get(key),
                creating and not (unknown.get(key) is True and key in never_computed),
            )
            if v is _DEFAULT:
                continue
            merged[key] = self._trace(v, expressions.get(key), prefix, address)
        region = (
            merged.get("region")
            if isinstance(merged.get("region"), str)
            else self._region(conf, prefix)
        )
        return DictAttrs(address, rtype, Location(display, self._line(address)), merged, region)

    def _trace(self, value: Any, expr: Any, prefix: str, own: str) -> Any:
        """Wrap a value with the address of the resource its expression references; nested
        blocks (lists of block expressions) are followed into."""
        if isinstance(expr, list) and isinstance(value, list):
            return [
                self._trace(v, e, prefix, own)
                for v, e in zip(value, _aligned(value, expr), strict=True)
            ]
        if isinstance(expr, dict) and "references" not in expr and "constant_value" not in expr:
            if isinstance(value, dict):
                return {k: self._trace(v, expr.get(k), prefix, own) for k, v in value.items()}
            return value
        if not isinstance(expr, dict):
            return value
        targets = self._targets(expr.get("references"), prefix, 0)
        targets = [t for t in targets if t != own]
        if not targets:
            return value
        if isinstance(value, list) and len(targets) == len(value) and len(targets) > 1:
            return [Traced(v, t) for v, t in zip(value, targets, strict=True)]
        if isinstance(value, list) and len(targets) == 1 and len(value) == 1:
            return [Traced(value[0], targets[0])]
        if len(targets) == 1:
            return Traced(value, targets[0])
        return value

    def _targets(self, refs: Any, prefix: str, depth: int) -> list[str]:
        """Resource instance addresses named by an expression's references, in order."""
        if not isinstance(refs, list) or depth > 8:
            return []
        out: list[str] = []
        for ref in refs:
            if not isinstance(ref, str):
                continue
            found: list[str] = []
            if ref.startswith("module."):
                found = self._module_output_targets(ref, prefix, depth)
            elif ref.startswith("var.") and prefix:
                found = self._input_targets(
                    ref[4:].split("[", 1)[0].split(".", 1)[0], prefix, depth
                )
            elif not ref.startswith(_NOT_RESOURCES) and _RESOURCE_REF.match(ref):
                found = self._instance(prefix + ref)
            for t in found:
                base = t.split("[", 1)[0]
                if not any(o == t or o.split("[", 1)[0] == base for o in out):
                    out.append(t)
        return out

    def _instance(self, ref: str) -> list[str]:
        if ref in self.addresses:
            return [ref]
        matches = [a for a in self.addresses if a.startswith(ref + "[")]
        return matches if len(matches) == 1 else []

    def _module_output_targets(self, ref: str, prefix: str, depth: int) -> list[str]:
        m = re.match(r"^module\.([A-Za-z_][\w-]*)\.([A-Za-z_][\w-]*)$", ref)
        if not m:
            return []
        call, output = m.group(1), m.group(2)
        module = self._config_module(prefix)
        calls: dict[str, Any] = module.get("module_calls") or {}
        if not isinstance(calls, dict):
            return []
        entry = calls.get(call)
        child = entry.get("module", {}) if isinstance(entry, dict) else {}
        outputs = child.get("outputs") if isinstance(child, dict) else None
        if not isinstance(outputs, dict) or not isinstance(outputs.get(output), dict):
            return []
        expr = outputs[output].get("expression", {})
        return self._targets(
            expr.get("references") if isinstance(expr, dict) else None,
            f"{prefix}module.{call}.",
            depth + 1,
        )

    def _input_targets(self, variable: str, prefix: str, depth: int) -> list[str]:
        """`var.x` inside a module: what the calling module passes as `x`."""
        steps = list(_MODULE_STEP.finditer(prefix))
        if not steps:
            return []
        last = steps[-1]
        parent_prefix = prefix[: last.start()]
        module = self._config_module(parent_prefix)
        calls = module.get("module_calls") if isinstance(module.get("module_calls"), dict) else {}
        call = calls.get(last.group(1)) if isinstance(calls, dict) else None
        exprs = call.get("expressions") if isinstance(call, dict) else None
        expr = exprs.get(variable) if isinstance(exprs, dict) else None
        if not isinstance(expr, dict):
            return []
        return self._targets(expr.get("references"), parent_prefix, depth + 1)

    def _config_module(self, prefix: str) -> Mapping[str, Any]:
        module: Any = self.config.get("root_module") or {}
        for call, _ in _MODULE_STEP.findall(prefix):
            calls = module.get("module_calls") if isinstance(module, dict) else None
            nxt = calls.get(call) if isinstance(calls, dict) else None
            module = nxt.get("module") if isinstance(nxt, dict) else None
            if not isinstance(module, dict):
                return {}
        return module if isinstance(module, dict) else {}

    def _config_resource(self, prefix: str, rtype: str, name: str) -> Mapping[str, Any]:
        module = self._config_module(prefix)
        for r in module.get("resources") or []:
            if (
                isinstance(r, dict)
                and r.get("type") == rtype
                and r.get("name") == name
                and r.get("mode", "managed") == "managed"
            ):
                return r
        return {}

    def _region(self, conf: Mapping[str, Any], prefix: str) -> Any:
        providers = self.config.get("provider_config")
        if not isinstance(providers, dict):
            return Unknown("the plan's configuration has no provider configuration")
        raw_key = conf.get("provider_config_key")
        key: str = raw_key if isinstance(raw_key, str) else "aws"
        pc = providers.get(key)
        if pc is None and ":" in key:
            pc = providers.get(key.split(":", 1)[1])
        if not isinstance(pc, dict):
            return Unknown(f"the plan has no provider configuration {key!r}")
        expr = (
            (pc.get("expressions") or {}).get("region")
            if isinstance(pc.get("expressions"), dict)
            else None
        )
        if not isinstance(expr, dict):
            return Unknown('the provider "aws" sets no region (it comes from the environment)')
        if isinstance(expr.get("constant_value"), str):
            return expr["constant_value"]
        refs = expr.get("references")
        if isinstance(refs, list) and not pc.get("module_address"):
            for ref in refs:
                if isinstance(ref, str) and ref.startswith("var."):
                    var = self.variables.get(ref[4:])
                    if isinstance(var, dict) and isinstance(var.get("value"), str):
                        return var["value"]
        return Unknown("the provider region comes from an expression the plan does not resolve")

    def _line(self, address: str) -> int:
        pattern = re.compile(r'"address"\s*:\s*' + re.escape(json.dumps(address)))
        m = pattern.search(self.text, max(self._planned_at, 0))
        if m is None:
            return 0
        return self.text.count("\n", 0, m.start()) + 1


def _module_prefix(address: str, rtype: str, name: str, index: Any) -> str:
    suffix = f"{rtype}.{name}"
    if isinstance(index, bool) or index is None:
        pass
    elif isinstance(index, int):
        suffix += f"[{index}]"
    else:
        suffix += f"[{json.dumps(index)}]"
    if address.endswith(suffix):
        return address[: len(address) - len(suffix)]
    i = address.rfind(f"{rtype}.{name}")
    return address[:i] if i >= 0 else ""


_DEFAULT = object()

# Blocks the AWS provider never computes: unknown on a new resource with no expression in the
# configuration, they were written as `dynamic` blocks over values known only after apply (the
# configuration section leaves dynamic blocks out), not left to AWS's default.
_NEVER_COMPUTED: dict[str, frozenset[str]] = {
    "aws_cloudtrail": frozenset({"event_selector", "advanced_event_selector", "insight_selector"}),
    "aws_cloudwatch_log_metric_filter": frozenset({"metric_transformation"}),
    "aws_s3_bucket_versioning": frozenset({"versioning_configuration"}),
}


def _aligned(values: list[Any], exprs: Any) -> list[Any]:
    """The configuration expression of each element of a planned list. Nested blocks that the
    provider keeps as a set (field_selector, for one) are planned in the set's order, not the
    order written: an element takes the written block whose constant arguments agree with its
    values, its own position when that one agrees."""
    if not isinstance(exprs, list):
        return [None] * len(values)
    out: list[Any] = []
    used: set[int] = set()
    for i, v in enumerate(values):
        order = ([i] if i < len(exprs) else []) + [j for j in range(len(exprs)) if j != i]
        pick = next((j for j in order if j not in used and _agrees(v, exprs[j])), None)
        if pick is None:
            out.append(exprs[i] if i < len(exprs) and i not in used else None)
            continue
        used.add(pick)
        out.append(exprs[pick])
    return out


def _agrees(value: Any, expr: Any) -> bool:
    if not isinstance(value, dict) or not isinstance(expr, dict):
        return True
    return all(
        json.dumps(value[k], sort_keys=True) == json.dumps(e["constant_value"], sort_keys=True)
        for k, e in expr.items()
        if isinstance(e, dict) and "constant_value" in e and value.get(k) is not None
    )


def _merge_unknown(value: Any, unknown: Any, name: str, expr: Any, creating: bool) -> Any:
    """A planned value with `after_unknown` markers turned into unknowns, their reasons naming
    the attribute by its address (`name`: `aws_s3_bucket_policy.logs.policy`). `expr` is the
    configuration's expression (or nested block expressions) for it: an unknown that was written
    is certainly set (Computed); one that was not takes AWS's default on a new resource
    (`_DEFAULT`: left out, as in the HCL loader)."""
    if unknown is True:
        if expr is None:
            return (
                _DEFAULT
                if creating and value is None
                else Unknown(f"{name} is known only after apply")
            )
        return Computed(f"{name} is known only after apply")
    if isinstance(unknown, dict) and (isinstance(value, dict) or value is None):
        base = value if isinstance(value, dict) else {}
        sub = (
            expr
            if isinstance(expr, dict) and "references" not in expr and "constant_value" not in expr
            else {}
        )
        out = {}
        for k in set(base) | set(unknown):
            v = _merge_unknown(
                base.get(k),
                unknown.get(k),
                f"{name}.{k}",
                sub.get(k) if isinstance(sub, dict) else None,
                creating,
            )
            if v is not _DEFAULT:
                out[k] = v
        return out
    if isinstance(unknown, list) and (isinstance(value, list) or value is None):
        base_list = value if isinstance(value, list) else []
        n = max(len(base_list), len(unknown))
        base_list = base_list + [None] * (n - len(base_list))
        # one expression for the whole list (`equals = [aws_s3_bucket.x.arn]`), or one per block
        exprs = _aligned(base_list, expr) if isinstance(expr, list) else [expr] * n
        items: list[Any] = []
        for i in range(n):
            u = unknown[i] if i < len(unknown) else None
            if u is True:  # an element of a known list is there, whatever it turns out to be
                items.append(Computed(f"{name} is known only after apply"))
                continue
            v = _merge_unknown(base_list[i], u, name, exprs[i], creating)
            items.append(None if v is _DEFAULT else v)
        return items
    return value
