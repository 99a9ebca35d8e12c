"""checker/diffing/sources.py: folders and git revisions, read without touching the work tree."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from checker.diffing.sources import SourceError, resolved, split_spec


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("HOME", str(tmp_path))
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Test")
    git(root, "config", "user.email", "test@example.com")
    (root / "infra").mkdir()
    (root / "infra" / "main.tf").write_text("# one\n")
    (root / ".trailcheck.yaml").write_text("accept: []\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "one")
    (root / "infra" / "main.tf").write_text("# two\n")
    (root / "infra" / "extra.tf").write_text("# extra\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "two")
    return root


def test_split_spec() -> None:
    assert split_spec("main:infra", None) == ("main", "infra")
    assert split_spec("main", "infra") == ("main", "./infra")
    assert split_spec("main", None) == ("main", "")
    with pytest.raises(SourceError):
        split_spec("main:infra", "other")


def test_revisions_with_path(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    (repo / "infra" / "main.tf").write_text("# uncommitted\n")
    status = git(repo, "status", "--porcelain")
    with resolved("HEAD~1", "HEAD", path="infra") as (base, head):
        assert base.kind == head.kind == "git"
        assert (base.folder / "main.tf").read_text() == "# one\n"
        assert sorted(p.name for p in head.folder.iterdir()) == ["extra.tf", "main.tf"]
        assert head.config is not None and head.config.read_text() == "accept: []\n"
        tmp = base.root
    assert not tmp.exists()  # temporary folders are removed
    # the work tree, index and HEAD are as before
    assert (repo / "infra" / "main.tf").read_text() == "# uncommitted\n"
    assert git(repo, "status", "--porcelain") == status


def test_rev_colon_path_from_a_subfolder(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "infra")
    with resolved("main~1:infra", "main", path=None) as (base, head):
        assert [p.name for p in base.folder.iterdir()] == ["main.tf"]
        assert (head.folder / "infra" / "extra.tf").is_file()
    with resolved("HEAD~1", "HEAD", path=".") as (base, _):  # relative to the current folder
        assert [p.name for p in base.folder.iterdir()] == ["main.tf"]


def test_paths_win_over_revisions(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    with resolved("infra", "HEAD:infra") as (base, head):
        assert base.kind == "path" and base.folder == (repo / "infra").resolve()
        assert base.config == repo / ".trailcheck.yaml"
        assert head.kind == "git"


@pytest.mark.parametrize(
    ("base", "head", "path", "message"),
    [
        ("nosuch", "HEAD", None, "unknown revision"),
        ("HEAD", "HEAD:nowhere", None, "does not exist in revision HEAD"),
        ("HEAD", "HEAD", "nowhere", "does not exist in revision"),
        (":infra", "HEAD", None, "no revision"),
        ("--upload-pack=x", "HEAD", None, "not a revision"),
        ("HEAD", "HEAD:../../etc", None, "outside the repository"),
    ],
)
def test_bad_revisions(repo: Path, monkeypatch: pytest.MonkeyPatch, base: str, head: str,
                       path: str | None, message: str) -> None:  # fmt: skip
    monkeypatch.chdir(repo)
    with pytest.raises(SourceError, match=message), resolved(base, head, path=path):
        pass


def test_outside_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    folder = tmp_path / "plain"
    folder.mkdir()
    monkeypatch.chdir(folder)
    with pytest.raises(SourceError, match="not inside a git repository"), resolved("main", "."):
        pass
    assert os.listdir(folder) == []
