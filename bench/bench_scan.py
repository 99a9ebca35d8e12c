#!/usr/bin/env python3
"""Whole-process figures of `trailcheck scan`, each next to its target (issue 11's acceptance
table) and to Checkov's reference figure.

    python bench/bench_scan.py [--data DIR] [--work DIR] [--runs 11] [--quick] [--jobs N]

Workloads (every figure is a whole `trailcheck scan PATH --format json` process, startup
included; CPU seconds and peak RSS come from the kernel's accounting of that process and the
worker processes it waited for, as /usr/bin/time reports them; peak RSS is the largest single
process):
- one small .tf file (the pre-commit case): median of --runs, after one warm-up run (the
  validation cache is filled, as on a developer's second commit);
- 1,000 generated files (`gen_corpus.py 1000 DIR --seed 4`): median of 3;
- 10,000 generated files (seed 42): one run (--quick skips it), with the 10k/1k ratio, CPU time
  divided by wall time, and peak RSS;
- the real module collection (1,973 .tf files: cloudposse components, eks, secure-baseline):
  median of 3, when DIR/real-collection exists (it cannot be generated);
- 100 generated CloudFormation templates (gen_cfn.py), median of 3.

`--data DIR` holds corpus-1000, corpus-10000 and real-collection (on the project's machine:
/work/bench-data); a corpus missing there is generated into --work (default: a temporary folder)
with the generators of --shared (default ../shared/bench beside the repository, or
/work/shared/bench). The machine is shared by other work: read wall seconds with the CPU seconds
beside them, and run again when they disagree.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Checkov 3.3 with only its CloudTrail checks (CKV_AWS_35/36/67/251/252/294, CKV2_AWS_10), whole
# process, median, 2-core machine: /work/shared/bench/README.md, "Reference figures".
CHECKOV_S = {
    "one": 2.8,
    "1k": 25.5,
    "10k": 1075.0,  # one run, 1.5 GiB
    "real": 274.0,  # one run
    "cfn": 15.6,
}
# Issue 11, "Acceptance (measured by bench/bench_scan.py)".
TARGET_ONE_S = 0.20
TARGET_1K_S = 1.2
TARGET_10K_S = 8.0
TARGET_RATIO = 11.0
TARGET_CPU_PER_WALL = 1.6
TARGET_RSS_MIB = 300.0
TARGET_REAL_S = 1.2


@dataclass
class Run:
    wall: float
    cpu: float  # user + system seconds, the process and its waited-for workers
    rss_mib: float  # peak resident set of the largest of those processes


def scan(target: Path, jobs: int | None) -> Run:
    exe = Path(sys.executable).parent / "trailcheck"
    args = [str(exe), "scan", str(target), "--format", "json"]
    if jobs:
        args += ["--jobs", str(jobs)]
    # byte code is written and reused, as in an installed trailcheck
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode not in (0, 1, 2):  # findings (1) and input errors (2) are results
        sys.exit(f"scan of {target} failed ({proc.returncode}): {err[-2000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def median(target: Path, runs: int, jobs: int | None) -> tuple[Run, list[Run]]:
    done = [scan(target, jobs) for _ in range(runs)]
    return (
        Run(
            statistics.median(r.wall for r in done),
            statistics.median(r.cpu for r in done),
            max(r.rss_mib for r in done),
        ),
        done,
    )


def corpus(files: int, seed: int, data: Path | None, work: Path, shared: Path) -> Path:
    given = data / f"corpus-{files}" if data else None
    if given is not None and given.is_dir():
        return given
    out = work / f"corpus-{files}"
    if not out.is_dir():
        subprocess.run(
            [sys.executable, str(shared / "gen_corpus.py"), str(files), str(out), "--seed",
             str(seed)],
            check=True, capture_output=True,
        )  # fmt: skip
    return out


def row(name: str, value: str, target: str, met: bool | None, checkov: str) -> None:
    verdict = "" if met is None else ("met" if met else "MISSED")
    print(f"{name:<34} {value:>24}  {target:<22} {verdict:<7} {checkov}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--data", type=Path, default=Path("/work/bench-data"))
    p.add_argument("--work", type=Path, default=None)
    p.add_argument("--shared", type=Path, default=None)
    p.add_argument("--runs", type=int, default=11, help="runs of the one-file scan")
    p.add_argument("--quick", action="store_true", help="skip the 10,000-file tree")
    p.add_argument("--jobs", type=int, default=None, help="passed to trailcheck scan --jobs")
    args = p.parse_args(argv)
    shared = args.shared or next(
        (d for d in (REPO.parent / "shared" / "bench", Path("/work/shared/bench")) if d.is_dir()),
        REPO.parent / "shared" / "bench",
    )
    data = args.data if args.data.is_dir() else None
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        print(f"{'workload':<34} {'trailcheck':>24}  {'target':<22} {'':<7} Checkov")

        one = REPO / "fixtures" / "rules" / "CT002" / "fail" / "terraform" / "main.tf"
        scan(one, args.jobs)  # warm-up: the validation cache, the page cache
        m, _ = median(one, args.runs, args.jobs)
        row(f"one small .tf ({args.runs} runs)", f"{m.wall:.3f} s (cpu {m.cpu:.2f})",
            f"< {TARGET_ONE_S} s", m.wall < TARGET_ONE_S, f"{CHECKOV_S['one']} s")  # fmt: skip

        tree_1k = corpus(1000, 4, data, work, shared)
        k1, runs = median(tree_1k, 3, args.jobs)
        row("1,000 generated files (3 runs)", f"{k1.wall:.2f} s (cpu {k1.cpu:.2f})",
            f"< {TARGET_1K_S} s", k1.wall < TARGET_1K_S, f"{CHECKOV_S['1k']} s")  # fmt: skip
        print(f"{'':<34} runs: {', '.join(f'{r.wall:.2f}' for r in runs)} s; "
              f"peak RSS {k1.rss_mib:.0f} MiB")  # fmt: skip

        if not args.quick:
            tree_10k = corpus(10000, 42, data, work, shared)
            k10 = scan(tree_10k, args.jobs)
            row("10,000 generated files (1 run)", f"{k10.wall:.1f} s (cpu {k10.cpu:.1f})",
                f"< {TARGET_10K_S} s", k10.wall < TARGET_10K_S,
                f"{CHECKOV_S['10k']:.0f} s, 1.5 GiB")  # fmt: skip
            ratio = k10.wall / k1.wall
            row("  10k / 1k", f"{ratio:.1f}x", f"<= {TARGET_RATIO:.0f}x (linear)",
                ratio <= TARGET_RATIO, "")  # fmt: skip
            per_wall = k10.cpu / k10.wall
            row("  CPU time / wall time at 10k", f"{per_wall:.2f}", f">= {TARGET_CPU_PER_WALL}",
                per_wall >= TARGET_CPU_PER_WALL, "")  # fmt: skip
            row("  peak RSS at 10k", f"{k10.rss_mib:.0f} MiB", f"< {TARGET_RSS_MIB:.0f} MiB",
                k10.rss_mib < TARGET_RSS_MIB, "1.5 GiB")  # fmt: skip

        real = data / "real-collection" if data else None
        if real is not None and real.is_dir():
            r, _ = median(real, 3, args.jobs)
            row("real module collection (3 runs)", f"{r.wall:.2f} s (cpu {r.cpu:.2f})",
                f"< {TARGET_REAL_S} s", r.wall < TARGET_REAL_S,
                f"{CHECKOV_S['real']:.0f} s")  # fmt: skip
        else:
            print("real module collection: not measured (no real-collection under --data)")

        cfn = shared / "gen_cfn.py"
        out = work / "cfn-100"
        made = out.is_dir() or subprocess.run(
            [sys.executable, str(cfn), "100", str(out)], capture_output=True
        ).returncode == 0
        if cfn.exists() and made:
            c, _ = median(out, 3, args.jobs)
            row("100 CloudFormation templates", f"{c.wall:.2f} s (cpu {c.cpu:.2f})", "", None,
                f"{CHECKOV_S['cfn']} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
