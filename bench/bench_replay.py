"""Replay throughput: events per second through capture, delivery and the alarm chain.

    .venv/bin/python bench/bench_replay.py [--events N] [--logs DIR] [--config DIR]

Replays the real CloudTrail logs (default: ../shared/data/cloudtrail-logs when present, else the
sample in fixtures/replay/logs), repeated until N events, against fixtures/replay/config (two
trails, a log group with a CIS filter and a broken one, an alarm, an SNS topic). Prints events per
second; no assertions (timing belongs here, not in the tests).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from checker.loaders import LoadOptions, load_paths  # noqa: E402
from checker.simulator.replay import ReplayError, ReplaySummary, read_events, replay  # noqa: E402


def main() -> int:
    shared = REPO.parent / "shared" / "data" / "cloudtrail-logs"
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--logs", default=str(shared if shared.is_dir() else
                                              REPO / "fixtures" / "replay" / "logs"))
    parser.add_argument("--config", default=str(REPO / "fixtures" / "replay" / "config"))
    args = parser.parse_args()
    events = []
    t0 = time.perf_counter()
    for path in sorted(Path(args.logs).rglob("*.json*")):
        try:
            events += read_events(path)
        except ReplayError:
            continue  # not a log file (a README, a licence)
    read_s = time.perf_counter() - t0
    if not events:
        print(f"no CloudTrail records under {args.logs}")
        return 2
    real = len(events)
    while len(events) < args.events:
        events += events[: args.events - len(events)]
    estate = load_paths([args.config], LoadOptions(cwd=str(REPO)))
    summary = ReplaySummary()
    t0 = time.perf_counter()
    for result in replay(estate, events):
        summary.add(result)
    elapsed = time.perf_counter() - t0
    print(f"read {real} real records from {args.logs} in {read_s:.2f}s")
    print(f"replayed {len(events)} events against {len(estate.trails)} trails and "
          f"{len(estate.metric_filters)} metric filters in {elapsed:.2f}s: "
          f"{len(events) / elapsed:,.0f} events/s")
    for s in summary.trails.values():
        print(f"  {s.trail}: captured {s.captured}, missed {s.missed}, unknown {s.unknown}, "
              f"alarmed {s.alarmed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
