"""A resource instance of an HCL module as the model mapping reads it (`attrs.Attrs`): its
arguments evaluated in the instance's scope, unknowns explained with the source text."""

from __future__ import annotations

import re
from typing import Any

from checker.loaders.terraform.attrs import Attrs, blocks_from_value
from checker.loaders.terraform.eval import evaluate
from checker.loaders.terraform.expansion import explain, nested_blocks
from checker.loaders.terraform.instances import ResourceInstance
from checker.loaders.terraform.syntax import Block
from checker.loaders.terraform.values import Traced, Undeclared, untrace
from checker.model import Location, Unknown


class HclAttrs:
    """A resource instance (or one of its nested blocks) as the model mapping reads it."""

    def __init__(
        self,
        inst: ResourceInstance,
        block: Block,
        scope: Any,
        display: str,
        rtype: str | None = None,
    ) -> None:
        self.inst = inst
        self.block = block
        self.scope = scope
        self.address = inst.address
        self.rtype = rtype or inst.rtype
        self.location = Location(display, block.line)
        self._display = display
        self._cache: dict[str, Any] = {}

    def raw(self, name: str) -> Any:
        if name in self._cache:
            return self._cache[name]
        attr = self.block.attrs.get(name)
        if attr is None:
            v: Any = None
        else:
            v = inst_value = (
                self.inst.argument(name)
                if self.block is self.inst.block
                else evaluate(attr.node, self.scope)
            )
            u = untrace(inst_value)
            if isinstance(u, Undeclared) and _writes(attr.src, u.name):
                # Terraform rejects the configuration; said where the reference is written
                self.inst.group.module.host.note_undeclared(
                    Location(self._display, attr.line), self.address,
                    f"{self.address}: {name} = {attr.src}: {u.reason}; Terraform rejects a "
                    "reference to what the configuration does not declare")  # fmt: skip
            if isinstance(u, Unknown):
                e = explain(name, attr.src, u)
                v = Traced(e, inst_value.target) if isinstance(inst_value, Traced) else e
        self._cache[name] = v
        return v

    def line(self, name: str) -> int | None:
        attr = self.block.attrs.get(name)
        if attr is not None:
            return attr.line
        for b in self.block.blocks:
            if b.type == name or (b.type == "dynamic" and b.labels == (name,)):
                return b.line
        return None

    def blocks(self, name: str) -> list[Attrs] | Unknown:
        found = nested_blocks(self.block, name, self.scope, self.address)
        if isinstance(found, Unknown):
            return found
        if not found and name in self.block.attrs:
            # `.tf.json`, or an attribute written as an object: read the value as blocks
            return blocks_from_value(self, name, self.raw(name))
        return [HclAttrs(self.inst, b, s, self._display, name) for b, s in found]

    def region(self) -> Any:
        return self.inst.region()

    def maybe_absent(self) -> Unknown | None:
        return self.inst.maybe_absent()


def _writes(source: str, name: str) -> bool:
    """Whether an argument's text names `name` itself (not through another resource's value)."""
    return bool(name) and re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", source) is not None
