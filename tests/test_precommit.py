"""The pre-commit hook for real: a git repository, `pre-commit install`, a refused commit.

The hook runs on the changed file only; it must still resolve what that file references (the
log bucket, key and log group in the other files of the module folder).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MODULE = REPO / "fixtures" / "example"  # the bundled example: no high-severity failure


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_commit_refused_then_accepted(tmp_path: Path) -> None:
    head = _run(["git", "rev-parse", "HEAD"], REPO, dict(os.environ))
    if head.returncode != 0:
        pytest.skip("the checkout has no commit for pre-commit to clone")
    pre_commit = Path(sys.executable).parent / "pre-commit"
    assert pre_commit.exists(), "pre-commit is a test dependency"
    env = dict(os.environ)
    env.update({
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
        "PATH": f"{pre_commit.parent}{os.pathsep}{env.get('PATH', '')}",
    })  # fmt: skip
    work = tmp_path / "repo"
    infra = work / "infra"
    shutil.copytree(MODULE, infra)
    assert _run(["git", "init", "-q"], work, env).returncode == 0
    (work / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {REPO}\n"
        f"    rev: {head.stdout.strip()}\n"
        "    hooks:\n"
        "      - id: trailcheck\n"
        "        args: [--fail-on, high]\n"
    )
    install = _run([str(pre_commit), "install"], work, env)
    assert install.returncode == 0, install.stderr

    _run(["git", "add", "-A"], work, env)
    first = _run(["git", "commit", "-m", "audit trail"], work, env)
    assert first.returncode == 0, first.stdout + first.stderr

    trail = infra / "trail.tf"
    good = trail.read_text()
    trail.write_text(
        good.replace("is_multi_region_trail ", "enable_logging = false\n  is_multi_region_trail ")
    )
    _run(["git", "add", "infra/trail.tf"], work, env)
    refused = _run(["git", "commit", "-m", "pause the trail"], work, env)
    out = refused.stdout + refused.stderr
    assert refused.returncode != 0, out
    assert "CT004" in out and "aws_cloudtrail.org" in out
    # the bucket and key in the folder's other files were read, not reported as outside
    assert "not in the scanned inputs" not in out, out

    trail.write_text(good)
    _run(["git", "add", "infra/trail.tf"], work, env)
    accepted = _run(["git", "commit", "-m", "keep logging"], work, env)
    # nothing staged differs from HEAD: git refuses an empty commit, so commit a real change
    if "nothing to commit" in accepted.stdout:
        trail.write_text(good + "\n# reviewed\n")
        _run(["git", "add", "infra/trail.tf"], work, env)
        accepted = _run(["git", "commit", "-m", "keep logging"], work, env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
