"""The command-line options several commands share, and what they turn into: the loaders'
`LoadOptions` and the engine's `Options`. Kept light: every command imports this module at
startup, so the loaders and the engine are imported only when a command runs."""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from checker.errors import UsageError
from checker.findings import SEVERITIES
from checker.regions import REGION_NAME

# Terraform identifiers (letters, digits, underscores and dashes, not starting with a digit or
# dash); CloudFormation parameter names are alphanumeric, a subset.
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")

if TYPE_CHECKING:
    from checker.loaders.reading import LoadOptions
    from checker.model import Estate
    from checker.rules import Options


def add_input_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("inputs")
    g.add_argument(
        "--var-file",
        action=_InOrder,
        default=[],
        metavar="FILE",
        help="Terraform variables file (like terraform -var-file); repeatable",
    )
    g.add_argument(
        "--var",
        action=_InOrder,
        default=[],
        metavar="NAME=VALUE",
        help="Terraform variable (like terraform -var); repeatable; of a --var and a "
        "--var-file that set one variable, the later wins",
    )
    g.add_argument(
        "--region",
        metavar="REGION",
        help="home region of trails whose inputs do not say (no provider region)",
    )
    g.add_argument(
        "--regions",
        metavar="R1,R2",
        help="regions that must be covered (default: the 17 default-enabled regions, or every "
        "region of the one other partition, such as China or GovCloud, the inputs' trails are in)",
    )
    g.add_argument(
        "--min-retention-days",
        type=int,
        default=None,
        metavar="DAYS",
        help="shortest acceptable log retention (default 365)",
    )
    g.add_argument(
        "--jobs",
        type=_jobs,
        default=0,
        metavar="N",
        help="processes for a large scan (default: every core once the tree is large; 1: serial)",
    )


def _jobs(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a number of processes (1 or more): {text!r}")
    return int(text)


# Report formats (checker.report.formats.FORMATS, repeated so that building the parser does not
# import the report package) and the file extensions `--output FILE` infers them from.
REPORT_FORMATS = ("text", "json", "sarif", "junit", "markdown", "html")
EXTENSIONS = {".txt": "text", ".json": "json", ".sarif": "sarif", ".xml": "junit",
              ".md": "markdown", ".html": "html", ".htm": "html"}  # fmt: skip


def add_output_options(p: argparse.ArgumentParser, formats: Sequence[str] | None = None) -> None:
    g = p.add_argument_group("output")
    g.add_argument(
        "--format",
        choices=formats or REPORT_FORMATS,
        default=None,
        help="report format (default text, or what --output FILE's extension says)",
    )
    g.add_argument(
        "--output",
        action="append",
        default=[],
        metavar="[FORMAT=]FILE",
        help="write the report to FILE instead of standard output, in the format its extension "
        "names (.txt .json .sarif .xml .md .html; else --format); FORMAT=FILE writes that "
        "format (repeatable)",
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
    s = p.add_argument_group("what to report (every format, and the exit code)")
    s.add_argument(
        "--severity",
        metavar="S1,S2",
        help="only findings of these severities, e.g. high,critical (input errors always)",
    )
    s.add_argument(
        "--check",
        action="append",
        default=[],
        metavar="ID",
        help="only these rules: ids or globs, comma separated or repeated (CT00*,CT020)",
    )
    s.add_argument(
        "--skip-check",
        action="append",
        default=[],
        metavar="ID",
        help="leave out these rules: ids or globs, comma separated or repeated",
    )
    t = p.add_argument_group("text output")
    t.add_argument("--quiet", action="store_true", help="list failures only")
    t.add_argument("--compact", action="store_true", help="leave out fixes and code")
    t.add_argument("--show-passes", action="store_true", help="list passing checks too")
    t.add_argument(
        "--show-suppressed",
        action="store_true",
        help="list suppressed and baselined findings too (always in the other formats)",
    )
    t.add_argument("--no-color", action="store_true", help="never colour the text output")


def parse_severities(text: str | None) -> tuple[str, ...]:
    """`--severity high,critical`, validated; empty when not given."""
    if text is None:
        return ()
    chosen = tuple(dict.fromkeys(s.strip().lower() for s in text.split(",") if s.strip()))
    bad = [s for s in chosen if s not in SEVERITIES]
    if bad or not chosen:
        raise UsageError(
            f"--severity: {bad[0] if bad else text!r} is not a severity; "
            f"choose from {', '.join(SEVERITIES)}"
        )
    return chosen


def rule_patterns(values: Sequence[str]) -> tuple[str, ...]:
    """`--check` / `--skip-check` values: ids or globs, comma separated or repeated."""
    return tuple(
        dict.fromkeys(v.strip().upper() for item in values for v in item.split(",") if v.strip())
    )


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




class _InOrder(argparse.Action):
    """Appends like `action="append"`, and notes the option in `var_order`: Terraform lets the
    later of a -var and a -var-file win ("Variable definition precedence")."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, _option_string: str | None = None) -> None:  # fmt: skip
        setattr(namespace, self.dest, [*(getattr(namespace, self.dest, None) or []), values])
        order = getattr(namespace, "var_order", None)
        if order is None:
            order = []
            namespace.var_order = order
        order.append(self.dest)


def _positions(args: argparse.Namespace) -> tuple[int, ...]:
    """For each --var, how many --var-file options come before it."""
    files, out = 0, []
    for dest in getattr(args, "var_order", None) or ():
        if dest == "var_file":
            files += 1
        else:
            out.append(files)
    return tuple(out)


def load_options(args: argparse.Namespace, cwd: str | None = None) -> LoadOptions:
    """LoadOptions from the input flags. With `cwd` (paths reported relative to another folder),
    --var-file paths are made absolute first: the user wrote them relative to where they are."""
    from checker.loaders.reading import LoadOptions

    variables = []
    for item in args.var:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not _VARIABLE_NAME.fullmatch(name):
            raise UsageError(
                f"--var {item!r}: expected NAME=VALUE, where NAME is a Terraform variable or "
                "CloudFormation parameter name"
            )
        variables.append((name, value))
    if args.region is not None and not REGION_NAME.fullmatch(args.region):
        raise UsageError(f"--region: {args.region!r} is not a Region name such as eu-west-1")
    if cwd is None:
        return LoadOptions(
            var_files=tuple(args.var_file),
            variables=tuple(variables),
            variable_positions=_positions(args),
            default_region=args.region,
            jobs=getattr(args, "jobs", 0),
        )
    return LoadOptions(
        var_files=tuple(os.path.abspath(f) for f in args.var_file),
        variables=tuple(variables),
        variable_positions=_positions(args),
        default_region=args.region,
        cwd=cwd,
        jobs=getattr(args, "jobs", 0),
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


def regions_to_cover(given: Sequence[str], *estates: Estate) -> tuple[str, ...]:
    """The Regions every command covers: `given` (`--regions`, or the config's), else the
    Regions of the one partition other than `aws` that every trail and event data store of
    `estates` lives in (China, GovCloud: `checker.regions.partition_regions`), else the 17
    commercial defaults."""
    from checker.regions import DEFAULT_REGIONS, partition_regions

    if given:
        return tuple(given)
    homes = [h for estate in estates
             for h in (*(t.home_region for t in estate.trails),
                       *(s.home_region for s in estate.event_data_stores))
             if isinstance(h, str)]  # fmt: skip
    return partition_regions(homes) or DEFAULT_REGIONS


def engine_options(args: argparse.Namespace, estate: Estate | None = None) -> Options:
    from checker.rules import Options

    regions = parse_regions(getattr(args, "regions", None))
    if estate is not None:
        regions = regions_to_cover(regions, estate)
    return Options(
        min_retention_days=args.min_retention_days if args.min_retention_days is not None else 365,
        regions=regions,
        default_region=getattr(args, "region", None),
    )


