"""A failing finding's fix in one line, from its rule's remediation in the finding's format."""

from __future__ import annotations

import pytest

from checker.engine import load_rules
from checker.findings import Finding
from checker.report.fixes import fix_line, one_line, snippet_kind

RULES = {r.id: r for r in load_rules()}


def fail(rule_id: str, file: str) -> Finding:
    r = RULES[rule_id]
    return Finding(rule_id, r.name, "fail", r.severity, "x", file, 3, "m")


@pytest.mark.parametrize(("rule_id", "file", "kind", "expected"), [
    ("CT002", "infra/trail.tf", None, "enable_log_file_validation = true"),
    ("CT002", "stack.yaml", None, "EnableLogFileValidation: true"),
    ("CT002", "", None, "aws cloudtrail update-trail --name NAME --enable-log-file-validation"),
    ("CT002", "saved/describe-trails.json", "awscli",
     "aws cloudtrail update-trail --name NAME --enable-log-file-validation"),
    ("CT002", "plan.json", "terraform-plan", "enable_log_file_validation = true"),
    ("CT030", "kms.tf", None, "enable_key_rotation = true"),
    ("CT004", "stack.template", None, "IsLogging: true"),
    # several lines (a block, two attributes): the explain command instead
    ("CT005", "trail.tf", None, "trailcheck explain CT005"),
    ("CT021", "bucket.tf", None, "trailcheck explain CT021"),
    ("CT101", "monitoring.tf", None, "trailcheck explain CT101"),
    # a comment is the whole fix
    ("CT000", "broken.tf", None,
     "Fix the syntax error at the reported line; `terraform validate` shows the same error."),
])  # fmt: skip
def test_fix_line(rule_id: str, file: str, kind: str | None, expected: str) -> None:
    assert fix_line(fail(rule_id, file), RULES[rule_id], kind) == expected


def test_snippet_kind() -> None:
    assert snippet_kind("a/main.tf") == "terraform"
    assert snippet_kind("a/terraform.tfvars") == "terraform"
    assert snippet_kind("t.yml") == "cloudformation"
    assert snippet_kind("") == "aws_cli"
    assert snippet_kind("x.json", "snapshot") == "aws_cli"


def test_long_one_liners_are_left_to_explain() -> None:
    assert one_line("aws x " + "y" * 200, "aws_cli") is None
    assert one_line("a = 1\nb = 2", "terraform") is None
    assert one_line("Props:\n  Key: {", "cloudformation") is None
