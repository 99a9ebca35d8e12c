"""Terraform module folders (HCL and `.tf.json`) -> Estate.

1. Read: every file of each folder; parse (`syntax.parse_file`, whole files) those whose text
   can hold a resource of the model or a `module` block (see files).
2. Graph: follow `module` blocks (local paths, or `.terraform/modules/modules.json`); a scanned
   folder called by another scanned folder is judged only through its caller.
3. Select: a folder matters if it declares resources of the model, or calls a module that does;
   in such a folder, follow what those resources' arguments reference, transitively and by
   demand (`aws_iam_role.r.arn` needs only r's count/for_each, `tags` are never followed), and
   parse the files that can declare what is referenced. Other files are never parsed.
4. Evaluate each root module instance and map its resources to the model.

Unknown `count`/`for_each`: the resource is judged as one instance `x[*]` whose per-instance
values (`count.index`, `each.key`, `each.value`) are unknown, and a CT000 `unknown` diagnostic
says so. This keeps a trail written as `count = var.enabled ? 1 : 0` in view (it is usually
created) without inventing instance keys; findings on `x[*]` hold for every instance.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from checker import parallel
from checker.loaders.reading import LoadOptions, read_text
from checker.loaders.terraform.assemble import (
    Expansions,
    FolderStatus,
    assemble,
    expansion_table,
    folder_status,
)
from checker.loaders.terraform.cycles import cycle_path, strongly_connected
from checker.loaders.terraform.demand import (
    IGNORED_ATTRS,
    META_ATTRS,
    MODULE_META,
    NOT_DECLARED,
    WHOLE_DATA,
    resource_demand,
)
from checker.loaders.terraform.expansion import ModuleScope, parsed
from checker.loaders.terraform.files import (
    Decl,
    is_seed,
    module_source,
    read_tfvars,
    tfvars_files,
)
from checker.loaders.terraform.folder import Folder
from checker.loaders.terraform.hcl_attrs import HclAttrs
from checker.loaders.terraform.modules import ModuleInstance, walk_instances
from checker.loaders.terraform.prefetch import parse_files, read_folders
from checker.loaders.terraform.resources import MAPPED_TYPES, Collector
from checker.loaders.terraform.syntax import (
    AttrDef,
    HclSyntaxError,
    Lit,
    Obj,
    Tup,
    Un,
    block_traversals,
    parse_expression,
    traversals,
)
from checker.model import Diagnostic, Estate, InputFile, Location, Unknown
from checker.unit_stamp import in_unit

_TYPE_STRING = re.compile(r"^\s*string\s*$")
class _Loader:
    """The Host of module instances: folders, module resolution, root values, diagnostics."""

    def __init__(self, options: LoadOptions) -> None:
        self.options = options
        self.folders: dict[Path, Folder] = {}
        # folders read (and their eager files parsed) before the module graph is walked
        self.read_ahead: dict[Path, Folder] = {}
        self.diagnostics: list[Diagnostic] = []
        self.inputs: list[InputFile] = []
        self.extra: list[Estate] = []
        self.modules_json: dict[Path, dict[str, Path] | None] = {}
        # (folder path, root path, keypath) -> {module name: child folder path or reason}
        self.resolved: dict[tuple[Path, Path, str], dict[str, Path | str]] = {}
        self.relevant_cache: dict[tuple[Path, Path, str], bool] = {}
        self.root_values: dict[Path, list[dict[str, AttrDef]]] = {}
        self.unknown_expansions: dict[str, tuple[Decl, Unknown]] = {}
        # every expansion noted, in order (the first of an address wins; see _load_in_pool)
        self.expansion_log: list[tuple[str, tuple[Decl, Unknown]]] = []
        # (child folder, root, keypath) -> (calling folder, its keypath, the module block)
        self.callers: dict[tuple[Path, Path, str], tuple[Folder, str, Decl]] = {}
        self._cli_values: dict[str, tuple[AttrDef, int]] | None = None
        # (calling folder, module name) -> why the call is not followed: it closes a cycle
        self.cyclic_calls: dict[tuple[Path, str], str] = {}
        self._local_paths: dict[tuple[Path, str], Path] = {}
        self._dirs: dict[Path, bool] = {}

    # -- folders and the module graph ----------------------------------------------------

    def folder(self, path: Path) -> Folder:
        f = self.folders.get(path)
        if f is None:
            f = self.read_ahead.pop(path, None) or Folder(path, self.options, index=False)
            f.index()
            self.folders[path] = f
        return f

    def _modules_json(self, root: Path) -> dict[str, Path] | None:
        if root not in self.modules_json:
            table: dict[str, Path] | None = None
            manifest = root / ".terraform" / "modules" / "modules.json"
            try:
                doc = json.loads(manifest.read_text(encoding="utf-8"))
                table = {}
                for m in doc.get("Modules", []):
                    if (
                        isinstance(m, dict)
                        and isinstance(m.get("Key"), str)
                        and isinstance(m.get("Dir"), str)
                    ):
                        table[m["Key"]] = (root / m["Dir"]).resolve()
            except (OSError, ValueError, AttributeError):
                table = None
            self.modules_json[root] = table
        return self.modules_json[root]

    def resolve_calls(self, folder: Folder, root: Path, keypath: str) -> dict[str, Path | str]:
        key = (folder.path, root, keypath)
        if key not in self.resolved:
            out: dict[str, Path | str] = {}
            for name, decl in folder.modules.items():
                out[name] = self._resolve(folder, decl, name, root, keypath)
            self.resolved[key] = out
        return self.resolved[key]

    def _resolve(
        self, folder: Folder, decl: Decl, name: str, root: Path, keypath: str
    ) -> Path | str:
        cycle = self.cyclic_calls.get((folder.path, name))
        if cycle is not None:
            return cycle
        source = module_source(decl)
        call = f"module.{name}"
        if source is None:
            return f"{call} has no literal source"
        child = self.local_path(folder.path, source)
        if child is not None:
            if not self.is_dir(child):
                return f"{call} (source {source}) points to a folder that does not exist"
            return child
        table = self._modules_json(root)
        full_key = f"{keypath}.{name}" if keypath else name
        if table is not None and full_key in table and self.is_dir(table[full_key]):
            return table[full_key]
        return (
            f"{call} (source {source}) was not evaluated: remote modules are not fetched; "
            "run terraform init or scan the module's source"
        )

    def local_callees(self, folder: Folder, every_call: bool = False) -> set[Path]:
        """The local folders `folder` calls, but for calls that close a cycle (every one with
        `every_call`)."""
        out = set()
        for name, decl in folder.modules.items():
            if (folder.path, name) in self.cyclic_calls and not every_call:
                continue
            child = self.local_path(folder.path, module_source(decl))
            if child is not None:
                out.add(child)
        return out

    def local_path(self, folder: Path, source: str | None) -> Path | None:
        """The folder a local module source (`./x`, `../x`) names, None for any other source.
        Remembered: every root's walk of the module graph asks again."""
        if not source or not (source.startswith(("./", "../")) or source in (".", "..")):
            return None
        key = (folder, source)
        path = self._local_paths.get(key)
        if path is None:
            path = self._local_paths[key] = (folder / source).resolve()
        return path

    def is_dir(self, path: Path) -> bool:
        if path not in self._dirs:
            self._dirs[path] = path.is_dir()
        return self._dirs[path]

    def relevant(
        self, folder: Folder, root: Path, keypath: str, chain: tuple[Path, ...] = ()
    ) -> bool:
        """Does the folder (as reached from `root`) hold, itself or through its modules, anything
        the model is made of?"""
        key = (folder.path, root, keypath)
        known = self.relevant_cache.get(key)
        if known is not None:
            return known
        if folder.seeds():
            result = True
        elif folder.path in chain or len(chain) > 32:
            return False
        else:
            result = any(
                isinstance(child, Path)
                and self.relevant(
                    self.folder(child), root, _kp(keypath, name), (*chain, folder.path)
                )
                for name, child in self.resolve_calls(folder, root, keypath).items()
            )
        self.relevant_cache[key] = result
        return result

    # -- selection ---------------------------------------------------------------------

    def select(self, root: Path) -> None:
        """Follow, for the module tree under `root`, what the resources of the model reference,
        transitively, and parse the files that can declare it (by demand: `aws_iam_role.r.arn`
        needs only r's count/for_each, `local.x` only that local). Evaluation reads only what
        this reached."""
        work: list[tuple[Folder, str, Decl, frozenset[str] | None]] = []
        visited: set[tuple[Path, str]] = set()

        def visit(folder: Folder, keypath: str, chain: tuple[Path, ...]) -> None:
            if (folder.path, keypath) in visited or folder.path in chain or len(chain) > 32:
                return
            visited.add((folder.path, keypath))
            if not self.relevant(folder, root, keypath):
                return
            work.extend((folder, keypath, d, None) for d in folder.seeds())
            folder.declare("provider")
            work.extend((folder, keypath, d, None) for d in folder.providers)
            for name, child in self.resolve_calls(folder, root, keypath).items():
                if isinstance(child, Path):
                    kp = _kp(keypath, name)
                    child_folder = self.folder(child)
                    self.callers[(child, root, kp)] = (folder, keypath, folder.modules[name])
                    if self.relevant(child_folder, root, kp):
                        work.append((folder, keypath, folder.modules[name], MODULE_META))
                        visit(child_folder, kp, (*chain, folder.path))

        visit(self.folder(root), "", ())
        done: dict[tuple[int, str], set[str]] = {}
        while work:
            folder, keypath, decl, attrs = work.pop()
            block = decl.parse()
            if block is None:
                continue
            seen = done.setdefault((id(decl), keypath), set())
            if "*" in seen:
                continue
            if attrs is None:
                seen.add("*")
                refs = list(block_traversals(block, IGNORED_ATTRS))
            else:
                fresh = (attrs | META_ATTRS) - seen
                if not fresh:
                    continue
                seen |= fresh
                refs = []
                for name in fresh:
                    if name in block.attrs:
                        refs.extend(traversals(block.attrs[name].node))
                    for b in block.blocks:
                        if b.type == name or (b.type == "dynamic" and b.labels == (name,)):
                            refs.extend(block_traversals(b, IGNORED_ATTRS))
            if decl.kind == "variable" and keypath:
                caller = self.callers.get((folder.path, root, keypath))
                if caller is not None:
                    work.append((caller[0], caller[1], caller[2], frozenset({decl.labels[0]})))
            for name, steps in refs:
                work.extend(self._demand(folder, root, keypath, name, steps))

    def _demand(
        self, folder: Folder, root: Path, keypath: str, name: str, steps: tuple[Any, ...]
    ) -> list[Any]:
        attrs = [v for k, v in steps if k == "attr"]
        if name == "resource" and len(attrs) >= 2:  # `resource.TYPE.NAME` is `TYPE.NAME`
            name, attrs = attrs[0], attrs[1:]
        if not attrs or name in NOT_DECLARED:
            return []
        if name == "var":
            folder.declare("variable", attrs[0])
            d = folder.variables.get(attrs[0])
            return [(folder, keypath, d, None)] if d is not None else []
        if name == "local":
            folder.declare("locals", attrs[0])
            return [
                (folder, keypath, d, frozenset({attrs[0]})) for d in folder.locals.get(attrs[0], [])
            ]
        if name == "data" and len(attrs) >= 2:
            folder.declare("data", attrs[0], attrs[1])
            d = folder.data.get((attrs[0], attrs[1]))
            if d is None:
                return []
            wanted = None if attrs[0] in WHOLE_DATA or len(attrs) < 3 else frozenset({attrs[2]})
            return [(folder, keypath, d, wanted)]
        if name == "module":
            d = folder.modules.get(attrs[0])
            if d is None:
                return []
            out: list[Any] = [(folder, keypath, d, MODULE_META)]
            child = self.resolve_calls(folder, root, keypath).get(attrs[0])
            if isinstance(child, Path):
                cf = self.folder(child)
                kp = _kp(keypath, attrs[0])
                self.callers[(child, root, kp)] = (folder, keypath, d)
                if len(attrs) > 1:
                    cf.declare("output", attrs[1])
                if len(attrs) > 1 and attrs[1] in cf.outputs:
                    outs = [cf.outputs[attrs[1]]]
                else:
                    cf.declare("output")
                    outs = list(cf.outputs.values())
                out.extend((cf, kp, o, None) for o in outs)
                cf.declare("provider")
                out.extend((cf, kp, p, None) for p in cf.providers)
            return out
        if name not in ("var", "local", "data", "module"):  # a resource type, or a local name
            folder.declare("resource", name, attrs[0])
            d = folder.resources.get((name, attrs[0]))
            if d is None:
                return []
            return [
                (folder, keypath, d, resource_demand(name, attrs[1] if len(attrs) > 1 else None))
            ]
        return []

    # -- Host ----------------------------------------------------------------------------

    def child_folder(self, inst: ModuleScope, name: str) -> Any:
        child = self.resolve_calls(inst.folder, inst.root, inst.keypath).get(name)  # type: ignore[arg-type]
        if isinstance(child, Path):
            return self.folder(child)
        return child

    def root_value(self, folder: Any, name: str) -> AttrDef | None:
        """A root module variable's value: the later of its --var and the --var-file options
        that set it, else the last automatic .tfvars file that does (Terraform, "Variable
        definition precedence")."""
        values = self.root_values.get(folder.path)
        if values is None:
            values = self.root_values[folder.path] = self._read_root_values(folder.path)
        given = [i for i, assigned in enumerate(values) if name in assigned]
        cli = self._cli().get(name)
        decl = folder.variables.get(name)
        if cli is not None and decl is not None:
            position = cli[1]
            if not given or given[-1] <= position:  # no --var-file after it sets the name
                return _typed_cli_value(cli[0], decl)
        return values[given[-1]][name] if given else None

    def _read_root_values(self, path: Path) -> list[dict[str, AttrDef]]:
        """What the files of variable values assign, in precedence order: one table for the
        automatic files (terraform.tfvars, *.auto.tfvars), then one per --var-file in
        command-line order (table k is the k-th --var-file)."""
        values: list[dict[str, AttrDef]] = [{}]
        self._read_tfvars(tfvars_files(path), values[0])
        for vf in self.options.var_files:
            values.append({})
            p = Path(vf) if os.path.isabs(vf) else Path(self.options.cwd) / vf
            self._read_tfvars([p], values[-1])
        return values

    def _read_tfvars(self, files: list[Path], values: dict[str, AttrDef]) -> None:
        for f in files:
            display = self.options.display(f)
            if not f.is_file():
                self._once_error(display, [(0, "var file not found")])
                continue
            text, err = read_text(f, display, "terraform")
            if err is not None:
                self._once_estate(display, err)
                continue
            assigned, errors = read_tfvars(f, text or "")
            if errors:
                self._once_error(display, errors)
                continue
            self._once_input(display)
            values.update(assigned)

    def _cli(self) -> dict[str, tuple[AttrDef, int]]:
        """Each --var's value (the last one of a name), and how many --var-file options come
        before it."""
        if self._cli_values is None:
            given = self.options.variables
            positions = self.options.variable_positions or (len(self.options.var_files),) * len(
                given)
            self._cli_values = {
                name: (AttrDef(_Raw(raw), 0, raw if len(raw) < 80 else raw[:77] + "..."), at)
                for (name, raw), at in zip(given, positions, strict=True)
            }
        return self._cli_values

    def _once_error(self, display: str, errors: list[tuple[int, str]]) -> None:
        if any(i.path == display for i in self.inputs):
            return
        self.inputs.append(InputFile(display, "terraform", "error"))
        self.diagnostics.extend(
            Diagnostic("CT000", "fail", message, Location(display, line), display)
            for line, message in errors
        )

    def _once_estate(self, display: str, err: Estate) -> None:
        if any(i.path == display for i in self.inputs):
            return
        self.extra.append(err)
        self.inputs.append(InputFile(display, "terraform", "error"))

    def _once_input(self, display: str) -> None:
        if not any(i.path == display for i in self.inputs):
            self.inputs.append(InputFile(display, "terraform", "ok"))

    def note_unknown_expansion(self, address: str, decl: Decl, reason: Unknown) -> None:
        self.unknown_expansions.setdefault(address, (decl, reason))
        self.expansion_log.append((address, (decl, reason)))

    def note_undeclared(self, where: Location, resource: str, message: str) -> None:
        # once per place and root (a root's diagnostics are stamped with its unit afterwards)
        if not any(d.location == where and d.message == message for d in self.diagnostics):
            self.diagnostics.append(Diagnostic("CT000", "fail", message, where, resource))


class _Raw:
    """A `--var NAME=VALUE` before its variable's type is known (see `_typed_cli_value`)."""

    def __init__(self, raw: str) -> None:
        self.raw = raw


def _typed_cli_value(cli: AttrDef, decl: Decl) -> AttrDef:
    """Terraform reads `--var` values as strings for string variables, and as HCL otherwise."""
    raw = cli.node.raw
    block = decl.parse()
    type_attr = block.attrs.get("type") if block is not None else None
    if type_attr is not None and _TYPE_STRING.match(type_attr.src):
        return AttrDef(Lit(raw), 0, cli.src)
    try:
        node = parse_expression(raw)
    except HclSyntaxError:
        return AttrDef(Lit(raw), 0, cli.src)

    def literal(n: Any) -> bool:
        if isinstance(n, Lit):
            return True
        if isinstance(n, Tup):
            return all(literal(i) for i in n.items)
        if isinstance(n, Obj):
            return all(literal(v) for _, v in n.items)
        return isinstance(n, Un) and literal(n.x)

    return AttrDef(node if literal(node) or isinstance(node, Obj) else Lit(raw), 0, cli.src)


def load_terraform(roots: list[Path], options: LoadOptions) -> Estate:
    """Load the Terraform module folders `roots` (absolute paths) into one estate. A file the
    user named is loaded with its whole folder, so that references resolve, and everything in
    that folder is reported."""
    loader = _Loader(options)
    try:
        return _load(loader, roots, options)
    finally:
        # what was read is freed now, not by a collector pass over every tree: blocks point
        # back to their file, and module instances and recursive walks hold folders in cycles
        for folder in (*loader.folders.values(), *loader.read_ahead.values()):
            for sf in folder.files:
                sf.decls = []
            vars(folder).clear()
        vars(loader).clear()


def _load(loader: _Loader, roots: list[Path], options: LoadOptions) -> Estate:
    paths = sorted({Path(r).resolve() for r in roots})
    loader.read_ahead = read_folders(paths, options)
    reached: set[Path] = set()
    for p in paths:
        _reach(loader, p, reached)
    _module_cycles(loader, reached)  # calls that close a cycle are not followed
    callees: set[Path] = set()
    for p in paths:
        callees |= loader.local_callees(loader.folders[p])
    tops = [p for p in paths if p not in callees]
    processes = parallel.workers(options.jobs, len(tops), PARALLEL_ROOTS)
    if processes > 1 and _independent(loader, tops):
        groups = _components(loader, tops)
        # one group holding most roots (modules shared by every root) leaves the others idle
        if len(groups) > 1 and max(len(g[0]) for g in groups) * 2 <= len(tops):
            return _load_in_pool(loader, tops, groups, processes)
    # in this process: the files that can hold resources of the model are parsed now, with
    # their tokens made in worker processes (in a pool, each worker parses its roots' own)
    parse_files([sf for f in loader.folders.values() for sf in f.seed_files], options)
    for top in tops:
        loader.select(top)
    per_root: list[Estate] = []
    for top in tops:
        estate = _load_root(loader, top)
        if estate is not None:
            per_root.append(estate)
    folders = [folder_status(f) for f in loader.folders.values()]
    expansions = expansion_table(loader.unknown_expansions.items())
    return assemble(folders, loader.diagnostics, loader.inputs, loader.extra, expansions, per_root,
                   _units_of_files(loader, tops))  # fmt: skip


def _load_root(loader: _Loader, top: Path) -> Estate | None:
    """The model objects of one root module (after `select`), None when it holds none."""
    unit = loader.options.display(top)
    start = len(loader.diagnostics)
    _remote_diagnostics(loader, top)
    estate = None
    if loader.relevant(loader.folders[top], top, ""):
        # one collector per root: addresses are unique only within a root module
        collector = Collector(default_region=loader.options.default_region)
        _evaluate_root(loader, top, collector)
        estate = in_unit(collector.estate(), unit)
    # what evaluating this root found is reported in its unit
    loader.diagnostics[start:] = [replace(d, location=replace(d.location, unit=unit))
                                  for d in loader.diagnostics[start:]]  # fmt: skip
    return estate


def _units_of_files(loader: _Loader, tops: list[Path]) -> dict[str, set[str]]:
    """Each file (as displayed) -> the root modules (units) whose module tree holds it."""
    owners: dict[str, set[str]] = {}
    for top in tops:
        unit = loader.options.display(top)
        tree: set[Path] = set()
        _reach(loader, top, tree)
        for folder in (loader.folders[p] for p in tree if p in loader.folders):
            shown = [sf.display for sf in folder.files]
            shown += [i.path for unreadable in folder.read_errors for i in unreadable.inputs]
            for display in shown:
                owners.setdefault(display, set()).add(unit)
    return owners


def _module_cycles(loader: _Loader, folders: set[Path]) -> None:
    """Module calls that lead back to their own folder: Terraform rejects such a configuration,
    so each is a CT000 naming the cycle, and the call is not followed (no instances are invented
    by expanding it again and again)."""
    edges: dict[Path, list[tuple[str, Path]]] = {}
    for path in sorted(folders):
        folder = loader.folder(path)
        edges[path] = [
            (name, child)
            for name, decl in sorted(folder.modules.items())
            if (child := loader.local_path(path, module_source(decl))) is not None
        ]
    for component in strongly_connected(edges):
        members = set(component)
        for path in component:
            for name, child in edges[path]:
                if child not in members:
                    continue
                ring = [path, *cycle_path(edges, child, path, members)]
                cycle = " -> ".join(loader.options.display(p) for p in ring)
                decl = loader.folders[path].modules[name]
                loader.cyclic_calls[(path, name)] = (
                    f"module.{name} calls back into its caller: the modules form a cycle "
                    f"({cycle}), which Terraform rejects"
                )
                loader.diagnostics.append(
                    Diagnostic(
                        "CT000",
                        "fail",
                        loader.cyclic_calls[(path, name)],
                        Location(decl.file.display, decl.line),
                        f"module.{name}",
                    )
                )


def _reach(loader: _Loader, path: Path, reached: set[Path]) -> None:
    if path in reached:
        return
    reached.add(path)
    for child in loader.local_callees(loader.folder(path)):
        if child in loader.folders or loader.is_dir(child):
            _reach(loader, child, reached)


def _remote_diagnostics(loader: _Loader, root: Path) -> None:
    """Module calls that are not evaluated, reported once per call site and address."""
    seen: set[tuple[Path, str]] = set()

    def walk(folder: Folder, keypath: str, prefix: str, chain: tuple[Path, ...]) -> None:
        if (folder.path, keypath) in seen or folder.path in chain or len(chain) > 32:
            return
        seen.add((folder.path, keypath))
        for name, child in loader.resolve_calls(folder, root, keypath).items():
            decl = folder.modules[name]
            address = f"{prefix}module.{name}"
            if (folder.path, name) in loader.cyclic_calls:
                continue  # a CT000 fail already
            if isinstance(child, Path):
                walk(loader.folder(child), _kp(keypath, name), address + ".",
                     (*chain, folder.path))
            else:
                loader.diagnostics.append(
                    Diagnostic(
                        "CT000",
                        "unknown",
                        child.replace(f"module.{name}", address, 1),
                        Location(decl.file.display, decl.line),
                        address,
                    )
                )

    walk(loader.folders[root], "", "", ())


def _evaluate_root(loader: _Loader, root: Path, collector: Collector) -> None:
    folder = loader.folders[root]
    inst = ModuleInstance(loader, folder, "", "", None, "the root module", {}, root=root)

    def relevant_call(parent: ModuleInstance, name: str) -> bool:
        child = loader.child_folder(parent, name)
        return isinstance(child, Folder) and loader.relevant(child, root, _kp(parent.keypath, name))

    for mi in walk_instances(inst, relevant_call):
        for (rtype, name), decl in mi.folder.resources.items():
            if rtype not in MAPPED_TYPES or not is_seed(decl):
                continue
            block = parsed(decl)
            if isinstance(block, Unknown):
                continue
            group = mi.resource("managed", rtype, name)
            instances = group.instances()
            if not instances and rtype in RECORDER_TYPES:
                _not_created(loader, group.base, block, decl)
            for ri in instances:
                collector.add(HclAttrs(ri, block, ri.scope, decl.file.display))


# What records events: a trail or event data store that the input values do not create is said
# so, not silently left out (a module scanned with its defaults would look like no trail at all)
RECORDER_TYPES = frozenset({"aws_cloudtrail", "aws_cloudtrail_event_data_store"})


def _not_created(loader: _Loader, address: str, block: Any, decl: Decl) -> None:
    meta = next((m for m in ("count", "for_each") if m in block.attrs), None)
    if meta is None:
        return
    attr = block.attrs[meta]
    gives = "0" if meta == "count" else "no instances"
    if any(True for _ in traversals(attr.node)):
        message = (f"{address} is not created with these input values ({meta} = {attr.src} gives "
                   f"{gives}), so it is not judged: set the values it depends on (for example "
                   "with --var) to judge it")  # fmt: skip
    else:
        message = f"{address} is never created ({meta} = {attr.src}), so it is not judged"
    loader.diagnostics.append(Diagnostic("CT000", "unknown", message,
                                         Location(decl.file.display, attr.line or decl.line),
                                         address))  # fmt: skip


def _kp(keypath: str, name: str) -> str:
    return f"{keypath}.{name}" if keypath else name


# --------------------------------------------------------------------------------------------
# Root modules in a pool of processes

# Root modules from which loading them in a pool of processes pays for the pool.
PARALLEL_ROOTS = 16


def _independent(loader: _Loader, tops: list[Path]) -> bool:
    """Can the roots be loaded apart? Not when they share what is not their own: `--var-file`
    values (reported once for all roots), or modules installed by `terraform init` (resolved
    only while selecting)."""
    return not loader.options.var_files and not any(
        (top / ".terraform" / "modules" / "modules.json").exists() for top in tops
    )


def _components(loader: _Loader, tops: list[Path]) -> list[tuple[list[int], set[Path]]]:
    """The roots (their indexes in `tops`) grouped so that no two groups share a folder, each
    group with its folders: one group's selecting and evaluating never touches another's."""
    owner: dict[Path, int] = {}
    parent = list(range(len(tops)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, top in enumerate(tops):
        stack = [top]
        while stack:
            path = stack.pop()
            if path in owner:
                a, b = find(owner[path]), find(i)
                parent[max(a, b)] = min(a, b)
                continue
            owner[path] = i
            folder = loader.folders.get(path)
            if folder is not None:
                stack.extend(loader.local_callees(folder, every_call=True))
    groups: dict[int, tuple[list[int], set[Path]]] = {}
    for i in range(len(tops)):
        groups.setdefault(find(i), ([], set()))[0].append(i)
    for path, i in owner.items():
        groups[find(i)][1].add(path)
    return [groups[k] for k in sorted(groups)]


class _Events:
    """What selecting or loading one root added to the loader's shared tables, as data that
    crosses processes: new folders, diagnostics, inputs, extra estates, unknown expansions."""

    def __init__(self, loader: _Loader, since: tuple[int, ...]) -> None:
        f, d, i, e, x = since
        self.folders = list(loader.folders)[f:]
        self.diagnostics = loader.diagnostics[d:]
        self.inputs = loader.inputs[i:]
        self.extra = loader.extra[e:]
        # from the log: a root of another group may have noted the address first in this process,
        # and only the serial order decides which one is reported
        self.expansions: Expansions = {}
        for address, (decl, reason) in loader.expansion_log[x:]:
            self.expansions.setdefault(address, (decl.file.display, decl.line, reason.reason))

    @staticmethod
    def sizes(loader: _Loader) -> tuple[int, ...]:
        return (len(loader.folders), len(loader.diagnostics), len(loader.inputs),
                len(loader.extra), len(loader.expansion_log))  # fmt: skip


RootResult = tuple[int, _Events, _Events, Estate | None]


def _load_in_pool(
    loader: _Loader, tops: list[Path], groups: list[tuple[list[int], set[Path]]], processes: int
) -> Estate:
    """`load_terraform` after the folders are read, with groups of roots that share no folder
    selected and evaluated in forked workers. The workers' additions to the shared tables are
    replayed in the serial order (every root's selecting, then every root's loading), so the
    estate is the serial one."""

    def load(start: int, stop: int) -> tuple[list[RootResult], dict[Path, FolderStatus]]:
        mine = sorted(i for indexes, _ in groups[start:stop] for i in indexes)
        selected = {}
        for i in mine:
            before = _Events.sizes(loader)
            loader.select(tops[i])
            selected[i] = _Events(loader, before)
        results: list[RootResult] = []
        for i in mine:
            before = _Events.sizes(loader)
            estate = _load_root(loader, tops[i])
            results.append((i, selected[i], _Events(loader, before), estate))
        touched = {p for _, folders in groups[start:stop] for p in folders}
        touched |= {p for _, sel, ev, _ in results for p in (*sel.folders, *ev.folders)}
        # a module source may name a folder that does not exist: it has no status
        folders = loader.folders
        return results, {p: folder_status(folders[p]) for p in touched if p in folders}

    # the tables as the folders' reading left them (the slices run here when there is no pool)
    order = list(loader.folders)
    diagnostics, inputs, extra = list(loader.diagnostics), list(loader.inputs), list(loader.extra)
    status: dict[Path, FolderStatus] = {}
    by_root: dict[int, RootResult] = {}
    for results, statuses in parallel.map_slices(load, len(groups), processes):
        status.update(statuses)
        by_root.update((r[0], r) for r in results)
    expansions: Expansions = {}
    steps = [by_root[i][1] for i in sorted(by_root)] + [by_root[i][2] for i in sorted(by_root)]
    for events in steps:
        order.extend(events.folders)
        diagnostics.extend(events.diagnostics)
        inputs.extend(events.inputs)
        extra.extend(events.extra)
        for address, where in events.expansions.items():
            expansions.setdefault(address, where)
    per_root = [e for i in sorted(by_root) if (e := by_root[i][3]) is not None]
    folders = [status[p] if p in status else folder_status(loader.folders[p]) for p in order]
    return assemble(folders, diagnostics, inputs, extra, expansions, per_root,
                   _units_of_files(loader, tops))  # fmt: skip
