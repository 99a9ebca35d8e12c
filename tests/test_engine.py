from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.engine import PolicyError, evaluate, load_rules, validate_rule_documents
from checker.model import Bucket, Estate, Location, Reference, Trail, Unknown
from checker.resources import policies_root
from checker.rules import Options, Rule


def rule(
    check: dict[str, Any], scope: str = "trail", applies: dict[str, Any] | None = None
) -> Rule:
    return Rule(
        id="CT900",
        name="test-rule",
        title="A test rule holds",
        severity="medium",
        scope=scope,
        rationale="because",
        check=check,
        messages={},
        remediation={},
        examples=(),
        applies=applies,
    )


def statuses(estate: Estate, r: Rule) -> list[str]:
    return [f.status for f in evaluate(estate, [r]) if f.rule_id == r.id]


def trail(**kw: Any) -> Trail:
    kw.setdefault("id", "aws_cloudtrail.main")
    kw.setdefault("name", "main")
    return Trail(location=Location("main.tf", 3), **kw)


def test_attribute_equals_pass_fail_unknown() -> None:
    r = rule({"attribute": "log_file_validation", "equals": True})
    assert statuses(Estate(trails=(trail(log_file_validation=True),)), r) == ["pass"]
    assert statuses(Estate(trails=(trail(log_file_validation=False),)), r) == ["fail"]
    findings = evaluate(
        Estate(trails=(trail(log_file_validation=Unknown("var.v has no value")),)), [r]
    )
    assert [f.status for f in findings] == ["unknown"]
    assert "var.v has no value" in findings[0].message


def test_finding_points_at_attribute_line() -> None:
    t = Trail(
        id="t",
        name="n",
        location=Location("main.tf", 3),
        log_file_validation=False,
        lines={"log_file_validation": 7},
    )
    [f] = evaluate(
        Estate(trails=(t,)), [rule({"attribute": "log_file_validation", "equals": True})]
    )
    assert (f.file, f.line) == ("main.tf", 7)


def test_present_on_reference_with_unknown_value() -> None:
    r = rule({"attribute": "kms_key", "present": True})
    assert statuses(Estate(trails=(trail(kms_key=None),)), r) == ["fail"]
    assert statuses(Estate(trails=(trail(kms_key=Reference("arn:aws:kms:x")),)), r) == ["pass"]
    assert statuses(Estate(trails=(trail(kms_key=Reference(Unknown("var.k"))),)), r) == ["unknown"]


def test_all_fail_beats_unknown_and_any_pass_beats_unknown() -> None:
    t = trail(log_file_validation=False, is_logging=Unknown("no status"))
    both = [
        {"attribute": "log_file_validation", "equals": True},
        {"attribute": "is_logging", "equals": True},
    ]
    assert statuses(Estate(trails=(t,)), rule({"all": both})) == ["fail"]
    t2 = trail(log_file_validation=True, is_logging=Unknown("no status"))
    assert statuses(Estate(trails=(t2,)), rule({"all": both})) == ["unknown"]
    assert statuses(Estate(trails=(t2,)), rule({"any": both})) == ["pass"]
    t3 = trail(log_file_validation=False, is_logging=Unknown("no status"))
    assert statuses(Estate(trails=(t3,)), rule({"any": both})) == ["unknown"]


def test_not_flips_pass_and_fail_only() -> None:
    cond = {"not": {"attribute": "is_organization", "equals": True}}
    assert statuses(Estate(trails=(trail(is_organization=True),)), rule(cond)) == ["fail"]
    assert statuses(Estate(trails=(trail(is_organization=Unknown("x")),)), rule(cond)) == [
        "unknown"
    ]


def test_applies_gate() -> None:
    r = rule(
        {"attribute": "include_global_service_events", "equals": True},
        applies={"attribute": "is_multi_region", "equals": True},
    )
    assert (
        statuses(
            Estate(trails=(trail(is_multi_region=False, include_global_service_events=False),)), r
        )
        == []
    )
    assert statuses(
        Estate(trails=(trail(is_multi_region=True, include_global_service_events=False),)), r
    ) == ["fail"]
    unsure = trail(is_multi_region=Unknown("var.m"), include_global_service_events=False)
    assert statuses(Estate(trails=(unsure,)), r) == ["unknown"]
    # a pass holds whether or not the rule applies
    assert statuses(Estate(trails=(replace(unsure, include_global_service_events=True),)),
                    r) == ["pass"]  # fmt: skip


def test_bucket_outside_inputs_is_unknown_naming_it() -> None:
    r = rule({"attribute": "versioning", "equals": "Enabled"}, scope="bucket")
    estate = Estate(trails=(trail(bucket=Reference("company-logs")),))
    [f] = evaluate(estate, [r])
    assert f.status == "unknown"
    assert f.resource == "arn:aws:s3:::company-logs"
    assert f.message.startswith("the bucket company-logs (used by aws_cloudtrail.main) is not in "
                                "the scanned inputs")


def test_bucket_scope_judges_each_bucket_once() -> None:
    r = rule({"attribute": "versioning", "equals": "Enabled"}, scope="bucket")
    b = Bucket(id="aws_s3_bucket.logs", name="logs", versioning="Enabled")
    estate = Estate(
        trails=(trail(id="a", bucket=Reference("logs")), trail(id="b", bucket=Reference("logs"))),
        buckets=(b,),
    )
    findings = evaluate(estate, [r])
    assert [(f.resource, f.status) for f in findings] == [("aws_s3_bucket.logs", "pass")]


def test_estate_rules_skipped_without_trails_unless_live() -> None:
    r = rule({"predicate": "insights_enabled"}, scope="estate")
    assert statuses(Estate(), r) == []
    assert statuses(Estate(origin="live"), r) == ["fail"]


def test_diagnostics_become_findings() -> None:
    from checker.loaders import input_error

    estate = Estate(diagnostics=(input_error("bad.tf", 4, "unexpected token"),))
    [f] = evaluate(estate, [])
    assert (f.rule_id, f.status, f.file, f.line) == ("CT000", "fail", "bad.tf", 4)


def test_output_is_sorted_and_deduplicated() -> None:
    r = rule({"attribute": "log_file_validation", "equals": True})
    t1 = Trail(id="b", name="b", location=Location("z.tf", 1))
    t2 = Trail(id="a", name="a", location=Location("a.tf", 9))
    findings = evaluate(Estate(trails=(t1, t2, t1)), [r])
    assert [f.file for f in findings] == ["a.tf", "z.tf"]


def test_shipped_rules_validate_against_schema() -> None:
    root = policies_root()
    raw = [(p, yaml.safe_load(p.read_text())) for p in sorted((root / "rules").glob("*.yaml"))]
    assert raw, "no rules shipped"
    validate_rule_documents(raw)  # raises on any invalid rule


def _write_policies(tmp: Path, doc: dict[str, Any]) -> Path:
    (tmp / "rules").mkdir(parents=True)
    (tmp / "compliance").mkdir()
    (tmp / "rules" / f"{doc.get('id', 'CT900')}.yaml").write_text(yaml.safe_dump(doc))
    return tmp


def test_invalid_rule_is_rejected_with_path(tmp_path: Path) -> None:
    doc = {
        "id": "CT900",
        "name": "x",
        "title": "short",
        "severity": "urgent",
        "scope": "trail",
        "rationale": "r" * 30,
        "check": {"attribute": "x", "equals": 1},
        "remediation": {"terraform": "", "cloudformation": ""},
        "examples": [],
    }
    root = _write_policies(tmp_path, doc)
    with pytest.raises(PolicyError, match=r"CT900\.yaml"):
        load_rules(root)


def _predicate_rule(predicate: str) -> dict[str, Any]:
    """A minimal rule document whose check calls `predicate`."""
    return {
        "id": "CT900",
        "name": "x",
        "title": "A rule that holds",
        "severity": "low",
        "scope": "trail",
        "rationale": "r" * 30,
        "check": {"predicate": predicate},
        "remediation": {"terraform": "", "cloudformation": ""},
        "examples": [],
    }


def test_unknown_predicate_is_rejected(tmp_path: Path) -> None:
    doc = _predicate_rule("no_such_predicate")
    root = _write_policies(tmp_path, doc)
    with pytest.raises(PolicyError, match="no_such_predicate"):
        load_rules(root)


def test_a_predicate_renamed_after_a_validated_run_is_a_policy_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The validation marker covers the registered predicate names: a rule whose predicate no
    longer exists fails validation instead of passing on an old marker (and crashing later)."""
    from checker.predicates import PREDICATES

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    doc = _predicate_rule("covers_us_east_1")
    root = _write_policies(tmp_path / "policies", doc)
    assert [r.id for r in load_rules(root)] == ["CT900"]  # validated: the marker is written
    assert list((tmp_path / "trailcheck").glob("policies-*.ok"))
    monkeypatch.setitem(PREDICATES, "covers_us_east_2", PREDICATES["covers_us_east_1"])
    monkeypatch.delitem(PREDICATES, "covers_us_east_1")
    with pytest.raises(PolicyError, match="covers_us_east_1"):
        load_rules(root)


def test_rule_defaults_options() -> None:
    assert Options().min_retention_days == 365


def test_a_crashing_rule_is_unknown_and_the_others_still_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from checker.engine import has_internal_errors
    from checker.predicates import PREDICATES

    def broken(ctx: object, subject: object, args: object) -> object:
        raise TypeError("boom")

    monkeypatch.setitem(PREDICATES, "test_broken", broken)
    monkeypatch.delenv("TRAILCHECK_DEBUG", raising=False)
    crash = rule({"predicate": "test_broken"})
    fine = Rule(**{**crash.__dict__, "id": "CT901", "check": {"attribute": "log_file_validation",
                                                              "equals": True}})  # fmt: skip
    findings = evaluate(Estate(trails=(trail(log_file_validation=True),)), [crash, fine])
    by_rule = {f.rule_id: f for f in findings}
    assert by_rule["CT900"].status == "unknown" and "TypeError: boom" in by_rule["CT900"].message
    assert by_rule["CT901"].status == "pass"
    assert has_internal_errors(findings)
    assert not has_internal_errors([by_rule["CT901"]])


def test_a_bucket_whose_name_is_unknown_says_why_once() -> None:
    r = rule({"attribute": "versioning", "equals": "Enabled"}, scope="bucket")
    why = Unknown("s3_bucket_name comes from var.bucket, which has no value (no default, and no "
                  "tfvars file or --var sets it)")
    estate = Estate(trails=(trail(bucket=Reference(why)),))
    [f] = evaluate(estate, [r])
    assert f.status == "unknown"
    assert f.resource == "the bucket of aws_cloudtrail.main"
    assert f.message == (
        "the bucket of aws_cloudtrail.main is not known, so its settings cannot be checked: "
        + why.reason
    )


def test_a_judged_views_indexes_are_let_go() -> None:
    # each unit's view holds every organization trail's objects: a scan of many units must not
    # keep one index of them per view (memory that grows with the square of the units)
    from functools import cached_property

    from checker.engine import Judgement, judge
    from checker.model import LogGroup
    from checker.units import UnitView

    def trail_of(unit: str) -> Trail:
        where = Location(f"{unit}/main.tf", 1, unit=unit)
        return Trail(id="aws_cloudtrail.t", name="t", location=where, is_organization=True,
                     log_group=Reference("arn:aws:logs:us-east-1:1:log-group:ct:*"))
    groups = tuple(LogGroup("aws_cloudwatch_log_group.ct", "ct",
                            location=Location(f"{u}/main.tf", 9, unit=u)) for u in ("a", "b"))
    estate = Estate(trails=(trail_of("a"), trail_of("b")), log_groups=groups)
    judgement = Judgement(estate, Options())
    kept: list[dict[str, Any]] = []

    def after(view: UnitView, ctx: Any) -> None:
        view.estate.log_group_of(view.estate.trails[0])  # builds an index
        kept.append(view.estate.__dict__)

    judge(estate, load_rules(), Options(), judgement, jobs=1, per_view=after)
    indexes = {n for n, v in vars(Estate).items() if isinstance(v, cached_property)}
    assert len(kept) == 2 and indexes
    for held in kept:
        assert not indexes & set(held), sorted(indexes & set(held))


def test_a_pass_holds_whether_or_not_the_rule_applies() -> None:
    # CT006 applies to a trail that covers us-east-1: a single-region trail whose home Region is
    # unknown may or may not; including global service events passes either way
    def ct006(include: bool) -> list[str]:
        t = Trail(id="aws_cloudtrail.t", name="t", location=Location("main.tf", 1, unit="u"),
                  home_region=Unknown("no provider region"), is_multi_region=False,
                  bucket=Reference("b"),
                  include_global_service_events=include)  # fmt: skip
        found = evaluate(Estate(trails=(t,)), [r for r in load_rules() if r.id == "CT006"])
        return [f.status for f in found if f.rule_id == "CT006"]

    assert ct006(True) == ["pass"]
    assert ct006(False) == ["unknown"]


# -- findings name an attribute as the input spells it ----------------------------------------

SPELLING = Path(__file__).resolve().parent.parent / "fixtures" / "spelling"


def test_an_attribute_is_named_as_the_object_spells_it() -> None:
    r = rule({"attribute": "log_file_validation", "equals": True})
    spelled = trail(log_file_validation=False, names={"log_file_validation": "LogIt"})
    assert [f.message for f in evaluate(Estate(trails=(spelled,)), [r])] == ["LogIt is false"]
    # an object without its input's names (AWS API data) shows the model name
    plain = trail(log_file_validation=False)
    assert [f.message for f in evaluate(Estate(trails=(plain,)), [r])] == [
        "log_file_validation is false"
    ]


def _failures(folder: str) -> dict[str, str]:
    from checker.loaders import LoadOptions, load_paths

    estate = load_paths([str(SPELLING / folder)], LoadOptions(cwd=str(SPELLING.parents[1])))
    return {f.rule_id: f.message for f in evaluate(estate, load_rules()) if f.status == "fail"}


def test_terraform_findings_name_the_arguments_written_or_to_add() -> None:
    failed = _failures("terraform")
    assert "(enable_log_file_validation is false)" in failed["CT002"]
    assert "(termination_protection_enabled is false)" in failed["CT050"]
    # absent: the argument the user would add
    assert "(sns_topic_name is not set)" in failed["CT007"]
    assert "cloud_watch_logs_group_arn is not set" in failed["CT005"]
    assert "no KMS key is set (kms_key_id)" in failed["CT003"]
    # a value the loader derives (status from `suspend`) keeps the model's name
    assert "(status is 'STOPPED_INGESTION')" in failed["CT053"]


def test_cloudformation_findings_name_the_properties_written_or_to_add() -> None:
    failed = _failures("cloudformation")
    assert "(EnableLogFileValidation is false)" in failed["CT002"]
    assert "(VersioningConfiguration is 'Suspended')" in failed["CT021"]
    assert "(SnsTopicName is not set)" in failed["CT007"]
    assert "CloudWatchLogsLogGroupArn is not set" in failed["CT005"]
    assert "no KMS key is set (KMSKeyId)" in failed["CT003"]
    assert "no KMS key is set (KmsKeyId)" in failed["CT052"]
    # no property sets MFA delete: the model's name stays
    assert "(mfa_delete is false)" in failed["CT022"]
    assert "(status is 'STOPPED_INGESTION')" in failed["CT053"]
