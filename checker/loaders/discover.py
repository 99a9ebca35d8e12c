"""Find the inputs under the scanned paths and tell the formats apart, cheaply.

Sniffing reads only the head of a file: a scanner that parses every JSON and YAML file of a
repository to learn that it is a `package.json` would be too slow for a pre-commit hook.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from checker.loaders import SKIP_DIRS, LoadOptions, error_estate
from checker.model import Estate

TERRAFORM_SUFFIXES = (".tf", ".tf.json")
STRUCTURED_SUFFIXES = (".json", ".yaml", ".yml", ".template")
SNIFF_BYTES = 256 * 1024

_CFN = re.compile(rb"AWSTemplateFormatVersion|[\"']?Resources[\"']?\s*:")
_CFN_TYPE = re.compile(rb"AWS::[A-Za-z0-9]+::[A-Za-z0-9]+")
_PLAN = re.compile(rb"\"planned_values\"")
_PLAN_VERSION = re.compile(rb"\"format_version\"")
_SNAPSHOT = re.compile(rb"\"trailcheck_snapshot\"")
_CLI = re.compile(
    rb"\"(trailList|EventSelectors|AdvancedEventSelectors|InsightSelectors|IsLogging|TrailARN)\""
)


@dataclass
class Classified:
    terraform_roots: list[Path] = field(default_factory=list)
    # when a path names single files of a module folder, only the folder's other files are
    # read for references; None means "every file of the roots"
    terraform_files: set[Path] | None = None
    structured: list[Path] = field(default_factory=list)
    errors: list[Estate] = field(default_factory=list)


def classify(paths: object, options: LoadOptions) -> Classified:
    out = Classified()
    tf_dirs: dict[Path, None] = {}
    named_tf_files: set[Path] = set()
    for raw in paths:  # type: ignore[attr-defined]
        p = Path(raw)
        if not p.exists():
            out.errors.append(error_estate(options.display(p), "unknown", 0, "no such file or folder"))
            continue
        if p.is_dir():
            for dirpath, dirnames, filenames in os.walk(p):
                dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
                has_tf = False
                for name in sorted(filenames):
                    fp = Path(dirpath) / name
                    if name.endswith(TERRAFORM_SUFFIXES):
                        has_tf = True
                    elif name.endswith(STRUCTURED_SUFFIXES):
                        out.structured.append(fp)
                if has_tf:
                    tf_dirs.setdefault(Path(dirpath).resolve())
        elif p.name.endswith(TERRAFORM_SUFFIXES):
            tf_dirs.setdefault(p.resolve().parent)
            named_tf_files.add(p.resolve())
        elif p.name.endswith(STRUCTURED_SUFFIXES) or p.is_file():
            out.structured.append(p)
    out.terraform_roots = list(tf_dirs)
    if named_tf_files and not any(Path(raw).is_dir() for raw in paths):  # type: ignore[attr-defined]
        out.terraform_files = named_tf_files
    # tfvars files and lock files are not configuration of their own
    out.structured = [s for s in out.structured if not s.name.endswith((".tfvars.json",))]
    return out


def sniff(path: Path) -> str:
    """'cloudformation', 'terraform-plan', 'snapshot', 'awscli', 'error' or 'other'."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError:
        return "error"
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 4:  # not just a multi-byte character cut at the boundary
            return "error"
    if _SNAPSHOT.search(head):
        return "snapshot"
    if _PLAN.search(head) and _PLAN_VERSION.search(head):
        return "terraform-plan"
    if _CFN.search(head) and (b"AWSTemplateFormatVersion" in head or _CFN_TYPE.search(head)):
        return "cloudformation"
    if path.suffix == ".json" and _CLI.search(head):
        return "awscli"
    return "other"


def sniff_error(path: Path, display: str) -> Estate:
    from checker.loaders import read_text

    _, err = read_text(path, display, "unknown")
    return err or error_estate(display, "unknown", 0, "cannot read file")
