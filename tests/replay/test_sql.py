"""`trailcheck sql`: the DuckDB rendering runs over the fixture logs loaded into a table with the
Athena schema and gives the Python path's answers; the other dialects parse with their parsers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from checker.loaders import LoadOptions, load_paths
from checker.replay.dialects import DIALECTS, render
from checker.replay.engine import Options
from checker.replay.investigations import INVESTIGATIONS
from checker.replay.plan import build_plan
from checker.replay.queries import counts, per_record
from checker.replay.run import replay_inputs
from checker.simulator.replay import iter_stream_records
from checker.simulator.scenarios import load_catalog
from tests.replay.helpers import load_table

duckdb = pytest.importorskip("duckdb")
sqlglot = pytest.importorskip("sqlglot")

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "fixtures" / "replay" / "config"
LOGS = REPO / "fixtures" / "replay" / "logs"


@pytest.fixture(scope="module")
def table() -> Any:
    con = duckdb.connect()
    records = fixture_records()
    load_table(con, records)
    return con, records


def fixture_records() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for p in sorted(LOGS.glob("*.json*")):
        with p.open("rb") as fh:
            records += list(iter_stream_records(str(p), fh))
    return records


@pytest.fixture(scope="module")
def estate() -> Any:
    return load_paths([str(CONFIG)], LoadOptions(cwd=str(REPO)))


def test_per_record_query_gives_the_python_answers(table: Any, estate: Any) -> None:
    con, records = table
    plan = build_plan(estate)
    cur = con.execute(render(per_record(plan), "duckdb"))
    names = [d[0] for d in cur.description]
    rows = {r[names.index("eventid")]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}
    python = replay_inputs(estate, [str(LOGS)], engine="python", options=Options(keep=1000))
    assert len(rows) == len(records) == len(python.results)
    for doc in python.results:
        row = rows[doc["event"]["eventID"]]
        for c in doc["captured_by"]:
            assert row[c["trail"]] == "captured"
        for m in doc["missed_by"]:
            assert row[m["trail"]] == "missed"
        fired = sorted(a for c in doc["captured_by"] for a in c["alarms"])
        assert sorted(a for a in row["alarms"].split(", ") if a) == fired
    assert any(row["alarms"] for row in rows.values())  # StopLogging fires the CIS alarm


STORE = '''
resource "aws_cloudtrail_event_data_store" "lake" {
  name                 = "audit-lake"
  multi_region_enabled = false
}
'''


@pytest.fixture(scope="module")
def with_store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    import shutil

    config = tmp_path_factory.mktemp("sql") / "config"
    shutil.copytree(CONFIG, config)
    (config / "lake.tf").write_text(STORE)
    return load_paths([str(config)], LoadOptions(cwd=str(REPO)))


@pytest.mark.parametrize("which", ["trails", "with a store"])
def test_counts_query_gives_the_python_counts(table: Any, estate: Any, with_store: Any,
                                              which: str) -> None:  # fmt: skip
    con, _ = table
    estate = with_store if which == "with a store" else estate
    plan = build_plan(estate)
    cur = con.execute(render(counts(plan), "duckdb"))
    names = [d[0] for d in cur.description]
    rows = {(r[0], r[1]): dict(zip(names, r, strict=True)) for r in cur.fetchall()}
    summary = replay_inputs(estate, [str(LOGS)], engine="python").summary
    kinds = {t.id: "trail" for t in estate.trails}
    kinds |= {s.id: "event_data_store" for s in estate.event_data_stores}
    assert len(summary.trails) == len(kinds)
    for trail in summary.trails.values():
        row = rows[(kinds[trail.trail], trail.trail)]
        assert (row["captured"], row["missed"], row["unknown"], row["undecided"]) == (
            trail.captured, trail.missed, trail.unknown, 0)
        for dest, n in trail.destinations.items():
            assert row[dest] == n, dest
    for alarm, n in summary.alarms.items():
        assert rows[("alarm", alarm)]["captured"] == n


def test_investigations_run_and_find_what_the_records_hold(table: Any) -> None:
    con, records = table
    period = ["2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z"]
    by_name = {i.name: i for i in INVESTIGATIONS}
    rows = con.execute(render(by_name["root-usage"].sql(), "duckdb"), period).fetchall()
    expected = [r for r in records if (r.get("userIdentity") or {}).get("type") == "Root"
                and "invokedBy" not in r["userIdentity"]
                and r.get("eventType") != "AwsServiceEvent"]
    assert len(rows) == len(expected)
    rows = con.execute(render(by_name["failed-console-sign-ins"].sql(), "duckdb"),
                       period).fetchall()  # fmt: skip
    failed = [r for r in records if r.get("eventName") == "ConsoleLogin"
              and r.get("errorMessage") == "Failed authentication"]
    assert len(rows) == len(failed)
    for inv in INVESTIGATIONS:  # every query runs with its parameters
        con.execute(render(inv.sql(), "duckdb"), period + ["x"] * len(inv.params)).fetchall()
    catalog = {s.id for s in load_catalog()}
    assert {i.scenario for i in INVESTIGATIONS} <= catalog


@pytest.mark.parametrize("dialect", [d for d in DIALECTS if d != "duckdb"])
def test_other_dialects_parse_with_their_parser(estate: Any, dialect: str) -> None:
    plan = build_plan(estate)
    read = "trino" if dialect == "athena" else dialect
    for sql in (per_record(plan), counts(plan), *(i.sql() for i in INVESTIGATIONS)):
        text = render(sql, dialect)  # type: ignore[arg-type]
        assert sqlglot.parse_one(text, read=read) is not None
        # DuckDB's lambdas (`lambda r: ...`), not a literal that names Lambda
        assert "JSON_TYPE" not in text.upper() and not re.search(r"\bLAMBDA\s+\w+\s*:", text,
                                                                 re.IGNORECASE)  # fmt: skip
        assert "STRLEN" not in text.upper()  # DuckDB's; inside lambdas too
    if dialect in ("athena", "trino"):
        assert "ENDS_WITH" not in render(per_record(plan), dialect).upper()  # type: ignore[arg-type]


def test_command_prints_the_athena_ddl_and_queries(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", str(CONFIG), "--dialect", "athena", "--location",
                 "s3://trail-bucket/AWSLogs/", "--accounts", "111122223333"]) == 0
    out = capsys.readouterr().out
    assert "CREATE EXTERNAL TABLE cloudtrail_logs" in out
    assert "'storage.location.template'='s3://trail-bucket/AWSLogs/${account}/CloudTrail/" \
           "${region}/${timestamp}'" in out
    assert '"aws_cloudtrail.main"' in out and "Who deleted bucket B?" in out
    assert main(["sql", str(CONFIG), "--dialect", "spark", "--query", "counts"]) == 0
    assert "'alarm' AS kind" in capsys.readouterr().out
    assert main(["sql", str(CONFIG), "--table", "bad name;"]) == 2


GOV = REPO / "fixtures" / "regressions" / "global-events-govcloud"


def test_sql_projects_the_partitions_regions(capsys: pytest.CaptureFixture[str]) -> None:
    """`sql --dialect athena` projected the 17 commercial Regions for a GovCloud trail."""
    assert main(["sql", str(GOV), "--dialect", "athena", "--query", "ddl"]) == 0
    out = capsys.readouterr().out
    assert "'projection.region.values'='us-gov-west-1,us-gov-east-1'" in out
