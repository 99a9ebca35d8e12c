"""Compliance frameworks: one mapping file per framework version in `policies/compliance/`.

Mappings point from a framework's controls to rule ids, so rules know nothing about frameworks.
A control that trailcheck cannot judge says why (`not_covered`), so a report can tell "passes"
from "not checked".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from checker.resources import policies_root, yaml_documents


@dataclass(frozen=True)
class Control:
    id: str
    title: str
    rules: tuple[str, ...] = ()
    not_covered: str | None = None  # why trailcheck does not judge this control


@dataclass(frozen=True)
class Framework:
    id: str  # e.g. "CIS-AWS-5.0", used in finding compliance ids "CIS-AWS-5.0:3.1"
    slug: str  # e.g. "cis-aws-5.0", used on the command line
    title: str
    controls: tuple[Control, ...]


def load_frameworks(root: Path | None = None) -> list[Framework]:
    root = root or policies_root()
    frameworks = []
    paths = sorted((root / "compliance").glob("*.yaml"))
    for path, data in zip(paths, yaml_documents(paths), strict=True):
        frameworks.append(
            Framework(
                id=data["framework"],
                slug=path.stem,
                title=data["title"],
                controls=tuple(
                    Control(
                        id=str(c["id"]),
                        title=c["title"],
                        rules=tuple(c.get("rules", ())),
                        not_covered=c.get("not_covered"),
                    )
                    for c in data["controls"]
                ),
            )
        )
    return frameworks


def find_framework(slug: str, root: Path | None = None) -> Framework | None:
    for fw in load_frameworks(root):
        if fw.slug == slug.lower() or fw.id.lower() == slug.lower():
            return fw
    return None
