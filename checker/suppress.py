"""Suppressions: inline Terraform comments, CloudFormation Metadata and config `skip` entries.

`apply(findings, sources, config)` runs after `engine.evaluate`. A suppressed finding
stays in every report with status "suppressed" and its `Suppression` (reason, source, where).
Only fail and unknown findings can be suppressed: a suppression that matches nothing but passes
is stale. Problems with suppressions themselves are CT099 findings (a rule of scope file,
emitted here rather than by the engine):

- an inline or Metadata suppression without a reason (it does not suppress);
- one that names no rule or an invalid rule id;
- an expired config entry (it stops suppressing; its findings fail again);
- a suppression that matched no fail or unknown finding.

Inline form (`#` or `//`), on the line a finding points at or on the line directly above it
(stacked comment lines are skipped); above or on a block's opening line it covers the block:

    # trailcheck:ignore CT020,CT021 reason="copies go to the audit account's locked bucket"
    resource "aws_s3_bucket" "logs" {

CloudFormation form, on the resource (Metadata is not in the model, so the template is read
again here): `Metadata: {trailcheck: {ignore: [{id: CT020, reason: "..."}]}}`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from checker.config import Config, Skip
from checker.findings import Finding, Severity, Suppression
from checker.loaders.terraform.files import INLINE_MARKER
from checker.loaders.terraform.syntax import Block, ParsedFile, parse_file
from checker.model import InputFile

if TYPE_CHECKING:
    import yaml


RULE_ID = "CT099"
RULE_NAME = "unused-suppression"
RULE_SEVERITY: Severity = "low"
SUPPRESSIBLE = ("fail", "unknown")

_ID = re.compile(r"^CT[0-9]{3}$")
_INLINE = re.compile(r"^(?:#|//)\s*trailcheck:ignore\b(?P<rest>.*)$")
_REASON = re.compile(
    r"""\breason\s*=\s*(?:"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>[^']*)'|(?P<bare>\S.*))"""
)
_CFN_SUFFIXES = (".yaml", ".yml", ".json", ".template")


# ---------------------------------------------------------------------------------------------
# The scanned files


@dataclass
class Sources:
    """The scanned inputs, read on demand: comments and Metadata are not in the model."""

    inputs: Sequence[InputFile]
    root: Path = field(default_factory=Path.cwd)  # the folder report paths are relative to
    _texts: dict[str, str | None] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # the texts the loaders kept (those of files without suppressions are "")
        self._texts.update((i.path, i.suppression_text) for i in self.inputs
                           if i.suppression_text is not None)  # fmt: skip

    def text(self, display: str) -> str | None:
        if display not in self._texts:
            try:
                self._texts[display] = (self.root / display).read_bytes().decode("utf-8-sig")
            except (OSError, UnicodeDecodeError):
                self._texts[display] = None  # the loader has reported it (CT000)
        return self._texts[display]

    def files(self, kind: str, suffixes: tuple[str, ...], extra: Iterable[str] = ()) -> list[str]:
        """Display paths of the inputs of `kind` (folders expanded one level) plus `extra`."""
        out = {e for e in extra if e.endswith(suffixes)}
        for i in self.inputs:
            if i.kind != kind or i.status != "ok":
                continue
            if i.suppression_text is None and (p := self.root / i.path).is_dir():
                base = i.path.rstrip("/")
                out.update(f"{base}/{c.name}" for c in p.iterdir() if c.name.endswith(suffixes))
            elif i.path.endswith(suffixes):
                out.add(i.path)
        return sorted(out)


# ---------------------------------------------------------------------------------------------
# Suppressions


@dataclass
class _Suppression:
    source: Literal["inline", "metadata", "config"]
    file: str  # where it is written
    line: int
    label: str  # what it is, for CT099 messages (stable when lines move)
    rules: tuple[str, ...]
    reason: str | None
    covers: Callable[[Finding], bool]
    problem: str | None = None  # the CT099 message of a malformed one: never applied
    expires: date | None = None
    used: set[str] = field(default_factory=set)  # rule ids it suppressed
    seen: set[str] = field(default_factory=set)  # rule ids of scanned findings it covers

    def unused(self) -> list[str]:
        """Its rule ids that suppressed nothing (["*"] for an any-rule entry that did not)."""
        if not self.rules:
            return [] if self.used else ["*"]
        return [r for r in self.rules if r not in self.used]

    def as_finding_suppression(self) -> Suppression:
        return Suppression(self.reason or "", self.source, f"{self.file}:{self.line}")


def _problem(label: str, ids: Sequence[str], reason: str | None) -> str | None:
    """Why a suppression cannot apply, as its CT099 message; None when it is well formed."""
    bad = [i for i in ids if not _ID.match(i)]
    if not ids or bad:
        what = f"an invalid rule id {', '.join(map(repr, bad))}" if bad else "no rule id"
        return f"suppression {label} names {what}: it suppresses nothing"
    if not reason:
        return f"suppression without a reason: {label} suppresses nothing until it gives one"
    return None


def inline_suppressions(file: str, text: str) -> list[_Suppression]:
    """`trailcheck:ignore` comments of one Terraform file, read from the comments of its syntax
    tree (the parser of record's, so comment markers inside strings and heredocs are text)."""
    parsed = parse_file(text)
    lines = text.split("\n")  # as the parser counts lines
    if text.endswith("\n"):
        lines.pop()
    spans = _spans(parsed)
    own_line = {  # lines holding only a line comment
        c.line for c in parsed.comments
        if c.text[0] != "/" or c.text[1] == "/"
        if not lines[c.line - 1][: c.column - 1].strip()
    }
    out = []
    for c in parsed.comments:
        comment = c.text.rstrip()
        m = _INLINE.match(comment)
        if m is None:
            continue
        code_before = c.line not in own_line
        rest = m.group("rest")
        r = _REASON.search(rest)
        reason = None
        if r is not None:
            raw = r.group("dq") if r.group("dq") is not None else r.group("sq") or r.group("bare")
            reason = (raw or "").replace('\\"', '"').strip() or None
        ids = tuple(t.upper() for t in re.split(r"[\s,]+", rest[: r.start()] if r else rest) if t)
        target = c.line
        if not code_before:  # the next line that is not a comment of its own
            target += 1
            while target in own_line:
                target += 1
        last = spans.get(target, target)
        shown = lines[target - 1] if 0 < target <= len(lines) else "end of file"
        if code_before:
            shown = shown[: c.column - 1]
        shown = shown.strip()
        label = f"`trailcheck:ignore{' ' if ids else ''}{','.join(ids)}` at `{shown[:60]}`"

        def covers(f: Finding, file: str = file, first: int = target, last: int = last) -> bool:
            return f.file == file and first <= f.line <= last

        out.append(_Suppression("inline", file, c.line, label, ids, reason, covers,
                                problem=_problem(label, ids, reason)))
    return out


def _spans(parsed: ParsedFile) -> dict[int, int]:
    """{first line: last line} of every block and multi-line argument (the widest per line):
    a suppression above or on the first line covers them whole."""
    spans: dict[int, int] = {}

    def note(first: int, last: int) -> None:
        if last > spans.get(first, first):
            spans[first] = last

    def walk(block: Block) -> None:
        note(block.line, block.end_line)
        for a in block.attrs.values():
            note(a.line, a.end_line)
        for b in block.blocks:
            walk(b)

    for a in parsed.attrs.values():
        note(a.line, a.end_line)
    for b in parsed.blocks:
        walk(b)
    return spans


def metadata_suppressions(file: str, text: str) -> list[_Suppression]:
    """`Metadata.trailcheck.ignore` entries of one CloudFormation template (or of the
    `resources` section of a Serverless Framework service file)."""
    import yaml

    try:  # composing keeps lines and needs no constructor for !Ref and friends
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return []  # the loader reports the template as CT000
    out = []
    # a serverless.yml's `resources` (one fragment or a list of them) is CloudFormation too
    extra = _get(root, "resources")
    fragments = extra.value if isinstance(extra, yaml.SequenceNode) else [extra]
    resources = [_get(root, "Resources"), *(_get(f, "Resources") for f in fragments)]
    for logical_id, resource in (pair for node in resources for pair in _pairs(node)):
        entries = _get(_get(_get(resource, "Metadata"), "trailcheck"), "ignore")
        items = entries.value if isinstance(entries, yaml.SequenceNode) else []
        for item in items:
            ids = tuple(v.upper() for v in _scalars(_get(item, "id")))
            reason_node = _get(item, "reason")
            reason = reason_node.value.strip() if isinstance(reason_node, yaml.ScalarNode) else None
            line = item.start_mark.line + 1
            label = f"Metadata ignore {','.join(ids) or '?'} of {logical_id}"

            def covers(f: Finding, file: str = file, rid: str = logical_id) -> bool:
                return f.file == file and f.resource == rid

            out.append(_Suppression("metadata", file, line, label, ids, reason or None, covers,
                                    problem=_problem(label, ids, reason)))
    return out


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    import yaml

    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if getattr(k, "value", None) == key:
                return v  # type: ignore[no-any-return]
    return None


def _pairs(node: yaml.Node | None) -> Iterator[tuple[str, yaml.Node]]:
    import yaml

    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode):
                yield k.value, v


def _scalars(node: yaml.Node | None) -> list[str]:
    import yaml

    if isinstance(node, yaml.ScalarNode):
        return [node.value]
    if isinstance(node, yaml.SequenceNode):
        return [v.value for v in node.value if isinstance(v, yaml.ScalarNode)]
    return []


def config_suppressions(config: Config, root: Path) -> list[_Suppression]:
    out = []
    for skip in config.skip:

        def covers(f: Finding, skip: Skip = skip) -> bool:
            return skip.matches(f.rule_id, f.resource, config.relative(f.file, root))

        out.append(_Suppression(
            "config", config.path or "", skip.line, f"skip entry ({skip.describe()})",
            skip.rules, skip.reason, covers, expires=skip.expires,
        ))
    return out


# ---------------------------------------------------------------------------------------------
# Applying them


def collect(findings: Sequence[Finding], sources: Sources, config: Config) -> list[_Suppression]:
    """Every suppression in the scanned files and the config, in the order they apply."""
    files = [f.file for f in findings]
    out: list[_Suppression] = []
    for file in sources.files("terraform", (".tf",), files):
        text = sources.text(file)
        if text is not None and INLINE_MARKER in text:
            out.extend(inline_suppressions(file, text))
    for file in sources.files("cloudformation", _CFN_SUFFIXES):
        text = sources.text(file)
        if text is not None and "trailcheck" in text:
            out.extend(metadata_suppressions(file, text))
    out.extend(config_suppressions(config, sources.root))
    return out


def apply(
    findings: Sequence[Finding],
    sources: Sources,
    config: Config | None = None,
    *,
    today: date | None = None,
    whole_tree: bool = True,
    rule_ids: Collection[str] = (),
) -> list[Finding]:
    """The findings with suppressions and the baseline applied, plus CT099 findings; sorted.

    A suppression that names a rule not in `rule_ids` (when given) is always reported. With
    `whole_tree` False (a scan of a few files, as pre-commit runs), a config entry that matched
    nothing is reported only when it covers scanned findings that all pass; one that covers no
    scanned finding may be about what was not scanned.
    """
    config = config or Config()
    today = today or date.today()
    suppressions = collect(findings, sources, config)
    out = [_suppress(f, suppressions, today) for f in findings]
    out.extend(_problems(suppressions, config, today, whole_tree, frozenset(rule_ids)))
    return sorted(out, key=Finding.sort_key)


def _suppress(f: Finding, suppressions: Sequence[_Suppression], today: date) -> Finding:
    first: _Suppression | None = None
    for s in suppressions:
        if s.problem is not None or (s.rules and f.rule_id not in s.rules) or not s.covers(f):
            continue
        s.seen.add(f.rule_id)
        if f.status not in SUPPRESSIBLE or (s.expires is not None and today > s.expires):
            continue  # an expired one is reported once as expired, whatever it matches
        s.used.add(f.rule_id)  # every matching suppression counts as used, the first explains
        first = first or s
    if first is None:
        return f
    return replace(f, status="suppressed", suppression=first.as_finding_suppression())


def _problems(
    suppressions: Sequence[_Suppression], config: Config, today: date, whole_tree: bool,
    rule_ids: frozenset[str],
) -> list[Finding]:  # fmt: skip
    out = []
    for s in suppressions:
        missing = [r for r in s.rules if rule_ids and r not in rule_ids]
        if s.problem is not None:
            message = s.problem
        elif missing:
            message = (f"suppression {s.label} names {', '.join(missing)}, which is not a "
                       "trailcheck rule (`trailcheck rules` lists them): remove or correct it")
        elif s.expires is not None and today > s.expires:
            message = (f"suppression expired on {s.expires.isoformat()}: {s.label} no longer "
                       "suppresses; renew the date or fix the findings")
        elif (whole_tree or s.source != "config" or s.seen) and (unused := s.unused()):
            if not s.rules or len(unused) == len(s.rules):
                message = (f"unused suppression: {s.label} matches no failing or unknown "
                           "finding; remove it")
            else:
                message = (f"unused suppression of {','.join(unused)} in {s.label}: no failing "
                           f"or unknown {'/'.join(unused)} finding there; remove the id")
        else:
            continue
        out.append(Finding(
            rule_id=RULE_ID,
            rule_name=RULE_NAME,
            status="fail",
            severity=config.severity.get(RULE_ID, RULE_SEVERITY),
            resource=s.file,
            file=s.file,
            line=s.line,
            message=message,
        ))
    return out
