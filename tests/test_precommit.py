"""The pre-commit hook for real: a git repository, `pre-commit install`, a refused commit.

The hook runs on the changed file only; it must still resolve what that file references (the
log bucket, key and log group in the other files of the module folder).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

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


HOOK = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))[0]


def _passed(path: str) -> bool:
    """What pre-commit does with the hook's patterns: `files` must match, `exclude` must not."""
    return bool(re.search(HOOK["files"], path)) and not re.search(HOOK["exclude"], path)


@pytest.mark.parametrize("path", [
    "infra/main.tf", "infra/main.tf.json", "infra/terraform.tfvars", "envs/prod.tfvars.json",
    "stacks/trail.yaml", "stacks/trail.yml", "stacks/trail.json", "stacks/trail.template",
    "plan.json", "saved/describe-trails.json", "k8s/deployment.yaml",
])  # fmt: skip
def test_hook_passes_what_can_hold_configuration(path: str) -> None:
    assert _passed(path)


@pytest.mark.parametrize("path", [
    ".github/workflows/ci.yml", "package.json", "web/package-lock.json", "tsconfig.json",
    "web/tsconfig.app.json", ".pre-commit-config.yaml", "docker-compose.yml",
    "charts/app/values.yaml", "charts/app/Chart.yaml", ".vscode/settings.json",
    "node_modules/x/package.json", ".gitlab-ci.yml", "mkdocs.yml", "renovate.json",
    "infra/.terraform.lock.hcl", "infra/.terraform/modules/modules.json", ".trailcheck.yaml",
    "README.md", "src/app.py",
])  # fmt: skip
def test_hook_skips_files_that_are_never_configuration(path: str) -> None:
    assert not _passed(path)
