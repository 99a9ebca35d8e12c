"""`trailcheck simulate`: which trails record given events, where they go, which alarms fire.

    trailcheck simulate PATHS --events INPUT... [--start D] [--end D] [--account ID]
                        [--log-region R] [--engine auto|duckdb|python]
                        [--format text|json|html] [--output FILE] [--per-record FILE.jsonl]
    trailcheck simulate PATHS --scenario ID|all [--regions R1,R2] [--format text|json]

INPUT is any mix of files, folders, globs and s3://bucket/prefix holding CloudTrail logs (delivery
files, JSON arrays, JSON Lines, gzip or not, and Parquet): checker/replay. Up to PER_RECORD_LIMIT
records, the JSON output follows docs/architecture.md ("Simulator output"): one result per record,
in input order, with `captured_by` [trail, selector, destinations, alarms] and `missed_by` [trail,
reason]; trails whose decision is unknown are listed in `unknown_by`, never counted as capturing.
Event data stores are listed like trails, with the destination `lake`; `eventbridge` lists the
EventBridge rules whose pattern matches the record [rule, state, targets, notifies, reason]. Beyond,
the results are left out (`results_omitted`) and `--per-record` streams them. A summary per trail,
destination and alarm follows.

Exit codes (docs/architecture.md): 0 the simulation ran; 2 bad input (an events file that cannot be
read, which is skipped and named while the others are replayed, a record that is no CloudTrail
record, a configuration input that cannot be read, an unknown scenario, a bad region); 3 internal
error. A simulation is a
question, not a check: events that are missed do not make the exit code 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.commands.options import add_input_options, parse_regions, regions_to_cover
from checker.errors import EXIT_INPUT, EXIT_OK, UsageError

if TYPE_CHECKING:
    from checker.model import Estate

def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "simulate",
        help="which trails record given events, where they go, which alarms fire",
        description="Replay CloudTrail records (or the catalog's scenarios) against the "
        "configuration under PATHS: for every record, which trail captures it by which selector, "
        "where it is delivered (S3, CloudWatch Logs, EventBridge, SNS) and which alarms fire.",
    )
    p.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--events", metavar="INPUT", nargs="+",
                      help="CloudTrail logs: files, folders, globs or s3://bucket/prefix; "
                      "delivery files ({\"Records\": [...]}, gzip or not), JSON arrays, JSON "
                      "Lines, saved lookup-events output or Parquet (an Athena "
                      "export)")  # fmt: skip
    what.add_argument("--scenario", metavar="ID|all",
                      help="a scenario of the catalog (`trailcheck coverage` lists them), or all")
    add_input_options(p)
    add_replay_options(p)
    g = p.add_argument_group("output")
    g.add_argument("--format", choices=("text", "json", "html"), default="text")
    g.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    g.add_argument("--per-record", metavar="FILE.jsonl",
                   help="stream every record's result to FILE as JSON Lines")
    p.set_defaults(handler=run)


def add_replay_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("log replay")
    g.add_argument("--start", metavar="YYYY-MM-DD", help="first day of logs to read")
    g.add_argument("--end", metavar="YYYY-MM-DD", help="last day of logs to read")
    g.add_argument("--account", action="append", default=[], metavar="ID",
                   help="read only this account's logs (repeatable, or comma-separated)")
    # --region already names the trails' home Region (an input option), hence --log-region
    g.add_argument("--log-region", action="append", default=[], metavar="REGION",
                   help="read only this Region's logs (repeatable, or comma-separated)")
    g.add_argument("--engine", choices=("auto", "duckdb", "python"), default="auto",
                   help="auto (default): DuckDB for inputs over a few MB when it is installed; "
                   "python: the reference evaluator, one record at a time")  # fmt: skip


def replay_window(args: argparse.Namespace) -> Any:
    from datetime import date

    from checker.replay.sources import Window

    def day(text: str | None, flag: str) -> date | None:
        if text is None:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError as e:
            raise UsageError(f"{flag}: {text!r} is not a date such as 2026-11-30") from e

    def items(values: list[str]) -> frozenset[str]:
        return frozenset(v.strip() for item in values for v in item.split(",") if v.strip())

    start, end = day(args.start, "--start"), day(args.end, "--end")
    if start and end and end < start:
        raise UsageError("--end is before --start")
    return Window(start, end, items(args.account), items(args.log_region))


def load_estate(args: argparse.Namespace) -> tuple[Estate, list[str]]:
    """The configuration under PATHS, and the input errors (CT000) as lines for stderr."""
    from checker.commands.options import load_options
    from checker.loaders import load_paths

    estate = load_paths(args.paths, load_options(args))
    errors = [f"{d.location}: {d.message}" for d in estate.diagnostics
              if d.rule_id == "CT000"]  # fmt: skip
    return estate, errors


def write(args: argparse.Namespace, text: str) -> None:
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as e:
            raise UsageError(f"cannot write {args.output}: {e.strerror or e}") from e
    else:
        sys.stdout.write(text)


def run(args: argparse.Namespace) -> int:
    regions = parse_regions(args.regions)
    window = replay_window(args) if args.events is not None else None
    scenarios = _scenarios(args.scenario) if args.events is None else []
    estate, errors = load_estate(args)
    for line in errors:
        print(f"trailcheck: {line}", file=sys.stderr)
    if not estate.trails and not estate.event_data_stores:
        print("trailcheck: no trail or event data store in the inputs: every event is missed",
              file=sys.stderr)  # fmt: skip
    if args.events is not None:
        text, summary = _replay(args, estate, window)
        write(args, text)
        if report_bad_input(summary):
            return EXIT_INPUT
    else:
        regions = regions_to_cover(regions, estate)
        write(args, _scenario_report(args, estate, scenarios, regions))
    return EXIT_INPUT if errors else EXIT_OK


# --------------------------------------------------------------------------------------------
# Replay

# Up to this many records, the output lists every record; beyond, a summary (and --per-record).
PER_RECORD_LIMIT = 200


def run_replay(args: argparse.Namespace, estate: Estate, window: Any, *, keep: int = 0,
               usage: bool = False) -> Any:  # fmt: skip
    """Replay --events against `estate`; bad input is a usage error."""
    from checker.replay.engine import Options
    from checker.replay.progress import progress_bar
    from checker.replay.run import replay_inputs
    from checker.simulator.replay import ReplayError

    per_record = None
    if getattr(args, "per_record", None):
        try:
            per_record = open(args.per_record, "w", encoding="utf-8")  # noqa: SIM115
        except OSError as e:
            raise UsageError(f"cannot write {args.per_record}: {e.strerror or e}") from e
    try:
        with progress_bar() as progress:
            options = Options(per_record=per_record, keep=keep, usage=usage, progress=progress)
            return replay_inputs(estate, args.events, window=window, engine=args.engine,
                                 options=options, default_region=args.region)  # fmt: skip
    except ReplayError as e:
        raise UsageError(str(e)) from e
    finally:
        if per_record is not None:
            per_record.close()


def report_bad_input(summary: Any) -> bool:
    """Name on stderr the records that are no CloudTrail record and the input files that could
    not be read (both left out, the rest replayed); True when there is any (exit code 2,
    docs/architecture.md "Exit codes")."""
    from checker.replay.summary import unreadable_text

    for x in summary.invalid:
        print(f"trailcheck: {x['record']}: {x['problem']}", file=sys.stderr)
    for entry in summary.unreadable:
        print(f"trailcheck: {unreadable_text(entry)} (skipped)", file=sys.stderr)
    more = summary.invalid_count + summary.unreadable_count - len(summary.invalid) \
        - len(summary.unreadable)
    if more:
        print(f"trailcheck: and {more} more (see the report)", file=sys.stderr)
    return bool(summary.invalid_count or summary.unreadable_count)


def _replay(args: argparse.Namespace, estate: Estate, window: Any) -> tuple[str, Any]:
    """The report, and the summary (which names the bad input)."""
    from checker.replay.summary import summary_text

    run = run_replay(args, estate, window, keep=PER_RECORD_LIMIT)
    summary = run.summary
    results = [] if run.truncated else run.results
    if args.format == "html":
        from checker.report.replay_html import render_replay

        return render_replay(summary), summary
    if args.format == "json":
        doc: dict[str, Any] = {"results": results, "summary": summary.to_json()}
        if run.truncated:
            doc["results_omitted"] = summary.events
        return json.dumps(doc, indent=2) + "\n", summary
    lines: list[str] = []
    for i, r in enumerate(results, 1):
        lines += event_text(i, r)
    if run.truncated:
        lines.append(f"{summary.events} records: per-record results are not listed past "
                     f"{PER_RECORD_LIMIT}; use --per-record FILE.jsonl")  # fmt: skip
    lines += summary_text(summary)
    return "\n".join(lines) + "\n", summary


def event_text(index: int, doc: dict[str, Any]) -> list[str]:
    """One record's result (the JSON form, which both engines give) as text."""
    e = doc["event"]
    account = f" (account {e['recipientAccountId']})" if e.get("recipientAccountId") else ""
    out = [f"#{index} {e.get('eventSource')} {e.get('eventName')} in {e.get('awsRegion')}"
           f"{account}"]  # fmt: skip
    for c in doc["captured_by"]:
        line = f"  captured by {c['trail']} [{c['selector']}] -> {', '.join(c['destinations'])}"
        if c["alarms"]:
            line += f"; alarms: {', '.join(c['alarms'])}"
        out.append(line)
        for x in c.get("unknown", []):
            out.append(f"    {x['destination']}: unknown ({x['reason']})")
        for x in c.get("not_delivered", []):
            out.append(f"    {x['destination']}: NOT DELIVERED ({x['reason']})")
        for diag in c.get("diagnostics", []):
            out.append(f"    filter error: {diag}")
    for m in doc["missed_by"]:
        out.append(f"  missed by {m['trail']}: {m['reason']}")
    for u in doc["unknown_by"]:
        out.append(f"  unknown for {u['trail']}: {u['reason']}")
    if not (doc["captured_by"] or doc["missed_by"] or doc["unknown_by"]):
        out.append("  no trail or event data store in the inputs")
    for rule in doc.get("eventbridge", []):
        verdict = {True: "notifies", False: "does not notify", None: "unknown"}[rule["notifies"]]
        targets = ", ".join(rule["targets"]) or "no target"
        out.append(f"  EventBridge rule {rule['rule']} [{rule['state']}] -> {targets}: {verdict} "
                   f"({rule['reason']})")  # fmt: skip
    return out


# --------------------------------------------------------------------------------------------
# Scenarios


def _scenarios(choice: str) -> list[Any]:
    from checker.simulator.scenarios import load_catalog

    catalog = load_catalog()
    if choice == "all":
        return list(catalog)
    chosen = [s for s in catalog if s.id == choice]
    if not chosen:
        ids = ", ".join(s.id for s in catalog)
        raise UsageError(f"--scenario: no scenario {choice!r}; known: all, {ids}")
    return chosen


def _scenario_report(args: argparse.Namespace, estate: Estate, scenarios: list[Any],
                     regions: Sequence[str]) -> str:  # fmt: skip
    from checker.simulator.scenarios import ScenarioRunner, cell
    from checker.unread import with_stand_ins

    # what could not be read may record the scenarios: unknown there, never missed
    runner = ScenarioRunner(with_stand_ins(estate), default_region=args.region)
    rows: list[dict[str, Any]] = []
    text: list[str] = []
    for sc in scenarios:
        row: dict[str, Any] = {"id": sc.id, "title": sc.title, "critical": sc.critical}
        if sc.cis_topic is not None:
            row["cis_topic"] = sc.cis_topic
        cells: dict[str, Any] = {}
        text.append(f"{sc.id}: {sc.title}" + (" [critical]" if sc.critical else ""))
        for region in regions:
            results = runner.results(sc, region)
            c = cell(results)
            c["events"] = [r.to_json() for r in results]
            cells[region] = c
            text.append(f"  {region}: {c['status']} - {c['reason']}")
        row["cells"] = cells
        rows.append(row)
        text.append("")
    if args.format == "json":
        return json.dumps({"regions": list(regions), "scenarios": rows}, indent=2) + "\n"
    return "\n".join(text)
