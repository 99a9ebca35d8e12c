"""Odd input never raises: it loads with unknowns or becomes a CT000 (property tests)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from checker.loaders import LoadOptions
from checker.loaders.terraform.loader import load_terraform
from checker.loaders.terraform.syntax import parse_file
from checker.model import Unknown

ODD = """
provider "aws" {
  region = ["not", "a", "string"]
}

variable "n" {
  default = "abc"
}

resource "aws_cloudtrail" "t" {
  name                  = { a = 1 }
  s3_bucket_name        = 5
  is_multi_region_trail = "maybe"
  kms_key_id            = aws_kms_key.missing.arn
  sns_topic_name        = module.nowhere.name
  provider              = aws.missing
  event_selector {
    read_write_type = ["All"]
    data_resource {
      type   = 3
      values = "arn:aws:s3"
    }
  }
  insight_selector {
    insight_type = ["ApiCallRateInsight"]
  }
}

resource "aws_cloudtrail" "counted" {
  count          = var.n
  name           = "c"
  s3_bucket_name = "b"
}

resource "aws_cloudtrail" "keyed" {
  for_each       = 5
  name           = each.key
  s3_bucket_name = "b"
}

resource "aws_s3_bucket" "b" {
  bucket = ["x"]
  versioning {
    enabled = "sometimes"
  }
  lifecycle_rule {
    expiration {
      days = "ten"
    }
  }
  grant {
    permissions = 7
  }
}

resource "aws_s3_bucket_object_lock_configuration" "b" {
  bucket = aws_s3_bucket.b.id
  rule {
    default_retention {
      years = "two"
    }
  }
}

resource "aws_kms_key" "k" {
  policy = "{not json"
}

resource "aws_iam_policy" "p" {
  policy = jsonencode(local.nothing)
}

resource "aws_cloudwatch_metric_alarm" "a" {
  alarm_actions = "arn:aws:sns:us-east-1:111122223333:t"
}

resource "aws_cloudwatch_log_metric_filter" "f" {
  metric_transformation {
    name = ["m"]
  }
}
"""


def test_badly_typed_configuration_loads_with_unknowns(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(ODD)
    estate = load_terraform([tmp_path], LoadOptions(cwd=str(tmp_path)))
    by_id = {t.id: t for t in estate.trails}
    t = by_id["aws_cloudtrail.t"]
    assert isinstance(t.name, Unknown) and isinstance(t.is_multi_region, Unknown)
    assert isinstance(t.home_region, Unknown)
    assert "aws_cloudtrail.counted[*]" in by_id and "aws_cloudtrail.keyed[*]" in by_id
    assert isinstance(estate.keys[0].policy, Unknown)
    assert isinstance(estate.buckets[0].object_lock_days, Unknown)


HCLISH = st.text(alphabet='abcxyz_019 ="{}[]()$%~<>!?:,.#/*\\\n\t-+', max_size=80)


@settings(max_examples=300, deadline=None)
@given(HCLISH)
def test_the_parser_never_raises_and_places_every_error(text: str) -> None:
    parsed = parse_file(text)
    lines = text.count("\n") + 1
    assert all(1 <= e.line <= lines and e.column >= 1 and e.message for e in parsed.errors)
    assert all(1 <= b.line <= b.end_line <= lines for b in parsed.blocks)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet='abcs_0 ="{}[]$.\n', max_size=60))
def test_the_loader_never_raises_on_random_files(tmp_path_factory: object, text: str) -> None:
    folder = tmp_path_factory.mktemp("fuzz")  # type: ignore[attr-defined]
    (folder / "main.tf").write_text(
        'resource "aws_cloudtrail" "t" {\n  name = "x"\n' + text + "\n}\n"
    )
    estate = load_terraform([folder], LoadOptions(cwd=str(folder)))
    # either the trail is read, or the file is reported as CT000
    assert len(estate.trails) == 1 or {d.rule_id for d in estate.diagnostics} == {"CT000"}
