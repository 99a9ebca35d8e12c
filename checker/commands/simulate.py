"""`trailcheck simulate`: which trails record given events, where they go, which alarms fire.

    trailcheck simulate PATHS --events FILE [--format text|json] [--output FILE]
    trailcheck simulate PATHS --scenario ID|all [--regions R1,R2] [--format text|json]

FILE is a CloudTrail log file (`{"Records": [...]}`, gzip or not), a JSON array of records, or
JSON Lines. The JSON output follows design.md: one result per record, in input order, with
`captured_by` [trail, selector, destinations, alarms] and `missed_by` [trail, reason]; trails
whose decision is unknown are listed in `unknown_by`, never counted as capturing. Event data
stores are listed like trails, with the destination `lake`; `eventbridge` lists the EventBridge
rules whose pattern matches the record [rule, state, targets, notifies, reason]. A per-trail
summary follows the results.

Exit codes (design.md): 0 the simulation ran; 2 bad input (an unreadable events file or
configuration input, an unknown scenario, a bad region); 3 internal error. A simulation is a
question, not a check: events that are missed do not make the exit code 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.commands.options import add_input_options, parse_regions
from checker.errors import EXIT_INPUT, EXIT_OK, UsageError

if TYPE_CHECKING:
    from checker.model import Estate
    from checker.simulator.pipeline import EventResult
    from checker.simulator.replay import ReplaySummary

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
    what.add_argument("--events", metavar="FILE",
                      help="CloudTrail log file ({\"Records\": [...]}, gzip or not), JSON array "
                      "of records, or JSON Lines")  # fmt: skip
    what.add_argument("--scenario", metavar="ID|all",
                      help="a scenario of the catalog (`trailcheck coverage` lists them), or all")
    add_input_options(p)
    g = p.add_argument_group("output")
    g.add_argument("--format", choices=("text", "json"), default="text")
    g.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(handler=run)


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
    from checker.simulator.replay import ReplayError, read_events

    regions = parse_regions(args.regions)
    events = None
    if args.events is not None:
        try:
            events = read_events(args.events)
        except ReplayError as e:
            raise UsageError(str(e)) from e
    else:
        scenarios = _scenarios(args.scenario)
    estate, errors = load_estate(args)
    for line in errors:
        print(f"trailcheck: {line}", file=sys.stderr)
    if not estate.trails:
        print("trailcheck: no trail in the inputs: every event is missed", file=sys.stderr)
    if events is not None:
        write(args, _replay(args, estate, events))
    else:
        from checker.regions import DEFAULT_REGIONS

        write(args, _scenario_report(args, estate, scenarios, regions or DEFAULT_REGIONS))
    return EXIT_INPUT if errors else EXIT_OK


# --------------------------------------------------------------------------------------------
# Replay


def _replay(args: argparse.Namespace, estate: Estate, events: Sequence[Any]) -> str:
    from checker.simulator.replay import ReplaySummary, replay

    summary = ReplaySummary()
    results: list[EventResult] = []
    for result in replay(estate, events, default_region=args.region):
        summary.add(result)
        results.append(result)
    if args.format == "json":
        doc = {"results": [r.to_json() for r in results], "summary": summary.to_json()}
        return json.dumps(doc, indent=2) + "\n"
    lines: list[str] = []
    for i, r in enumerate(results, 1):
        lines += event_text(i, r)
    lines += summary_text(summary)
    return "\n".join(lines) + "\n"


def event_text(index: int, r: EventResult) -> list[str]:
    e = r.event
    account = f" (account {e.recipient_account_id})" if e.recipient_account_id else ""
    out = [f"#{index} {e.describe()}{account}"]
    for t in r.trails:
        d = t.decision
        if d.status == "captured":
            where = ", ".join(t.delivery.delivered()) if t.delivery else ""
            line = f"  captured by {t.trail} [{d.selector}] -> {where}"
            fired = t.alarms.firing_alarms() if t.alarms else []
            if fired:
                line += f"; alarms: {', '.join(fired)}"
            out.append(line)
            for x in t.delivery.unknown() if t.delivery else []:
                out.append(f"    {x.name}: unknown ({x.reason})")
            for x in t.delivery.destinations if t.delivery else ():
                if x.note and x.status == "delivered":
                    out.append(f"    {x.name}: {x.note}")
            if t.alarms is not None and t.cloudwatch != "no" and t.alarms.status == "unknown":
                out.append(f"    alarms: unknown ({t.alarms.reason})")
            for diag in t.alarms.diagnostics if t.alarms else ():
                out.append(f"    filter error: {diag}")
        elif d.status == "missed":
            out.append(f"  missed by {t.trail}: {d.reason}")
        else:
            out.append(f"  unknown for {t.trail}: {d.reason}")
    if not r.trails:
        out.append("  no trail in the inputs")
    for rule in r.eventbridge:
        verdict = {True: "notifies", False: "does not notify", None: "unknown"}[rule.notifies]
        targets = ", ".join(t.target for t in rule.targets) or "no target"
        out.append(f"  EventBridge rule {rule.rule} [{rule.state}] -> {targets}: {verdict} "
                   f"({rule.reason})")  # fmt: skip
    return out


def summary_text(summary: ReplaySummary) -> list[str]:
    out = ["", f"Summary: {summary.events} event(s); {summary.captured_by_none} not captured by "
           "any trail"]  # fmt: skip
    for s in summary.trails.values():
        out.append(f"  {s.trail}: captured {s.captured}, missed {s.missed}, unknown {s.unknown}; "
                   f"to CloudWatch Logs {s.cloudwatch}; alarmed {s.alarmed}")  # fmt: skip
        for item in s.to_json()["top_miss_reasons"]:
            out.append(f"      missed {item['events']}x: {item['reason']}")
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

    runner = ScenarioRunner(estate, default_region=args.region)
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
