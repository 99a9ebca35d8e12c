"""A progress bar for long replays (files, records, records/s) on standard error, drawn with rich
when standard error is a terminal; otherwise nothing is drawn."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Progress = Callable[[int, int, int], None]


@contextmanager
def progress_bar(min_seconds: float = 2.0) -> Iterator[Progress | None]:
    """A callback (files, records, bytes) that shows a live line once a run has lasted
    `min_seconds`; None when standard error is not a terminal or rich is not installed."""
    if not sys.stderr.isatty():
        yield None
        return
    try:
        from rich.console import Console
        from rich.live import Live
        from rich.text import Text
    except ModuleNotFoundError:
        yield None
        return
    start = time.monotonic()
    live = Live(Text(""), console=Console(stderr=True), transient=True, refresh_per_second=4)
    started = False

    def update(files: int, records: int, nbytes: int) -> None:
        nonlocal started
        elapsed = time.monotonic() - start
        if elapsed < min_seconds:
            return
        if not started:
            live.start()
            started = True
        rate = records / elapsed if elapsed else 0.0
        live.update(Text(f"replaying: {files:,} files, {records:,} records, "
                         f"{nbytes / 1e6:,.0f} MB, {rate:,.0f} records/s"))

    try:
        yield update
    finally:
        if started:
            live.stop()
