"""Running a replay: the DuckDB engine, and the Python reference path it is checked against.

DuckDB engine: a feeder thread turns the inputs into JSON Lines chunks (feed.py); each chunk (or
Parquet file) goes through the plan's query (plan.py) into a temporary table `cur`; records every
predicate decided are counted into `acc` grouped by their decision columns (and day); records some
predicate left undecided (`tc_fb`) are read again by the Python evaluator, by eventID (or the whole
chunk when such a record has none). At the end each group becomes one result (assemble.py) added
to the summary with its count, so the summary is the Python path's, computed in SQL.

Python path: every record through `simulate_event`, one at a time, with full explanations.
"""

from __future__ import annotations

import json
import queue
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any, Literal

from checker.replay import schema
from checker.replay.assemble import Assembler
from checker.replay.chunk_records import Aside, checked_aside, ordered_records, piece_records
from checker.replay.compile_capture import CATEGORY
from checker.replay.dedupe import Copies, Filter, Key, KeyLog, record_key, sql_text
from checker.replay.feed import (
    CHUNK_BYTES,
    OBJECT_BYTES,
    Chunk,
    Feeder,
    spool_dir,
    spool_parquet,
)
from checker.replay.plan import Plan
from checker.replay.sources import LogObject
from checker.replay.summary import EXAMPLES, Summary, example_of, reason_key
from checker.simulator.delivery import TrailDestinations
from checker.simulator.events import Event
from checker.simulator.pipeline import EventResult, simulate_event
from checker.simulator.replay import (
    ReplayError,
    iter_stream_records,
    lone_surrogate,
    unreadable_entry,
)

Progress = Callable[[int, int, int], None]  # (files, records, bytes) done so far
CHECK_BYTES = 64 << 20  # the Python path holds a file's records up to this while checking it
_EXAMPLE = (
    "{'k': coalesce(eventtime, '') || chr(1) || coalesce(eventid, ''), 'eventTime': eventtime, "
    "'eventID': eventid, 'eventSource': eventsource, 'eventName': eventname, "
    "'awsRegion': awsregion, 'recipientAccountId': recipientaccountid, "
    "'eventCategory': ex_eventcategory, 'eventType': ex_eventtype, "
    "'managementEvent': ex_managementevent, 'readOnly': ex_readonly, "
    "'errorCode': ex_errorcode, 'vpcEndpointId': ex_vpcendpointid, "
    "'sessionCredentialFromConsole': ex_sessioncredentialfromconsole, 'uiArn': ex_uiarn, "
    "'host': ex_host, 'resources': ex_res, 'category': tc_category}"
)
_ORDER = "coalesce(eventtime, '') || chr(1) || coalesce(eventid, '')"
# the same over the grouped rows, whose own time, eventID and name are one record's (tc_first)
_GROUPED_EXAMPLE = (_EXAMPLE.replace("'eventTime': eventtime", "'eventTime': tc_first.eventTime")
                    .replace("'eventID': eventid", "'eventID': tc_first.eventID")
                    .replace("'eventName': eventname", "'eventName': tc_first.eventName")
                    .replace("'k': coalesce(eventtime, '') || chr(1) || coalesce(eventid, ''), ",
                             ""))  # fmt: skip
_GROUPED_ORDER = "coalesce(tc_first.eventTime, '') || chr(1) || coalesce(tc_first.eventID, '')"


@dataclass
class Options:
    per_record: IO[str] | None = None  # JSON Lines of per-record results
    keep: int = 0  # keep up to this many per-record results in `Run.results`
    usage: bool = False  # count per account and Region too (for cost)
    threads: int | None = None
    progress: Progress | None = None
    chunk_bytes: int = CHUNK_BYTES  # the DuckDB engine's chunks (feed.py); tests make them small


@dataclass
class Run:
    summary: Summary
    results: list[dict[str, Any]]  # per-record results (up to Options.keep)
    truncated: bool = False


def _dumps(doc: Any) -> str:
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


def per_record_json(result: EventResult, record: Mapping[str, Any] | None = None) -> dict[str, Any]:
    doc = result.to_json()
    if record is not None:
        doc["event"] = {k: record.get(k) for k in ("eventTime", "eventID", "eventSource",
                                                   "eventName", "awsRegion",
                                                   "recipientAccountId")}  # fmt: skip
    return doc


# ---------------------------------------------------------------------------------------------
# The Python reference path


def run_python(plan: Plan, objects: Iterable[LogObject], options: Options) -> Run:
    summary = Summary(engine="python")
    run = Run(summary, [])
    fixed: dict[int, TrailDestinations] = {}
    compiled = plan.recorders
    seen: set[Key] = set()  # the records counted so far (dedupe.py); the first read counts
    for obj in objects:
        try:
            records = _checked_records(obj)
        except (ReplayError, OSError) as e:  # skipped whole, reported, the rest still read
            summary.skip_input(unreadable_entry(obj.name, e))
            continue
        summary.files += 1
        try:
            for n, (record, size) in enumerate(records, 1):
                summary.bytes += size
                key = record_key(record)
                if key is not None:
                    if key in seen:
                        summary.duplicate_records += 1
                        continue
                    seen.add(key)
                _python_one(plan, compiled, fixed, record, run, options, keep_full=True,
                            where=f"{obj.name}: record {n}")  # fmt: skip
        except (ReplayError, OSError) as e:  # damaged between the check and the second read
            summary.skip_input({**unreadable_entry(obj.name, e), "partly_replayed": True})
        if options.progress:
            options.progress(summary.files, summary.records_read, summary.bytes)
    summary.finish()
    return run


def _python_one(plan: Plan, compiled: list[Any], fixed: dict[int, TrailDestinations],
                record: Mapping[str, Any], run: Run, options: Options,
                *, keep_full: bool, where: str) -> None:  # fmt: skip
    problem = Event.problem(record)
    if problem is not None:  # never simulated as if it were an event
        run.summary.reject(where, problem)
        return
    event = Event.from_record(record)
    result = simulate_event(plan.estate, compiled, event, fixed=fixed)
    time = record.get("eventTime")
    day = time[:10] if isinstance(time, str) else None
    account = event.recipient_account_id
    run.summary.add(result, 1, day=day, account=account, examples=[example_of(record)])
    if options.per_record is not None or len(run.results) < options.keep:
        doc = result.to_json() if keep_full else per_record_json(result, record)
        doc["event"] = {**doc["event"], "eventTime": record.get("eventTime"),
                        "eventID": record.get("eventID")}  # fmt: skip
        if options.per_record is not None:
            options.per_record.write(_dumps(doc) + "\n")
        if len(run.results) < options.keep:
            run.results.append(doc)
        elif options.keep:
            run.truncated = True
    elif options.keep:
        run.truncated = True


def _checked_records(obj: LogObject) -> Iterable[tuple[Mapping[str, Any], int]]:
    """The records of `obj`, read to the end first so that a file damaged anywhere is skipped
    whole (raises ReplayError or OSError). A file's records are held while it is checked, up to
    CHECK_BYTES; a larger file is read a second time instead."""
    held: list[tuple[Mapping[str, Any], int]] | None = []
    total = 0
    for item in _records_of(obj):
        if held is not None:
            total += item[1]
            held.append(item)
            if total > CHECK_BYTES:
                held = None
    return _records_of(obj) if held is None else held


def _records_of(obj: LogObject) -> Iterator[tuple[Mapping[str, Any], int]]:
    """Records with their size in bytes (compact JSON) from a JSON or Parquet input."""
    if obj.parquet:
        yield from parquet_records(obj)
        return
    with obj.open() as stream:
        for n, record in enumerate(iter_stream_records(obj.name, stream), 1):
            try:
                size = len(_dumps(record).encode())
            except UnicodeEncodeError:
                raise lone_surrogate(obj.name, f"record {n}") from None
            yield record, size


def parquet_records(obj: LogObject) -> Iterator[tuple[Mapping[str, Any], int]]:
    """Rows of a Parquet file with the CloudTrail table's columns, as records."""
    import duckdb

    path = obj.path
    tmp = None
    if path is None:
        tmp = spool_dir()
        path = spool_parquet(obj, tmp)
    try:
        con = duckdb.connect()
        cur = con.execute(f"SELECT * FROM read_parquet({_sql_str(path or '')})")
        names = [d[0].lower() for d in cur.description]
        while True:
            rows = cur.fetchmany(2048)
            if not rows:
                break
            for row in rows:
                record = record_from_row(dict(zip(names, row, strict=True)))
                yield record, len(_dumps(record).encode())
    except duckdb.Error as e:
        raise ReplayError(f"{obj.name}: not a readable Parquet file ({e})") from e
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def record_from_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A table row back to a record: record key spellings, JSON text fields parsed."""
    out: dict[str, Any] = {}
    lower = {k.lower(): v for k, v in row.items()}
    for f in schema.FIELDS:
        value = lower.get(f.column)
        if value is None:
            continue
        out[f.key] = _value(f, value)
    return out


def _value(f: schema.Field, value: Any) -> Any:
    if f.kind == "json" and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if f.kind == "bool" and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if f.kind == "struct" and isinstance(value, Mapping):
        low = {k.lower(): v for k, v in value.items()}
        return {c.key: _value(c, low[c.column]) for c in f.children
                if low.get(c.column) is not None}  # fmt: skip
    if f.kind == "array" and isinstance(value, list):
        item = schema.Field(f.key, "struct", f.children)
        return [_value(item, v) for v in value if v is not None]
    return value


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# ---------------------------------------------------------------------------------------------
# The DuckDB engine


class DuckDBEngine:
    """`copies`: None for a first replay, which notes the hashes of the records' keys and finds
    those noted twice (`repeated`); else those hashes, for a second replay that counts each
    event once (dedupe.py)."""

    def __init__(self, plan: Plan, options: Options, copies: Iterable[int] | None = None) -> None:
        import duckdb

        self.duckdb = duckdb
        self.plan = plan
        self.options = options
        config: dict[str, Any] = {"preserve_insertion_order": False}
        if options.threads:
            config["threads"] = options.threads
        self.con = duckdb.connect(config=config)
        self.summary = Summary(engine="duckdb")
        self.run = Run(self.summary, [])
        self.assembler = Assembler(plan)
        self.compiled = plan.recorders
        self.fixed: dict[int, TrailDestinations] = {}
        self.columns = plan.read_columns()
        self.groups = plan.group_columns()
        usage = ["tc_readonly", "tc_service"] if options.usage else []
        # results depend on the decision columns only; the day, Region (and account) are counted
        self.example_keys = [*self.groups, *usage]
        self.keys = [*self.example_keys, "tc_day", "awsregion",
                     *(["recipientaccountid"] if options.usage else [])]
        self.acc_ready = False
        self.log = KeyLog(self.con) if copies is None else None
        self.copies = Copies(self.con, copies) if copies is not None else None
        self.repeated: list[int] = []
        self.decided = 0
        self.damaged: set[str] = set()  # inputs left out: their later pieces are skipped too
        self.templates: dict[tuple[Any, ...], dict[str, Any]] = {}
        # group key -> up to EXAMPLES records, from the chunk where the group first appeared
        self.examples: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        for fb in plan.fallbacks:
            self.summary.fallbacks.append({"kind": fb.kind, "name": fb.name, "reason": fb.reason})

    # -- the run --------------------------------------------------------------------------------

    def execute(self, objects: Iterable[LogObject]) -> Run:
        spool = spool_dir()
        chunks: queue.Queue[Chunk | BaseException | None] = queue.Queue(maxsize=2)
        stop = threading.Event()

        def feed() -> None:
            try:
                for chunk in Feeder(spool, self.options.chunk_bytes).chunks(objects):
                    while not stop.is_set():
                        try:
                            chunks.put(chunk, timeout=0.2)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        chunk.remove()
                        return
                chunks.put(None)
            except BaseException as e:  # handed to the main thread, which raises it
                chunks.put(e)

        thread = threading.Thread(target=feed, name="trailcheck-feeder", daemon=True)
        thread.start()
        try:
            while True:
                item = chunks.get()
                if item is None:
                    break
                if isinstance(item, BaseException):
                    raise item
                try:
                    self._chunk(item)
                finally:
                    item.remove()
        finally:
            stop.set()
            while not chunks.empty():
                leftover = chunks.get_nowait()
                if isinstance(leftover, Chunk):
                    leftover.remove()
            thread.join(timeout=5)
            shutil.rmtree(spool, ignore_errors=True)
        self._finish()
        if self.log is not None:
            self.repeated = self.log.repeated("acc" if self.acc_ready else "")
        return self.run

    def _source(self, chunk: Chunk, columns: Mapping[str, str] | None = None) -> str:
        if chunk.parquet is not None:
            return _parquet_source(self.con, chunk.parquet)
        cols = "{" + ", ".join(f"{_sql_str(k)}: {_sql_str(v)}"
                               for k, v in (columns or self.columns).items()) + "}"  # fmt: skip
        return (f"read_json({_sql_str(chunk.path or '')}, format='newline_delimited', "
                f"columns={cols}, maximum_object_size={OBJECT_BYTES})")  # fmt: skip

    def _chunk(self, chunk: Chunk) -> None:
        for entry in chunk.unreadable:
            self.summary.skip_input(entry)
        aside, damaged = checked_aside(chunk)
        if damaged or any(n in self.damaged for n in [*(p.name for p in chunk.pieces),
                                                      *(a[0] for a in aside)]):
            self._python_pieces(chunk, aside, damaged)  # an input to leave out: not in SQL
            return
        if chunk.parquet is None and not chunk.pieces and not aside:
            return  # only inputs that could not be read
        # JSON: the feeder set aside every record that could reach the size limit. Parquet:
        # the quick bound clears the records, the Python evaluator measures the others.
        size: Literal[False, "quick"] = "quick" if chunk.parquet is not None else False
        keys = ", ".join(self.keys)
        try:
            source = self._source(chunk)
            narrow = source if size else self._source(chunk, self.plan.decision_columns())
            self._group(narrow, size)
            routed: set[Key] = set()
            python = [k for _, _, r in aside if (k := record_key(r)) is not None]
            if self.copies is not None:
                # the second replay: a record whose key was counted before is dropped, the
                # records sharing a key in the chunk go to the Python evaluator, which counts
                # the first it reads; the SQL counts neither
                hit = self.copies.in_groups()
                dropped, routed = self.copies.split(narrow if hit else None, python)
                self.summary.duplicate_records += dropped
                if hit:
                    source, narrow = Copies.exclude(source), Copies.exclude(narrow)
                    self._group(narrow, size)
            elif python and self.log is not None:
                self.log.add(python)
            query = self.plan.query(source, size=size)
        except self.duckdb.Error as e:
            if chunk.parquet is not None:
                error = ReplayError(f"{chunk.source}: not a CloudTrail table in Parquet ({e})")
                self.summary.skip_input(unreadable_entry(chunk.source, error))
                return
            self._python_pieces(chunk, aside, damaged)
            return
        self.summary.files += chunk.objects
        self.summary.bytes += chunk.nbytes
        # the first replay keeps the hashes of the keys counted (dedupe.KeyLog)
        hashes = "tc_keys" if self.log is not None else "CAST(NULL AS UBIGINT[]) AS tc_keys"
        if not self.acc_ready:
            self.con.execute(f"CREATE TEMP TABLE acc AS SELECT {keys}, n, {hashes} FROM g "
                             "WHERE NOT tc_fb")  # fmt: skip
            self.acc_ready = True
        else:
            self.con.execute(f"INSERT INTO acc SELECT {keys}, n, {hashes} FROM g WHERE NOT tc_fb")
        ex_keys = ", ".join(self.example_keys)
        for row in self.con.execute(f"SELECT {ex_keys}, ex FROM g WHERE NOT tc_fb").fetchall():
            # the examples (and the record that explains a decision) of the chunk where the
            # decision first appears
            self.examples.setdefault(tuple(row[:-1]), row[-1])
        self.decided += self._count("SELECT coalesce(sum(n), 0) FROM g WHERE NOT tc_fb")
        ids: set[str] | None = set()
        if self._count("SELECT coalesce(sum(n), 0) FROM g WHERE tc_fb"):
            if self.log is not None:
                self.log.add_groups("tc_fb")
            ids = self._fallbacks(query)
        if self.decided + self.summary.events > self.options.keep:
            # more records than results kept: the kept ones would not be shown
            self.run.truncated = bool(self.options.keep)
        if self.options.per_record is not None or (
                len(self.run.results) < self.options.keep and not self.run.truncated):
            self._per_record(query, ids)
        self._python_pass(chunk, aside, ids, routed)
        if self.options.progress:
            self.options.progress(self.summary.files, self.decided + self.summary.records_read,
                                  self.summary.bytes)  # fmt: skip

    def _group(self, narrow: str, size: Literal[False, "quick"]) -> None:
        """The chunk's records counted by decision into `g` (with their keys, dedupe.py). The
        resources are read only when a record is left without category otherwise (records of
        event version 1.05 and earlier): an S3 object among them tells a data event."""
        keys = ", ".join(self.keys)
        read = ("resources",) in self.plan.paths  # a predicate reads them anyway
        for resources in (True,) if read else (False, True):
            # decided once per combination of the fields the decisions read (and of the size
            # class)
            grouped = self.plan.query(
                self.plan.grouped_source(narrow, size=size, resources=resources),
                size="given" if size else False, weighted=True)  # fmt: skip
            counted = (f"SELECT {keys}, tc_fb, sum(tc_n) AS n, min_by({_GROUPED_EXAMPLE}, "
                       f"{_GROUPED_ORDER}, {EXAMPLES}) AS ex, flatten(list(tc_keys)) AS tc_keys "
                       f"FROM ({grouped}) GROUP BY {keys}, tc_fb")  # fmt: skip
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE g AS {counted}")
            if resources or not self._count(f"SELECT count(*) FROM g WHERE {CATEGORY} = ''"):
                return

    def _count(self, sql: str) -> int:
        row = self.con.execute(sql).fetchone()
        return int(row[0]) if row else 0

    def _finish(self) -> None:
        if self.acc_ready:
            keys = ", ".join(self.keys)
            cur = self.con.execute(f"SELECT {keys}, sum(n) AS n FROM acc GROUP BY {keys} "
                                   "HAVING sum(n) > 0")  # fmt: skip
            names = [d[0].lower() for d in cur.description]
            results: dict[tuple[Any, ...], EventResult] = {}
            for values in cur.fetchall():
                row = dict(zip(names, values, strict=True))
                key = tuple(row[k] for k in self.example_keys)
                found = self.examples[key]
                result = results.get(key)
                if result is None:
                    result = results[key] = self.assembler.result(row, found[0])
                account = row.get("recipientaccountid") if self.options.usage else None
                self.summary.add(result, int(row["n"]), day=row["tc_day"], account=account,
                                 region=row["awsregion"] or "",
                                 examples=[_example(e) for e in found])  # fmt: skip
        self.summary.mismatches = self.assembler.mismatches
        self.summary.finish()

    # -- records the SQL left undecided -----------------------------------------------------------

    def _fallbacks(self, query: str) -> set[str] | None:
        """Takes back the SQL counts of the records the Python evaluator is to read again: those
        sharing an eventID with an undecided one (their eventIDs are returned), or, when an
        undecided record has no eventID to be found by, every record of the chunk (None)."""
        keys = ", ".join(self.keys)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE cur AS SELECT {keys}, tc_fb, eventid "
                         f"FROM ({query})")  # fmt: skip
        if self._count("SELECT count(*) FROM cur WHERE tc_fb AND eventid IS NULL"):
            # an undecided record without eventID cannot be found again: the whole chunk goes
            # to the Python evaluator, and its SQL counts are taken back
            where = "NOT tc_fb"
        else:
            # every record sharing an eventID with an undecided one goes to Python, so that
            # none is counted twice
            where = "NOT tc_fb AND eventid IN (SELECT id FROM fb_ids)"
            self.con.execute("CREATE OR REPLACE TEMP TABLE fb_ids AS SELECT DISTINCT eventid "
                             "AS id FROM cur WHERE tc_fb")  # fmt: skip
        self.con.execute(f"INSERT INTO acc ({keys}, n) SELECT {keys}, -count(*) AS n FROM cur "
                         f"WHERE {where} GROUP BY {keys}")  # fmt: skip
        self.decided -= self._count(f"SELECT count(*) FROM cur WHERE {where}")
        if where == "NOT tc_fb":
            return None
        return {r[0] for r in self.con.execute("SELECT id FROM fb_ids").fetchall()}

    def _python_pass(self, chunk: Chunk, aside: list[Aside], ids: set[str] | None,
                     repeated: set[Key]) -> None:  # fmt: skip
        """The chunk's records the Python evaluator judges, in input order: those with an eventID
        in `ids` (every record when None), those whose key is `repeated` in the chunk, and the
        long ones set aside; the copies are dropped."""
        if ids is not None and not ids and not repeated and not aside:
            return
        alone = {k[1] for _, _, r in aside if (k := record_key(r))}
        keep = self._keep(None if ids is None else ids | alone | {k[1] for k in repeated})
        if ids is not None and not ids and not repeated:  # the records set aside, and no order
            records: Iterable[Mapping[str, Any]] = (r for _, _, r in aside)  # to keep
        else:
            records = self._chunk_records(chunk, aside, ids, repeated)
        for record in records:
            if keep.admit(record):
                self._python_record(record)
        self.summary.duplicate_records += keep.dropped

    def _keep(self, event_ids: set[str] | None) -> Filter:
        """What drops the copies among the records the Python evaluator reads (those with these
        eventIDs; every record of the chunk when None): in the second replay, the keys counted
        before, and of those repeated in the chunk all but the first (dedupe.py)."""
        return Filter(self.copies.earlier(event_ids) if self.copies is not None else ())

    def _chunk_records(self, chunk: Chunk, aside: list[Aside], ids: set[str] | None,
                       repeated: set[Key]) -> Iterator[Mapping[str, Any]]:  # fmt: skip
        """The chunk's records, read again in input order: those with an eventID in `ids`
        (every record when None) or a key in `repeated`, and those set aside."""
        def wanted(record: Mapping[str, Any]) -> bool:
            return (ids is None or sql_text(record.get("eventID")) in ids
                    or (bool(repeated) and record_key(record) in repeated))  # fmt: skip

        if chunk.parquet is not None:
            where = ""
            if ids is not None:
                self.con.execute("CREATE OR REPLACE TEMP TABLE tc_ids AS SELECT unnest(?) AS id",
                                 [sorted(ids | {k[1] for k in repeated})])  # fmt: skip
                where = " WHERE eventid IN (SELECT id FROM tc_ids)"
            cur = self.con.execute(f"SELECT * FROM read_parquet({_sql_str(chunk.parquet)}, "
                                   f"file_row_number=true){where} ORDER BY file_row_number")
            names = [d[0].lower() for d in cur.description]
            for values in cur.fetchall():
                row = record_from_row(dict(zip(names, values, strict=True)))
                if wanted(row):
                    yield row
            return
        for record, set_aside in ordered_records(chunk, aside):
            if set_aside or wanted(record):
                yield record

    def _python_pieces(self, chunk: Chunk, aside: list[Aside],
                       damaged: dict[str, dict[str, Any]]) -> None:  # fmt: skip
        """The whole chunk through the Python evaluator (DuckDB could not read it, or an input
        in it is to be left out). Each input is read to its end before any of its records is
        replayed, so that one damaged anywhere is left out whole (`damaged`: those already
        found, by name), as on the Python path."""
        names = {p.name: p.continued for p in chunk.pieces if p.name not in self.damaged}
        for name, continued in names.items():
            if name in damaged:
                continue
            try:
                for piece in chunk.pieces:
                    if piece.name == name:
                        for _ in piece_records(chunk, piece):
                            pass
            except ReplayError as e:
                entry = unreadable_entry(name, e)
                damaged[name] = {**entry, "partly_replayed": True} if continued else entry
        for name, entry in damaged.items():
            self.summary.skip_input(entry)
            self.damaged.add(name)
        left_out = [p for p in chunk.pieces if p.name in self.damaged]
        self.summary.files += chunk.objects - sum(1 for n, c in names.items()
                                                  if n in damaged and not c)  # fmt: skip
        self.summary.bytes += chunk.nbytes - sum(p.end - p.start for p in left_out)
        skip = frozenset(self.damaged)
        found = [k for r, _ in ordered_records(chunk, aside, skip) if (k := record_key(r))]
        if self.copies is not None:  # keys counted before are dropped; of one repeated here,
            dropped, _ = self.copies.split(None, found)  # the first record counts
            self.summary.duplicate_records += dropped
        elif self.log is not None:
            self.log.add(found)
        keep = self._keep(None)
        for record, _ in ordered_records(chunk, aside, skip):
            if keep.admit(record):
                self._python_record(record)
        self.summary.duplicate_records += keep.dropped

    def _python_record(self, record: Mapping[str, Any]) -> None:
        self.summary.fallback_records += 1
        where = f"record {record.get('eventID')}" if record.get("eventID") else "a record"
        _python_one(self.plan, self.compiled, self.fixed, record, self.run, self.options,
                    keep_full=False, where=where)  # fmt: skip

    # -- per-record output ----------------------------------------------------------------------

    def _per_record(self, query: str, ids: set[str] | None) -> None:
        """The results of the records the SQL decided; not those the Python evaluator reads
        again (`_fallbacks`: the records with an eventID in `ids`, every record when None),
        whose results it gives."""
        if ids is None:
            return
        cols = ", ".join(["eventtime", "eventid", "eventsource", "eventname", "awsregion",
                          "recipientaccountid", *self.groups, f"{_EXAMPLE} AS ex"])  # fmt: skip
        again = " AND (eventid IS NULL OR eventid NOT IN (SELECT id FROM fb_ids))" if ids else ""
        cur = self.con.execute(f"SELECT {cols} FROM ({query}) WHERE NOT tc_fb{again}")
        names = [d[0].lower() for d in cur.description]
        while True:
            rows = cur.fetchmany(4096)
            if not rows:
                return
            for values in rows:
                row = dict(zip(names, values, strict=True))
                key = tuple(row[c] for c in self.groups)
                template = self.templates.get(key)
                if template is None:
                    result = self.assembler.result(row, row["ex"])
                    template = per_record_json(result)
                    for m in template["missed_by"]:
                        stage = next(t.decision.stage for t in result.trails
                                     if t.trail == m["trail"])  # fmt: skip
                        m["reason"] = reason_key(m["reason"], stage)
                    self.templates[key] = template
                doc = {**template, "event": {
                    "eventSource": row["eventsource"], "eventName": row["eventname"],
                    "awsRegion": row["awsregion"], "recipientAccountId": row["recipientaccountid"],
                    "eventTime": row["eventtime"], "eventID": row["eventid"]}}  # fmt: skip
                if self.options.per_record is not None:
                    self.options.per_record.write(_dumps(doc) + "\n")
                if len(self.run.results) < self.options.keep:
                    self.run.results.append(doc)
                elif self.options.keep:
                    self.run.truncated = True


def _example(ex: Mapping[str, Any]) -> dict[str, Any]:
    return {k: ex.get(k) for k in ("eventTime", "eventID", "eventSource", "eventName",
                                   "awsRegion", "recipientAccountId")}  # fmt: skip


def _parquet_source(con: Any, path: str) -> str:
    """read_parquet, with the table's columns that the file lacks added as NULL."""
    have = {r[0].lower() for r in con.execute(
        f"DESCRIBE SELECT * FROM read_parquet({_sql_str(path)})").fetchall()}  # fmt: skip
    missing = [f for f in schema.FIELDS if f.column not in have]
    extra = "".join(f", CAST(NULL AS {schema.duckdb_type(f, spelling='column')}) AS {f.column}"
                    for f in missing)  # fmt: skip
    return f"(SELECT *{extra} FROM read_parquet({_sql_str(path)}))"
