"""The `trailcheck` command: `main(argv) -> int`, exit codes as in design.md.

0: nothing fails at or above --fail-on; 1: something does; 2: usage error or an unreadable
input (CT000); 3: internal error. Bad input never gives a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from checker import __version__
from checker.findings import SEVERITIES, Finding, severity_rank
from checker.regions import REGION_NAME

EXIT_OK, EXIT_FAIL, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


class UsageError(Exception):
    """A mistake on the command line or in the config file: exit code 2 with the message."""


# ---------------------------------------------------------------------------------------------
# Parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trailcheck",
        description="Will the AWS activity you care about really be recorded, protected and "
        "alerted on? Checks CloudTrail configuration in Terraform, CloudFormation and live "
        "accounts.",
    )
    parser.add_argument("--version", action="version", version=f"trailcheck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

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
    scan.set_defaults(handler=_cmd_scan)

    rules = sub.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    rules.set_defaults(handler=_cmd_rules)

    explain = sub.add_parser("explain", help="print one rule's documentation")
    explain.add_argument("rule_id", metavar="RULE_ID")
    explain.set_defaults(handler=_cmd_explain)

    for name, register in _extra_commands():
        register(sub)
        del name
    return parser


def add_input_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("inputs")
    g.add_argument(
        "--var-file",
        action="append",
        default=[],
        metavar="FILE",
        help="Terraform variables file (like terraform -var-file); repeatable",
    )
    g.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="Terraform variable (like terraform -var); repeatable",
    )
    g.add_argument(
        "--region",
        metavar="REGION",
        help="home region of trails whose inputs do not say (no provider region)",
    )
    g.add_argument(
        "--regions",
        metavar="R1,R2",
        help="regions that must be covered (default: the 17 default-enabled regions)",
    )
    g.add_argument(
        "--min-retention-days",
        type=int,
        default=None,
        metavar="DAYS",
        help="shortest acceptable log retention (default 365)",
    )


def add_output_options(p: argparse.ArgumentParser, formats: Sequence[str] | None = None) -> None:
    from checker.report import FORMATS

    g = p.add_argument_group("output")
    g.add_argument(
        "--format", choices=formats or FORMATS, default=None, help="report format (default text)"
    )
    g.add_argument(
        "--output",
        action="append",
        default=[],
        metavar="[FORMAT=]FILE",
        help="write the report to FILE instead of standard output; FORMAT=FILE writes "
        "another format too (repeatable)",
    )
    g.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        default=None,
        help="lowest severity whose failure makes the exit code 1 (default low)",
    )
    g.add_argument(
        "--fail-on-unknown",
        action="store_true",
        help="also exit 1 when a check's result is unknown",
    )
    g.add_argument("--show-passes", action="store_true", help="list passing checks in text output")
    g.add_argument("--no-color", action="store_true", help="never colour the text output")


def add_suppression_options(p: argparse.ArgumentParser) -> None:
    """Config file and baseline (checker/config.py, checker/suppress.py, checker/baseline.py)."""
    g = p.add_argument_group("configuration and baseline")
    g.add_argument(
        "--config",
        metavar="FILE",
        help="settings file (default: .trailcheck.yaml or [tool.trailcheck] in "
        "pyproject.toml, found upwards from the first PATH); flags win over it",
    )
    g.add_argument("--no-config", action="store_true", help="ignore any config file")
    b = g.add_mutually_exclusive_group()
    b.add_argument(
        "--baseline",
        metavar="FILE",
        help="findings recorded in FILE are reported as suppressed and do not fail",
    )
    b.add_argument(
        "--create-baseline",
        metavar="FILE",
        help="record the current failing and unknown findings in FILE (and treat "
        "them as baselined in this run)",
    )


def _extra_commands() -> list[
    tuple[str, Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]]
]:
    """Commands whose modules register themselves; imported lazily at parse time only."""
    import importlib

    out = []
    for name in ("simulate", "coverage", "diff", "audit", "sql", "cost"):
        try:
            module = importlib.import_module(f"checker.commands.{name}")
        except ModuleNotFoundError as e:
            if e.name and e.name.startswith("checker.commands"):
                continue
            raise
        out.append((name, module.register))
    return out


# ---------------------------------------------------------------------------------------------
# Commands


def _cmd_scan(args: argparse.Namespace) -> int:
    from checker import config as project_config
    from checker import suppress
    from checker.engine import evaluate, load_rules
    from checker.loaders import load_paths
    from checker.report import ScanReport

    config = project_config.for_command(args)  # fills unset flags from the config file
    options = engine_options(args)
    estate = load_paths(args.paths, load_options(args))
    rules = config.with_severities(load_rules())
    findings = evaluate(estate, rules, options)
    findings = suppress.for_command(args, config, estate, findings)
    extra: dict[str, object] = {}
    if args.compliance:
        from checker.report.compliance import compliance_section

        extra["compliance"] = compliance_section(args.compliance, findings, rules)
    if estate.trails and COVERAGE_FORMATS & set(requested_formats(args)):
        from checker.simulator.scenarios import coverage_matrix

        extra["coverage"] = coverage_matrix(
            estate, options.expected_regions, default_region=options.default_region
        )
    report = ScanReport(tuple(findings), estate.inputs, tuple(rules), extra)
    write_reports(args, report)
    return exit_code(findings, args)


# Reports that show the scenario coverage matrix; the text report (pre-commit) skips its cost.
COVERAGE_FORMATS = frozenset({"json", "markdown", "html"})


def requested_formats(args: argparse.Namespace) -> list[str]:
    from checker.report import FORMATS

    extra = [item.partition("=")[0] for item in args.output if "=" in item]
    return [args.format or "text", *(f for f in extra if f in FORMATS)]


def load_options(args: argparse.Namespace, cwd: str | None = None):  # type: ignore[no-untyped-def]
    """LoadOptions from the input flags. With `cwd` (paths reported relative to another folder),
    --var-file paths are made absolute first: the user wrote them relative to where they are."""
    from checker.loaders.reading import LoadOptions

    variables = []
    for item in args.var:
        if "=" not in item:
            raise UsageError(f"--var {item!r}: expected NAME=VALUE")
        name, value = item.split("=", 1)
        variables.append((name.strip(), value))
    if args.region is not None and not REGION_NAME.fullmatch(args.region):
        raise UsageError(f"--region: {args.region!r} is not a Region name such as eu-west-1")
    if cwd is None:
        return LoadOptions(
            var_files=tuple(args.var_file),
            variables=tuple(variables),
            default_region=args.region,
        )
    return LoadOptions(
        var_files=tuple(os.path.abspath(f) for f in args.var_file),
        variables=tuple(variables),
        default_region=args.region,
        cwd=cwd,
    )




def parse_regions(text: str | None) -> tuple[str, ...]:
    """`--regions R1,R2`, validated and deduplicated; empty when not given."""
    if text is None:
        return ()
    regions = tuple(dict.fromkeys(r.strip() for r in text.split(",") if r.strip()))
    bad = [r for r in regions if not REGION_NAME.fullmatch(r)]
    if bad:
        raise UsageError(f"--regions: {bad[0]!r} is not a Region name such as eu-west-1")
    if not regions:
        raise UsageError("--regions: no Region given")
    return regions


def engine_options(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from checker.predicates import Options

    regions = parse_regions(getattr(args, "regions", None))
    return Options(
        min_retention_days=args.min_retention_days if args.min_retention_days is not None else 365,
        regions=regions,
        default_region=getattr(args, "region", None),
    )


def write_reports(
    args: argparse.Namespace,
    report: object,
    default_format: str = "text",
    renderer: Callable[..., str] | None = None,
) -> None:
    """Write the main report (stdout or --output FILE) and each extra FORMAT=FILE.

    `renderer(fmt, report, color=...)` defaults to checker.report.render; a command with its own
    variants of some formats (the audit's Markdown) passes its own."""
    from checker.report import FORMATS, render

    draw: Callable[..., str] = renderer or render
    fmt = args.format or default_format
    targets: list[tuple[str, str | None]] = []
    plain_outputs = []
    for item in args.output:
        head, sep, tail = item.partition("=")
        if sep and head in FORMATS:
            targets.append((head, tail))
        else:
            plain_outputs.append(item)
    if len(plain_outputs) > 1:
        raise UsageError("--output FILE may be given once; use FORMAT=FILE for more formats")
    targets.insert(0, (fmt, plain_outputs[0] if plain_outputs else None))
    if plain_outputs == [] and any(t[0] == fmt for t in targets[1:]):
        targets.pop(0)  # `--output json=report.json --format json`: the file is the main report
    for f, path in targets:
        if path is None:
            color = f == "text" and not args.no_color and _stdout_is_terminal()
            sys.stdout.write(draw(f, report, color=color))
        else:
            try:
                Path(path).write_text(draw(f, report), encoding="utf-8")
            except OSError as e:
                raise UsageError(f"cannot write {path}: {e.strerror or e}") from e


def _stdout_is_terminal() -> bool:
    return (
        sys.stdout.isatty()
        and os.environ.get("NO_COLOR") is None
        and os.environ.get("TERM") != "dumb"
    )


def exit_code(findings: Sequence[Finding], args: argparse.Namespace) -> int:
    from checker.engine import has_internal_errors

    if has_internal_errors(findings):
        return EXIT_INTERNAL
    if any(f.rule_id == "CT000" and f.status == "fail" for f in findings):
        return EXIT_INPUT
    threshold = severity_rank(args.fail_on or "low")
    for f in findings:
        if f.status == "fail" and severity_rank(f.severity) >= threshold:
            return EXIT_FAIL
        if (
            args.fail_on_unknown
            and f.status == "unknown"
            and severity_rank(f.severity) >= threshold
        ):
            return EXIT_FAIL
    return EXIT_OK


def _cmd_rules(args: argparse.Namespace) -> int:
    from checker.docs import rules_listing

    sys.stdout.write(rules_listing(args.format))
    return EXIT_OK


def _cmd_explain(args: argparse.Namespace) -> int:
    from checker.docs import explain

    text = explain(args.rule_id)
    if text is None:
        raise UsageError(f"no rule {args.rule_id!r}; `trailcheck rules` lists them")
    sys.stdout.write(text)
    return EXIT_OK


# ---------------------------------------------------------------------------------------------
# Entry points


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as e:  # argparse: --help (0) or a usage error (2)
        return int(e.code) if isinstance(e.code, int) else EXIT_INPUT
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return EXIT_INPUT
    try:
        return int(args.handler(args))
    except UsageError as e:
        print(f"trailcheck: {e}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("trailcheck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as e:  # a bug of ours, never bad input: say so without a traceback
        if os.environ.get("TRAILCHECK_DEBUG"):
            raise
        print(
            f"trailcheck: internal error: {type(e).__name__}: {e}\n"
            "This is a bug in trailcheck; run again with TRAILCHECK_DEBUG=1 for the traceback.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def main_entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    main_entry()
