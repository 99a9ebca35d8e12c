"""Reading CloudTrail records to replay: a delivery file `{"Records": [...]}` (gzip or not), a JSON
array of records, or JSON Lines (one record per line).

Errors name the file and the line (JSON syntax, JSON Lines) or the record number (a record that
is not an object) so that a user can find the bad spot; they never carry a traceback.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.model import Estate
from checker.simulator.capture import CompiledTrail
from checker.simulator.coverage import compiled_trails
from checker.simulator.delivery import TrailDestinations
from checker.simulator.events import Event
from checker.simulator.pipeline import EventResult, simulate_event

MAX_BYTES = 1 << 30  # 1 GiB decompressed: beyond that, split the input


class ReplayError(ValueError):
    """An events file that cannot be read: the message names the file and where."""


def _decode(path: str, data: bytes) -> str:
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as e:
            raise ReplayError(f"{path}: not a valid gzip file ({e})") from e
    if len(data) > MAX_BYTES:
        raise ReplayError(f"{path}: more than 1 GiB of events; split the file")
    if data[:3] == b"\xef\xbb\xbf":
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ReplayError(f"{path}:{line}: not UTF-8 text (byte {e.start})") from e


def parse_records(path: str, text: str) -> list[Mapping[str, Any]]:
    """The records of one file's text (see the module docstring for the accepted forms)."""
    stripped = text.strip()
    if not stripped:
        raise ReplayError(f"{path}: the file is empty; expected CloudTrail records")
    doc: Any
    try:
        doc = json.loads(stripped)
    except json.JSONDecodeError as whole:
        if stripped.startswith("{") and "\n" in stripped:
            return _json_lines(path, text)
        raise ReplayError(f"{path}:{whole.lineno}:{whole.colno}: not valid JSON: {whole.msg}"
                          ) from whole  # fmt: skip
    records: Any
    if isinstance(doc, dict) and "Records" in doc:
        records = doc["Records"]
        if not isinstance(records, list):
            raise ReplayError(f"{path}: \"Records\" must be a list of CloudTrail records")
    elif isinstance(doc, list):
        records = doc
    elif isinstance(doc, dict):
        records = [doc]  # JSON Lines with a single record
    else:
        raise ReplayError(f"{path}: expected {{\"Records\": [...]}}, a JSON array of records or "
                          f"JSON Lines, found a JSON {type(doc).__name__}")  # fmt: skip
    for i, rec in enumerate(records, 1):
        if not isinstance(rec, dict):
            raise ReplayError(f"{path}: record {i} is a JSON {type(rec).__name__}, "
                              "not an object")  # fmt: skip
    checked: list[Mapping[str, Any]] = records
    return checked


def _json_lines(path: str, text: str) -> list[Mapping[str, Any]]:
    out: list[Mapping[str, Any]] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            raise ReplayError(f"{path}:{n}:{e.colno}: not valid JSON: {e.msg}") from e
        if not isinstance(rec, dict):
            raise ReplayError(f"{path}:{n}: the line is a JSON {type(rec).__name__}, "
                              "not a CloudTrail record object")  # fmt: skip
        out.append(rec)
    return out


def read_records(path: str | Path) -> list[Mapping[str, Any]]:
    """Read one events file; raises ReplayError naming the file and line or record."""
    shown = str(path)
    try:
        data = Path(path).read_bytes()
    except IsADirectoryError as e:
        raise ReplayError(f"{shown}: is a directory; give a CloudTrail log file") from e
    except OSError as e:
        raise ReplayError(f"{shown}: cannot read: {e.strerror or e}") from e
    return parse_records(shown, _decode(shown, data))


def read_events(path: str | Path) -> list[Event]:
    return [Event.from_record(r) for r in read_records(path)]


# --------------------------------------------------------------------------------------------
# Replay and its per-trail summary


@dataclass
class TrailSummary:
    trail: str
    captured: int = 0
    missed: int = 0
    unknown: int = 0
    cloudwatch: int = 0
    alarmed: int = 0
    miss_reasons: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        top = sorted(self.miss_reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        return {
            "trail": self.trail, "captured": self.captured, "missed": self.missed,
            "unknown": self.unknown, "cloudwatch_logs": self.cloudwatch, "alarmed": self.alarmed,
            "top_miss_reasons": [{"reason": r, "events": n} for r, n in top],
        }  # fmt: skip


@dataclass
class ReplaySummary:
    events: int = 0
    captured_by_none: int = 0
    trails: dict[str, TrailSummary] = field(default_factory=dict)

    def add(self, result: EventResult) -> None:
        self.events += 1
        if result.status != "yes":
            self.captured_by_none += 1
        for t in result.trails:
            s = self.trails.setdefault(t.trail, TrailSummary(t.trail))
            status = t.decision.status
            if status == "captured":
                s.captured += 1
                if t.cloudwatch == "yes":
                    s.cloudwatch += 1
                if t.alarm == "yes":
                    s.alarmed += 1
            elif status == "missed":
                s.missed += 1
                key = _reason_key(t.decision.reason, t.decision.stage)
                s.miss_reasons[key] = s.miss_reasons.get(key, 0) + 1
            else:
                s.unknown += 1

    def to_json(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "not_captured": self.captured_by_none,
            "trails": [s.to_json() for s in self.trails.values()],
        }


def _reason_key(reason: str, stage: str | None) -> str:
    """Group miss reasons: selector reasons name event-specific details, so they group by stage."""
    if stage == "selectors":
        return "no selector matches" if reason.startswith("no selector") else reason
    return reason


def replay(
    estate: Estate,
    events: Sequence[Event],
    *,
    default_region: str | None = None,
    compiled: Sequence[CompiledTrail] | None = None,
) -> Iterator[EventResult]:
    """Each event through the estate, in input order."""
    trails = list(compiled) if compiled is not None else compiled_trails(estate, default_region)
    fixed: dict[int, TrailDestinations] = {}
    for event in events:
        yield simulate_event(estate, trails, event, fixed=fixed)
