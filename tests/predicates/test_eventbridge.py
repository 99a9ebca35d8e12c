"""Rule CT060 on EventBridge rules built directly: what EventBridge rejects, with where."""

from __future__ import annotations

import pytest

from checker.model import Estate, EventRule, Location, MaybeStr, Unknown
from tests.predicates.evidence_models import one


def rule(pattern: MaybeStr | None) -> Estate:
    r = EventRule(id="aws_cloudwatch_event_rule.r", name="r", pattern=pattern,
                  location=Location("rules.tf", 4), lines={"pattern": 6})  # fmt: skip
    return Estate(event_rules=(r,))


@pytest.mark.parametrize(
    ("pattern", "status", "words"),
    [('{"source": ["aws.s3"]}', "pass", "valid"),
     ('{"source": "aws.s3"}', "fail", "EventBridge rejects"),
     ('{"source": ["aws.s3"],', "fail", "line 1"),
     ('{"detail": {"x": [{"numeric": [">", 10, "<", 5]}]}}', "fail", "EventBridge rejects"),
     ('{"source": ["a"], "source": ["b"]}', "unknown", "more than once"),
     (Unknown("var.pattern"), "unknown", "var.pattern"),
     (None, "pass", "schedule"),
     ("  ", "fail", "empty, so the rule matches no event"),
     # valid, but a service prefix never occurs in a CloudTrail eventName
     ('{"detail": {"eventName": ["StopLogging", "cloudtrail:DeleteTrail"]}}', "fail",
      "'cloudtrail:DeleteTrail' never matches"),
     ('{"$or": [{"detail": {"eventName": [{"prefix": "iam:"}]}}, {"source": ["aws.s3"]}]}',
      "fail", "'iam:' never matches"),
     ('{"detail": {"eventName": ["StopLogging"], "userAgent": ["a:b"]}}', "pass", "valid")],
)  # fmt: skip
def test_pattern_validity(pattern: MaybeStr | None, status: str, words: str) -> None:
    finding = one("CT060", rule(pattern))
    assert finding.status == status and words in finding.message
    assert finding.line == 6  # the rule's event_pattern
