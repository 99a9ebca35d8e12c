"""Parsed documents that remember where each value was written.

Both the YAML and the JSON readers (`cfn_yaml`, `cfn_json`) build these: a mapping is a
`LineDict` (its own line, and the line of each key), a list a `LineList` (its own line, and the
line of each item). Scalars are plain Python values; their line is the line of the key or item
that holds them. Lines are 1-based and come from the parser, never from searching the text.
"""

from __future__ import annotations

from typing import Any

# Limits that keep a hostile file from eating time or memory. Templates nest a dozen levels and
# use aliases, if at all, for a few small fragments.
MAX_DEPTH = 100
MAX_ALIAS_EXPANSION = 100_000  # nodes that aliases add when expanded


class SourceError(Exception):
    """A file that cannot be parsed, with the 1-based line of the problem (0: the whole file)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class LineDict(dict[str, Any]):
    """A mapping with its line and the line of each key."""

    __slots__ = ("key_lines", "line")

    def __init__(self, line: int = 0) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    """A list with its line and the line of each item."""

    __slots__ = ("item_lines", "line")

    def __init__(self, line: int = 0) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


def line_of(node: Any, key: str | int | None = None) -> int:
    """The line of `node[key]` (or of `node` itself) when the parser recorded it, else 0."""
    if key is None:
        return int(getattr(node, "line", 0))
    if isinstance(node, LineDict) and isinstance(key, str):
        return node.line_of(key)
    if isinstance(node, LineList) and isinstance(key, int):
        return node.line_of(key)
    return int(getattr(node, "line", 0))


def line_at(node: Any, path: tuple[Any, ...] | list[Any]) -> int:
    """The line of the deepest element of `path` (keys and indexes from `node`) that the parser
    recorded; 0 when `node` has no lines."""
    line = line_of(node)
    for key in path:
        found = (isinstance(node, dict) and key in node) or (
            isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)
        )
        if not found:
            break
        line, node = line_of(node, key) or line, node[key]
    return line
