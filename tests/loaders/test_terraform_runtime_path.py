"""One parser of record: nothing but `syntax.parse_file` reads HCL when trailcheck scans.

A second HCL reader on the runtime path (python-hcl2, lark, tree-sitter, pygohcl, or a
hand-made scanner beside the parser) fails these tests; python-hcl2 is a test-only oracle."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OTHER_PARSERS = ("lark", "hcl2", "tree_sitter", "tree_sitter_hcl", "pygohcl")

SCAN = """
import contextlib, io, json, sys
from checker.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    for target in sys.argv[1:]:
        main(["scan", target, "--format", "json"])
loaded = sorted({m.split(".")[0] for m in sys.modules})
print(json.dumps(loaded), file=sys.stderr)
"""


def test_scanning_imports_no_other_hcl_parser() -> None:
    # broken files, values files, .tf.json, modules and inline suppressions
    targets = ["fixtures/terraform", "fixtures/rules/CT099/fail", "fixtures/example"]
    done = subprocess.run(
        [sys.executable, "-c", SCAN, *targets], cwd=REPO, capture_output=True, text=True,
        check=False,
    )
    loaded = set(json.loads(done.stderr.strip().splitlines()[-1]))
    assert "checker" in loaded
    assert loaded.isdisjoint(OTHER_PARSERS), loaded & set(OTHER_PARSERS)


# The HCL readers that left the runtime path, where they lived.
GONE = re.compile(
    r"\b(?:scan_hcl|_HEADER|_LABEL|_LOCAL_NAME|_SOURCE|_ALIAS|check_jobs?|HCL2_VALIDATES_ALL"
    r"|_validator|warm_parser|_hcl2_blocks|_hcl2_error|parse_block|parse_body)\b"
)
OTHER_IMPORT = re.compile(r"^\s*(?:import|from)\s+(?:lark|hcl2|tree_sitter|pygohcl)\b", re.M)


def test_no_other_hcl_reader_in_checker() -> None:
    homes = [*(REPO / "checker/loaders/terraform").glob("*.py"), REPO / "checker/suppress.py"]
    found = [
        f"{path.relative_to(REPO)}: {m.group()}"
        for path in homes
        for m in GONE.finditer(path.read_text(encoding="utf-8"))
    ]
    found += [
        f"{path.relative_to(REPO)}: {m.group().strip()}"
        for path in (REPO / "checker").rglob("*.py")
        for m in OTHER_IMPORT.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_only_the_parser_and_its_entry_points_use_the_tokenizer() -> None:
    users = sorted(
        str(p.relative_to(REPO))
        for p in (REPO / "checker").rglob("*.py")
        if re.search(r"terraform(?:\.| import )lexer\b|from \. import lexer",
                     p.read_text(encoding="utf-8"))
    )
    assert users == ["checker/loaders/terraform/parser.py", "checker/loaders/terraform/syntax.py"]


def test_runtime_dependencies_have_no_hcl_library() -> None:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    runtime = text.split("dependencies = [", 1)[1].split("]", 1)[0]
    assert not re.search(r"hcl|lark|tree-sitter", runtime, re.I)
