"""Terraform's `fileset(path, pattern)`: the regular files under `path` whose path relative to it
matches the glob `pattern`, with `/` separators, sorted (docs/semantics/terraform-functions.md).
"""

from __future__ import annotations

import os
import re

from checker.model import Unknown

# A scan must stay quick: a pattern over a tree larger than this is not enumerated.
MAX_WALKED = 20_000


def glob_regex(pattern: str) -> re.Pattern[str]:
    """The regular expression of a fileset glob: `*` and `?` within one path segment, `**` as a
    whole segment across segments, `[class]`/`[^class]`, `{alt1,alt2}` and `\\` escapes."""
    out: list[str] = []
    depth = 0  # inside how many {...}
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        at_segment = i == 0 or pattern[i - 1] == "/"
        if c == "*" and pattern.startswith("**", i) and at_segment:
            if pattern.startswith("**/", i):
                out.append("(?:.*/)?")
                i += 3
                continue
            if i + 2 == n:
                out.append(".*")
                i += 2
                continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 2)
            if end < 0:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : end]
                negated = body[:1] in ("^", "!")
                body = body[1:] if negated else body
                out.append(f"[{'^/' if negated else ''}{body.replace(chr(92), chr(92) * 2)}]")
                i = end
        elif c == "{":
            depth += 1
            out.append("(?:")
        elif c == "}" and depth:
            depth -= 1
            out.append(")")
        elif c == "," and depth:
            out.append("|")
        elif c == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + ")" * depth, re.DOTALL)


def fileset(base: str, path: str, pattern: str) -> list[str] | Unknown:
    """The matches of `pattern` under `path` (relative to `base`, where Terraform runs)."""
    top = os.path.normpath(os.path.join(base, path))
    regex = glob_regex(pattern.replace(os.sep, "/"))
    found: list[str] = []
    walked = 0
    for folder, dirs, files in os.walk(top):
        dirs.sort()
        walked += len(files) + len(dirs)
        if walked > MAX_WALKED:
            return Unknown(f"fileset({path!r}, {pattern!r}) reaches more than {MAX_WALKED} "
                           "files, more than trailcheck enumerates")  # fmt: skip
        rel = os.path.relpath(folder, top).replace(os.sep, "/")
        for name in files:
            relname = name if rel == "." else f"{rel}/{name}"
            if regex.fullmatch(relname) and os.path.isfile(os.path.join(folder, name)):
                found.append(relname)
    return sorted(found)
