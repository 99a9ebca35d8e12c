"""folder: a module folder's files, as reports show them."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.loaders.reading import LoadOptions
from checker.loaders.terraform.folder import Folder


@pytest.mark.parametrize("cwd", [".", "a", "a/b", "a/b/c", "x"])
def test_files_are_shown_as_options_display_shows_them(tmp_path: Path, cwd: str) -> None:
    folder = tmp_path / "a" / "b"
    folder.mkdir(parents=True)
    (tmp_path / "a" / "b" / "c").mkdir()
    (tmp_path / "x").mkdir()
    for name in ("main.tf", ".hidden.tf", "..odd.tf", "j.tf.json"):
        (folder / name).write_text("{}" if name.endswith(".json") else "")
    options = LoadOptions(cwd=str(tmp_path / cwd))
    shown = [sf.display for sf in Folder(folder, options).files]
    assert shown == [options.display(folder / n)
                     for n in ("..odd.tf", ".hidden.tf", "j.tf.json", "main.tf")]  # fmt: skip
    assert len(shown) == 4
