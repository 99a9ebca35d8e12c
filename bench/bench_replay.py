"""Replay throughput, each figure next to raw DuckDB on the same input in the same run.

    .venv/bin/python bench/bench_replay.py [--records N] [--workdir DIR] [--config DIR]
                                           [--repeat N] [--rss] [--python-check]

Inputs (made once in --workdir with ../shared/bench/gen_ct_records.py, seed 1): the generator's
200 gzipped delivery files, the same records as one gzipped JSON Lines file, and as Parquet.
For each input it prints trailcheck's records/s (DuckDB engine, summary only) and DuckDB's own
`SELECT count(*)` over the same input with explicit columns:

- gzipped JSON Lines: read_json with the columns the compiled query reads;
- delivery files: DuckDB's naive read (`Records` as a list, unnested), on 10 files, and its
  best read we found, each file as one document (`format='unstructured'`) with `Records`
  unnested, on 50 files;
- Parquet: read_parquet, reading (and hashing, so that no statistic answers for them) the
  columns trailcheck's query reads: those its decisions read and the free-form fields of the
  size bound.

Each figure is the median of --repeat runs (wall time); `cpu` is the process's CPU time in that
run (every thread), which other work on the machine inflates less than the wall time.

--rss replays ten copies of the JSON Lines (10 x N records, as one multi-member gzip) in a child
process and prints its peak RSS. --python-check replays the JSON Lines with the Python reference
path and checks that the per-trail and per-alarm counts are equal. No assertions otherwise:
timings belong here, not in the tests.
"""

from __future__ import annotations

import argparse
import glob
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from checker.loaders import LoadOptions, load_paths  # noqa: E402
from checker.replay import schema  # noqa: E402
from checker.replay.engine import Options  # noqa: E402
from checker.replay.plan import build_plan  # noqa: E402
from checker.replay.run import replay_inputs  # noqa: E402

# ../shared beside the checkout (a helper's worktree sits one level deeper)
GENERATOR = next(
    (p for p in (REPO.parent / "shared" / "bench" / "gen_ct_records.py",
                 REPO.parent.parent / "shared" / "bench" / "gen_ct_records.py") if p.is_file()),
    REPO.parent / "shared" / "bench" / "gen_ct_records.py",
)  # fmt: skip


def prepare(workdir: Path, records: int) -> tuple[Path, Path, Path]:
    import duckdb

    deliveries = workdir / f"deliveries-{records}"
    if not deliveries.is_dir():
        subprocess.run([sys.executable, str(GENERATOR), str(deliveries), "--records",
                        str(records), "--files", "200", "--seed", "1"], check=True)  # fmt: skip
    jsonl = workdir / f"records-{records}.jsonl.gz"
    if not jsonl.exists():
        import gzip
        import json

        with gzip.open(jsonl, "wb", compresslevel=6) as out:
            for f in sorted(glob.glob(str(deliveries / "**" / "*.json.gz"), recursive=True)):
                for r in json.loads(gzip.decompress(Path(f).read_bytes()))["Records"]:
                    out.write(json.dumps(r, separators=(",", ":")).encode() + b"\n")
    parquet = workdir / f"records-{records}.parquet"
    if not parquet.exists():
        cols = {f.key: schema.duckdb_type(f) for f in schema.FIELDS}
        duckdb.connect().execute(
            f"COPY (SELECT * FROM read_json('{jsonl}', format='newline_delimited', "
            f"columns={cols!r})) TO '{parquet}' (FORMAT PARQUET)")  # fmt: skip
    return deliveries, jsonl, parquet


Timed = tuple[float, float, Any]  # wall seconds, CPU seconds, what the run returned


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def median(repeat: int, run: Callable[[], Any]) -> Timed:
    """The run of median wall time among `repeat`."""
    runs: list[Timed] = []
    for _ in range(repeat):
        c0, t0 = _cpu(), time.perf_counter()
        out = run()
        runs.append((time.perf_counter() - t0, _cpu() - c0, out))
    return sorted(runs, key=lambda r: r[0])[len(runs) // 2]


def raw(sql: str, repeat: int = 1) -> Timed:
    import duckdb

    con = duckdb.connect()
    return median(repeat, lambda: con.execute(sql).fetchall())


def ours(estate: object, inputs: list[str], engine: str = "duckdb", repeat: int = 1) -> Timed:
    return median(repeat, lambda: replay_inputs(estate, inputs, engine=engine,  # type: ignore
                                                options=Options()).summary)


def rate(n: int, t: Timed) -> str:
    return f"{n / t[0] / 1e3:8,.0f} k records/s ({t[0]:6.2f} s, cpu {t[1]:6.2f} s)"


def line(label: str, n: int, mine: Timed, duck: Timed, duck_n: int | None = None) -> None:
    duck_n = duck_n or n
    print(f"{label:<28} trailcheck {rate(n, mine)}   raw DuckDB {rate(duck_n, duck)}   "
          f"ratio {(n / mine[0]) / (duck_n / duck[0]):5.0%}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--workdir", default="/tmp/trailcheck-bench")
    parser.add_argument("--config", default=str(REPO / "fixtures" / "replay" / "config"))
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure (median)")
    parser.add_argument("--rss", action="store_true")
    parser.add_argument("--python-check", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    estate = load_paths([args.config], LoadOptions(cwd=str(REPO)))
    if args.child:  # the --rss child: one replay, then its peak RSS
        seconds, _, summary = ours(estate, [args.child])
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{summary.events:,} records in {seconds:.1f} s, peak RSS {peak:,.0f} MiB")
        return 0
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    deliveries, jsonl, parquet = prepare(workdir, args.records)
    n, k = args.records, args.repeat
    plan = build_plan(estate)
    cols = plan.read_columns()
    print(f"{n:,} generated records; {os.cpu_count()} cores; load average "
          f"{os.getloadavg()[0]:.1f}; config {args.config}; median of {k} run(s)")
    mine = ours(estate, [str(jsonl)], repeat=k)
    summary = mine[2]
    duck = raw(f"SELECT count(*) FROM read_json('{jsonl}', format='newline_delimited', "
               f"columns={cols!r})", k)  # fmt: skip
    line("gzipped JSON Lines", n, mine, duck)
    mine = ours(estate, [str(deliveries)], repeat=k)
    files = sorted(glob.glob(str(deliveries / "**" / "*.json.gz"), recursive=True))
    records = "STRUCT(" + ", ".join(f'"{k}" {v}' for k, v in cols.items()) + ")[]"
    duck = raw(f"SELECT count(*) FROM (SELECT unnest(Records) FROM read_json({files[:10]!r}, "
               f"columns={{'Records': '{records}'}}, maximum_object_size=1000000000))", k)
    line("delivery files (200, gzip)", n, mine, duck, n * 10 // len(files))
    duck = raw(f"SELECT count(*) FROM (SELECT unnest(Records) FROM read_json({files[:50]!r}, "
               f"format='unstructured', records=true, columns={{'Records': '{records}'}}, "
               "maximum_object_size=1000000000))", k)  # fmt: skip
    line("  DuckDB's best, 50 files", n, mine, duck, n * 50 // len(files))
    mine = ours(estate, [str(parquet)], repeat=k)
    read = [c.lower() for c in plan.decision_columns() if c != "tlsDetails"]
    read.append("tlsdetails.clientprovidedhostheader")
    read += [f"strlen(CAST({f.column} AS VARCHAR))" for f in schema.FIELDS
             if f.kind == "json" or f.key in ("userAgent", "errorMessage")]  # fmt: skip
    read.append("array_length(resources)")
    duck = raw(f"SELECT count(*), sum(hash({', '.join(read)})) FROM read_parquet('{parquet}')", k)
    line("Parquet", n, mine, duck)
    for s in summary.trails.values():
        print(f"  {s.trail}: captured {s.captured}, missed {s.missed}, unknown {s.unknown}, "
              f"alarmed {s.alarmed}")
    print(f"  alarms: {dict(summary.alarms)}")
    if args.python_check:
        seconds, _, reference = ours(estate, [str(jsonl)], engine="python")
        same = reference.comparable() == summary.comparable()
        print(f"Python reference path: {n / seconds / 1e3:,.1f} k records/s; per-trail and "
              f"per-alarm counts {'equal' if same else 'DIFFER'}")
    if args.rss:
        ten = workdir / f"records-{10 * n}.jsonl.gz"
        if not ten.exists():
            data = jsonl.read_bytes()
            with ten.open("wb") as f:
                for _ in range(10):
                    f.write(data)  # gzip members one after another: one valid gzip stream
        child = subprocess.run([sys.executable, __file__, "--config", args.config, "--child",
                                str(ten)], check=True, capture_output=True, text=True)  # fmt: skip
        print(f"10 x {n:,} records (one gzip file): {child.stdout.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
