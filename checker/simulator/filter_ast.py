"""CloudWatch Logs filter patterns as frozen dataclasses, and their canonical printed form.

The parser (`filter_parse`) builds these nodes and the evaluator (`filter_eval`) compiles them.
Printing is canonical: `And`/`Or` are n-ary and flat, string values are always quoted, numbers keep
the text they were written with, and an `&&` group is parenthesized wherever it meets `||`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["json", "terms", "space_delimited", "all"]
JsonOperator = Literal["=", "!=", "<", ">", "<=", ">="]
CheckKind = Literal["IS NULL", "IS TRUE", "IS FALSE", "NOT EXISTS"]
NUMERIC_ONLY_OPERATORS: frozenset[str] = frozenset({"<", ">", "<=", ">="})


class PatternError(ValueError):
    """A filter pattern that CloudWatch Logs would reject (or that we cannot model faithfully).

    `position` is the 0-based character offset in the pattern where the problem was found.
    """

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message, position)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return f"{self.message} (at position {self.position})"


def quote(text: str) -> str:
    """A double-quoted literal; backslash and quote are escaped as the AWS CDK does."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- values ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StringValue:
    """A quoted or bare string. A leading and/or trailing `*` is a wildcard; any other `*` is
    literal (docs: "Ev*ent will only match the actual string Ev*ent")."""

    text: str

    def __str__(self) -> str:
        return quote(self.text)


@dataclass(frozen=True)
class NumberValue:
    """A bare number token, kept as written (`+1000`, `10e-3`, `55.5`)."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class RegexValue:
    """A `%regex%` value: searched for (not anchored) in the value's text."""

    source: str

    def __str__(self) -> str:
        return f"%{self.source}%"


Value = StringValue | NumberValue | RegexValue


# --- JSON patterns --------------------------------------------------------------------------


@dataclass(frozen=True)
class Wild:
    """A wildcard step: `[*]` selects every array element, `.*` every field of an object
    (current page: "You can use the JSON wildcard to select any array element or any JSON
    object field")."""

    kind: Literal["element", "field"]

    def __str__(self) -> str:
        return "[*]" if self.kind == "element" else ".*"


Step = str | int | Wild
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_-]+")


def _step_text(step: Step) -> str:
    if isinstance(step, Wild):
        return str(step)
    if isinstance(step, int):
        return f"[{step}]"
    if _PLAIN_NAME.fullmatch(step):
        return f".{step}"
    # Bracket notation for names with a period (current page: `$.['cluster.name']`).
    if "'" in step or "\\" in step:
        return ".[" + quote(step) + "]"
    return ".['" + step + "']"


@dataclass(frozen=True)
class Selector:
    """`$.a.b[0].c`, `$.a[*]`, `$.*`, `$.['a.b']`: property names (str), array indexes (int)
    and wildcards, in order."""

    steps: tuple[Step, ...]

    def __str__(self) -> str:
        return "$" + "".join(_step_text(s) for s in self.steps)

    @property
    def wild(self) -> bool:
        return any(isinstance(s, Wild) for s in self.steps)


@dataclass(frozen=True)
class Comparison:
    selector: Selector
    op: JsonOperator
    value: Value

    def __str__(self) -> str:
        return f"{self.selector} {self.op} {self.value}"


@dataclass(frozen=True)
class Check:
    selector: Selector
    check: CheckKind

    def __str__(self) -> str:
        return f"{self.selector} {self.check}"


@dataclass(frozen=True)
class And:
    items: tuple[JsonExpr, ...]

    def __str__(self) -> str:
        return " && ".join(f"({i})" if isinstance(i, Or) else str(i) for i in self.items)


@dataclass(frozen=True)
class Or:
    items: tuple[JsonExpr, ...]

    def __str__(self) -> str:
        # `&&` binds tighter, so these parentheses are redundant; they show readers the binding.
        return " || ".join(f"({i})" if isinstance(i, And) else str(i) for i in self.items)


JsonExpr = Comparison | Check | And | Or


@dataclass(frozen=True)
class JsonBody:
    expr: JsonExpr

    def __str__(self) -> str:
        return "{ " + str(self.expr) + " }"


# --- term patterns ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A phrase (case-sensitive substring of the message) or a `%regex%`, maybe excluded (`-`),
    maybe optional (`?`)."""

    text: str
    regex: bool = False
    exclude: bool = False
    optional: bool = False

    def __str__(self) -> str:
        body = f"%{self.text}%" if self.regex else quote(self.text)
        return ("?" if self.optional else "") + ("-" if self.exclude else "") + body


@dataclass(frozen=True)
class TermsBody:
    """Terms without `?` must all hold; `?` terms are alternatives, and are ignored when the
    pattern has other terms too (current page: "If you combine "?" with other filter
    patterns, all question mark terms will be ignored")."""

    terms: tuple[Term, ...]

    def __str__(self) -> str:
        return " ".join(str(t) for t in self.terms)

    @property
    def mixed(self) -> bool:
        """Optional terms next to other terms: the optional ones are ignored."""
        return any(t.optional for t in self.terms) and not all(t.optional for t in self.terms)


# --- space-delimited patterns ---------------------------------------------------------------


@dataclass(frozen=True)
class CellComparison:
    op: JsonOperator
    value: Value


@dataclass(frozen=True)
class Column:
    """One column of `[a, b=1, ..., c]`. `ellipsis` stands for any number of columns; `name` is
    None for the unnamed column a trailing comma adds. `condition` is an OR of ANDs (empty: any)."""

    name: str | None
    ellipsis: bool = False
    condition: tuple[tuple[CellComparison, ...], ...] = ()

    def __str__(self) -> str:
        if self.ellipsis:
            return "..."
        if self.name is None:
            return ""
        if not self.condition:
            return self.name
        name = self.name
        return " || ".join(
            " && ".join(f"{name} {c.op} {c.value}" for c in conj) for conj in self.condition
        )


@dataclass(frozen=True)
class SpaceBody:
    columns: tuple[Column, ...]

    def __str__(self) -> str:
        return "[" + ", ".join(str(c) for c in self.columns) + "]"


Body = JsonBody | TermsBody | SpaceBody | None
"""None is the match-everything pattern."""


def format_body(body: Body) -> str:
    return '""' if body is None else str(body)


def selectors(expr: JsonExpr) -> list[Selector]:
    """Every selector of a JSON expression, left to right."""
    if isinstance(expr, (Comparison, Check)):
        return [expr.selector]
    return [s for item in expr.items for s in selectors(item)]
