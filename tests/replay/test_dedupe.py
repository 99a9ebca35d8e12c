"""Copies of an event (dedupe.py): the same eventID, recipientAccountId and eventTime read twice
is counted once, the first read; both engines drop the same records, across files and chunks,
in records the Python evaluator reads alone (long ones, undecided ones, chunks DuckDB cannot
read), in Parquet, and say how many."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from checker.model import BasicSelector, Selectors, Trail
from checker.replay.dedupe import Filter, record_key, sql_text
from checker.replay.engine import Options
from checker.replay.feed import LONG_LINE
from checker.replay.run import replay_inputs
from tests.replay.helpers import both, by_key, estate, table_row, write_jsonl
from tests.simulator.test_capture_properties import PLAIN

duckdb = pytest.importorskip("duckdb")

EDGE = Path(__file__).resolve().parents[2] / "fixtures" / "replay" / "edge"
# a trail that records writes only (estate() names it t1): which copy is counted shows in what
# it records
WRITES = Trail(id="aws_cloudtrail.writes", name="writes", account_id="111122223333",
               home_region="us-east-1", is_multi_region=True,
               selectors=Selectors("basic", basic=(BasicSelector(read_write_type="WriteOnly"),)))


def _rec(i: int, **extra: Any) -> dict[str, Any]:
    return {"eventVersion": "1.09", "eventCategory": "Management", "eventType": "AwsApiCall",
            "eventTime": f"2026-11-01T10:00:{i % 60:02d}Z", "eventID": f"id-{i}",
            "eventSource": "ec2.amazonaws.com", "eventName": "RunInstances",
            "awsRegion": "us-east-1", "recipientAccountId": "111122223333", "readOnly": False,
            **extra}  # fmt: skip


def _agree(inputs: list[str], trails: tuple[Trail, ...] = (PLAIN,),
           chunk_bytes: int | None = None) -> Any:  # fmt: skip
    python, duck = both(estate(list(trails), ['{ $.eventName = "StopLogging" }']), inputs,
                        chunk_bytes)  # fmt: skip
    assert by_key(duck) == by_key(python)
    assert duck.summary.comparable() == python.summary.comparable()
    assert duck.summary.mismatches == 0
    return python


def test_keys_are_the_tables_text_of_the_three_fields() -> None:
    assert sql_text("a") == "a" and sql_text(None) is None
    # as DuckDB writes a JSON value that is not a string into a text column
    assert [sql_text(v) for v in (5, True, 1e20, {"x": [1, 2]})] == \
        ["5", "true", "1e+20", '{"x":[1,2]}']  # fmt: skip
    assert record_key(_rec(1)) == ("2026-11-01T10:00:01Z", "id-1", "111122223333")
    assert record_key({"eventID": ""}) is None and record_key({}) is None
    keep = Filter(earlier=[record_key(_rec(1))])
    assert [keep.admit(r) for r in (_rec(1), _rec(2), _rec(2), {"eventName": "x"})] == \
        [False, True, False, True]  # fmt: skip
    assert keep.dropped == 1  # the copies of earlier keys are the caller's to count


def test_the_fixture_copies_are_counted_once() -> None:
    """An organization trail's file and an account trail's file of the same events: the
    re-delivered copy in the first, two copies in the second; the same eventID in another
    account is another event (CloudTrail gives each account's event its own eventID)."""
    inputs = [str(EDGE / "copies-org-trail.json"), str(EDGE / "copies-account-trail.json")]
    python = _agree(inputs)
    assert (python.summary.events, python.summary.duplicate_records) == (5, 3)
    assert python.summary.records_read == 8
    assert python.summary.to_json()["duplicate_records"] == 3


def test_copies_across_chunks_and_within_one(tmp_path: Path) -> None:
    first = write_jsonl(tmp_path / "a.jsonl", [_rec(i) for i in range(40)] + [_rec(3)])
    second = write_jsonl(tmp_path / "b.jsonl", [_rec(i) for i in range(30, 60)])
    for chunk_bytes in (None, 3000):  # one chunk; many
        python = _agree([str(first), str(second)], chunk_bytes=chunk_bytes)
        assert (python.summary.events, python.summary.duplicate_records) == (60, 11)


@pytest.mark.parametrize("chunk_bytes", [None, 400])
def test_of_copies_that_differ_the_first_read_counts(tmp_path: Path, chunk_bytes: int | None
                                                     ) -> None:  # fmt: skip
    write, read = _rec(7), _rec(7, readOnly=True)  # the same key; only the first is a write
    for order, captured in (((write, read), 1), ((read, write), 0)):
        path = write_jsonl(tmp_path / "r.jsonl", [_rec(1), *order, _rec(2)])
        python = _agree([str(path)], (WRITES,), chunk_bytes)
        assert python.summary.duplicate_records == 1
        assert python.summary.trails["aws_cloudtrail.t1"].captured == 2 + captured


def _write(path: Path, form: str, records: list[dict[str, Any]]) -> Path:
    if form == "lines":
        return write_jsonl(path, records)
    if form == "delivery":  # compact, as CloudTrail writes it: cut into lines by the feeder
        path.write_text(json.dumps({"Records": records}, separators=(",", ":")))
    else:  # a pretty-printed array: read by the Python reader, written back a record a line
        path.write_text(json.dumps(records, indent=2))
    return path


@pytest.mark.parametrize("form", ["lines", "delivery", "array"])
def test_a_long_record_and_its_copy_keep_their_order(tmp_path: Path, form: str) -> None:
    """A record long enough to be set aside for the Python evaluator (feed.LONG_LINE) and a
    short copy of it in the same chunk: the one first in the file is counted."""
    long = _rec(5, requestParameters={"policy": "x" * (LONG_LINE + 10)})
    short = _rec(5, readOnly=True)
    for order, captured in (((long, short), 1), ((short, long), 0)):
        other = {**long, "eventID": "other"}  # another long record, no copy
        path = _write(tmp_path / "r.json", form, [_rec(1), *order, _rec(2), other])
        python = _agree([str(path)], (WRITES,))
        assert python.summary.duplicate_records == 1
        assert python.summary.trails["aws_cloudtrail.t1"].captured == 3 + captured


def test_copies_in_a_delivery_file_duckdb_cannot_read(tmp_path: Path) -> None:
    """A delivery file cut wrongly (a nested eventVersion) is read by the Python evaluator in
    both replays of the DuckDB engine."""
    tricky = _rec(3, requestParameters={"items": [{"a": 1}, {"eventVersion": "nested"}]})
    doc = {"Records": [_rec(1), tricky, _rec(1), _rec(2)]}
    path = tmp_path / "111122223333_CloudTrail_us-east-1_20261101T1000Z_x.json"
    path.write_text(json.dumps(doc, separators=(",", ":")))
    again = write_jsonl(tmp_path / "again.jsonl", [_rec(2), _rec(3)])
    python = _agree([str(path), str(again)])
    assert (python.summary.events, python.summary.duplicate_records) == (3, 3)


def test_copies_in_parquet(tmp_path: Path) -> None:
    from tests.replay.helpers import load_table

    con = duckdb.connect()
    load_table(con, [_rec(i) for i in (1, 2, 2, 3)])
    path = tmp_path / "export.parquet"
    con.execute(f"COPY cloudtrail_logs TO '{path}' (FORMAT PARQUET)")
    jsonl = write_jsonl(tmp_path / "r.jsonl", [_rec(3), _rec(4)])
    python = _agree([str(path), str(jsonl)])
    assert (python.summary.events, python.summary.duplicate_records) == (4, 2)
    assert table_row(_rec(1))["eventid"] == "id-1"


def test_records_without_an_event_id_are_never_copies(tmp_path: Path) -> None:
    bare = {k: v for k, v in _rec(1).items() if k != "eventID"}
    path = write_jsonl(tmp_path / "r.jsonl", [bare, bare, {**bare, "eventID": ""}])
    python = _agree([str(path)])
    assert (python.summary.events, python.summary.duplicate_records) == (3, 0)


def test_a_file_left_out_brings_no_copy(tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "a.jsonl", [_rec(1), _rec(2)])
    damaged = tmp_path / "b.jsonl"
    damaged.write_text(json.dumps(_rec(1)) + "\n{not json\n")
    python = _agree([str(good), str(damaged)])
    assert (python.summary.events, python.summary.duplicate_records) == (2, 0)
    assert python.summary.unreadable_count == 1


def test_the_per_record_stream_holds_each_event_once(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "r.jsonl", [_rec(1), _rec(2), _rec(1), _rec(3), _rec(2)])
    for engine in ("python", "duckdb"):
        stream = io.StringIO()
        run = replay_inputs(estate([PLAIN], []), [str(path)], engine=engine,  # type: ignore[arg-type]
                            options=Options(per_record=stream))  # fmt: skip
        ids = [json.loads(line)["event"]["eventID"] for line in stream.getvalue().splitlines()]
        assert sorted(ids) == ["id-1", "id-2", "id-3"]
        assert run.summary.duplicate_records == 2


def test_records_sharing_an_event_id_with_an_undecided_one_are_listed_once(tmp_path: Path
                                                                           ) -> None:  # fmt: skip
    """The SQL takes back its counts of the records sharing an eventID with one it leaves to
    the Python evaluator (here: an EventBridge rule candidate), which judges them all: their
    results are the Python evaluator's only (they were listed twice)."""
    rule = '{"detail": {"eventName": ["StopLogging"]}}'
    recs = [_rec(1, eventName="StopLogging"), _rec(1, recipientAccountId="444455556666"),
            {**_rec(2), "eventID": None}]  # fmt: skip
    path = write_jsonl(tmp_path / "r.jsonl", recs)
    python, duck = both(estate([PLAIN], [], (), [rule]), [str(path)])
    assert len(duck.results) == len(python.results) == 3
    assert by_key(duck) == by_key(python)


def test_cost_counts_each_event_of_the_sample_once(capsys: pytest.CaptureFixture[str]) -> None:
    from checker.cli import main

    config = EDGE.parent / "config"
    files = [str(EDGE / "copies-org-trail.json"), str(EDGE / "copies-account-trail.json")]
    assert main(["cost", str(config), "--events", *files, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["duplicate_records"] == 3
    free = next(line for line in doc["lines"] if line["item"].startswith("management events"))
    assert free["events_per_month"] == round(5 * 30.4375)  # 5 events in the one-day sample


def test_an_undecided_record_whose_event_id_is_not_text_is_found_again(tmp_path: Path) -> None:
    # the SQL holds eventID 5 as the text "5": the Python evaluator finds the record by it (it
    # was lost)
    rule = '{"detail": {"eventName": ["StopLogging"]}}'
    path = write_jsonl(tmp_path / "r.jsonl", [_rec(1, eventID=5, eventName="StopLogging"),
                                              _rec(2)])  # fmt: skip
    python, duck = both(estate([PLAIN], [], (), [rule]), [str(path)])
    assert duck.summary.events == python.summary.events == 2
    assert len(duck.results) == 2
