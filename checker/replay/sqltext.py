"""Small helpers that write SQL text in DuckDB's dialect (the one query sqlglot renders for every
engine). Expressions are plain strings; each helper parenthesises what it builds."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

NULL_INT = "CAST(NULL AS INTEGER)"
NULL_BOOL = "CAST(NULL AS BOOLEAN)"


class NotCompiled(Exception):
    """A predicate (or part) the SQL compiler cannot express: the Python evaluator decides it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def lit(text: str) -> str:
    """A string literal."""
    return "'" + text.replace("'", "''") + "'"


def in_list(expr: str, values: Iterable[str]) -> str:
    items = sorted(set(values))
    if not items:
        return "FALSE"
    if len(items) == 1:
        return f"({expr} = {lit(items[0])})"
    return f"({expr} IN ({', '.join(lit(v) for v in items)}))"


def any_of(parts: Sequence[str]) -> str:
    parts = [p for p in parts if p != "FALSE"]
    if not parts:
        return "FALSE"
    if "TRUE" in parts:
        return "TRUE"
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def all_of(parts: Sequence[str]) -> str:
    parts = [p for p in parts if p != "TRUE"]
    if not parts:
        return "TRUE"
    if "FALSE" in parts:
        return "FALSE"
    return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"


def starts_with(expr: str, prefixes: Iterable[str]) -> str:
    return any_of([f"starts_with({expr}, {lit(p)})" for p in sorted(set(prefixes))])


def ends_with(expr: str, suffixes: Iterable[str]) -> str:
    return any_of([
        "TRUE" if not s else f"ends_with({expr}, {lit(s)})" for s in sorted(set(suffixes))
    ])  # fmt: skip


def code(value: int) -> str:
    """A literal outcome code (0 match, 1 unknown, 2 miss)."""
    return str(value)


def is_literal(expr: str) -> bool:
    return expr.isdigit()


def greatest(parts: Sequence[str]) -> str:
    """The largest of non-NULL integer codes, folding literals."""
    literals = [int(p) for p in parts if is_literal(p)]
    others = list(dict.fromkeys(p for p in parts if not is_literal(p)))
    top = max(literals) if literals else None
    if top == 2 or not others:
        return code(top if top is not None else 0)
    if top:
        others.append(code(top))
    return others[0] if len(others) == 1 else f"greatest({', '.join(others)})"


def least(parts: Sequence[str]) -> str:
    """The smallest of non-NULL integer codes, folding literals."""
    literals = [int(p) for p in parts if is_literal(p)]
    others = list(dict.fromkeys(p for p in parts if not is_literal(p)))
    low = min(literals) if literals else None
    if low == 0 or not others:
        return code(low if low is not None else 2)
    if low is not None and low < 2:
        others.append(code(low))
    return others[0] if len(others) == 1 else f"least({', '.join(others)})"


def case(whens: Sequence[tuple[str, str]], default: str) -> str:
    """CASE WHEN ... END, dropping branches whose condition is FALSE."""
    kept: list[tuple[str, str]] = []
    for cond, value in whens:
        if cond == "FALSE":
            continue
        if cond == "TRUE":
            default = value
            break
        kept.append((cond, value))
    if not kept:
        return default
    body = " ".join(f"WHEN {c} THEN {v}" for c, v in kept)
    return f"(CASE {body} ELSE {default} END)"
