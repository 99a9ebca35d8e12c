"""Loaders turn input files into the normalized model. `load_paths` finds what each path is.

Each format module knows its format and nothing else:
- `terraform`        HCL and `.tf.json` module folders (with tfvars, locals, local modules)
- `terraform_plan`   `terraform show -json` output
- `cloudformation`   templates in YAML or JSON
- `awscli`           saved `aws cloudtrail ...` output
- `snapshot`         trailcheck's own account snapshot (written by `trailcheck audit --save`)

A file that cannot be read or parsed becomes a CT000 diagnostic; the rest is still loaded.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.model import Diagnostic, Estate, InputFile, Location, in_unit

# Folders that never hold the user's own configuration.
SKIP_DIRS = {
    ".git",
    ".terraform",
    "node_modules",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    ".mypy_cache",
}
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class LoadOptions:
    var_files: tuple[str, ...] = ()
    variables: tuple[tuple[str, str], ...] = ()  # --var NAME=VALUE, in command-line order
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


def input_error(file: str, line: int, message: str) -> Diagnostic:
    """A CT000 finding: a file that could not be read or parsed."""
    return Diagnostic("CT000", "fail", message, Location(file, line), resource=file)


def error_estate(file: str, kind: str, line: int, message: str) -> Estate:
    return Estate(
        inputs=(InputFile(file, kind, "error"),),  # type: ignore[arg-type]
        diagnostics=(input_error(file, line, message),),
    )


def read_json(path: Path, display: str, kind: str) -> tuple[str, Any, Estate | None]:
    """The file's text and its JSON value, or an estate holding the CT000 that says why not."""
    text, err = read_text(path, display, kind)
    if err is not None:
        return "", None, err
    text = text or ""
    try:
        return text, json.loads(text), None
    except json.JSONDecodeError as e:
        where = f"invalid JSON: {e.msg} (column {e.colno})"
        return text, None, error_estate(display, kind, e.lineno, where)


def read_text(path: Path, display: str, kind: str) -> tuple[str | None, Estate | None]:
    """The file's text, or an estate holding the CT000 that says why it cannot be read."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, error_estate(
                display,
                kind,
                0,
                f"file is {size / 1048576:.1f} MB, above the {MAX_FILE_BYTES // 1048576} MB limit "
                "for configuration files",
            )
        data = path.read_bytes()
    except OSError as e:
        return None, error_estate(display, kind, 0, f"cannot read file: {e.strerror or e}")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        return None, error_estate(
            display,
            kind,
            line,
            f"file is not UTF-8 text (invalid byte 0x{data[e.start]:02x} at offset {e.start})",
        )


def load_paths(paths: Iterable[str], options: LoadOptions | None = None) -> Estate:
    """Load every input under `paths` into one estate."""
    from checker.loaders import discover

    options = options or LoadOptions()
    parts: list[Estate] = []
    plan = discover.classify(paths, options)
    parts.extend(plan.errors)
    if plan.terraform_roots:
        from checker.loaders.terraform import load_terraform

        parts.append(load_terraform(plan.terraform_roots, options, only_files=plan.terraform_files))
    json_docs: list[tuple[Path, str, Any]] = []
    for path in plan.structured:
        parts.append(_load_structured(path, options, json_docs))
    if json_docs:
        from checker.loaders.awscli import load_awscli

        parts.append(load_awscli(json_docs, options))
    return Estate.merge(parts)


def _load_structured(
    path: Path, options: LoadOptions, cli_docs: list[tuple[Path, str, Any]]
) -> Estate:
    """A `.json`/`.yaml`/`.yml`/`.template` file: a template, a plan, CLI output, a snapshot, or
    something else (skipped silently)."""
    from checker.loaders import discover

    display = options.display(path)
    kind = discover.sniff(path)
    if kind == "cloudformation":
        from checker.loaders.cloudformation import load_template

        # logical ids and plan addresses are unique only within their file
        return in_unit(load_template(path, display, options), display)
    if kind == "terraform-plan":
        from checker.loaders.terraform_plan import load_plan

        return in_unit(load_plan(path, display, options), display)
    if kind == "snapshot":
        from checker.loaders.snapshot import load_snapshot

        return in_unit(load_snapshot(path, display, options), display)
    if kind == "awscli":
        _, data, err = read_json(path, display, "awscli")
        if err is not None:
            return err
        cli_docs.append((path, display, data))
        return Estate()
    if kind == "error":
        return discover.sniff_error(path, display)
    return Estate(inputs=(InputFile(display, "unknown", "skipped"),))
