#!/usr/bin/env python3
"""Latency of the pre-commit hook: a one-file commit in an 8-file module folder, the whole
`git commit`, median of --runs.

    python bench/bench_precommit.py [--runs 7]

Uses the committed HEAD of this checkout as the hook repository (pre-commit clones it once;
that set-up is not timed). Prints the median with and without the hook, and their difference.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODULE = REPO / "fixtures" / "example"  # a module folder of 8 files


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)


def commit_times(work: Path, env: dict[str, str], runs: int) -> list[float]:
    times = []
    for i in range(runs):
        trail = work / "trail.tf"
        trail.write_text((MODULE / "trail.tf").read_text() + f"\n# change {i}\n")
        run(["git", "add", "trail.tf"], work, env)
        start = time.perf_counter()
        proc = run(["git", "commit", "-q", "-m", f"change {i}"], work, env)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            sys.exit(proc.stdout + proc.stderr)
    return times


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--runs", type=int, default=7)
    args = p.parse_args()
    head = run(["git", "rev-parse", "HEAD"], REPO, dict(os.environ)).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(
            os.environ,
            PRE_COMMIT_HOME=str(Path(tmp) / "cache"),
            GIT_AUTHOR_NAME="b",
            GIT_AUTHOR_EMAIL="b@example.com",
            GIT_COMMITTER_NAME="b",
            GIT_COMMITTER_EMAIL="b@example.com",
        )
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
        work = Path(tmp) / "infra"
        shutil.copytree(MODULE, work)
        run(["git", "init", "-q"], work, env)
        run(["git", "add", "-A"], work, env)
        run(["git", "commit", "-q", "-m", "module"], work, env)
        bare = commit_times(work, env, args.runs)
        (work / ".pre-commit-config.yaml").write_text(
            f"repos:\n  - repo: {REPO}\n    rev: {head}\n    hooks:\n"
            "      - id: trailcheck\n        args: [--fail-on, high]\n"
        )
        run(["pre-commit", "install"], work, env)
        run(["pre-commit", "install-hooks"], work, env)  # the one-off clone and venv, not timed
        run(["git", "add", ".pre-commit-config.yaml"], work, env)
        hooked = commit_times(work, env, args.runs)
    b, h = statistics.median(bare), statistics.median(hooked)
    print(f"git commit without hook: median {b:.3f} s")
    print(f"git commit with trailcheck hook: median {h:.3f} s (hook adds {h - b:.3f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
