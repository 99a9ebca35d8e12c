"""A fixed synthetic ScanReport for the CI report formats, and golden-file comparison.

The rules are built here, not loaded from policies/, so that adding a rule does not change the
golden files. Regenerate them with `TRAILCHECK_UPDATE_GOLDEN=1 python -m pytest tests/report`.
"""

from __future__ import annotations

import os
from pathlib import Path

from checker.findings import Finding, Severity, Status, Suppression
from checker.model import InputFile
from checker.report import ScanReport
from checker.rules import Rule

GOLDEN = Path(__file__).resolve().parent / "golden"
TF = "infra/main.tf"
CFN = "stack/trail.yaml"


def rule(rid: str, name: str, severity: Severity, scope: str = "trail",
         compliance: tuple[str, ...] = ()) -> Rule:
    return Rule(
        id=rid, name=name, title=f"{name.replace('-', ' ').capitalize()} is as it should be",
        severity=severity, scope=scope,
        rationale=f"Why {name} matters: without it, activity goes unrecorded or unprotected.",
        check=None, messages={},
        remediation={
            "terraform": f'resource "aws_cloudtrail" "main" {{\n  # fix {rid}\n}}\n',
            "cloudformation": f"Trail:\n  Type: AWS::CloudTrail::Trail  # fix {rid}\n",
        },
        examples=(), compliance=compliance,
    )


RULES = (
    rule("CT002", "log-file-validation", "medium", compliance=("CIS-AWS-5.0:3.2",)),
    rule("CT003", "kms-encryption", "high"),
    rule("CT004", "trail-logging", "high"),
    rule("CT020", "log-bucket-object-lock", "medium", "bucket"),
    rule("CT021", "log-bucket-versioning", "medium", "bucket"),
    rule("CT024", "log-bucket-access-logging", "low", "bucket"),
    rule("CT030", "trail-key-rotation", "medium", "key"),
    rule("CT099", "unused-suppression", "low", "file"),
    rule("CT120", "critical-event-coverage", "critical", "estate"),
)
_BY_ID = {r.id: r for r in RULES}


def finding(rid: str, status: Status, resource: str, file: str, line: int, message: str,
            suppression: str | None = None) -> Finding:
    r = _BY_ID[rid]
    return Finding(rid, r.name, status, r.severity, resource, file, line, message,
                   r.compliance, suppression)


def sample_findings() -> list[Finding]:
    return sorted([
        finding("CT002", "fail", "aws_cloudtrail.main", TF, 12,
                "Log file validation is off (enable_log_file_validation is false)."),
        finding("CT003", "fail", "aws_cloudtrail.main", TF, 5,
                "No customer managed KMS key: kms_key_id is not set."),
        finding("CT004", "pass", "aws_cloudtrail.main", TF, 14, "The trail is logging."),
        finding("CT020", "suppressed", "aws_s3_bucket.logs", TF, 30,
                "Object Lock is not enabled.",
                Suppression(
                    "copies go to the audit account's locked bucket", "inline", f"{TF}:29")),
        finding("CT021", "suppressed", "aws_s3_bucket.logs", TF, 31, "Versioning is not enabled.",
                Suppression("versioned by the replication target", "config", ".trailcheck.yaml:4")),
        finding("CT024", "suppressed", "aws_s3_bucket.logs", TF, 30,
                "Server access logging is off.",
                Suppression("pre-existing finding", "baseline", "ci/baseline.json")),
        finding("CT030", "unknown", "aws_kms_key.trail", TF, 9,
                "key arn:aws:kms:us-east-1:111122223333:key/abc (used by aws_cloudtrail.main) "
                "is not in the scanned inputs"),
        finding("CT099", "fail", TF, TF, 40,
                "unused suppression: `trailcheck:ignore CT022` at `resource \"aws_s3_bucket\" "
                "\"old\" {` matches no failing or unknown finding; remove it"),
        finding("CT120", "fail", "estate", "infra", 0,
                "Root sign-in is not captured in eu-west-1 | no trail covers it <multi-region>."),
        finding("CT002", "fail", "Trail", CFN, 8,
                'Log file validation is off ("EnableLogFileValidation" is false & unset).'),
        finding("CT004", "fail", "arn:aws:cloudtrail:us-east-1:111122223333:trail/old", "", 0,
                "The trail is not logging (IsLogging is false)."),
    ], key=Finding.sort_key)


COVERAGE = {
    "regions": ["us-east-1", "eu-west-1"],
    "units": [{"unit": "infra", "scenarios": [
        {"id": "root-sign-in", "title": "Root user signs in", "critical": True,
         "cells": {"us-east-1": {"captured_by": ["aws_cloudtrail.main"], "cloudwatch": True,
                                 "alarm": True},
                   "eu-west-1": {"captured_by": [], "cloudwatch": False, "alarm": False}}},
        {"id": "stop-logging", "title": "CloudTrail StopLogging", "critical": True,
         "cells": {"us-east-1": {"captured_by": ["aws_cloudtrail.main"], "cloudwatch": True,
                                 "alarm": False},
                   "eu-west-1": {"captured_by": ["aws_cloudtrail.main"], "cloudwatch": False,
                                 "alarm": False}}},
        {"id": "s3-get", "title": "S3 GetObject", "critical": False, "cells": {}},
    ]}],
}


def sample_report(coverage: bool = True) -> ScanReport:
    return ScanReport(
        findings=tuple(sample_findings()),
        inputs=(InputFile(TF, "terraform"), InputFile(CFN, "cloudformation")),
        rules=RULES,
        extra={"coverage": COVERAGE} if coverage else {},
    )


def check_golden(name: str, text: str) -> None:
    """Compare byte for byte with tests/report/golden/NAME (rewrite it when asked)."""
    path = GOLDEN / name
    if os.environ.get("TRAILCHECK_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert path.exists(), f"{path} is missing: run with TRAILCHECK_UPDATE_GOLDEN=1 to create it"
    assert text.encode("utf-8") == path.read_bytes(), (
        f"{name} differs from its golden file; if the change is intended, regenerate with "
        "TRAILCHECK_UPDATE_GOLDEN=1 and review the diff"
    )
