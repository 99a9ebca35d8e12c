"""`trailcheck cost`: what the configuration under PATHS would cost per month, extrapolated from a
sample of real logs.

    trailcheck cost PATHS --events SAMPLE... [--price-region REGION] [--days N]
                    [--format text|json] [--output FILE]

The sample is replayed against the configuration (as `simulate --events` does); the records each
trail captures are priced with policies/pricing/aws-logging-prices.yaml (checker/replay/cost.py),
each charge in its own Region (checker/replay/prices.py).

Exit codes: 0 estimated; 2 bad input (unreadable logs or configuration, bad option); 3 internal
error.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from checker.commands.options import add_input_options
from checker.errors import EXIT_INPUT, EXIT_OK, UsageError


def add_cost_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("cost")
    g.add_argument("--price-region", metavar="REGION",
                   help="price every charge with this Region's prices (default: each "
                   "charge's own Region, us-east-1's where the table has none)")
    g.add_argument("--days", type=float, metavar="N",
                   help="days the sample covers (default: from its first to its last eventTime)")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from checker.commands.simulate import add_replay_options

    p = subparsers.add_parser(
        "cost",
        help="what the configuration costs per month, extrapolated from a sample of logs",
        description="Replay a sample of CloudTrail logs against the configuration under PATHS "
        "and price what each trail records, per month: management events (the first copy is "
        "free), data and network activity events, Insights, CloudWatch Logs ingestion, S3, "
        "and per event data store, CloudTrail Lake ingestion and retention.",
    )
    p.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    p.add_argument("--events", metavar="SAMPLE", nargs="+", required=True,
                   help="CloudTrail logs: files, folders, globs or s3://bucket/prefix")
    add_input_options(p)
    add_replay_options(p)
    add_cost_options(p)
    g = p.add_argument_group("output")
    g.add_argument("--format", choices=("text", "json"), default="text")
    g.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(handler=run)


def estimate_for(args: argparse.Namespace, estate: Any, window: Any,
                 summary: Any = None) -> Any:  # fmt: skip
    """The estimate for `estate` on the sample of logs (replayed here unless `summary` is the
    replay's)."""
    from checker.commands.simulate import report_bad_input, run_replay
    from checker.replay.cost import estimate
    from checker.replay.prices import PriceTableError

    if args.days is not None and args.days <= 0:
        raise UsageError("--days must be positive")
    if summary is None:
        summary = run_replay(args, estate, window, usage=True).summary
        report_bad_input(summary)
    try:
        return estimate(estate, summary, region=args.price_region, days=args.days)
    except PriceTableError as e:
        raise UsageError(f"the price table is broken: {e}") from e


def run(args: argparse.Namespace) -> int:
    from checker.commands.simulate import (
        load_estate,
        replay_window,
        report_bad_input,
        run_replay,
        write,
    )
    from checker.replay.cost import estimate_text
    from checker.replay.summary import unreadable_text

    window = replay_window(args)
    estate, errors = load_estate(args)
    for line in errors:
        print(f"trailcheck: {line}", file=sys.stderr)
    if args.days is not None and args.days <= 0:
        raise UsageError("--days must be positive")
    summary = run_replay(args, estate, window, usage=True).summary
    bad = report_bad_input(summary)  # left out of the sample, named, and the exit code says so
    est = estimate_for(args, estate, window, summary)
    if args.format == "json":
        doc = est.to_json()
        if summary.unreadable_count:
            doc["unreadable_inputs"] = {"count": summary.unreadable_count,
                                        "first": summary.unreadable}  # fmt: skip
        if summary.duplicate_records:  # the sample's activity counts each event once
            doc["duplicate_records"] = summary.duplicate_records
        write(args, json.dumps(doc, indent=2) + "\n")
    else:
        lines = estimate_text(est)
        if summary.unreadable_count:
            lines.append(f"{summary.unreadable_count} input file(s) could not be read and are "
                         "not in the sample:")  # fmt: skip
            lines += [f"  {unreadable_text(x)}" for x in summary.unreadable]
        if summary.duplicate_records:
            lines.append(f"{summary.duplicate_records} record(s) repeat an event of the sample "
                         "and were counted once")  # fmt: skip
        write(args, "\n".join(lines) + "\n")
    return EXIT_INPUT if errors or bad else EXIT_OK
