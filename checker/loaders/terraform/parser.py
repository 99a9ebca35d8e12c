"""The parser of HCL's native syntax (hclsyntax spec.md): bodies, expressions and templates, from
the tokens of `lexer`, into the tree of `nodes`.

It is as strict as HashiCorp's parser on what it refuses (an argument set twice, a block's `{`
on a later line, tokens after a `}` on its line, a single-line block with more than one
argument, a template label, a bad escape, an unbalanced template directive, ...), and says why
in words. An error inside a top-level block or attribute is recorded, and parsing resumes after
the end of that item (found from the newlines' bracket depth), so every broken top-level item of
a file is reported once.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from checker.loaders.terraform.lexer import Lexed, Token
from checker.loaders.terraform.nodes import (
    AttrDef,
    Bin,
    Block,
    Call,
    Cond,
    For,
    GetAttr,
    Index,
    Lines,
    Lit,
    Obj,
    Splat,
    TFor,
    TIf,
    Tmpl,
    Tup,
    Un,
    Var,
)

_BINARY = {
    "||": 1, "&&": 2, "==": 3, "!=": 3, ">": 4, ">=": 4, "<": 4, "<=": 4,
    "+": 5, "-": 5, "*": 6, "/": 6, "%": 6,
}
_KEYWORDS = {"true": True, "false": False, "null": None}
# Tokens that end an expression: a lone literal or name before one of them is the whole value.
_ENDS = frozenset({"nl", "eof", ",", ")", "]", "}", "}$", ":", "=", "=>", "..."})
_LABELS = frozenset({"str", "id", "{", '"', "attr", "kv", "ref"})
_DIRECTIVES = ("if", "else", "endif", "for", "endfor")


class ParseFail(Exception):
    def __init__(self, message: str, pos: int) -> None:
        self.message = message
        self.pos = pos


_CLOSES = {"}": "{", "]": "[", ")": "(", '"end': '"', "}$": "${", "<<end": "<<"}
_OPENED = {
    "{": "this '{'", "[": "this '['", "(": "this '('", '"': "this string",
    "${": "this ${ interpolation", "<<": "this heredoc",
}


def _innermost_open(toks: list[Token]) -> tuple[str, int] | None:
    """The innermost bracket, string or template sequence still open at the end."""
    stack: list[tuple[str, int]] = []
    for kind, _, pos in toks:
        if kind in ("{", "[", "(", '"', "${", "%{", "<<"):
            stack.append(("${" if kind == "%{" else kind, pos))
        elif kind in _CLOSES and stack and stack[-1][0] == _CLOSES[kind]:
            stack.pop()
    return stack[-1] if stack else None


def show(t: Token) -> str:
    kind = t[0]
    if kind == "nl":
        return "a newline"
    if kind == "eof":
        return "the end of the file"
    if kind in ("str", '"', "lit"):
        return "a string"
    if kind == "<<":
        return "a heredoc"
    if kind == "id" or kind == "ref":
        return repr(t[1])
    if kind == "attr" or kind == "kv":
        return repr(f"{t[1]} =")
    if kind == "num":
        return f"the number {t[1]}"
    if kind == "}$":
        return "'}'"
    return repr(kind)


class Parser:
    def __init__(self, text: str, lexed: Lexed) -> None:
        self.text = text
        self.toks = lexed.tokens
        self.i = 0
        self.starts = Lines(text).starts  # line start offsets, for lines and columns

    def fail(self, message: str, t: Token | None = None) -> ParseFail:
        t = t or self.toks[self.i]
        if t[0] == "bad":
            return ParseFail(t[1], t[2])
        if t[0] == "eof":  # point at what is left open rather than at the end
            opened = _innermost_open(self.toks)
            if opened is not None:
                kind, pos = opened
                what = _OPENED.get(kind, f"this '{kind}'")
                return ParseFail(f"{what} is not closed before the end of the file", pos)
        return ParseFail(message, t[2])

    def expect(self, kind: str, what: str) -> Token:
        t = self.toks[self.i]
        if t[0] != kind:
            raise self.fail(f"expected {what}, found {show(t)}")
        self.i += 1
        return t

    # -- bodies ------------------------------------------------------------------------------

    def file_body(self, errors: list[tuple[int, str]]) -> tuple[dict[str, AttrDef], list[Block]]:
        """The top-level body. An error ends its item; parsing resumes after the item's end
        (the next newline outside any bracket), or stops when there is none."""
        attrs: dict[str, AttrDef] = {}
        blocks: list[Block] = []
        toks = self.toks
        while True:
            t = toks[self.i]
            kind = t[0]
            if kind == "nl":
                self.i += 1
                continue
            if kind == "eof":
                return attrs, blocks
            try:
                self.body_item(t, attrs, blocks, top=True)
            except ParseFail as e:
                errors.append((e.pos, e.message))
                if not self._resume():
                    return attrs, blocks

    def _resume(self) -> bool:
        toks = self.toks
        for k in range(self.i, len(toks)):
            kind = toks[k][0]
            if kind == "nl" and toks[k][1] == 0:
                self.i = k + 1
                return True
            if kind == "eof":
                break
        return False

    def body_item(
        self, t: Token, attrs: dict[str, AttrDef], blocks: list[Block], *, top: bool
    ) -> None:
        toks = self.toks
        kind = t[0]
        if kind == "kv":
            self._kv(t, attrs)
        elif kind == "attr":
            name = t[1]
            first = attrs.get(name)
            attr = self.attribute()
            end = toks[self.i]
            if end[0] != "nl" and end[0] != "eof":
                if end[0] == ",":
                    raise self.fail(
                        "arguments are separated by newlines, not commas", end
                    )
                raise self.fail(
                    f"expected a newline after the value of {name}, found {show(end)}", end
                )
            if first is not None:
                raise self._twice(name, first, t)
            attrs[name] = attr
        elif kind == "id" and toks[self.i + 1][0] in _LABELS:
            if top:  # a block whose body is broken is still known by its header
                blocks.append(self.block(partial=blocks))
            else:
                blocks.append(self.block())
        elif kind == "}" and top:
            raise self.fail("unexpected '}': there is no block to close here")
        elif kind == "str" and toks[self.i + 1][0] == "=":
            raise self.fail("an argument name cannot be quoted: write it as a bare name")
        elif kind != "id":
            raise self.fail(f"expected an argument or a block, found {show(t)}")
        else:
            raise self.fail(
                f"expected '=' (an argument) or a label or '{{' (a block) after {t[1]}, "
                f"found {show(toks[self.i + 1])}",
                toks[self.i + 1],
            )

    def _twice(self, name: str, first: AttrDef, t: Token) -> ParseFail:
        return ParseFail(
            f"{name} is set twice in this block (first at line {first.line}); an argument may "
            "be set only once",
            t[2],
        )

    def attribute(self) -> AttrDef:
        toks = self.toks
        name = toks[self.i]
        self.i += 1
        start = toks[self.i][2]
        node = self.expression()
        stop = toks[self.i][2]
        raw = self.text[start:stop].rstrip()
        line, column = self.position(name[2])
        end_line = bisect_right(self.starts, start + len(raw) - 1) if "\n" in raw else line
        return AttrDef(node, line, _squash(raw), column, end_line)

    def position(self, pos: int) -> tuple[int, int]:
        line = bisect_right(self.starts, pos)
        return line, pos - self.starts[line - 1] + 1

    def _kv(self, t: Token, attrs: dict[str, AttrDef]) -> None:
        """`name = value` written as one token, then the end of the line."""
        name = t[1]
        if name in attrs:
            raise self._twice(name, attrs[name], t)
        v = self.toks[self.i + 1]
        self.i += 2
        pos = t[2]
        line = bisect_right(self.starts, pos)
        src = f'"{v[1]}"' if v[0] == "str" else v[1]
        attrs[name] = AttrDef(
            _lone(v), line, _squash(src), pos - self.starts[line - 1] + 1, line
        )

    def block(self, partial: list[Block] | None = None) -> Block:
        toks = self.toks
        t = toks[self.i]
        self.i += 1
        line, column = self.position(t[2])
        labels: list[str] = []
        while True:
            lt = toks[self.i]
            kind = lt[0]
            if kind == "str" or kind == "id":  # on the line of the type, like the `{`
                labels.append(lt[1])
                self.i += 1
            elif kind == "{":
                break
            elif kind == '"':
                raise self.fail(
                    "a block label must be a literal string: ${ } and %{ } are not allowed "
                    "(write $${ or %%{ to keep them as text)"
                )
            elif kind == "nl":
                raise self.fail(
                    f"the '{{' of the {t[1]} block must be on the same line as its type and labels"
                )
            elif kind == "=":
                raise self.fail(f"'=' cannot follow the labels of the {t[1]} block")
            else:
                raise self.fail(f"expected a quoted label or '{{' in the {t[1]} block, found "
                                f"{show(lt)}")
        attrs: dict[str, AttrDef] = {}
        blocks: list[Block] = []
        try:
            close = self._block_body(t, labels, attrs, blocks)
        except ParseFail:
            if partial is not None:  # what was read before the error
                stop = toks[min(self.i, len(toks) - 1)][2]
                partial.append(Block(t[1], tuple(labels), attrs, tuple(blocks), line, line,
                                     column, t[2], stop))
            raise
        after = toks[self.i]
        if after[0] != "nl" and after[0] != "eof":
            raise self.fail(
                f"expected a newline after the '}}' that closes this {t[1]} block, found "
                f"{show(after)}",
                after,
            )
        return Block(t[1], tuple(labels), attrs, tuple(blocks), line,
                     bisect_right(self.starts, close[2]), column, t[2], close[2] + 1)

    def _block_body(
        self, t: Token, labels: list[str], attrs: dict[str, AttrDef], blocks: list[Block]
    ) -> Token:
        """Fill `attrs` and `blocks` from `{` to `}`; returns the `}`."""
        toks = self.toks
        open_ = toks[self.i]
        self.i += 1
        kind = toks[self.i][0]
        if kind == "}":
            close = toks[self.i]
            self.i += 1
            return close
        if kind != "nl" and kind != "eof":  # a single-line block: at most one argument
            a = toks[self.i]
            if a[0] == "kv":
                self._kv(a, attrs)
            elif a[0] == "attr":
                attrs[a[1]] = self.attribute()
            else:
                raise self.fail(
                    "a block on one line can hold only one argument (name = value); put "
                    "nested blocks and more arguments on lines of their own"
                )
            close = toks[self.i]
            if close[0] != "}":
                raise self.fail(
                    "a block on one line must end with '}' right after its one argument, "
                    f"found {show(close)}"
                )
            self.i += 1
            return close
        while True:
            it = toks[self.i]
            kind = it[0]
            if kind == "nl":
                self.i += 1
                continue
            if kind == "kv":
                self._kv(it, attrs)
                continue
            if kind == "}":
                self.i += 1
                return it
            if kind == "eof":
                what = " ".join([t[1], *(f'"{lab}"' for lab in labels)])
                raise ParseFail(
                    f"the block {what} is not closed: no '}}' matches its '{{' before the "
                    "end of the file",
                    open_[2],
                )
            self.body_item(it, attrs, blocks, top=False)

    # -- expressions -------------------------------------------------------------------------

    def expression(self) -> Any:
        toks = self.toks
        i = self.i
        t = toks[i]
        if toks[i + 1][0] in _ENDS:  # a lone literal or name: most values
            kind = t[0]
            if kind == "str":
                self.i = i + 1
                return Lit(t[1])
            if kind == "ref":
                self.i = i + 1
                return _reference(t[1])
            if kind == "id":
                self.i = i + 1
                name = t[1]
                return Lit(_KEYWORDS[name]) if name in _KEYWORDS else Var(name)
            if kind == "num":
                self.i = i + 1
                return Lit(_number(t[1]))
        cond = self.binary(1)
        if toks[self.i][0] != "?":
            return cond
        self.i += 1
        then = self.expression()
        self.expect(":", "':' and the value when the condition is false")
        return Cond(cond, then, self.expression())

    def binary(self, min_precedence: int) -> Any:
        """Precedence climbing: operators of equal precedence associate to the left."""
        left = self.unary()
        toks = self.toks
        while True:
            op = toks[self.i][0]
            precedence = _BINARY.get(op)
            if precedence is None or precedence < min_precedence:
                return left
            self.i += 1
            left = Bin(op, left, self.binary(precedence + 1))

    def unary(self) -> Any:
        toks = self.toks
        ops: list[str] = []
        while toks[self.i][0] in ("-", "!"):
            ops.append(toks[self.i][0])
            self.i += 1
        x = self.postfix(self.primary())
        for op in reversed(ops):
            if op == "-" and type(x) is Lit and type(x.value) in (int, float):
                x = Lit(-x.value)
            else:
                x = Un(op, x)
        return x

    def postfix(self, node: Any) -> Any:
        toks = self.toks
        while True:
            kind = toks[self.i][0]
            if kind == ".":
                t = toks[self.i + 1]
                if t[0] == "id" or t[0] == "ref":  # `x[0].a.b`: `a.b` is one token
                    for name in t[1].split("."):
                        node = GetAttr(node, name)
                    self.i += 2
                elif t[0] == "num":
                    node = Index(node, Lit(self._legacy_index(t)))
                    self.i += 2
                elif t[0] == "*":
                    self.i += 2
                    node = Splat(node, self._splat_ops(full=False))
                else:
                    raise self.fail(f"expected an attribute name after '.', found {show(t)}", t)
            elif kind == "[":
                if toks[self.i + 1][0] == "*":
                    if toks[self.i + 2][0] != "]":
                        raise self.fail("expected ']' right after '[*'", toks[self.i + 2])
                    self.i += 3
                    node = Splat(node, self._splat_ops(full=True))
                else:
                    self.i += 1
                    key = self.expression()
                    self.expect("]", "']' to close the index")
                    node = Index(node, key)
            else:
                return node

    def _legacy_index(self, t: Token) -> int:
        if not t[1].isdigit():
            raise self.fail(
                f"'.{t[1]}' is not a valid index: write [{t[1].replace('.', '][')}] instead", t
            )
        return int(t[1])

    def _splat_ops(self, *, full: bool) -> tuple[tuple[str, Any], ...]:
        """The steps after `[*]` (attributes and indexes) or `.*` (attributes only)."""
        toks = self.toks
        ops: list[tuple[str, Any]] = []
        while True:
            kind = toks[self.i][0]
            if kind == ".":
                t = toks[self.i + 1]
                if t[0] == "id" or t[0] == "ref":
                    ops.extend(("attr", name) for name in t[1].split("."))
                elif t[0] == "num":
                    ops.append(("index", Lit(self._legacy_index(t))))
                elif t[0] == "*":
                    if not full:
                        raise self.fail("a splat (.*) cannot follow another .* splat", t)
                    return tuple(ops)
                else:
                    raise self.fail(f"expected an attribute name after '.', found {show(t)}", t)
                self.i += 2
            elif kind == "[" and full and toks[self.i + 1][0] != "*":
                self.i += 1
                key = self.expression()
                self.expect("]", "']' to close the index")
                ops.append(("index", key))
            else:
                return tuple(ops)

    def primary(self) -> Any:
        toks = self.toks
        t = toks[self.i]
        kind = t[0]
        if kind == "ref":
            self.i += 1
            return _reference(t[1])
        if kind == "id":
            nxt = toks[self.i + 1][0]
            if nxt == "(" or nxt == "::":
                return self.call()
            self.i += 1
            name = t[1]
            return Lit(_KEYWORDS[name]) if name in _KEYWORDS else Var(name)
        if kind == "str":
            self.i += 1
            return Lit(t[1])
        if kind == "num":
            self.i += 1
            return Lit(_number(t[1]))
        if kind == "(":
            self.i += 1
            inner = self.expression()
            self.expect(")", "')' to close the parenthesis")
            return inner
        if kind == "[":
            return self.tuple_or_for()
        if kind == "{":
            return self.object_or_for()
        if kind == '"':
            self.i += 1
            return self.template('"end')
        if kind == "<<":
            self.i += 1
            return self.template("<<end")
        raise self.fail(f"expected an expression, found {show(t)}")

    def call(self) -> Call:
        toks = self.toks
        name = toks[self.i][1]
        self.i += 1
        while toks[self.i][0] == "::":  # provider::NAME::FUNC
            t = toks[self.i + 1]
            if t[0] != "id":
                raise self.fail(f"expected a function name after '::', found {show(t)}", t)
            name = f"{name}::{t[1]}"
            self.i += 2
        self.expect("(", f"'(' after the function name {name}")
        args: list[Any] = []
        expand = False
        while toks[self.i][0] != ")":
            args.append(self.expression())
            sep = toks[self.i][0]
            if sep == "...":
                expand = True
                self.i += 1
                if toks[self.i][0] != ")":
                    raise self.fail("'...' must be the last thing before the ')' of a call")
                break
            if sep != ",":
                if sep == ")":
                    break
                raise self.fail(
                    f"expected ',' or ')' after an argument of {name}(), found "
                    f"{show(toks[self.i])}"
                )
            self.i += 1
        self.i += 1
        return Call(name, tuple(args), expand)

    def tuple_or_for(self) -> Any:
        toks = self.toks
        self.i += 1
        t = toks[self.i]
        if t[0] == "id" and t[1] == "for":
            return self.for_expr(object_=False)
        items: list[Any] = []
        while toks[self.i][0] != "]":
            items.append(self.expression())
            sep = toks[self.i][0]
            if sep == "]":
                break
            if sep != ",":
                raise self.fail(f"expected ',' or ']' after a list item, found "
                                f"{show(toks[self.i])}")
            self.i += 1
        self.i += 1
        return Tup(tuple(items))

    def object_or_for(self) -> Any:
        toks = self.toks
        self.i += 1
        t = toks[self.i]
        if t[1] == "for" and t[0] in ("id", "attr", "kv"):  # `{for` is a for expression
            if t[0] != "id":
                raise self.fail("expected a variable name after 'for' (write \"for\" = ... for "
                                "a key named for)")
            return self.for_expr(object_=True)
        items: list[tuple[Any, Any]] = []
        while True:
            t = toks[self.i]
            kind = t[0]
            if kind == "nl":
                self.i += 1
                continue
            if kind == "}":
                self.i += 1
                return Obj(tuple(items))
            if kind == "kv":
                items.append((Lit(t[1]), _lone(toks[self.i + 1])))
                self.i += 2
                continue
            if kind == "attr":  # a bare name is the key itself, not a variable
                key: Any = Lit(t[1])
                self.i += 1
            else:
                if kind == "id" and toks[self.i + 1][0] == ":":
                    key = Lit(t[1])
                    self.i += 1
                else:
                    key = self.expression()
                sep = toks[self.i]
                if sep[0] != "=" and sep[0] != ":":
                    raise self.fail(f"expected '=' after an object key, found {show(sep)}")
                self.i += 1
            items.append((key, self.expression()))
            sep = toks[self.i]
            if sep[0] == "," or sep[0] == "nl":
                self.i += 1
            elif sep[0] != "}":
                raise self.fail(
                    f"expected a newline or ',' after an object item, found {show(sep)}"
                )

    def _for_names(self, after: str, where: str) -> list[str]:
        """`k, v in` (or `v in`) of a for expression or a %{for} directive: the names."""
        toks = self.toks
        names = [self.expect("id", f"a variable name after {after}")[1]]
        if toks[self.i][0] == ",":
            self.i += 1
            names.append(self.expect("id", "a second variable name after ','")[1])
        t = toks[self.i]
        if t[0] != "id" or t[1] != "in":
            raise self.fail(f"expected 'in' {where}, found {show(t)}")
        self.i += 1
        return names

    def for_expr(self, *, object_: bool) -> For:
        toks = self.toks
        close = "}" if object_ else "]"
        self.i += 1
        names = self._for_names("'for'", "after the names of a for expression")
        coll = self.expression()
        self.expect(":", "':' after the collection of a for expression")
        value = self.expression()
        key = None
        if toks[self.i][0] == "=>":
            if not object_:
                raise self.fail("'=>' is for objects: [for ...] builds a list of values")
            self.i += 1
            key, value = value, self.expression()
        elif object_:
            raise self.fail("an object for expression needs 'key => value'")
        group = False
        if toks[self.i][0] == "...":
            if not object_:
                raise self.fail("'...' (grouping) is valid only in an object for expression")
            group = True
            self.i += 1
        cond = None
        t = toks[self.i]
        if t[0] == "id" and t[1] == "if":
            self.i += 1
            cond = self.expression()
        self.expect(close, f"'{close}' to end the for expression")
        key_var, val_var = (None, names[0]) if len(names) == 1 else (names[0], names[1])
        return For(key_var, val_var, coll, key, value, cond, group)

    # -- templates ---------------------------------------------------------------------------

    def template(self, end: str) -> Any:
        """A quoted template or a heredoc (after its opening token), up to `end`."""
        toks = self.toks
        parts: list[Any] = []  # strings and [kind, payload, strip_left, strip_right, pos]
        while True:
            t = toks[self.i]
            kind = t[0]
            self.i += 1
            if kind == "lit":
                parts.append(t[1])
            elif kind == "${":
                node = self.expression()
                parts.append(["$", node, t[1], self._sequence_end("interpolation"), t[2]])
            elif kind == "%{":
                parts.append(self._directive(t))
            elif kind == end:
                break
            else:
                self.i -= 1
                raise self.fail(f"expected the end of the string, found {show(t)}")
        for k, p in enumerate(parts):  # ~ strips the spaces of the literal next to it
            if type(p) is list:
                if p[2] and k > 0 and type(parts[k - 1]) is str:
                    parts[k - 1] = parts[k - 1].rstrip()
                if p[3] and k + 1 < len(parts) and type(parts[k + 1]) is str:
                    parts[k + 1] = parts[k + 1].lstrip()
        out, _ = self._nest(parts, 0, ())
        if all(type(p) is str for p in out):
            return Lit("".join(out))
        return Tmpl(tuple(out))

    def _sequence_end(self, what: str) -> bool:
        t = self.toks[self.i]
        if t[0] != "}$":
            raise self.fail(f"expected '}}' to end the {what}, found {show(t)}")
        self.i += 1
        return bool(t[1])

    def _directive(self, open_: Token) -> list[Any]:
        toks = self.toks
        t = toks[self.i]
        word = t[1] if t[0] == "id" else ""
        if word not in _DIRECTIVES:
            raise self.fail(
                f"%{{{word or show(t)}}} is not a template directive: use if, else, endif, "
                "for or endfor"
            )
        self.i += 1
        payload: tuple[Any, ...] = (word,)
        if word == "if":
            payload = ("if", self.expression())
        elif word == "for":
            names = self._for_names("%{for", "in %{for}")
            payload = ("for", names, self.expression())
        return ["%", payload, open_[1], self._sequence_end(f"%{{{word}}} directive"), open_[2]]

    def _nest(self, parts: list[Any], k: int, stops: tuple[str, ...]) -> tuple[list[Any], int]:
        """Nest `%{if}` and `%{for}` directives up to one of `stops`; returns (parts, index)."""
        out: list[Any] = []
        while k < len(parts):
            p = parts[k]
            if type(p) is str:
                out.append(p)
                k += 1
                continue
            if p[0] == "$":
                out.append(p[1])
                k += 1
                continue
            payload = p[1]
            word = payload[0]
            if word in stops:
                return out, k
            if word == "if":
                then, k = self._nest(parts, k + 1, ("else", "endif"))
                else_: list[Any] = []
                if k < len(parts) and parts[k][1][0] == "else":
                    else_, k = self._nest(parts, k + 1, ("endif",))
                if k >= len(parts) or parts[k][1][0] != "endif":
                    raise ParseFail("%{if} has no matching %{endif}", p[4])
                out.append(TIf(payload[1], Tmpl(tuple(then)), Tmpl(tuple(else_))))
            elif word == "for":
                body, k = self._nest(parts, k + 1, ("endfor",))
                if k >= len(parts) or parts[k][1][0] != "endfor":
                    raise ParseFail("%{for} has no matching %{endfor}", p[4])
                names = payload[1]
                key_var, val_var = (None, names[0]) if len(names) == 1 else (names[0], names[1])
                out.append(TFor(key_var, val_var, payload[2], Tmpl(tuple(body))))
            else:
                raise ParseFail(f"%{{{word}}} has no matching opening directive", p[4])
            k += 1
        return out, k


def _lone(t: Token) -> Any:
    """The node of a value written as one token (a string, number, name or reference)."""
    kind = t[0]
    if kind == "str":
        return Lit(t[1])
    if kind == "num":
        return Lit(_number(t[1]))
    return _reference(t[1])


def _reference(dotted: str) -> Any:
    """`a.b.c` (one token) as the traversal GetAttr(GetAttr(Var(a), b), c)."""
    names = dotted.split(".")
    first = names[0]
    node: Any = Lit(_KEYWORDS[first]) if first in _KEYWORDS else Var(first)
    for name in names[1:]:
        node = GetAttr(node, name)
    return node


def _number(text: str) -> int | float:
    if "." in text or "e" in text or "E" in text:
        return float(text)
    return int(text)


def _squash(src: str) -> str:
    """An expression as a reader would quote it in one line."""
    if len(src) <= 120 and "\n" not in src and "  " not in src and "\t" not in src:
        return src
    one = " ".join(src.split())
    return one if len(one) <= 120 else one[:117] + "..."
