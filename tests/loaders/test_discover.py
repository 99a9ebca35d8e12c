"""Telling the formats apart from the head of a file (`discover.sniff`), and finding inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.loaders import LoadOptions, sniff
from checker.loaders.discover import classify

ROOT = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("t.yaml", b"AWSTemplateFormatVersion: '2010-09-09'\n", "cloudformation"),
        ("t.yml", b"Resources:\n  B:\n    Type: AWS::S3::Bucket\n", "cloudformation"),
        ("t.template", b'{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}', "cloudformation"),
        ("t.json", b'{"Resources": {"T": {"Type": "AWS::KMS::Key"}}}', "cloudformation"),
        # an indented `resources: Resources:` (Serverless Framework) is not a template
        ("serverless.yml", b"resources:\n  Resources:\n    Q: {Type: AWS::SQS::Queue}\n", "other"),
        ("ci.yaml", b"jobs:\n  build:\n    steps: []\n", "other"),
        ("describe-trails.json", b'{"trailList": []}', "awscli"),
        ("describe-trails-eu.json", b'{"trails": []}', "awscli"),  # a CLI file, broken
        ("sel.json", b'{"TrailARN": "arn:...", "EventSelectors": []}', "awscli"),
        ("x.status.json", b'{"IsLogging": true}', "awscli"),
        ("x.yaml", b"IsLogging: true\n", "other"),  # CLI output is JSON only
        ("package.json", b'{"name": "app", "version": "1.0.0"}', "other"),
        ("snap.json", b'{"trailcheck_snapshot": 1, "trailList": []}', "snapshot"),
        ("plan.json", b'{"format_version": "1.2", "planned_values": {}}', "terraform-plan"),
        ("latin1.yaml", b"AWSTemplateFormatVersion: x\nDescription: caf\xe9\n", "cloudformation"),
        ("latin1.json", b'{"name": "caf\xe9"}', "error"),
    ],
)  # fmt: skip
def test_sniff(tmp_path: Path, name: str, content: bytes, kind: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert sniff(path) == kind


def test_a_multibyte_character_cut_by_the_head_is_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    head = b"x: " + b"a" * (256 * 1024 - 4)
    path.write_bytes(head + "é".encode() + b"\n")  # the é straddles the 256 KiB boundary
    assert sniff(path) == "other"


def test_an_unreadable_path_is_an_error(tmp_path: Path) -> None:
    assert sniff(tmp_path / "missing.json") == "error"


def test_fixture_files_sniff_as_their_format() -> None:
    for path in (ROOT / "cloudformation").glob("*.*"):
        expected = "other" if path.name == "not-a-template.yaml" else "cloudformation"
        assert sniff(path) == expected, path.name
    for path in (ROOT / "awscli").rglob("*.json"):
        assert sniff(path) == "awscli", path
    for path in (ROOT / "snapshot").glob("*.json"):
        assert sniff(path) == "snapshot", path


def test_classify_still_finds_structured_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "t.yaml").write_text("Resources: {}\n")
    (tmp_path / "a" / "vars.tfvars.json").write_text("{}")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.json").write_text("{}")
    found = classify([str(tmp_path)], LoadOptions(cwd=str(tmp_path)))
    assert [p.name for p in found.structured] == ["t.yaml"]
    assert found.errors == []


def test_a_hidden_folder_is_scanned_but_tool_caches_are_not(tmp_path: Path) -> None:
    """A Terragrunt layout keeps each account's trail under `.settings/`: that folder was
    skipped without a word, with every other folder whose name starts with a dot. Only the
    folders of tools (version control, module caches, build output) are left out."""
    for folder in (".settings/trail", ".terragrunt-cache/abc/trail", ".terraform/modules/m",
                   ".aws-sam/build"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "main.tf").write_text('resource "aws_cloudtrail" "t" {}\n')
    (tmp_path / ".aws-sam" / "build" / "template.yaml").write_text("Resources: {}\n")
    (tmp_path / ".config").mkdir()
    (tmp_path / ".config" / "audit.yaml").write_text("Resources: {}\n")
    found = classify([str(tmp_path)], LoadOptions(cwd=str(tmp_path)))
    assert found.terraform_roots == [(tmp_path / ".settings" / "trail").resolve()]
    assert [p.relative_to(tmp_path).as_posix() for p in found.structured] == [".config/audit.yaml"]


def test_terragrunt_units_are_the_terragrunt_files_no_terraform_folder_stands_for() -> None:
    live = Path(__file__).resolve().parents[2] / "fixtures" / "terragrunt" / "live"
    found = classify([str(live)], LoadOptions(cwd=str(live)))
    assert sorted(p.relative_to(live).as_posix() for p in found.terragrunt) == [
        "audit/trail/terragrunt.hcl", "shared/terragrunt.hcl"]  # not the parent, not bucket/
    assert found.terraform_roots == [(live / "audit" / "bucket").resolve()]


def test_a_named_variables_file_scans_its_module_folder(tmp_path: Path) -> None:
    """pre-commit passes a changed terraform.tfvars alone: its module's verdicts change."""
    (tmp_path / "main.tf").write_text('variable "x" {}\n')
    (tmp_path / "terraform.tfvars").write_text('x = "y"\n')
    (tmp_path / "prod.tfvars.json").write_text('{"x": "z"}\n')
    for name in ("terraform.tfvars", "prod.tfvars.json"):
        plan = classify([str(tmp_path / name)], LoadOptions())
        assert plan.terraform_roots == [tmp_path.resolve()]
        assert plan.structured == []
