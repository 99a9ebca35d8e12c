"""`trailcheck sql`: the configuration's predicates as SQL over a CloudTrail log table.

    trailcheck sql PATHS [--dialect duckdb|athena|trino|spark]
                   [--query per-record|counts|investigations|ddl|all] [--table NAME]
                   [--location s3://bucket/AWSLogs/] [--accounts A,B] [--regions R1,R2]

The queries read the table AWS documents for CloudTrail logs in Athena (plus `managementevent`);
`--query ddl` prints it (Athena: CREATE EXTERNAL TABLE with partition projection). One query is
written once and rendered per engine by sqlglot (checker/replay/dialects.py).

Exit codes: 0 printed; 2 bad input (unreadable configuration, bad option); 3 internal error.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from checker.commands.options import add_input_options, parse_regions, regions_to_cover
from checker.errors import EXIT_INPUT, EXIT_OK, UsageError
from checker.replay.dialects import DIALECTS  # names only: sqlglot is imported when rendering

QUERIES = ("per-record", "counts", "investigations", "ddl", "all")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "sql",
        help="the configuration's capture, delivery and alarm logic as SQL over CloudTrail logs",
        description="Print SQL over the CloudTrail table (the Athena layout) that answers, for "
        "logs already in a bucket: which trail captures each record and which alarm and "
        "EventBridge rule fires, the "
        "counts per trail and destination, and the scenario catalog's investigation queries.",
    )
    p.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    p.add_argument("--dialect", choices=DIALECTS, default="athena")
    p.add_argument("--query", choices=QUERIES, default="all")
    p.add_argument("--table", default="cloudtrail_logs", metavar="NAME")
    g = p.add_argument_group("the Athena table (--query ddl)")
    g.add_argument("--location", metavar="S3_URL",
                   help="the AWSLogs/ folder of the trail's bucket, e.g. "
                   "s3://my-trail-bucket/AWSLogs/ (add the organization id for an organization "
                   "trail)")  # fmt: skip
    g.add_argument("--accounts", metavar="A,B", help="account ids whose logs the table reads")
    g.add_argument("--since", metavar="YYYY/MM/DD", default="2020/01/01",
                   help="first day of the partition projection")
    add_input_options(p)
    p.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(handler=run)


def _table(name: str) -> str:
    import re

    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?", name):
        raise UsageError(f"--table: {name!r} is not a table name such as cloudtrail_logs")
    return name


def build(args: argparse.Namespace, estate: Any) -> str:
    from checker.replay.dialects import render
    from checker.replay.investigations import INVESTIGATIONS
    from checker.replay.plan import build_plan
    from checker.replay.queries import athena_ddl, counts, duckdb_ddl, per_record

    table = _table(args.table)
    dialect = args.dialect
    plan = build_plan(estate, default_region=args.region)
    out: list[str] = []
    want = {args.query} if args.query != "all" else set(QUERIES)
    if "ddl" in want:
        if dialect == "athena":
            regions = regions_to_cover(parse_regions(args.regions), estate)
            accounts = [a.strip() for a in (args.accounts or "").split(",") if a.strip()]
            location = args.location or "s3://amzn-s3-demo-bucket/AWSLogs/"
            out.append("-- The CloudTrail table, partitioned by account, Region and day\n"
                       + athena_ddl(location, table=table, accounts=accounts, regions=regions,
                                    start=args.since))  # fmt: skip
        elif dialect == "duckdb":
            out.append("-- The CloudTrail table in DuckDB\n" + duckdb_ddl(table))
        else:
            out.append(f"-- {dialect}: create the table as the Athena DDL does "
                       "(trailcheck sql --dialect athena --query ddl)\n")  # fmt: skip
    for fb in plan.fallbacks:
        out.append(f"-- Not expressible in SQL, left NULL (undecided): {fb.kind} {fb.name}: "
                   f"{fb.reason}\n")  # fmt: skip
    if "per-record" in want:
        out.append("-- Per record: which trail captures it (and the stage that decided a miss), "
                   "which alarms and EventBridge rules fire\n"
                   + render(per_record(plan, table), dialect) + ";\n")  # fmt: skip
    if "counts" in want:
        out.append("-- Counts per trail and destination, then per alarm and EventBridge rule\n"
                   + render(counts(plan, table), dialect) + ";\n")  # fmt: skip
    if "investigations" in want:
        for inv in INVESTIGATIONS:
            params = ", ".join(("first eventTime", "last eventTime", *inv.params))
            out.append(f"-- {inv.question} (scenario {inv.scenario}; parameters: {params})\n"
                       + render(inv.sql(table), dialect) + ";\n")  # fmt: skip
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    from checker.commands.simulate import load_estate

    estate, errors = load_estate(args)
    for line in errors:
        print(f"trailcheck: {line}", file=sys.stderr)
    text = build(args, estate)
    if args.output:
        from pathlib import Path

        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as e:
            raise UsageError(f"cannot write {args.output}: {e.strerror or e}") from e
    else:
        sys.stdout.write(text)
    return EXIT_INPUT if errors else EXIT_OK
