"""Writing a command's reports (standard output, `--output FILE`, `--output FORMAT=FILE`), the
findings a run reports (`--severity`, `--check`, `--skip-check`), and the exit code."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from checker.commands.options import (
    EXTENSIONS,
    REPORT_FORMATS,
    parse_severities,
    rule_patterns,
)
from checker.errors import EXIT_FAIL, EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, UsageError
from checker.findings import Finding, blocking

if TYPE_CHECKING:
    from checker.report import ScanReport, TextOptions

# Reports that show the scenario coverage matrix; the text report (pre-commit) skips its cost.
COVERAGE_FORMATS = frozenset({"json", "markdown", "html"})
# The width of the text report when standard output is not a terminal and COLUMNS is not set.
DEFAULT_WIDTH = 100

Target = tuple[str, "str | None"]  # (format, file); None is standard output


def inferred_format(path: str, allowed: Sequence[str] = REPORT_FORMATS) -> str | None:
    """The format a file name's extension names (`.sarif` -> sarif), if it is one of `allowed`."""
    fmt = EXTENSIONS.get(os.path.splitext(path)[1].lower())
    return fmt if fmt in allowed else None


def output_format(
    path: str | None, given: str | None, allowed: Sequence[str], default: str = "text"
) -> str:
    """The format of a command's single `--output FILE` (or standard output): the extension's,
    else --format's, else `default`. An extension and a --format that disagree are a usage
    error: one of them is a mistake, and guessing which would write the wrong file."""
    from_name = inferred_format(path, allowed) if path else None
    if from_name and given and given != from_name:
        raise UsageError(
            f"--format {given} but --output {path} names {from_name}; give one of them (or a "
            "file name with another extension)"
        )
    return from_name or given or default


def output_targets(
    args: argparse.Namespace, default_format: str = "text", formats: Sequence[str] = REPORT_FORMATS
) -> list[Target]:
    """Where each report goes. A plain `--output FILE` takes the format its extension names (or
    --format); `FORMAT=FILE` is explicit. Standard output gets the --format report unless a
    plain --output takes it, or a FORMAT=FILE of that same format does."""
    explicit: list[Target] = []
    plain: list[str] = []
    for item in args.output:
        head, sep, tail = item.partition("=")
        if sep and head in formats:
            if not tail:
                raise UsageError(f"--output {item}: no file name after {head}=")
            explicit.append((head, tail))
        else:
            plain.append(item)
    given = args.format
    targets: list[Target] = [(output_format(p, given, formats, default_format), p) for p in plain]
    files = [p for _, p in targets]
    if len(set(files)) != len(files):
        raise UsageError("--output: the same file is named twice")
    if not plain:
        main = given or default_format
        if not any(f == main for f, _ in explicit):
            targets.append((main, None))
    return targets + explicit


def requested_formats(args: argparse.Namespace) -> list[str]:
    return [f for f, _ in output_targets(args)]


def text_options(args: argparse.Namespace, to_terminal: bool) -> TextOptions:
    """The text report's display options; colour and wrapping only on a terminal."""
    from checker.report import TextOptions

    color = to_terminal and not getattr(args, "no_color", False) and _stdout_is_terminal()
    width = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns if to_terminal else 0
    return TextOptions(
        color=color,
        width=width,
        show_passes=getattr(args, "show_passes", False),
        show_suppressed=getattr(args, "show_suppressed", False),
        quiet=getattr(args, "quiet", False),
        compact=getattr(args, "compact", False),
        fail_on=getattr(args, "fail_on", None) or "low",
        fail_on_unknown=getattr(args, "fail_on_unknown", False),
    )


def write_reports(
    args: argparse.Namespace,
    report: ScanReport,
    default_format: str = "text",
    renderer: Callable[..., str] | None = None,
) -> None:
    """Write each report: standard output and every --output. The findings are the selected
    ones (`selected_report`).

    `renderer(fmt, report, options)` defaults to checker.report.formats.render; a command with
    its own variants of some formats (the audit's Markdown) passes its own."""
    from checker.report.formats import render_chunks

    report = selected_report(report, args)
    for fmt, path in output_targets(args, default_format):
        options = text_options(args, to_terminal=path is None)
        pieces = (renderer(fmt, report, options),) if renderer else render_chunks(fmt, report,
                                                                                    options)
        if path is None:
            for piece in pieces:
                sys.stdout.write(piece)
            continue
        try:
            with open(path, "w", encoding="utf-8") as fh:
                for piece in pieces:
                    fh.write(piece)
        except OSError as e:
            raise UsageError(f"cannot write {path}: {e.strerror or e}") from e


def _stdout_is_terminal() -> bool:
    return (
        sys.stdout.isatty()
        and os.environ.get("NO_COLOR") is None
        and os.environ.get("TERM") != "dumb"
    )


# ---------------------------------------------------------------------------------------------
# Which findings a run reports


def _matches(rule_id: str, patterns: Iterable[str]) -> bool:
    return any(rule_id == p or fnmatchcase(rule_id, p) for p in patterns)


def select_findings(
    findings: Sequence[Finding], args: argparse.Namespace, rule_ids: Iterable[str] | None = None
) -> list[Finding]:
    """The findings `--severity`, `--check` and `--skip-check` keep. Input errors (CT000) are
    always kept: an unreadable file is never filtered away. With `rule_ids`, a pattern that
    names none of them is a usage error (a typo would otherwise silently check nothing)."""
    severities = parse_severities(getattr(args, "severity", None))
    check = rule_patterns(getattr(args, "check", None) or [])
    skip = rule_patterns(getattr(args, "skip_check", None) or [])
    known = set(rule_ids or ()) | {f.rule_id for f in findings}
    for option, patterns in (("--check", check), ("--skip-check", skip)):
        if rule_ids is None or not known:
            break  # nothing to check them against (no rule was loaded)
        unmatched = [p for p in patterns if not any(_matches(r, [p]) for r in known)]
        if unmatched:
            raise UsageError(f"{option} {unmatched[0]}: matches no rule; `trailcheck rules` "
                             "lists them")  # fmt: skip
    if not (severities or check or skip):
        return list(findings)
    return [
        f for f in findings
        if f.rule_id == "CT000" or (
            (not severities or f.severity in severities)
            and (not check or _matches(f.rule_id, check))
            and not _matches(f.rule_id, skip)
        )
    ]  # fmt: skip


def selected_report(report: ScanReport, args: argparse.Namespace) -> ScanReport:
    rule_ids = [r.id for r in report.rules]
    findings = select_findings(report.findings, args, rule_ids)
    if len(findings) == len(report.findings):
        return report
    return replace(report, findings=tuple(findings))


def exit_code(findings: Sequence[Finding], args: argparse.Namespace) -> int:
    """0, 1 or 2 by the selected findings (exit codes in checker.errors); 3 for a rule that
    crashed, whatever is selected."""
    if findings:
        from checker.engine import has_internal_errors

        if has_internal_errors(findings):
            return EXIT_INTERNAL
    findings = select_findings(findings, args)
    if any(f.rule_id == "CT000" and f.status == "fail" for f in findings):
        return EXIT_INPUT
    return EXIT_FAIL if blocking(findings, args.fail_on, args.fail_on_unknown) else EXIT_OK
