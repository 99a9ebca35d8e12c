"""Exit codes and the usage error: the bottom of the command side, importable from any layer.

0: nothing fails at or above --fail-on; 1: something does; 2: a usage error or an input that
could not be read (CT000); 3: an internal error (a bug). See docs/architecture.md.
"""

from __future__ import annotations

EXIT_OK, EXIT_FAIL, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


class UsageError(Exception):
    """A mistake on the command line or in the config file: exit code 2 with the message."""


# The message prefix of a finding that stands for a bug of trailcheck's (a rule or a loader that
# crashed): judged unknown, the rest is still judged, and the run exits 3.
INTERNAL_ERROR = "internal error"


def internal_error_message(what: str, error: BaseException) -> str:
    return (
        f"{INTERNAL_ERROR} while {what}: {type(error).__name__}: {error} (a bug in trailcheck; "
        "TRAILCHECK_DEBUG=1 shows the traceback)"
    )
