"""Writing a command's reports (standard output, `--output FILE`, `--output FORMAT=FILE`) and
turning its findings into the exit code."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from checker.errors import EXIT_FAIL, EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, UsageError
from checker.findings import Finding, severity_rank

# Reports that show the scenario coverage matrix; the text report (pre-commit) skips its cost.
COVERAGE_FORMATS = frozenset({"json", "markdown", "html"})


def requested_formats(args: argparse.Namespace) -> list[str]:
    from checker.report import FORMATS

    extra = [item.partition("=")[0] for item in args.output if "=" in item]
    return [args.format or "text", *(f for f in extra if f in FORMATS)]


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


