"""Module calls that form a cycle: Terraform rejects such a configuration (`loader` reports each
call that closes one, and does not follow it).
"""

from __future__ import annotations

from pathlib import Path

Edges = dict[Path, list[tuple[str, Path]]]


def strongly_connected(edges: Edges) -> list[list[Path]]:
    """Tarjan's algorithm, iteratively: the components that hold a cycle (a ring of folders,
    or one folder calling itself)."""
    index: dict[Path, int] = {}
    low: dict[Path, int] = {}
    stack: list[Path] = []
    on_stack: set[Path] = set()
    out: list[list[Path]] = []
    for start in edges:
        if start in index:
            continue
        work: list[tuple[Path, int]] = [(start, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            children = [c for _, c in edges.get(node, []) if c in edges]
            if i < len(children):
                work.append((node, i + 1))
                child = children[i]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[Path] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or any(c == node for _, c in edges.get(node, [])):
                    out.append(sorted(component))
    return out


def cycle_path(edges: Edges, start: Path, end: Path, members: set[Path]) -> list[Path]:
    """A path of calls from `start` to `end` inside one component (breadth first)."""
    previous: dict[Path, Path | None] = {start: None}
    queue = [start]
    while queue:
        node = queue.pop(0)
        if node == end:
            break
        for _, child in edges[node]:
            if child in members and child not in previous:
                previous[child] = node
                queue.append(child)
    path: list[Path] = []
    step: Path | None = end
    while step is not None:
        path.append(step)
        step = previous.get(step)
    return list(reversed(path))


