"""No dead code in checker/: vulture, configured in pyproject.toml ([tool.vulture]), with the
names it cannot see used in tests/dead_code_whitelist.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_vulture_reports_nothing() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "vulture"], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_vulture_would_report_an_unused_function(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text("def used() -> int:\n    return 1\n\n\n"
                                     "def unused() -> int:\n    return used()\n")
    done = subprocess.run(
        [sys.executable, "-m", "vulture", str(tmp_path)], cwd=tmp_path, capture_output=True,
        text=True, check=False,
    )
    assert done.returncode != 0 and "unused function 'unused'" in done.stdout
