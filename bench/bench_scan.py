#!/usr/bin/env python3
"""Whole-process timings of `trailcheck scan`, the figures the issues ask for.

    python bench/bench_scan.py [--runs 11] [--shared ../shared]

- one small Terraform file (the pre-commit case), median of --runs;
- a generated 1,000-file tree (`gen_corpus.py 1000 DIR --seed 4`), median of 3;
- 100 generated CloudFormation templates, when gen_cfn.py is available, median of 3.
Reference (Checkov on this machine): 2.8 s, 25.5 s and 15.6 s.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def command() -> list[str]:
    exe = shutil.which("trailcheck") or str(Path(sys.executable).parent / "trailcheck")
    return [exe]


def timed(args: list[str], runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(command() + args, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if proc.returncode not in (0, 1):
            sys.exit(f"scan failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return statistics.median(times), times


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--runs", type=int, default=11)
    p.add_argument("--shared", default=str(REPO.parent / "shared"))
    p.add_argument("--files", type=int, default=1000)
    args = p.parse_args(argv)
    gen = Path(args.shared) / "bench"

    small = REPO / "fixtures" / "rules" / "CT002" / "fail" / "terraform" / "main.tf"
    timed(["scan", str(small)], 1)  # warm the parser cache, as a second commit would
    med, _ = timed(["scan", str(small)], args.runs)
    print(f"one small .tf file:           median {med:.3f} s over {args.runs} runs (Checkov 2.8 s)")

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        subprocess.run(
            [
                sys.executable,
                str(gen / "gen_corpus.py"),
                str(args.files),
                str(corpus),
                "--seed",
                "4",
            ],
            check=True,
            capture_output=True,
        )
        med, times = timed(["scan", str(corpus), "--format", "json"], 3)
        print(
            f"{args.files} generated .tf files:   median {med:.3f} s "
            f"({', '.join(f'{t:.2f}' for t in times)}) (Checkov 25.5 s)"
        )
        cfn = gen / "gen_cfn.py"
        if cfn.exists():
            out = Path(tmp) / "cfn"
            proc = subprocess.run(
                [sys.executable, str(cfn), "100", str(out)], capture_output=True, text=True
            )
            if proc.returncode == 0:
                med, times = timed(["scan", str(out), "--format", "json"], 3)
                print(f"100 CloudFormation templates: median {med:.3f} s (Checkov 15.6 s)")
            else:
                print(f"gen_cfn.py: {proc.stderr.strip()[:200]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
