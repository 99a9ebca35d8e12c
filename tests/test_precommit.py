"""The pre-commit hook for real: a git repository, `pre-commit install`, a refused commit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BAD = REPO / "fixtures" / "rules" / "CT004" / "fail" / "terraform" / "main.tf"
GOOD = REPO / "fixtures" / "rules" / "CT004" / "pass" / "terraform" / "main.tf"


def _git(cwd: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_commit_refused_then_accepted(tmp_path: Path) -> None:
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True)
    if head.returncode != 0:
        pytest.skip("the checkout has no commit for pre-commit to clone")
    pre_commit = Path(sys.executable).parent / "pre-commit"
    assert pre_commit.exists(), "pre-commit is a test dependency"
    env = dict(os.environ)
    env.update(
        {
            "PRE_COMMIT_HOME": str(tmp_path / "cache"),
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
            "PATH": f"{pre_commit.parent}{os.pathsep}{env.get('PATH', '')}",
        }
    )
    work = tmp_path / "infra"
    work.mkdir()
    _git(work, "init", "-q", env=env)
    (work / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {REPO}\n"
        f"    rev: {head.stdout.strip()}\n"
        "    hooks:\n"
        "      - id: trailcheck\n"
    )
    install = subprocess.run(
        [str(pre_commit), "install"], cwd=work, env=env, capture_output=True, text=True
    )
    assert install.returncode == 0, install.stderr

    (work / "main.tf").write_text(BAD.read_text())
    _git(work, "add", "main.tf", ".pre-commit-config.yaml", env=env)
    refused = _git(work, "commit", "-m", "bad trail", env=env)
    assert refused.returncode != 0, refused.stdout + refused.stderr
    assert "CT004" in refused.stdout + refused.stderr

    (work / "main.tf").write_text(GOOD.read_text())
    _git(work, "add", "main.tf", env=env)
    accepted = _git(work, "commit", "-m", "fixed trail", env=env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
