"""BASE and HEAD of `trailcheck diff`: a folder or file, or a git revision of the current
repository (optionally `REV:path`, or with `--path`), resolved to something on disk.

A revision is read with `git ls-tree` and `git cat-file --batch` into a temporary folder: the
work tree, the index and HEAD are never touched. A name that is an existing path is a path; any
other name is tried as a revision. Every failure is a `SourceError` with a message for the user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from checker.errors import UsageError

CONFIG_NAMES = (".trailcheck.yaml", ".trailcheck.yml")


class SourceError(UsageError):
    """BASE or HEAD cannot be read: exit code 2 with the message."""


@dataclass(frozen=True)
class Source:
    """One side, ready to load. `folder` is what the loaders read; `root` is the folder that
    report paths are relative to; `config` is the settings file found for this side, if any."""

    label: str  # as the user wrote it ("main", "HEAD~1:infra", "./old")
    kind: str  # "path" | "git"
    folder: Path
    root: Path
    revision: str | None = None  # full commit id for git sources
    config: Path | None = None


def _git(
    args: Sequence[str], cwd: Path, *, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False
        )
    except FileNotFoundError as e:
        raise SourceError(
            "git is not installed, so revisions cannot be read; pass two folders"
        ) from e


def repository_root(cwd: Path) -> Path | None:
    result = _git(["rev-parse", "--show-toplevel"], cwd)
    if result.returncode != 0:
        return None
    return Path(result.stdout.decode().strip())


def split_spec(spec: str, path: str | None) -> tuple[str, str]:
    """`REV:path` or `REV` with `--path`: the revision and the path inside the repository (as
    git reads it after `REV:`: from the root, or from the current folder when it starts `./`)."""
    rev, sep, inner = spec.partition(":")
    if sep and path:
        raise SourceError(f"{spec}: give the path either as REV:path or with --path, not both")
    if not sep:
        inner = path or ""
        if inner and not inner.startswith(("./", "../")) and not os.path.isabs(inner):
            inner = "./" + inner  # --path is relative to the current folder, like a scan path
    if not rev:
        raise SourceError(f"{spec}: no revision before ':'")
    return rev, inner


def _inner_path(inner: str, repo: Path, cwd: Path, spec: str) -> str:
    """The path inside the repository, relative to its root, with forward slashes ('' = all)."""
    if inner.startswith(("./", "../")) or inner in (".", ".."):
        absolute = Path(os.path.normpath(cwd.resolve() / inner))
        try:
            rel = absolute.relative_to(repo.resolve())
        except ValueError:
            raise SourceError(f"{spec}: {inner} is outside the repository {repo}") from None
        text = rel.as_posix()
    elif os.path.isabs(inner):
        raise SourceError(f"{spec}: a path inside a revision cannot be absolute ({inner})")
    else:
        text = PurePosixPath(inner).as_posix()
    text = text.strip("/")
    if text in ("", "."):
        return ""
    if any(part == ".." for part in PurePosixPath(text).parts):
        raise SourceError(f"{spec}: {inner} is outside the repository")
    return text


def _commit(rev: str, repo: Path, spec: str) -> str:
    if rev.startswith("-"):
        raise SourceError(f"{spec}: not a revision")
    result = _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], repo)
    if result.returncode != 0:
        raise SourceError(
            f"{spec}: not a path, and not a revision of the repository at {repo} "
            "(unknown revision)"
        )
    return result.stdout.decode().strip()


def _tree_entries(commit: str, inner: str, repo: Path) -> list[tuple[str, str, str]]:
    """(mode, blob id, path) of every file under `inner` at `commit`."""
    args = ["ls-tree", "-r", "-z", "--full-tree", commit]
    if inner:
        args += ["--", inner]
    result = _git(args, repo)
    if result.returncode != 0:
        raise SourceError(f"cannot list {commit[:12]}: {result.stderr.decode().strip()}")
    out = []
    for item in result.stdout.split(b"\0"):
        if not item:
            continue
        meta, _, name = item.partition(b"\t")
        mode, kind, blob = meta.decode().split()
        if kind != "blob" or mode == "120000":
            continue  # submodules and symbolic links are not configuration
        out.append((mode, blob, name.decode("utf-8", "surrogateescape")))
    return out


def _write_blobs(entries: Sequence[tuple[str, str, str]], repo: Path, dest: Path) -> None:
    if not entries:
        return
    request = "".join(f"{blob}\n" for _, blob, _ in entries).encode()
    result = _git(["cat-file", "--batch"], repo, stdin=request)
    if result.returncode != 0:
        raise SourceError(f"cannot read files from git: {result.stderr.decode().strip()}")
    data = result.stdout
    pos = 0
    for _, blob, name in entries:
        end = data.index(b"\n", pos)
        header = data[pos:end].decode().split()
        if len(header) != 3 or header[0] != blob:
            raise SourceError(f"unexpected answer from git cat-file for {name}")
        size = int(header[2])
        content = data[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1
        target = dest.joinpath(*PurePosixPath(name).parts)
        if dest.resolve() not in target.resolve().parents:
            raise SourceError(f"refusing to write {name} outside the temporary folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def _revision_config(commit: str, inner: str, repo: Path, dest: Path) -> Path | None:
    """The nearest config file of the revision at or above `inner`, copied into `dest`."""
    parts = list(PurePosixPath(inner).parts) if inner else []
    for depth in range(len(parts), -1, -1):
        folder = "/".join(parts[:depth])
        for name in CONFIG_NAMES:
            path = f"{folder}/{name}" if folder else name
            entries = [e for e in _tree_entries(commit, path, repo) if e[2] == path]
            if entries:
                target = dest.joinpath(*PurePosixPath(path).parts)
                if not target.is_file():
                    _write_blobs(entries, repo, dest)
                return target
    return None


def _find_path_config(start: Path) -> Path | None:
    from checker.config import find_config

    return find_config(start)


def resolve_one(
    spec: str, workdir: Path, *, path: str | None = None, cwd: Path | None = None
) -> Source:
    """Resolve one side; a git revision is written under `workdir` (which the caller removes)."""
    cwd = cwd or Path.cwd()
    if not spec:
        raise SourceError("an empty BASE or HEAD")
    candidate = Path(spec) if os.path.isabs(spec) else cwd / spec
    if os.path.exists(candidate):
        if path:
            candidate = candidate / path
            if not candidate.exists():
                raise SourceError(f"{spec}: no {path} inside it")
        folder = candidate.resolve()
        root = folder if folder.is_dir() else folder.parent
        return Source(spec, "path", folder, root, config=_find_path_config(folder))
    repo = repository_root(cwd)
    rev, inner = split_spec(spec, path)
    if repo is None:
        raise SourceError(
            f"{spec}: no such file or folder, and {cwd} is not inside a git repository "
            "(so it cannot be a revision)"
        )
    commit = _commit(rev, repo, spec)
    inner_rel = _inner_path(inner, repo, cwd, spec)
    entries = _tree_entries(commit, inner_rel, repo)
    if inner_rel and not entries:
        raise SourceError(f"{spec}: {inner_rel} does not exist in revision {rev} ({commit[:12]})")
    dest = Path(tempfile.mkdtemp(prefix="rev-", dir=workdir))
    _write_blobs(entries, repo, dest)
    folder = dest.joinpath(*PurePosixPath(inner_rel).parts) if inner_rel else dest
    config = _revision_config(commit, inner_rel, repo, dest)
    return Source(spec, "git", folder, dest, revision=commit, config=config)


@contextmanager
def resolved(
    base: str, head: str, *, path: str | None = None, cwd: Path | None = None
) -> Iterator[tuple[Source, Source]]:
    """Both sides, with temporary folders removed afterwards."""
    workdir = Path(tempfile.mkdtemp(prefix="trailcheck-diff-"))
    try:
        yield (
            resolve_one(base, workdir, path=path, cwd=cwd),
            resolve_one(head, workdir, path=path, cwd=cwd),
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
