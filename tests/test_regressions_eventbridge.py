"""Alerting that infrastructure code creates implicitly (SAM events, EventBridge modules): the
rules must be judged as if written out (fixtures/regressions/)."""

from __future__ import annotations

from checker.loaders import LoadOptions, load_paths
from tests.test_regressions import CASES, Capsys, messages, scan, verdicts


def test_a_rule_sam_makes_from_a_function_event_is_judged(capsys: Capsys) -> None:
    """The rule is not declared: SAM makes it from the function's EventBridgeRule event. Its
    pattern is checked at its line, and CT121 sees it: StopLogging reaches a Lambda function,
    which may or may not alert someone, not "no EventBridge rule matches it"."""
    _, findings = scan(capsys, CASES / "sam-event-rules", "--region", "us-east-1")
    ct060 = [f for f in findings if f["rule_id"] == "CT060"]
    assert {f["resource"]: (f["status"], f["line"]) for f in ct060} == {
        "MuteWatcherStopLogging": ("fail", 24), "ResponderRootSignIn": ("pass", 50),
        "MuteWatcherNightly": ("pass", 33)}  # a schedule rule: no pattern, nothing to reject
    (alerting,) = messages(findings, "CT121")
    assert "StopLogging in us-east-1" in alerting
    assert "rule MuteWatcherStopLogging: MuteWatcher: a lambda target" in alerting
    assert "rule ResponderRootSignIn: the rule is DISABLED" in alerting


def test_a_sam_rule_is_the_only_alerting_in_its_region(capsys: Capsys) -> None:
    """Judged in its own Region only, StopLogging is not among the scenarios that alert nobody
    (its Lambda target may alert someone: unknown); the others, with no rule, still are."""
    _, findings = scan(capsys, CASES / "sam-event-rules", "--region", "us-east-1",
                       "--regions", "us-east-1")
    (alerting,) = messages(findings, "CT121")
    assert verdicts(findings, "CT121") == {"estate": "fail"}
    assert "s3-bucket-deleted" in alerting and "tamper-stop-logging" not in alerting


def test_rules_of_a_local_eventbridge_module_are_judged(capsys: Capsys) -> None:
    """A reduction of terraform-aws-modules/eventbridge: rules from a map through for_each,
    patterns through jsonencode, state from `enabled` or `state` inside try(), targets joined
    by rule name. An `enabled` the rule does not set is an error try() moves past (before: an
    unknown state, so the tampering scenarios were unknown instead of alerted)."""
    _, findings = scan(capsys, CASES / "eventbridge-module", "--regions", "us-east-1")
    rules = 'module.alerting.aws_cloudwatch_event_rule.this["{}"]'
    assert set(verdicts(findings, "CT060").values()) == {"pass"}
    (alerting,) = messages(findings, "CT121")
    assert "tamper-" not in alerting  # StopLogging, DeleteTrail, ... page the subscribed topic
    assert f'rule {rules.format("root_activity")}: the rule is DISABLED' in alerting
    assert "s3-bucket-deleted" not in alerting  # the one-rule module's rule, on the default bus
    assert "module.instance_terminations.aws_cloudwatch_event_rule.this: the rule is DISABLED" \
        in alerting  # is_enabled = false
    estate = load_paths([CASES / "eventbridge-module"], LoadOptions())
    assert {r.id: (r.state, r.lines["state"]) for r in estate.event_rules} == {
        rules.format("trail_tampering"): ("ENABLED", 35),  # state = "enabled", upper()
        rules.format("root_activity"): ("DISABLED", 35),  # enabled = false
        'module.audit_bus.aws_cloudwatch_event_rule.this["deletes"]': ("ENABLED", 35),
        "module.bucket_deletes.aws_cloudwatch_event_rule.this": ("ENABLED", 23),
        "module.instance_terminations.aws_cloudwatch_event_rule.this": ("DISABLED", 23)}
    custom = [r.id for r in estate.event_rules if r.event_bus is not None
              and r.event_bus.target is not None]  # fmt: skip
    assert custom == ['module.audit_bus.aws_cloudwatch_event_rule.this["deletes"]']
