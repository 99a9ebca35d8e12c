"""Nested blocks and the wording of unknown values: what module evaluation (`modules`) and IAM
policy rendering (`iam`) share, below both of them."""

from __future__ import annotations

from checker.loaders.terraform.eval import evaluate
from checker.loaders.terraform.syntax import Block, Lit, Var
from checker.loaders.terraform.values import Bound, Invalid, PartialStr, Scope, untrace
from checker.model import Unknown


def explain(subject: str, src: str, u: Unknown) -> Unknown:
    """ "kms_key_id comes from var.kms_key_arn, which has no value": an unknown value, said in
    terms of the attribute that holds it and the expression it was written as."""
    reason = u.reason
    if reason.startswith(subject + " "):
        return u
    if src and reason.startswith(src + " "):
        text = f"{subject} comes from {src}, which {reason[len(src) + 1 :]}"
    elif src:
        text = f"{subject} comes from {src}, where {reason}"
    else:
        text = f"{subject}: {reason}"
    if isinstance(u, PartialStr):
        return PartialStr(text, u.parts)
    return type(u)(text)


def nested_blocks(
    block: Block, name: str, scope: Scope, what: str
) -> list[tuple[Block, Scope]] | Unknown:
    """The `name` blocks of `block`, with `dynamic "name"` blocks expanded in `scope`."""
    out: list[tuple[Block, Scope]] = []
    for b in block.blocks:
        if b.type == name:
            out.append((b, scope))
        elif b.type == "dynamic" and b.labels == (name,):
            each = b.attrs.get("for_each")
            content = next((c for c in b.blocks if c.type == "content"), None)
            if each is None or content is None:
                return Invalid(f'the dynamic "{name}" block of {what} has no for_each or content')
            iterator = b.attrs.get("iterator")
            it_name = name
            if iterator is not None and isinstance(iterator.node, (Var, Lit)):
                it_name = str(
                    iterator.node.name if isinstance(iterator.node, Var) else iterator.node.value
                )
            coll = untrace(evaluate(each.node, scope))
            if isinstance(coll, Unknown):
                return explain(f'the dynamic "{name}" blocks of {what}', each.src, coll)
            if isinstance(coll, dict):
                items = [(k, coll[k]) for k in sorted(coll)]
            elif isinstance(coll, list):
                items = list(enumerate(coll))
            else:
                return Invalid(
                    f'the for_each of the dynamic "{name}" block of {what} is not a collection'
                )
            for k, v in items:
                out.append((content, Bound(scope, {it_name: {"key": k, "value": v}})))
    return out
