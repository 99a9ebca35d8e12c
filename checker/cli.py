"""The `trailcheck` command: `main(argv) -> int`, a thin dispatcher over `checker.commands`.

Exit codes (`checker.errors`): 0 nothing fails at or above --fail-on; 1 something does; 2 a usage
error or an unreadable input (CT000); 3 an internal error. Bad input never gives a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

from checker import __version__
from checker.errors import EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, UsageError

# Every command, in the order `--help` lists them: a module of checker.commands with
# `register(subparsers)`. Importing them is cheap (each imports its work lazily), and a module
# that fails to import is a bug to see, never a command to skip silently.
COMMANDS = ("scan", "simulate", "coverage", "diff", "audit", "test_pattern", "sql", "cost")


class _Formatter(argparse.HelpFormatter):
    """Help wrapped at spaces only, so that names such as cis-aws-5.0 stay whole."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        import textwrap

        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False,
                             break_long_words=False)  # fmt: skip


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with `command` (the one about to run), the commands after it are
    left out once it is known: each command's module costs startup time, and a pre-commit run
    needs one. Help and errors for an unknown command come from the whole parser."""
    parser = _Parser(
        prog="trailcheck",
        description="Will the AWS activity you care about really be recorded, protected and "
        "alerted on? Checks CloudTrail configuration in Terraform, CloudFormation and live "
        "accounts.",
    )
    parser.add_argument("--version", action="version", version=f"trailcheck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        importlib.import_module(f"checker.commands.{name}").register(sub)
        if command is not None and command in sub.choices:
            break
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(argv) if argv is not None else sys.argv[1:]
    first = args_list[0] if args_list and not args_list[0].startswith("-") else None
    parser = build_parser(first)
    try:
        args = parser.parse_args(args_list)
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
