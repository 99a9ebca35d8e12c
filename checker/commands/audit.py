"""`trailcheck audit`: a read-only audit of live AWS accounts.

    trailcheck audit [--profile NAME] [--regions all|R1,R2] [--role-arn ARN ...]
                     [--role-arns-file FILE] [--organization --role-name NAME]
                     [--save SNAPSHOT.json|DIR] [--endpoint-url URL] [--no-progress]
                     [--format text|json|markdown|html|sarif|junit] [--output [FORMAT=]FILE]

Reads the caller's account (standard credential chain or --profile) and, through sts:AssumeRole,
each --role-arn account, or with --organization every account the organization lists
(checker/loaders/aws/live.py), judges the estate with the same rules as `scan`, and reports what
could not be checked next to the findings. `--save` writes the estate as a snapshot that
`trailcheck scan SNAPSHOT.json` judges offline with the same findings; with --organization it
writes one snapshot per account into a folder, and `trailcheck scan DIR` reads them all.
With --organization each account is judged as its own unit (checker/commands/audit_org.py).

Exit codes (docs/architecture.md): 0/1 by the findings (a partial audit is still a report), 2 when
the caller has no usable credentials, the organization's accounts cannot be listed, or an account
could not be read at all (its role cannot be assumed, its trails cannot be listed in any Region: a
CT000 failure), 3 on a bug. An account the organization lists as not ACTIVE is a CT000 unknown: it
counts like any unknown (exit 1 with --fail-on-unknown).
Importing this module stays cheap: boto3, rich and jinja2 load only when the command runs.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.commands.options import (
    add_output_options,
    add_suppression_options,
    parse_regions,
    regions_to_cover,
)
from checker.errors import UsageError

if TYPE_CHECKING:
    from checker.config import Config
    from checker.loaders.aws.live import AuditOptions, LiveAudit, SessionFactory
    from checker.model import Estate
    from checker.report import ScanReport, TextOptions

_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
# an IAM role name (64 characters at most), optionally under a path: "audit/TrailcheckAudit"
_ROLE_NAME = re.compile(r"^(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}$")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "audit",
        help="read-only audit of live AWS accounts (boto3)",
        description="Read CloudTrail and everything around it from live AWS accounts, with "
        "read-only calls only, and judge it like `scan`.",
    )
    g = p.add_argument_group("accounts")
    g.add_argument("--profile", metavar="NAME", help="AWS profile (default: the standard chain)")
    g.add_argument(
        "--regions",
        dest="audit_regions",
        default="all",
        metavar="all|R1,R2",
        help="Regions to read (default all: every Region enabled in each account)",
    )
    g.add_argument(
        "--role-arn",
        action="append",
        default=[],
        metavar="ARN",
        help="also audit the account of this role, through sts:AssumeRole (repeatable)",
    )
    g.add_argument("--role-arns-file", metavar="FILE", help="role ARNs, one per line (# comments)")
    g.add_argument(
        "--organization",
        action="store_true",
        help="audit every account of the caller's organization (organizations:ListAccounts, "
        "from the management account or a delegated administrator); needs --role-name",
    )
    g.add_argument(
        "--role-name",
        metavar="NAME",
        help="with --organization: the role to assume in each account, e.g. "
        "OrganizationAccountAccessRole or a read-only audit role",
    )
    g.add_argument(
        "--endpoint-url", metavar="URL", help="send every AWS call to URL (emulators, tests)"
    )
    g.add_argument("--workers", type=int, default=8, metavar="N", help="parallel calls (default 8)")
    g.add_argument(
        "--save",
        metavar="SNAPSHOT.json|DIR",
        help="also write the estate read as a snapshot file (with --organization: a folder, "
        "one snapshot per account)",
    )
    g.add_argument(
        "--no-progress", action="store_true", help="no progress bar (it shows only on a terminal)"
    )
    p.add_argument(
        "--min-retention-days",
        type=int,
        default=None,
        metavar="DAYS",
        help="shortest acceptable log retention (default 365)",
    )
    p.add_argument(
        "--compliance", metavar="FRAMEWORK", help="also report per control of a framework"
    )
    add_output_options(p)
    add_suppression_options(p)
    p.set_defaults(handler=run)


# ---------------------------------------------------------------------------------------------
# Arguments


def audit_options(args: argparse.Namespace) -> AuditOptions:
    from checker.loaders.aws.live import AuditOptions

    regions: tuple[str, ...] = ()
    raw = (args.audit_regions or "all").strip()
    if raw != "all":
        regions = parse_regions(raw)
    roles = list(args.role_arn)
    if args.role_arns_file:
        roles += _read_roles(args.role_arns_file)
    bad = [r for r in roles if not _ROLE_ARN.match(r)]
    if bad:
        raise UsageError(f"--role-arn: not an IAM role ARN: {', '.join(bad)}")
    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    role_name = getattr(args, "role_name", None)
    if getattr(args, "organization", False):
        if not role_name:
            raise UsageError("--organization needs --role-name NAME, the role in each account")
        if roles:
            raise UsageError("--organization lists the accounts itself: drop --role-arn")
        if not _ROLE_NAME.match(role_name.strip("/")):
            raise UsageError(f"--role-name: not an IAM role name: {role_name}")
    elif role_name:
        raise UsageError("--role-name goes with --organization")
    return AuditOptions(
        profile=args.profile,
        regions=regions,
        role_arns=tuple(dict.fromkeys(roles)),
        endpoint_url=args.endpoint_url,
        workers=args.workers,
        organization_role=role_name.strip("/") if role_name else None,
    )


def _read_roles(path: str) -> list[str]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise UsageError(f"--role-arns-file {path}: {e.strerror or e}") from e
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


# ---------------------------------------------------------------------------------------------
# Progress on a terminal


def show_progress(args: argparse.Namespace | None = None) -> bool:
    if args is not None and getattr(args, "no_progress", False):
        return False
    return sys.stderr.isatty() and not os.environ.get("CI")


class RichProgress:
    """Bars for the accounts (done, and how many not checked), the Regions listed, then the
    per-resource reads; on stderr, gone when done."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._lock = threading.Lock()

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def add_task(self, label: str, total: int) -> int:
        with self._lock:
            return int(self._progress.add_task(label, total=max(total, 0)))

    def advance(self, task: int) -> None:
        with self._lock:
            self._progress.advance(task)  # type: ignore[arg-type]

    def label(self, task: int, label: str) -> None:
        with self._lock:
            self._progress.update(task, description=label)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# The command


def run(args: argparse.Namespace, *, session_factory: SessionFactory | None = None) -> int:
    """The `audit` handler. `session_factory` replaces boto3.Session (tests, emulators)."""
    from checker.commands.output import exit_code
    from checker.errors import EXIT_INPUT
    from checker.loaders.aws.live import CredentialsError, OrganizationError, audit

    config = _config(args)
    options = audit_options(args)
    if args.save and options.organization_role and Path(args.save).is_file():
        raise UsageError(f"--save {args.save}: with --organization, a folder (a file per account)")
    try:
        if show_progress(args):
            with RichProgress() as bar:
                result = audit(options, session_factory, bar)
        else:
            result = audit(options, session_factory)
    except (CredentialsError, OrganizationError) as e:
        print(f"trailcheck: {e}", file=sys.stderr)
        return EXIT_INPUT
    report = build_report(result, args, options, config)
    if args.save and result.organization is not None:
        from checker.commands.audit_org import save_organization

        save_organization(result, args.save)
    elif args.save:
        save_snapshot(result, args.save)
    write_audit_reports(args, report)
    if result.not_checked:
        print(
            f"trailcheck: {len(result.not_checked)} call(s) could not be made; their values are "
            "reported as unknown (see 'could not be checked' in the report)",
            file=sys.stderr,
        )
    unchecked = [a for a in result.accounts if a.status in ("error", "skipped")]
    if unchecked:
        print(
            f"trailcheck: {len(unchecked)} account(s) not checked: "
            + ", ".join(a.account_id for a in unchecked),
            file=sys.stderr,
        )
    return exit_code(report.findings, args)


def _config(args: argparse.Namespace) -> Config:
    """The project config (`.trailcheck.yaml`), found as `scan` finds it."""
    from checker import config as project_config

    if not hasattr(args, "paths"):
        args.paths = ["."]
    if not hasattr(args, "regions"):
        args.regions = None
    return project_config.for_command(args)


def engine_options(args: argparse.Namespace, options: AuditOptions, estate: Estate) -> Any:
    from checker.rules import Options

    # Regions that must be covered: the ones audited when given, else the config's, else what
    # every command covers (`regions_to_cover`, as `scan` decides, so the saved snapshot judges
    # the same: a GovCloud account on the GovCloud Regions).
    configured = getattr(args, "regions", None)
    regions = options.regions or (
        tuple(r.strip() for r in configured.split(",") if r.strip()) if configured else ()
    )
    return Options(
        min_retention_days=args.min_retention_days if args.min_retention_days is not None else 365,
        regions=regions_to_cover(regions, estate),
    )


def build_report(
    result: LiveAudit, args: argparse.Namespace, audit: AuditOptions, config: Config | None = None
) -> ScanReport:
    from checker.engine import evaluate, load_rules
    from checker.report import ScanReport
    from checker.report.trail_cards import trail_cards

    options = engine_options(args, audit, result.estate)
    rules = load_rules()
    if config is not None:
        rules = config.with_severities(rules)
    judged = None
    coverage: dict[str, Any] | None
    if result.organization is None:
        findings = evaluate(result.estate, rules, options)
        coverage = _coverage(result, options)
    else:  # each account its own unit
        from checker.commands.audit_org import judge_accounts

        judged = judge_accounts(result, rules, options)
        findings, coverage = judged.findings, judged.coverage()
    if config is not None:
        from checker.commands.scan import apply_suppressions

        findings = apply_suppressions(args, config, result.estate, findings,
                                      [r.id for r in rules])  # fmt: skip
    extra: dict[str, Any] = result.report_extra()
    extra["trails"] = trail_cards(result.estate)
    if coverage is not None:
        extra["coverage"] = coverage
    if judged is not None:
        from checker.commands.audit_org import sections

        extra.update(sections(result, findings, judged))
    if getattr(args, "compliance", None):
        from checker.report.compliance import compliance_section

        extra["compliance"] = compliance_section(args.compliance, findings, rules)
    return ScanReport(tuple(findings), result.estate.inputs, tuple(rules), extra)


def _coverage(result: LiveAudit, options: Any) -> dict[str, Any]:
    """The simulator's scenario matrix by Region, for the heatmap."""
    from checker.simulator.scenarios import unit_coverage

    return unit_coverage([("", result.estate, None)], options.expected_regions)


def save_snapshot(result: LiveAudit, path: str) -> None:
    """The estate in the loaders' snapshot format, plus what could not be checked."""
    try:
        from checker.loaders.aws.snapshot import dump_snapshot
    except ModuleNotFoundError as e:
        if e.name and e.name.startswith("checker"):
            raise UsageError(
                "--save needs the snapshot format (checker/loaders/snapshot.py), which this "
                "build does not have"
            ) from e
        raise
    doc = dump_snapshot(result.estate)
    # the accounts and Regions actually audited (the dump can only infer them from ARNs), and
    # the calls that failed: their values are already unknown in place, so no "affects"
    doc["accounts"] = [
        {"account_id": a.account_id, "regions": list(a.regions)} for a in result.accounts
    ]
    doc["not_checked"] = [n.to_json() for n in result.not_checked]
    from checker.commands.audit_org import write_snapshot

    write_snapshot(doc, Path(path))


def render_audit(fmt: str, report: ScanReport, options: TextOptions | None = None) -> str:
    """Like checker.report.formats.render, with the audit's Markdown (trail cards, not checked)."""
    if fmt == "markdown":
        from checker.report import audit_markdown

        return audit_markdown.render(report)
    from checker.report.formats import render

    out = render(fmt, report, options)
    if fmt == "text":
        from checker.report import organization
        from checker.report.audit_markdown import not_checked_text

        out += not_checked_text(report) + organization.text(report.extra)
    return out


def write_audit_reports(args: argparse.Namespace, report: ScanReport) -> None:
    """`output.write_reports` with the audit's renderers."""
    from checker.commands.output import write_reports

    write_reports(args, report, renderer=render_audit)
