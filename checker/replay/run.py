"""One entry point for a replay: inputs and a window in, a summary (and per-record results) out,
on the engine asked for ("auto": DuckDB when it is installed and the input is not small)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Literal

from checker.model import Estate
from checker.replay.engine import DuckDBEngine, Options, Run, run_python
from checker.replay.plan import build_plan
from checker.replay.sources import LogObject, S3Factory, Window, discover
from checker.simulator.replay import ReplayError

Engine = Literal["auto", "duckdb", "python"]
SMALL_INPUT = 4 << 20  # below this many bytes on disk, "auto" uses the Python path


def duckdb_available() -> bool:
    try:
        import duckdb  # noqa: F401
    except ModuleNotFoundError:
        return False
    return True


def replay_inputs(
    estate: Estate,
    inputs: Sequence[str],
    *,
    window: Window | None = None,
    engine: Engine = "auto",
    options: Options | None = None,
    default_region: str | None = None,
    s3: S3Factory | None = None,
) -> Run:
    options = options or Options()
    objects = list(discover(inputs, window or Window(), s3=s3))
    if not objects:
        raise ReplayError(f"{', '.join(inputs)}: no log file found (in the window asked for)")
    plan = build_plan(estate, default_region=default_region)
    chosen = _choose(engine, objects)
    if chosen == "python":
        return run_python(plan, iter(objects), options)
    # Copies of an event (dedupe.py): the first replay finds whether there are any; only then
    # does a second replay, which knows them, count each event once. A per-record stream is
    # written by the replay that counts: the first one writes none.
    first = replace(options, per_record=None, keep=0) if options.per_record else options
    finder = DuckDBEngine(plan, first)
    run = finder.execute(_iter(objects))
    if not finder.repeated and options.per_record is None:
        return run
    done = run.summary
    progress = options.progress
    if progress is not None:  # the second replay's progress goes on from the first's
        def going_on(files: int, records: int, nbytes: int) -> None:
            progress(done.files + files, done.records_read + records, done.bytes + nbytes)

        options = replace(options, progress=going_on)
    return DuckDBEngine(plan, options, copies=finder.repeated).execute(_iter(objects))


def _choose(engine: Engine, objects: Sequence[LogObject]) -> Literal["duckdb", "python"]:
    if engine == "python":
        return "python"
    if engine == "duckdb":
        if not duckdb_available():
            raise ReplayError("--engine duckdb needs duckdb: pip install 'trailcheck[logs]'")
        return "duckdb"
    needs_duckdb = any(o.parquet for o in objects)
    total = sum(o.size or 0 for o in objects)
    if (needs_duckdb or total >= SMALL_INPUT) and duckdb_available():
        return "duckdb"
    return "python"


def _iter(objects: Sequence[LogObject]) -> Iterator[LogObject]:
    yield from objects
