"""terragrunt: a Terragrunt unit is reported as not judged, never skipped without a word."""

from __future__ import annotations

from pathlib import Path

from checker.loaders import LoadOptions, load_paths
from checker.loaders.reading import LoadOptions as Options
from checker.loaders.terragrunt import load_terragrunt

REPO = Path(__file__).resolve().parents[2]
LIVE = REPO / "fixtures" / "terragrunt" / "live"


def test_each_unit_of_a_terragrunt_layout_gets_one_unknown_ct000() -> None:
    """A layout of terragrunt.hcl files alone was "0 input files ... nothing to judge", exit 0,
    even when one of its units deploys the organization trail."""
    estate = load_paths([str(LIVE)], LoadOptions(cwd=str(REPO)))
    found = {(d.location.file, d.location.line, d.status) for d in estate.diagnostics}
    assert found == {
        ("fixtures/terragrunt/live/audit/trail/terragrunt.hcl", 6, "unknown"),
        ("fixtures/terragrunt/live/shared/terragrunt.hcl", 1, "unknown"),
    }
    trail_unit = next(d for d in estate.diagnostics if "audit/trail" in d.location.file)
    assert "does not run Terragrunt" in trail_unit.message
    assert "infra-modules.git//org-trail?ref=v2.1.0" in trail_unit.message
    assert "terragrunt show -json" in trail_unit.message
    assert trail_unit.location.unit == "fixtures/terragrunt/live/audit/trail"
    # the unit with .tf files beside its terragrunt.hcl is read as Terraform
    assert [b.id for b in estate.buckets] == ["aws_s3_bucket.logs"]


def test_a_named_terragrunt_file_is_reported_too() -> None:
    """pre-commit passes the changed file alone."""
    path = LIVE / "audit" / "trail" / "terragrunt.hcl"
    estate = load_paths([str(path)], LoadOptions(cwd=str(REPO)))
    assert [d.location.line for d in estate.diagnostics] == [6]


def test_an_unreadable_terragrunt_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "terragrunt.hcl"
    path.write_bytes(b"terraform {\n  source = \"\xff\"\n}\n")
    estate = load_terragrunt(path, "terragrunt.hcl", Options())
    assert [i.status for i in estate.inputs] == ["error"]
    assert estate.diagnostics[0].rule_id == "CT000"
