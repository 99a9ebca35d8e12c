"""`trailcheck test-pattern`: offline `aws events test-event-pattern` and `aws logs
test-metric-filter`.

    trailcheck test-pattern eventbridge PATTERN EVENT [--format text|json]
    trailcheck test-pattern logs PATTERN EVENT [--format text|json]

PATTERN is the pattern text, or @FILE to read it from FILE. EVENT is a file, or - for standard
input. The eventbridge form takes an EventBridge event, or a CloudTrail record (converted to the
event CloudTrail delivers first). The logs form takes one JSON log event (a JSON object, tested
as one compact line), or plain-text log lines (one result per line).

Exit codes: 0 a match (for lines: any line matches); 1 no match; 2 an invalid pattern or event,
or an unreadable file; 4 no match is certain but the answer is unknown for some event (AWS's
documentation does not settle it); 3 internal error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.errors import EXIT_FAIL, EXIT_OK, UsageError

if TYPE_CHECKING:
    from checker.simulator.verdict import Verdict

EXIT_UNKNOWN = 4


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "test-pattern",
        help="test an EventBridge event pattern or a CloudWatch Logs filter pattern offline",
        description="Test a pattern against an event without AWS: the offline counterparts of "
        "`aws events test-event-pattern` and `aws logs test-metric-filter`. Exit 0 on a match, "
        "1 on no match, 2 on an invalid pattern or event, 4 when the answer is unknown.",
    )
    p.add_argument("language", choices=("eventbridge", "logs"),
                   help="eventbridge: an event pattern; logs: a filter pattern")  # fmt: skip
    p.add_argument("pattern", metavar="PATTERN", help="the pattern, or @FILE to read it")
    p.add_argument("event", metavar="EVENT",
                   help="a file with the event (eventbridge: an EventBridge event or a "
                   "CloudTrail record; logs: a JSON log event or text log lines), or - for "
                   "standard input")  # fmt: skip
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=run)


@dataclass(frozen=True)
class _Source:
    text: str
    name: str  # the file name, "standard input", or "command line"
    from_file: bool


def _read(path: str, what: str) -> _Source:
    if path == "-":
        return _Source(sys.stdin.read(), "standard input", True)
    try:
        return _Source(Path(path).read_text(encoding="utf-8"), path, True)
    except UnicodeDecodeError as e:
        raise UsageError(f"cannot read {what} {path}: not UTF-8 text ({e.reason})") from e
    except OSError as e:
        raise UsageError(f"cannot read {what} {path}: {e.strerror or e}") from e


def _pattern_source(arg: str) -> _Source:
    if arg.startswith("@"):
        return _read(arg[1:], "pattern file")
    return _Source(arg, "command line", False)


def _where(src: _Source, line: int | None = None, column: int | None = None) -> str:
    """`file P, line 3, column 5`, `standard input, line 2` or `command line, column 17`."""
    place = f"file {src.name}" if src.from_file and src.name != "standard input" else src.name
    if line is not None and (src.from_file or line > 1):
        place += f", line {line}"
    if column is not None:
        place += f", column {column}"
    return place


def _line_column(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


# --- output ------------------------------------------------------------------------------------


def _emit(args: argparse.Namespace, verdict: Verdict, line: int | None = None) -> None:
    if args.format == "json":
        doc: dict[str, Any] = {"match": verdict.match, "reason": verdict.reason}
        if line is not None:
            doc = {"line": line, **doc}
        print(json.dumps(doc))
        return
    word = {True: "match", False: "no match", None: "unknown"}[verdict.match]
    prefix = f"line {line}: " if line is not None else ""
    print(f"{prefix}{word}: {verdict.reason}")


def _notes(caveats: tuple[str, ...]) -> None:
    for c in caveats:
        print(f"trailcheck: note: {c}", file=sys.stderr)


def _exit_code(verdicts: list[Verdict]) -> int:
    if any(v.match is True for v in verdicts):
        return EXIT_OK
    return EXIT_UNKNOWN if any(v.match is None for v in verdicts) else EXIT_FAIL


# --- the two languages -------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    pattern_src = _pattern_source(args.pattern)
    if args.language == "eventbridge":
        return _eventbridge(args, pattern_src)
    return _logs(args, pattern_src)


def _eventbridge(args: argparse.Namespace, pattern_src: _Source) -> int:
    from checker.simulator.event_pattern import PatternProblem, compile_pattern, load_json

    pattern = compile_pattern(pattern_src.text)
    if isinstance(pattern, PatternProblem):
        at = f" (at {pattern.path})" if pattern.path else ""
        where = _where(pattern_src, pattern.line, pattern.column)
        raise UsageError(f"invalid event pattern ({where}): {pattern.message}{at}")
    event_src = _read(args.event, "event file")
    try:
        event = load_json(event_src.text)
    except json.JSONDecodeError as e:
        raise UsageError(f"invalid event ({_where(event_src, e.lineno, e.colno)}): not valid "
                         f"JSON ({e.msg})") from e  # fmt: skip
    except ValueError as e:
        raise UsageError(f"invalid event ({_where(event_src)}): {e}") from e
    if not isinstance(event, dict):
        raise UsageError(f"invalid event ({_where(event_src)}): an event is a JSON object")
    converted = False
    from checker.simulator.eventbridge_event import is_cloudtrail_record, to_eventbridge_event

    if is_cloudtrail_record(event):
        event, converted = to_eventbridge_event(event), True
    verdict = pattern.match(event)
    if converted:
        from checker.simulator.verdict import Verdict

        verdict = Verdict(verdict.match, "the CloudTrail record was converted to the "
                          f"EventBridge event CloudTrail delivers; {verdict.reason}")  # fmt: skip
    _notes(pattern.caveats)
    _emit(args, verdict)
    return _exit_code([verdict])


def _logs(args: argparse.Namespace, pattern_src: _Source) -> int:
    from checker.simulator.filter_pattern import PatternError, parse

    try:
        pattern = parse(pattern_src.text)
    except PatternError as e:
        row, column = _line_column(pattern_src.text, e.position)
        raise UsageError(f"invalid filter pattern ({_where(pattern_src, row, column)}): "
                         f"{e.message}") from e  # fmt: skip
    event_src = _read(args.event, "event file")
    _notes(pattern.caveats)
    record = _json_object(event_src.text)
    if record is not None:
        verdict = pattern.evaluate(record)
        _emit(args, verdict)
        return _exit_code([verdict])
    verdicts: list[Verdict] = []
    for number, text in _lines(event_src.text):
        verdict = pattern.evaluate_message(text)
        verdicts.append(verdict)
        _emit(args, verdict, number)
    if not verdicts:
        raise UsageError(f"invalid event ({_where(event_src)}): no log event, the input is empty")
    return _exit_code(verdicts)


def _json_object(text: str) -> dict[str, Any] | None:
    """The input as one JSON log event, or None when it is text lines."""
    stripped = text.strip()
    if not stripped.startswith("{"):
        return None
    try:
        value = json.loads(stripped)
    except ValueError:
        return None  # JSON Lines, or text that starts with a brace: tested line by line
    return value if isinstance(value, dict) else None


def _lines(text: str) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            yield number, line
