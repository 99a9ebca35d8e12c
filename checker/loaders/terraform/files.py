"""Terraform files: read them, find their top-level blocks cheaply, parse the blocks that matter.

Parsing is the expensive step (python-hcl2 reads about 0.5 MB/s), so a module folder is first
split into top-level blocks with a line-based regex, and only the blocks that can matter are
parsed: resources that map to the model, and whatever they reference (found by regex, followed
transitively). python-hcl2 validates the kept text and reports syntax errors; the blocks
themselves are read by `terraform_syntax`, whose expressions are exact. The other blocks of a
parsed file are still syntax-checked (by `terraform_syntax`, cheaply), so a broken file that
contributes anything is reported; a file with nothing relevant is not parsed at all.
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
    Lines,
    Lit,
    Obj,
    Tup,
    parse_block,
    parse_body,
    parse_expression,
    parse_template,
)
from checker.resources import cache_dir

_HEADER = re.compile(
    r"^[ \t]*(resource|data|module|variable|output|provider|locals|terraform|moved|import|removed"
    r"|check)"
    r'((?:[ \t]+(?:"[^"\n]*"|[A-Za-z_][\w-]*))*)[ \t]*\{',
    re.M,
)
_LABEL = re.compile(r'"([^"\n]*)"|([A-Za-z_][\w-]*)')
_LOCAL_NAME = re.compile(r"^[ \t]*([A-Za-z_][\w-]*)[ \t]*=(?!=)", re.M)
_SOURCE = re.compile(r'^[ \t]*source[ \t]*=[ \t]*"([^"\n]*)"', re.M)
TFVARS_AUTO = re.compile(r".*\.auto\.tfvars(\.json)?$")
JSON_BLOCK_KINDS = ("resource", "data", "module", "variable", "output", "provider", "locals")


@dataclass(eq=False)
class Decl:
    """A top-level block found by the textual scan, and its parse once parsed."""

    kind: str
    labels: tuple[str, ...]
    file: SourceFile
    start: int
    end: int
    line: int
    names: tuple[str, ...] = ()  # for `locals`: the names it may define
    parsed: Block | None = None
    json_body: Any = None  # .tf.json: the block's JSON value
    syntax_error: tuple[int, str] | None = None  # terraform_syntax could not read it
    overrides: list[Decl] = field(default_factory=list)  # same block in override files

    @property
    def text(self) -> str:
        if self.json_body is not None:
            return json.dumps(self.json_body)
        return (self.file.text or "")[self.start : self.end]

    def parse(self) -> Block | None:
        """The block, parsed on first use by terraform_syntax; None when it cannot be read (then
        `syntax_error` says why, and the file is checked by python-hcl2). Blocks of override
        files are merged in."""
        if self.parsed is None and self.syntax_error is None and self.file.error is None:
            text = self.file.text or ""
            try:
                self.parsed = parse_block(text, self.start, self.end, self.file.lines())
            except HclSyntaxError as e:
                self.syntax_error = (self.file.lines().line(e.pos), e.message)
            if self.parsed is not None and self.overrides:
                self.parsed = _merge_overrides(self.parsed, self.overrides)
        return self.parsed


@dataclass(eq=False)
class SourceFile:
    path: Path
    display: str
    text: str | None
    is_json: bool
    decls: list[Decl] = field(default_factory=list)
    error: tuple[int, str] | None = None  # (line, message) of a read or parse error
    needed: bool = False
    _lines: Lines | None = None

    def lines(self) -> Lines:
        if self._lines is None:
            self._lines = Lines(self.text or "")
        return self._lines


def scan_file(path: Path, display: str, text: str) -> SourceFile:
    """Find the top-level blocks of one file without parsing it."""
    if path.name.endswith(".tf.json"):
        return _scan_json(path, display, text)
    sf = SourceFile(path, display, text, False)
    matches = list(_HEADER.finditer(text))
    line = 1
    last = 0
    for i, m in enumerate(matches):
        start = m.start()
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        line += text.count("\n", last, start)
        last = start
        labels = tuple(a or b for a, b in _LABEL.findall(m.group(2)))
        kind = m.group(1)
        names: tuple[str, ...] = ()
        if kind == "locals":
            names = tuple(_LOCAL_NAME.findall(text, m.end(), end))
        sf.decls.append(Decl(kind, labels, sf, start, end, line, names))
    return sf


def is_override_file(name: str) -> bool:
    """Terraform's override files, merged into the blocks of the other files."""
    return name in ("override.tf", "override.tf.json") or name.endswith(
        ("_override.tf", "_override.tf.json")
    )


_ALIAS = re.compile(r'^[ \t]*alias[ \t]*=[ \t]*"([^"\n]*)"', re.M)


def override_key(decl: Decl) -> tuple[str, ...]:
    """What an override block overrides: the block of the same type and labels (for providers,
    the same alias)."""
    if decl.kind == "provider":
        if decl.json_body is not None:
            alias = decl.json_body.get("alias") if isinstance(decl.json_body, dict) else None
        else:
            m = _ALIAS.search(decl.text)
            alias = m.group(1) if m else None
        return ("provider", *decl.labels, str(alias or ""))
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
    if decl.json_body is not None:
        src = decl.json_body.get("source") if isinstance(decl.json_body, dict) else None
        return src if isinstance(src, str) else None
    m = _SOURCE.search(decl.text)
    return m.group(1) if m else None


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
    sf = SourceFile(path, display, text, True)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        sf.error = (e.lineno, f"invalid JSON: {e.msg} (column {e.colno})")
        return sf
    if not isinstance(doc, dict):
        sf.error = (1, "a .tf.json file must hold a JSON object")
        return sf
    lines = Lines(text)
    for kind, value in doc.items():
        if kind not in JSON_BLOCK_KINDS:
            continue
        for labels, body in _json_blocks(kind, value):
            line = _json_line(text, lines, labels)
            decl = Decl(kind, labels, sf, 0, 0, line, json_body=body)
            if kind == "locals" and isinstance(body, dict):
                decl.names = tuple(k for k in body if k != "//")
            try:
                decl.parsed = json_block(kind, labels, body, text, lines, line)
            except (HclSyntaxError, TypeError, ValueError) as e:
                sf.error = (line, f"{kind} {' '.join(labels)}: {getattr(e, 'message', e)}")
                continue
            sf.decls.append(decl)
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
# Parsing (in worker processes when there is enough to parse)


# python-hcl2 is the arbiter of syntax: it parses every file in which terraform_syntax finds a
# fault. True makes it also validate every block that is used, which terraform_syntax has
# already parsed strictly; that costs about 80 ms per run (loading lark's grammar) and 1.2 s
# per 1,000 files of the benchmark corpus, and catches nothing in the fixtures or the corpus.
HCL2_VALIDATES_ALL = False


@dataclass
class CheckResult:
    error: tuple[int, str] | None  # the file's first syntax error (line, message)
    fallback: dict[int, Block] | None = (
        None  # python-hcl2's reading of blocks terraform_syntax refused
    )


Job = tuple[str, list[tuple[int, int]], list[tuple[int, int]], bool]


def check_job(
    text: str, needed: list[tuple[int, int]], others: list[tuple[int, int]], suspect: bool
) -> CheckResult:
    """Check one file whose `needed` blocks terraform_syntax has read (all but the `suspect`
    ones). terraform_syntax checks the other blocks too; wherever it finds fault, python-hcl2
    parses the whole file and its verdict stands: a CT000 with lark's line, or (when it accepts
    what terraform_syntax refused) its own reading of the blocks. With `HCL2_VALIDATES_ALL`,
    python-hcl2 also validates every used block."""
    if suspect:
        err = _hcl2_error(text)
        if err is not None:
            return CheckResult(err)
        return CheckResult(None, _fallback_blocks(text, needed))
    if HCL2_VALIDATES_ALL:
        kept = text if not others else "\n".join(text[s:e] for s, e in needed)
        err = _hcl2_error(kept)
        if err is not None and kept is not text:
            err = _hcl2_error(text)  # the real line (or a glitch of the block split: no error)
        if err is not None:
            return CheckResult(err)
    lines = Lines(text)
    for s, e in others:
        try:
            parse_block(text, s, e, lines)
        except HclSyntaxError:
            return CheckResult(_hcl2_error(text))
    return CheckResult(None)


def _fallback_blocks(text: str, needed: list[tuple[int, int]]) -> dict[int, Block]:
    lines = Lines(text)
    blocks: dict[int, Block] = {}
    hcl2_blocks: dict[tuple[str, tuple[str, ...]], Block] | None = None
    for s, e in needed:
        try:
            blocks[s] = parse_block(text, s, e, lines)
            continue
        except HclSyntaxError:
            pass
        if hcl2_blocks is None:
            hcl2_blocks = _hcl2_blocks(text)
        header = _HEADER.match(text, s)
        if header is not None:
            key = (header.group(1), tuple(a or b for a, b in _LABEL.findall(header.group(2))))
            if key in hcl2_blocks:
                blocks[s] = hcl2_blocks[key]
    return blocks


def check_jobs(jobs: list[Job], texts: list[str], workers: int) -> list[CheckResult]:
    """Run `check_job` over files, in worker processes when `workers` > 1."""
    args = [(texts[i], j[1], j[2], j[3]) for i, j in enumerate(jobs)]
    if workers <= 1 or len(args) < 2:
        return [check_job(*a) for a in args]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    # largest first, dealt round-robin into a few chunks per worker: few round trips, even load
    order = sorted(range(len(args)), key=lambda i: -len(args[i][0]))
    chunks: list[list[int]] = [[] for _ in range(min(workers * 3, len(args)))]
    for k, i in enumerate(order):
        chunks[k % len(chunks)].append(i)
    results: list[CheckResult | None] = [None] * len(args)
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = [(c, pool.submit(_check_chunk, [args[i] for i in c])) for c in chunks if c]
        for c, fut in futures:
            for i, r in zip(c, fut.result(), strict=True):
                results[i] = r
    return [r if r is not None else CheckResult(None) for r in results]


def _check_chunk(
    args: list[tuple[str, list[tuple[int, int]], list[tuple[int, int]], bool]],
) -> list[CheckResult]:
    return [check_job(*a) for a in args]


def warm_parser() -> None:
    """Build the validating parser before forking, so workers inherit it."""
    _validator()


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    """python-hcl2's grammar without position tracking: validation needs no tree positions, and
    drops half of the parse time. Its compiled form is cached where trailcheck caches (building
    it takes a second); python-hcl2's own parser stands in when that is not possible."""
    import hcl2.parser
    from lark import Lark

    cache = cache_dir()
    try:
        cache.mkdir(parents=True, exist_ok=True)
        version = getattr(__import__("hcl2"), "__version__", "0")
        return Lark.open(
            "hcl2.lark",
            parser="lalr",
            rel_to=hcl2.parser.__file__,
            propagate_positions=False,
            cache=str(cache / f"hcl2-{version}-validate.lark"),
        )
    except (OSError, ValueError):
        return hcl2.parser.parser()


def _hcl2_error(text: str) -> tuple[int, str] | None:
    """python-hcl2's grammar's verdict on `text`: None, or the first error's line and message."""
    from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    try:
        _validator().parse(text + "\n")  # python-hcl2 appends a newline too
    except UnexpectedToken as e:
        if e.token.type == "$END":
            return _last_line(
                text
            ), "syntax error: unexpected end of file (a block, string or bracket is not closed)"
        lines = str(e.token).strip().splitlines()
        token = lines[0][:40] if lines else "a newline"
        return max(e.line, 1), f"syntax error: unexpected {token!r}"
    except UnexpectedCharacters as e:
        return max(e.line, 1), f"syntax error: unexpected character {e.char!r}"
    except UnexpectedEOF:
        return _last_line(
            text
        ), "syntax error: unexpected end of file (a block, string or bracket is not closed)"
    except LarkError as e:
        return 1, f"syntax error: {str(e).splitlines()[0]}"
    return None


def _last_line(text: str) -> int:
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def _hcl2_blocks(text: str) -> dict[tuple[str, tuple[str, ...]], Block]:
    """python-hcl2's reading of a file's top-level blocks, as `Block`s (expressions are read back
    from python-hcl2's string form, which loses quotes inside lists: a last resort)."""
    import hcl2

    data = hcl2.loads(text, with_meta=True)  # type: ignore[attr-defined]
    out: dict[tuple[str, tuple[str, ...]], Block] = {}
    depth = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1}
    for kind, items in data.items():
        for item in items if isinstance(items, list) else [items]:
            for labels, body in _nest_labels(item, depth.get(kind, 0)):
                out[(kind, labels)] = _hcl2_block(kind, labels, body)
    return out


def _nest_labels(
    v: Any, depth: int, labels: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Any]]:
    if depth == 0:
        yield labels, v
        return
    if isinstance(v, dict):
        for k, x in v.items():
            yield from _nest_labels(x, depth - 1, (*labels, k))


def _hcl2_block(kind: str, labels: tuple[str, ...], body: dict[str, Any]) -> Block:
    line = int(body.get("__start_line__", 0))
    attrs: dict[str, AttrDef] = {}
    blocks: list[Block] = []
    for k, v in body.items():
        if k.startswith("__"):
            continue
        if (
            isinstance(v, list)
            and v
            and all(isinstance(x, dict) and "__start_line__" in x for x in v)
        ):
            for x in v:
                if k == "dynamic":
                    for label, dyn in x.items():
                        if isinstance(dyn, dict):
                            blocks.append(_hcl2_block("dynamic", (label,), dyn))
                else:
                    blocks.append(_hcl2_block(k, (), x))
            continue
        attrs[k] = AttrDef(_hcl2_value(v), line, str(v)[:120])
    return Block(kind, labels, attrs, tuple(blocks), line, int(body.get("__end_line__", line)))


def _hcl2_value(v: Any) -> Any:
    if isinstance(v, str):
        if "${" in v or "%{" in v:
            try:
                return parse_template(v)
            except HclSyntaxError:
                return Lit(v)
        return Lit(v)
    if isinstance(v, list):
        return Tup(tuple(_hcl2_value(x) for x in v))
    if isinstance(v, dict):
        return Obj(tuple((Lit(k), _hcl2_value(x)) for k, x in v.items() if not k.startswith("__")))
    return Lit(v)


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


def read_tfvars(path: Path, text: str) -> tuple[dict[str, AttrDef], tuple[int, str] | None]:
    """Variable assignments of a values file, as expression nodes (evaluated without scope)."""
    if path.name.endswith(".json"):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as e:
            return {}, (e.lineno, f"invalid JSON: {e.msg} (column {e.colno})")
        if not isinstance(doc, dict):
            return {}, (1, "a .tfvars.json file must hold a JSON object")
        lines = Lines(text)
        return {
            k: AttrDef(Lit(v), _attr_line(text, lines, k, 1), json.dumps(v)[:120])
            for k, v in doc.items()
        }, None
    err = _hcl2_error(text)
    if err is not None:
        return {}, err
    try:
        body = parse_body(text)
    except HclSyntaxError as e:
        return {}, (Lines(text).line(e.pos), f"syntax error: {e.message}")
    return dict(body.attrs), None
