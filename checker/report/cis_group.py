"""The CIS monitoring alarms (CT101-CT115) as one group in the text report.

A configuration without metric filters fails most of the fifteen topics for the same reason, and
fifteen findings that each say "no metric filter on its log group matches" bury the rest of the
report. The text report prints them as one entry: the topics without an alarm, the reason once
when they share it, and one fix that creates a filter and an alarm for each of those topics. The
JSON, SARIF and other reports keep one finding per rule.

The fix is assembled from the rules' own remediation snippets (each topic's pattern and metric
name), so it stays true to policies/rules/CT1xx.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from checker.findings import Finding

if TYPE_CHECKING:
    from checker.rules import Rule

CIS_RULES = frozenset(f"CT{n}" for n in range(101, 116))
TOPICS = len(CIS_RULES)

_MESSAGE = re.compile(r"^CIS (?P<topic>\d+) \((?P<title>[^)]*)\): (?P<rest>.*)$", re.DOTALL)
_TF_PATTERN = re.compile(r'^\s*pattern\s*=\s*(".*")\s*$', re.MULTILINE)
_TF_METRIC = re.compile(r'^\s*name\s*=\s*"(?P<name>[A-Za-z0-9]+)"\s*$', re.MULTILINE)
_CFN_PATTERN = re.compile(r"^\s*FilterPattern:\s*(.+?)\s*$", re.MULTILINE)
_TF_LOG_GROUP = re.compile(r"^aws_cloudwatch_log_group\.[A-Za-z0-9_-]+(\[[^\]]+\])?$")
_CFN_LOGICAL_ID = re.compile(r"^[A-Za-z0-9]+$")
_LOG_GROUP_NAME = re.compile(r"^[\w./#:-]+$")
_NAMED = re.compile(r"\(([^()]*)\)$")  # "... matches (aws_cloudwatch_log_group.trail)"
_ALARM_CAUSE = re.compile(r"metric filter|alarm")


@dataclass(frozen=True)
class Topic:
    rule_id: str
    title: str  # "unauthorized API calls"
    what: str  # the finding's message after the topic: events, Regions and why


@dataclass(frozen=True)
class CisGroup:
    """Failing CT101-CT115 findings of one location and severity."""

    findings: tuple[Finding, ...]
    topics: tuple[Topic, ...]
    cause: str | None  # the reason every topic shares, if they do

    @property
    def first(self) -> Finding:
        return self.findings[0]

    def rule_range(self) -> str:
        """CT101-CT104, CT106-CT115: runs of consecutive rule ids."""
        numbers = sorted(int(f.rule_id[2:]) for f in self.findings)
        runs: list[list[int]] = []
        for n in numbers:
            if runs and n == runs[-1][-1] + 1:
                runs[-1].append(n)
            else:
                runs.append([n])
        return ", ".join(f"CT{r[0]}" if len(r) == 1 else f"CT{r[0]}-CT{r[-1]}" for r in runs)


def is_cis(f: Finding) -> bool:
    return f.rule_id in CIS_RULES


def group(findings: Iterable[Finding]) -> list[CisGroup]:
    """The failing CIS findings by (file, line, severity, unit); a lone one stays a plain
    finding. Two units that share a module file get a group each."""
    by_place: dict[tuple[str, int, str, str], list[Finding]] = {}
    for f in findings:
        if is_cis(f) and f.status == "fail":
            by_place.setdefault((f.file, f.line, f.severity, f.unit or ""), []).append(f)
    out = []
    for members in by_place.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda f: f.rule_id)
        topics = tuple(_topic(f) for f in members)
        causes = {_cause(t.what) for t in topics}
        cause = causes.pop() if len(causes) == 1 else None
        if cause is not None:
            topics = tuple(
                Topic(t.rule_id, t.title, t.what[: -len(cause)].rstrip(": ")) for t in topics
            )
        out.append(CisGroup(tuple(members), topics, cause))
    return out


def _topic(f: Finding) -> Topic:
    m = _MESSAGE.match(f.message)
    if m is None:  # a message of another shape: shown whole
        return Topic(f.rule_id, f.rule_name, f.message)
    return Topic(f.rule_id, m.group("title"), m.group("rest"))


def _cause(what: str) -> str | None:
    """The reason of a one-part message ("E1, E2 in every region: no metric filter ... (lg)"):
    what follows the first ": ". None when the message has several parts."""
    if "; " in what or ": " not in what:
        return None
    return what.split(": ", 1)[1]


# ---------------------------------------------------------------------------------------------
# The fix: a filter and an alarm per topic without one


@dataclass(frozen=True)
class _Pattern:
    rule_id: str
    metric: str
    terraform: str | None  # the HCL string literal
    cloudformation: str | None  # the YAML scalar


def _patterns(rule_ids: Sequence[str], rules: Mapping[str, Rule]) -> list[_Pattern]:
    out = []
    for rid in rule_ids:
        rule = rules.get(rid)
        fixes: Mapping[str, str] = rule.remediation if rule is not None else {}
        tf, cfn = fixes.get("terraform", ""), fixes.get("cloudformation", "")
        metric = _TF_METRIC.search(tf)
        tf_pattern, cfn_pattern = _TF_PATTERN.search(tf), _CFN_PATTERN.search(cfn)
        out.append(_Pattern(
            rid,
            metric.group("name") if metric else f"Cis{rid}",
            tf_pattern.group(1) if tf_pattern else None,
            cfn_pattern.group(1) if cfn_pattern else None,
        ))  # fmt: skip
    return out


def fix_snippet(grp: CisGroup, kind: str, rules: Mapping[str, Rule]) -> list[str]:
    """The code lines of the group's fix in the finding's format (see fixes.snippet_kind); none
    when the topics' events do not even reach a log group (then the fix is elsewhere)."""
    if grp.cause is not None and not _ALARM_CAUSE.search(grp.cause):
        return []
    patterns = _patterns([t.rule_id for t in grp.topics], rules)
    named = _NAMED.search(grp.cause or "")
    log_group = named.group(1) if named else ""
    if kind == "terraform":
        return _terraform(patterns, log_group)
    if kind == "cloudformation":
        return _cloudformation(patterns, log_group)
    return _aws_cli(patterns, log_group)


def _terraform(patterns: list[_Pattern], log_group: str) -> list[str]:
    group_ref = f"{log_group}.name" if _TF_LOG_GROUP.match(log_group) else (
        "aws_cloudwatch_log_group.trail.name")  # fmt: skip
    width = max(len(p.metric) for p in patterns)
    lines = ["locals {", "  cis_alarms = { # metric name => pattern, for each topic above"]
    for p in patterns:
        value = p.terraform or f'"" # the pattern: trailcheck explain {p.rule_id}'
        lines.append(f"    {p.metric:<{width}} = {value}")
    return [*lines, "  }", "}",
            'resource "aws_cloudwatch_log_metric_filter" "cis" {',
            "  for_each       = local.cis_alarms",
            '  name           = "cis-${each.key}"',
            f"  log_group_name = {group_ref} # the trail's log group",
            "  pattern        = each.value",
            "  metric_transformation {",
            "    name      = each.key",
            '    namespace = "CISBenchmark"',
            '    value     = "1"',
            "  }",
            "}",
            'resource "aws_cloudwatch_metric_alarm" "cis" {',
            "  for_each            = local.cis_alarms",
            '  alarm_name          = "cis-${each.key}"',
            "  metric_name         = each.key",
            '  namespace           = "CISBenchmark"',
            '  comparison_operator = "GreaterThanOrEqualToThreshold"',
            "  evaluation_periods  = 1",
            "  period              = 300",
            '  statistic           = "Sum"',
            "  threshold           = 1",
            "  alarm_actions       = [aws_sns_topic.alarms.arn] # a topic with a subscription",
            "}"]  # fmt: skip


def _cloudformation(patterns: list[_Pattern], log_group: str) -> list[str]:
    group_ref = log_group if _CFN_LOGICAL_ID.match(log_group) else "TrailLogs"
    lines = ["# for each TOPIC: PATTERN below, a filter and an alarm",
             "CisTOPICFilter:",
             "  Type: AWS::Logs::MetricFilter",
             "  Properties:",
             f"    LogGroupName: !Ref {group_ref} # the trail's log group",
             "    FilterPattern: PATTERN",
             "    MetricTransformations:",
             '      - {MetricName: TOPIC, MetricNamespace: CISBenchmark, MetricValue: "1"}',
             "CisTOPICAlarm:",
             "  Type: AWS::CloudWatch::Alarm",
             "  Properties:",
             "    MetricName: TOPIC",
             "    Namespace: CISBenchmark",
             "    ComparisonOperator: GreaterThanOrEqualToThreshold",
             "    EvaluationPeriods: 1",
             "    Period: 300",
             "    Statistic: Sum",
             "    Threshold: 1",
             "    AlarmActions: [!Ref AlarmTopic] # a topic with a subscription"]  # fmt: skip
    return lines + _pattern_list(patterns)


def _aws_cli(patterns: list[_Pattern], log_group: str) -> list[str]:
    group_name = log_group if _LOG_GROUP_NAME.match(log_group) else "LOG_GROUP"
    return ["# for each TOPIC: PATTERN below",
            f"aws logs put-metric-filter --log-group-name {group_name} --filter-name cis-TOPIC "
            "--filter-pattern PATTERN --metric-transformations "
            "metricName=TOPIC,metricNamespace=CISBenchmark,metricValue=1",
            "aws cloudwatch put-metric-alarm --alarm-name cis-TOPIC --metric-name TOPIC "
            "--namespace CISBenchmark --statistic Sum --period 300 --evaluation-periods 1 "
            "--threshold 1 --comparison-operator GreaterThanOrEqualToThreshold "
            "--alarm-actions SNS_TOPIC_ARN",
            *_pattern_list(patterns)]  # fmt: skip


def _pattern_list(patterns: list[_Pattern]) -> list[str]:
    return [
        f"# {p.metric}: {p.cloudformation or f'trailcheck explain {p.rule_id}'}" for p in patterns
    ]
