"""`trailcheck test-pattern` end to end through checker.cli.main: every exit code, @file,
standard input, --format json, invalid patterns and events, plain-text lines."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from checker.cli import main

REPO = Path(__file__).resolve().parents[2]
RECORDS = json.loads((REPO / "fixtures" / "eventbridge" / "cloudtrail-records.json")
                     .read_text(encoding="utf-8"))["Records"]  # fmt: skip
DELETE_TRAIL = next(r for r in RECORDS if r["eventName"] == "DeleteTrail")
LOGIN = next(r for r in RECORDS if r["eventName"] == "ConsoleLogin")
EB_PATTERN = '{"source": ["aws.cloudtrail"], "detail": {"eventName": ["DeleteTrail"]}}'


def write(tmp_path: Path, name: str, content: object) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["test-pattern", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_eventbridge_match_on_a_converted_record(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    event = write(tmp_path, "record.json", DELETE_TRAIL)
    code, out, err = run(capsys, "eventbridge", EB_PATTERN, event)
    assert code == 0 and out.startswith("match: ") and "converted" in out
    assert "Traceback" not in err


def test_eventbridge_no_match_and_json_output(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    event = write(tmp_path, "event.json", {"source": "aws.s3", "detail-type": "x", "detail": {}})
    code, out, _ = run(capsys, "eventbridge", EB_PATTERN, event, "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["match"] is False and "source" in doc["reason"]


def test_eventbridge_unknown_is_exit_4_and_null(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    event = write(tmp_path, "login.json", LOGIN)
    pattern = '{"detail-type": ["AWS Console Sign In via CloudTrail"]}'
    code, out, _ = run(capsys, "eventbridge", pattern, event, "--format", "json")
    assert code == 4 and json.loads(out)["match"] is None


def test_pattern_from_a_file_and_event_from_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    pattern = write(tmp_path, "pattern.json", EB_PATTERN)
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(DELETE_TRAIL)))
    code, out, _ = run(capsys, "eventbridge", "@" + pattern, "-")
    assert code == 0 and out.startswith("match")


def test_invalid_pattern_names_file_line_and_column(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    pattern = write(tmp_path, "bad.json", '{\n  "source": ["aws.s3",]\n}')
    event = write(tmp_path, "record.json", DELETE_TRAIL)
    code, out, err = run(capsys, "eventbridge", "@" + pattern, event)
    assert code == 2 and out == ""
    assert "invalid event pattern" in err and "bad.json, line 2, column" in err
    code, _, err = run(capsys, "eventbridge", '{"source": "aws.s3"}', event)
    assert code == 2 and "must be an array" in err and "(at source)" in err


def test_invalid_event(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = write(tmp_path, "broken.json", '{"source":\n')
    code, _, err = run(capsys, "eventbridge", EB_PATTERN, broken)
    assert code == 2 and "invalid event" in err and "broken.json, line 2" in err
    code, _, err = run(capsys, "eventbridge", EB_PATTERN, write(tmp_path, "list.json", "[1]"))
    assert code == 2 and "JSON object" in err
    code, _, err = run(capsys, "eventbridge", EB_PATTERN, str(tmp_path / "missing.json"))
    assert code == 2 and "cannot read" in err
    code, _, err = run(capsys, "eventbridge", "@" + str(tmp_path / "none"), broken)
    assert code == 2 and "cannot read pattern file" in err


def test_logs_json_event(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    event = write(tmp_path, "record.json", DELETE_TRAIL)
    pattern = '{ ($.eventSource = cloudtrail.amazonaws.com) && ($.eventName = DeleteTrail) }'
    code, out, _ = run(capsys, "logs", pattern, event, "--format", "json")
    assert code == 0 and json.loads(out)["match"] is True
    code, out, _ = run(capsys, "logs", "{ $.eventName = StopLogging }", event)
    assert code == 1 and out.startswith("no match")


def test_logs_plain_text_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = write(tmp_path, "app.log", "[INFO] REQUEST FAILED\n\n[ERROR 420] INVALID ARGUMENTS\n")
    code, out, err = run(capsys, "logs", "?ERROR ?ARGUMENTS REQUEST", lines, "--format", "json")
    assert code == 0
    results = [json.loads(line) for line in out.splitlines()]
    assert [(r["line"], r["match"]) for r in results] == [(1, True), (3, False)]
    assert "note:" in err  # the '?' terms next to REQUEST are ignored: a caveat
    code, out, _ = run(capsys, "logs", "DEBUG", lines)
    assert code == 1 and out.splitlines()[0].startswith("line 1: no match")


def test_logs_unknown_lines_exit_4(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = write(tmp_path, "svc.log", "ERROR 09/25/2014 12:00:02 Failed to process request\n")
    code, out, _ = run(capsys, "logs", "[w1=ERROR, w2]", lines)
    assert code == 4 and out.startswith("line 1: unknown: ")


def test_logs_invalid_pattern_and_empty_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    lines = write(tmp_path, "app.log", "x\n")
    code, _, err = run(capsys, "logs", "{ $.a = }", lines)
    assert code == 2 and "invalid filter pattern (command line, column 9)" in err
    pattern = write(tmp_path, "p.txt", "\n{ $.a = 1 ")
    code, _, err = run(capsys, "logs", "@" + pattern, lines)
    assert code == 2 and "p.txt, line 2" in err
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _, err = run(capsys, "logs", "ERROR", "-")
    assert code == 2 and "empty" in err
