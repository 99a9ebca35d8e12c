"""`trailcheck scan`: judge the configuration under PATHS (and `rules`, `explain`: the rules).

    trailcheck scan [PATHS] [--format FORMAT] [--output [FORMAT=]FILE] [--fail-on SEVERITY]
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.commands.options import (
    add_input_options,
    add_output_options,
    add_suppression_options,
    engine_options,
    load_options,
)
from checker.commands.output import COVERAGE_FORMATS, exit_code, requested_formats, write_reports
from checker.errors import EXIT_OK, UsageError

if TYPE_CHECKING:
    from checker.config import Config
    from checker.engine import Judgement
    from checker.findings import Finding
    from checker.model import Estate
    from checker.predicates.context import Context
    from checker.units import UnitView


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from checker.resources import framework_slugs

    frameworks = ", ".join(framework_slugs())
    scan = sub.add_parser("scan", help="judge the configuration under PATHS")
    scan.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    add_input_options(scan)
    add_output_options(scan)
    scan.add_argument(
        "--compliance",
        metavar="FRAMEWORK",
        help=f"also report per control of a framework: {frameworks}",
    )
    add_suppression_options(scan)
    scan.set_defaults(handler=run)

    rules = sub.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    rules.add_argument("--severity", metavar="S1,S2", help="only rules of these severities")
    rules.add_argument(
        "--framework", metavar="FRAMEWORK", help=f"only rules mapped to a framework: {frameworks}"
    )
    rules.set_defaults(handler=run_rules)

    explain = sub.add_parser(
        "explain",
        help="print one rule's documentation",
        description="Why a rule matters, how to fix it in each format, its compliance ids, and "
        "where its examples are.",
    )
    explain.add_argument("rule_id", metavar="RULE_ID")
    explain.add_argument(
        "--examples", action="store_true", help="also print the example files (pass and fail)"
    )
    explain.set_defaults(handler=run_explain)


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    finally:
        gc.unfreeze()


def _run(args: argparse.Namespace) -> int:
    from checker import config as project_config
    from checker.loaders import load_paths
    from checker.report import ScanReport

    config = project_config.for_command(args)  # fills unset flags from the config file
    load = load_options(args)
    # Loading makes objects that live until the report is written (trees, the estate) and some
    # cyclic garbage: the collector's full passes over the growing heap (three on the real
    # module collection, 0.1 s) find little. So it is paused while loading, runs once at the
    # end, and what lives on is frozen (later passes skip it, and forked workers do not copy
    # its pages to update it) until the command ends.
    enabled = gc.isenabled()
    gc.disable()
    try:
        estate = load_paths(args.paths, load)
    finally:
        if enabled:
            gc.collect()
            gc.freeze()
            gc.enable()
    if _nothing_to_judge(args, estate):
        report = ScanReport((), estate.inputs)
        write_reports(args, report)
        return exit_code(report.findings, args)
    from checker.engine import Judgement, judge, load_rules

    options = replace(engine_options(args, estate),
                      unit_groups=config.unit_groups(estate, load.cwd),
                      unit_organizations=config.unit_organizations(estate, load.cwd))
    rules = config.with_severities(load_rules())
    judgement = Judgement(estate, options)
    coverage = None
    if judgement.views and COVERAGE_FORMATS & set(requested_formats(args)):
        coverage = _coverage(judgement)
    findings, rows = judge(estate, rules, options, judgement, jobs=load.jobs,
                           per_view=coverage)  # fmt: skip
    findings = apply_suppressions(args, config, estate, findings, [r.id for r in rules])
    extra: dict[str, object] = {}
    if args.compliance:
        from checker.report.compliance import compliance_section

        extra["compliance"] = compliance_section(args.compliance, findings, rules)
    if coverage is not None:
        extra["coverage"] = {"regions": list(dict.fromkeys(options.expected_regions)),
                             "units": rows}  # fmt: skip
    report = ScanReport(tuple(findings), estate.inputs, tuple(rules), extra)
    write_reports(args, report)
    return exit_code(findings, args)


def _coverage(judgement: Judgement) -> Callable[[UnitView, Context], dict[str, Any]]:
    """A unit's row of the coverage matrix, computed where its rules ran (it reuses their
    simulations): the critical scenarios, as the reports show them. A cell per scenario, Region
    and unit grows fast in a monorepo (`trailcheck coverage` gives every scenario)."""
    from checker.predicates.cis_alarms import shared_runner
    from checker.simulator.scenarios import load_catalog, unit_coverage

    options = judgement.options
    critical = [s for s in load_catalog() if s.critical]

    def row(view: UnitView, ctx: Context) -> dict[str, Any]:
        matrix = unit_coverage([(view.name, view.estate, shared_runner(ctx))],
                               options.expected_regions, default_region=options.default_region,
                               scenarios=critical)  # fmt: skip
        unit: dict[str, Any] = matrix["units"][0]
        return unit

    return row


def _nothing_to_judge(args: argparse.Namespace, estate: Estate) -> bool:
    """Named files none of which is configuration (pre-commit passing a changed manifest):
    no rule has anything to judge, so the rules are not even loaded. A folder is never
    skipped this way: config entries and suppressions are judged on whole-tree scans."""
    return (
        not estate.diagnostics
        and not any(i.status == "ok" for i in estate.inputs)
        and not getattr(args, "create_baseline", None)
        and all(Path(p).is_file() for p in args.paths)
    )


def apply_suppressions(
    args: argparse.Namespace, config: Config, estate: Estate, findings: Sequence[Finding],
    rule_ids: Sequence[str] = (),
) -> list[Finding]:  # fmt: skip
    """Suppressions (inline, Metadata, config) and the command's --baseline / --create-baseline.
    A baseline created in this run applies to it, so adopting trailcheck on an old repository
    starts green. A suppression naming no rule of `rule_ids` is reported (CT099); a config
    entry that matched nothing is reported when a scanned folder holds the config file's folder,
    or when what it covers was scanned and passes (suppress.apply)."""
    from checker import suppress
    from checker.baseline import apply_baseline, load_baseline, write_baseline

    paths = [Path(p).resolve() for p in getattr(args, "paths", None) or ["."]]
    whole = config.base is None or any(p.is_dir() and config.base.is_relative_to(p) for p in paths)
    out = suppress.apply(findings, suppress.Sources(estate.inputs), config, whole_tree=whole,
                         rule_ids=rule_ids)  # fmt: skip
    if getattr(args, "create_baseline", None):
        return apply_baseline(out, write_baseline(args.create_baseline, out))
    if getattr(args, "baseline", None):
        return apply_baseline(out, load_baseline(args.baseline))
    return out


def run_rules(args: argparse.Namespace) -> int:
    from checker.commands.options import parse_severities
    from checker.docs import rules_listing

    severities = parse_severities(args.severity)
    framework = None
    if args.framework:
        from checker.compliance import find_framework
        from checker.resources import framework_slugs

        framework = find_framework(args.framework)
        if framework is None:
            raise UsageError(f"--framework {args.framework!r}: no such framework; known: "
                             f"{', '.join(framework_slugs())}")  # fmt: skip
    sys.stdout.write(rules_listing(args.format, severities=severities, framework=framework))
    return EXIT_OK


def run_explain(args: argparse.Namespace) -> int:
    from checker.docs import explain

    text = explain(args.rule_id, examples=args.examples)
    if text is None:
        raise UsageError(f"no rule {args.rule_id!r}; `trailcheck rules` lists them")
    sys.stdout.write(text)
    return EXIT_OK


