"""Module instances: the scope in which a module folder's expressions are evaluated.

A `ModuleInstance` answers `var.x`, `local.y`, `module.z.out`, `data.t.n.attr` and `t.n.attr`
lazily, with caches, as Terraform would from the configuration alone. Resource and data blocks
expand by `count`/`for_each`; an expansion that cannot be known gives one instance `x[*]` whose
per-instance values are unknown (see `Expansion`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from checker.loaders.terraform.eval import evaluate
from checker.loaders.terraform.expansion import (
    META_ARGS,
    Folder,
    Host,
    ModuleScope,
    expand,
    explain,
    key_suffix,
    parsed,
    undeclared,
)
from checker.loaders.terraform.files import Decl
from checker.loaders.terraform.instances import ResourceGroup
from checker.loaders.terraform.syntax import AttrDef, Block, Call, GetAttr, Lit, Obj, Tup, Var
from checker.loaders.terraform.values import (
    Bound,
    Invalid,
    Lazy,
    Scope,
    Traced,
    plain,
    untrace,
)
from checker.model import Computed, Unknown

# --------------------------------------------------------------------------------------------
# Module instances


class ModuleInstance(ModuleScope):
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
        # Terraform's reference parser takes `resource.` as an escape prefix for a managed
        # resource type (hashicorp/terraform internal/addrs/parse_ref.go, case "resource")
        self.ns_resource = _Namespace(self._managed, "resource")
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
        if name == "resource":  # `resource.TYPE.NAME` is another spelling of `TYPE.NAME`
            return self.ns_resource
        return self._managed(name)

    def _managed(self, rtype: str) -> Any:
        """The managed resources of type `rtype`, as `rtype.NAME` reads them."""
        if rtype not in self.resource_types:  # a file not parsed yet may declare one
            self.folder.declare("resource", rtype)
            self.resource_types = {t for t, _ in self.folder.resources}
        if rtype in self.resource_types:
            return _Namespace(lambda n: self.resource("managed", rtype, n).value, rtype)
        return undeclared(self.folder, rtype)

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
        if decl is None:  # a file not parsed yet may declare it
            self.folder.declare("variable", name)
            decl = self.folder.variables.get(name)
        if decl is None:
            return undeclared(self.folder, f"var.{name}")
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
        self.folder.declare("locals", name)  # the files that may define it are parsed
        for decl in self.folder.locals.get(name, []):
            block = parsed(decl)
            if isinstance(block, Unknown):
                return Unknown(f"local.{name} is in {decl.file.display}, which could not be parsed")
            if name in block.attrs:
                found = block.attrs[name]
                break
        if found is None:
            return undeclared(self.folder, f"local.{name}")
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
            # set, but not here: the provider requires a region (AWS provider docs, `region`)
            return Computed(
                'no provider "aws" block sets the region (it comes from the environment)'
            )
        block = parsed(self.decl)
        if isinstance(block, Unknown):
            return block
        attr = block.attrs.get("region")
        if attr is None:
            return Computed(
                'the provider "aws" block sets no region (it comes from the environment)'
            )
        v = plain(evaluate(attr.node, self.owner))
        if isinstance(v, Unknown):
            return explain("the provider region", attr.src, v)
        if not isinstance(v, str):
            return Invalid(f"the provider region is not a string ({attr.src})")
        return v



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
            self.unknown = undeclared(parent.folder, f"module.{self.name}")
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
            child.absent = ex.maybe_none if ex.maybe_none is not None else parent.absent
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

