"""One Terraform module folder: its files, and the top-level declarations of those parsed so far
(files are parsed when their text can hold what the loader asks for; see `files`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from checker.loaders.reading import LoadOptions, read_text
from checker.loaders.terraform.files import (
    Decl,
    SourceFile,
    is_override_file,
    is_seed,
    override_key,
    read_source,
)
from checker.model import Estate

TF_SUFFIXES = (".tf", ".tf.json")


class Folder:
    """One module folder: its files and the top-level declarations of those parsed so far.

    Files that can hold a `module` block are parsed when the folder is indexed (every file when
    the folder has override files), since the module graph is walked before anything else;
    those that can hold a resource of the model when its seeds are asked for (`seeds`), which
    in a large scan happens in the worker process that loads the folder's roots; the others when
    `declare` asks for a name they may declare. The tables below hold what the parsed files
    declare."""

    def __init__(self, path: Path, options: LoadOptions, *, index: bool = True) -> None:
        """`index`: parse the files that are parsed at once; without it the folder is only
        read, and `index` must be called before its tables are used (see `prefetch`)."""
        self.path = path
        self.display = options.display(path)
        self.files: list[SourceFile] = []
        self.read_errors: list[Estate] = []
        self.variables: dict[str, Decl] = {}
        self.locals: dict[str, list[Decl]] = {}
        self.resources: dict[tuple[str, str], Decl] = {}
        self.data: dict[tuple[str, str], Decl] = {}
        self.modules: dict[str, Decl] = {}
        self.outputs: dict[str, Decl] = {}
        self.providers: list[Decl] = []
        self._asked: set[tuple[str, tuple[str, ...]]] = set()
        self._seeds: list[Decl] | None = None
        self._read(options)
        self._override = any(is_override_file(sf.path.name) for sf in self.files)
        # parsed at once: every file when Terraform merges override files into the others
        self.eager = [sf for sf in self.files if self._override or sf.parsed
                      or sf.may_hold_module()]  # fmt: skip
        # parsed when the seeds are asked for: the files that can hold a resource of the model
        self.seed_files = [sf for sf in self.files if sf.may_hold_seed()]
        if index:
            self.index()

    def label(self) -> str:
        return self.display or "."

    def _read(self, options: LoadOptions) -> None:
        try:  # the entries know whether they are files without a stat each, on most systems
            with os.scandir(self.path) as found:
                entries = {e.name: e for e in found if e.name.endswith(TF_SUFFIXES)}
        except OSError:
            entries = {}
        # a file is shown as its folder is, and its name (the same as `options.display`)
        prefix = "" if self.display == "." else f"{self.display}/"
        for name in sorted(entries):
            if not _is_file(entries[name]):
                continue
            path = self.path / name
            display = prefix + name if not name.startswith(".") else options.display(path)
            text, err = read_text(path, display, "terraform")
            if err is not None:
                self.read_errors.append(err)
                continue
            self.files.append(read_source(path, display, text or "", len(self.files)))

    def index(self) -> None:
        """Parse the files that can hold a `module` block (every file when there are override
        files), and index their blocks."""
        if self._override:
            for sf in self.files:
                sf.parse()
                sf.indexed = True
            for sf in sorted(self.files, key=lambda f: is_override_file(f.path.name)):
                override = is_override_file(sf.path.name)
                for d in sf.decls:
                    if not (override and self._attach_override(d)):
                        self._declare(d)
            return
        for sf in self.eager:
            self._parse(sf)

    def _parse(self, sf: SourceFile) -> None:
        late = any(f.indexed for f in self.files[sf.index + 1 :])
        sf.indexed = True
        for d in sf.parse():
            self._declare(d)
        if late:  # keep the tables in reading order, as Terraform lists them
            for table in (self.variables, self.resources, self.data, self.modules, self.outputs):
                _sort(table)

    def declare(self, kind: str, *labels: str) -> None:
        """Parse the files that can declare a `kind` block with these labels (`locals`: the
        local `labels[0]`; no labels: any such block)."""
        key = (kind, labels)
        if key in self._asked or ((kind, ()) in self._asked and labels):
            return
        self._asked.add(key)
        for sf in self.files:
            if not sf.indexed and (
                sf.may_hold_provider() if kind == "provider" else sf.may_declare(kind, labels)
            ):
                self._parse(sf)

    def _attach_override(self, d: Decl) -> bool:
        """Attach a block of an override file to the block it overrides; False if none."""
        if d.kind == "locals":
            for n in d.names:
                self.locals.setdefault(n, []).insert(0, d)  # its values win
            return True
        key = override_key(d)
        for sf in self.files:
            if is_override_file(sf.path.name):
                continue
            for base in sf.decls:
                if base.kind == d.kind and override_key(base) == key:
                    base.overrides.append(d)
                    return True
        return False

    def _declare(self, d: Decl) -> None:
        """Index a declaration; of two with the same name, the first in reading order wins
        (Terraform refuses both)."""
        if d.kind == "resource" and len(d.labels) == 2:
            _first(self.resources, (d.labels[0], d.labels[1]), d)
        elif d.kind == "data" and len(d.labels) == 2:
            _first(self.data, (d.labels[0], d.labels[1]), d)
        elif d.kind == "variable" and d.labels:
            _first(self.variables, d.labels[0], d)
        elif d.kind == "locals":
            for n in d.names:
                decls = self.locals.setdefault(n, [])
                decls.append(d)
                decls.sort(key=_order)
        elif d.kind == "module" and d.labels:
            _first(self.modules, d.labels[0], d)
        elif d.kind == "output" and d.labels:
            _first(self.outputs, d.labels[0], d)
        elif d.kind == "provider" and d.labels:
            self.providers.append(d)
            self.providers.sort(key=_order)

    def parsed_cleanly(self) -> bool:
        return not any(sf.errors for sf in self.files if sf.parsed)

    def seeds(self) -> list[Decl]:
        """The resources of the model the folder declares (its files that can hold one are
        parsed first)."""
        if self._seeds is None:
            for sf in self.seed_files:
                if not sf.indexed:
                    self._parse(sf)
            self._seeds = [d for d in self.resources.values() if is_seed(d)]
        return self._seeds


def _order(d: Decl) -> tuple[int, int]:
    return d.order


def _sort(table: dict[Any, Decl]) -> None:
    items = sorted(table.items(), key=lambda kv: kv[1].order)
    table.clear()
    table.update(items)


def _first(table: dict[Any, Decl], key: Any, d: Decl) -> None:
    known = table.get(key)
    if known is None or d.order < known.order:
        table[key] = d


def _is_file(entry: os.DirEntry[str]) -> bool:
    """`Path.is_file`: a link that loops or dangles is not a file."""
    try:
        return entry.is_file()
    except OSError:
        return False
