"""Tokenizer and recursive-descent parser for CloudWatch Logs filter patterns.

Grammar (JSON form; precedence `()` > `&&` > `||`, as the CloudWatch Logs docs state):

    json       := "{" or_expr "}"
    or_expr    := and_expr ("||" and_expr)*
    and_expr   := primary ("&&" primary)*
    primary    := "(" or_expr ")" | selector test
    test       := op value | "IS" ("NULL" | "TRUE" | "FALSE") | "NOT" "EXISTS"
    selector   := "$" step+    step := "." name | "[" digits "]" | "[*]" | ".*" | [.]"['" any "']"
                                                                      name := [A-Za-z0-9_-]+
    value      := "quoted" | %regex% | bare-token

Space-delimited: `"[" column ("," column)* [","] "]"`, column := `...` | name | name op value
(("&&" | "||") name op value)*, every condition naming its own column.
Terms: `[?][-]term ...` where term := "quoted phrase" | %regex% | bare-word.

Sources (awsdocs/amazon-cloudwatch-logs-user-guide FilterAndPatternSyntax.md @5ae5c9a, the
current FilterAndPatternSyntax.html, AWS CDK aws-logs/lib/pattern.ts) are cited where used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from checker.simulator.filter_ast import (
    NUMERIC_ONLY_OPERATORS,
    And,
    Body,
    CellComparison,
    Check,
    CheckKind,
    Column,
    Comparison,
    JsonBody,
    JsonExpr,
    JsonOperator,
    Kind,
    NumberValue,
    Or,
    PatternError,
    RegexValue,
    Selector,
    SpaceBody,
    Step,
    StringValue,
    Term,
    TermsBody,
    Value,
    Wild,
)

MAX_PATTERN_LENGTH = 1024  # logs service model: shape FilterPattern {"max":1024,"min":0}
MAX_REGEXES = 2  # "a limit of 2 regex for each filter pattern" (current FilterAndPatternSyntax)
# Current page, Quotas: "up to three wildcard selectors in a filter pattern with compound
# expressions".
MAX_WILDCARD_SELECTORS = 3

# "An integer with an optional + or - sign, a decimal with an optional + or - sign, or a number in
# scientific notation" (docs, Numeric Comparisons).
NUMBER_RE = re.compile(r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_NAME_RE = re.compile(r"[A-Za-z0-9_-]+")  # selector properties: alphanumeric plus '-' and '_'
_COLUMN_RE = re.compile(r"[A-Za-z0-9_-]+")  # space-delimited column names (CDK validColumnName)
_DIGITS_RE = re.compile(r"\d+")
# Bare tokens stop at whitespace and at every character that is syntax in JSON or
# space-delimited patterns; the docs ask for quotes beyond [A-Za-z0-9_], but AWS's own CIS
# patterns use bare dotted tokens (kms.amazonaws.com), so those are accepted.
_WORD_RE = re.compile(r"[^\s(){}\[\],&|=!<>\"%$]+")
# Regex characters the docs allow: alphanumerics, the symbols _ # = @ / ; , - (one copy of the
# page also lists ':'), and the operators ^ $ ? [ ] { } | \ * + . ; '(' and ')' are "not supported".
# Space is accepted too: the AWS CDK's own regexValue example is 'bind: address already in use'.
_REGEX_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    "_#=@/;,-: "
    "^$?[]{}|\\*+."
)

TokenKind = Literal[
    "(", ")", "{", "}", "[", "]", ",", "&&", "||",
    "op", "selector", "string", "regex", "word", "eof",
]


_PUNCTUATION: dict[str, TokenKind] = {
    "(": "(", ")": ")", "{": "{", "}": "}", "[": "[", "]": "]", ",": ",", "&&": "&&", "||": "||",
}
_OPERATORS: dict[str, JsonOperator] = {
    "=": "=", "!=": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">=",
}
_CHECKS: dict[str, CheckKind] = {"NULL": "IS NULL", "TRUE": "IS TRUE", "FALSE": "IS FALSE"}


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    text: str  # decoded: string contents, regex source, operator, word, or the raw selector
    pos: int
    steps: tuple[Step, ...] = ()


@dataclass
class _State:
    """What one parse collects besides the tree."""

    regexes: int = 0
    wildcards: int = 0
    caveats: list[str] = field(default_factory=list)

    def add_wildcard(self, pos: int) -> None:
        self.wildcards += 1
        if self.wildcards > MAX_WILDCARD_SELECTORS:
            raise PatternError(f"at most {MAX_WILDCARD_SELECTORS} wildcard selectors per pattern",
                               pos)

    def add_regex(self, pos: int) -> None:
        self.regexes += 1
        if self.regexes > MAX_REGEXES:
            raise PatternError(f"at most {MAX_REGEXES} regular expressions per pattern", pos)

    def caveat(self, text: str) -> None:
        if text not in self.caveats:
            self.caveats.append(text)


def parse_body(pattern: str) -> tuple[Kind, Body, tuple[str, ...]]:
    """Parse a whole pattern: its kind, its tree and the caveats met on the way."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise PatternError(
            f"pattern is {len(pattern)} characters; CloudWatch Logs allows {MAX_PATTERN_LENGTH}",
            MAX_PATTERN_LENGTH,
        )
    state = _State()
    stripped = pattern.lstrip()
    if not stripped:
        return "all", None, ()
    if stripped[0] == "{":
        expr = _Parser(pattern, state).parse_json()
        return "json", JsonBody(expr), tuple(state.caveats)
    if stripped[0] == "[":
        space = _Parser(pattern, state).parse_space_delimited()
        return "space_delimited", space, tuple(state.caveats)
    terms = _parse_terms(pattern, state)
    if _matches_everything(terms):
        return "all", None, ()
    return "terms", terms, tuple(state.caveats)


def _matches_everything(body: TermsBody) -> bool:
    # `""` and `" "` match all events (docs: "The filter pattern "" matches all log events";
    # the current page gives `" "` for the same).
    if len(body.terms) != 1:
        return False
    term = body.terms[0]
    return not term.regex and not term.exclude and not term.optional and not term.text.strip()


# --- tokenizer (JSON and space-delimited forms) ---------------------------------------------


def _read_quoted(text: str, start: int) -> tuple[str, int]:
    """The decoded contents of the quoted literal opening at `start`, and the offset after it.
    Only \\" and \\\\ are escapes (the AWS CDK's quoteTerm writes exactly those)."""
    out: list[str] = []
    i = start + 1
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in '"\\':
            out.append(text[i + 1])
            i += 2
        elif c == '"':
            return "".join(out), i + 1
        else:
            out.append(c)
            i += 1
    raise PatternError("unterminated quoted string", start)


def _read_regex(text: str, start: int, state: _State) -> tuple[str, int]:
    end = text.find("%", start + 1)
    if end < 0:
        raise PatternError("unterminated regular expression (missing closing '%')", start)
    source = text[start + 1 : end]
    if not source:
        raise PatternError("empty regular expression", start)
    for offset, c in enumerate(source, start + 1):
        if c in "()":
            raise PatternError(
                "parentheses are not supported in CloudWatch Logs regular expressions", offset
            )
        if ord(c) > 127:
            raise PatternError("multi-byte characters are not supported in regular expressions",
                               offset)
        if c not in _REGEX_CHARS:
            raise PatternError(f"character {c!r} is not supported in regular expressions", offset)
    try:
        re.compile(source)
    except re.error as err:
        pos = start + 1 + (err.pos or 0)
        raise PatternError(f"invalid regular expression: {err.msg}", pos) from None
    state.add_regex(start)
    return source, end + 1


def _read_selector(text: str, start: int, state: _State) -> tuple[tuple[Step, ...], int]:
    """`$.name`, `$.name[0]`, `$.a[*]`, `$.*` and `$.['a.b']` (the current page's bracket
    notation for names with a period); one wildcard per selector, three per pattern."""
    steps: list[Step] = []
    i = start + 1
    n = len(text)
    wild = False
    while i < n and text[i] in ".[":
        at = i
        if text.startswith(".[", i):
            i += 1  # `.['a.b']`: a bracket may follow the dot
        step: Step
        if text[i] == ".":
            if text.startswith(".*", i):
                step, i = Wild("field"), i + 2
            else:
                m = _NAME_RE.match(text, i + 1)
                if m is None:
                    what = text[i + 1] if i + 1 < n else "end of pattern"
                    raise PatternError(
                        f"expected a property name after '.', found {what!r} (selectors are "
                        "$.name, $.name[0], $.a.b, $.a[*], $.* and $.['a.b'])",
                        i + 1,
                    )
                step, i = m.group(), m.end()
        elif i + 1 < n and text[i + 1] in "'\"":
            step, i = _read_bracket_name(text, i + 1)
        else:
            if not steps:
                raise PatternError("an array index must follow a property ($.name[0])", i)
            if text.startswith("[*]", i):
                step, i = Wild("element"), i + 3
            else:
                m = _DIGITS_RE.match(text, i + 1)
                if m is None or m.end() >= n or text[m.end()] != "]":
                    raise PatternError("expected an array index such as [0] or [*]", i)
                step, i = int(m.group()), m.end() + 1
        if isinstance(step, Wild):
            if wild:
                # Current page, Quotas: "up to one wildcard selector in a property selector".
                raise PatternError("a selector may use one wildcard ([*] or .*) only", at)
            wild = True
            state.add_wildcard(at)
        steps.append(step)
    if not steps:
        raise PatternError("a selector needs a property after '$' (for example $.eventName)",
                           start)
    return tuple(steps), i


def _read_bracket_name(text: str, start: int) -> tuple[str, int]:
    """The property name quoted at `start` inside `[...]`, and the offset after the `]`."""
    if text[start] == '"':
        name, end = _read_quoted(text, start)
    else:
        close = text.find("'", start + 1)
        if close < 0:
            raise PatternError("unterminated quoted property name", start)
        name, end = text[start + 1 : close], close + 1
    if not name:
        raise PatternError("empty property name", start)
    if end >= len(text) or text[end] != "]":
        raise PatternError("expected ']' after the quoted property name", end)
    return name, end + 1


def _tokenize(text: str, start: int, state: _State) -> list[Token]:
    tokens: list[Token] = []
    i = start
    n = len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            tokens.append(Token("eof", "", n))
            return tokens
        c = text[i]
        two = text[i : i + 2]
        if c in _PUNCTUATION:
            tokens.append(Token(_PUNCTUATION[c], c, i))
            i += 1
        elif two in _PUNCTUATION:
            tokens.append(Token(_PUNCTUATION[two], two, i))
            i += 2
        elif c in "&|":
            raise PatternError(f"expected '{c}{c}'", i)
        elif two in ("!=", "<=", ">="):
            tokens.append(Token("op", two, i))
            i += 2
        elif two == "==":
            raise PatternError("'==' is not an operator; use '='", i)
        elif c in "=<>":
            tokens.append(Token("op", c, i))
            i += 1
        elif c == "!":
            raise PatternError("'!' must be followed by '=' ('!=')", i)
        elif c == '"':
            value, i2 = _read_quoted(text, i)
            tokens.append(Token("string", value, i))
            i = i2
        elif c == "%":
            source, i2 = _read_regex(text, i, state)
            tokens.append(Token("regex", source, i))
            i = i2
        elif c == "$":
            steps, i2 = _read_selector(text, i, state)
            tokens.append(Token("selector", text[i:i2], i, steps))
            i = i2
        else:
            m = _WORD_RE.match(text, i)
            assert m is not None  # every other character starts a word
            tokens.append(Token("word", m.group(), i))
            i = m.end()


def _describe(tok: Token) -> str:
    if tok.kind == "eof":
        return "end of pattern"
    if tok.kind == "string":
        return f'"{tok.text}"'
    return repr(tok.text)


# --- parser (JSON and space-delimited forms) ------------------------------------------------


class _Parser:
    def __init__(self, text: str, state: _State) -> None:
        self.text = text
        self.state = state
        start = len(text) - len(text.lstrip())
        self.tokens = _tokenize(text, start, state)
        self.i = 0

    def peek(self) -> Token:
        return self.tokens[self.i]

    def next(self) -> Token:
        tok = self.tokens[self.i]
        if tok.kind != "eof":
            self.i += 1
        return tok

    def expect(self, kind: TokenKind, message: str) -> Token:
        tok = self.peek()
        if tok.kind != kind:
            raise PatternError(f"{message}, found {_describe(tok)}", tok.pos)
        return self.next()

    def expect_end(self, closer: str) -> None:
        tok = self.peek()
        if tok.kind != "eof":
            raise PatternError(f"unexpected {_describe(tok)} after the closing '{closer}'", tok.pos)

    # JSON ---------------------------------------------------------------------------------

    def parse_json(self) -> JsonExpr:
        self.expect("{", "expected '{'")
        if self.peek().kind == "}":
            raise PatternError("empty JSON pattern", self.peek().pos)
        expr = self.or_expr()
        tok = self.peek()
        if tok.kind == ")":
            raise PatternError("unbalanced ')'", tok.pos)
        self.expect("}", "expected '&&', '||' or '}'")
        self.expect_end("}")
        return expr

    def or_expr(self) -> JsonExpr:
        items = [self.and_expr()]
        while self.peek().kind == "||":
            self.next()
            items.append(self.and_expr())
        return _flatten(Or, items)

    def and_expr(self) -> JsonExpr:
        items = [self.primary()]
        while self.peek().kind == "&&":
            self.next()
            items.append(self.primary())
        return _flatten(And, items)

    def primary(self) -> JsonExpr:
        tok = self.peek()
        if tok.kind == "(":
            self.next()
            if self.peek().kind == ")":
                raise PatternError("empty parentheses: expected a condition", self.peek().pos)
            expr = self.or_expr()
            close = self.peek()
            if close.kind != ")":
                raise PatternError(
                    f"unbalanced '(' (opened at position {tok.pos}): expected ')', "
                    f"found {_describe(close)}",
                    close.pos,
                )
            self.next()
            return expr
        if tok.kind == "selector":
            return self.condition()
        if tok.kind == ")":
            raise PatternError("unbalanced ')'", tok.pos)
        raise PatternError(
            f"expected a condition such as $.eventName = \"X\", found {_describe(tok)}", tok.pos
        )

    def condition(self) -> JsonExpr:
        expr = self._condition()
        if expr.selector.wild and (isinstance(expr, Check) or expr.op == "!="):
            self.state.caveat(f"{expr}: the page documents wildcard selectors with '=' only; "
                              "this holds when one selected value passes (NOT EXISTS: when "
                              "nothing is selected)")  # fmt: skip
        return expr

    def _condition(self) -> Comparison | Check:
        sel_tok = self.next()
        selector = Selector(sel_tok.steps)
        tok = self.peek()
        if tok.kind == "op":
            self.next()
            return Comparison(selector, _OPERATORS[tok.text], self.value(tok))
        keyword = tok.text.upper() if tok.kind == "word" else ""
        if keyword == "IS":
            self.next()
            what = self.next()
            word = what.text.upper() if what.kind == "word" else ""
            if word in _CHECKS:
                return Check(selector, _CHECKS[word])
            if word == "NOT":
                # Docs: "IS NOT and EXISTS currently aren't supported."
                raise PatternError("'IS NOT' is not supported by CloudWatch Logs", what.pos)
            raise PatternError(
                f"expected NULL, TRUE or FALSE after IS, found {_describe(what)}", what.pos
            )
        if keyword == "NOT":
            self.next()
            what = self.next()
            if what.kind == "word" and what.text.upper() == "EXISTS":
                return Check(selector, "NOT EXISTS")
            raise PatternError(f"expected EXISTS after NOT, found {_describe(what)}", what.pos)
        if keyword == "EXISTS":
            raise PatternError(
                "'EXISTS' is not supported by CloudWatch Logs (use '= *' or NOT EXISTS)", tok.pos
            )
        raise PatternError(
            f"expected an operator (=, !=, <, >, <=, >=), IS or NOT EXISTS after {sel_tok.text}, "
            f"found {_describe(tok)}",
            tok.pos,
        )

    def value(self, op_tok: Token) -> Value:
        """The value after an operator; numeric operators need a bare number."""
        tok = self.peek()
        numeric_only = op_tok.text in NUMERIC_ONLY_OPERATORS
        if tok.kind == "word" and NUMBER_RE.fullmatch(tok.text):
            self.next()
            return NumberValue(tok.text)
        if tok.kind in ("word", "string", "regex") and numeric_only:
            # TestMetricFilter rejects `$.x > "123"` and `$.x > abc` (InvalidParameterException).
            raise PatternError(f"'{op_tok.text}' compares numbers: expected a number, found "
                               f"{_describe(tok)}", tok.pos)
        if tok.kind == "regex":
            self.next()
            return RegexValue(tok.text)
        if tok.kind in ("word", "string"):
            self.next()
            if tok.kind == "word" and tok.text in ("true", "false", "null"):
                self.state.caveat(
                    f"compares with {tok.text}: '='/'!=' only match string and number fields "
                    "(docs); booleans and null need IS TRUE / IS FALSE / IS NULL"
                )
            text = tok.text
            core = text[1:] if text.startswith("*") else text
            core = core[:-1] if core.endswith("*") else core
            if "*" in core:
                self.state.caveat(
                    f"'*' inside {text!r} is literal: only a leading or trailing '*' is a wildcard"
                )
            return StringValue(text)
        raise PatternError(f"expected a value after '{op_tok.text}', found {_describe(tok)}",
                           tok.pos)

    # space-delimited ----------------------------------------------------------------------

    def parse_space_delimited(self) -> SpaceBody:
        self.expect("[", "expected '['")
        columns: list[Column] = []
        ellipsis_at: int | None = None
        while True:
            tok = self.peek()
            if tok.kind == "]" and columns:  # trailing comma: one more, unnamed column (docs)
                columns.append(Column(None))
                break
            if tok.kind == "word" and tok.text == "...":
                if ellipsis_at is not None:
                    # AWS CDK: "Can use at most one '...' column".
                    raise PatternError("at most one '...' per pattern", tok.pos)
                ellipsis_at = tok.pos
                self.next()
                columns.append(Column(None, ellipsis=True))
            elif tok.kind == "word" and _COLUMN_RE.fullmatch(tok.text):
                columns.append(self.column())
            else:
                raise PatternError(f"expected a column name or '...', found {_describe(tok)}",
                                   tok.pos)
            sep = self.peek()
            if sep.kind == "]":
                break
            self.expect(",", "expected ',' or ']'")
        self.next()  # the ']'
        self.expect_end("]")
        return SpaceBody(tuple(columns))

    def column(self) -> Column:
        name_tok = self.next()
        name = name_tok.text
        if self.peek().kind != "op":
            return Column(name)
        disjuncts: list[tuple[CellComparison, ...]] = []
        current: list[CellComparison] = [self.cell_comparison()]
        while self.peek().kind in ("&&", "||"):
            joiner = self.next().kind
            ref = self.peek()
            if ref.kind != "word" or ref.text != name:
                # A condition on another column inside this one is rejected by CloudWatch
                # ("Invalid filter pattern", awsdocs/amazon-cloudwatch-logs-user-guide#21).
                raise PatternError(f"a condition in column '{name}' must name '{name}', found "
                                   f"{_describe(ref)}", ref.pos)
            self.next()
            if self.peek().kind != "op":
                raise PatternError(f"expected an operator after '{name}', found "
                                   f"{_describe(self.peek())}", self.peek().pos)
            if joiner == "||":
                disjuncts.append(tuple(current))
                current = []
            current.append(self.cell_comparison())
        disjuncts.append(tuple(current))
        return Column(name, condition=tuple(disjuncts))

    def cell_comparison(self) -> CellComparison:
        op_tok = self.next()
        return CellComparison(_OPERATORS[op_tok.text], self.value(op_tok))


def _flatten(kind: type[And] | type[Or], items: list[JsonExpr]) -> JsonExpr:
    if len(items) == 1:
        return items[0]
    flat: list[JsonExpr] = []
    for item in items:
        flat.extend(item.items if isinstance(item, kind) else (item,))
    return kind(tuple(flat))


# --- term patterns --------------------------------------------------------------------------


def _parse_terms(text: str, state: _State) -> TermsBody:
    """`A B` (all), `?A ?B` (any), `"a phrase"`, `-A` (exclude), `%regex%`.

    Current page: "If you combine "?" with other filter patterns, all question mark terms
    will be ignored" (`?ERROR ?ARGUMENTS REQUEST` matches "[INFO] REQUEST FAILED").
    """
    terms: list[Term] = []
    i = 0
    n = len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        start = i
        optional = exclude = False
        if text[i] == "?":
            optional = True
            i = _skip_space(text, i + 1)
        if i < n and text[i] == "-":
            exclude = True
            i = _skip_space(text, i + 1)  # the docs write `"ERROR" - "Exiting"`
        if i >= n:
            raise PatternError(f"expected a term after {text[start]!r}", i)
        if text[i] == '"':
            value, i = _read_quoted(text, i)
            terms.append(Term(value, exclude=exclude, optional=optional))
        elif text[i] == "%":
            source, i = _read_regex(text, i, state)
            terms.append(Term(source, regex=True, exclude=exclude, optional=optional))
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] != '"':
                j += 1
            word = text[i:j]
            if not word.replace("_", "").isalnum() or not word.isascii():
                state.caveat(f"term {word!r} has non-alphanumeric characters: the docs ask for "
                             "double quotes; it is matched as a literal substring")
            terms.append(Term(word, exclude=exclude, optional=optional))
            i = j
    body = TermsBody(tuple(terms))
    if body.mixed:
        state.caveat("'?' terms next to other terms are ignored, as the current AWS page says; "
                     "the AWS CDK's anyTermGroup writes this form to mean groups of terms")
    return body


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i
