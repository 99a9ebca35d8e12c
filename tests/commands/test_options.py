"""Input options (`checker.commands.options`): what `--var` and `--var-file` give the loader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.cli import main

ROOT = """
variable "validate" {
  type = bool
}

resource "aws_cloudtrail" "main" {
  name                       = "main"
  s3_bucket_name             = "logs"
  enable_log_file_validation = var.validate
}
"""


def _validation(capsys: pytest.CaptureFixture[str], root: Path, *flags: str) -> str:
    main(["scan", str(root), "--format", "json", "--no-config", "--check", "CT002", *flags])
    (finding,) = json.loads(capsys.readouterr().out)["findings"]
    return str(finding["status"])


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (("--var-file", "{off}", "--var", "validate=true"), "pass"),
        (("--var", "validate=true", "--var-file", "{off}"), "fail"),
        (("--var-file", "{on}", "--var", "validate=false", "--var-file", "{off}"), "fail"),
        (("--var", "validate=false", "--var-file", "{on}", "--var", "validate=true"), "pass"),
        (("--var-file", "{on}",), "pass"),
    ],
)
def test_of_a_var_and_a_var_file_that_set_one_variable_the_later_wins(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, flags: tuple[str, ...], expected: str
) -> None:
    """Terraform reads -var and -var-file options in command-line order, a later one
    overriding an earlier one (Terraform docs, "Variable definition precedence"); the automatic
    terraform.tfvars comes before both."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(ROOT)
    (root / "terraform.tfvars").write_text("validate = false\n")
    (tmp_path / "on.tfvars").write_text("validate = true\n")
    (tmp_path / "off.tfvars").write_text("validate = false\n")
    given = [f.format(on=tmp_path / "on.tfvars", off=tmp_path / "off.tfvars") for f in flags]
    assert _validation(capsys, root, *given) == expected


# -- the Regions every command covers -------------------------------------------------------------


def test_every_command_covers_the_partition_of_the_inputs_trails() -> None:
    from checker.commands.options import regions_to_cover
    from checker.model import Estate
    from checker.regions import DEFAULT_REGIONS
    from tests.simulator.capture_cases import trail

    gov = Estate(trails=(trail(home_region="us-gov-east-1"),))
    china = Estate(trails=(trail(home_region="cn-north-1"),))
    assert regions_to_cover((), gov) == ("us-gov-west-1", "us-gov-east-1")
    assert regions_to_cover(("us-gov-east-1",), gov) == ("us-gov-east-1",)  # given wins
    assert regions_to_cover((), gov, china) == DEFAULT_REGIONS  # two partitions: no guess
    assert regions_to_cover((), Estate()) == DEFAULT_REGIONS
