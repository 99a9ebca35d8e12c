"""Model objects for the evidence predicate tests, built directly (no loader involved)."""

from __future__ import annotations

from functools import cache
from typing import Any

from checker.engine import evaluate, load_rules
from checker.findings import Finding
from checker.model import (
    Bucket,
    ControlPolicy,
    Estate,
    InputFile,
    Key,
    Location,
    LogGroup,
    Reference,
    Trail,
)
from checker.rules import Options, Rule

BUCKET = "example-org-audit-logs"
TRAIL_ARN = "arn:aws:cloudtrail:us-east-1:111122223333:trail/org-audit"


def trail(**kw: Any) -> Trail:
    kw.setdefault("id", "aws_cloudtrail.main")
    kw.setdefault("name", "org-audit")
    kw.setdefault("bucket", Reference(BUCKET, target="aws_s3_bucket.logs"))
    return Trail(location=Location("main.tf", 5), lines={"bucket": 7, "kms_key": 9}, **kw)


def bucket(**kw: Any) -> Bucket:
    kw.setdefault("id", "aws_s3_bucket.logs")
    kw.setdefault("name", BUCKET)
    return Bucket(location=Location("main.tf", 20), lines={"policy": 30}, **kw)


def key(**kw: Any) -> Key:
    kw.setdefault("id", "aws_kms_key.trail")
    return Key(location=Location("main.tf", 40), **kw)


def log_group(**kw: Any) -> LogGroup:
    kw.setdefault("id", "aws_cloudwatch_log_group.trail")
    kw.setdefault("name", "/aws/cloudtrail/org-audit")
    return LogGroup(location=Location("main.tf", 50), **kw)


def scp(document: Any, pid: str = "aws_organizations_policy.protect", **kw: Any) -> ControlPolicy:
    kw.setdefault("kind", "scp")
    kw.setdefault("targets", ("r-root",))
    return ControlPolicy(id=pid, document=document, location=Location("org.tf", 3), **kw)


def estate(*trails: Trail, **kw: Any) -> Estate:
    return Estate(trails=trails or (trail(),), inputs=(InputFile("main.tf", "terraform"),), **kw)


@cache
def rules() -> dict[str, Rule]:
    return {r.id: r for r in load_rules()}


def run(rule_id: str, e: Estate, options: Options | None = None) -> list[Finding]:
    return [f for f in evaluate(e, [rules()[rule_id]], options) if f.rule_id == rule_id]


def one(rule_id: str, e: Estate, options: Options | None = None) -> Finding:
    [finding] = run(rule_id, e, options)
    return finding


def bucket_policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


CT_ACL = {
    "Sid": "AWSCloudTrailAclCheck", "Effect": "Allow",
    "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
    "Resource": f"arn:aws:s3:::{BUCKET}",
    "Condition": {"StringEquals": {"aws:SourceArn": TRAIL_ARN}},
}
CT_WRITE = {
    "Sid": "AWSCloudTrailWrite", "Effect": "Allow",
    "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
    "Resource": f"arn:aws:s3:::{BUCKET}/AWSLogs/111122223333/*",
    "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                                   "aws:SourceArn": TRAIL_ARN}},
}
TLS = {
    "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
    "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
PUBLIC_READ = {
    "Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
    "Resource": f"arn:aws:s3:::{BUCKET}/*",
}
GOOD_POLICY = bucket_policy(CT_ACL, CT_WRITE, TLS)
