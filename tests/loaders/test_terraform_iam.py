"""aws_iam_policy_document rendering and policy strings read back as documents."""

from __future__ import annotations

from pathlib import Path

from checker.loaders import LoadOptions
from checker.loaders.terraform.jsontext import read_policy
from checker.loaders.terraform.loader import load_terraform
from checker.model import Computed, Unknown

DOCUMENT = """
variable "account" {
  default = "111122223333"
}

data "aws_iam_policy_document" "base" {
  statement {
    sid       = "Keep"
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
  statement {
    sid       = "Replaced"
    actions   = ["s3:PutObject"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "doc" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]
  statement {
    sid       = "Replaced"
    effect    = "Deny"
    actions   = ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:DeleteTrail"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${var.account}:root"]
    }
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::444455556666:root"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account]
    }
  }
  statement {
    actions = ["kms:Decrypt"]
    resources = ["*"]
    not_principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
  dynamic "statement" {
    for_each = ["sqs:SendMessage"]
    content {
      actions   = [statement.value]
      resources = ["*"]
    }
  }
}

resource "aws_iam_policy" "p" {
  name   = "p"
  policy = data.aws_iam_policy_document.doc.json
}
"""


def test_policy_document_renders_like_the_provider(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(DOCUMENT)
    estate = load_terraform([tmp_path], LoadOptions(cwd=str(tmp_path)))
    doc = estate.policies[0].document
    assert not isinstance(doc, Unknown)
    assert doc["Version"] == "2012-10-17"
    keep, replaced, decrypt, dynamic = doc["Statement"]
    assert keep == {"Sid": "Keep", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    # a source statement with the same Sid is replaced; several actions: reverse-sorted, unique
    assert replaced["Effect"] == "Deny"
    assert replaced["Action"] == ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"]
    assert replaced["Principal"] == {
        "AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"]
    }
    assert replaced["Condition"] == {"StringEquals": {"aws:SourceAccount": "111122223333"}}
    assert decrypt["NotPrincipal"] == "*" and decrypt["Sid"] == ""
    assert dynamic["Action"] == "sqs:SendMessage"


def test_policy_strings() -> None:
    assert read_policy('{"Statement": []}') == {"Statement": []}
    assert read_policy(None) is None and read_policy("  ") is None
    assert isinstance(read_policy("[1]"), Unknown)
    assert isinstance(read_policy("{oops"), Unknown)
    assert read_policy(Computed("policy is known only after apply")) == Computed(
        "policy is known only after apply"
    )


NULL_VALUE = """
variable "trail_account" {
  type    = string
  default = null
}

data "aws_iam_policy_document" "doc" {
  statement {
    actions   = ["s3:GetBucketAcl"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = ["111122223333", var.trail_account]
    }
  }
}

resource "aws_iam_policy" "p" {
  name   = "p"
  policy = data.aws_iam_policy_document.doc.json
}
"""


def test_a_null_condition_value_is_an_unknown_naming_its_variable(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(NULL_VALUE)
    estate = load_terraform([tmp_path], LoadOptions(cwd=str(tmp_path)))
    doc = estate.policies[0].document
    assert not isinstance(doc, Unknown)
    [statement] = doc["Statement"]
    fixed, null = statement["Condition"]["StringEquals"]["aws:SourceAccount"]
    assert fixed == "111122223333"
    assert isinstance(null, Unknown)
    assert null.reason == (
        "var.trail_account is null; give it a value, e.g. --var trail_account=VALUE"
    )
