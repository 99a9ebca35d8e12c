"""CT101-CT115 (CIS alarms, by simulation) and CT120 (critical-event coverage)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from checker.loaders import LoadOptions, load_paths
from checker.model import Estate, Unknown
from checker.predicates.cis_alarms import judge_topic
from checker.predicates.context import Context
from checker.predicates.critical_coverage import critical_event_coverage
from checker.rules import Options
from tests.simulator.capture_cases import single, trail

REPO = Path(__file__).resolve().parents[2]
PASS_TF = REPO / "fixtures" / "rules" / "cis-alarms" / "pass" / "terraform"


def load(path: Path) -> Estate:
    return load_paths([str(path)], LoadOptions(cwd=str(REPO)))


def test_all_topics_pass_on_the_shared_fixture() -> None:
    ctx = Context(load(PASS_TF), Options())
    for topic in range(1, 16):
        outcome = judge_topic(ctx, topic)
        assert outcome.status == "pass", (topic, outcome.message)


def test_a_filter_missing_one_event_name_fails_and_names_it() -> None:
    estate = load(REPO / "fixtures" / "rules" / "CT105" / "fail" / "terraform")
    outcome = judge_topic(Context(estate, Options()), 5)
    assert outcome.status == "fail"
    assert "misses StopLogging" in outcome.message
    assert outcome.resource == "aws_cloudwatch_log_metric_filter.cloudtrail_changes"
    assert outcome.location is not None and outcome.location.line > 0


def test_root_lowercase_fails() -> None:
    estate = load(REPO / "fixtures" / "rules" / "CT103" / "fail" / "terraform")
    outcome = judge_topic(Context(estate, Options()), 3)
    assert outcome.status == "fail" and "no metric filter on its log group matches" in \
        outcome.message


def _with_trail(estate: Estate, **changes: object) -> Estate:
    return replace(estate, trails=tuple(replace(t, **changes) for t in estate.trails))


def test_unknowns_never_pass() -> None:
    base = load(PASS_TF)
    unknown_logging = _with_trail(base, is_logging=Unknown("var.enabled has no value"))
    outcome = judge_topic(Context(unknown_logging, Options()), 5)
    assert outcome.status == "unknown" and "var.enabled" in outcome.message
    bad = "{ ($.eventName = CreateTrail) ||"
    broken = replace(base, metric_filters=tuple(
        replace(m, pattern=bad) if m.id.endswith("cloudtrail_changes") else m
        for m in base.metric_filters))
    outcome = judge_topic(Context(broken, Options()), 5)
    assert outcome.status == "unknown" and "does not parse" in outcome.message
    assert "position" in outcome.message


def test_an_unknown_alarm_names_the_trail_that_might_alarm() -> None:
    # one trail records the event but sends nothing to CloudWatch Logs; the other sends to the
    # alarmed log group, but whether it is logging is unknown
    base = load(PASS_TF)
    (alarmed,) = base.trails
    silent = replace(alarmed, id="aws_cloudtrail.silent", log_group=None)
    doubtful = replace(alarmed, is_logging=Unknown("var.enabled has no value"))
    outcome = judge_topic(Context(replace(base, trails=(silent, doubtful)), Options()), 5)
    assert outcome.status == "unknown"
    assert f"{alarmed.id}: whether it records the event is unknown" in outcome.message
    assert "var.enabled" in outcome.message


def test_no_cloudwatch_logs_fails() -> None:
    estate = _with_trail(load(PASS_TF), log_group=None)
    outcome = judge_topic(Context(estate, Options()), 4)
    assert outcome.status == "fail" and "not sent to CloudWatch Logs" in outcome.message


def test_regions_option_limits_the_check() -> None:
    estate = _with_trail(load(PASS_TF), is_multi_region=False)
    assert judge_topic(Context(estate, Options()), 10).status == "fail"
    assert judge_topic(Context(estate, Options(regions=("us-east-1",))), 10).status == "pass"


class _Subject:
    def __init__(self, estate: Estate) -> None:
        self.obj = estate


def ct120(estate: Estate, **options: object) -> object:
    return critical_event_coverage(Context(estate, Options(**options)), _Subject(estate), {})  # type: ignore[arg-type]


def test_ct120_multi_region_trail_passes() -> None:
    outcome = ct120(Estate(trails=(trail(),)))
    assert outcome.status == "pass"  # type: ignore[attr-defined]


def test_ct120_single_region_trail_names_the_gaps() -> None:
    outcome = ct120(Estate(trails=(single("us-east-1"),)), regions=("us-east-1", "eu-west-1"))
    assert outcome.status == "fail"  # type: ignore[attr-defined]
    message = outcome.message  # type: ignore[attr-defined]
    assert "tamper-stop-logging" in message and "missed in eu-west-1" in message
    assert "iam-changes" not in message  # IAM events land in us-east-1


def test_ct120_unknown_logging_is_unknown_not_pass() -> None:
    estate = Estate(trails=(trail(is_logging=Unknown("var.on has no value")),))
    assert ct120(estate).status == "unknown"  # type: ignore[attr-defined]


def test_ct120_single_region_trail_with_unknown_home_still_fails() -> None:
    estate = Estate(trails=(single("us-east-1", home_region=Unknown("no provider region")),))
    outcome = ct120(estate)
    assert outcome.status == "fail"  # type: ignore[attr-defined]
    assert "at least 16 of 17 regions" in outcome.message  # type: ignore[attr-defined]
    # one expected region: the home could be it, except for root usage, whose sign-in lands in
    # us-east-1 while its API call is in eu-west-1: one single-region trail cannot see both
    one = ct120(estate, regions=("eu-west-1",))
    assert one.status == "fail"  # type: ignore[attr-defined]
    assert "root-usage" in one.message and "tamper-" not in one.message  # type: ignore[attr-defined]


def test_ct121_an_event_nothing_records_is_said_to_be_unrecorded() -> None:
    # adding CloudWatch Logs would not help an event that no trail records: say why it is missed
    from checker.predicates.critical_coverage import critical_event_alerting

    estate = Estate(trails=(trail(is_logging=False),))
    outcome = critical_event_alerting(Context(estate, Options()), _Subject(estate), {})  # type: ignore[arg-type]
    assert outcome.status == "fail"
    assert "not recorded (logging is off)" in outcome.message
    assert "not sent to CloudWatch Logs" not in outcome.message


def test_a_filter_for_another_topic_is_not_blamed_for_missing_this_ones_events() -> None:
    # an IAM-policy filter matches Organizations' CreatePolicy/DeletePolicy by name: CIS 15 fails
    # for the estate, not for that filter's "misses" (it is a CIS 4 filter)
    base = load(PASS_TF)  # its IAM filter lists CreatePolicy and DeletePolicy, with no source
    estate = replace(base, metric_filters=tuple(
        m for m in base.metric_filters if "organizations" not in str(m.pattern)))  # fmt: skip
    outcome = judge_topic(Context(estate, Options()), 15)
    assert outcome.status == "fail"
    assert outcome.resource is None and "misses" not in outcome.message
    # a topic's own filter that misses some of its events is still named
    assert "misses StopLogging" in judge_topic(Context(load(
        REPO / "fixtures" / "rules" / "CT105" / "fail" / "terraform"), Options()), 5).message
