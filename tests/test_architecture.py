"""The shape of the package: no import cycles, and imports that point down the layers.

Every import of `checker/` counts, wherever it is written: module level, inside a function,
under `if TYPE_CHECKING:`, and the dynamic ones (`importlib.import_module("checker.x")`, an
f-string naming a package's modules, and the "module:function" strings of the loaders' FORMATS
table). A function-level import that closes a cycle is still a cycle: it only moves the failure
from import time to the first call. docs/architecture.md describes the layers.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "checker"

# the model and the facts every layer shares
FOUNDATION = (
    "checker", "checker.errors", "checker.findings", "checker.model", "checker.rules",
    "checker.regions", "checker.resources", "checker.fingerprint", "checker.compliance",
    "checker.policy_doc", "checker.aws_readonly", "checker.tri", "checker.unknowns",
    "checker.estate_builder", "checker.parallel", "checker.units", "checker.joins",
    "checker.unit_stamp", "checker.delivery_state", "checker.location", "checker.unread",
    "checker.inputs",
)  # fmt: skip

# From the bottom up. Within one layer, each tuple is a group of modules (a name covers the
# package's modules too) that may import one another; a group may import any group of a lower
# layer, never a sibling of its own layer or anything above it.
LAYERS: tuple[tuple[tuple[str, ...], ...], ...] = (
    (FOUNDATION,),
    # formats in, simulation: they know only the model, not each other
    (("checker.loaders",), ("checker.simulator",)),
    # what is built on the simulator: rule predicates, log replay
    (("checker.predicates",), ("checker.replay",)),
    (("checker.engine",),),
    # the project's settings around the findings: config file, suppressions, baselines
    (("checker.config", "checker.suppress", "checker.baseline"),),
    # what is shown: reports, rule documentation, diffs of two configurations
    (("checker.report", "checker.docs"), ("checker.diffing",)),
    (("checker.commands", "checker.cli", "checker.__main__"),),
)


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _known(name: str) -> str | None:
    """The module an imported name lives in: itself, or its closest enclosing module."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _package(module: str) -> str:
    return module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]


def _imported(module: str, tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found = _known(alias.name)
                if found and alias.name.startswith("checker"):
                    yield found
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's own package upward
                pkg = _package(module).split(".")
                base = ".".join(pkg[: len(pkg) - node.level + 1] + ([base] if base else []))
            if base != "checker" and not base.startswith("checker."):
                continue
            for alias in node.names:  # `from pkg import submodule` imports the submodule
                sub = f"{base}.{alias.name}"
                found = sub if sub in MODULES else _known(base)
                if found:
                    yield found
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # "checker.x.y" or "checker.x.y:function" (import_module, the FORMATS table)
            name = node.value.partition(":")[0]
            if name in MODULES:
                yield name
        elif isinstance(node, ast.JoinedStr) and node.values:
            # f"checker.commands.{name}": any module of that package
            head = node.values[0]
            if isinstance(head, ast.Constant) and isinstance(head.value, str):
                prefix = head.value
                if prefix.startswith("checker.") and prefix.endswith("."):
                    yield from (m for m in MODULES if m.startswith(prefix))


def import_graph() -> dict[str, set[str]]:
    graph = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        graph[module] = set(_imported(module, tree)) - {module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _place(module: str) -> tuple[int, int] | None:
    """(layer, group) of a module: the group with the longest name that covers it."""
    best: tuple[int, int, int] | None = None
    for layer, groups in enumerate(LAYERS):
        for group, names in enumerate(groups):
            for name in names:
                covers = module == name or (name != "checker" and module.startswith(name + "."))
                if covers and (best is None or len(name) > best[2]):
                    best = (layer, group, len(name))
    return None if best is None else best[:2]


def layering_violations(graph: dict[str, set[str]]) -> list[str]:
    out = []
    for module in sorted(graph):
        here = _place(module)
        assert here is not None
        for dep in sorted(graph[module]):
            there = _place(dep)
            assert there is not None
            if there[0] > here[0] or (there[0] == here[0] and there[1] != here[1]):
                out.append(f"{module} (layer {here[0]}) imports {dep} (layer {there[0]})")
    return out


def test_the_walk_sees_every_kind_of_import() -> None:
    graph = import_graph()
    assert "checker.model" in graph["checker.engine"]  # module level
    assert "checker.rules" in graph["checker.report"]  # under TYPE_CHECKING
    assert "checker.loaders.terraform.loader" in graph["checker.loaders"]  # in a function
    assert "checker.loaders.aws.snapshot" in graph["checker.loaders"]  # FORMATS "module:fn"
    assert "checker.commands.scan" in graph["checker.cli"]  # f"checker.commands.{name}"
    assert "checker.predicates.trail" in graph["checker.predicates"]  # from pkg import module


def test_no_import_cycles() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle_through_a_function_level_import() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_every_module_has_a_layer() -> None:
    assert [m for m in MODULES if _place(m) is None] == []


def test_imports_point_down_the_layers() -> None:
    assert layering_violations(import_graph()) == []


@pytest.mark.parametrize(
    ("module", "dep"),
    [
        ("checker.model", "checker.loaders.reading"),  # the model never knows a format
        ("checker.errors", "checker.cli"),
        ("checker.loaders.terraform.loader", "checker.simulator.capture"),  # a sibling
        ("checker.engine", "checker.report"),
    ],
)
def test_an_upward_or_sideways_import_is_reported(module: str, dep: str) -> None:
    graph = {module: {dep}, dep: set()}
    assert len(layering_violations(graph)) == 1
