"""Reading events files (log file, gzip, JSON array, JSON Lines) and replaying real logs."""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from checker.loaders import LoadOptions, load_paths
from checker.replay.summary import Summary
from checker.simulator.coverage import compiled_trails
from checker.simulator.events import Event
from checker.simulator.pipeline import simulate_event
from checker.simulator.replay import ReplayError, iter_stream_records

REPO = Path(__file__).resolve().parents[2]
LOGS = REPO / "fixtures" / "replay" / "logs"
CONFIG = REPO / "fixtures" / "replay" / "config"
REC = {"eventSource": "ec2.amazonaws.com", "eventName": "RunInstances", "awsRegion": "eu-west-1"}


def read_records(path: Path) -> list[Mapping[str, Any]]:
    with path.open("rb") as fh:
        return list(iter_stream_records(str(path), fh))


def test_every_form_reads_the_same_records(tmp_path: Path) -> None:
    records = [REC, {**REC, "eventName": "TerminateInstances"}]
    forms = {
        "log.json": json.dumps({"Records": records}).encode(),
        "log.json.gz": gzip.compress(json.dumps({"Records": records}).encode()),
        "array.json": json.dumps(records).encode(),
        "lines.jsonl": ("\n".join(json.dumps(r) for r in records) + "\n\n").encode(),
        "bom.json": b"\xef\xbb\xbf" + json.dumps(records).encode(),
    }
    for name, data in forms.items():
        (tmp_path / name).write_bytes(data)
        assert read_records(tmp_path / name) == records, name
    one = tmp_path / "one.jsonl"
    one.write_text(json.dumps(REC))
    assert read_records(one) == [REC]


@pytest.mark.parametrize(("content", "where"), [
    (b"", "is empty"),
    (b'{"Records": [{"a": 1}, {"b": ', "one.json:1:"),
    (b'{"Records": [1, 2', "record 1 is a JSON int"),
    (b'{"Records": {"a": 1}}', '"Records" must be a list'),
    (b'[{"eventName": "X"}, 3]', "record 2 is a JSON int"),
    (b'"text"', "found a JSON str"),
    ((b'{"eventName": "A"}\n{"eventName": "B"}\n{"eventName": \n'), "one.json:3:"),
    (b'{"eventName": "A"}\n[1]\n', "one.json:2: the line is a JSON list"),
    (b"\xff\xfe\x00", "not UTF-8 text (invalid byte 0xff)"),
    (b"\x1f\x8b\x08\x00garbage", "not a valid gzip file"),
])
def test_errors_name_the_file_and_place(tmp_path: Path, content: bytes, where: str) -> None:
    path = tmp_path / "one.json"
    path.write_bytes(content)
    with pytest.raises(ReplayError) as e:
        read_records(path)
    assert str(path) in str(e.value) and where in str(e.value)


def test_replay_of_real_logs_against_the_fixture_configuration() -> None:
    estate = load_paths([str(CONFIG)], LoadOptions(cwd=str(REPO)))
    assert not estate.diagnostics
    events = [Event.from_record(r) for p in sorted(LOGS.glob("*.json*")) for r in read_records(p)]
    assert len(events) == 29 + 2 + 1 + 1 + 1 + 3  # two delivery files, four stratus files
    summary = Summary()
    trails, fixed = compiled_trails(estate, None), {}
    results = [simulate_event(estate, trails, e, fixed=fixed) for e in events]
    for r in results:
        summary.add(r)
    assert [r.event for r in results] == events  # input order
    main = summary.trails["aws_cloudtrail.main"]
    writes = summary.trails["aws_cloudtrail.writes"]
    # the multi-region trail with default selectors records every management event of its
    # partition; stratus-red-team anonymised one record's Region to "cn-northsouth-2r", which
    # is in the aws-cn partition
    assert (main.captured, main.missed, main.unknown) == (len(events) - 1, 1, 0)
    assert list(main.miss_reasons) == [
        "multi-region trail in partition aws, event in cn-northsouth-2r"]
    assert main.cloudwatch == len(events) - 1
    # the CIS CloudTrail-changes alarm fires on StopLogging only (PutEventSelectors was missed)
    fired = [r.event.event_name for r in results
             if "aws_cloudwatch_metric_alarm.trail_changes" in
             (r.trails[0].alarms.firing_alarms() if r.trails[0].alarms else [])]
    assert fired == ["StopLogging"]
    assert main.alarmed == 1
    # the write-only us-east-1 trail misses reads, other regions and (without GSE) IAM
    assert writes.captured + writes.missed == len(events) and writes.missed > writes.captured
    assert writes.unknown == 0
    assert any("WriteOnly" in r for r in writes.miss_reasons) or "no selector matches" in \
        writes.miss_reasons
    doc = summary.to_json()
    assert doc["events"] == len(events) and doc["not_captured"] == 1
    # the broken pattern is a diagnostic on every event delivered to the log group
    delivered = [r for r in results if r.trails[0].decision.status == "captured"]
    assert all(r.trails[0].alarms and r.trails[0].alarms.diagnostics for r in delivered)


def test_saved_lookup_events_output_gives_the_records_it_holds() -> None:
    """`aws cloudtrail lookup-events` prints {"Events": [...]}, each record a JSON string in
    CloudTrailEvent: it was read as one record with no eventSource."""
    records = read_records(REPO / "fixtures" / "replay" / "lookup-events" / "lookup-events.json")
    assert [(r["eventSource"], r["eventName"]) for r in records] == [
        ("cloudtrail.amazonaws.com", "StopLogging"), ("cloudtrail.amazonaws.com", "DescribeTrails")]


@pytest.mark.parametrize(("event", "where"), [
    ({"EventName": "StopLogging"}, "event 1 of the lookup-events output has no CloudTrailEvent"),
    ({"CloudTrailEvent": '{"eventName": '}, "CloudTrailEvent of event 1 of the lookup-events"),
])
def test_a_lookup_event_without_its_record_is_named(
    tmp_path: Path, event: dict[str, Any], where: str
) -> None:
    path = tmp_path / "lookup.json"
    path.write_text(json.dumps({"Events": [event]}, indent=2))
    with pytest.raises(ReplayError) as e:
        read_records(path)
    assert where in str(e.value)
