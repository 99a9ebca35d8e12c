"""Safe YAML for CloudFormation: short-form intrinsics, line numbers, bounded aliases.

The text goes through libyaml's event parser (PyYAML's `CSafeLoader` parser when the C
extension is there, the pure-Python one otherwise) and this module builds the values from the
events itself, without PyYAML's composer or constructors:

- no Python object is ever built from a tag: `!Ref X` becomes `{"Ref": "X"}`, `!GetAtt A.B`
  `{"Fn::GetAtt": ["A", "B"]}`, any other `!Name v` `{"Fn::Name": v}`; a `!!python/...` tag is
  an error;
- the building loop keeps its own stack, so deep nesting cannot overflow the C stack (PyYAML's C
  composer recurses and crashes the interpreter on a few thousand nested brackets); nesting
  beyond `MAX_DEPTH` is an error, found after reading `MAX_DEPTH` events;
- an alias reuses the value built for its anchor and counts the nodes it would add if expanded:
  a "billion laughs" document stops after `MAX_ALIAS_EXPANSION` nodes, an alias to a node that
  contains it is an error;
- timestamps stay strings (`AWSTemplateFormatVersion: 2010-09-09`, policy `Version`), mapping
  keys are the text as written (`111122223333:` in a Mappings section stays a string);
- every mapping and list records its line and the line of each key or item (`cfn_values`).

Only the first document of a stream is read: a template is one document.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.nodes import ScalarNode

from checker.loaders.located import (
    MAX_ALIAS_EXPANSION,
    MAX_DEPTH,
    LineDict,
    LineList,
    SourceError,
)

_PARSER: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STD = "tag:yaml.org,2002:"
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_MERGE = object()  # the `<<` key


def parse_yaml(text: str) -> Any:
    """The first document of `text` as LineDict/LineList/scalars; None for an empty stream."""
    try:
        return _build(yaml.parse(text, Loader=_PARSER))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = e.problem or e.context or "invalid YAML"
        return _raise(f"invalid YAML: {problem}", line)
    except yaml.reader.ReaderError as e:
        line = text.count("\n", 0, e.position) + 1 if isinstance(e.position, int) else 0
        return _raise(f"invalid YAML: {e.reason} (character {e.character!r})", line)
    except yaml.YAMLError as e:  # any other error the parser reports about the text
        return _raise(f"invalid YAML: {e}", 0)


def _raise(message: str, line: int) -> Any:
    raise SourceError(message, line)


class _Frame:
    """A mapping or list being built."""

    __slots__ = ("anchor", "container", "key", "key_line", "size", "tag")

    def __init__(self, container: LineDict | LineList, tag: str | None, anchor: str | None) -> None:
        self.container = container
        self.tag = tag
        self.anchor = anchor
        self.key: Any = None  # a mapping's pending key (str or _MERGE), None when a key is due
        self.key_line = 0
        self.size = 1  # nodes, aliases counted expanded


def _build(events: Any) -> Any:
    stack: list[_Frame] = []
    anchors: dict[str, tuple[Any, int]] = {}
    open_anchors: set[str] = set()
    expanded = 0
    root: Any = None

    def add(value: Any, size: int, line: int, key_text: str | None) -> None:
        nonlocal root
        if not stack:
            root = value
            return
        frame = stack[-1]
        frame.size += size
        c = frame.container
        if isinstance(c, LineList):
            c.append(value)
            c.item_lines.append(line)
            return
        if frame.key is None:  # this value is a key
            if key_text is None:
                raise SourceError("mapping keys must be plain text", line)
            frame.key = key_text
            frame.key_line = line
            return
        key, frame.key = frame.key, None
        if key is _MERGE:
            _merge(c, value, frame.key_line)
        elif key in c:
            raise SourceError(
                f"duplicate key {key!r} (first at line {c.key_lines[key]})", frame.key_line
            )
        else:
            c[key] = value
            c.key_lines[key] = frame.key_line

    for ev in events:
        kind = type(ev)
        if kind is ScalarEvent:
            line = ev.start_mark.line + 1
            value = _scalar(ev, line)
            if ev.anchor:
                anchors[ev.anchor] = (value, 1)
            key_text: Any = ev.value
            due = stack and isinstance(stack[-1].container, LineDict) and stack[-1].key is None
            if due and ev.value == "<<" and ev.tag is None and ev.implicit[0]:
                key_text = _MERGE
            add(value, 1, line, key_text)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if len(stack) >= MAX_DEPTH:
                raise SourceError(f"nested deeper than {MAX_DEPTH} levels", ev.start_mark.line + 1)
            line = ev.start_mark.line + 1
            container: LineDict | LineList = (
                LineDict(line) if kind is MappingStartEvent else LineList(line)
            )
            if ev.anchor:
                open_anchors.add(ev.anchor)
            stack.append(_Frame(container, ev.tag, ev.anchor))
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            frame = stack.pop()
            value = _tagged(frame.container, frame.tag, frame.container.line)
            if frame.anchor:
                open_anchors.discard(frame.anchor)
                anchors[frame.anchor] = (value, frame.size)
            add(value, frame.size, frame.container.line, None)
        elif kind is AliasEvent:
            line = ev.start_mark.line + 1
            if ev.anchor in open_anchors:
                raise SourceError(f"alias *{ev.anchor} refers to a node that contains it", line)
            if ev.anchor not in anchors:
                raise SourceError(f"alias *{ev.anchor} has no anchor before it", line)
            value, size = anchors[ev.anchor]
            expanded += size
            if expanded > MAX_ALIAS_EXPANSION:
                raise SourceError(
                    f"YAML aliases expand to more than {MAX_ALIAS_EXPANSION} nodes "
                    "(a 'billion laughs' document?)",
                    line,
                )
            add(value, size, line, value if isinstance(value, str) else None)
        elif kind is DocumentEndEvent:
            break
    return root


def _merge(target: LineDict, value: Any, line: int) -> None:
    """`<<: *base` (or a list of them): keys not already set come from the merged mappings."""
    sources = value if isinstance(value, list) else [value]
    for source in sources:
        if not isinstance(source, LineDict):
            raise SourceError("a merge key `<<` needs a mapping or a list of mappings", line)
        for k, v in source.items():
            if k not in target:
                target[k] = v
                target.key_lines[k] = source.key_lines.get(k, line)


def _scalar(ev: ScalarEvent, line: int) -> Any:
    tag = ev.tag
    if tag == "!":  # the non-specific tag: a string
        return ev.value
    if tag is None:
        if not ev.implicit[0]:  # quoted
            return ev.value
        tag = str(_RESOLVER.resolve(ScalarNode, ev.value, (True, False)))  # type: ignore[no-untyped-call]
        return _standard_scalar(tag, ev.value, line)
    if tag.startswith(_STD):
        return _standard_scalar(tag, ev.value, line)
    return _tagged(ev.value, tag, line)


def _standard_scalar(tag: str, value: str, line: int) -> Any:
    name = tag[len(_STD):] if tag.startswith(_STD) else tag
    if name in ("str", "timestamp", "binary", "merge", "value"):
        return value  # templates use dates as plain strings; `<<` is handled as a key
    node = ScalarNode(tag, value)
    try:
        if name == "int":
            return _CONSTRUCTOR.construct_yaml_int(node)
        if name == "float":
            return _CONSTRUCTOR.construct_yaml_float(node)
        if name == "bool":
            return _CONSTRUCTOR.construct_yaml_bool(node)
        if name == "null":
            return None
    except (ValueError, KeyError) as e:
        raise SourceError(f"invalid {name} value {value!r}", line) from e
    raise SourceError(f"unsupported YAML tag {tag}", line)


def _tagged(value: Any, tag: str | None, line: int) -> Any:
    """A value with a tag: a CloudFormation short form becomes its long form."""
    if tag is None or tag == "!" or tag in (_STD + "map", _STD + "seq"):
        return value
    if not tag.startswith("!") or tag.startswith("!!"):
        raise SourceError(f"unsupported YAML tag {tag}", line)
    name = tag[1:]
    if name == "GetAtt" and isinstance(value, str):
        logical, _, attribute = value.partition(".")
        parts = LineList(line)
        parts.extend([logical, attribute])
        parts.item_lines.extend([line, line])
        value = parts
    key = name if name in ("Ref", "Condition") else f"Fn::{name}"
    out = LineDict(line)
    out[key] = value
    out.key_lines[key] = line
    return out
