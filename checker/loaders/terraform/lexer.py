"""The tokenizer of HCL's native syntax (hclsyntax spec.md, "Lexical Elements").

One compiled pattern is matched at each position of the text (`finditer`, so the loop over
ordinary tokens runs mostly in C); strings, heredocs and template sequences switch the mode.
A stack of open brackets decides where newlines matter, as in HCL: inside `( )`, `[ ]`, `${ }`
and a `{ for ... }` they are whitespace, in a block body or an object they end an item. So the
parser never skips newlines itself, and every newline token carries the bracket depth, which
lets the parser resume after an error at the end of the broken top-level item.

Tokens are `(kind, value, offset)`. Kinds: `id` (value: the name), `attr` (a name and the `=`
after it, as arguments and object items start; value: the name), `kv` (the same, when the value
is the next token alone and the line ends after it: most arguments), `ref` (names joined by dots,
such as `var.x.y`: most references are one token), `num` (its text), `str` (a
string without template sequences; value: the decoded text), `nl` (value: the bracket depth),
the punctuation itself (`=`, `{`, `==`, `::`, ...), and for templates `"` ... `"end` (a quoted
template), `<<` ... `<<end` (a heredoc; value: (flush, marker)), `lit` (literal text),
`${` / `%{` (value: a `~` strip marker follows) and `}$` (the `}` that closes a template
sequence; value: a `~` precedes it). `bad` is a character HCL does not use (value: the message);
the last token is `eof`.
"""

from __future__ import annotations

import re
from typing import Any

Token = tuple[str, Any, int]

# Deeper nesting of brackets, blocks and templates is refused ("nested too deeply"): the parser
# is recursive, and real configurations nest a few levels.
MAX_DEPTH = 100

_LINE_COMMENT = r"(?:\#|//)[^\r\n]*"
_NEWLINES = rf"(?:{_LINE_COMMENT})?\r?\n(?:[ \t]*(?:{_LINE_COMMENT})?\r?\n)*"
_REF = r"[^\W\d][\w-]*(?:\.[^\W\d][\w-]*)*"
# Group numbers matter: the lexer dispatches on `lastindex`, the last group that matched.
_MAIN = re.compile(
    rf"""[ \t]*(?:
    (?P<nl>{_NEWLINES})
  | (?P<name>{_REF})(?:[ \t]*(?P<eq>=)(?![=>])
      (?:[ \t]*(?P<value>"[^"\\$%\r\n]*"|\d+|{_REF})[ \t]*(?P<kvnl>{_NEWLINES}))?)?
  | (?P<close>[}}\])]|~\}})(?:[ \t]*(?P<closenl>{_NEWLINES}))?
  | (?P<open>[{{\[(])
  | (?P<str>"(?:[^"\\$%\r\n]|\\[^\r\n]|\$\$\{{|%%\{{|[$%](?!\{{))*")
  | (?P<heredoc><<-?[^\W\d][\w-]*\r?\n)
  | (?P<op>==|!=|<=|>=|&&|\|\||=>|\.\.\.|::|[=.,:?+\-*%!<>])
  | (?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<q>")
  | (?P<comment>{_LINE_COMMENT}|/\*.*?\*/)
  | (?P<slash>/)
  | (?P<bad>.|\Z)
)""",
    re.X | re.S,
)
_COMMENTS = re.compile(_LINE_COMMENT)
_QUOTED_LIT = re.compile(r'(?:[^"\\$%\r\n]|\\[^\r\n]|\$\$\{|%%\{|[$%](?!\{))+')
_HEREDOC_LIT = re.compile(r"(?:[^$%]|\$\$\{|%%\{|[$%](?!\{))+")
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))|([$%])\4\{", re.S)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
# `{ for` opens a for expression (no newlines inside), whatever follows
_FOR_AHEAD = re.compile(r"(?:\s|(?:\#|//)[^\n]*\n|/\*.*?\*/)*for(?![\w-])", re.S)
_CLOSERS = {"}": "{F", "]": "[", ")": "("}
_BAD = {
    "'": "single quotes are not valid: use double quotes (\") around strings",
    ";": "';' is not valid: use newlines between arguments and commas between items",
    "&": "'&' is not an operator: did you mean '&&'?",
    "|": "'|' is not an operator: did you mean '||'?",
    "^": "bitwise operators are not supported",
    "`": "'`' is not valid: use a heredoc (<<EOT) for a multi-line string",
    "~": "'~' is valid only next to the braces of ${ } and %{ }",
    "\u201c": "curly quotes are not valid: use straight double quotes (\")",
    "\u201d": "curly quotes are not valid: use straight double quotes (\")",
}


class Lexed:
    """The tokens of a text, its comments (offset, text) and its lexical errors (offset,
    message). `fatal`: lexing stopped early (nesting too deep, an unclosed heredoc or comment),
    so the tokens do not describe the whole text."""

    __slots__ = ("comments", "errors", "fatal", "tokens")

    def __init__(self) -> None:
        self.tokens: list[Token] = []
        self.comments: list[tuple[int, str]] = []
        self.errors: list[tuple[int, str]] = []
        self.fatal = False


def lex(text: str, *, template: bool = False) -> Lexed:
    """The tokens of `text`: a configuration file or an expression, or with `template` a bare
    template (the value of a `.tf.json` string: `${ }` and `%{ }` without quotes or escapes)."""
    out = Lexed()
    toks = out.tokens
    push = toks.append
    errors = out.errors
    comments = out.comments
    stack: list[str] = []  # { F ( [ $ " H: brace, for-brace, paren, bracket, ${, quote, heredoc
    heredocs: list[tuple[int, int, bool, int]] = []  # (body end, resume at, flush, first token)
    n = len(text)
    pos = 0

    def newlines(s: int, run: str) -> None:
        """A run of newlines (with line comments): one token where newlines end items."""
        if "#" in run or "/" in run:
            comments.extend((s + c.start(), c.group()) for c in _COMMENTS.finditer(run))
        if not stack or stack[-1] == "{":
            push(("nl", len(stack), s))

    if template:
        push(("<<", (False, ""), 0))
        stack.append("H")
        heredocs.append((n, n, False, 0))
    while True:
        top = stack[-1] if stack else ""
        if top == '"':
            pos = _quoted(text, pos, out, stack)
            continue
        if top == "H":
            end, resume, flush, first = heredocs[-1]
            if pos >= end:
                push(("<<end", None, end))
                stack.pop()
                heredocs.pop()
                if flush:
                    _flush(toks, first + 1)
                pos = max(pos, resume)
                continue
            m = _HEREDOC_LIT.match(text, pos, end)
            if m is not None:
                push(("lit", _unescape(m.group(), pos, errors, quoted=False), pos))
                pos = m.end()
                continue
            pos = _open_sequence(text, pos, out, stack)
            if out.fatal:
                break
            continue
        if pos >= n:
            break
        for m in _MAIN.finditer(text, pos):
            g = m.lastindex
            if g == 1:  # newlines (and line comments)
                newlines(m.start(1), m.group(1))
            elif g == 2:  # a name, or names joined by dots
                v = m.group(2)
                push(("ref" if "." in v else "id", v, m.start(2)))
            elif g == 3:  # a name and `=`
                v = m.group(2)
                if "." in v:  # an object key `a.b = ...`: a reference
                    push(("ref", v, m.start(2)))
                    push(("=", None, m.start(3)))
                else:
                    push(("attr", v, m.start(2)))
            elif g == 5:  # name = a lone string, number or reference, then the line ends
                v = m.group(2)
                if "." in v:
                    push(("ref", v, m.start(2)))
                    push(("=", None, m.start(3)))
                else:
                    push(("kv", v, m.start(2)))
                v = m.group(4)
                if v[0] == '"':
                    push(("str", v[1:-1], m.start(4)))
                else:
                    push(("num" if v[0].isdigit() else "ref" if "." in v else "id", v, m.start(4)))
                newlines(m.start(5), m.group(5))
            elif g == 6 or g == 7:  # a closer, and the newlines after it
                s = m.start(6)
                c = m.group(6)
                if stack and stack[-1] == "$":  # back into the template
                    stack.pop()
                    push(("}$", c == "~}", s))
                    pos = m.end(6)
                    break
                if c == "~}":
                    push(("bad", _BAD["~"], s))
                else:
                    openers = _CLOSERS[c]
                    if stack and stack[-1] in openers:
                        stack.pop()
                    else:  # a stray closer: drop the brackets it skips, if it closes any
                        for k in range(len(stack) - 1, -1, -1):
                            if stack[k] in '$"H':
                                break
                            if stack[k] in openers:
                                del stack[k:]
                                break
                    push((c, None, s))
                if g == 7:
                    newlines(m.start(7), m.group(7))
            elif g == 8:  # an opener
                s = m.start(8)
                c = m.group(8)
                if len(stack) >= MAX_DEPTH:
                    _too_deep(out, s)
                    break
                push((c, None, s))
                if c == "{" and not _block_header(toks) and _FOR_AHEAD.match(text, s + 1):
                    c = "F"
                stack.append(c)
            elif g == 9:  # a string without template sequences
                s = m.start(9)
                raw = m.group(9)[1:-1]
                if "\\" in raw or "$$" in raw or "%%" in raw:
                    raw = _unescape(raw, s + 1, errors, quoted=True)
                push(("str", raw, s))
            elif g == 10:
                pos = _heredoc(text, m, out, stack, heredocs)
                break
            elif g == 11:
                push((m.group(11), None, m.start(11)))
            elif g == 12:
                push(("num", m.group(12), m.start(12)))
            elif g == 13:  # a template string
                s = m.start(13)
                if len(stack) >= MAX_DEPTH:
                    _too_deep(out, s)
                    break
                stack.append('"')
                push(('"', None, s))
                pos = m.end()
                break
            elif g == 14:
                comments.append((m.start(14), m.group(14)))
            elif g == 15:
                s = m.start(15)
                if text.startswith("/*", s):
                    errors.append((s, "this /* comment is not closed by */"))
                    out.fatal = True
                    break
                push(("/", None, s))
            else:  # bad
                s = m.start(16)
                c = m.group(16)
                if not c:  # the end of the text
                    pos = n
                    break
                push(("bad", _BAD.get(c, f"the character {c!r} is not valid here"), s))
        else:
            pos = n
        if out.fatal:
            break
    end = len(text)
    push(("eof", None, end))
    push(("eof", None, end))  # lets the parser look one token past the end
    return out


def _block_header(toks: list[Token]) -> bool:
    """Do the tokens before the last one (a `{`), since the start of its line, make a block
    header (a name, then names or strings), so that the `{` opens a block body, not an object?"""
    last = len(toks) - 2
    k = last
    while k >= 0 and toks[k][0] in ("id", "str"):
        k -= 1
    return k < last and toks[k + 1][0] == "id" and (k < 0 or toks[k][0] in ("nl", "{"))


def _too_deep(out: Lexed, pos: int) -> None:
    out.errors.append(
        (pos, f"nested too deeply: more than {MAX_DEPTH} levels of brackets, blocks or templates")
    )
    out.fatal = True


def _open_sequence(text: str, pos: int, out: Lexed, stack: list[str]) -> int:
    """At `${` or `%{` (with an optional `~`) inside a template: push it, return where its
    expression starts."""
    if len(stack) >= MAX_DEPTH:
        _too_deep(out, pos)
        return pos
    strip = text.startswith("~", pos + 2)
    out.tokens.append((text[pos] + "{", strip, pos))
    stack.append("$")
    return pos + 2 + strip


def _quoted(text: str, pos: int, out: Lexed, stack: list[str]) -> int:
    """Inside a quoted template: the next literal, sequence or the closing quote."""
    m = _QUOTED_LIT.match(text, pos)
    if m is not None:
        out.tokens.append(("lit", _unescape(m.group(), pos, out.errors, quoted=True), pos))
        pos = m.end()
    c = text[pos : pos + 1]
    if c == '"':
        out.tokens.append(('"end', None, pos))
        stack.pop()
        return pos + 1
    if c in ("$", "%"):  # `${` or `%{`: the literal pattern took every other `$` and `%`
        return _open_sequence(text, pos, out, stack)
    if c == "\\":
        out.errors.append((pos, "a backslash at the end of a line is not a valid escape"))
    out.errors.append(
        (pos, "this string is not closed on its line: a quoted string cannot span lines "
              "(use \\n, or a heredoc such as <<EOT)")
    )
    out.tokens.append(('"end', None, pos))
    stack.pop()
    return pos  # the newline (or the end) is read again outside the string


def _heredoc(
    text: str, m: re.Match[str], out: Lexed, stack: list[str],
    heredocs: list[tuple[int, int, bool, int]],
) -> int:
    s = m.start(10)
    head = m.group(10)
    flush = head.startswith("<<-")
    marker = head[3 if flush else 2 :].rstrip("\r\n")
    body = m.end()
    close = re.compile(r"^[ \t]*" + re.escape(marker) + r"[ \t]*\r?\n", re.M).search(text, body)
    if close is None:
        out.errors.append(
            (s, f"the heredoc <<{marker} is not closed: no line holding only {marker} (and a "
                "newline) follows it")
        )
        out.fatal = True
        return len(text)
    if len(stack) >= MAX_DEPTH:
        _too_deep(out, s)
        return len(text)
    out.tokens.append(("<<", (flush, marker), s))
    stack.append("H")
    newline = close.end() - (2 if text.startswith("\r\n", close.end() - 2) else 1)
    heredocs.append((close.start(), newline, flush, len(out.tokens) - 1))
    return body


def _unescape(raw: str, pos: int, errors: list[tuple[int, str]], *, quoted: bool) -> str:
    """A literal's value: `$${` and `%%{` stand for `${` and `%{`; quoted strings also have
    backslash escapes (\\n \\r \\t \\" \\\\ \\uNNNN \\UNNNNNNNN)."""
    if not quoted:
        return raw.replace("$${", "${").replace("%%{", "%{") if "{" in raw else raw

    def one(m: re.Match[str]) -> str:
        if m.group(4):
            return m.group(4) + "{"
        hexa = m.group(1) or m.group(2)
        if hexa:
            code = int(hexa, 16)
            if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                errors.append((pos + m.start(), f"\\{m.group()[1:]} is not a Unicode character"))
                return ""
            return chr(code)
        c = m.group(3)
        if c in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[c]
        if c in "uU":
            need = "four" if c == "u" else "eight"
            errors.append((pos + m.start(), f"\\{c} must be followed by {need} hexadecimal digits"))
        else:
            errors.append((pos + m.start(), f"\\{c} is not a valid escape sequence in a string"))
        return c

    return _ESCAPE.sub(one, raw)


def _flush(toks: list[Token], first: int) -> None:
    """`<<-`: remove the smallest indentation of the heredoc's lines from each line, as HCL
    does it: on the literal text at line starts (a line starting with `${` counts as not
    indented), lines holding only spaces are neither counted nor changed."""
    parts: list[int] = []  # indexes of the heredoc's own literals, -1 for a template sequence
    depth = 0
    for k in range(first, len(toks) - 1):
        kind = toks[k][0]
        if kind in ("${", "%{"):
            if depth == 0:
                parts.append(-1)
            depth += 1
        elif kind == "}$":
            depth -= 1
        elif kind == "lit" and depth == 0:
            parts.append(k)
    smallest: int | None = None
    at_start = True
    for k in parts:
        if k < 0:
            if at_start:
                smallest = 0
            at_start = False
            continue
        value: str = toks[k][1]
        pieces = value.split("\n")
        for j, piece in enumerate(pieces):
            last = j == len(pieces) - 1
            if (j or at_start) and not (last and not piece) and (last or piece.strip()):
                width = len(piece) - len(piece.lstrip())
                smallest = width if smallest is None else min(smallest, width)
        at_start = value.endswith("\n")
    if not smallest:
        return
    at_start = True
    for k in parts:
        if k < 0:
            at_start = False
            continue
        kind, value, p = toks[k]
        pieces = value.split("\n")
        for j, piece in enumerate(pieces):
            last = j == len(pieces) - 1
            if (j or at_start) and (last or piece.strip()):
                pieces[j] = piece[smallest:]
        toks[k] = (kind, "\n".join(pieces), p)
        at_start = value.endswith("\n")
