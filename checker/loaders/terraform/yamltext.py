"""`yamldecode`: YAML text as a Terraform value, the way Terraform reads it.

Terraform's yamldecode reads one document of YAML 1.2 (developer.hashicorp.com, "yamldecode
Function"): a mapping becomes an object, a sequence a tuple; plain scalars are resolved by the
1.2 core schema, so `yes`, `on` and `0777`-style octals stay strings or decimals where PyYAML
(YAML 1.1) would turn them into booleans and octal numbers. Quoted scalars are strings. Aliases
to earlier anchors are followed; a cyclic structure, a second document or a tag outside the
standard ones is an error, as in Terraform. What the document expands to is bounded, so an alias
bomb is refused rather than walked.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

from checker.loaders.located import MAX_DEPTH

MAX_NODES = 200_000  # values built from one document, aliases counted each time they are used

_NULL = re.compile(r"~|null|Null|NULL|")
_TRUE = re.compile(r"true|True|TRUE")
_FALSE = re.compile(r"false|False|FALSE")
_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN = re.compile(r"\.(nan|NaN|NAN)")
_STANDARD = "tag:yaml.org,2002:"


class YamlError(ValueError):
    """Text Terraform's yamldecode rejects, with why."""


def read_yaml_document(text: str) -> Any:
    """The value of the one YAML document in `text` (None for an empty text)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise YamlError(f"not valid YAML{where}: {problem}") from None
    if node is None:
        return None
    return _Builder().value(node, 0)


class _Builder:
    def __init__(self) -> None:
        self.nodes = 0
        self.open: set[int] = set()  # collections being built: one met again is a cycle

    def value(self, node: yaml.Node, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise YamlError(f"the document expands to more than {MAX_NODES} values")
        if depth > MAX_DEPTH:
            raise YamlError("the document is nested too deeply")
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        if id(node) in self.open:
            raise YamlError("the document holds a cyclic structure")
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.value(item, depth + 1) for item in node.value]
            assert isinstance(node, yaml.MappingNode)
            out: dict[str, Any] = {}
            for key, item in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    raise YamlError(f"a mapping key at line {key.start_mark.line + 1} is not a "
                                    "scalar")  # fmt: skip
                out[str(key.value)] = self.value(item, depth + 1)
            return out
        finally:
            self.open.discard(id(node))


def _scalar(node: yaml.ScalarNode) -> Any:
    text = node.value
    tag = node.tag
    if not tag.startswith(_STANDARD):
        raise YamlError(f"the tag {tag} at line {node.start_mark.line + 1} is not supported")
    if node.style is not None:  # quoted or block: a string unless tagged otherwise
        return text if tag == _STANDARD + "str" else _tagged(text, tag, node)
    # PyYAML resolved an untagged plain scalar by YAML 1.1: resolve it again by 1.2 core
    implicit = tag == _RESOLVER_11.resolve(  # type: ignore[no-untyped-call]
        yaml.ScalarNode, text, (True, False))
    return _core(text) if implicit else _tagged(text, tag, node)


_RESOLVER_11 = yaml.resolver.Resolver()


def _core(text: str) -> Any:
    if _NULL.fullmatch(text):
        return None
    if _TRUE.fullmatch(text):
        return True
    if _FALSE.fullmatch(text):
        return False
    if _INT.fullmatch(text):
        return int(text)
    if _OCT.fullmatch(text):
        return int(text[2:], 8)
    if _HEX.fullmatch(text):
        return int(text[2:], 16)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _INF.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.fullmatch(text):
        return math.nan
    return text


def _tagged(text: str, tag: str, node: yaml.ScalarNode) -> Any:
    """A scalar with an explicit standard tag."""
    kind = tag[len(_STANDARD):]
    if kind in ("str", "timestamp", "binary"):  # Terraform: strings (a timestamp as written)
        return text
    value = _core(text)
    expected: dict[str, tuple[type, ...]] = {
        "int": (int,), "float": (int, float), "bool": (bool,), "null": (type(None),)}
    types = expected.get(kind)
    if types is None or isinstance(value, bool) != (kind == "bool") \
            or not isinstance(value, types):  # fmt: skip
        raise YamlError(f"{text!r} at line {node.start_mark.line + 1} is not a valid !!{kind}")
    return value
