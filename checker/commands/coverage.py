"""`trailcheck coverage PATHS`: the scenario catalog by Region.

    trailcheck coverage PATHS [--regions R1,R2] [--critical] [--format text|json] [--output FILE]

Each cell says which trail captures the scenario's events in that Region, whether they reach
CloudWatch Logs, and whether an alarm notifies a subscribed SNS topic. The terminal table uses
rich when it is installed and standard output is a terminal; plain text otherwise. The JSON is
`checker.simulator.scenarios.coverage_matrix` (the `coverage` section of scan's JSON report).

Exit codes: 0 the matrix was computed; 2 bad input; 3 internal error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from checker.commands.options import add_input_options, parse_regions
from checker.commands.simulate import load_estate, write
from checker.errors import EXIT_INPUT, EXIT_OK

LEGEND = ("cell: trail key (see below) · L = sent to CloudWatch Logs · A = an alarm notifies a "
          "subscribed topic · E = an EventBridge rule notifies someone · - = not captured · "
          "? = not known")  # fmt: skip


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "coverage",
        help="scenarios by region: which trail captures them, CloudWatch Logs, alarms",
        description="A matrix of the scenario catalog by Region: which trail captures each "
        "cell, whether it reaches CloudWatch Logs and whether an alarm fires.",
    )
    p.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    add_input_options(p)
    p.add_argument("--critical", action="store_true", help="only the critical scenarios")
    g = p.add_argument_group("output")
    g.add_argument("--format", choices=("text", "json"), default="text")
    g.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    g.add_argument("--no-color", action="store_true", help="plain text even on a terminal")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from checker.regions import DEFAULT_REGIONS
    from checker.simulator.scenarios import coverage_matrix, load_catalog

    regions = parse_regions(args.regions) or DEFAULT_REGIONS
    estate, errors = load_estate(args)
    for line in errors:
        print(f"trailcheck: {line}", file=sys.stderr)
    scenarios = [s for s in load_catalog() if s.critical or not args.critical]
    matrix = coverage_matrix(estate, regions, default_region=args.region, scenarios=scenarios)
    if args.format == "json":
        write(args, json.dumps(matrix, indent=2) + "\n")
    elif not args.output and not args.no_color and _terminal() and _rich_table(matrix):
        pass
    else:
        write(args, plain_table(matrix))
    return EXIT_INPUT if errors else EXIT_OK


def _terminal() -> bool:
    return sys.stdout.isatty() and os.environ.get("NO_COLOR") is None and os.environ.get(
        "TERM") != "dumb"  # fmt: skip


def trail_keys(matrix: dict[str, Any]) -> dict[str, str]:
    """Short keys T1, T2, ... for the trails that appear in the matrix, in first-seen order."""
    keys: dict[str, str] = {}
    for row in matrix["scenarios"]:
        for c in row["cells"].values():
            for t in c.get("captured_by") or []:
                if t not in keys:
                    keys[t] = f"T{len(keys) + 1}"
    return keys


def cell_text(c: dict[str, Any], keys: dict[str, str]) -> str:
    if c["status"] == "unknown":
        return "?"
    if c["status"] == "missed":
        return "-"
    text = "+".join(keys[t] for t in c["captured_by"])
    if c["cloudwatch"] is True:
        text += " L"
    elif c["cloudwatch"] is None:
        text += " L?"
    if c["alarm"] is True:
        text += "A" if c["cloudwatch"] is True else " A"
    elif c["alarm"] is None and c["cloudwatch"] is not False:
        text += "A?"
    if c.get("eventbridge"):
        text += " E"
    return text


def plain_table(matrix: dict[str, Any]) -> str:
    regions: list[str] = matrix["regions"]
    keys = trail_keys(matrix)
    header = ["scenario", *regions]
    rows = []
    for row in matrix["scenarios"]:
        title = row["id"] + (" *" if row["critical"] else "")
        rows.append([title, *(cell_text(row["cells"][r], keys) for r in regions)])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]  # fmt: skip
    for r in rows:
        lines.append("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())
    lines += ["", LEGEND, "* = critical scenario (CT120)"]
    lines += [f"{k} = {t}" for t, k in keys.items()]
    lines += _gaps(matrix)
    return "\n".join(lines) + "\n"


def _gaps(matrix: dict[str, Any]) -> list[str]:
    """The reason of every missed or unknown cell of a critical scenario, one line each."""
    out: list[str] = []
    for row in matrix["scenarios"]:
        if not row["critical"]:
            continue
        for region, c in row["cells"].items():
            if c["status"] != "captured":
                out.append(f"  {row['id']} in {region}: {c['status']}: {c['reason']}")
    if out:
        out.insert(0, "\nGaps in critical scenarios:")
    return out


def _rich_table(matrix: dict[str, Any]) -> bool:
    """Print with rich; False when rich is not installed."""
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        return False
    keys = trail_keys(matrix)
    table = Table(title="Scenario coverage by region", caption=LEGEND)
    table.add_column("scenario", no_wrap=True)
    for region in matrix["regions"]:
        table.add_column(region, justify="center")
    styles = {"captured": "green", "missed": "bold red", "unknown": "yellow"}
    for row in matrix["scenarios"]:
        cells = [row["cells"][r] for r in matrix["regions"]]
        title = row["id"] + (" *" if row["critical"] else "")
        table.add_row(title, *(f"[{styles[c['status']]}]{cell_text(c, keys)}[/]" for c in cells))
    console = Console()
    console.print(table)
    for t, k in keys.items():
        console.print(f"{k} = {t}", highlight=False)
    for line in _gaps(matrix):
        console.print(line, highlight=False, markup=False)
    return True
