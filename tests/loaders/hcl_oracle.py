"""python-hcl2 as an oracle for trailcheck's HCL parser (used by test_terraform_oracle and by
bench/bench_hcl_parse.py).

python-hcl2 7.x gives a lossy dict: blocks as `{type: [{label: {label: body}}]}`, literal
values as Python values, every other expression rendered back as a "${...}" string. So the two
are compared on what python-hcl2 keeps exactly: the block structure (types, labels, attribute
names) and the values of literal expressions (strings, numbers, booleans, null, and lists and
objects of them). Where python-hcl2 is known to differ from HCL (hclsyntax), the difference is
named by `known_difference` rather than counted as a disagreement.
"""

from __future__ import annotations

from typing import Any

from checker.loaders.terraform.syntax import AttrDef, Block, Lit, Obj, ParsedFile, Tup


class _Skip:
    """A value python-hcl2 renders back as text: not compared."""

    def __repr__(self) -> str:
        return "SKIP"


SKIP = _Skip()


def hcl2_load(text: str) -> dict[str, Any] | None:
    """python-hcl2's reading of a file, or None when it refuses it. Its grammar refuses CRLF
    line endings, which Terraform accepts: they are given to it as LF."""
    import hcl2

    try:
        return hcl2.loads(text.replace("\r\n", "\n"))
    except Exception:  # lark's errors, and python-hcl2's own (duplicate attributes)
        return None


def as_hcl2(parsed: ParsedFile) -> dict[str, Any]:
    """Our tree in python-hcl2's shape, with SKIP for expressions it renders as text."""
    return _body(parsed.attrs, parsed.blocks)


def _body(attrs: dict[str, AttrDef], blocks: tuple[Block, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {name: _value(a.node, a.src) for name, a in attrs.items()}
    for b in blocks:
        d: Any = _body(b.attrs, b.blocks)
        for label in reversed(b.labels):
            d = {label: d}
        out.setdefault(b.type, []).append(d)
    return out


def _value(node: Any, src: str) -> Any:
    t = type(node)
    if t is Lit:
        v = node.value
        if isinstance(v, str) and src.startswith("<<"):
            return v[:-1] if v.endswith("\n") else v  # python-hcl2 drops the last newline
        return v
    if t is Tup:
        return [_value(i, src) for i in node.items]
    if t is Obj and all(type(k) is Lit and isinstance(k.value, str) for k, _ in node.items):
        return {k.value: _value(v, src) for k, v in node.items}
    return SKIP


def known_difference(ours: Any, theirs: Any) -> str | None:
    """Why python-hcl2's value differs from HCL's, when it is one of its known differences."""
    if isinstance(theirs, str) and theirs.startswith("${") and isinstance(ours, (int, float)):
        return "python-hcl2 renders a number with an exponent as an expression"
    if isinstance(ours, str) and isinstance(theirs, str):
        if "\\" in theirs:
            return "python-hcl2 keeps some escape sequences (\\uNNNN, \\\\) undecoded"
        if "$${" in theirs or "%%{" in theirs:
            return "python-hcl2 keeps $${ and %%{ undecoded"
        if ours.strip() == theirs.strip() or _dedented(ours) == _dedented(theirs):
            return "python-hcl2 removes a <<- heredoc's indentation differently"
    return None


def _dedented(s: str) -> list[str]:
    return [line.strip() for line in s.strip().split("\n")]


def compare(
    ours: Any, theirs: Any, path: str = ""
) -> tuple[int, list[tuple[str, Any, Any]], list[tuple[str, str]]]:
    """(values that agree, disagreements (path, ours, theirs), known differences (path, why))."""
    if ours is SKIP:
        return 0, [], []
    if isinstance(ours, dict) and isinstance(theirs, dict):
        agreed, bad, known = 0, [], []
        for key in sorted(set(ours) | set(theirs)):
            if key not in ours or key not in theirs:
                bad.append((f"{path}.{key}", ours.get(key, "<missing>"),
                            theirs.get(key, "<missing>")))
                continue
            a, b, k = compare(ours[key], theirs[key], f"{path}.{key}")
            agreed, bad, known = agreed + a, bad + b, known + k
        return agreed, bad, known
    if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        agreed, bad, known = 0, [], []
        for i, (x, y) in enumerate(zip(ours, theirs, strict=True)):
            a, b, k = compare(x, y, f"{path}[{i}]")
            agreed, bad, known = agreed + a, bad + b, known + k
        return agreed, bad, known
    if type(ours) is type(theirs) and ours == theirs:
        return 1, [], []
    why = known_difference(ours, theirs)
    if why is not None:
        return 0, [], [(path, why)]
    return 0, [(path, ours, theirs)], []
