"""The progress bar of long replays: the engines report files, records and bytes as they go, and
the bar shows them (with records/s) on a terminal only."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pytest

from checker.replay.engine import Options
from checker.replay.progress import progress_bar
from checker.replay.run import replay_inputs
from tests.replay.helpers import estate, write_jsonl
from tests.simulator.test_capture_properties import PLAIN

pytest.importorskip("duckdb")


def _records(n: int, first: int = 0) -> list[dict[str, Any]]:
    return [{"eventVersion": "1.09", "eventID": f"id-{i}", "eventTime": "2026-11-01T10:00:00Z",
             "eventSource": "ec2.amazonaws.com", "eventName": "RunInstances",
             "awsRegion": "us-east-1"} for i in range(first, first + n)]  # fmt: skip


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_engines_report_files_records_and_bytes(tmp_path: Path, engine: str) -> None:
    first = write_jsonl(tmp_path / "a.jsonl", _records(30))
    second = write_jsonl(tmp_path / "b.jsonl", [*_records(10, 30), *_records(10)])  # 10 copies
    calls: list[tuple[int, int, int]] = []
    run = replay_inputs(estate([PLAIN], []), [str(first), str(second)], engine=engine,  # type: ignore[arg-type]
                        options=Options(progress=lambda *a: calls.append(a),
                                        chunk_bytes=2000))  # fmt: skip
    # records read, copies included; the DuckDB engine reads them again to drop the copies
    assert calls and calls[-1][:2] == ((2, 50) if engine == "python" else (4, 100))
    assert run.summary.duplicate_records == 10 and run.summary.events == 40
    assert calls[-1][2] >= run.summary.bytes > 0
    assert [c[1] for c in calls] == sorted(c[1] for c in calls)  # never goes back


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_is_drawn_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("rich")
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with progress_bar(min_seconds=0) as update:
        assert update is None  # not a terminal: nothing drawn, nothing to call
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress_bar(min_seconds=0) as update:
        assert update is not None
        update(3, 12_000, 5_000_000)
    assert "3 files, 12,000 records, 5 MB" in terminal.getvalue()
    assert "records/s" in terminal.getvalue()
