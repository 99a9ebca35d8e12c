"""Loaders turn input files into the normalized model. `load_paths` finds what each path is.

The formats, one entry each in `FORMATS` below, one package each:
- `terraform/`       HCL and `.tf.json` module folders (tfvars, locals, modules), and plan JSON
- `cloudformation/`  templates in YAML or JSON
- `serverless/`      Serverless Framework service files, as the template the Framework generates
- `aws/`             saved `aws cloudtrail ...` output, trailcheck's own snapshot, a live account
Shared by all of them: `reading` (options, file limits, CT000 for unreadable files), `located`
and `located_json` (parsed values that remember their lines), `discover` (walking and sniffing).

A file that cannot be read or parsed becomes a CT000 diagnostic; the rest is still loaded.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.errors import internal_error_message
from checker.loaders import discover
from checker.loaders.reading import (
    MAX_FILE_BYTES,
    SKIP_DIRS,
    LoadOptions,
    error_estate,
    input_error,
    read_json,
    read_text,
)
from checker.model import Diagnostic, Estate, InputFile, InputKind, Location
from checker.unit_stamp import in_unit

__all__ = [
    "FORMATS",
    "MAX_FILE_BYTES",
    "SKIP_DIRS",
    "Format",
    "LoadOptions",
    "error_estate",
    "input_error",
    "load_paths",
    "read_json",
    "read_text",
    "sniff",
]


@dataclass(frozen=True)
class Format:
    """One input format: how a file of it is recognised from its first bytes, and its loader.

    `loader` is "module:function", imported only when a file of the format is found (the
    pre-commit path must not import what it does not use). A per-file loader is called as
    `load(path, display, options) -> Estate` and its file is one load unit; a loader with
    `per_file=False` gets every file of its format in one folder at once, as
    `load([(path, display)], options)`, and that folder is the unit."""

    kind: InputKind
    sniff: Callable[[Path, bytes], bool]
    loader: str
    per_file: bool = True

    def load_function(self) -> Callable[..., Estate]:
        module, _, name = self.loader.partition(":")
        fn: Callable[..., Estate] = getattr(importlib.import_module(module), name)
        return fn


# In sniffing order: the first format whose sniff accepts a file's head takes it. Terraform
# module folders are found by file name instead (`discover.TERRAFORM_SUFFIXES`).
FORMATS: tuple[Format, ...] = (
    Format("snapshot", discover.is_snapshot, "checker.loaders.aws.snapshot:load_snapshot"),
    Format("terraform-plan", discover.is_plan, "checker.loaders.terraform.plan:load_plan"),
    Format(
        "cloudformation",
        discover.is_serverless,
        "checker.loaders.serverless.loader:load_serverless",
    ),
    Format(
        "cloudformation",
        discover.is_template,
        "checker.loaders.cloudformation.loader:load_template",
    ),
    Format(
        "awscli", discover.is_cli_output, "checker.loaders.aws.cli:load_awscli", per_file=False
    ),
)


def sniff(path: Path) -> str:
    """The kind of format of one file: a `Format.kind`, "other" (no format: skipped) or "error"
    (cannot be read, or not text)."""
    fmt = discover.sniff_format(path, FORMATS)
    if fmt is None:
        return "other"
    return fmt if isinstance(fmt, str) else fmt.kind


def load_paths(paths: Iterable[str], options: LoadOptions | None = None) -> Estate:
    """Load every input under `paths` into one estate."""
    options = options or LoadOptions()
    parts: list[Estate] = []
    plan = discover.classify(paths, options)
    parts.extend(plan.errors)
    if plan.terraform_roots:
        from checker.loaders.terraform.loader import load_terraform

        where = options.display(plan.terraform_roots[0]) if len(plan.terraform_roots) == 1 else ""
        parts.append(_guarded("terraform", where, load_terraform, plan.terraform_roots, options))
    if plan.terragrunt:
        from checker.loaders.terragrunt import load_terragrunt

        for path in plan.terragrunt:
            display = options.display(path)
            loaded = _guarded("terraform", display, load_terragrunt, path, display, options)
            parts.append(in_unit(loaded, options.display(path.parent)))
    grouped: dict[tuple[InputKind, Path], list[tuple[Path, str]]] = {}
    for path in plan.structured:
        display = options.display(path)
        fmt = discover.sniff_format(path, FORMATS)
        if fmt is None:
            parts.append(Estate(inputs=(InputFile(display, "unknown", "skipped"),)))
        elif isinstance(fmt, str):  # cannot be read, or not text: say why
            parts.append(discover.sniff_error(path, display))
        elif fmt.per_file:
            # logical ids and plan addresses are unique only within their file
            loaded = _guarded(fmt.kind, display, fmt.load_function(), path, display, options)
            parts.append(in_unit(loaded, display))
        else:
            grouped.setdefault((fmt.kind, path.parent), []).append((path, display))
    by_kind = {f.kind: f for f in FORMATS}
    for (kind, folder), files in sorted(grouped.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        # one folder of saved output describes one account: it is one load unit
        unit = options.display(folder)
        loaded = _guarded(kind, unit, by_kind[kind].load_function(), files, options)
        parts.append(in_unit(loaded, unit))
    return Estate.merge(parts)


def _guarded(kind: InputKind, display: str, load: Callable[..., Estate], *args: Any) -> Estate:
    """`load(*args)`; a loader that crashes (a bug) costs only its own input: the input gets an
    unknown CT000 that says so, the other inputs are still judged, and the run exits 3."""
    try:
        return load(*args)
    except Exception as e:
        if os.environ.get("TRAILCHECK_DEBUG"):
            raise
        message = internal_error_message(f"reading this {kind} input", e)
        return Estate(
            inputs=(InputFile(display, kind, "error"),),
            diagnostics=(Diagnostic("CT000", "unknown", message, Location(display, 0), display),),
        )
