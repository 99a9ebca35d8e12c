"""HCL native syntax, the one parser of record for Terraform files: `parse_file` gives a file's
blocks and attributes (with lines and columns), its comments and its syntax errors; the evaluator
walks the same tree (`nodes`), and suppressions are read from the same comments.

The tokenizer is `lexer`, the grammar `parser`; this module is their public face, and finds the
references in an expression (`traversals`) for the loader's demand-driven selection.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

from checker.loaders.terraform.lexer import Lexed, lex
from checker.loaders.terraform.nodes import (
    AttrDef,
    Bin,
    Block,
    Call,
    Comment,
    Cond,
    For,
    GetAttr,
    HclSyntaxError,
    Index,
    Lines,
    Lit,
    Node,
    Obj,
    ParsedFile,
    Splat,
    SyntaxIssue,
    TFor,
    TIf,
    Tmpl,
    Tup,
    Un,
    Var,
)
from checker.loaders.terraform.parser import ParseFail, Parser, show

__all__ = [
    "AttrDef",
    "Bin",
    "Block",
    "Call",
    "Comment",
    "Cond",
    "For",
    "GetAttr",
    "HclSyntaxError",
    "Index",
    "Lexed",
    "Lines",
    "Lit",
    "Node",
    "Obj",
    "ParsedFile",
    "Splat",
    "Step",
    "SyntaxIssue",
    "TFor",
    "TIf",
    "Tmpl",
    "Tup",
    "Un",
    "Var",
    "block_traversals",
    "lex",
    "parse_expression",
    "parse_file",
    "parse_template",
    "traversals",
]


# --------------------------------------------------------------------------------------------
# Parsing


def parse_file(text: str, lexed: Lexed | None = None) -> ParsedFile:
    """A whole configuration or values file; `lexed`: its tokens, when they were made already
    (`lex(text)` in another process, see `prefetch`)."""
    enabled = gc.isenabled()
    gc.disable()  # parsing makes many small tuples and no cycles: collecting them is waste
    try:
        return _parse_file(text, lex(text) if lexed is None else lexed)
    finally:
        if enabled:
            gc.enable()


def _parse_file(text: str, lexed: Lexed) -> ParsedFile:
    p = Parser(text, lexed)
    errors = list(lexed.errors)
    if lexed.fatal:
        attrs: dict[str, AttrDef] = {}
        blocks: list[Block] = []
    else:
        try:
            attrs, blocks = p.file_body(errors)
        except RecursionError:
            errors.append((p.toks[min(p.i, len(p.toks) - 1)][2], "nested too deeply"))
            attrs, blocks = {}, []
    comments = tuple(Comment(*p.position(pos), c) for pos, c in lexed.comments)
    issues = tuple(
        SyntaxIssue(*p.position(pos), message) for pos, message in sorted(set(errors))
    )
    return ParsedFile(attrs, tuple(blocks), comments, issues)


def parse_expression(text: str) -> Any:
    """One expression (a `--var` value, or an expression string of a `.tf.json` file)."""
    lexed = lex(text)
    _raise_first(lexed.errors)
    p = Parser(text, lexed)
    try:
        node = p.expression()
        while p.toks[p.i][0] == "nl":
            p.i += 1
        t = p.toks[p.i]
        if t[0] != "eof":
            raise p.fail(f"unexpected {show(t)} after the expression")
    except ParseFail as e:
        raise HclSyntaxError(e.message, e.pos) from None
    except RecursionError:
        raise HclSyntaxError("nested too deeply", 0) from None
    return node


def parse_template(text: str) -> Any:
    """A bare template: the value of a `.tf.json` string (`${ }` and `%{ }`, no escapes)."""
    lexed = lex(text, template=True)
    _raise_first(lexed.errors)
    p = Parser(text, lexed)
    p.i = 1
    try:
        return p.template("<<end")
    except ParseFail as e:
        raise HclSyntaxError(e.message, e.pos) from None
    except RecursionError:
        raise HclSyntaxError("nested too deeply", 0) from None


def _raise_first(errors: list[tuple[int, str]]) -> None:
    if errors:
        pos, message = min(errors)
        raise HclSyntaxError(message, pos)


# --------------------------------------------------------------------------------------------
# References


Step = tuple[str, Any]  # ("attr", name) | ("index", key or None when not a literal)


def traversals(
    node: Any, bound: frozenset[str] = frozenset()
) -> Iterator[tuple[str, tuple[Step, ...]]]:
    """Every reference in an expression, as its root name and the steps after it:
    `aws_s3_bucket.b[0].arn` ->
    ("aws_s3_bucket", (("attr", "b"), ("index", 0), ("attr", "arn"))).
    The variables of a `for` expression (`bound` inside it) are not references."""
    t = type(node)
    if t in (Var, GetAttr, Index, Splat):
        root, steps, subs = _flatten(node)
        if root is not None and root not in bound:
            yield root, steps
        for s in subs:
            yield from traversals(s, bound)
    elif t is Tmpl:
        for p in node.parts:
            if isinstance(p, TIf):
                yield from traversals(p.cond, bound)
                yield from traversals(p.then, bound)
                yield from traversals(p.else_, bound)
            elif isinstance(p, TFor):
                yield from traversals(p.coll, bound)
                yield from traversals(p.body, bound | _for_names(p))
            elif not isinstance(p, str):
                yield from traversals(p, bound)
    elif t is Call:
        for a in node.args:
            yield from traversals(a, bound)
    elif t is Tup:
        for i in node.items:
            yield from traversals(i, bound)
    elif t is Obj:
        for k, v in node.items:
            yield from traversals(k, bound)
            yield from traversals(v, bound)
    elif t is Cond:
        yield from traversals(node.cond, bound)
        yield from traversals(node.then, bound)
        yield from traversals(node.else_, bound)
    elif t is Bin:
        yield from traversals(node.left, bound)
        yield from traversals(node.right, bound)
    elif t is Un:
        yield from traversals(node.x, bound)
    elif t is For:
        yield from traversals(node.coll, bound)
        inner = bound | _for_names(node)
        for part in (node.key_expr, node.val_expr, node.cond):
            if part is not None:
                yield from traversals(part, inner)


def _for_names(node: For | TFor) -> frozenset[str]:
    return frozenset(n for n in (node.key_var, node.val_var) if n)


def is_traversal(node: Any) -> bool:
    """Whether an expression is one reference and nothing more: `local.a.b[0]`, not
    `local.a[var.k]` nor `local.a[*].b`."""
    while type(node) in (GetAttr, Index):
        if type(node) is Index and not isinstance(node.key, Lit):
            return False
        node = node.obj
    return type(node) is Var


def _flatten(node: Any) -> tuple[str | None, tuple[Step, ...], list[Any]]:
    steps: list[Step] = []
    subs: list[Any] = []
    while True:
        t = type(node)
        if t is GetAttr:
            steps.append(("attr", node.name))
            node = node.obj
        elif t is Index:
            key = node.key
            if isinstance(key, Lit):
                steps.append(("index", key.value))
            else:
                steps.append(("index", None))
                subs.append(key)
            node = node.obj
        elif t is Splat:
            for kind, arg in reversed(node.ops):
                if kind == "attr":
                    steps.append(("attr", arg))
                elif isinstance(arg, Lit):
                    steps.append(("index", arg.value))
                else:
                    steps.append(("index", None))
                    subs.append(arg)
            steps.append(("index", None))
            node = node.obj
        elif t is Var:
            steps.reverse()
            return node.name, tuple(steps), subs
        else:
            subs.append(node)
            steps.reverse()
            return None, tuple(steps), subs


def block_traversals(
    block: Block, skip: frozenset[str] = frozenset()
) -> Iterator[tuple[str, tuple[Step, ...]]]:
    """The references of every attribute and nested block of `block`, except those in `skip`."""
    for name, attr in block.attrs.items():
        if name not in skip:
            yield from traversals(attr.node)
    for b in block.blocks:
        if b.type not in skip:
            yield from block_traversals(b, skip)
