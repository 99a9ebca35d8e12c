"""Replay throughput, each figure next to raw DuckDB on the same input in the same run.

    .venv/bin/python bench/bench_replay.py [--records N] [--workdir DIR] [--config DIR]
                                           [--rss] [--python-check]

Inputs (made once in --workdir with ../shared/bench/gen_ct_records.py, seed 1): the generator's
200 gzipped delivery files, the same records as one gzipped JSON Lines file, and as Parquet.
For each input it prints trailcheck's records/s (DuckDB engine, summary only) and DuckDB's own
`SELECT count(*)` over the same input with explicit columns:

- gzipped JSON Lines: read_json with the columns the compiled query reads;
- delivery files: DuckDB's naive read (`Records` as a list, unnested), on 10 files;
- Parquet: read_parquet, reading the event's source, name, Region, account and time.

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
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from checker.loaders import LoadOptions, load_paths  # noqa: E402
from checker.replay.engine import Options  # noqa: E402
from checker.replay.plan import build_plan  # noqa: E402
from checker.replay.run import replay_inputs  # noqa: E402

GENERATOR = REPO.parent.parent / "shared" / "bench" / "gen_ct_records.py"


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
        from checker.replay import schema

        cols = {f.key: schema.duckdb_type(f) for f in schema.FIELDS}
        duckdb.connect().execute(
            f"COPY (SELECT * FROM read_json('{jsonl}', format='newline_delimited', "
            f"columns={cols!r})) TO '{parquet}' (FORMAT PARQUET)")  # fmt: skip
    return deliveries, jsonl, parquet


def raw(sql: str) -> float:
    import duckdb

    con = duckdb.connect()
    t0 = time.perf_counter()
    con.execute(sql).fetchall()
    return time.perf_counter() - t0


def ours(estate: object, inputs: list[str], engine: str = "duckdb") -> tuple[float, object]:
    t0 = time.perf_counter()
    run = replay_inputs(estate, inputs, engine=engine, options=Options())  # type: ignore[arg-type]
    return time.perf_counter() - t0, run.summary


def line(label: str, n: int, mine: float, duck: float, duck_n: int | None = None) -> None:
    duck_n = duck_n or n
    print(f"{label:<28} trailcheck {n / mine / 1e3:8,.0f} k records/s ({mine:6.2f} s)   "
          f"raw DuckDB {duck_n / duck / 1e3:8,.0f} k records/s ({duck:6.2f} s)   "
          f"ratio {(n / mine) / (duck_n / duck):5.0%}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--workdir", default="/tmp/trailcheck-bench")
    parser.add_argument("--config", default=str(REPO / "fixtures" / "replay" / "config"))
    parser.add_argument("--rss", action="store_true")
    parser.add_argument("--python-check", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    estate = load_paths([args.config], LoadOptions(cwd=str(REPO)))
    if args.child:  # the --rss child: one replay, then its peak RSS
        seconds, summary = ours(estate, [args.child])
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{summary.events:,} records in {seconds:.1f} s, peak RSS {peak:,.0f} MiB")  # type: ignore[attr-defined]
        return 0
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    deliveries, jsonl, parquet = prepare(workdir, args.records)
    n = args.records
    cols = build_plan(estate).read_columns()
    print(f"{n:,} generated records; {os.cpu_count()} cores; load average "
          f"{os.getloadavg()[0]:.1f}; config {args.config}")
    mine, summary = ours(estate, [str(jsonl)])
    duck = raw(f"SELECT count(*) FROM read_json('{jsonl}', format='newline_delimited', "
               f"columns={cols!r})")  # fmt: skip
    line("gzipped JSON Lines", n, mine, duck)
    mine, _ = ours(estate, [str(deliveries)])
    some = sorted(glob.glob(str(deliveries / "**" / "*.json.gz"), recursive=True))[:10]
    records = "STRUCT(" + ", ".join(f'"{k}" {v}' for k, v in cols.items()) + ")[]"
    duck = raw(f"SELECT count(*) FROM (SELECT unnest(Records) FROM read_json({some!r}, "
               f"columns={{'Records': '{records}'}}, maximum_object_size=1000000000))")
    line("delivery files (200, gzip)", n, mine, duck, n * len(some) // 200)
    mine, _ = ours(estate, [str(parquet)])
    # count(*) alone reads Parquet metadata only: make DuckDB read the columns the query reads
    read = " AND ".join(f"{c} IS NOT NULL" for c in ("eventsource", "eventname", "awsregion",
                                                      "recipientaccountid", "eventtime"))
    duck = raw(f"SELECT count(*) FILTER (WHERE {read}) FROM read_parquet('{parquet}')")
    line("Parquet", n, mine, duck)
    for s in summary.trails.values():  # type: ignore[attr-defined]
        print(f"  {s.trail}: captured {s.captured}, missed {s.missed}, unknown {s.unknown}, "
              f"alarmed {s.alarmed}")
    print(f"  alarms: {dict(summary.alarms)}")  # type: ignore[attr-defined]
    if args.python_check:
        seconds, reference = ours(estate, [str(jsonl)], engine="python")
        same = (reference.comparable() == summary.comparable())  # type: ignore[attr-defined]
        print(f"Python reference path: {n / seconds / 1e3:,.1f} k records/s; per-trail and "
              f"per-alarm counts {'equal' if same else 'DIFFER'}")
    if args.rss:
        ten = workdir / f"records-{10 * n}.jsonl.gz"
        if not ten.exists():
            data = jsonl.read_bytes()
            with ten.open("wb") as out:
                for _ in range(10):
                    out.write(data)  # gzip members one after another: one valid gzip stream
        out = subprocess.run([sys.executable, __file__, "--config", args.config, "--child",
                              str(ten)], check=True, capture_output=True, text=True)  # fmt: skip
        print(f"10 x {n:,} records (one gzip file): {out.stdout.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
