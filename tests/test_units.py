"""Deployment units: rules about the set of trails are judged once per unit (a Terraform root
module, a template, a plan, a folder of saved CLI output), organization trails count in every
unit, and a config file may group units that share an account."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from checker.loaders import LoadOptions
from checker.model import (
    Estate,
    Location,
    LogGroup,
    MetricFilter,
    MetricTransformation,
    Reference,
    Trail,
    Unknown,
)
from checker.unit_stamp import in_unit
from checker.units import unit_views

REPO = Path(__file__).resolve().parents[1]
GOOD_TRAIL = 'resource "aws_cloudtrail" "good" {\n  name = "good"\n  s3_bucket_name = "b"\n}\n'
FIXTURES = REPO / "fixtures"

ESTATE_RULES = {"CT001", "CT008", "CT009", "CT010", "CT027", "CT040", "CT120"} | {
    f"CT1{n:02d}" for n in range(1, 16)
}


Capsys = pytest.CaptureFixture[str]


def report(capsys: Capsys, *argv: str) -> dict[str, Any]:
    main(["scan", *argv, "--format", "json"])  # exit codes: tests/test_cli.py
    return dict(json.loads(capsys.readouterr().out))


def scan(capsys: Capsys, path: Path) -> list[dict[str, Any]]:
    return list(report(capsys, str(path), "--no-config")["findings"])


def by_unit(findings: list[dict[str, Any]], rule_id: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for f in findings:
        if f["rule_id"] == rule_id:
            assert f["unit"] not in out, f"two {rule_id} findings for unit {f['unit']}"
            out[f["unit"]] = f
    return out


def rel(path: Path) -> str:
    """A path as reports show it."""
    return LoadOptions().display(path)


def test_one_environment_never_makes_another_pass(capsys: Capsys) -> None:
    findings = scan(capsys, FIXTURES / "monorepo")
    ct001 = by_unit(findings, "CT001")
    prod, dev = rel(FIXTURES / "monorepo/envs/prod"), rel(FIXTURES / "monorepo/envs/dev")
    assert set(ct001) == {prod, dev}
    assert ct001[prod]["status"] == "pass"
    assert ct001[dev]["status"] == "fail"
    # scanning the development environment alone gives the same verdict
    alone = by_unit(scan(capsys, FIXTURES / "monorepo/envs/dev"), "CT001")
    assert alone[dev]["status"] == "fail"


def test_estate_findings_point_into_their_own_unit_at_a_trail_block(capsys: Capsys) -> None:
    for f in scan(capsys, FIXTURES / "monorepo"):
        if f["rule_id"] in ESTATE_RULES:
            assert f["file"].startswith(f["unit"] + "/"), f
            assert f["line"] > 0, f


def test_every_finding_names_its_unit_and_points_into_it(tmp_path: Path, capsys: Capsys) -> None:
    shutil.copytree(FIXTURES / "monorepo", tmp_path / "repo")
    (tmp_path / "repo/envs/dev/broken.tf").write_text('resource "aws_s3_bucket" "x" {\n')
    findings = scan(capsys, tmp_path / "repo")
    assert any(f["rule_id"] == "CT000" for f in findings)
    for f in findings:
        assert f["unit"] and f["file"].startswith(f["unit"] + "/"), f


def test_an_organization_trail_in_another_root_covers_every_unit(capsys: Capsys) -> None:
    findings = scan(capsys, FIXTURES / "monorepo-org")
    ct001 = by_unit(findings, "CT001")
    org, workload = rel(FIXTURES / "monorepo-org/org"), rel(FIXTURES / "monorepo-org/workload")
    assert ct001[org]["status"] == "pass"
    member = ct001[workload]
    assert member["status"] == "pass"
    assert f"aws_cloudtrail.org ({org})" in member["message"]
    assert member["file"].startswith(workload + "/")  # never a file of another unit


def test_an_organization_trail_shows_in_each_units_coverage_matrix(capsys: Capsys) -> None:
    code = main(["scan", str(FIXTURES / "monorepo-org"), "--format", "json", "--no-config",
                 "--regions", "us-east-1,eu-west-1"])  # fmt: skip
    assert code == 1
    coverage = json.loads(capsys.readouterr().out)["coverage"]
    units = {u["unit"]: u for u in coverage["units"]}
    workload = units[rel(FIXTURES / "monorepo-org/workload")]
    root = next(s for s in workload["scenarios"] if s["id"] == "root-usage")
    org = rel(FIXTURES / "monorepo-org/org")
    assert f"aws_cloudtrail.org ({org})" in root["cells"]["us-east-1"]["captured_by"]


def test_a_cis_gap_of_another_units_organization_trail_names_that_trail(
    tmp_path: Path, capsys: Capsys
) -> None:
    """The member's own trail sends nothing to CloudWatch Logs; the organization trail of the
    other root sends to a log group without metric filters: the message says whose it is."""
    shutil.copytree(FIXTURES / "monorepo-org", tmp_path / "repo")
    org_tf = tmp_path / "repo/org/main.tf"
    org_tf.write_text(org_tf.read_text().replace(
        "  enable_log_file_validation    = true\n",
        "  enable_log_file_validation    = true\n"
        '  cloud_watch_logs_group_arn    = "${aws_cloudwatch_log_group.org.arn}:*"\n'
        '  cloud_watch_logs_role_arn     = "arn:aws:iam::111122223333:role/ct"\n')
        + 'resource "aws_cloudwatch_log_group" "org" {\n  name = "org-trail"\n}\n')  # fmt: skip
    ct101 = by_unit(scan(capsys, tmp_path / "repo"), "CT101")
    org = rel(tmp_path / "repo/org")
    member = ct101[rel(tmp_path / "repo/workload")]["message"]
    assert member.startswith("CIS 1 (unauthorized API calls): ")
    assert (f"no metric filter on its log group matches (organization trail "
            f"aws_cloudtrail.org ({org}): aws_cloudwatch_log_group.org)") in member
    assert "in every region" in member  # the organization trail reaches CloudWatch Logs
    own = ct101[org]["message"]
    assert "organization trail" not in own
    assert "no metric filter on its log group matches (aws_cloudwatch_log_group.org)" in own


def _two_roots(tmp_path: Path, org_flag: str) -> Path:
    for name, body in (
        ("org", f'is_multi_region_trail = true\n  is_organization_trail = {org_flag}'),
        ("member", ""),
    ):
        folder = tmp_path / name
        folder.mkdir(parents=True)
        (folder / "main.tf").write_text(
            'variable "org" {\n  type = bool\n}\n'
            'provider "aws" {\n  region = "us-east-1"\n}\n'
            f'resource "aws_cloudtrail" "t" {{\n  name = "{name}"\n  s3_bucket_name = "b"\n'
            f"  {body}\n}}\n"
        )
    return tmp_path


def test_a_trail_of_another_unit_that_is_not_an_organization_trail_does_not_count(
    tmp_path: Path, capsys: Capsys
) -> None:
    ct001 = by_unit(scan(capsys, _two_roots(tmp_path, "false")), "CT001")
    assert ct001[rel(tmp_path / "org")]["status"] == "pass"
    assert ct001[rel(tmp_path / "member")]["status"] == "fail"


def test_whether_another_units_trail_is_an_organization_trail_unknown_gives_unknown(
    tmp_path: Path, capsys: Capsys
) -> None:
    ct001 = by_unit(scan(capsys, _two_roots(tmp_path, "var.org")), "CT001")
    member = ct001[rel(tmp_path / "member")]
    assert member["status"] == "unknown"
    assert "organization trail" in member["message"] and "var.org" in member["message"]


def test_config_groups_units_that_share_an_account(tmp_path: Path, capsys: Capsys) -> None:
    shutil.copytree(FIXTURES / "monorepo", tmp_path / "repo")
    (tmp_path / "repo/.trailcheck.yaml").write_text(
        "estates:\n  prod:\n    - envs/prod\n    - envs/dev\n"
    )
    code = main(["scan", str(tmp_path / "repo"), "--format", "json"])
    assert code == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    ct001 = by_unit(findings, "CT001")
    assert set(ct001) == {"prod"} and ct001["prod"]["status"] == "pass"


def test_config_estates_are_validated(tmp_path: Path, capsys: Capsys) -> None:
    (tmp_path / "main.tf").write_text("")
    (tmp_path / ".trailcheck.yaml").write_text(
        "estates:\n  a:\n    - envs/prod\n  b:\n    - envs/prod\n"
    )
    assert main(["scan", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert ".trailcheck.yaml:4" in err and "also in estate a" in err


def test_config_organizations_keep_one_organizations_trails_out_of_another(
    capsys: Capsys,
) -> None:
    root = FIXTURES / "monorepo-orgs"
    dev, workload, prod = (rel(root / p) for p in ("dev/management", "dev/workload",
                                                   "prod/management"))  # fmt: skip
    prod_trail = f"aws_cloudtrail.org ({prod})"
    # the config file beside the fixture is found from the scanned path
    ct001 = by_unit(report(capsys, str(root))["findings"], "CT001")
    assert ct001[prod]["status"] == "pass"
    for unit in (dev, workload):
        assert ct001[unit]["status"] == "fail", ct001[unit]
        assert prod_trail not in ct001[unit]["message"]
    assert f"aws_cloudtrail.org ({dev})" in ct001[workload]["message"]
    # without it, every organization trail counts for every unit
    unplaced = by_unit(scan(capsys, root), "CT001")
    assert unplaced[workload]["status"] == "pass" and prod_trail in unplaced[workload]["message"]


def test_config_organizations_are_validated(tmp_path: Path, capsys: Capsys) -> None:
    (tmp_path / "main.tf").write_text("")
    (tmp_path / ".trailcheck.yaml").write_text(
        "organizations:\n  a:\n    - envs/prod\n  b:\n    - envs/prod/\n"
    )
    assert main(["scan", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert ".trailcheck.yaml:4" in err and "also in organization a" in err


def test_each_template_is_its_own_unit(capsys: Capsys) -> None:
    ct001 = by_unit(scan(capsys, FIXTURES / "units" / "cloudformation"), "CT001")
    assert {Path(u).name for u in ct001} == {"good.yaml", "weak.yaml"}


# -- the model ---------------------------------------------------------------------------------


def _trail(unit: str, **kw: Any) -> Trail:
    return Trail(id="aws_cloudtrail.t", name="t", location=Location(f"{unit}/main.tf", 3, unit),
                 **kw)  # fmt: skip


def test_views_hold_own_trails_and_other_units_organization_trails() -> None:
    estate = Estate(trails=(
        _trail("a"), _trail("b", is_organization=True), _trail("c", is_organization=Unknown("x")),
    ))  # fmt: skip
    views = {v.name: v for v in unit_views(estate)}
    assert sorted(views) == ["a", "b", "c"]
    a = views["a"].estate.trails
    assert [(t.id, t.foreign_unit) for t in a] == [
        ("aws_cloudtrail.t", None), ("aws_cloudtrail.t (b)", "b"), ("aws_cloudtrail.t (c)", "c"),
    ]  # fmt: skip
    assert [t.foreign_unit for t in views["b"].estate.trails] == [None, "c"]
    assert views["a"].anchor == Location("a/main.tf", 3)


def test_a_view_holds_the_organization_trails_of_its_organization_and_of_unplaced_units(
) -> None:
    estate = Estate(trails=tuple(
        _trail(u, is_organization=True) for u in ("dev", "dev-app", "prod", "shared", "loose")
    ))  # fmt: skip
    places = {"dev": "d", "dev-app": "d", "prod": "p", "shared": "s"}
    views = {v.name: v for v in unit_views(estate, organizations=places)}

    def held(name: str) -> list[str | None]:
        return [t.foreign_unit for t in views[name].estate.trails if t.foreign_unit]

    assert held("dev") == ["dev-app", "loose"]  # not prod's or shared's: other organizations
    assert held("prod") == ["loose"]
    assert held("loose") == ["dev", "dev-app", "prod", "shared"]  # its organization is unknown
    # the views of one organization share one tuple: work on it is shared by identity
    assert views["dev"].organization is views["dev-app"].organization
    assert views["dev"].organization is not views["prod"].organization
    # units in one group: the group sees what any of its organizations lends
    grouped = {v.name: v for v in unit_views(estate, {"dev": "g", "prod": "g"}, places)}
    assert [t.foreign_unit for t in grouped["g"].estate.trails if t.foreign_unit] == [
        "dev-app", "loose"]


def test_units_without_a_trail_are_not_judged_and_an_empty_live_estate_is() -> None:
    assert unit_views(Estate()) == ()
    (view,) = unit_views(Estate(origin="live"))
    assert view.name == "" and view.estate.origin == "live"


def test_a_unit_whose_only_store_holds_events_from_outside_aws_is_not_judged() -> None:
    from checker.model import AdvancedSelector, EventDataStore, FieldSelector, Selectors

    def store(unit: str, *categories: str) -> EventDataStore:
        return EventDataStore(
            id="s", name="s", location=Location(f"{unit}/t.yaml", 2, unit),
            selectors=Selectors("advanced", advanced=tuple(
                AdvancedSelector((FieldSelector("eventCategory", equals=(c,)),))
                for c in categories)),
        )  # fmt: skip

    estate = Estate(event_data_stores=(
        store("azure", "ActivityAuditLog"), store("config", "ConfigurationItem"),
        store("mixed", "ActivityAuditLog", "Management"),
    ))  # fmt: skip
    assert [v.name for v in unit_views(estate)] == ["mixed"]


def test_a_name_joins_the_object_of_its_own_unit_first() -> None:
    def group(unit: str) -> LogGroup:
        return LogGroup(id="aws_cloudwatch_log_group.g", name="cloudtrail",
                        location=Location(f"{unit}/main.tf", 1, unit))  # fmt: skip

    def metric_filter(unit: str) -> MetricFilter:
        return MetricFilter(id="f", log_group=Reference("cloudtrail", unit=unit), pattern="x",
                            transformations=(MetricTransformation("m", "ns"),),
                            location=Location(f"{unit}/main.tf", 9, unit))  # fmt: skip

    estate = Estate.merge([
        in_unit(Estate(log_groups=(group("prod"),), metric_filters=(metric_filter("prod"),)),
                "prod"),
        in_unit(Estate(log_groups=(group("dev"),), metric_filters=(metric_filter("dev"),)),
                "dev"),
    ])  # fmt: skip
    for unit in ("prod", "dev"):
        found = estate.resolve("log_group", Reference("cloudtrail", unit=unit))
        assert found is not None and found.location.unit == unit
        assert [f.location.unit for f in estate.filters_on(found)] == [unit]


def test_a_missing_bucket_two_units_name_is_judged_in_each(capsys: Capsys, tmp_path: Path) -> None:
    # two example roots of one module, each naming a bucket created elsewhere: one finding per
    # unit, each naming its own trail once (not one finding whose trail list repeats the id)
    (tmp_path / "module").mkdir()
    (tmp_path / "module" / "main.tf").write_text(
        'variable "bucket" {}\n'
        'resource "aws_cloudtrail" "this" {\n'
        '  name           = "t"\n'
        "  s3_bucket_name = var.bucket\n"
        "}\n"
    )
    for name in ("minimal", "complete"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text(
            'module "trail" {\n  source = "../module"\n  bucket = "shared-logs"\n}\n'
        )
    found = by_unit(scan(capsys, tmp_path), "CT020")
    assert set(found) == {rel(tmp_path / "minimal"), rel(tmp_path / "complete")}
    for f in found.values():
        assert f["status"] == "unknown"
        assert "(used by module.trail.aws_cloudtrail.this)" in f["message"]


def test_an_input_error_is_reported_in_its_unit(capsys: Capsys, tmp_path: Path) -> None:
    # a broken file and an unreadable one in envs/dev: both CT000 findings name envs/dev, the
    # unit they leave half-judged; the same error in a module two units share names neither
    for env in ("dev", "prod"):
        (tmp_path / "envs" / env).mkdir(parents=True)
        (tmp_path / "envs" / env / "main.tf").write_text(
            GOOD_TRAIL.replace('"good"', f'"{env}"') + 'module "shared" {\n'
            '  source = "../../modules/shared"\n}\n'
        )
    (tmp_path / "envs" / "dev" / "broken.tf").write_text('resource "aws_s3_bucket" "b" {\n')
    (tmp_path / "envs" / "dev" / "latin1.tf").write_bytes(b'# caf\xe9\n')
    (tmp_path / "modules" / "shared").mkdir(parents=True)
    (tmp_path / "modules" / "shared" / "main.tf").write_text('resource "aws_s3_bucket" "x" {\n')
    errors = [f for f in scan(capsys, tmp_path) if f["rule_id"] == "CT000"]
    units = {Path(f["file"]).name: f["unit"] for f in errors}
    dev = rel(tmp_path / "envs" / "dev")
    assert units == {"broken.tf": dev, "latin1.tf": dev, "main.tf": None}, errors


@pytest.mark.parametrize(("fixture", "trail", "alarms"), [
    ("cis-alarms-stack", "trail.yaml", "alarms.yaml"),  # CloudFormation: two templates
    ("cis-alarms-roots", "trail", "alarms"),  # Terraform: two root modules
])  # fmt: skip
def test_another_units_alarms_count_for_a_log_group_outside_the_inputs_in_its_estate(
    fixture: str, trail: str, alarms: str, tmp_path: Path, capsys: Capsys
) -> None:
    """A trail names its log group by a literal ARN (a third stack creates it); another unit,
    which the config file puts in the same account, holds the CIS filters and alarms on that
    name. They count: CIS 5 passes. Without the config file nothing says the two units share
    an account: unknown, and the message names the unit and `estates:`."""
    root = FIXTURES / "estates" / fixture
    findings = report(capsys, str(root))["findings"]
    ct105 = by_unit(findings, "CT105")
    assert set(ct105) == {"security"}
    assert ct105["security"]["status"] == "pass", ct105["security"]["message"]
    # the other CIS rules: the log group outside the inputs may have other filters
    assert by_unit(findings, "CT101")["security"]["status"] == "unknown"

    shutil.copytree(root, tmp_path / fixture, ignore=shutil.ignore_patterns(".trailcheck.*"))
    alone = by_unit(scan(capsys, tmp_path / fixture), "CT105")[rel(tmp_path / fixture / trail)]
    assert alone["status"] == "unknown"
    message = alone["message"]
    assert "outside the scanned inputs" in message and "`estates:`" in message
    assert f"metric filters of {rel(tmp_path / fixture / alarms)} name" in message
