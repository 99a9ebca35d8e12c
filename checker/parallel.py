"""Independent work spread over the machine's cores, with the serial run's results and order.

A scan's units (Terraform root modules to evaluate, deployment units to judge) do not depend on
each other, so large scans run them in forked worker processes. Forking lets a worker read the
parent's state (the estate, the rules, the caches built so far) without pickling it; only the
slices' results cross back, and they are reassembled in input order: the output is the serial
run's. Small scans (a one-file pre-commit run) stay serial and never pay for a pool. Where `fork`
does not exist (Windows), in a process running other threads, or when a pool cannot start, the
work runs serially.

`jobs`: 0 = automatic (every core when the work reaches the threshold), 1 = serial, N = N
processes. The TRAILCHECK_JOBS environment variable sets the automatic choice.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

R = TypeVar("R")

# The work of the pool being run, inherited by the forked workers (a closure cannot be pickled,
# and the parent's state must not be). Set only while `map_slices` runs.
_TASK: Callable[[int, int], Any] | None = None


def workers(jobs: int, work: int, threshold: int) -> int:
    """The number of processes for `work` items: `jobs` when it is set, else every core once
    the work reaches `threshold` (TRAILCHECK_JOBS stands in for an unset `jobs`)."""
    if jobs <= 0:
        env = os.environ.get("TRAILCHECK_JOBS", "").strip()
        jobs = int(env) if env.isdigit() else 0
    if jobs <= 0:
        jobs = (os.cpu_count() or 1) if work >= threshold else 1
    return max(1, min(jobs, work))


def map_slices(
    task: Callable[[int, int], R],
    count: int,
    processes: int,
    meanwhile: Callable[[], None] | None = None,
    per_process: int = 4,
) -> list[R]:
    """`task(start, stop)` over consecutive slices of `range(count)`, in `processes` forked
    workers (in this process when that is 1), the results in slice order. `meanwhile` runs in
    this process while the workers run (before the slices when serial). Each process gets about
    `per_process` slices, so that one slow slice does not leave the other cores idle."""
    pieces = 1 if processes <= 1 else min(count, processes * per_process)
    bounds = [(count * i // pieces, count * (i + 1) // pieces) for i in range(pieces)]
    pending = [meanwhile] if meanwhile is not None else []

    def run_meanwhile() -> None:
        while pending:
            pending.pop()()

    if processes > 1 and count > 1 and _can_fork():
        results = _in_pool(task, bounds, processes, run_meanwhile)
        if results is not None:
            return results
    run_meanwhile()
    return [task(a, b) for a, b in bounds if b > a]


def iter_slices(task: Callable[[int, int], R], count: int, processes: int,
                per_process: int = 8) -> Iterator[R]:
    """`task(start, stop)` over consecutive slices of `range(count)` in `processes` forked
    workers besides this process (0: in this process), which start at once: the caller works
    meanwhile, then reads each result as it comes, in slice order (so that it can use one slice's
    while the next are being made). Slices run here, one by one as they are read, when there is
    no fork; a slice whose worker died (and the worker's later ones) runs here too.

    The workers write their results to a spool file and say where by a pipe; they never wait
    for this process. (A pool's feeding thread would: it needs the interpreter lock, which the
    caller holds while it works, so the workers idled between slices.)"""
    pieces = min(count, processes * per_process if processes >= 1 else 1)
    bounds = [(count * i // pieces, count * (i + 1) // pieces) for i in range(pieces)]
    if processes < 1 or not bounds or not _can_fork():
        return (task(a, b) for a, b in bounds)
    count = min(processes, len(bounds))
    started: list[_Streamer] = []
    try:
        for k in range(count):
            started.append(_Streamer(task, bounds[k::count]))
    except OSError:  # no more processes or files: the slices of the others run here
        pass
    return _stream(task, bounds, count, started)


def _stream(task: Callable[[int, int], R], bounds: list[tuple[int, int]], count: int,
            started: list[_Streamer]) -> Iterator[R]:
    """The slices' results in order: slice i is worker `i % count`'s, if it started."""
    try:
        for i, (a, b) in enumerate(bounds):
            k = i % count
            result: Any = started[k].next() if k < len(started) else _DIED
            yield task(a, b) if result is _DIED else result
    finally:
        for w in started:
            w.close()


_DIED = object()  # what a worker that died gives (a task may return None)


class _Streamer:
    """A forked worker running `task` over its slices, each result pickled to a spool file, and
    its offset and size written to a pipe."""

    def __init__(self, task: Callable[[int, int], Any], bounds: list[tuple[int, int]]) -> None:
        import tempfile

        self.spool, name = tempfile.mkstemp(prefix="trailcheck-")
        os.unlink(name)  # gone when both processes close it
        try:
            read, write = os.pipe()
        except OSError:
            os.close(self.spool)
            raise
        try:
            self.pid = os.fork()
        except OSError:
            for fd in (self.spool, read, write):
                os.close(fd)
            raise
        if self.pid == 0:  # the worker: never returns
            os.close(read)
            _serve(task, bounds, self.spool, write)
        os.close(write)
        self.pipe = read
        self.dead = False

    def next(self) -> Any:
        """The next slice's result; `_DIED` when the worker died before making it (then it
        makes no more)."""
        import pickle
        import struct

        head = b"" if self.dead else _read_exactly(self.pipe, 16)
        if len(head) < 16:
            self.dead = True
            return _DIED
        offset, size = struct.unpack("<QQ", head)
        data = bytearray()
        while len(data) < size:
            part = os.pread(self.spool, size - len(data), offset + len(data))
            if not part:
                self.dead = True
                return _DIED
            data += part
        return pickle.loads(data)

    def close(self) -> None:
        import contextlib
        import signal

        os.close(self.pipe)
        os.close(self.spool)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)  # it is done (or no longer needed)
        os.waitpid(self.pid, 0)


def _serve(task: Callable[[int, int], Any], bounds: list[tuple[int, int]], spool: int,
           pipe: int) -> None:
    import pickle
    import struct

    code = 0
    try:
        offset = 0
        for a, b in bounds:
            data = pickle.dumps(task(a, b), pickle.HIGHEST_PROTOCOL)
            _write_all(spool, data)
            _write_all(pipe, struct.pack("<QQ", offset, len(data)))
            offset += len(data)
    except BaseException:  # the slice runs again in the caller, which reports the error
        code = 1
    finally:
        os._exit(code)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_exactly(fd: int, size: int) -> bytes:
    out = b""
    while len(out) < size:
        part = os.read(fd, size - len(out))
        if not part:
            break
        out += part
    return out


def _in_pool(
    task: Callable[[int, int], R],
    bounds: list[tuple[int, int]],
    processes: int,
    meanwhile: Callable[[], None],
) -> list[R] | None:
    """The slices' results from a pool of forked workers; None when the pool broke (a worker
    was killed, say for memory): the caller then runs them serially."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    global _TASK
    _TASK = task
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(processes, mp_context=context) as pool:
            futures = [pool.submit(_run, a, b) for a, b in bounds]
            meanwhile()
            return [f.result() for f in futures]
    except (BrokenProcessPool, OSError):
        return None
    finally:
        _TASK = None


def _run(start: int, stop: int) -> Any:
    assert _TASK is not None, "a worker runs only inside map_slices"
    return _TASK(start, stop)


def _can_fork() -> bool:
    """Forking is safe only from a process with one thread: a lock another thread holds (a
    live account's readers) would stay locked forever in the child."""
    import multiprocessing
    import threading

    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
