"""prefetch: folders read ahead, their eager files lexed in a worker, give the serial estate."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
from pathlib import Path

import pytest

from checker import parallel
from checker.loaders import LoadOptions, load_paths
from checker.loaders.terraform import prefetch
from checker.loaders.terraform.folder import Folder

REPO = Path(__file__).resolve().parents[2]
# every shape of folder: roots and modules, .tf.json, CRLF, values files, syntax errors
TREES = ["fixtures/terraform", "fixtures/units", "fixtures/rules/CT000"]
OVERRIDE = {
    "main.tf": 'resource "aws_cloudtrail" "t" {\n  name = "base"\n  s3_bucket_name = "b"\n}\n'
    'variable "v" {\n  default = 1\n}\n',
    "override.tf": 'resource "aws_cloudtrail" "t" {\n  name = "over"\n}\n',
    "x.tf": 'locals {\n  y = [\n}\n',  # a syntax error in a file no reference asks for
}


def _override_tree(tmp_path: Path) -> Path:
    tmp_path.mkdir(exist_ok=True)
    for name, text in OVERRIDE.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_read_ahead_folders_have_the_tables_of_folders_read_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # no pool (as beside another thread): the slices are lexed here, when the parse asks
    monkeypatch.setattr(parallel, "_can_fork", lambda: False)
    monkeypatch.setattr(prefetch, "PARALLEL_LEX_FILES", 1)
    folder = _override_tree(tmp_path)
    options = LoadOptions(cwd=str(tmp_path), jobs=2)
    ahead = prefetch.read_folders([folder], options)[folder]
    assert all(sf.parsed for sf in ahead.files) and not any(sf.indexed for sf in ahead.files)
    ahead.index()
    one = Folder(folder, options)
    for table in ("variables", "locals", "resources", "modules", "outputs"):
        assert repr(getattr(ahead, table)) == repr(getattr(one, table))
    assert [sf.errors for sf in ahead.files] == [sf.errors for sf in one.files]
    assert ahead.files[2].errors  # x.tf: parsed with the override folder, and reported


def test_one_process_reads_ahead_and_parses_when_indexing(tmp_path: Path) -> None:
    folder = _override_tree(tmp_path)
    ahead = prefetch.read_folders([folder], LoadOptions(cwd=str(tmp_path), jobs=1))[folder]
    assert [sf.path.name for sf in ahead.files] == ["main.tf", "override.tf", "x.tf"]
    assert not any(sf.parsed for sf in ahead.files)
    ahead.index()
    assert all(sf.parsed and sf.indexed for sf in ahead.files)


def test_lexing_here_gives_the_serial_estate(monkeypatch: pytest.MonkeyPatch) -> None:
    serial = load_paths(TREES, LoadOptions(cwd=str(REPO), jobs=1))
    monkeypatch.setattr(parallel, "_can_fork", lambda: False)
    monkeypatch.setattr(prefetch, "PARALLEL_LEX_FILES", 1)
    assert load_paths(TREES, LoadOptions(cwd=str(REPO), jobs=2)) == serial


WORKER = """
import io, json, os, sys
from contextlib import redirect_stdout
from checker.cli import main
from checker.loaders.terraform import prefetch
prefetch.PARALLEL_LEX_FILES = 1
real = prefetch.lex
def lex(text):
    with open(sys.argv[1], "a") as f:
        f.write(f"{os.getpid()}\\n")
    return real(text)
prefetch.lex = lex
reports = []
for jobs in ("1", "2"):
    out = io.StringIO()
    with redirect_stdout(out):
        main(["scan", *sys.argv[2:], "--format", "json", "--jobs", jobs])
    reports.append(out.getvalue())
print(json.dumps([os.getpid(), reports]))
"""


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_lexing_in_a_worker_gives_the_serial_report(tmp_path: Path) -> None:
    # in a fresh interpreter: a thread another test left running would prevent forking
    log = tmp_path / "pids.log"
    tree = _override_tree(tmp_path / "override")
    done = subprocess.run([sys.executable, "-c", WORKER, str(log), *TREES, str(tree)],
                          capture_output=True, text=True, cwd=REPO, check=True)  # fmt: skip
    parent, (serial, pooled) = json.loads(done.stdout)
    assert pooled == serial
    assert json.loads(serial)["coverage"]["units"]
    pids = {int(p) for p in log.read_text().split()}
    assert pids - {parent}  # some files were lexed in a worker
