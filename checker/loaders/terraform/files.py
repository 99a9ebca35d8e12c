"""Terraform files: read them, parse the ones that can matter, and index their top-level blocks.

Parsing is the expensive step, so a file is parsed (by `syntax.parse_file`, the one parser of
record, whole) only when its text can hold something the loader needs: a resource of a type the
model maps, a `module` or `provider` block, or a declaration a reference asks for (`var.x` asks
for the files whose text holds `variable "x"`). These text tests are a filter on which files to
parse; the blocks, their labels, their lines and the file's validity come from the parser only.
A file with a syntax error gives one CT000 per error and contributes no block: Terraform refuses
a configuration with any syntax error, and the rest of a broken file may depend on the part
that could not be read (see docs/dev/hcl-parser.md).
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.loaders.terraform.resources import ATTACHES, MAPPED_TYPES
from checker.loaders.terraform.syntax import (
    AttrDef,
    Block,
    HclSyntaxError,
    Lexed,
    Lines,
    Lit,
    Obj,
    ParsedFile,
    Tup,
    parse_expression,
    parse_file,
    parse_template,
)

# What starts an inline suppression comment (`checker.suppress`): the files holding it are kept
INLINE_MARKER = "trailcheck:ignore"
TFVARS_AUTO = re.compile(r".*\.auto\.tfvars(\.json)?$")
JSON_BLOCK_KINDS = ("resource", "data", "module", "variable", "output", "provider", "locals")

# Text filters: can this file hold such a block? Conservative for every way HCL writes a block
# header, but escapes inside labels; each starts with a literal word, which `re` finds fast.
_SEED_TEXT = re.compile(r"resource\s*\"?(?:" + "|".join(sorted(MAPPED_TYPES)) + r")(?![\w-])")
_MODULE_TEXT = re.compile(r"module(?:\s*\"|\s+[^\W\d])")
_PROVIDER_TEXT = re.compile(r"provider(?:\s*\"|\s+[^\W\d])")


@dataclass(eq=False)
class Decl:
    """A top-level block of a parsed file."""

    kind: str
    labels: tuple[str, ...]
    file: SourceFile
    line: int
    block: Block | None = None  # None for a .tf.json block that could not be read
    json_body: Any = None  # .tf.json: the block's JSON value
    overrides: list[Decl] = field(default_factory=list)  # same block in override files
    order: tuple[int, int] = (0, 0)  # (file, block) in Terraform's reading order
    _merged: Block | None = None

    @property
    def text(self) -> str:
        if self.json_body is not None:
            return json.dumps(self.json_body)
        if self.block is None:
            return ""
        return (self.file.text or "")[self.block.start : self.block.end]

    @property
    def names(self) -> tuple[str, ...]:
        """For `locals`: the names it defines."""
        return tuple(self.block.attrs) if self.block is not None else ()

    def parse(self) -> Block | None:
        """The block, with the blocks of override files merged in; None when its file has a
        syntax error (then the file is reported as CT000)."""
        if self.file.errors or self.block is None:
            return None
        if not self.overrides:
            return self.block
        if self._merged is None:
            self._merged = _merge_overrides(self.block, self.overrides)
        return self._merged


@dataclass(eq=False)
class SourceFile:
    path: Path
    display: str
    text: str | None
    index: int = 0  # its place in the folder (lexical order)
    decls: list[Decl] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    parsed: bool = False
    indexed: bool = False  # its blocks are in its folder's tables (see `Folder`)

    def parse(self, lexed: Lexed | None = None) -> list[Decl]:
        """Its top-level blocks, parsed on first use (from `lexed`, its tokens, when given)."""
        if not self.parsed:
            self.parsed = True
            if self.text is not None:
                _index(self, parse_file(self.text, lexed))
        return self.decls

    def may_hold_seed(self) -> bool:
        return _SEED_TEXT.search(self.text or "") is not None

    def may_hold_module(self) -> bool:
        return _MODULE_TEXT.search(self.text or "") is not None

    def may_hold_provider(self) -> bool:
        return _PROVIDER_TEXT.search(self.text or "") is not None

    def may_declare(self, kind: str, labels: tuple[str, ...]) -> bool:
        """Can the text hold a `kind` block with these labels (`locals`: defining the name)?"""
        text = self.text or ""
        if kind not in text or not all(label in text for label in labels):
            return False
        return _declaration(kind, labels).search(text) is not None


@functools.lru_cache(maxsize=4096)
def _declaration(kind: str, labels: tuple[str, ...]) -> re.Pattern[str]:
    if kind == "locals":  # a `name =` anywhere: the name of an argument in some block
        return re.compile(r"(?<![\w.-])" + re.escape(labels[0]) + r"[ \t]*=(?![=>])")
    parts = "".join(r'\s*"?' + re.escape(label) + '"?' for label in labels)
    return re.compile(kind + parts + r"(?![\w-])")


def syntax_message(message: str, column: int) -> str:
    return f"syntax error: {message} (column {column})"


def _index(sf: SourceFile, parsed: ParsedFile) -> None:
    sf.errors = [(e.line, syntax_message(e.message, e.column)) for e in parsed.errors]
    for k, block in enumerate(parsed.blocks):
        sf.decls.append(Decl(block.type, block.labels, sf, block.line, block, order=(sf.index, k)))


def read_source(path: Path, display: str, text: str, index: int = 0) -> SourceFile:
    """A file of a module folder, not parsed yet (a `.tf.json` file is read at once)."""
    if path.name.endswith(".tf.json"):
        sf = _scan_json(path, display, text)
        sf.index = index
        for k, d in enumerate(sf.decls):
            d.order = (index, k)
        return sf
    return SourceFile(path, display, text, index)


def is_override_file(name: str) -> bool:
    """Terraform's override files, merged into the blocks of the other files."""
    return name in ("override.tf", "override.tf.json") or name.endswith(
        ("_override.tf", "_override.tf.json")
    )


def _literal(decl: Decl, name: str) -> Any:
    if decl.json_body is not None:
        return decl.json_body.get(name) if isinstance(decl.json_body, dict) else None
    attr = decl.block.attrs.get(name) if decl.block is not None else None
    return attr.node.value if attr is not None and isinstance(attr.node, Lit) else None


def override_key(decl: Decl) -> tuple[str, ...]:
    """What an override block overrides: the block of the same type and labels (for providers,
    the same alias)."""
    if decl.kind == "provider":
        return ("provider", *decl.labels, str(_literal(decl, "alias") or ""))
    return (decl.kind, *decl.labels)


def _merge_overrides(base: Block, overrides: list[Decl]) -> Block:
    """Terraform's merge: an override's arguments replace the base's; its nested blocks replace
    all of the base's nested blocks of the same type."""
    attrs = dict(base.attrs)
    blocks = list(base.blocks)
    for o in overrides:
        ob = o.parse()
        if ob is None:
            continue
        attrs.update(ob.attrs)
        types = {b.type if b.type != "dynamic" else f"dynamic:{b.labels}" for b in ob.blocks}
        blocks = [
            b
            for b in blocks
            if (b.type if b.type != "dynamic" else f"dynamic:{b.labels}") not in types
        ] + list(ob.blocks)
    return base._replace(attrs=attrs, blocks=tuple(blocks))


def module_source(decl: Decl) -> str | None:
    src = _literal(decl, "source")
    return src if isinstance(src, str) else None


def is_seed(decl: Decl) -> bool:
    """A block parsed for its own sake: a resource the model is made of."""
    if decl.kind != "resource" or len(decl.labels) != 2:
        return False
    rtype = decl.labels[0]
    if rtype not in MAPPED_TYPES:
        return False
    marker = ATTACHES.get(rtype)
    return marker is None or marker in decl.text


# --------------------------------------------------------------------------------------------
# .tf.json


def _scan_json(path: Path, display: str, text: str) -> SourceFile:
    sf = SourceFile(path, display, text, parsed=True)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        sf.errors.append((e.lineno, f"invalid JSON: {e.msg} (column {e.colno})"))
        return sf
    if not isinstance(doc, dict):
        sf.errors.append((1, "a .tf.json file must hold a JSON object"))
        return sf
    lines = Lines(text)
    for kind, value in doc.items():
        if kind not in JSON_BLOCK_KINDS:
            continue
        for labels, body in _json_blocks(kind, value):
            line = _json_line(text, lines, labels)
            try:
                block = json_block(kind, labels, body, text, lines, line)
            except (HclSyntaxError, TypeError, ValueError) as e:
                sf.errors.append((line, f"{kind} {' '.join(labels)}: {getattr(e, 'message', e)}"))
                continue
            sf.decls.append(Decl(kind, labels, sf, line, block, json_body=body))
    return sf


def _json_blocks(kind: str, value: Any) -> Iterator[tuple[tuple[str, ...], Any]]:
    depth = {
        "resource": 2,
        "data": 2,
        "module": 1,
        "variable": 1,
        "output": 1,
        "provider": 1,
        "locals": 0,
    }[kind]

    def walk(v: Any, labels: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
        if isinstance(v, list):
            for item in v:
                yield from walk(item, labels)
        elif len(labels) == depth:
            yield labels, v
        elif isinstance(v, dict):
            for k, x in v.items():
                if k != "//":
                    yield from walk(x, (*labels, k))

    yield from walk(value, ())


def _json_line(text: str, lines: Lines, labels: tuple[str, ...]) -> int:
    pos = 0
    for label in labels:
        i = text.find(json.dumps(label), pos)
        if i < 0:
            break
        pos = i
    return lines.line(pos)


_JSON_EXPRESSION_ATTRS = {"provider", "depends_on", "type"}


def json_block(
    kind: str, labels: tuple[str, ...], body: Any, text: str, lines: Lines, line: int
) -> Block:
    """A .tf.json block as the same `Block` the HCL parser gives. Strings are templates; nested
    blocks are kept as object attributes (the model mapping reads both forms), except `dynamic`."""
    if not isinstance(body, dict):
        raise ValueError("a block must be a JSON object")
    attrs: dict[str, AttrDef] = {}
    blocks: list[Block] = []
    for key, value in body.items():
        if key == "//":
            continue
        key_line = _attr_line(text, lines, key, line)
        if key == "dynamic" and isinstance(value, dict):
            for label, dyn in value.items():
                for item in dyn if isinstance(dyn, list) else [dyn]:
                    blocks.append(_json_dynamic(label, item, text, lines, key_line))
            continue
        if kind == "variable" and key in ("default", "validation"):
            node: Any = Lit(value)
        elif key in _JSON_EXPRESSION_ATTRS and isinstance(value, str) and kind != "output":
            node = parse_expression(value) if key != "depends_on" else Lit(value)
        else:
            node = json_node(value)
        attrs[key] = AttrDef(node, key_line, json.dumps(value)[:120])
    return Block(kind, labels, attrs, tuple(blocks), line, line)


def _json_dynamic(label: str, item: Any, text: str, lines: Lines, line: int) -> Block:
    if not isinstance(item, dict):
        raise ValueError("a dynamic block must be a JSON object")
    attrs: dict[str, AttrDef] = {}
    blocks: list[Block] = []
    for key, value in item.items():
        if key == "content":
            content = json_block(
                "content", (), value if isinstance(value, dict) else {}, text, lines, line
            )
            blocks.append(content)
        elif key != "//":
            attrs[key] = AttrDef(
                json_node(value) if key != "iterator" else Lit(value), line, json.dumps(value)[:120]
            )
    return Block("dynamic", (label,), attrs, tuple(blocks), line, line)


def json_node(value: Any) -> Any:
    if isinstance(value, str):
        if "${" in value or "%{" in value:
            return parse_template(value)
        return Lit(value.replace("$${", "${").replace("%%{", "%{"))
    if isinstance(value, list):
        return Tup(tuple(json_node(v) for v in value))
    if isinstance(value, dict):
        return Obj(tuple((json_node(k), json_node(v)) for k, v in value.items() if k != "//"))
    return Lit(value)


def _attr_line(text: str, lines: Lines, key: str, after_line: int) -> int:
    start = lines.starts[after_line - 1] if after_line - 1 < len(lines.starts) else 0
    i = text.find(json.dumps(key), start)
    return lines.line(i) if i >= 0 else after_line


# --------------------------------------------------------------------------------------------
# Variable values files


def tfvars_files(folder: Path) -> list[Path]:
    """terraform.tfvars, terraform.tfvars.json, then *.auto.tfvars(.json) in lexical order."""
    out = [
        folder / n for n in ("terraform.tfvars", "terraform.tfvars.json") if (folder / n).is_file()
    ]
    try:
        names = sorted(n for n in os.listdir(folder) if TFVARS_AUTO.match(n))
    except OSError:
        names = []
    out.extend(folder / n for n in names if (folder / n).is_file())
    return out


def read_tfvars(path: Path, text: str) -> tuple[dict[str, AttrDef], list[tuple[int, str]]]:
    """Variable assignments of a values file, as expression nodes (evaluated without scope), or
    its errors (line, message): every syntax error of an HCL file, and its blocks (a values file
    assigns variables only)."""
    if path.name.endswith(".json"):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as e:
            return {}, [(e.lineno, f"invalid JSON: {e.msg} (column {e.colno})")]
        if not isinstance(doc, dict):
            return {}, [(1, "a .tfvars.json file must hold a JSON object")]
        lines = Lines(text)
        return {
            k: AttrDef(Lit(v), _attr_line(text, lines, k, 1), json.dumps(v)[:120])
            for k, v in doc.items()
        }, []
    parsed = parse_file(text)
    errors = [(e.line, syntax_message(e.message, e.column)) for e in parsed.errors]
    errors.extend(
        (b.line, f"a values file can only assign variables (name = value): remove the {b.type} "
                 "block")
        for b in parsed.blocks
    )
    if errors:
        return {}, sorted(errors)
    return dict(parsed.attrs), []
