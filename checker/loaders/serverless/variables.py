"""Serverless Framework variables (`${source:address, fallback, ...}`) in serverless.yml values.

The Framework replaces them before it generates the stack (Serverless Framework docs,
"Variables"; docs/semantics/serverless.md). trailcheck replaces those the file alone decides:

- `${self:a.b}` is the value at that path of the file (followed through its own variables);
  a path the file does not set, or sets to null, falls through to the next fallback;
- a fallback in quotes (`'dev'`) or a JSON literal (`1024`, `true`) is that value.

Every other source (`opt`, `sls`, `env`, `ssm`, `aws`, `cf`, `s3`, `file`, `param`, ...) is
read when the Framework runs: its value is an Unknown that names the variable as written and
where its value comes from, never a guess. So `${opt:stage, 'dev'}` is unknown: 'dev' is the
stage only when the command is run without `--stage`.

A `${...}` that holds no colon and no parenthesis is no variable (`${Bucket}` of an `Fn::Sub`), and
`${AWS::Region}` or `${!Literal}` are CloudFormation's: the Framework leaves them as written, and
so does this module (its resolver, serverless/serverless packages/sf-core/src/lib/resolvers/
placeholders.js, is the source where the documentation is silent).

A variable alone in a string gives its value whatever its type (a whole event pattern from
`custom`); within text, its value becomes text. Self-references are resolved once each, and the
values they copy are counted like YAML aliases: a file whose references multiply beyond
`MAX_ALIAS_EXPANSION` values, or refer to themselves, gets an Unknown there, not a hang.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from checker.loaders.located import MAX_ALIAS_EXPANSION, MAX_DEPTH, LineDict, LineList
from checker.model import Unknown, partly_known

# one source and its address: `provider(params):address` (placeholders.js, mainRegex)
_SOURCE: Final = re.compile(r"([^:()]+)(?:\((.*)\))?(?::(.*))?", re.DOTALL)
# sources whose `${...}` the Framework leaves alone: CloudFormation pseudo parameters, CloudWatch
# dashboard labels, IoT policy variables (placeholders.js, shouldBeIgnored)
_IGNORED: Final = ("AWS", "PROP", "iot")
# what a source's value is, for the reason of its Unknown
_FROM: Final = {
    "ssm": "a value of AWS Systems Manager Parameter Store",
    "aws": "a value of the AWS account and Region it deploys to",
    "cf": "an output of another CloudFormation stack",
    "s3": "an object in Amazon S3",
    "file": "a value of another file",
    "param": "a parameter of the stage it deploys",
    "sls": "a value of the Framework's own run",
    "git": "a value of the git repository",
}
STAGE: Final = ("the stage the serverless command deploys (its --stage option, else "
                "provider.stage, else dev)")  # fmt: skip
_MISSING: Final = object()
# nesting of values and self-references being resolved at once: well within Python's stack
_MAX_NESTING: Final = 3 * MAX_DEPTH


class Variables:
    """Resolves the variables of the values of one parsed serverless.yml (`root`)."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self._active: list[str] = []  # self-references being resolved: a cycle is an Unknown
        self._done: dict[str, Any] = {}  # self-references resolved, by path
        self._expanded = 0  # values that self-references copy, counted as YAML aliases are
        self._nesting = 0

    def resolve(self, node: Any) -> Any:
        """`node` with its variables replaced: LineDicts and LineLists keep their lines."""
        if isinstance(node, str):
            return self.text(node)
        if not isinstance(node, (dict, list)):
            return node
        if self._nesting >= _MAX_NESTING:
            return Unknown(f"values nest deeper than {_MAX_NESTING} levels through ${{self:}} "
                           "references")  # fmt: skip
        self._nesting += 1
        try:
            if isinstance(node, dict):
                out = LineDict(getattr(node, "line", 0))
                for key, value in node.items():
                    out[key] = self.resolve(value)
                out.key_lines = dict(getattr(node, "key_lines", {}))
                return out
            items = LineList(getattr(node, "line", 0))
            for value in node:
                items.append(self.resolve(value))
            items.item_lines = list(getattr(node, "item_lines", []))
            return items
        finally:
            self._nesting -= 1

    def text(self, text: str) -> Any:
        """A string with its variables replaced: the value of a variable that is the whole
        string, else a string (partly known when a variable in it is not known)."""
        spans = _placeholders(text)
        if not spans:
            return text
        if spans == [(0, len(text))]:
            return self._placeholder(text)
        parts: list[Any] = []
        pos = 0
        for start, end in spans:
            parts += [text[pos:start], self._placeholder(text[start:end])]
            pos = end
        parts.append(text[pos:])
        return _joined(parts, text)

    def _placeholder(self, written: str) -> Any:
        fallbacks = [f.strip() for f in _split(written[2:-1])]
        if (len(fallbacks) == 1 and _source(fallbacks[0]) in _IGNORED) \
                or fallbacks[0].startswith("!"):  # fmt: skip
            return written
        for fallback in fallbacks:
            if len(fallback) >= 2 and fallback[0] == fallback[-1] and fallback[0] in "'\"":
                return self.text(fallback[1:-1])
            if _placeholders(fallback) == [(0, len(fallback))]:  # `${opt:x, ${self:y}}`
                return self._placeholder(fallback)
            resolved = self.text(fallback)  # a variable within the address: `${self:a.${opt:x}}`
            if isinstance(resolved, Unknown):
                return Unknown(f"{written} depends on another variable: {resolved.reason}")
            if not isinstance(resolved, str):
                return Unknown(f"{written} has an address that is not text")
            m = _SOURCE.fullmatch(resolved)
            if m is None:
                return Unknown(f"{written} is not a variable the Serverless Framework reads")
            source, params, address = m.groups()
            if params is None and address is None:  # a literal fallback: `1024`, `true`
                try:
                    literal: Any = json.loads(resolved)
                except ValueError:
                    return Unknown(f"{written} has a fallback {resolved!r} that is neither "
                                   "quoted nor a number or boolean")  # fmt: skip
                return literal
            if source != "self":
                return Unknown(_outside(written, source, address))
            value = self._self(address or "")
            if value is not _MISSING:
                return value
        return Unknown(f"{written} names no value the file sets (the Serverless Framework stops "
                       "with an error)")  # fmt: skip

    def _self(self, path: str) -> Any:
        """The value at `path` of the file, resolved; _MISSING when the file sets none."""
        if path in self._done:
            return self._done[path]
        if path in self._active:
            return Unknown(f"${{self:{path}}} refers to itself (the Serverless Framework stops "
                           "with an error: cyclic reference)")  # fmt: skip
        node = _lookup(self.root, path)
        if node is _MISSING or node is None:
            return _MISSING
        self._active.append(path)
        try:
            value = self.resolve(node)
        finally:
            self._active.pop()
        self._expanded += _size(value)
        if self._expanded > MAX_ALIAS_EXPANSION:
            value = Unknown(f"${{self:}} references copy more than {MAX_ALIAS_EXPANSION} values")
        self._done[path] = value
        return value


def _outside(written: str, source: str, address: str | None) -> str:
    """Why a variable of a source outside the file is not known."""
    if source == "sls" and address == "stage":
        what = STAGE
    elif source == "opt":
        what = f"the --{address} option of the serverless command"
    elif source == "env":
        what = f"the environment variable {address}"
    else:
        what = _FROM.get(source, f"a value of its {source} source")
    return f"{written} is {what}, known only when the Serverless Framework runs"


def _placeholders(text: str) -> list[tuple[int, int]]:
    """The spans of the outermost `${...}` of `text` that are variables: those holding a colon,
    or an opening and a closing parenthesis (placeholders.js, extractPlaceholdersFromString)."""
    spans: list[tuple[int, int]] = []
    depth, start, i = 0, -1, 0
    while i < len(text):
        if text.startswith("${", i):
            if depth == 0:
                start = i
            depth += 1
            i += 2
            continue
        if text[i] == "}" and depth > 0:
            depth -= 1
            if depth == 0:
                inner = text[start + 2 : i]
                if ":" in inner or ("(" in inner and ")" in inner):
                    spans.append((start, i + 1))
        i += 1
    return spans


def _split(inner: str) -> list[str]:
    """The fallbacks of a variable: split at the commas outside parentheses and `${...}`."""
    parts: list[str] = []
    depth_parens = depth_braces = 0
    last = i = 0
    while i < len(inner):
        if inner.startswith("${", i):
            depth_braces += 1
            i += 2
            continue
        char = inner[i]
        if char == "}" and depth_braces:
            depth_braces -= 1
        elif char == "(":
            depth_parens += 1
        elif char == ")":
            depth_parens -= 1
        elif char == "," and depth_parens == 0 and depth_braces == 0:
            parts.append(inner[last:i])
            last = i + 1
        i += 1
    parts.append(inner[last:])
    return parts


def _source(fallback: str) -> str:
    m = _SOURCE.fullmatch(fallback)
    return m.group(1) if m is not None else ""


def _lookup(root: Any, path: str) -> Any:
    """The node at a dotted path (`custom.alerts.0`); the root for the empty path."""
    node = root
    for key in path.split(".") if path else ():
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return _MISSING
    return node


def _size(value: Any) -> int:
    """The values a resolved value holds, itself included."""
    count, stack = 0, [value]
    while stack:
        item = stack.pop()
        count += 1
        if count > MAX_ALIAS_EXPANSION:
            break
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def _joined(parts: list[Any], written: str) -> Any:
    """Text and the values of its variables as one string, as the Framework writes it."""
    texts: list[Any] = []
    for part in parts:
        if isinstance(part, (Unknown, str)):
            texts.append(part)
        elif isinstance(part, bool):
            texts.append("true" if part else "false")
        elif isinstance(part, (int, float)):
            texts.append(str(int(part)) if isinstance(part, float) and part.is_integer()
                         else str(part))  # fmt: skip
        else:
            return Unknown(f"{written!r} puts a value that is not text into a string")
    unknowns = [p for p in texts if isinstance(p, Unknown)]
    if unknowns:
        return partly_known(unknowns[0].reason, texts)
    return "".join(texts)
