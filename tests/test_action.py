"""The GitHub Action (action.yml) run as a workflow runs it: each shell step as a composite
action's `bash --noprofile --norc -eo pipefail` script, its `env:` filled from the inputs, with
the runner's files (GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, GITHUB_PATH, RUNNER_TEMP).

`uses:` steps (actions/setup-python, actions/cache) are GitHub's; they are checked for their
inputs only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def step(name: str) -> dict[str, Any]:
    return next(s for s in STEPS if s.get("name") == name)


class Runner:
    """One job's runner files and the values `${{ ... }}` expressions take."""

    def __init__(self, tmp: Path, inputs: dict[str, str], workspace: Path) -> None:
        self.temp = tmp / "runner-temp"
        self.temp.mkdir()
        self.summary = tmp / "step-summary.md"
        self.path_file = tmp / "github-path"
        self.workspace = workspace
        defaults = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
        self.values = {f"inputs.{k}": v for k, v in {**defaults, **inputs}.items()}
        self.values["github.action_path"] = str(REPO)
        self.values["steps.python.outputs.python-path"] = sys.executable

    def expand(self, text: str) -> str:
        return EXPRESSION.sub(lambda m: self.values[m.group(1)], text)

    def run(self, name: str, extra_path: str = "") -> tuple[int, dict[str, str]]:
        s = step(name)
        script = self.temp / "step.sh"
        script.write_text(s["run"], encoding="utf-8")
        output = self.temp / "github-output"
        output.write_text("")
        env = {
            "PATH": f"{extra_path}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}"
                    f"{os.environ['PATH']}",
            "HOME": os.environ.get("HOME", str(self.temp)),
            "XDG_CACHE_HOME": os.environ.get("XDG_CACHE_HOME", str(self.temp)),
            "RUNNER_TEMP": str(self.temp),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_PATH": str(self.path_file),
            "COLUMNS": "100",
            **{k: self.expand(str(v)) for k, v in (s.get("env") or {}).items()},
        }  # fmt: skip
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                              cwd=self.workspace, env=env, capture_output=True, text=True,
                              timeout=300)  # fmt: skip
        outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if line)
        self.last = proc
        return proc.returncode, outputs


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checked-out repository whose infrastructure folder has a space in its name."""
    ws = tmp_path / "workspace"
    shutil.copytree(REPO / "fixtures" / "example", ws / "my infra")
    return ws


def test_no_input_is_pasted_into_a_script() -> None:
    for s in STEPS:
        if "run" in s:
            assert "${{" not in s["run"], s.get("name")
            assert s["shell"] == "bash"
    scan = step("Scan")
    assert set(scan["env"]) >= {"INPUT_PATHS", "INPUT_FAIL_ON", "INPUT_CONFIG",
                                "INPUT_FAIL_ON_UNKNOWN", "INPUT_EXTRA_ARGS"}  # fmt: skip


def test_python_from_setup_python_and_pip_caching() -> None:
    uses = {s["uses"].split("@")[0]: s for s in STEPS if "uses" in s}
    assert uses["actions/setup-python"]["with"]["update-environment"] is False
    cache = uses["actions/cache"]["with"]
    assert cache["path"] == "${{ steps.pip-cache.outputs.dir }}"
    assert "github.action_ref" in cache["key"]
    assert set(ACTION["inputs"]) >= {"paths", "fail-on", "fail-on-unknown", "config",
                                     "sarif-file", "diff-base", "extra-args"}  # fmt: skip


def test_install_step_creates_a_venv_and_installs_the_action(tmp_path: Path,
                                                             workspace: Path) -> None:
    """With stand-ins for python and pip: the action's path (which may hold spaces) reaches pip
    as one argument, and the venv's bin folder goes on the job's PATH."""
    bin_dir = tmp_path / "fake bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls.txt"
    fake_python = bin_dir / "python"
    fake_python.write_text(
        "#!/usr/bin/env bash\n"
        f'printf "%s\\n" "python $*" >> "{calls}"\n'
        'if [ "$1" = -m ] && [ "$2" = venv ]; then\n'
        '  mkdir -p "$3/bin"; cp "$0" "$3/bin/python"\n'
        "fi\n"
    )
    fake_python.chmod(fake_python.stat().st_mode | stat.S_IEXEC)
    runner = Runner(tmp_path, {}, workspace)
    runner.values["steps.python.outputs.python-path"] = str(fake_python)
    runner.values["github.action_path"] = "/runner/_actions/your-org/trailcheck/v1 with space"
    code, _ = runner.run("Install trailcheck")
    assert code == 0, runner.last.stderr
    lines = calls.read_text().splitlines()
    venv = runner.temp / "trailcheck-venv"
    assert lines[0] == f"python -m venv {venv}"
    assert lines[1] == ("python -m pip install --quiet "
                        "/runner/_actions/your-org/trailcheck/v1 with space")  # fmt: skip
    assert runner.path_file.read_text().strip() == str(venv / "bin")


def test_scan_step_writes_sarif_and_the_job_summary(tmp_path: Path, workspace: Path) -> None:
    runner = Runner(tmp_path, {"paths": "my infra", "fail-on": "high"}, workspace)
    code, outputs = runner.run("Scan")
    assert code == 0, runner.last.stdout + runner.last.stderr
    assert outputs["exit-code"] == "0"
    sarif = json.loads((workspace / "trailcheck.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    assert runner.summary.read_text().startswith("## trailcheck ❌ failed")
    again = tmp_path / "default"
    again.mkdir()
    code, outputs = Runner(again, {"paths": "my infra"}, workspace).run("Scan")
    assert code == 1 and outputs["exit-code"] == "1"  # low findings fail at the default


def test_config_unknown_and_several_paths(tmp_path: Path, workspace: Path) -> None:
    (workspace / "ci").mkdir()
    (workspace / "ci" / "trailcheck.yaml").write_text(
        "skip:\n  - rule: CT002\n    reason: validated by the archive account\n")
    shutil.copytree(REPO / "fixtures" / "rules" / "CT002" / "pass" / "terraform",
                    workspace / "other")  # fmt: skip
    runner = Runner(tmp_path, {"paths": "my infra\nother\n", "config": "ci/trailcheck.yaml",
                               "fail-on": "critical", "fail-on-unknown": "true"}, workspace)
    code, _ = runner.run("Scan")
    assert code in (0, 1), runner.last.stderr
    sarif = json.loads((workspace / "trailcheck.sarif").read_text())
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif["runs"][0]["results"]}  # fmt: skip
    assert any(u.startswith("my%20infra") for u in uris)
    suppressed = [r for r in sarif["runs"][0]["results"] if r.get("suppressions")]
    assert suppressed and all(r["ruleId"] == "CT002" for r in suppressed)


@pytest.mark.parametrize("crafted", [
    {"paths": 'my infra"; touch "$RUNNER_TEMP/pwned'},
    {"paths": "$(touch pwned)"},
    {"extra-args": "--no-color; touch pwned `touch pwned` $(touch pwned)"},
    {"fail-on": 'high"; touch pwned; echo "'},
    {"sarif-file": "x.sarif; touch pwned"},
    {"paths": "--output=/tmp/trailcheck-action-test.txt"},
])  # fmt: skip
def test_crafted_inputs_run_no_command(crafted: dict[str, str], tmp_path: Path,
                                       workspace: Path) -> None:
    runner = Runner(tmp_path, {"paths": "my infra", **crafted}, workspace)
    runner.run("Scan")
    assert not (workspace / "pwned").exists()
    assert not (runner.temp / "pwned").exists()
    assert not Path("/tmp/trailcheck-action-test.txt").exists()  # a path, never an option
    assert "Traceback" not in runner.last.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_diff_step_fails_when_the_change_records_less(tmp_path: Path, workspace: Path) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}  # fmt: skip

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=workspace, env=env, check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    git("branch", "base")
    trail = workspace / "my infra" / "trail.tf"
    trail.write_text(trail.read_text().replace("is_multi_region_trail         = true",
                                               "is_multi_region_trail         = false"))
    git("commit", "-q", "-am", "single region")
    runner = Runner(tmp_path, {"paths": "my infra", "fail-on": "critical", "diff-base": "base"},
                    workspace)  # fmt: skip
    assert runner.run("Scan")[0] == 0, runner.last.stderr
    code, _ = runner.run("Compare with the base revision")
    assert code == 1, runner.last.stdout + runner.last.stderr
    summary = runner.summary.read_text()
    assert "### ❌ trailcheck diff: coverage shrinks" in summary
    assert step("Compare with the base revision")["if"] == (
        "${{ !cancelled() && inputs.diff-base != '' }}")
