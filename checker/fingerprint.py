"""Stable identities for findings, shared by SARIF `partialFingerprints` and the baseline.

A fingerprint must survive edits that do not change the finding (a block moved 20 lines down,
a comment added above it) and change when the finding does. So it hashes the rule id, the
resource, the normalized message (line references removed) and the finding's *scope*: the
Terraform module folder or the template file. Resource ids are unique only within that scope
(`aws_cloudtrail.main` exists in `envs/dev` and `envs/prod` alike), and without the scope a
baselined failure in one folder would hide the same new failure in another. Paths are relative
to the folder a scan ran in: `relative_to` rebases them on a fixed folder (the repository root,
the baseline's folder) so that the fingerprint does not depend on where the scan ran.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
from dataclasses import replace
from pathlib import Path

from checker.findings import Finding

# The key under which SARIF carries the fingerprint. Never `primaryLocationLineHash`: GitHub
# reserves that key and recomputes it from the source line.
SARIF_KEY = "trailcheck/v1"

_TERRAFORM_SUFFIXES = (".tf", ".tf.json")
# "main.tf:12", "main.tf:12:5", "template.yaml:3"
_FILE_LINE = re.compile(r"(\.(?:tf|json|ya?ml|template|tfvars)):\d+(?::\d+)?")
# "line 12", "lines 12-14", "line 12, column 5"
_LINE_WORD = re.compile(
    r"\b(lines?)\s+\d+(?:\s*(?:-|–|to|and)\s*\d+)?(?:,?\s*col(?:umn)?\s+\d+)?", re.IGNORECASE
)
_SPACES = re.compile(r"\s+")


def normalize_message(message: str) -> str:
    """The message without line references and with collapsed white space."""
    text = _FILE_LINE.sub(r"\1", message)
    text = _LINE_WORD.sub(lambda m: m.group(1).lower(), text)
    return _SPACES.sub(" ", text).strip()


def scope_of(file: str) -> str:
    """The part of a finding's path that makes its resource id unique: a Terraform module is a
    folder (a block may move between its files), anything else is its own file."""
    file = file.replace("\\", "/")
    if file.endswith(_TERRAFORM_SUFFIXES):
        return posixpath.dirname(file) or "."
    return file


def fingerprint(finding: Finding) -> str:
    """Hex sha256 of (rule id, scope, resource, normalized message); line numbers play no part."""
    parts = (finding.rule_id, scope_of(finding.file), finding.resource,
             normalize_message(finding.message))
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def relative_to(f: Finding, folder: Path | None, cwd: Path | None = None) -> Finding:
    """`f` with its path relative to `folder` (its path is relative to `cwd`, default the
    current folder); unchanged without a folder, or when no relative path exists (another
    Windows drive)."""
    if folder is None or not f.file:
        return f
    try:
        rel = os.path.relpath((cwd or Path.cwd()) / f.file, folder)
    except ValueError:
        return f
    return replace(f, file=Path(rel).as_posix())
