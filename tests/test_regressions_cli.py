"""What a review of saved AWS CLI output, snapshots and log replay against AWS's real output
shapes found (review 10): `fixtures/regressions/cli-*/` must get these verdicts through the
command line. Kept apart from tests/test_regressions.py, which holds the IaC cases."""

from __future__ import annotations

from checker.model import Estate
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
