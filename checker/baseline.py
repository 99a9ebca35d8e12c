"""Baselines: adopt trailcheck on an existing configuration without fixing everything first.

`--create-baseline FILE` records the current fail and unknown findings; `--baseline FILE` makes
the findings it records "suppressed" (reason "pre-existing finding (baseline: FILE)"), so only
new findings fail the run while every report still shows the old ones. Matching is by rule,
resource and fingerprint (checker/fingerprint.py), never by line: moving a block keeps its
match. Each entry matches one finding. Input errors (CT000) and suppression problems (CT099)
are never baselined.

A finding's path is relative to the folder the scan ran in, and its fingerprint holds the module
folder: so entries are made and matched with paths relative to the baseline file's own folder,
and a CI job that scans from another folder (`cd infra && trailcheck scan .`, or an absolute
path) matches the same entries. Entries written by earlier versions (paths relative to the
folder of that run) still match a run from that folder.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from checker.errors import UsageError
from checker.findings import Finding, Suppression
from checker.fingerprint import fingerprint, normalize_message, relative_to
from checker.suppress import SUPPRESSIBLE

FORMAT_KEY = "trailcheck_baseline"
FORMAT_VERSION = 1
NEVER_BASELINED = ("CT000", "CT099")


@dataclass(frozen=True, order=True)
class BaselineEntry:
    file: str  # for the reader; not part of the match
    rule_id: str
    resource: str
    fingerprint: str
    message: str = ""  # for the reader; not part of the match

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.rule_id, self.resource, self.fingerprint)


@dataclass(frozen=True)
class Baseline:
    path: str  # as the user wrote it
    entries: tuple[BaselineEntry, ...] = ()


def baselined(finding: Finding) -> bool:
    """Whether a finding belongs in a baseline (and can be matched by one)."""
    return finding.status in SUPPRESSIBLE and finding.rule_id not in NEVER_BASELINED


def entries_of(
    findings: Sequence[Finding], folder: Path | None = None, cwd: Path | None = None
) -> tuple[BaselineEntry, ...]:
    """The entries of the baselined findings, paths relative to `folder` (the baseline's)."""
    moved = (relative_to(f, folder, cwd) for f in findings if baselined(f))
    return tuple(sorted(
        BaselineEntry(f.file, f.rule_id, f.resource, fingerprint(f), normalize_message(f.message))
        for f in moved
    ))


def render_baseline(entries: Sequence[BaselineEntry]) -> str:
    doc = {
        FORMAT_KEY: FORMAT_VERSION,
        "findings": [
            {"rule_id": e.rule_id, "resource": e.resource, "fingerprint": e.fingerprint,
             "file": e.file, "message": e.message}
            for e in sorted(entries)
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def write_baseline(path: str, findings: Sequence[Finding]) -> Baseline:
    baseline = Baseline(path, entries_of(findings, Path(path).resolve().parent))
    try:
        Path(path).write_text(render_baseline(baseline.entries), encoding="utf-8")
    except OSError as e:
        raise UsageError(f"cannot write baseline {path}: {e.strerror or e}") from e
    return baseline


def load_baseline(path: str) -> Baseline:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as e:
        raise UsageError(f"cannot read baseline {path}: {e.strerror or e}") from e
    except UnicodeDecodeError as e:
        raise UsageError(f"{path}: baseline is not UTF-8 text (byte {e.start}); "
                         "create one with --create-baseline") from e
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise UsageError(f"{path}:{e.lineno}: baseline is not valid JSON: {e.msg}") from e
    version = doc.get(FORMAT_KEY) if isinstance(doc, dict) else None
    if not isinstance(version, int) or isinstance(version, bool):
        raise UsageError(
            f"{path}: not a trailcheck baseline (expected \"{FORMAT_KEY}\": {FORMAT_VERSION}); "
            "create one with --create-baseline"
        )
    if version != FORMAT_VERSION:
        raise UsageError(
            f"{path}: baseline written by another trailcheck version (format {version}; this "
            f"version reads format {FORMAT_VERSION}): create it again with --create-baseline"
        )
    items = doc.get("findings")
    if not isinstance(items, list):
        raise UsageError(f"{path}: \"findings\" must be a list of entries "
                         "(the file is damaged; create it again with --create-baseline)")
    entries = []
    for i, item in enumerate(items):
        fields = ("rule_id", "resource", "fingerprint")
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in fields):
            raise UsageError(f"{path}: findings[{i}] needs string {', '.join(fields)}")
        entries.append(BaselineEntry(
            str(item.get("file") or ""), item["rule_id"], item["resource"], item["fingerprint"],
            str(item.get("message") or ""),
        ))
    return Baseline(path, tuple(entries))


def apply_baseline(
    findings: Sequence[Finding], baseline: Baseline, cwd: Path | None = None
) -> list[Finding]:
    """The findings, those recorded in the baseline marked suppressed; order kept. A finding
    matches by its path relative to the baseline's folder, or (an older baseline) as given."""
    left = Counter(e.key for e in baseline.entries)
    folder = (cwd or Path.cwd()).joinpath(baseline.path).resolve().parent
    reason = Suppression("pre-existing finding", "baseline", baseline.path)
    out = []
    for f in findings:
        if baselined(f):
            keys = [(f.rule_id, f.resource, fingerprint(g))
                    for g in (relative_to(f, folder, cwd), f)]  # fmt: skip
            key = next((k for k in keys if left[k] > 0), None)
            if key is not None:
                left[key] -= 1
                f = replace(f, status="suppressed", suppression=reason)
        out.append(f)
    return out
