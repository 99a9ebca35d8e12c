"""`trailcheck coverage PATHS`: the scenario catalog by Region.

    trailcheck coverage PATHS [--regions R1,R2] [--critical] [--format text|json] [--output FILE]

Each cell says which trail captures the scenario's events in that Region, whether they reach
CloudWatch Logs, and whether an alarm notifies a subscribed SNS topic. The JSON is
`checker.simulator.scenarios.coverage_matrix` (the `coverage` section of scan's JSON report).

The text table fits the terminal: full Region names when they fit, else short codes (use1 for
us-east-1) with a legend, else one line per scenario listing the Regions of each cell value. A
file or a pipe gets the full table (COLUMNS, when set, is honoured there too). Coloured by hand
on a terminal: no rendering library, whose tables cut the Region names to "u…".

Exit codes: 0 the matrix was computed; 2 bad input; 3 internal error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
from collections.abc import Sequence
from typing import Any

from checker.commands.options import add_input_options, parse_regions, regions_to_cover
from checker.commands.output import output_format
from checker.commands.simulate import load_estate, write
from checker.errors import EXIT_INPUT, EXIT_OK

LEGEND = ("cell: trail key (see below) · L = sent to CloudWatch Logs · A = an alarm notifies a "
          "subscribed topic · E = an EventBridge rule notifies someone · - = not captured · "
          "? = not known")  # fmt: skip
_STYLE = {"captured": "32", "missed": "1;31", "unknown": "33"}
_ANSI = re.compile(r"\033\[[0-9;]*m")
# Region name parts and their letters in the short codes (us-east-1 -> use1, ap-southeast-2 ->
# apse2), the convention of AWS's own short Region codes.
_PART = {"north": "n", "south": "s", "east": "e", "west": "w", "central": "c", "northeast": "ne",
         "northwest": "nw", "southeast": "se", "southwest": "sw", "gov": "g", "iso": "i",
         "isob": "ib", "isoe": "ie", "isof": "if"}  # fmt: skip


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
    g.add_argument("--format", choices=("text", "json"), default=None,
                   help="text (default) or json; --output FILE.json implies json")
    g.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    g.add_argument("--no-color", action="store_true", help="plain text even on a terminal")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from checker.simulator.scenarios import coverage_matrix, load_catalog

    fmt = output_format(args.output, args.format, ("text", "json"))
    regions = parse_regions(args.regions)
    estate, errors = load_estate(args)
    regions = regions_to_cover(regions, estate)
    for line in errors:
        print(f"trailcheck: {line}", file=sys.stderr)
    scenarios = [s for s in load_catalog() if s.critical or not args.critical]
    matrix = coverage_matrix(estate, regions, default_region=args.region, scenarios=scenarios)
    if fmt == "json":
        write(args, json.dumps(matrix, indent=2) + "\n")
    else:
        tty = not args.output and sys.stdout.isatty()
        width = shutil.get_terminal_size().columns if tty or "COLUMNS" in os.environ else 0
        color = tty and not args.no_color and _colour_allowed()
        write(args, plain_table(matrix, width=0 if args.output else width, color=color))
    return EXIT_INPUT if errors else EXIT_OK


def _colour_allowed() -> bool:
    return os.environ.get("NO_COLOR") is None and os.environ.get("TERM") != "dumb"


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


def short_region(region: str) -> str:
    """us-east-1 -> use1, ap-southeast-2 -> apse2, us-gov-west-1 -> usgw1."""
    parts = region.split("-")
    if len(parts) < 3:
        return region
    return parts[0] + "".join(_PART.get(p, p[:1]) for p in parts[1:-1]) + parts[-1]


def plain_table(matrix: dict[str, Any], width: int = 0, color: bool = False) -> str:
    """The matrix for a terminal `width` columns wide (0: no limit)."""
    regions: list[str] = matrix["regions"]
    keys = trail_keys(matrix)
    rows = [(row["id"] + (" *" if row["critical"] else ""),
             [(cell_text(row["cells"][r], keys), row["cells"][r]["status"]) for r in regions])
            for row in matrix["scenarios"]]  # fmt: skip
    short = [short_region(r) for r in regions]
    lines: list[str] | None = None
    for header, legend in ((regions, []), (short, _region_legend(regions, short))):
        if len(set(header)) != len(header):
            continue  # two Regions with one short code: not this layout
        table = _table(["scenario", *header], rows, color)
        if not width or max(len(_plain(line)) for line in table) <= width:
            lines = table + legend
            break
    if lines is None:
        lines = _per_scenario(rows, regions, width, color)
    lines += ["", LEGEND, "* = critical scenario (CT120)"]
    lines += [f"{k} = {t}" for t, k in keys.items()]
    lines += _gaps(matrix)
    return "\n".join(lines) + "\n"


_Row = tuple[str, list[tuple[str, str]]]  # (title, [(cell text, status)] by Region)


def _paint(text: str, status: str, color: bool) -> str:
    return f"\033[{_STYLE[status]}m{text}\033[0m" if color and status in _STYLE else text


def _plain(line: str) -> str:
    return _ANSI.sub("", line)


def _table(header: list[str], rows: Sequence[_Row], color: bool) -> list[str]:
    widths = [max(len(h), *(len(r[0]) if i == 0 else len(r[1][i - 1][0]) for r in rows))
              for i, h in enumerate(header)]  # fmt: skip
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
           "  ".join("-" * w for w in widths)]  # fmt: skip
    for title, cells in rows:
        parts = [title.ljust(widths[0])]
        parts += [_paint(text, status, color) + " " * (w - len(text))
                  for (text, status), w in zip(cells, widths[1:], strict=True)]  # fmt: skip
        out.append("  ".join(parts).rstrip())
    return out


def _region_legend(regions: Sequence[str], short: Sequence[str]) -> list[str]:
    pairs = [f"{s} = {r}" for s, r in zip(short, regions, strict=True) if s != r]
    return ["", "Regions: " + ", ".join(pairs)] if pairs else []


def _per_scenario(rows: Sequence[_Row], regions: Sequence[str], width: int,
                  color: bool) -> list[str]:  # fmt: skip
    """One line per scenario: each cell value and its Regions (the table does not fit)."""
    import textwrap

    out = [f"scenario: cell value in its Regions ({len(regions)} Regions; the table is wider "
           f"than {width} columns)", ""]  # fmt: skip
    for title, cells in rows:
        by_value: dict[tuple[str, str], list[str]] = {}
        for region, cell in zip(regions, cells, strict=True):
            by_value.setdefault(cell, []).append(region)
        ordered = sorted(by_value.items(), key=lambda kv: len(kv[1]))  # the exceptions first
        parts = []
        for (text, status), where in ordered:
            if len(where) == len(regions):
                place = "every Region"
            elif len(ordered) > 1 and where is ordered[-1][1] and len(where) > 3:
                place = f"the other {len(where)} Regions"
            else:
                place = ", ".join(where)
            parts.append(f"{_paint(text, status, color)} in {place}")
        line = f"{title}: " + "; ".join(parts)
        out += textwrap.wrap(line, width, subsequent_indent="    ", break_long_words=False,
                             break_on_hyphens=False) if width else [line]  # fmt: skip
    return out


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
