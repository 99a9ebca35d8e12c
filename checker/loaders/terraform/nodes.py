"""The syntax tree of HCL's native syntax, as `parser` builds it and `eval` walks it.

Expressions are small immutable tuples; bodies are `Block`s of `AttrDef`s. Every block and
attribute carries its 1-based line and column, so findings, suppressions and syntax errors point
at the text. This module knows shapes only: no parsing, no values.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate
from typing import Any, NamedTuple, Union

# --------------------------------------------------------------------------------------------
# Expressions


class Lit(NamedTuple):
    value: Any


class Tmpl(NamedTuple):
    """A string template: literal strings and interpolated nodes (and directives)."""

    parts: tuple[Any, ...]


class TIf(NamedTuple):
    cond: Any
    then: Tmpl
    else_: Tmpl


class TFor(NamedTuple):
    key_var: str | None
    val_var: str
    coll: Any
    body: Tmpl


class Var(NamedTuple):
    name: str


class GetAttr(NamedTuple):
    obj: Any
    name: str


class Index(NamedTuple):
    obj: Any
    key: Any


class Splat(NamedTuple):
    """`x[*].a[0]` / `x.*.a`: `ops` (("attr", name) | ("index", node)) applied to each element."""

    obj: Any
    ops: tuple[tuple[str, Any], ...]


class Call(NamedTuple):
    name: str  # `provider::aws::arn_parse` for a provider-defined function
    args: tuple[Any, ...]
    expand: bool  # the last argument is followed by `...`


class Tup(NamedTuple):
    items: tuple[Any, ...]


class Obj(NamedTuple):
    items: tuple[tuple[Any, Any], ...]


class Cond(NamedTuple):
    cond: Any
    then: Any
    else_: Any


class Bin(NamedTuple):
    op: str
    left: Any
    right: Any


class Un(NamedTuple):
    op: str
    x: Any


class For(NamedTuple):
    key_var: str | None
    val_var: str
    coll: Any
    key_expr: Any | None  # None for a tuple `for`
    val_expr: Any
    cond: Any | None
    group: bool  # `...` after the value of an object `for`


Node = Union[Lit, Tmpl, Var, GetAttr, Index, Splat, Call, Tup, Obj, Cond, Bin, Un, For]  # noqa: UP007

# --------------------------------------------------------------------------------------------
# Bodies


class AttrDef(NamedTuple):
    node: Any
    line: int
    src: str  # the expression as written, on one line, for messages
    column: int = 0
    end_line: int = 0  # the line where the expression ends (0: unknown, as for .tf.json)


class Block(NamedTuple):
    type: str
    labels: tuple[str, ...]
    attrs: dict[str, AttrDef]
    blocks: tuple[Block, ...]
    line: int
    end_line: int
    column: int = 0
    start: int = 0  # offsets of the block in its file's text (its type .. after its `}`)
    end: int = 0


class Comment(NamedTuple):
    line: int
    column: int
    text: str  # with its `#`, `//` or `/* */` markers


class SyntaxIssue(NamedTuple):
    line: int
    column: int
    message: str


class ParsedFile(NamedTuple):
    """A whole file: its top-level attributes (values files) and blocks, comments and errors.
    When `errors` is not empty the tree is partial: blocks after an error are read only when
    the parser could find where the broken top-level item ends."""

    attrs: dict[str, AttrDef]
    blocks: tuple[Block, ...]
    comments: tuple[Comment, ...]
    errors: tuple[SyntaxIssue, ...]


class HclSyntaxError(Exception):
    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


class Lines:
    """Offset -> 1-based line (and column) for one text."""

    def __init__(self, text: str) -> None:
        self.starts = list(accumulate(map((1).__add__, map(len, text.split("\n"))), initial=0))
        self.starts.pop()

    def line(self, pos: int) -> int:
        return bisect_right(self.starts, pos)

    def column(self, pos: int) -> int:
        return pos - self.starts[bisect_right(self.starts, pos) - 1] + 1
