"""Module instances: the scope in which a module folder's expressions are evaluated.

A `ModuleInstance` answers `var.x`, `local.y`, `module.z.out`, `data.t.n.attr` and `t.n.attr`
lazily, with caches, as Terraform would from the configuration alone. Resource and data blocks
expand by `count`/`for_each`; an expansion that cannot be known gives one instance `x[*]` whose
per-instance values are unknown (see `Expansion`).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from checker.loaders.terraform.blocks import explain
from checker.loaders.terraform.eval import evaluate
from checker.loaders.terraform.files import Decl
from checker.loaders.terraform.functions import json_text
from checker.loaders.terraform.iam import render_policy_document
from checker.loaders.terraform.syntax import AttrDef, Block, Call, GetAttr, Lit, Obj, Tup, Var
from checker.loaders.terraform.values import (
    Bound,
    Invalid,
    Lazy,
    PartialStr,
    Scope,
    Traced,
    first_unknown_deep,
    join_parts,
    plain,
    untrace,
)
from checker.model import Computed, Unknown
from checker.regions import partition_of

META_ARGS = {
    "count",
    "for_each",
    "provider",
    "depends_on",
    "lifecycle",
    "providers",
    "source",
    "version",
}


def key_suffix(key: Any) -> str:
    if key is None:
        return ""
    if key == "*":
        return "[*]"
    if isinstance(key, int):
        return f"[{key}]"
    return f"[{json.dumps(key)}]"


# --------------------------------------------------------------------------------------------
# What the module layer needs from the loader


class Folder(Protocol):
    path: Path
    variables: dict[str, Decl]
    locals: dict[str, list[Decl]]
    resources: dict[tuple[str, str], Decl]
    data: dict[tuple[str, str], Decl]
    modules: dict[str, Decl]
    outputs: dict[str, Decl]
    providers: list[Decl]

    def label(self) -> str: ...


class Host(Protocol):
    """The loader: folders, module resolution, root values, diagnostics."""

    def child_folder(self, inst: ModuleInstance, name: str) -> Folder | str | None:
        """The folder of `module.name`, or a reason string when it is not evaluated."""
        ...

    def root_value(self, folder: Folder, name: str) -> AttrDef | None: ...

    def note_unknown_expansion(self, address: str, decl: Decl, reason: Unknown) -> None: ...


def parsed(decl: Decl) -> Block | Unknown:
    block = decl.parse()
    if block is not None:
        return block
    return Unknown(f"{decl.file.display} could not be parsed")


# --------------------------------------------------------------------------------------------
# Expansion by count / for_each


@dataclass
class Expansion:
    """The instances of a block: keys None (single), int (count), str (for_each) or "*" (unknown:
    one representative instance whose instance values are unknown)."""

    instances: list[tuple[Any, dict[str, Any]]]
    unknown: Unknown | None = None


# Beyond this many instances a block is judged as one representative instance `x[*]`.
MAX_INSTANCES = 1000


def expand(block: Block, scope: Scope, what: str) -> Expansion:
    count = block.attrs.get("count")
    each = block.attrs.get("for_each")
    if count is not None:
        n = plain(evaluate(count.node, scope))
        if isinstance(n, Unknown):
            u = explain(f"the count of {what}", count.src, n)
            return Expansion([("*", {"count": {"index": u}})], u)
        if (
            isinstance(n, bool)
            or not isinstance(n, (int, float))
            or not math.isfinite(n)
            or n < 0
            or n != int(n)
        ):
            u = Invalid(f"the count of {what} is not a whole number ({count.src})")
            return Expansion([("*", {"count": {"index": u}})], u)
        if n > MAX_INSTANCES:
            u = Unknown(f"the count of {what} is {int(n)}, more instances than trailcheck "
                        f"expands ({MAX_INSTANCES})")  # fmt: skip
            return Expansion([("*", {"count": {"index": u}})], u)
        return Expansion([(i, {"count": {"index": i}}) for i in range(int(n))])
    if each is not None:
        coll = untrace(evaluate(each.node, scope))
        if isinstance(coll, Unknown):
            u = explain(f"the for_each of {what}", each.src, coll)
            return Expansion([("*", {"each": {"key": u, "value": u}})], u)
        if isinstance(coll, dict):
            return Expansion([(k, {"each": {"key": k, "value": coll[k]}}) for k in sorted(coll)])
        if isinstance(coll, list):
            keys = [plain(x) for x in coll]
            bad = next((k for k in keys if not isinstance(k, str)), None)
            if bad is not None:
                found = first_unknown_deep(bad) if isinstance(bad, Unknown) else None
                reason: Unknown = (
                    found
                    if found is not None
                    else Invalid(f"for_each of {what} needs a map or a set of strings")
                )
                u2 = explain(f"the for_each of {what}", each.src, reason)
                return Expansion([("*", {"each": {"key": u2, "value": u2}})], u2)
            return Expansion([(k, {"each": {"key": k, "value": k}}) for k in sorted(set(keys))])
        if coll is None:
            u = Invalid(f"the for_each of {what} is null")
            return Expansion([("*", {"each": {"key": u, "value": u}})], u)
        u = Invalid(f"the for_each of {what} needs a map or a set of strings ({each.src})")
        return Expansion([("*", {"each": {"key": u, "value": u}})], u)
    return Expansion([(None, {})])


# --------------------------------------------------------------------------------------------
# Module instances


class ModuleInstance(Scope):
    def __init__(
        self,
        host: Host,
        folder: Folder,
        prefix: str,
        keypath: str,
        inputs: dict[str, tuple[AttrDef, Scope]] | None,
        caller: str,
        providers: dict[str, ProviderConf],
        depth: int = 0,
        root: Path | None = None,
    ) -> None:
        self.host = host
        self.root = root or folder.path  # the folder Terraform runs in (where .terraform is)
        self.folder = folder
        self.prefix = prefix  # "" or "module.a." or 'module.a["k"].'
        self.keypath = keypath  # "a.b": the key in .terraform/modules/modules.json
        self.inputs = inputs  # None for a root module
        self.caller = caller
        self.depth = depth
        self.key: Any = None  # the instance key of this module call
        self.resource_types = {t for t, _ in folder.resources}
        self.providers = dict(providers)
        for decl in folder.providers:
            if decl.labels and decl.labels[0] == "aws":
                block = parsed(decl)
                alias = _literal_attr(block, "alias") if isinstance(block, Block) else None
                self.providers["aws" if not alias else f"aws.{alias}"] = ProviderConf(self, decl)
        self._vars: dict[str, Any] = {}
        self._locals: dict[str, Any] = {}
        self._locals_busy: set[str] = set()
        self._resources: dict[tuple[str, str, str], ResourceGroup] = {}
        self._modules: dict[str, ModuleGroup] = {}
        self._outputs: dict[str, Any] = {}
        self.ns_var = _Namespace(self._var, "var")
        self.ns_local = _Namespace(self._local, "local")
        self.ns_module = _Namespace(self._module_value, "module")
        self.ns_data = _Namespace(
            lambda t: _Namespace(lambda n: self.resource("data", t, n).value, f"data.{t}"), "data"
        )

    # -- Scope ---------------------------------------------------------------------------

    def resolve(self, name: str) -> Any:
        if name == "var":
            return self.ns_var
        if name == "local":
            return self.ns_local
        if name == "module":
            return self.ns_module
        if name == "data":
            return self.ns_data
        if name == "path":
            # as Terraform: relative to the root module's folder, where it runs
            module = os.path.relpath(self.folder.path, self.root).replace(os.sep, "/")
            return {"module": module, "root": ".", "cwd": str(self.root)}
        if name == "terraform":
            return {"workspace": Unknown("terraform.workspace is chosen when Terraform runs")}
        if name in ("count", "each", "self"):
            return Invalid(f"{name} is not valid outside a resource or module block that sets it")
        if name in self.resource_types:
            return _Namespace(lambda n: self.resource("managed", name, n).value, name)
        return Invalid(f"{name} is not declared in {self.folder.label()}")

    def base_dir(self) -> str | None:
        return str(self.root)  # relative file() paths are read from where Terraform runs

    # -- variables and locals ------------------------------------------------------------

    def _var(self, name: str) -> Any:
        if name not in self._vars:
            self._vars[name] = self._compute_var(name)
        return self._vars[name]

    def _compute_var(self, name: str) -> Any:
        v = self._given_var(name)
        decl = self.folder.variables.get(name)
        block = parsed(decl) if decl is not None else None
        type_attr = block.attrs.get("type") if isinstance(block, Block) else None
        if type_attr is None or isinstance(untrace(v), Unknown):
            return v
        return with_type_defaults(v, type_attr.node)

    def _given_var(self, name: str) -> Any:
        decl = self.folder.variables.get(name)
        if decl is None:
            return Invalid(f"var.{name} is not declared in {self.folder.label()}")
        block = parsed(decl)
        if isinstance(block, Unknown):
            return Unknown(
                f"var.{name} is declared in {decl.file.display}, which could not be parsed"
            )
        default = block.attrs.get("default")
        nullable = _literal_attr(block, "nullable")
        if self.inputs is None:
            given = self.host.root_value(self.folder, name)
            if given is not None:
                v = evaluate(given.node, Scope())
                return explain(f"var.{name}", given.src, v) if isinstance(v, Unknown) else v
        elif name in self.inputs:
            attr, scope = self.inputs[name]
            v = evaluate(attr.node, scope)
            if isinstance(untrace(v), Unknown):
                return (
                    explain(f"var.{name}", attr.src, untrace(v))
                    if not isinstance(v, Traced)
                    else Traced(explain(f"var.{name}", attr.src, v.value), v.target)
                )
            if untrace(v) is not None or nullable is not False or default is None:
                return v
        if default is not None:
            return evaluate(default.node, Scope())
        if self.inputs is None:
            return Unknown(
                f"var.{name} has no value (no default, and no tfvars file or --var sets it)"
            )
        return Unknown(
            f"var.{name} has no value ({self.caller} does not set it and it has no default)"
        )

    def _local(self, name: str) -> Any:
        if name in self._locals:
            return self._locals[name]
        if name in self._locals_busy:
            return Invalid(f"local.{name} depends on itself (a cycle between locals)")
        found: AttrDef | None = None
        for decl in self.folder.locals.get(name, []):
            block = parsed(decl)
            if isinstance(block, Unknown):
                return Unknown(f"local.{name} is in {decl.file.display}, which could not be parsed")
            if name in block.attrs:
                found = block.attrs[name]
                break
        if found is None:
            return Invalid(f"local.{name} is not declared in {self.folder.label()}")
        self._locals_busy.add(name)
        try:
            v = evaluate(found.node, self)
        finally:
            self._locals_busy.discard(name)
        if isinstance(v, Unknown) and not isinstance(v, Invalid):
            v = explain(f"local.{name}", found.src, v)
        self._locals[name] = v
        return v

    # -- resources and data sources ------------------------------------------------------

    def resource(self, mode: str, rtype: str, name: str) -> ResourceGroup:
        key = (mode, rtype, name)
        group = self._resources.get(key)
        if group is None:
            group = ResourceGroup(self, mode, rtype, name)
            self._resources[key] = group
        return group

    # -- module calls ----------------------------------------------------------------------

    def _module_value(self, name: str) -> Any:
        return self.module_group(name).value

    def module_group(self, name: str) -> ModuleGroup:
        group = self._modules.get(name)
        if group is None:
            group = ModuleGroup(self, name)
            self._modules[name] = group
        return group

    def output(self, name: str) -> Any:
        if name in self._outputs:
            return self._outputs[name]
        self._outputs[name] = Unknown(f"output {name} of {self.prefix[:-1]} depends on itself")
        decl = self.folder.outputs.get(name)
        where = self.prefix[:-1] or "the module"
        if decl is None:
            v: Any = Invalid(f"{where} has no output {name!r}")
        else:
            block = parsed(decl)
            if isinstance(block, Unknown):
                v = Unknown(f"output {name} is in {decl.file.display}, which could not be parsed")
            elif "value" not in block.attrs:
                v = Invalid(f"output {name} has no value")
            else:
                attr = block.attrs["value"]
                v = evaluate(attr.node, self)
                u = untrace(v)
                if isinstance(u, Unknown) and not isinstance(u, Invalid):
                    e = explain(f"{where}.{name}", attr.src, u)
                    v = Traced(e, v.target) if isinstance(v, Traced) else e
        self._outputs[name] = v
        return v

    # -- providers ---------------------------------------------------------------------------

    def provider(self, key: str) -> ProviderConf:
        conf = self.providers.get(key)
        if conf is None:
            return ProviderConf(None, None, missing=key)
        return conf


def with_type_defaults(value: Any, type_node: Any) -> Any:
    """A variable's value with the defaults of `optional(type, default)` attributes of its type
    constraint filled in, as Terraform converts it (object attributes that are absent or null
    take the default, or null without one), through `map`, `list`, `set` and `tuple`."""
    if not isinstance(type_node, Call) or not type_node.args:
        return value
    v = untrace(value)
    kind = type_node.name
    if kind == "object" and isinstance(type_node.args[0], Obj) and isinstance(v, dict):
        out = dict(v)
        for key_node, attr_type in type_node.args[0].items:
            key = key_node.value if isinstance(key_node, Lit) else getattr(key_node, "name", None)
            if not isinstance(key, str):
                continue
            if isinstance(attr_type, Call) and attr_type.name == "optional" and attr_type.args:
                if untrace(out.get(key)) is None:
                    default = attr_type.args[1] if len(attr_type.args) > 1 else None
                    out[key] = None if default is None else evaluate(default, Scope())
                attr_type = attr_type.args[0]
            if key in out:
                out[key] = with_type_defaults(out[key], attr_type)
        return Traced(out, value.target) if isinstance(value, Traced) else out
    if kind in ("map", "list", "set") and isinstance(v, (dict, list)):
        element = type_node.args[0]
        if isinstance(v, dict):
            out_map = {k: with_type_defaults(x, element) for k, x in v.items()}
            return Traced(out_map, value.target) if isinstance(value, Traced) else out_map
        out_list = [with_type_defaults(x, element) for x in v]
        return Traced(out_list, value.target) if isinstance(value, Traced) else out_list
    if kind == "tuple" and isinstance(type_node.args[0], Tup) and isinstance(v, list):
        types = type_node.args[0].items
        out_tuple = [with_type_defaults(x, types[i]) if i < len(types) else x
                     for i, x in enumerate(v)]  # fmt: skip
        return Traced(out_tuple, value.target) if isinstance(value, Traced) else out_tuple
    return value


def _literal_attr(block: Block, name: str) -> Any:
    attr = block.attrs.get(name)
    if attr is None:
        return None
    v = evaluate(attr.node, Scope())
    return None if isinstance(v, Unknown) else plain(v)


class _Namespace(Lazy):
    """`var`, `local`, `module`, `data.TYPE`, a resource type: attribute access calls `get`."""

    def __init__(self, get: Callable[[str], Any], label: str) -> None:
        self.get = get
        self.label = label

    def get_attr(self, name: str) -> Any:
        return self.get(name)


class ProviderConf:
    """An `aws` provider configuration: where its resources live."""

    def __init__(
        self, owner: ModuleInstance | None, decl: Decl | None, missing: str = "aws"
    ) -> None:
        self.owner = owner
        self.decl = decl
        self.missing = missing
        self._region: Any = None

    def region(self) -> Any:
        if self._region is None:
            self._region = self._compute()
        return self._region

    def _compute(self) -> Any:
        if self.owner is None or self.decl is None:
            if self.missing != "aws":
                return Unknown(f"provider {self.missing} is not configured")
            return Unknown(
                'no provider "aws" block sets the region (it comes from the environment)'
            )
        block = parsed(self.decl)
        if isinstance(block, Unknown):
            return block
        attr = block.attrs.get("region")
        if attr is None:
            return Unknown(
                'the provider "aws" block sets no region (it comes from the environment)'
            )
        v = plain(evaluate(attr.node, self.owner))
        if isinstance(v, Unknown):
            return explain("the provider region", attr.src, v)
        if not isinstance(v, str):
            return Invalid(f"the provider region is not a string ({attr.src})")
        return v


# --------------------------------------------------------------------------------------------
# Resources, data sources


class ResourceGroup:
    """One resource (or data) block in one module instance, and its instances."""

    def __init__(self, module: ModuleInstance, mode: str, rtype: str, name: str) -> None:
        self.module = module
        self.mode = mode
        self.rtype = rtype
        self.name = name
        local = f"{rtype}.{name}" if mode == "managed" else f"data.{rtype}.{name}"
        self.base = module.prefix + local
        table = module.folder.resources if mode == "managed" else module.folder.data
        self.decl = table.get((rtype, name))
        self.block: Block | Unknown
        if self.decl is None:
            self.block = Invalid(f"{local} is not declared in {module.folder.label()}")
        else:
            self.block = parsed(self.decl)
        self._instances: list[ResourceInstance] | None = None
        self._value: Any = None
        self.expansion: Expansion | None = None

    def instances(self) -> list[ResourceInstance]:
        if self._instances is None:
            if isinstance(self.block, Unknown):
                self._instances = []
            else:
                ex = expand(self.block, self.module, self.base)
                self.expansion = ex
                if ex.unknown is not None and self.decl is not None:
                    self.module.host.note_unknown_expansion(
                        self.base + "[*]", self.decl, ex.unknown
                    )
                self._instances = [
                    ResourceInstance(self, key, Bound(self.module, names) if names else self.module)
                    for key, names in ex.instances
                ]
        return self._instances

    @property
    def value(self) -> Any:
        """The value of the reference `type.name` (an instance, a list, a map of instances)."""
        if self._value is None:
            self._value = self._compute_value()
        return self._value

    def _compute_value(self) -> Any:
        if isinstance(self.block, Unknown):
            return self.block
        insts = self.instances()
        ex = self.expansion
        assert ex is not None
        if ex.unknown is not None:
            return _UnknownCollection(insts[0], ex.unknown)
        block = self.block
        if "count" in block.attrs:
            return list(insts)
        if "for_each" in block.attrs:
            return {str(i.key): i for i in insts}
        return insts[0]


class _UnknownCollection(Lazy):
    """`x` whose count/for_each is unknown: `x[0]`, `x["k"]` and `x[*]` all read the one
    representative instance `x[*]`."""

    def __init__(self, inst: ResourceInstance, reason: Unknown) -> None:
        self.inst = inst
        self.reason = reason
        self.label = inst.address

    def get_attr(self, name: str) -> Any:
        block = self.inst.group.block
        if isinstance(block, Block) and "for_each" in block.attrs:
            return self.inst  # x["key"] written as x.key
        return self.inst.get_attr(name)

    def index(self, key: Any) -> Any:
        return self.inst

    def materialize(self) -> Any:
        return self.reason


class ResourceInstance(Lazy):
    def __init__(self, group: ResourceGroup, key: Any, scope: Scope) -> None:
        self.group = group
        self.key = key
        self.scope = scope
        self.address = group.base + key_suffix(key)
        self.label = self.address
        self._attrs: dict[str, Any] = {}

    @property
    def block(self) -> Block:
        assert isinstance(self.group.block, Block)
        return self.group.block

    @property
    def rtype(self) -> str:
        return self.group.rtype

    def argument(self, name: str) -> Any:
        """An argument as written (None when not written), evaluated, traces kept."""
        if name in self._attrs:
            return self._attrs[name]
        attr = self.block.attrs.get(name)
        if attr is None:
            v: Any = None
        else:
            v = evaluate(attr.node, self.scope)
        self._attrs[name] = v
        return v

    def get_attr(self, name: str) -> Any:
        """The value of `<address>.<name>` for other expressions: arguments, nested blocks, and
        the computed attributes Terraform knows from configuration. An attribute that names this
        resource itself is traced to it, whatever its value is built from: a bucket named
        `logs-${random_id.s.hex}` is still `aws_s3_bucket.logs`."""
        v = self._get_attr(name)
        if self.group.mode == "managed" and name in _identity_attributes(self.rtype):
            # ...and it is set once the resource exists, whatever its value turns out to be
            return Traced(_certainly_set(untrace(v)), self.address)
        return v

    def _get_attr(self, name: str) -> Any:
        if name in self.block.attrs and name not in META_ARGS:
            v = self.argument(name)
            u = untrace(v)
            if isinstance(u, Unknown) and not isinstance(u, Invalid):
                attr = self.block.attrs[name]
                e = explain(f"{self.address}.{name}", attr.src, u)
                return Traced(e, v.target) if isinstance(v, Traced) else Traced(e, self.address)
            return v if isinstance(v, (Traced, Lazy)) else Traced(v, self.address)
        nested = [b for b in self.block.blocks if b.type == name]
        if nested:
            return [NestedBlock(self, b, self.scope) for b in nested]
        derived = DERIVED.get((self.group.mode, self.rtype, name))
        if derived is None:
            derived = DERIVED.get((self.group.mode, "*", name))
        if derived is not None:
            v = derived(self)
            return v if isinstance(v, Traced) else Traced(v, self.address)
        if self.group.mode == "data":
            cls = Computed if name in ALWAYS_SET else Unknown
            return Traced(
                cls(f"{self.address}.{name} is read from AWS when Terraform plans"), self.address
            )
        cls = Computed if name in ALWAYS_SET else Unknown
        return Traced(cls(f"{self.address}.{name} is known only after apply"), self.address)

    def region(self) -> Any:
        """The region the resource lives in: its own `region` argument (provider v6), else its
        provider configuration's."""
        own = self.block.attrs.get("region")
        if own is not None:
            v = plain(self.argument("region"))
            if isinstance(v, Unknown):
                return explain("region", own.src, v)
            if isinstance(v, str):
                return v
        return self.group.module.provider(self.provider_key()).region()

    def provider_key(self) -> str:
        attr = self.block.attrs.get("provider")
        if attr is None:
            return "aws"
        node = attr.node
        if isinstance(node, GetAttr) and isinstance(node.obj, Var):
            return f"{node.obj.name}.{node.name}"
        if isinstance(node, Var):
            return node.name
        if isinstance(node, Lit) and isinstance(node.value, str):
            return node.value
        return "aws"


ALWAYS_SET = {"arn", "id", "key_id", "account_id", "name", "unique_id", "bucket"}
_IDENTITY = frozenset({"id", "arn", "name"})


def _certainly_set(v: Any) -> Any:
    """An unknown value that a resource certainly has (its id, ARN or name)."""
    if isinstance(v, Invalid) or not isinstance(v, Unknown) or isinstance(v, Computed):
        return v
    if isinstance(v, PartialStr):
        parts = tuple(
            Computed(p.reason) if isinstance(p, Unknown) and not isinstance(p, Computed) else p
            for p in v.parts
        )
        return PartialStr(v.reason, parts)
    return Computed(v.reason)


def _identity_attributes(rtype: str) -> frozenset[str]:
    """The attributes whose value names the resource itself. The split settings of a bucket
    (`aws_s3_bucket_versioning`, `aws_s3_bucket_policy`, ...) have the bucket's name as id: they
    keep the bucket's trace."""
    if rtype == "aws_s3_bucket":
        return _IDENTITY | {"bucket"}
    if rtype == "aws_kms_key":
        return _IDENTITY | {"key_id"}
    if rtype.startswith("aws_s3_bucket_"):
        return frozenset()
    return _IDENTITY


class NestedBlock(Lazy):
    """A nested block read through a reference: `aws_x.y.metric_transformation[0].name`."""

    def __init__(self, inst: ResourceInstance, block: Block, scope: Scope) -> None:
        self.inst = inst
        self.block = block
        self.scope = scope
        self.label = f"{inst.address}.{block.type}"

    def get_attr(self, name: str) -> Any:
        attr = self.block.attrs.get(name)
        if attr is not None:
            v = evaluate(attr.node, self.scope)
            return v if isinstance(v, (Traced, Lazy)) else Traced(v, self.inst.address)
        nested = [b for b in self.block.blocks if b.type == name]
        if nested:
            return [NestedBlock(self.inst, b, self.scope) for b in nested]
        return Traced(
            Unknown(f"{self.label}.{name} is not set or known only after apply"), self.inst.address
        )

    def materialize(self) -> Any:
        return {k: self.get_attr(k) for k in self.block.attrs}


# --------------------------------------------------------------------------------------------
# Attributes Terraform computes from configuration


def _partition(inst: ResourceInstance) -> str | Unknown:
    region = inst.region()
    if isinstance(region, str):
        return partition_of(region)
    return "aws"  # the documented form of S3 bucket ARNs; China and GovCloud regions are named




def _bucket_name(inst: ResourceInstance) -> Any:
    if "bucket" in inst.block.attrs:
        return inst.get_attr("bucket")
    if "bucket_prefix" in inst.block.attrs:
        return Computed(f"the name of {inst.address} is generated from bucket_prefix at apply")
    return Computed(f"the name of {inst.address} is generated at apply (no bucket argument)")


def _bucket_arn(inst: ResourceInstance) -> Any:
    # the ARN of this one bucket even when its name is not known: arn:<partition>:s3:::<name>
    name = untrace(_bucket_name(inst))
    prefix = f"arn:{_partition(inst)}:s3:::"
    if isinstance(name, str):
        return prefix + name
    if isinstance(name, Computed) and not isinstance(name, PartialStr):
        name = Computed(f"{inst.address}.arn is known only after apply")
    return join_parts([prefix, name])


def _named(kind: str) -> Callable[[ResourceInstance], Any]:
    def get(inst: ResourceInstance) -> Any:
        if "name" in inst.block.attrs:
            return inst.get_attr("name")
        return Computed(f"the name of {inst.address} is generated at apply")

    return get


def _policy_document_json(inst: ResourceInstance) -> Any:
    return json_text(render_policy_document(inst.block, inst.scope, inst.address))


def _data_region(inst: ResourceInstance) -> Any:
    return inst.region()


def _data_partition(inst: ResourceInstance) -> Any:
    region = inst.region()
    if isinstance(region, str):
        return partition_of(region)
    return Unknown(f"{inst.address}.partition depends on the region: {region.reason}")


DERIVED: dict[tuple[str, str, str], Callable[[ResourceInstance], Any]] = {
    ("managed", "aws_s3_bucket", "id"): _bucket_name,
    ("managed", "aws_s3_bucket", "bucket"): _bucket_name,
    ("managed", "aws_s3_bucket", "arn"): _bucket_arn,
    ("managed", "aws_cloudwatch_log_group", "id"): _named("log group"),
    ("managed", "aws_cloudwatch_log_group", "name"): _named("log group"),
    ("managed", "aws_sns_topic", "name"): _named("topic"),
    ("managed", "aws_iam_role", "id"): _named("role"),
    ("managed", "aws_iam_role", "name"): _named("role"),
    ("managed", "aws_iam_policy", "name"): _named("policy"),
    ("managed", "aws_kms_alias", "id"): _named("alias"),
    ("managed", "aws_cloudwatch_log_metric_filter", "id"): _named("metric filter"),
    ("managed", "aws_cloudtrail", "name"): _named("trail"),
    ("managed", "aws_s3_bucket_policy", "id"): lambda i: i.get_attr("bucket"),
    ("data", "aws_iam_policy_document", "json"): _policy_document_json,
    ("data", "aws_iam_policy_document", "minified_json"): _policy_document_json,
    ("data", "aws_region", "name"): _data_region,
    ("data", "aws_region", "region"): _data_region,
    ("data", "aws_region", "id"): _data_region,
    ("data", "aws_partition", "partition"): _data_partition,
    ("data", "aws_partition", "id"): _data_partition,
    ("data", "aws_s3_bucket", "id"): lambda i: i.get_attr("bucket"),
    ("data", "aws_s3_bucket", "arn"): _bucket_arn,
}


# --------------------------------------------------------------------------------------------
# Module calls


class ModuleGroup:
    """One `module` block in one module instance: its child instances."""

    def __init__(self, parent: ModuleInstance, name: str) -> None:
        self.parent = parent
        self.name = name
        self.decl = parent.folder.modules.get(name)
        self._children: list[ModuleInstance] | None = None
        self._value: Any = None
        self.unknown: Unknown | None = None  # why the module is not evaluated

    def children(self) -> list[ModuleInstance]:
        if self._children is None:
            self._children = self._compute_children()
        return self._children

    def _compute_children(self) -> list[ModuleInstance]:
        parent = self.parent
        where = f"{parent.prefix}module.{self.name}"
        if self.decl is None:
            self.unknown = Invalid(f"module.{self.name} is not declared in {parent.folder.label()}")
            return []
        block = parsed(self.decl)
        if isinstance(block, Unknown):
            self.unknown = block
            return []
        folder = parent.host.child_folder(parent, self.name)
        if folder is None or isinstance(folder, str):
            self.unknown = Unknown(folder or f"{where} was not evaluated")
            return []
        if parent.depth >= 32:
            self.unknown = Unknown(f"{where} is nested too deeply (does a module call itself?)")
            return []
        ex = expand(block, parent, where)
        if ex.unknown is not None:
            parent.host.note_unknown_expansion(where + "[*]", self.decl, ex.unknown)
        keypath = f"{parent.keypath}.{self.name}" if parent.keypath else self.name
        out = []
        for key, names in ex.instances:
            scope: Scope = Bound(parent, names) if names else parent
            inputs = {k: (a, scope) for k, a in block.attrs.items() if k not in META_ARGS}
            providers = self._providers(block)
            child = ModuleInstance(
                parent.host,
                folder,
                f"{where}{key_suffix(key)}.",
                keypath,
                inputs,
                f"module.{self.name}",
                providers,
                parent.depth + 1,
                parent.root,
            )
            child.key = key
            out.append(child)
        return out

    def _providers(self, block: Block) -> dict[str, ProviderConf]:
        parent = self.parent
        attr = block.attrs.get("providers")
        if attr is None:
            return {k: v for k, v in parent.providers.items() if k == "aws"}
        out: dict[str, ProviderConf] = {}
        if isinstance(attr.node, Obj):
            for knode, vnode in attr.node.items:
                out[_provider_ref(knode)] = parent.provider(_provider_ref(vnode))
        return out

    @property
    def value(self) -> Any:
        if self._value is None:
            self._value = self._compute_value()
        return self._value

    def _compute_value(self) -> Any:
        children = self.children()
        if self.unknown is not None and not children:
            return self.unknown
        block = parsed(self.decl) if self.decl is not None else None
        objs = [ModuleOutputs(c) for c in children]
        if isinstance(block, Block) and children and children[0].prefix.endswith("[*]."):
            return objs[0]
        if isinstance(block, Block) and "count" in block.attrs:
            return objs
        if isinstance(block, Block) and "for_each" in block.attrs:
            return {str(c.key): o for c, o in zip(children, objs, strict=True)}
        return objs[0] if objs else Invalid(f"module.{self.name} has no instance")


def _provider_ref(node: Any) -> str:
    if isinstance(node, GetAttr) and isinstance(node.obj, Var):
        return f"{node.obj.name}.{node.name}"
    if isinstance(node, Var):
        return node.name
    if isinstance(node, Lit):
        return str(node.value)
    return "?"


class ModuleOutputs(Lazy):
    def __init__(self, inst: ModuleInstance) -> None:
        self.inst = inst
        self.label = inst.prefix[:-1]

    def get_attr(self, name: str) -> Any:
        return self.inst.output(name)

    def materialize(self) -> Any:
        return {n: self.inst.output(n) for n in self.inst.folder.outputs}


def walk_instances(
    root: ModuleInstance, relevant: Callable[[ModuleInstance, str], bool]
) -> Iterator[ModuleInstance]:
    """The root and every descendant instance reached through module calls that matter."""
    yield root
    for name in root.folder.modules:
        if relevant(root, name):
            for child in root.module_group(name).children():
                yield from walk_instances(child, relevant)
