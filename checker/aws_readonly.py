"""The audit's read-only guard: a botocore hook that refuses every operation outside an allowlist.

`trailcheck audit` runs with the caller's credentials, which are often an administrator's. The
guard makes "read-only" a property of the code rather than of the IAM policy: every client the
audit creates gets `guard_client(client)`, whose handlers run on `provide-client-params` (the
first event of an API call, before parameters are even validated) and again on `before-sign`
(the last event before the request is signed and sent). An operation that is not in
`AUDIT_OPERATIONS` raises `ReadOnlyViolation` there, so a write never leaves the process.

The allowlist names operations exactly, per service, rather than matching `Get*`/`List*`: a
prefix would also admit reads the audit has no business making (`secretsmanager:GetSecretValue`,
`sts:GetSessionToken`, which mints credentials). Every entry is a Describe/Get/List/Lookup/Head
read, except `sts:AssumeRole`, which the audit needs to reach the other accounts of an
organization (`READ_PREFIXES` and `NAMED_EXCEPTIONS` state that rule; a test holds it).

No boto3 import here: the module only registers callables on a client's event system.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

READ_PREFIXES = ("Describe", "Get", "List", "Lookup", "Head")

# service id (botocore's hyphenized form, as in event names) -> operations the audit may call
AUDIT_OPERATIONS: Mapping[str, frozenset[str]] = {
    "sts": frozenset({"GetCallerIdentity", "AssumeRole"}),
    "ec2": frozenset({"DescribeRegions"}),
    "cloudtrail": frozenset({
        "DescribeTrails", "GetTrail", "GetTrailStatus", "GetEventSelectors", "GetInsightSelectors",
        "ListEventDataStores", "GetEventDataStore", "ListTrails",
    }),
    "eventbridge": frozenset({"ListRules", "DescribeRule", "ListTargetsByRule"}),
    "s3": frozenset({
        "ListBuckets", "GetBucketLocation", "GetBucketPolicy", "GetBucketAcl",
        "GetBucketVersioning", "GetObjectLockConfiguration", "GetPublicAccessBlock",
        "GetBucketLogging", "GetBucketLifecycleConfiguration", "GetBucketEncryption",
        # botocore's S3 region redirector may call HeadBucket to learn a bucket's region
        "HeadBucket",
    }),
    "s3-control": frozenset({"GetPublicAccessBlock"}),
    "kms": frozenset({"DescribeKey", "GetKeyRotationStatus", "GetKeyPolicy", "ListAliases"}),
    "cloudwatch-logs": frozenset({"DescribeLogGroups", "DescribeMetricFilters"}),
    "cloudwatch": frozenset({"DescribeAlarms"}),
    "sns": frozenset({"GetTopicAttributes", "ListSubscriptionsByTopic"}),
    "organizations": frozenset({
        "DescribeOrganization", "ListAccounts", "ListPolicies", "DescribePolicy",
        "ListTargetsForPolicy",
    }),
}  # fmt: skip

# `simulate --events s3://...` reads log files and nothing else.
LOG_READ_OPERATIONS: Mapping[str, frozenset[str]] = {
    "s3": frozenset({"ListObjectsV2", "GetObject", "HeadBucket"}),
}

# Operations allowed although their names do not say "read": each one justified.
NAMED_EXCEPTIONS: frozenset[tuple[str, str]] = frozenset({
    # returns temporary credentials for another account's audit role; changes nothing
    ("sts", "AssumeRole"),
})  # fmt: skip

GUARD_EVENTS = ("provide-client-params", "before-sign")


class ReadOnlyViolation(Exception):
    """An audit client was asked to call an operation that is not a known read."""

    def __init__(self, service: str, operation: str) -> None:
        self.service = service
        self.operation = operation
        super().__init__(
            f"refused {service}:{operation}: trailcheck audit is read-only and this operation is "
            "not in its allowlist of read operations (checker/aws_readonly.py); the request was "
            "neither signed nor sent"
        )


def is_read_name(operation: str) -> bool:
    """Whether an operation's name marks it as a read (Describe/Get/List/Lookup/Head...)."""
    return any(
        operation.startswith(p) and operation[len(p) : len(p) + 1].isupper() for p in READ_PREFIXES
    )


def is_allowed(
    service: str, operation: str, allowed: Mapping[str, Iterable[str]] | None = None
) -> bool:
    table = AUDIT_OPERATIONS if allowed is None else allowed
    return operation in table.get(service, ())


class ReadOnlyGuard:
    """The event handler. One instance can guard any number of clients."""

    def __init__(self, allowed: Mapping[str, Iterable[str]] | None = None) -> None:
        self.allowed: Mapping[str, frozenset[str]] = {
            service: frozenset(ops) for service, ops in (allowed or AUDIT_OPERATIONS).items()
        }

    def __call__(self, event_name: str = "", **kwargs: Any) -> None:
        # event names are "<event>.<service id>.<Operation>"
        parts = event_name.split(".")
        if len(parts) < 3:
            raise ReadOnlyViolation("unknown", event_name or "unknown")
        service, operation = parts[1], parts[2]
        if not is_allowed(service, operation, self.allowed):
            raise ReadOnlyViolation(service, operation)

    def attach(self, client: Any) -> Any:
        """Register the guard on every operation of `client`; returns the client."""
        events = client.meta.events
        for event in GUARD_EVENTS:
            events.register(f"{event}.*.*", self, unique_id=f"trailcheck-readonly-{event}")
        return client


DEFAULT_GUARD = ReadOnlyGuard()


def guard_client(client: Any, guard: ReadOnlyGuard | None = None) -> Any:
    """Make `client` read-only: any operation outside the allowlist raises ReadOnlyViolation."""
    return (guard or DEFAULT_GUARD).attach(client)
