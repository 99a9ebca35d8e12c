"""`trailcheck scan`: judge the configuration under PATHS (and `rules`, `explain`: the rules).

    trailcheck scan [PATHS] [--format FORMAT] [--output [FORMAT=]FILE] [--fail-on SEVERITY]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

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
    from checker.findings import Finding
    from checker.model import Estate


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    scan = sub.add_parser("scan", help="judge the configuration under PATHS")
    scan.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    add_input_options(scan)
    add_output_options(scan)
    scan.add_argument(
        "--compliance",
        metavar="FRAMEWORK",
        help="also report per control of a framework, e.g. cis-aws-5.0",
    )
    add_suppression_options(scan)
    scan.set_defaults(handler=run)

    rules = sub.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    rules.set_defaults(handler=run_rules)

    explain = sub.add_parser("explain", help="print one rule's documentation")
    explain.add_argument("rule_id", metavar="RULE_ID")
    explain.set_defaults(handler=run_explain)


def run(args: argparse.Namespace) -> int:
    from checker import config as project_config
    from checker.engine import Judgement, evaluate, load_rules
    from checker.loaders import load_paths
    from checker.report import ScanReport

    config = project_config.for_command(args)  # fills unset flags from the config file
    load = load_options(args)
    estate = load_paths(args.paths, load)
    options = replace(engine_options(args), unit_groups=config.unit_groups(estate, load.cwd))
    rules = config.with_severities(load_rules())
    judgement = Judgement(estate, options)
    findings = evaluate(estate, rules, options, judgement)
    findings = apply_suppressions(args, config, estate, findings)
    extra: dict[str, object] = {}
    if args.compliance:
        from checker.report.compliance import compliance_section

        extra["compliance"] = compliance_section(args.compliance, findings, rules)
    if judgement.views and COVERAGE_FORMATS & set(requested_formats(args)):
        from checker.predicates.cis_alarms import shared_runner
        from checker.simulator.scenarios import unit_coverage

        units = [
            (v.name, v.estate, shared_runner(judgement.contexts[v.name])) for v in judgement.views
        ]
        extra["coverage"] = unit_coverage(
            units, options.expected_regions, default_region=options.default_region
        )
    report = ScanReport(tuple(findings), estate.inputs, tuple(rules), extra)
    write_reports(args, report)
    return exit_code(findings, args)




def apply_suppressions(
    args: argparse.Namespace, config: Config, estate: Estate, findings: Sequence[Finding]
) -> list[Finding]:
    """Suppressions (inline, Metadata, config) and the command's --baseline / --create-baseline.
    A baseline created in this run applies to it, so adopting trailcheck on an old repository
    starts green. Config entries are judged unused only when a scanned folder holds the config
    file's folder."""
    from checker import suppress
    from checker.baseline import apply_baseline, load_baseline, write_baseline

    paths = [Path(p).resolve() for p in getattr(args, "paths", None) or ["."]]
    whole = config.base is None or any(p.is_dir() and config.base.is_relative_to(p) for p in paths)
    out = suppress.apply(findings, suppress.Sources(estate.inputs), config, whole_tree=whole)
    if getattr(args, "create_baseline", None):
        return apply_baseline(out, write_baseline(args.create_baseline, out))
    if getattr(args, "baseline", None):
        return apply_baseline(out, load_baseline(args.baseline))
    return out


def run_rules(args: argparse.Namespace) -> int:
    from checker.docs import rules_listing

    sys.stdout.write(rules_listing(args.format))
    return EXIT_OK


def run_explain(args: argparse.Namespace) -> int:
    from checker.docs import explain

    text = explain(args.rule_id)
    if text is None:
        raise UsageError(f"no rule {args.rule_id!r}; `trailcheck rules` lists them")
    sys.stdout.write(text)
    return EXIT_OK


