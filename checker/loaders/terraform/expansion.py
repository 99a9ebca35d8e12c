"""The module layer's ground: what it needs from the loader (`Folder`, `Host`), the module
instance as resources see it (`ModuleScope`), and the expansion of blocks by `count`/`for_each`
and of `dynamic` blocks.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from checker.loaders.terraform.eval import evaluate
from checker.loaders.terraform.files import Decl
from checker.loaders.terraform.syntax import AttrDef, Block, Lit, Var
from checker.loaders.terraform.values import (
    Bound,
    Invalid,
    PartialStr,
    Scope,
    Undeclared,
    UnknownCollection,
    first_unknown_deep,
    plain,
    untrace,
)
from checker.model import Location, Unknown

META_ARGS = {
    "count",
    "for_each",
    "provider",
    "depends_on",
    "lifecycle",
    "providers",
    "source",
    "version",
}


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


def key_suffix(key: Any) -> str:
    if key is None:
        return ""
    if key == "*":
        return "[*]"
    if isinstance(key, int):
        return f"[{key}]"
    return f"[{json.dumps(key)}]"


# --------------------------------------------------------------------------------------------
# What the module layer needs from the loader


class Folder(Protocol):
    path: Path
    variables: dict[str, Decl]
    locals: dict[str, list[Decl]]
    resources: dict[tuple[str, str], Decl]
    data: dict[tuple[str, str], Decl]
    modules: dict[str, Decl]
    outputs: dict[str, Decl]
    providers: list[Decl]

    def label(self) -> str: ...

    def declare(self, kind: str, *labels: str) -> None:
        """Parse the files that can declare a `kind` block with these labels."""
        ...

    def parsed_cleanly(self) -> bool:
        """Whether no file parsed so far has a syntax error (such a file declares nothing)."""
        ...


class Host(Protocol):
    """The loader: folders, module resolution, root values, diagnostics."""

    def child_folder(self, inst: ModuleScope, name: str) -> Folder | str | None:
        """The folder of `module.name`, or a reason string when it is not evaluated."""
        ...

    def root_value(self, folder: Folder, name: str) -> AttrDef | None: ...

    def note_unknown_expansion(self, address: str, decl: Decl, reason: Unknown) -> None: ...

    def note_undeclared(self, where: Location, resource: str, message: str) -> None:
        """A reference to what the module does not declare, read at `where` (a CT000)."""
        ...


def undeclared(folder: Folder, name: str) -> Invalid:
    """`name` (`var.x`, `aws_kms_key.k`, ...) is declared by no file of `folder`: Terraform refuses
    the reference, unless a file that could not be parsed declares it (its CT000 says so)."""
    if folder.parsed_cleanly():
        return Undeclared(f"{name} is not declared in {folder.label()}", name)
    return Invalid(f"{name} is not declared in {folder.label()}, or in a file of it that could "
                   "not be parsed")


def parsed(decl: Decl) -> Block | Unknown:
    block = decl.parse()
    if block is not None:
        return block
    return Unknown(f"{decl.file.display} could not be parsed")



class ModuleScope(Scope):
    """A module instance as its resources read it (`modules.ModuleInstance`)."""

    host: Host
    folder: Folder
    prefix: str  # "" or "module.a." or 'module.a["k"].'
    keypath: str  # "" or "a" or "a.b": the module's key in .terraform/modules/modules.json
    root: Path  # the folder Terraform runs in
    # why this module instance may not exist at all (a count or for_each of it, or of a module
    # around it, that is not known); None when it certainly exists
    absent: Unknown | None = None

    def provider(self, key: str) -> Any:
        """The provider configuration `key` (`aws` or `aws.alias`) as this module sees it."""
        raise NotImplementedError


# --------------------------------------------------------------------------------------------
# Expansion by count / for_each


@dataclass
class Expansion:
    """The instances of a block: keys None (single), int (count), str (for_each) or "*" (unknown:
    one representative instance whose instance values are unknown)."""

    instances: list[tuple[Any, dict[str, Any]]]
    unknown: Unknown | None = None
    some: bool = False  # `unknown`, but there is at least one instance (a count above the cap)

    @property
    def maybe_none(self) -> Unknown | None:
        """Why the block may have no instance at all: its count or for_each is not known."""
        return None if self.some else self.unknown


# Beyond this many instances a block is judged as one representative instance `x[*]`.
MAX_INSTANCES = 1000


def expand(block: Block, scope: Scope, what: str) -> Expansion:
    count = block.attrs.get("count")
    each = block.attrs.get("for_each")
    if count is not None:
        n = plain(evaluate(count.node, scope))
        if isinstance(n, Unknown):
            u = explain(f"the count of {what}", count.src, n)
            return Expansion([("*", {"count": {"index": u}})], u)
        if (
            isinstance(n, bool)
            or not isinstance(n, (int, float))
            or not math.isfinite(n)
            or n < 0
            or n != int(n)
        ):
            u = Invalid(f"the count of {what} is not a whole number ({count.src})")
            return Expansion([("*", {"count": {"index": u}})], u)
        if n > MAX_INSTANCES:
            u = Unknown(f"the count of {what} is {int(n)}, more instances than trailcheck "
                        f"expands ({MAX_INSTANCES})")  # fmt: skip
            return Expansion([("*", {"count": {"index": u}})], u, some=True)
        return Expansion([(i, {"count": {"index": i}}) for i in range(int(n))])
    if each is not None:
        coll = untrace(evaluate(each.node, scope))
        if isinstance(coll, UnknownCollection):
            # `for_each = aws_x.y` over a resource whose own instances are not known: valid
            # Terraform, and each value is an instance of it, the representative one here
            u = explain(f"the for_each of {what}", each.src, coll.reason)
            return Expansion([("*", {"each": {"key": u, "value": coll.element()}})], u)
        if isinstance(coll, Unknown):
            u = explain(f"the for_each of {what}", each.src, coll)
            return Expansion([("*", {"each": {"key": u, "value": u}})], u)
        if isinstance(coll, dict):
            return Expansion([(k, {"each": {"key": k, "value": coll[k]}}) for k in sorted(coll)])
        if isinstance(coll, list):
            keys = [plain(x) for x in coll]
            bad = next((k for k in keys if not isinstance(k, str)), None)
            if bad is not None:
                found = first_unknown_deep(bad) if isinstance(bad, Unknown) else None
                reason: Unknown = (
                    found
                    if found is not None
                    else Invalid(f"for_each of {what} needs a map or a set of strings")
                )
                u2 = explain(f"the for_each of {what}", each.src, reason)
                return Expansion([("*", {"each": {"key": u2, "value": u2}})], u2)
            return Expansion([(k, {"each": {"key": k, "value": k}}) for k in sorted(set(keys))])
        if coll is None:
            u = Invalid(f"the for_each of {what} is null")
            return Expansion([("*", {"each": {"key": u, "value": u}})], u)
        u = Invalid(f"the for_each of {what} needs a map or a set of strings ({each.src})")
        return Expansion([("*", {"each": {"key": u, "value": u}})], u)
    return Expansion([(None, {})])




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
            if isinstance(coll, UnknownCollection):
                coll = coll.reason
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

