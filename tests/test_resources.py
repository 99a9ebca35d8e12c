from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker import resources


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "trailcheck"


def test_yaml_documents_are_parsed_once_per_content(tmp_path: Path, cache: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("id: A\nlist: [1, 2.5, true, null]\n", encoding="utf-8")
    b.write_text("nested: {x: 'y'}\n", encoding="utf-8")
    first = resources.yaml_documents([a, b])
    assert first == [{"id": "A", "list": [1, 2.5, True, None]}, {"nested": {"x": "y"}}]
    (copy,) = cache.glob("yaml-*.json")
    copy.write_text(json.dumps([{"id": "from the copy"}, {}]), encoding="utf-8")
    assert resources.yaml_documents([a, b])[0] == {"id": "from the copy"}
    # a changed file is parsed again
    a.write_text("id: B\n", encoding="utf-8")
    assert resources.yaml_documents([a, b])[0] == {"id": "B"}


def test_yaml_documents_json_cannot_hold_are_not_copied(tmp_path: Path, cache: Path) -> None:
    doc = tmp_path / "d.yaml"
    doc.write_text("1: one\nwhen: 2024-01-02\n", encoding="utf-8")
    first = resources.yaml_documents([doc])
    assert 1 in first[0] and not isinstance(first[0]["when"], str)
    assert not list(cache.glob("yaml-*.json"))
    assert resources.yaml_documents([doc]) == first


def test_a_broken_copy_is_parsed_again(tmp_path: Path, cache: Path) -> None:
    doc = tmp_path / "d.yaml"
    doc.write_text("k: v\n", encoding="utf-8")
    resources.yaml_documents([doc])
    (copy,) = cache.glob("yaml-*.json")
    copy.write_text("{not json", encoding="utf-8")
    assert resources.yaml_documents([doc]) == [{"k": "v"}]
