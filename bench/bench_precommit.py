#!/usr/bin/env python3
"""Latency of the pre-commit hook in a 50-file repository: the bundled example module
(fixtures/example, 8 files) under infra/, plus 42 ordinary files (Python sources, docs, a
package.json and its lock file, GitHub workflows, Kubernetes manifests, JSON settings).

    python bench/bench_precommit.py [--runs 7] [--rev REV]

For each one-file change it times the whole `git commit`, with and without the hook (median of
--runs), and prints the difference, which is what the hook costs, and the part of it that is
trailcheck's (the difference to a pre-commit hook that does nothing). CPU seconds (user + system
of every process of the commit) are printed next to wall-clock seconds: they hardly move when
the machine is busy with other work, wall-clock seconds do.
- infra/trail.tf: the hook scans the module folder;
- .github/workflows/ci.yml and k8s/deploy-01.yaml: YAML that holds no CloudFormation (the
  hook's `files`/`exclude` patterns should not even start trailcheck for the workflow; the
  manifest is left to the loader's sniffing);
and `pre-commit run --all-files` once the environment is built.

REV (default HEAD) is the commit of this checkout used as the hook repository; pre-commit clones
it and builds its environment once, which is not timed. Byte-code writing is left on, as in a
real pre-commit environment (PYTHONDONTWRITEBYTECODE is removed from the environment).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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


def ordinary_files(root: Path) -> None:
    """42 files of the kinds a repository holds next to its infrastructure."""
    for i in range(15):
        (root / "src" / "app").mkdir(parents=True, exist_ok=True)
        (root / "src" / "app" / f"module_{i:02}.py").write_text(
            f'"""Module {i}."""\n\n\ndef handler_{i}(event: dict) -> int:\n    return {i}\n'
        )
    for i in range(8):
        (root / "docs").mkdir(exist_ok=True)
        (root / "docs" / f"page-{i}.md").write_text(f"# Page {i}\n\nSome text.\n" * 20)
    workflows = root / ".github" / "workflows"
    workflows.mkdir(parents=True)
    for name in ("ci.yml", "release.yml"):
        (workflows / name).write_text(
            "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - uses: actions/checkout@v4\n      - run: make test\n"
        )
    (root / "package.json").write_text(json.dumps({"name": "app", "version": "1.0.0",
                                                   "dependencies": {"left-pad": "^1.3.0"}}))
    lock = {"name": "app", "lockfileVersion": 3, "packages": {
        f"node_modules/pkg-{i}": {"version": f"1.{i}.0", "resolved": f"https://r/pkg-{i}.tgz",
                                  "integrity": "sha512-" + "a" * 80} for i in range(2000)}}
    (root / "package-lock.json").write_text(json.dumps(lock, indent=2))
    (root / "tsconfig.json").write_text('{"compilerOptions": {"strict": true}}\n')
    for i in range(8):
        (root / "k8s").mkdir(exist_ok=True)
        (root / "k8s" / f"deploy-{i:02}.yaml").write_text(
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\nspec:\n"
            "  replicas: 2\n  template:\n    spec:\n      containers:\n        - name: app\n"
            "          image: app:1\n"
        )
    for i in range(5):
        (root / "config").mkdir(exist_ok=True)
        (root / "config" / f"settings-{i}.json").write_text(json.dumps({"level": i}) + "\n")
    (root / "README.md").write_text("# app\n")


def commit_times(work: Path, target: str, env: dict[str, str], runs: int) -> tuple[float, float]:
    """Median wall-clock and CPU (user + system, every process of the commit) seconds."""
    walls, cpus = [], []
    path = work / target
    original = path.read_text()
    comment = "#" if path.suffix in (".tf", ".yml", ".yaml") else "//"
    for i in range(runs):
        path.write_text(original + f"\n{comment} change {i}\n")
        run(["git", "add", target], work, env)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = run(["git", "commit", "-q", "-m", f"change {i}"], work, env)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if proc.returncode != 0:
            sys.exit(f"commit of {target} failed:\n{proc.stdout}{proc.stderr}")
    return statistics.median(walls), statistics.median(cpus)


TARGETS = ("infra/trail.tf", ".github/workflows/ci.yml", "k8s/deploy-01.yaml")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--rev", default="HEAD", help="commit of this checkout to use as the hook")
    args = p.parse_args()
    head = run(["git", "rev-parse", args.rev], REPO, dict(os.environ)).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(
            os.environ,
            PRE_COMMIT_HOME=str(Path(tmp) / "cache"),
            GIT_AUTHOR_NAME="b",
            GIT_AUTHOR_EMAIL="b@example.com",
            GIT_COMMITTER_NAME="b",
            GIT_COMMITTER_EMAIL="b@example.com",
        )
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
        work = Path(tmp) / "repo"
        shutil.copytree(MODULE, work / "infra")
        ordinary_files(work)
        files = [f for f in work.rglob("*") if f.is_file()]
        run(["git", "init", "-q"], work, env)
        run(["git", "add", "-A"], work, env)
        run(["git", "commit", "-q", "-m", "repository"], work, env)
        bare = {t: commit_times(work, t, env, args.runs) for t in TARGETS}
        # pre-commit's own cost: a hook that does nothing, on every file
        (work / ".pre-commit-config.yaml").write_text(
            "repos:\n  - repo: local\n    hooks:\n      - id: noop\n        name: noop\n"
            "        entry: 'true'\n        language: system\n"
        )
        run(["pre-commit", "install"], work, env)
        run(["git", "add", ".pre-commit-config.yaml"], work, env)
        run(["git", "commit", "-q", "-m", "noop hook"], work, env)
        noop = commit_times(work, TARGETS[0], env, args.runs)
        (work / ".pre-commit-config.yaml").write_text(
            f"repos:\n  - repo: {REPO}\n    rev: {head}\n    hooks:\n"
            "      - id: trailcheck\n        args: [--fail-on, high]\n"
        )
        run(["pre-commit", "install"], work, env)
        run(["pre-commit", "install-hooks"], work, env)  # the one-off clone and venv, not timed
        run(["git", "add", ".pre-commit-config.yaml"], work, env)
        run(["git", "commit", "-q", "-m", "hook"], work, env)
        hooked = {t: commit_times(work, t, env, args.runs) for t in TARGETS}
        start = time.perf_counter()
        run(["pre-commit", "run", "--all-files"], work, env)
        all_files = time.perf_counter() - start
    print(f"repository: {len(files)} files; hook at {head[:12]}; median of {args.runs} commits; "
          "seconds wall-clock / CPU (user + system)")
    print(f"  pre-commit itself (a hook that does nothing) adds "
          f"{noop[0] - bare[TARGETS[0]][0]:.3f} / {noop[1] - bare[TARGETS[0]][1]:.3f}")
    for t in TARGETS:
        (bw, bc), (hw, hc) = bare[t], hooked[t]
        print(f"  change {t:<26} the hook adds {hw - bw:.3f} / {hc - bc:.3f}; "
              f"trailcheck's share {hw - noop[0]:.3f} / {hc - noop[1]:.3f}")
    print(f"  pre-commit run --all-files: {all_files:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
