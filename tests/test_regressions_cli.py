"""What a review of saved AWS CLI output, snapshots and log replay against AWS's real output
shapes found (review 10): `fixtures/regressions/cli-*/` must get these verdicts through the
command line. Kept apart from tests/test_regressions.py, which holds the IaC cases."""

from __future__ import annotations

import json
from pathlib import Path

from checker.cli import main
from checker.model import Estate
from checker.regions import partition_regions
from checker.simulator.coverage import s3_object_coverage
from tests.simulator.capture_cases import DATA, S3_OBJECTS, adv, fs, sel, trail
from tests.test_regressions import CASES, Capsys, scan, verdicts

# -- S3 object coverage --------------------------------------------------------------------------


def test_a_lambda_selectors_arn_prefix_is_not_taken_for_an_s3_object(capsys: Capsys) -> None:
    """One selector records every S3 object, another the invocations of some functions: every
    object write and read is recorded. The function ARN prefix is no S3 object's ARN, so it
    must not become an S3 probe that no selector records (it made CT009/CT010 fail, naming
    "bucket None")."""
    _, findings = scan(capsys, CASES / "cli-lambda-arn-selector")
    assert verdicts(findings, "CT009") == {"estate": "pass"}
    assert verdicts(findings, "CT010") == {"estate": "pass"}


def test_an_s3_probe_is_an_s3_arn_whatever_the_other_selectors_name() -> None:
    lambdas = sel(DATA, fs("resources.type", equals="AWS::Lambda::Function"),
                  fs("resources.ARN", equals="arn:aws:lambda:eu-west-1:111122223333:function:f"))
    every_object = sel(DATA, S3_OBJECTS, fs("resources.ARN", starts_with="arn:aws:s3:::"))
    estate = Estate(trails=(trail(selectors=adv(every_object, lambdas)),))
    assert s3_object_coverage(estate, read_only=False).status == "pass"


# -- partitions -----------------------------------------------------------------------------------

CHINA = CASES / "cli-china-partition"


def test_a_china_account_is_judged_on_the_china_regions(capsys: Capsys) -> None:
    """A multi-Region trail in aws-cn records cn-north-1 and cn-northwest-1, never a commercial
    Region: without --regions, CT001 was a fail ("misses us-east-1 ... of 17 regions") and the
    S3 probes were commercial ARNs the China all-buckets value cannot match."""
    _, findings = scan(capsys, CHINA)
    for rule in ("CT001", "CT009", "CT010"):
        assert verdicts(findings, rule) == {"estate": "pass"}, rule
    (ct001,) = [f["message"] for f in findings if f["rule_id"] == "CT001"]
    assert "in every region (2)" in ct001


def test_regions_given_still_win_over_the_partitions_default(capsys: Capsys) -> None:
    _, findings = scan(capsys, CHINA, "--regions", "cn-north-1,eu-west-1")
    assert verdicts(findings, "CT001") == {"estate": "fail"}


def test_the_coverage_matrix_of_a_china_account_has_the_china_regions(capsys: Capsys) -> None:
    assert main(["coverage", str(CHINA), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["regions"] == ["cn-north-1", "cn-northwest-1"]


def test_the_partition_default_needs_every_home_region_in_one_other_partition() -> None:
    assert partition_regions(["us-gov-west-1"]) == ("us-gov-west-1", "us-gov-east-1")
    assert partition_regions(["cn-north-1", "eu-west-1"]) is None
    assert partition_regions(["us-east-1"]) is None
    assert partition_regions([]) is None


# -- where findings point --------------------------------------------------------------------------


def test_findings_on_values_of_other_outputs_point_into_those_outputs(capsys: Capsys) -> None:
    """CT004 is about get-trail-status' IsLogging, CT011 about get-event-selectors' selectors,
    CT008 about get-insight-selectors' InsightSelectors: each finding points there (it pointed
    at the trail's entry in describe-trails), by the key the output uses."""
    _, findings = scan(capsys, CASES.parent / "awscli" / "joined")
    places = {(f["rule_id"], f["resource"].rsplit("/", 1)[-1]): (f["file"].rsplit("/", 1)[-1],
              f["line"]) for f in findings if f["rule_id"] in ("CT004", "CT008", "CT011")}
    assert places == {
        ("CT004", "org-audit"): ("org-audit.status.json", 2),
        ("CT004", "regional"): ("regional-status.json", 3),
        ("CT011", "org-audit"): ("get-event-selectors-org-audit.json", 3),
        ("CT011", "regional"): ("get-event-selectors-regional.json", 3),
        ("CT008", "org-audit"): ("get-insight-selectors.json", 3),
    }
    (stopped,) = [f["message"] for f in findings
                  if f["rule_id"] == "CT004" and f["status"] == "fail"]  # fmt: skip
    assert "IsLogging is false" in stopped


# -- Insights event categories ------------------------------------------------------------------


def test_error_rate_insights_on_data_events_only_leave_management_errors_unwatched(
    capsys: Capsys,
) -> None:
    """get-insight-selectors with ApiErrorRateInsight for EventCategories ["Data"]: a flood of
    AccessDenied on management calls raises no Insights event, so CT008 fails (it passed)."""
    _, findings = scan(capsys, CASES / "cli-insights-on-data-events")
    assert verdicts(findings, "CT008") == {"estate": "fail"}
    (message,) = [f["message"] for f in findings if f["rule_id"] == "CT008"]
    assert "ApiErrorRateInsight only on data events" in message


# -- global service events in other partitions -----------------------------------------------------

GOV = CASES / "global-events-govcloud"
CHINA_ONE = CASES / "global-events-china-single-region"


def _cells(capsys: Capsys, path: object, scenario: str) -> dict[str, tuple[str, str]]:
    assert main(["coverage", str(path), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["scenarios"]
    (row,) = [r for r in rows if r["id"] == scenario]
    return {region: (c["status"], c["reason"]) for region, c in row["cells"].items()}


def test_a_govcloud_trail_captures_iam_and_organizations_in_us_gov_west_1(
    capsys: Capsys,
) -> None:
    """IAM, Organizations and root events were pinned to us-east-1, outside GovCloud: a
    multi-Region GovCloud trail looked to miss them (CT103, CT104, CT115, CT120 failed)."""
    _, findings = scan(capsys, GOV)
    assert verdicts(findings, "CT120") == {"estate": "pass"}
    for rule in ("CT103", "CT104", "CT115"):
        (message,) = [f["message"] for f in findings if f["rule_id"] == rule]
        assert "not captured" not in message and "us-east-1" not in message, rule
    (ct104,) = [f["message"] for f in findings if f["rule_id"] == "CT104"]
    assert "in us-gov-west-1: captured" in ct104


def test_a_beijing_only_trail_has_iam_but_not_organizations(capsys: Capsys) -> None:
    """IAM signs in cn-north-1 and Organizations in cn-northwest-1 (aws-cn endpoints): a
    single-Region trail in cn-north-1 captures the first, misses the second."""
    iam = _cells(capsys, CHINA_ONE, "iam-changes")
    assert {s for s, _ in iam.values()} == {"captured"}
    orgs = _cells(capsys, CHINA_ONE, "cis-15-organizations-changes")
    assert all(s == "missed" and "in cn-northwest-1 missed" in r for s, r in orgs.values())


def test_root_sign_in_in_china_is_unknown_with_the_reason(capsys: Capsys) -> None:
    """China has no root user: AWS documents no Region for a root sign-in, so a single-Region
    trail's cell says so rather than guessing us-east-1 (a miss) or cn-north-1 (a pass)."""
    status, reason = _cells(capsys, CHINA_ONE, "root-usage")["cn-north-1"]
    assert status == "unknown"
    assert "the China Regions have no root user" in reason


# -- list-trails output ----------------------------------------------------------------------------

LISTED = CASES / "cli-list-trails"
ORG_AUDIT = "arn:aws-us-gov:cloudtrail:us-gov-east-1:111122223333:trail/org-audit"
DESCRIBED = "arn:aws-us-gov:cloudtrail:us-gov-west-1:111122223333:trail/described"


def test_a_trail_that_only_list_trails_names_exists_with_its_settings_unknown(
    capsys: Capsys,
) -> None:
    """list-trails output was skipped: the trail it names did not exist for trailcheck, and its
    status file named a trail "no describe-trails output lists" (CT000)."""
    _, findings = scan(capsys, LISTED)
    assert verdicts(findings, "CT000") == {}
    assert verdicts(findings, "CT004")[ORG_AUDIT] == "pass"  # its status file joins it
    assert verdicts(findings, "CT002")[ORG_AUDIT] == "unknown"
    (why,) = [f["message"] for f in findings
              if f["rule_id"] == "CT002" and f["resource"] == ORG_AUDIT]  # fmt: skip
    assert "save `aws cloudtrail describe-trails` output" in why
    assert verdicts(findings, "CT002")[DESCRIBED] == "pass"  # describe-trails says more


def test_list_trails_alone_is_an_account_with_trails_not_an_empty_one(
    capsys: Capsys, tmp_path: Path
) -> None:
    (tmp_path / "list-trails.json").write_text((LISTED / "list-trails.json").read_text())
    _, findings = scan(capsys, tmp_path)
    assert verdicts(findings, "CT001") == {"estate": "unknown"}  # not "no trail": a fail
    assert verdicts(findings, "CT120") == {"estate": "unknown"}


def test_one_page_of_list_trails_says_the_others_are_missing(
    capsys: Capsys, tmp_path: Path
) -> None:
    page = json.loads((LISTED / "list-trails.json").read_text())
    page["NextToken"] = "eyJ0b2tlbiI6IDJ9"
    (tmp_path / "list-trails.json").write_text(json.dumps(page))
    _, findings = scan(capsys, tmp_path)
    (note,) = [f for f in findings if f["rule_id"] == "CT000"]
    assert note["status"] == "unknown" and "NextToken" in note["message"]
