"""HCL native syntax: a tokenizer and a parser for expressions, templates and block bodies.

python-hcl2 is the parser of record (it validates files and reports syntax errors), but its
7.x output renders expressions back into strings lossily: `toset(["a", "b c"])` comes back as
`toset([a, b c])` and `concat(["x"], ...)` as `concat([x], ...)`. So expressions are read again
from the source text here, into a small AST that `terraform_eval` evaluates. This module knows
syntax only: no values, no Terraform semantics.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from typing import Any, NamedTuple, Union

# --------------------------------------------------------------------------------------------
# AST


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
    name: str
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


class AttrDef(NamedTuple):
    node: Any
    line: int
    src: str  # the expression as written, for messages


class Block(NamedTuple):
    type: str
    labels: tuple[str, ...]
    attrs: dict[str, AttrDef]
    blocks: tuple[Block, ...]
    line: int
    end_line: int


class HclSyntaxError(Exception):
    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


# --------------------------------------------------------------------------------------------
# Tokens: (kind, value, pos). Kinds: id num str op nl eof. A `str` token's value is a Tmpl.

_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r]+)
  | (?P<nl>\n)
  | (?P<comment>\#[^\n]*|//[^\n]*|/\*.*?\*/)
  | (?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<id>[A-Za-z_][A-Za-z0-9_-]*)
  | (?P<heredoc><<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n)
  | (?P<str>")
  | (?P<op>==|!=|<=|>=|&&|\|\||=>|\.\.\.|::|\[\*\]|\.\*|[-+*/%!<>?:=.,(){}\[\]~])
    """,
    re.X | re.S,
)
_STR_RUN = re.compile(r'[^"\\$%\n]+')
_HEREDOC_RUN = re.compile(r"[^$%]+")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}

Token = tuple[str, Any, int]


def tokenize(
    text: str, pos: int = 0, end: int | None = None, *, until_brace: bool = False
) -> tuple[list[Token], int]:
    """Tokens of `text[pos:end]`. With `until_brace`, stop after the `}` that closes an
    interpolation (depth 0) and return the position after it."""
    end = len(text) if end is None else end
    tokens: list[Token] = []
    depth = 0
    match = _TOKEN.match
    while pos < end:
        m = match(text, pos)
        if m is None:
            raise HclSyntaxError(f"unexpected character {text[pos]!r}", pos)
        kind = m.lastgroup
        if kind == "ws" or kind == "comment":
            pos = m.end()
            continue
        if kind == "str":
            tmpl, pos = _lex_template(text, pos + 1, quoted=True)
            tokens.append(("str", tmpl, m.start()))
            continue
        if kind == "heredoc":
            tmpl, pos = _lex_heredoc(text, m)
            tokens.append(("str", tmpl, m.start()))
            continue
        value = m.group()
        if kind == "op":
            if value == "/" and text.startswith("/*", pos):
                raise HclSyntaxError("unterminated comment", pos)
            if value == "{":
                depth += 1
            elif value == "}":
                if until_brace and depth == 0:
                    return tokens, m.end()
                depth -= 1
        tokens.append((kind, value, m.start()))  # type: ignore[arg-type]
        pos = m.end()
    if until_brace:
        raise HclSyntaxError("unterminated interpolation", pos)
    tokens.append(("eof", None, pos))
    return tokens, pos


def _lex_heredoc(text: str, m: re.Match[str]) -> tuple[Tmpl, int]:
    indent, marker = m.group(7), m.group(8)
    body_start = m.end()
    close = re.compile(r"^[ \t]*" + re.escape(marker) + r"[ \t]*\r?$", re.M)
    c = close.search(text, body_start)
    if c is None:
        raise HclSyntaxError(f"heredoc <<{marker} is not closed", m.start())
    body = text[body_start : c.start()]
    if indent:
        lines = body.split("\n")
        widths = [len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip()]
        cut = min(widths) if widths else 0
        body = "\n".join(ln[cut:] for ln in lines)
    tmpl, _ = _lex_template(body, 0, quoted=False)
    return tmpl, c.end()


def _lex_template(text: str, pos: int, *, quoted: bool) -> tuple[Tmpl, int]:
    """A template from `pos` up to the closing quote (quoted) or the end of `text` (heredoc).
    Directives are gathered flat first, then nested by `_nest`."""
    parts: list[Any] = []
    buf: list[str] = []
    run = _STR_RUN if quoted else _HEREDOC_RUN
    n = len(text)
    while True:
        if pos >= n:
            if quoted:
                raise HclSyntaxError("unterminated string", pos)
            break
        m = run.match(text, pos)
        if m:
            buf.append(m.group())
            pos = m.end()
            continue
        c = text[pos]
        if c == '"' and quoted:
            pos += 1
            break
        if c == "\n":  # only reached when quoted
            raise HclSyntaxError("unterminated string", pos)
        if c == "\\":  # only reached when quoted
            pos = _escape(text, pos, buf)
            continue
        if c in "$%" and text.startswith(c + c + "{", pos):
            buf.append(c + "{")
            pos += 3
            continue
        if c in "$%" and text.startswith(c + "{", pos):
            start = pos
            pos += 2
            strip_left = text.startswith("~", pos)
            if strip_left:
                pos += 1
            tokens, pos = tokenize(text, pos, until_brace=True)
            strip_right = bool(tokens) and tokens[-1][0] == "op" and tokens[-1][1] == "~"
            if strip_right:
                tokens = tokens[:-1]
            if buf:
                parts.append("".join(buf))
                buf = []
            tokens.append(("eof", None, pos))
            parts.append(("$" if c == "$" else "%", tokens, strip_left, strip_right, start))
            continue
        buf.append(c)
        pos += 1
    if buf:
        parts.append("".join(buf))
    return Tmpl(tuple(parts)), pos


def _escape(text: str, pos: int, buf: list[str]) -> int:
    nxt = text[pos + 1 : pos + 2]
    if nxt in _ESCAPES:
        buf.append(_ESCAPES[nxt])
        return pos + 2
    if nxt in ("u", "U"):
        width = 4 if nxt == "u" else 8
        digits = text[pos + 2 : pos + 2 + width]
        if len(digits) == width and all(d in "0123456789abcdefABCDEF" for d in digits):
            buf.append(chr(int(digits, 16)))
            return pos + 2 + width
    raise HclSyntaxError("invalid escape sequence in string", pos)


# --------------------------------------------------------------------------------------------
# Expression parser

# Binary operators by precedence (higher binds tighter), as in HCL.
_PRECEDENCE = {
    "||": 1,
    "&&": 2,
    "==": 3,
    "!=": 3,
    ">": 4,
    ">=": 4,
    "<": 4,
    "<=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "%": 6,
}
_KEYWORDS = {"true": True, "false": False, "null": None}


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.toks = tokens
        self.i = 0
        self.skip_nl = [False]  # newlines are insignificant inside ( ) and [ ]

    # -- token helpers ---------------------------------------------------------------------

    def peek(self) -> Token:
        toks = self.toks
        if self.skip_nl[-1]:
            while toks[self.i][0] == "nl":
                self.i += 1
        return toks[self.i]

    def take(self) -> Token:
        t = self.peek()
        if t[0] != "eof":
            self.i += 1
        return t

    def at_op(self, *ops: str) -> bool:
        t = self.peek()
        return t[0] == "op" and t[1] in ops

    def expect_op(self, op: str) -> Token:
        t = self.take()
        if t[0] != "op" or t[1] != op:
            raise HclSyntaxError(f"expected {op!r}, found {_show(t)}", t[2])
        return t

    def skip_newlines(self) -> None:
        while self.toks[self.i][0] == "nl":
            self.i += 1

    # -- grammar ---------------------------------------------------------------------------

    def expression(self) -> Any:
        cond = self.binary(1)
        if self.at_op("?"):
            self.take()
            self.skip_newlines()
            then = self.expression()
            self.skip_newlines()
            self.expect_op(":")
            self.skip_newlines()
            else_ = self.expression()
            return Cond(cond, then, else_)
        return cond

    def binary(self, min_precedence: int) -> Any:
        """Precedence climbing: operators of equal precedence associate to the left."""
        left = self.unary()
        while True:
            t = self.peek()
            if t[0] != "op":
                return left
            precedence = _PRECEDENCE.get(t[1], 0)
            if precedence < min_precedence or precedence == 0:
                return left
            self.i += 1
            self.skip_newlines()
            right = self.binary(precedence + 1)
            left = Bin(t[1], left, right)

    def unary(self) -> Any:
        if self.at_op("!", "-"):
            op = self.take()[1]
            x = self.unary()
            if op == "-" and isinstance(x, Lit) and isinstance(x.value, (int, float)):
                return Lit(-x.value)
            return Un(op, x)
        return self.postfix(self.primary())

    def postfix(self, node: Any) -> Any:
        while True:
            t = self.peek()
            if t[0] != "op":
                return node
            if t[1] == ".":
                self.take()
                name = self.take()
                if name[0] == "id":
                    node = GetAttr(node, name[1])
                elif name[0] == "num" and str(name[1]).isdigit():
                    node = Index(node, Lit(int(name[1])))
                else:
                    raise HclSyntaxError(
                        f"expected an attribute name after '.', found {_show(name)}", name[2]
                    )
            elif t[1] == "[":
                self.take()
                self.skip_nl.append(True)
                key = self.expression()
                self.expect_op("]")
                self.skip_nl.pop()
                node = Index(node, key)
            elif t[1] in ("[*]", ".*"):
                self.take()
                node = Splat(node, self.splat_ops(full=t[1] == "[*]"))
            else:
                return node

    def splat_ops(self, *, full: bool) -> tuple[tuple[str, Any], ...]:
        ops: list[tuple[str, Any]] = []
        while True:
            t = self.peek()
            if t[0] == "op" and t[1] == "." and self.toks[self.i + 1][0] == "id":
                self.take()
                ops.append(("attr", self.take()[1]))
            elif full and t[0] == "op" and t[1] == "[":
                self.take()
                self.skip_nl.append(True)
                key = self.expression()
                self.expect_op("]")
                self.skip_nl.pop()
                ops.append(("index", key))
            else:
                return tuple(ops)

    def primary(self) -> Any:
        t = self.take()
        kind, value, pos = t
        if kind == "num":
            text = str(value)
            return Lit(float(text) if any(c in text for c in ".eE") else int(text))
        if kind == "str":
            return _template_node(value)
        if kind == "id":
            if value in _KEYWORDS:
                return Lit(_KEYWORDS[value])
            if self.at_op("("):
                return self.call(value)
            if self.at_op("::"):
                raise HclSyntaxError("provider-defined functions are not supported", pos)
            return Var(value)
        if kind == "op":
            if value == "(":
                self.skip_nl.append(True)
                inner = self.expression()
                self.expect_op(")")
                self.skip_nl.pop()
                return inner
            if value == "[":
                return self.tuple_or_for()
            if value == "{":
                return self.object_or_for()
        raise HclSyntaxError(f"expected an expression, found {_show(t)}", pos)

    def call(self, name: str) -> Any:
        self.expect_op("(")
        self.skip_nl.append(True)
        args: list[Any] = []
        expand = False
        while not self.at_op(")"):
            args.append(self.expression())
            if self.at_op("..."):
                self.take()
                expand = True
            if not self.at_op(","):
                break
            self.take()
        self.expect_op(")")
        self.skip_nl.pop()
        return Call(name, tuple(args), expand)

    def tuple_or_for(self) -> Any:
        self.skip_nl.append(True)
        t = self.peek()
        if t[0] == "id" and t[1] == "for" and self._is_for():
            node = self.for_expr(is_object=False)
            self.expect_op("]")
            self.skip_nl.pop()
            return node
        items: list[Any] = []
        while not self.at_op("]"):
            items.append(self.expression())
            if not self.at_op(","):
                break
            self.take()
        self.expect_op("]")
        self.skip_nl.pop()
        return Tup(tuple(items))

    def _is_for(self) -> bool:
        nxt = self.toks[self.i + 1]
        return nxt[0] == "id"

    def object_or_for(self) -> Any:
        self.skip_nl.append(True)
        t = self.peek()
        if t[0] == "id" and t[1] == "for" and self._is_for():
            node = self.for_expr(is_object=True)
            self.expect_op("}")
            self.skip_nl.pop()
            return node
        items: list[tuple[Any, Any]] = []
        while not self.at_op("}"):
            key = self.object_key()
            t = self.take()
            if t[0] != "op" or t[1] not in ("=", ":"):
                raise HclSyntaxError(
                    f"expected '=' or ':' after an object key, found {_show(t)}", t[2]
                )
            self.skip_nl.append(False)
            value = self.expression()
            self.skip_nl.pop()
            items.append((key, value))
            had_newline = self.toks[self.i][0] == "nl"
            if self.at_op(","):
                self.take()
            elif not had_newline and not self.at_op("}"):
                t = self.peek()
                raise HclSyntaxError(
                    f"expected a newline or ',' between object items, found {_show(t)}", t[2]
                )
        self.expect_op("}")
        self.skip_nl.pop()
        return Obj(tuple(items))

    def object_key(self) -> Any:
        t = self.peek()
        if (
            t[0] == "id"
            and self.toks[self.i + 1][0] == "op"
            and self.toks[self.i + 1][1] in ("=", ":")
        ):
            self.take()
            return Lit(t[1])  # a bare name is the key itself, not a variable
        return self.expression()

    def for_expr(self, *, is_object: bool) -> For:
        self.take()  # for
        first = self.take()
        if first[0] != "id":
            raise HclSyntaxError("expected a variable name after 'for'", first[2])
        key_var: str | None = None
        val_var = first[1]
        if self.at_op(","):
            self.take()
            second = self.take()
            if second[0] != "id":
                raise HclSyntaxError("expected a variable name", second[2])
            key_var, val_var = val_var, second[1]
        t = self.take()
        if t[0] != "id" or t[1] != "in":
            raise HclSyntaxError("expected 'in'", t[2])
        coll = self.expression()
        self.expect_op(":")
        key_expr = None
        if is_object:
            key_expr = self.expression()
            self.expect_op("=>")
        val_expr = self.expression()
        group = False
        if is_object and self.at_op("..."):
            self.take()
            group = True
        cond = None
        t = self.peek()
        if t[0] == "id" and t[1] == "if":
            self.take()
            cond = self.expression()
        return For(key_var, val_var, coll, key_expr, val_expr, cond, group)


def _show(t: Token) -> str:
    if t[0] == "eof":
        return "the end of the expression"
    if t[0] == "nl":
        return "a newline"
    if t[0] == "str":
        return "a string"
    return repr(t[1])


def _template_node(tmpl: Tmpl) -> Any:
    """Turn lexed template parts into nodes, nesting `%{if}`/`%{for}` directives."""
    parts = list(tmpl.parts)
    _apply_strip_markers(parts)
    out, rest = _nest(parts, 0, ())
    if rest != len(parts):
        raise HclSyntaxError("unexpected template directive", parts[rest][4])
    if len(out) == 1 and not isinstance(out[0], str) and not isinstance(out[0], (TIf, TFor)):
        return Tmpl((out[0],))
    if all(isinstance(p, str) for p in out):
        return Lit("".join(out))
    return Tmpl(tuple(out))


def _apply_strip_markers(parts: list[Any]) -> None:
    for i, p in enumerate(parts):
        if isinstance(p, tuple):
            if p[2] and i > 0 and isinstance(parts[i - 1], str):
                parts[i - 1] = parts[i - 1].rstrip()
            if p[3] and i + 1 < len(parts) and isinstance(parts[i + 1], str):
                parts[i + 1] = parts[i + 1].lstrip()


def _nest(parts: list[Any], i: int, stops: tuple[str, ...]) -> tuple[list[Any], int]:
    out: list[Any] = []
    while i < len(parts):
        p = parts[i]
        if isinstance(p, str):
            out.append(p)
            i += 1
            continue
        kind, tokens, _, _, pos = p
        if kind == "$":
            out.append(parse_expression_tokens(tokens))
            i += 1
            continue
        word = tokens[0][1] if tokens and tokens[0][0] == "id" else ""
        if word in stops:
            return out, i
        if word == "if":
            p2 = _Parser(tokens)
            p2.skip_nl = [True]
            p2.take()
            cond = p2.expression()
            then, i = _nest(parts, i + 1, ("else", "endif"))
            else_: list[Any] = []
            if i < len(parts) and parts[i][1][0][1] == "else":
                else_, i = _nest(parts, i + 1, ("endif",))
            if i >= len(parts):
                raise HclSyntaxError("%{if} without %{endif}", pos)
            out.append(TIf(cond, Tmpl(tuple(then)), Tmpl(tuple(else_))))
            i += 1
            continue
        if word == "for":
            p2 = _Parser(tokens)
            p2.skip_nl = [True]
            p2.take()
            names = [p2.take()[1]]
            if p2.at_op(","):
                p2.take()
                names.append(p2.take()[1])
            if p2.take()[1] != "in":
                raise HclSyntaxError("expected 'in' in %{for}", pos)
            coll = p2.expression()
            body, i = _nest(parts, i + 1, ("endfor",))
            if i >= len(parts):
                raise HclSyntaxError("%{for} without %{endfor}", pos)
            key_var, val_var = (None, names[0]) if len(names) == 1 else (names[0], names[1])
            out.append(TFor(key_var, val_var, coll, Tmpl(tuple(body))))
            i += 1
            continue
        raise HclSyntaxError(f"unexpected template directive %{{{word}}}", pos)
    return out, i


def parse_expression_tokens(tokens: list[Token]) -> Any:
    p = _Parser(tokens)
    p.skip_nl = [True]
    node = p.expression()
    t = p.peek()
    if t[0] != "eof":
        raise HclSyntaxError(f"unexpected {_show(t)} after the expression", t[2])
    return node


def parse_expression(text: str) -> Any:
    """One expression (e.g. a `--var` value or a `.tf.json` expression string)."""
    tokens, _ = tokenize(text)
    return parse_expression_tokens(tokens)


def parse_template(text: str) -> Any:
    """A `.tf.json` string: a template without quotes or escapes of its own."""
    tmpl, _ = _lex_template(text, 0, quoted=False)
    return _template_node(tmpl)


# --------------------------------------------------------------------------------------------
# Bodies


class Lines:
    """Offset -> 1-based line number, for one text."""

    def __init__(self, text: str) -> None:
        self.starts = [0]
        find = text.find
        i = find("\n")
        while i >= 0:
            self.starts.append(i + 1)
            i = find("\n", i + 1)

    def line(self, pos: int) -> int:
        return bisect_right(self.starts, pos)


def parse_block(text: str, pos: int, end: int, lines: Lines) -> Block:
    """The top-level block written at `text[pos:end]` (a header, then `{ body }`)."""
    tokens, _ = tokenize(text, pos, end)
    p = _BodyParser(tokens, text, lines)
    p.skip_newlines()
    block = p.block()
    p.skip_newlines()
    t = p.peek()
    if t[0] != "eof":
        raise HclSyntaxError(f"unexpected {_show(t)} after the block", t[2])
    return block


def parse_body(text: str, lines: Lines | None = None) -> Block:
    """A whole file of attributes and blocks (a `.tfvars` file), as one unnamed block."""
    lines = lines or Lines(text)
    tokens, _ = tokenize(text)
    p = _BodyParser(tokens, text, lines)
    attrs, blocks = p.body(top=True)
    return Block("", (), attrs, tuple(blocks), 1, lines.line(len(text)))


class _BodyParser(_Parser):
    def __init__(self, tokens: list[Token], text: str, lines: Lines) -> None:
        super().__init__(tokens)
        self.text = text
        self.lines = lines
        self.skip_nl = [False]

    def block(self) -> Block:
        t = self.take()
        if t[0] != "id":
            raise HclSyntaxError(f"expected a block type, found {_show(t)}", t[2])
        labels: list[str] = []
        while True:
            lt = self.peek()
            if lt[0] == "str":
                label = _template_node(lt[1])
                if not isinstance(label, Lit):
                    raise HclSyntaxError("a block label cannot contain interpolations", lt[2])
                labels.append(str(label.value))
                self.take()
            elif lt[0] == "id":
                labels.append(lt[1])
                self.take()
            else:
                break
        self.skip_newlines()
        self.expect_op("{")
        attrs, blocks = self.body(top=False)
        close = self.expect_op("}")
        return Block(
            t[1],
            tuple(labels),
            attrs,
            tuple(blocks),
            self.lines.line(t[2]),
            self.lines.line(close[2]),
        )

    def body(self, *, top: bool) -> tuple[dict[str, AttrDef], list[Block]]:
        attrs: dict[str, AttrDef] = {}
        blocks: list[Block] = []
        while True:
            self.skip_newlines()
            t = self.peek()
            if t[0] == "eof" or (t[0] == "op" and t[1] == "}"):
                if t[0] == "eof" and not top:
                    raise HclSyntaxError("a block is not closed", t[2])
                if t[0] == "op" and top:
                    raise HclSyntaxError("unexpected '}'", t[2])
                return attrs, blocks
            nxt = self.toks[self.i + 1]
            if t[0] == "id" and nxt[0] == "op" and nxt[1] == "=":
                self.i += 2
                start = self.peek()[2]
                node = self.expression()
                stop = self.toks[self.i][2]
                if t[1] in attrs:
                    raise HclSyntaxError(f"attribute {t[1]!r} is set twice", t[2])
                attrs[t[1]] = AttrDef(node, self.lines.line(t[2]), _squash(self.text[start:stop]))
                after = self.peek()
                if after[0] not in ("nl", "eof") and not (after[0] == "op" and after[1] == "}"):
                    raise HclSyntaxError(
                        f"unexpected {_show(after)} after the value of {t[1]}", after[2]
                    )
            else:
                blocks.append(self.block())


def _squash(src: str) -> str:
    """An expression as a reader would quote it in one line."""
    one = " ".join(src.split())
    return one if len(one) <= 120 else one[:117] + "..."


# --------------------------------------------------------------------------------------------
# References


Step = tuple[str, Any]  # ("attr", name) | ("index", key or None when not a literal)


def traversals(node: Any) -> Iterator[tuple[str, tuple[Step, ...]]]:
    """Every reference in an expression, as its root name and the steps after it:
    `aws_s3_bucket.b[0].arn` ->
    ("aws_s3_bucket", (("attr", "b"), ("index", 0), ("attr", "arn")))."""
    t = type(node)
    if t in (Var, GetAttr, Index, Splat):
        root, steps, subs = _flatten(node)
        if root is not None:
            yield root, steps
        for s in subs:
            yield from traversals(s)
    elif t is Tmpl:
        for p in node.parts:
            if isinstance(p, TIf):
                yield from traversals(p.cond)
                yield from traversals(p.then)
                yield from traversals(p.else_)
            elif isinstance(p, TFor):
                yield from traversals(p.coll)
                yield from traversals(p.body)
            elif not isinstance(p, str):
                yield from traversals(p)
    elif t is Call:
        for a in node.args:
            yield from traversals(a)
    elif t is Tup:
        for i in node.items:
            yield from traversals(i)
    elif t is Obj:
        for k, v in node.items:
            yield from traversals(k)
            yield from traversals(v)
    elif t is Cond:
        yield from traversals(node.cond)
        yield from traversals(node.then)
        yield from traversals(node.else_)
    elif t is Bin:
        yield from traversals(node.left)
        yield from traversals(node.right)
    elif t is Un:
        yield from traversals(node.x)
    elif t is For:
        for part in (node.coll, node.key_expr, node.val_expr, node.cond):
            if part is not None:
                yield from traversals(part)


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
