"""A finding's fix in one line, from its rule's remediation snippets, for the text report.

The snippets in policies/rules/*.yaml are whole blocks (`resource "aws_cloudtrail" "main" {
... }`); when the block only frames one attribute, that attribute is the fix. The snippet is the
one of the finding's input format: Terraform for `.tf` files, CloudFormation for templates, the
AWS CLI for live accounts and saved CLI output. Anything longer is left to `trailcheck explain`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from checker.findings import Finding

if TYPE_CHECKING:
    from checker.rules import Rule

MAX_CHARS = 160  # a longer one-liner (a JSON selector on the command line) reads worse than explain

_TF_FRAME = re.compile(r"^(resource|data|module)\b.*\{$|^\}$")
_CFN_FRAME = re.compile(r"^[A-Za-z0-9]+:$|^Type: *AWS::|^(Properties|Metadata):$")


_BY_INPUT = {"terraform": "terraform", "terraform-plan": "terraform",
             "cloudformation": "cloudformation"}  # fmt: skip


def snippet_kind(file: str, input_kind: str | None = None) -> str:
    """The remediation key for a finding's input: terraform, cloudformation or aws_cli (live
    accounts, snapshots and saved CLI output, whose fix is a call)."""
    if input_kind is not None:
        return _BY_INPUT.get(input_kind, "aws_cli")
    if file.endswith((".tf", ".tf.json", ".tfvars")):
        return "terraform"
    if file.endswith((".yaml", ".yml", ".template", ".json")):
        return "cloudformation"
    return "aws_cli"


def one_line(snippet: str, kind: str) -> str | None:
    """The snippet's single line of substance, or None when it has several."""
    code: list[str] = []
    comments: list[str] = []
    for raw in snippet.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith(("#", "//")):
            text = line.lstrip("#/ ").strip()
            if text and text != "...":
                comments.append(text)
            continue
        if kind == "terraform" and _TF_FRAME.match(line):
            continue
        if kind == "cloudformation" and _CFN_FRAME.match(line):
            continue
        code.append(line)
    if len(code) == 1 and not code[0].endswith(("{", "[", ":")):
        return code[0] if len(code[0]) <= MAX_CHARS else None
    if not code and len(comments) == 1:
        return comments[0]
    return None


def fix_line(finding: Finding, rule: Rule | None, input_kind: str | None = None) -> str:
    """What to write after "fix:" for a failing finding."""
    remediation: Mapping[str, str] = rule.remediation if rule is not None else {}
    kind = snippet_kind(finding.file, input_kind)
    snippet = remediation.get(kind)
    line = one_line(snippet, kind) if snippet else None
    return line or f"trailcheck explain {finding.rule_id}"
