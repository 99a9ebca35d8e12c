"""Hostile or broken templates: exactly one CT000 naming the file and line, never a traceback,
never unbounded memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.loaders import LoadOptions, load_paths
from checker.loaders.cloudformation.loader import load_template
from checker.model import Diagnostic, Estate

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "cloudformation"


def only_ct000(estate: Estate) -> Diagnostic:
    assert len(estate.diagnostics) == 1, estate.diagnostics
    d = estate.diagnostics[0]
    assert (d.rule_id, d.status) == ("CT000", "fail")
    assert estate.inputs[0].status == "error"
    assert estate.trails == () and estate.buckets == ()
    return d


def scan(path: Path) -> Estate:
    """Through discovery, as `trailcheck scan FILE` loads it."""
    return load_paths([str(path)], LoadOptions(cwd=str(path.parent)))


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("broken-yaml-bomb.yaml", 8, "aliases expand to more than 100000 nodes"),
        ("broken-resources-list.yaml", 4, "Resources must be a mapping"),
        ("broken-not-utf8.yaml", 7, "not UTF-8"),
        ("broken-syntax.yaml", 8, "invalid YAML"),
        ("broken-duplicate-key.json", 9, "duplicate key 'IsLogging' (first at line 7)"),
    ],
)
def test_broken_fixtures_give_one_ct000_with_file_and_line(
    name: str, line: int, words: str
) -> None:
    for estate in (load_template(FIXTURES / name, name, LoadOptions()), scan(FIXTURES / name)):
        d = only_ct000(estate)
        assert d.location.file == name and d.location.line == line
        assert words in d.message
        assert estate.inputs[0].kind == "cloudformation"


def test_a_50_mb_template_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as fh:
        fh.write(b'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n')
        fh.seek(50 * 1024 * 1024 - 1)  # sparse: no 50 MB written to disk
        fh.write(b"\n")
    for estate in (load_template(path, "huge.yaml", LoadOptions()), scan(path)):
        d = only_ct000(estate)
        assert d.location.file == "huge.yaml"
        assert "50.0 MB, above the 20 MB limit" in d.message


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("AWSTemplateFormatVersion: x\nResources:\n  B: &a [1, *a]\n", 3,
         "refers to a node that contains it"),
        ("AWSTemplateFormatVersion: x\nResources:\n  B: *nothing\n", 3, "has no anchor"),
        ("AWSTemplateFormatVersion: x\nResources: !!python/object/apply:os.system [ls]\n", 2,
         "unsupported YAML tag"),
        # below libyaml's own limit (1000), so that ours is the one that answers
        ("AWSTemplateFormatVersion: x\nResources:\n  B: " + "[" * 200 + "]" * 200 + "\n", 3,
         "nested deeper than 100 levels"),
        ('{"AWSTemplateFormatVersion": "x", "Resources": ' + "[" * 5000 + "]" * 5000 + "}", 1,
         "nested deeper than 100 levels"),
        ("AWSTemplateFormatVersion: x\nResources:\n  B: {Type: AWS::S3::Bucket}\n  B: {}\n", 4,
         "duplicate key 'B'"),
        ("AWSTemplateFormatVersion: x\nResources:\n  B:\n\tType: x\n", 4, "invalid YAML"),
        ("AWSTemplateFormatVersion: x\nResources: {B: \x00}\n", 2, "control characters"),
        ('{"AWSTemplateFormatVersion": "x",\n "Resources": {,}}', 2, "invalid JSON"),
    ],
)  # fmt: skip
def test_hostile_templates(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = tmp_path / ("t.json" if text.startswith("{") else "t.yaml")
    path.write_text(text, encoding="utf-8")
    d = only_ct000(load_template(path, path.name, LoadOptions()))
    assert d.location.line == line and words in d.message


def test_a_wide_bomb_of_mapping_merges_is_refused(tmp_path: Path) -> None:
    keys = ", ".join(f"k{i}: v" for i in range(50))
    lines = ["AWSTemplateFormatVersion: x", "Metadata:", "  m0: &m0 {" + keys + "}"]
    for i in range(1, 6):
        lines.append(f"  m{i}: &m{i} [" + ", ".join([f"*m{i - 1}"] * 50) + "]")
    path = tmp_path / "merge.yaml"
    path.write_text("\n".join(lines) + "\nResources: {}\n", encoding="utf-8")
    assert "aliases expand" in only_ct000(load_template(path, "merge.yaml", LoadOptions())).message


def test_a_few_aliases_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "anchors.yaml"
    path.write_text(
        "AWSTemplateFormatVersion: x\n"
        "Resources:\n"
        "  A:\n"
        "    Type: AWS::S3::Bucket\n"
        "    Properties: &props\n"
        "      VersioningConfiguration: {Status: Enabled}\n"
        "  B:\n"
        "    Type: AWS::S3::Bucket\n"
        "    Properties:\n"
        "      <<: *props\n"
        "      BucketName: b\n",
        encoding="utf-8",
    )
    e = load_template(path, "anchors.yaml", LoadOptions())
    assert e.diagnostics == ()
    assert [(b.id, b.versioning) for b in e.buckets] == [("A", "Enabled"), ("B", "Enabled")]
    assert e.buckets[1].name == "b"


def test_a_resources_list_without_version_is_still_a_template(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("Resources:\n  - Bucket:\n      Type: AWS::S3::Bucket\n", encoding="utf-8")
    d = only_ct000(load_template(path, "t.yaml", LoadOptions()))
    assert d.location.line == 1 and "not a list" in d.message
