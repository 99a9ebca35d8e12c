"""The DuckDB engine on every input form, against the Python path: long records set aside, a
wrong cut of a delivery file, pretty-printed arrays, gzip members, Parquet, records without
eventID; and the simulate command's summaries, per-record stream and HTML chart."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from checker.loaders import LoadOptions, load_paths
from checker.replay import schema
from checker.replay.feed import LONG_LINE, long_lines
from tests.replay.helpers import both, by_event_id, estate, table_row, write_jsonl
from tests.simulator.test_capture_properties import PLAIN

duckdb = pytest.importorskip("duckdb")

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "fixtures" / "replay" / "config"
LOGS = REPO / "fixtures" / "replay" / "logs"
PATTERNS = ['{ $.eventName = "StopLogging" }', "StopLogging"]


def _rec(i: int, **extra: Any) -> dict[str, Any]:
    return {"eventVersion": "1.09", "eventCategory": "Management",
            "eventTime": f"2026-11-0{1 + i % 3}T10:00:00Z",
            "eventID": f"id-{i}", "eventSource": "cloudtrail.amazonaws.com",
            "eventName": ("StopLogging", "DescribeTrails")[i % 2], "awsRegion": "us-east-1",
            "recipientAccountId": "111122223333", "readOnly": bool(i % 2), **extra}  # fmt: skip


def _agree(inputs: list[str], patterns: list[str] = PATTERNS) -> Any:
    python, duck = both(estate([PLAIN], patterns), inputs)
    assert by_event_id(duck) == by_event_id(python)
    assert duck.summary.comparable() == python.summary.comparable()
    assert duck.summary.mismatches == 0
    return duck


def test_long_records_go_to_python_and_miss_cloudwatch(tmp_path: Path) -> None:
    big = _rec(0, requestParameters={"policy": "x" * 300_000})
    path = write_jsonl(tmp_path / "r.jsonl", [big, _rec(1), _rec(2)])
    duck = _agree([str(path)], ['{ $.eventName = "StopLogging" }'])
    assert duck.summary.fallback_records == 1
    (captured,) = next(r for r in duck.results if r["event"]["eventID"] == "id-0")["captured_by"]
    assert "cloudwatch_logs" not in captured["destinations"]


def test_long_lines_are_found_by_jumping() -> None:
    data = b"a\n" + b"x" * (LONG_LINE + 5) + b"\nshort\n" + b"y" * LONG_LINE
    assert long_lines(data) == [(2, 2 + LONG_LINE + 5), (len(data) - LONG_LINE, len(data))]
    assert long_lines(b"short\n" * 100_000) == []


def test_delivery_files_cut_wrongly_fall_back_to_python(tmp_path: Path) -> None:
    tricky = _rec(3, requestParameters={"items": [{"a": 1}, {"eventVersion": "nested"}]})
    doc = {"Records": [_rec(1), tricky, _rec(5)]}
    (tmp_path / "d.json.gz").write_bytes(
        gzip.compress(json.dumps(doc, separators=(",", ":")).encode()))
    duck = _agree([str(tmp_path / "d.json.gz")])
    assert duck.summary.fallback_records == 3  # the chunk DuckDB could not read


def test_pretty_arrays_multi_member_gzip_and_mixed_inputs(tmp_path: Path) -> None:
    (tmp_path / "pretty.json").write_text(json.dumps([_rec(i) for i in range(4)], indent=2))
    members = b"".join(gzip.compress((json.dumps(_rec(i)) + "\n").encode()) for i in range(4, 9))
    (tmp_path / "members.jsonl.gz").write_bytes(members)
    inputs = [str(tmp_path / "pretty.json"), str(tmp_path / "members.jsonl.gz"), str(LOGS)]
    duck = _agree(inputs, PATTERNS[:1])
    assert duck.summary.events == 4 + 5 + 37 and duck.summary.fallback_records == 0
    # the term pattern is left to Python, for the records the trail captures only
    duck = _agree(inputs)
    assert duck.summary.fallback_records == duck.summary.trails["aws_cloudtrail.t1"].captured


def test_records_without_event_id_under_a_python_only_pattern(tmp_path: Path) -> None:
    recs = [{k: v for k, v in _rec(i).items() if k != "eventID" or i % 2} for i in range(6)]
    path = write_jsonl(tmp_path / "r.jsonl", recs)
    python, duck = both(estate([PLAIN], PATTERNS), [str(path)])
    assert duck.summary.comparable() == python.summary.comparable()
    assert duck.summary.fallback_records == 6  # the whole chunk: some records have no eventID


def test_parquet_like_an_athena_export(tmp_path: Path) -> None:
    recs = [_rec(i, userIdentity={"type": "Root", "arn": "arn:aws:iam::111122223333:root"})
            for i in range(6)]  # fmt: skip
    jsonl = write_jsonl(tmp_path / "r.jsonl", recs)
    con = duckdb.connect()
    con.execute("CREATE TABLE t (" + ", ".join(
        f"{f.column} {schema.duckdb_type(f, spelling='column')}" for f in schema.FIELDS) + ")")
    cols = [f.column for f in schema.FIELDS]
    con.executemany(f"INSERT INTO t VALUES ({', '.join('?' for _ in cols)})",
                    [[table_row(r)[c] for c in cols] for r in recs])  # fmt: skip
    parquet = tmp_path / "export.parquet"
    con.execute(f"COPY t TO '{parquet}' (FORMAT PARQUET)")
    python, _ = both(estate([PLAIN], PATTERNS[:1]), [str(jsonl)])
    _, from_parquet = both(estate([PLAIN], PATTERNS[:1]), [str(parquet)])
    assert from_parquet.summary.comparable() == python.summary.comparable()
    assert by_event_id(from_parquet) == by_event_id(python)


# ---------------------------------------------------------------------------------------------
# The command


def test_many_records_give_a_summary_and_a_per_record_stream(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_jsonl(tmp_path / "many.jsonl", [_rec(i) for i in range(250)])
    per_record = tmp_path / "out.jsonl"
    assert main(["simulate", str(CONFIG), "--events", str(path), "--per-record", str(per_record),
                 "--engine", "duckdb"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "#1 " not in out and "use --per-record" in out
    assert "Summary: 250 event(s)" in out and "alarm aws_cloudwatch_metric_alarm" in out
    lines = per_record.read_text().splitlines()
    assert len(lines) == 250
    first = json.loads(lines[0])
    assert first["event"]["eventID"].startswith("id-") and "captured_by" in first
    assert main(["simulate", str(CONFIG), "--events", str(path), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["results"] == [] and doc["results_omitted"] == 250


def test_window_options_and_html_chart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    html = tmp_path / "r.html"
    assert main(["simulate", str(CONFIG), "--events", str(LOGS), "--format", "html",
                 "--output", str(html)]) == 0  # fmt: skip
    page = html.read_text()
    assert "<svg" in page and 'class="captured"' in page and "2023-07-10" in page
    assert "apiso-centralnorth-2r" in page  # a Region AWS does not have, listed
    assert main(["simulate", str(CONFIG), "--events", str(LOGS), "--start", "2026-13-01"]) == 2
    assert main(["simulate", str(CONFIG), "--events", str(LOGS), "--start", "2026-02-01",
                 "--end", "2026-01-01"]) == 2  # fmt: skip
    assert "before --start" in capsys.readouterr().err


def test_real_fixture_logs_agree_and_name_unknown_regions() -> None:
    est = load_paths([str(CONFIG)], LoadOptions(cwd=str(REPO)))
    from checker.replay.engine import Options
    from checker.replay.run import replay_inputs

    python = replay_inputs(est, [str(LOGS)], engine="python", options=Options(keep=100))
    duck = replay_inputs(est, [str(LOGS)], engine="duckdb", options=Options(keep=100))
    assert duck.summary.comparable() == python.summary.comparable()
    assert "apiso-centralnorth-2r" in python.summary.unknown_regions


def test_old_records_insights_and_copies_in_every_format(tmp_path: Path) -> None:
    """fixtures/replay/edge: records of event versions 1.02 to 1.08 (some of which tell their
    category by managementEvent, a sign-in, a Lambda Invoke or an S3 object, two by nothing),
    Insights records, and the same events in two trails' files."""
    edge = str(REPO / "fixtures" / "replay" / "edge")
    docs = {}
    for engine in ("python", "duckdb"):
        out = tmp_path / f"{engine}.json"
        assert main(["simulate", str(CONFIG), "--events", edge, "--engine", engine, "--format",
                     "json", "--output", str(out)]) == 0  # fmt: skip
        docs[engine] = json.loads(out.read_text())["summary"]
    summary = docs["python"]
    assert summary["events"] == 14 and summary["duplicate_records"] == 3
    (reason,) = summary["unknown_category"]["reasons"]
    assert reason["events"] == 2 and "managementEvent" in reason["reason"]
    assert sorted(e["eventName"] for e in reason["examples"]) == ["BidEvictedEvent",
                                                                 "RunInstances"]  # fmt: skip
    assert summary["insights_records"]["count"] == 2
    main_trail = next(t for t in summary["trails"] if t["trail"] == "aws_cloudtrail.main")
    assert (main_trail["captured"], main_trail["missed"], main_trail["unknown"]) == (9, 3, 2)
    for doc in docs.values():
        for key in ("engine", "fallbacks", "fallback_records"):
            doc.pop(key)
    assert docs["python"] == docs["duckdb"]
    text, html = tmp_path / "r.txt", tmp_path / "r.html"
    assert main(["simulate", str(CONFIG), "--events", edge, "--output", str(text)]) == 0
    assert main(["simulate", str(CONFIG), "--events", edge, "--format", "html", "--output",
                 str(html)]) == 0  # fmt: skip
    for page in (text.read_text(), html.read_text()):
        assert "3 records repeat an event read before" in page.replace("record(s)", "records")
        assert "of unknown category" in page and "2 Insights record" in page


# ---------------------------------------------------------------------------------------------
# Event data stores and EventBridge rules

STORE = '''
resource "aws_cloudtrail_event_data_store" "lake" {
  name = "audit-lake"
  advanced_event_selector {
    field_selector {
      field  = "eventCategory"
      equals = ["Management"]
    }
    field_selector {
      field  = "readOnly"
      equals = ["false"]
    }
  }
}
'''

RULE = '''
resource "aws_cloudwatch_event_rule" "stop" {
  name          = "stop-logging"
  event_pattern = jsonencode({ detail = { eventName = ["StopLogging"] } })
}
'''


def _config_with(tmp_path: Path, extra: str) -> Any:
    import shutil

    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    (config / "extra.tf").write_text(extra)
    return load_paths([str(config)], LoadOptions(cwd=str(REPO)))


def test_event_data_stores_are_decided_in_sql(tmp_path: Path) -> None:
    from checker.replay.engine import Options
    from checker.replay.run import replay_inputs

    est = _config_with(tmp_path, STORE)
    assert est.event_data_stores
    keep = Options(keep=1000)
    python = replay_inputs(est, [str(LOGS)], engine="python", options=keep)
    duck = replay_inputs(est, [str(LOGS)], engine="duckdb", options=keep)
    assert duck.summary.engine == "duckdb" and duck.summary.fallback_records == 0
    assert duck.summary.comparable() == python.summary.comparable()
    assert by_event_id(duck) == by_event_id(python)
    lake = duck.summary.trails["aws_cloudtrail_event_data_store.lake"]
    assert lake.captured and lake.destinations == {"lake": lake.captured}


def test_eventbridge_rules_go_to_python_for_the_records_they_may_match(tmp_path: Path) -> None:
    from checker.replay.engine import Options
    from checker.replay.run import replay_inputs

    est = _config_with(tmp_path, RULE)
    recs = [_rec(i) for i in range(4)]  # StopLogging, DescribeTrails, StopLogging, ...
    jsonl = write_jsonl(tmp_path / "r.jsonl", recs)
    parquet = tmp_path / "r.parquet"
    duckdb.connect().execute(
        f"COPY (SELECT * FROM read_json('{jsonl}', format='newline_delimited', columns="
        f"{ {f.key: schema.duckdb_type(f) for f in schema.FIELDS}!r})) TO '{parquet}' "
        "(FORMAT PARQUET)")  # fmt: skip
    python = replay_inputs(est, [str(jsonl)], engine="python", options=Options(keep=10))
    for source in (jsonl, parquet):
        duck = replay_inputs(est, [str(source)], engine="duckdb", options=Options(keep=10))
        assert duck.summary.fallback_records == 2  # the StopLogging calls only
        assert {(f["kind"], f["name"]) for f in duck.summary.fallbacks} == {
            ("EventBridge rule", "aws_cloudwatch_event_rule.stop")}
        assert duck.summary.comparable() == python.summary.comparable()
        rules = {d["event"]["eventID"]: [x["rule"] for x in d["eventbridge"]]
                 for d in duck.results}  # fmt: skip
        assert rules["id-0"] == ["aws_cloudwatch_event_rule.stop"] and rules["id-1"] == []
    (counted,) = python.summary.to_json()["eventbridge_rules"]
    assert counted["rule"] == "aws_cloudwatch_event_rule.stop" and counted["matched"] == 2
    html = tmp_path / "r.html"
    assert main(["simulate", str(tmp_path / "config"), "--events", str(parquet), "--format",
                 "html", "--output", str(html)]) == 0  # fmt: skip
    assert "EventBridge rules" in html.read_text()
    assert "aws_cloudwatch_event_rule.stop" in html.read_text()
