from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from checker import parallel
from checker.cli import main

REPO = Path(__file__).resolve().parent.parent
# several deployment units: Terraform roots of every shape, CloudFormation, an organization
MULTI_UNIT = ["fixtures/terraform", "fixtures/units", "fixtures/monorepo-org"]
can_fork = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="no fork on this platform"
)


def test_workers_explicit_jobs_win_and_never_exceed_the_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TRAILCHECK_JOBS", raising=False)
    assert parallel.workers(1, 1000, 8) == 1
    assert parallel.workers(4, 3, 8) == 3
    assert parallel.workers(0, 7, 8) == 1  # below the threshold: serial
    assert parallel.workers(0, 8, 8) == min(os.cpu_count() or 1, 8)


def test_workers_environment_sets_the_automatic_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAILCHECK_JOBS", "1")
    assert parallel.workers(0, 1000, 8) == 1
    assert parallel.workers(2, 1000, 8) == 2  # the command line wins


FORKED = """
import json, os
from checker import parallel
state = list(range(100))  # read by the workers through fork, never pickled
ran = []
out = parallel.map_slices(lambda a, b: (os.getpid(), state[a:b]), 100, 2, lambda: ran.append(1))
print(json.dumps([os.getpid(), out, ran]))
"""


@can_fork
def test_map_slices_runs_in_other_processes_and_keeps_the_order() -> None:
    # in a fresh interpreter: a thread another test left running would (rightly) prevent forking
    done = subprocess.run([sys.executable, "-c", FORKED], capture_output=True, text=True,
                          check=True, cwd=REPO)  # fmt: skip
    parent, out, ran = json.loads(done.stdout)
    assert [x for _, part in out for x in part] == list(range(100))
    assert len(out) == 8  # four slices per process
    assert {pid for pid, _ in out} - {parent}
    assert ran == [1]


def test_map_slices_does_not_fork_beside_another_thread() -> None:
    done = threading.Event()
    thread = threading.Thread(target=done.wait)
    thread.start()
    try:
        out = parallel.map_slices(lambda a, b: os.getpid(), 10, 2)
    finally:
        done.set()
    assert set(out) == {os.getpid()} and len(out) == 8


def test_map_slices_serially_covers_everything_once() -> None:
    ran = []
    out = parallel.map_slices(lambda a, b: list(range(a, b)), 5, 1, lambda: ran.append(1))
    assert out == [[0, 1, 2, 3, 4]]
    assert ran == [1]
    assert parallel.map_slices(lambda a, b: (a, b), 0, 2, lambda: ran.append(2)) == []
    assert ran == [1, 2]


def _report(capsys: pytest.CaptureFixture[str], jobs: str) -> str:
    main(["scan", *MULTI_UNIT, "--format", "json", "--jobs", jobs])
    return capsys.readouterr().out


@can_fork
def test_scan_report_is_the_same_serial_and_on_two_processes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    serial = _report(capsys, "1")
    doc = json.loads(serial)
    assert len(doc["coverage"]["units"]) >= 8 and doc["findings"]
    assert _report(capsys, "2") == serial


def test_jobs_must_be_a_positive_number(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--jobs", "0", "fixtures/units"]) == 2
    assert "--jobs" in capsys.readouterr().err


STREAMED = """
import json, os
from checker import parallel
parent = os.getpid()
state = list(range(50))
def task(a, b):
    if os.getpid() != parent and a == 0 and DIE:
        os._exit(1)  # a worker killed: its slice is made again here
    return os.getpid(), state[a:b]
DIE = {die}
results = parallel.iter_slices(task, 50, 1)
print(json.dumps([parent, list(results)]))
"""


@can_fork
@pytest.mark.parametrize("die", [False, True])
def test_iter_slices_streams_the_slices_in_order_from_a_worker(die: bool) -> None:
    done = subprocess.run([sys.executable, "-c", STREAMED.format(die=die)], capture_output=True,
                          text=True, check=True, cwd=REPO)  # fmt: skip
    parent, out = json.loads(done.stdout)
    assert [x for _, part in out for x in part] == list(range(50))
    assert len(out) == 8  # eight slices for one worker
    pids = [pid for pid, _ in out]
    if die:
        assert pids[0] == parent  # the killed worker's slice (and the rest) made here
    else:
        assert parent not in pids


def test_iter_slices_in_this_process_runs_each_slice_when_read() -> None:
    ran: list[tuple[int, int]] = []

    def task(a: int, b: int) -> list[int]:
        ran.append((a, b))
        return list(range(a, b))

    out = parallel.iter_slices(task, 5, 0)
    assert ran == []  # lazily, as the caller reads
    assert [x for part in out for x in part] == [0, 1, 2, 3, 4]
    assert ran == [(0, 5)]
    assert list(parallel.iter_slices(task, 0, 2)) == []
