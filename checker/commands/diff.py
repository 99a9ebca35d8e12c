"""`trailcheck diff BASE HEAD`: does HEAD record less than BASE?

    trailcheck diff BASE HEAD [--path DIR] [--format text|json|markdown] [--output FILE]
                    [--regions R1,R2] [--region R] [--config FILE | --no-config]
                    [--fail-on-unknown]

BASE and HEAD are folders or files, or git revisions of the repository around the current
folder (`main`, `HEAD~1`, `origin/main:infra`), read without touching the work tree
(checker/diffing/sources.py). The comparison (checker/diffing/compare.py) reports trails removed
or added, logging, multi-region and CloudWatch delivery turned off, selectors narrowed or
widened, scenarios x Regions no longer recorded, alarms lost, and rules that went from pass to
fail; losses may be accepted in the config file's `accept` section, each with a reason.

Exit codes: 0 no loss (or every loss accepted); 1 a loss not accepted (or, with
--fail-on-unknown, a change that cannot be decided); 2 bad input (unknown revision, missing
path, unreadable file, bad config); 3 internal error.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.commands.options import add_input_options, parse_regions, regions_to_cover
from checker.commands.output import output_format
from checker.errors import UsageError

if TYPE_CHECKING:
    from checker.config import Config
    from checker.diffing.compare import MatrixFn
    from checker.diffing.sources import Source
    from checker.model import Estate, Trail

def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "diff",
        help="compare what two configurations record (folders or git revisions)",
        description="Compare what BASE and HEAD record: scenarios and Regions lost or gained, "
        "selectors narrowed or widened, CloudWatch delivery and alarms lost, rules that went "
        "from pass to fail. Exit 1 when coverage shrinks, unless the loss is accepted in the "
        "config file.",
    )
    p.add_argument("base", metavar="BASE", help="a folder or file, or a git revision (REV[:path])")
    p.add_argument("head", metavar="HEAD", help="a folder or file, or a git revision (REV[:path])")
    p.add_argument("--path", metavar="PATH",
                   help="the folder inside BASE and HEAD to compare (for revisions: relative to "
                   "the current folder)")  # fmt: skip
    add_input_options(p)
    g = p.add_argument_group("output")
    g.add_argument("--format", choices=("text", "json", "markdown"), default=None,
                   help="text (default), json or markdown; --output FILE.json or FILE.md "
                   "implies it")  # fmt: skip
    g.add_argument("--output", metavar="FILE", help="write the report to FILE")
    g.add_argument("--fail-on-unknown", action="store_true",
                   help="also exit 1 when a change cannot be decided (unknown on one side)")
    from checker.commands.cost import add_cost_options
    from checker.commands.simulate import add_replay_options

    p.add_argument("--events", metavar="SAMPLE", nargs="+",
                   help="CloudTrail logs to price BASE and HEAD with: adds the cost change")
    add_replay_options(p)
    add_cost_options(p)
    c = p.add_argument_group("configuration")
    c.add_argument("--config", metavar="FILE",
                   help="settings file with the `accept` entries (default: the .trailcheck.yaml "
                   "of HEAD, found upwards from it)")  # fmt: skip
    c.add_argument("--no-config", action="store_true", help="ignore any config file")
    p.set_defaults(handler=run)


# ---------------------------------------------------------------------------------------------


def _config(args: argparse.Namespace, head: Source) -> Config:
    from checker.config import Config, ConfigError, load_config

    if args.no_config:
        return Config()
    if args.config:
        path = Path(args.config)
        if not path.is_file():
            raise ConfigError(f"{args.config}:0: no such config file")
        return load_config(path, args.config)
    if head.config is None:
        return Config()
    if head.kind == "git":
        rel = head.config.relative_to(head.root).as_posix()
        display = f"{head.label.split(':', 1)[0]}:{rel}"
    else:
        display = os.path.relpath(head.config).replace(os.sep, "/")
    return load_config(head.config, display)


def _load(source: Source, args: argparse.Namespace) -> Estate:
    from checker.commands.options import load_options
    from checker.loaders import load_paths

    options = load_options(args, cwd=str(source.root))
    for f in options.var_files:
        if not os.path.isfile(f):
            raise UsageError(f"--var-file {f}: no such file")
    estate = load_paths([str(source.folder)], options)
    return trails_named_by_unit(estate, source.folder, source.root)


def trails_named_by_unit(estate: Estate, folder: Path, root: Path) -> Estate:
    """Trails are matched between BASE and HEAD by id, and ids are unique only within their load
    unit: envs/dev and envs/prod often both hold `aws_cloudtrail.main`, and templates share
    logical ids. A trail outside the compared folder's own root module is named with its unit:
    `aws_cloudtrail.main (envs/prod)`, the same on both sides."""
    from dataclasses import replace

    def qualified(t: Trail) -> Trail:
        unit = Path(t.location.unit or ".")
        # Terraform units are root module folders (absolute); templates are their display
        # path, relative to `root` (the loader's cwd)
        rel = os.path.relpath(unit if unit.is_absolute() else root / unit, folder)
        if rel == "." or not t.location.unit:
            return t
        return replace(t, id=f"{t.id} ({Path(rel).as_posix()})")

    return replace(estate, trails=tuple(qualified(t) for t in estate.trails))


def _input_errors(side: str, source: Source, estate: Estate) -> list[str]:
    return [
        f"{side} {source.label}: {d.location}: {d.message}"
        for d in estate.diagnostics
        if d.rule_id == "CT000" and d.status == "fail"
    ]


def _matrix(default_region: str | None) -> MatrixFn | None:
    import importlib

    try:
        module = importlib.import_module("checker.simulator.scenarios")
    except ModuleNotFoundError as e:
        if e.name != "checker.simulator.scenarios":
            raise
        return None
    compute = getattr(module, "coverage_matrix", None)
    if compute is None:
        return None

    def matrix(estate: Estate, regions: Any) -> Any:
        return compute(estate, list(regions), default_region=default_region)

    return matrix


def _cost_change(args: argparse.Namespace, base: Estate, head: Estate) -> Any:
    """Both sides priced on the same sample of logs (checker/replay/cost.py)."""
    from checker.commands.cost import estimate_for
    from checker.commands.simulate import replay_window

    window = replay_window(args)
    before, after = estimate_for(args, base, window), estimate_for(args, head, window)
    return before, after


def _with_cost(fmt: str, text: str, cost: Any) -> str:
    import json

    from checker.replay.cost import difference, difference_text

    before, after = cost
    changes = difference(before, after)
    if fmt == "json":
        doc = json.loads(text)
        doc["cost"] = {"base": before.to_json(), "head": after.to_json(), "changes": changes}
        return json.dumps(doc, indent=2) + "\n"
    lines = difference_text(changes, before, after)
    if fmt == "markdown":
        lines = ["", "### Cost change per month", "", *(f"- {x.strip()}" for x in lines[2:])]
    return text.rstrip("\n") + "\n" + "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from checker.diffing.accept import apply_accepts
    from checker.diffing.compare import compare
    from checker.diffing.render import DiffReport, Side, render
    from checker.diffing.sources import resolved
    from checker.engine import evaluate, load_rules
    from checker.errors import EXIT_INPUT
    from checker.rules import Options

    fmt = output_format(args.output, args.format, ("text", "json", "markdown"))
    with resolved(args.base, args.head, path=args.path) as (base_src, head_src):
        config = _config(args, head_src)
        # --regions, else the config's, else what every command covers for both sides
        given = parse_regions(args.regions) if args.regions is not None else config.regions
        base, head = _load(base_src, args), _load(head_src, args)
        errors = _input_errors("BASE", base_src, base) + _input_errors("HEAD", head_src, head)
        if errors:
            for line in errors:
                print(f"trailcheck: {line}", file=sys.stderr)
            print("trailcheck: diff needs both sides readable; fix the inputs above",
                  file=sys.stderr)  # fmt: skip
            return EXIT_INPUT
        regions = regions_to_cover(tuple(given), base, head)
        retention = args.min_retention_days or config.min_retention_days or 365
        options = Options(min_retention_days=retention, regions=regions,
                          default_region=args.region)  # fmt: skip
        rules = load_rules()
        comparison = compare(
            base, head, regions, default_region=args.region, matrix=_matrix(args.region),
            base_findings=evaluate(base, rules, options),
            head_findings=evaluate(head, rules, options),
        )  # fmt: skip
        changes = apply_accepts(comparison.changes, config.accept, config.path)
        report = DiffReport(
            Side(base_src.label, base_src.kind, base_src.revision),
            Side(head_src.label, head_src.kind, head_src.revision),
            comparison, changes, config.path, args.fail_on_unknown,
        )  # fmt: skip
        cost = _cost_change(args, base, head) if args.events else None
    text = render(fmt, report)
    if cost is not None:
        text = _with_cost(fmt, text, cost)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as e:
            raise UsageError(f"cannot write {args.output}: {e.strerror or e}") from e
    else:
        sys.stdout.write(text)
    return report.exit_code
