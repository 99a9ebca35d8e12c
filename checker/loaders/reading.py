"""Reading input files, shared by every loader: options, size and encoding limits, and the CT000
findings for files that cannot be read. The bottom of the loaders: it imports only the model."""

from __future__ import annotations

import codecs
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.model import Diagnostic, Estate, InputFile, Location

# Folders that never hold the user's own configuration: version control, caches, copies that
# tools make (Terraform's and Terragrunt's module caches, Serverless and SAM build output) and
# editors' settings. Any other folder is scanned, a hidden one too: a repository may keep
# configuration it deploys under a dot folder (a Terragrunt layout's `.settings/cloudtrail`).
SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    ".terraform",
    ".terragrunt-cache",
    ".serverless",
    ".aws-sam",
    "node_modules",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".idea",
    ".vscode",
}
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class LoadOptions:
    var_files: tuple[str, ...] = ()
    variables: tuple[tuple[str, str], ...] = ()  # --var NAME=VALUE, in command-line order
    # for each --var, how many --var-file options come before it on the command line (the later
    # of the two wins, as in Terraform); empty: every --var comes after the files
    variable_positions: tuple[int, ...] = ()
    default_region: str | None = None
    cwd: str = field(default_factory=os.getcwd)
    jobs: int = 0  # worker processes for large trees; 0 picks by size

    def display(self, path: Path | str) -> str:
        """A path as reports show it: relative to the current folder, with forward slashes."""
        p = os.path.abspath(path)
        try:
            rel = os.path.relpath(p, self.cwd)
        except ValueError:  # another drive on Windows
            rel = p
        if rel.startswith(".." + os.sep + ".." + os.sep + ".."):
            rel = p
        return rel.replace(os.sep, "/")


# what a `\uD800`-`\uDFFF` escape without its other half decodes to: no character
SURROGATE = re.compile("[\ud800-\udfff]")
# a `\uD800`-`\uDBFF` escape not followed by a `\uDC00`-`\uDFFF` one, or the other way round
_LONE_ESCAPE = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
                          r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}")


def _has_surrogate(value: Any) -> bool:
    """Whether a string of the document holds a lone surrogate (what such an escape decodes to)."""
    if isinstance(value, str):
        return SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    return False


def unicode_with_bom(data: bytes) -> str | None:
    """The UTF-16 or UTF-32 encoding whose byte order mark starts `data`, else None."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def input_error(file: str, line: int, message: str) -> Diagnostic:
    """A CT000 finding: a file that could not be read or parsed."""
    return Diagnostic("CT000", "fail", message, Location(file, line), resource=file)


def error_estate(file: str, kind: str, line: int, message: str) -> Estate:
    return Estate(
        inputs=(InputFile(file, kind, "error"),),  # type: ignore[arg-type]
        diagnostics=(input_error(file, line, message),),
    )


def read_json(path: Path, display: str, kind: str) -> tuple[str, Any, Estate | None]:
    """The file's text and its JSON value, or an estate holding the CT000 that says why not.
    JSON that a tool wrote may be UTF-16 with a byte order mark (Windows PowerShell 5.1's `>`
    writes it, say `terraform show -json plan > plan.json`), which JSON readers may accept
    (RFC 8259, section 8.1)."""
    text, err = read_text(path, display, kind, byte_order_marks=True)
    if err is not None:
        return "", None, err
    text = text or ""
    try:
        doc = json.loads(text)
        lone = _LONE_ESCAPE.search(text)
        if lone is not None and _has_surrogate(doc):  # json accepts it, but it is no character
            line = text.count("\n", 0, lone.start()) + 1
            message = (f"invalid JSON: {lone.group()} is half of a UTF-16 surrogate pair, not a "
                       "character")  # fmt: skip
            return text, None, error_estate(display, kind, line, message)
        return text, doc, None
    except json.JSONDecodeError as e:
        where = f"invalid JSON: {e.msg} (column {e.colno})"
        if e.msg == "Extra data":  # `aws ... >> file.json` of several commands
            where += ": the file holds more than one JSON document; save each in its own file"
        return text, None, error_estate(display, kind, e.lineno, where)
    except RecursionError:
        return text, None, error_estate(display, kind, 1, "the JSON is nested too deeply to read")


def read_text(path: Path, display: str, kind: str, *, byte_order_marks: bool = False
              ) -> tuple[str | None, Estate | None]:  # fmt: skip
    """The file's text, or an estate holding the CT000 that says why it cannot be read. UTF-8
    (a byte order mark is dropped); with `byte_order_marks`, also UTF-16 or UTF-32 that starts
    with its byte order mark."""
    try:
        with open(path, "rb") as fh:  # one open and one fstat: a large tree reads many files
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_FILE_BYTES:
                return None, error_estate(
                    display,
                    kind,
                    0,
                    f"file is {size / 1048576:.1f} MB, above the {MAX_FILE_BYTES // 1048576} MB "
                    "limit for configuration files",
                )
            data = fh.read()
    except OSError as e:
        return None, error_estate(display, kind, 0, f"cannot read file: {e.strerror or e}")
    encoding = unicode_with_bom(data)
    if encoding is not None and not byte_order_marks:
        return None, error_estate(display, kind, 1, f"file is {encoding.upper()} text (it starts "
                                  "with that byte order mark): save it as UTF-8")  # fmt: skip
    try:
        return data.decode(encoding or "utf-8-sig"), None
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        return None, error_estate(
            display,
            kind,
            line,
            f"file is not UTF-8 text (invalid byte 0x{data[e.start]:02x} at offset {e.start})",
        )
