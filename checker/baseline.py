"""Baselines: adopt trailcheck on an existing configuration without fixing everything first.

`--create-baseline FILE` records the current fail and unknown findings; `--baseline FILE` makes
the findings it records "suppressed" (reason "pre-existing finding (baseline: FILE)"), so only
new findings fail the run while every report still shows the old ones. Matching is by rule,
resource and fingerprint (checker/fingerprint.py), never by line: moving a block keeps its
match. Each entry matches one finding. Input errors (CT000) and suppression problems (CT099)
are never baselined.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from checker.errors import UsageError
from checker.findings import Finding, Suppression
from checker.fingerprint import fingerprint, normalize_message
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


def entries_of(findings: Sequence[Finding]) -> tuple[BaselineEntry, ...]:
    return tuple(sorted(
        BaselineEntry(f.file, f.rule_id, f.resource, fingerprint(f), normalize_message(f.message))
        for f in findings
        if baselined(f)
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
    baseline = Baseline(path, entries_of(findings))
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
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise UsageError(f"{path}:{e.lineno}: baseline is not valid JSON: {e.msg}") from e
    if not isinstance(doc, dict) or doc.get(FORMAT_KEY) != FORMAT_VERSION:
        raise UsageError(
            f"{path}: not a trailcheck baseline (expected \"{FORMAT_KEY}\": {FORMAT_VERSION}); "
            "create one with --create-baseline"
        )
    entries = []
    for i, item in enumerate(doc.get("findings", [])):
        fields = ("rule_id", "resource", "fingerprint")
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in fields):
            raise UsageError(f"{path}: findings[{i}] needs string {', '.join(fields)}")
        entries.append(BaselineEntry(
            str(item.get("file", "")), item["rule_id"], item["resource"], item["fingerprint"],
            str(item.get("message", "")),
        ))
    return Baseline(path, tuple(entries))


def apply_baseline(findings: Sequence[Finding], baseline: Baseline) -> list[Finding]:
    """The findings, those recorded in the baseline marked suppressed; order kept."""
    left = Counter(e.key for e in baseline.entries)
    reason = Suppression("pre-existing finding", "baseline", baseline.path)
    out = []
    for f in findings:
        if baselined(f):
            key = (f.rule_id, f.resource, fingerprint(f))
            if left[key] > 0:
                left[key] -= 1
                f = replace(f, status="suppressed", suppression=reason)
        out.append(f)
    return out
