"""fileset(): Terraform's glob over the files of a folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.loaders.terraform import fileset as fs
from checker.model import Unknown


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("*.json", "a.json", True),
        ("*.json", "sub/a.json", False),  # * stays in one segment
        ("**/*.json", "a.json", True),  # ** may be no segment at all
        ("**/*.json", "x/y/a.json", True),
        ("**", "x/y/a.json", True),
        ("scps/?.json", "scps/a.json", True),
        ("scps/?.json", "scps/ab.json", False),
        ("{deny,allow}-*.json", "allow-s3.json", True),
        ("{deny,allow}-*.json", "other-s3.json", False),
        ("[a-c]*.json", "b.json", True),
        ("[^a-c]*.json", "b.json", False),
        ("a.json", "a-json", False),  # the dot is literal
        ("\\*.json", "*.json", True),
    ],
)
def test_glob_patterns(pattern: str, path: str, matches: bool) -> None:
    assert (fs.glob_regex(pattern).fullmatch(path) is not None) is matches


def test_fileset_lists_regular_files_relative_to_the_path_sorted(tmp_path: Path) -> None:
    for name in ("p/b.json", "p/a.json", "p/n.txt", "p/d/c.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    (tmp_path / "p" / "dir.json").mkdir()  # a folder is not a file
    assert fs.fileset(str(tmp_path), "p", "*.json") == ["a.json", "b.json"]
    assert fs.fileset(str(tmp_path), ".", "p/**/*.json") == ["p/a.json", "p/b.json", "p/d/c.json"]
    assert fs.fileset(str(tmp_path), "missing", "*") == []


def test_a_tree_too_large_is_not_enumerated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fs, "MAX_WALKED", 2)
    for name in ("a", "b", "c"):
        (tmp_path / name).write_text("")
    found = fs.fileset(str(tmp_path), ".", "*")
    assert isinstance(found, Unknown) and "more than 2 files" in found.reason
