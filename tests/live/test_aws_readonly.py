"""The read-only guard: writes are refused before they are signed, and never reach the endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from checker.aws_readonly import (
    AUDIT_OPERATIONS,
    NAMED_EXCEPTIONS,
    ReadOnlyGuard,
    ReadOnlyViolation,
    guard_client,
    is_allowed,
    is_read_name,
)
from tests.live.account import Account
from tests.live.conftest import FakeAws


def test_every_allowed_operation_is_a_read_or_a_named_exception() -> None:
    for service, operations in AUDIT_OPERATIONS.items():
        for op in operations:
            assert is_read_name(op) or (service, op) in NAMED_EXCEPTIONS, f"{service}:{op}"


def test_every_allowed_operation_exists_in_botocore() -> None:
    botocore_session = pytest.importorskip("botocore.session").get_session()
    names = {"cloudwatch-logs": "logs", "s3-control": "s3control",
             "eventbridge": "events"}  # service id -> client name  # fmt: skip
    for service, operations in AUDIT_OPERATIONS.items():
        model = botocore_session.get_service_model(names.get(service, service))
        assert model.service_id.hyphenize() == service  # the id the guard's events carry
        missing = set(operations) - set(model.operation_names)
        assert not missing, f"{service}: {sorted(missing)}"


def test_every_paged_operation_is_read_to_its_last_page() -> None:
    """An allowed operation whose answer pages (a token in its input and output) has a botocore
    paginator, or pages on NextToken, which the audit follows itself (live_account._all_pages;
    docs/semantics/live-audit.md)."""
    botocore_session = pytest.importorskip("botocore.session").get_session()
    names = {"cloudwatch-logs": "logs", "s3-control": "s3control", "eventbridge": "events"}
    tokens = {"NextToken", "nextToken", "Marker", "ContinuationToken"}
    followed = []
    for service, operations in AUDIT_OPERATIONS.items():
        client_name = names.get(service, service)
        model = botocore_session.get_service_model(client_name)
        paginated = botocore_session.get_paginator_model(client_name)._paginator_config
        for op in operations:
            shapes = model.operation_model(op)
            inputs, outputs = (set(s.members) if s is not None else set()
                               for s in (shapes.input_shape, shapes.output_shape))  # fmt: skip
            if not (inputs & tokens and outputs & tokens) or op in paginated:
                continue
            assert "NextToken" in inputs and "NextToken" in outputs, f"{service}:{op}"
            followed.append(f"{service}:{op}")
    assert "cloudtrail:ListEventDataStores" in followed


def test_read_names() -> None:
    assert is_read_name("GetBucketPolicy") and is_read_name("DescribeTrails")
    assert not is_read_name("Getaway") and not is_read_name("PutBucketPolicy")
    assert not is_read_name("StopLogging")


def test_allowlist_is_exact_not_by_prefix() -> None:
    assert is_allowed("s3", "GetBucketPolicy")
    assert not is_allowed("s3", "PutBucketPolicy")
    assert not is_allowed("secretsmanager", "GetSecretValue")  # a read the audit has no use for
    assert not is_allowed("sts", "GetSessionToken")  # mints credentials
    assert is_allowed("sts", "AssumeRole")


def test_guard_handler_refuses_by_event_name() -> None:
    guard = ReadOnlyGuard({"cloudtrail": ["DescribeTrails"]})
    guard(event_name="provide-client-params.cloudtrail.DescribeTrails")
    with pytest.raises(ReadOnlyViolation) as err:
        guard(event_name="before-sign.cloudtrail.StopLogging")
    assert err.value.service == "cloudtrail" and err.value.operation == "StopLogging"
    assert "read-only" in str(err.value) and "neither signed nor sent" in str(err.value)


@pytest.mark.parametrize(
    ("service", "region", "call"),
    [
        ("cloudtrail", "us-east-1", lambda c, a: c.stop_logging(Name=a.main_arn)),
        ("cloudtrail", "us-east-1", lambda c, a: c.delete_trail(Name=a.main_arn)),
        ("s3", "us-east-1", lambda c, a: c.put_bucket_policy(Bucket="trail-logs", Policy="{}")),
        ("kms", "us-east-1", lambda c, a: c.schedule_key_deletion(KeyId=a.key_arn)),
        ("logs", "us-east-1", lambda c, a: c.delete_log_group(logGroupName="cloudtrail/main")),
        ("events", "us-east-1", lambda c, a: c.disable_rule(Name="s3-bucket-deleted")),
        ("events", "us-east-1", lambda c, a: c.remove_targets(Rule="s3-bucket-deleted",
                                                              Ids=["security"])),
        ("events", "us-east-1", lambda c, a: c.put_rule(Name="x", EventPattern="{}")),
        ("cloudtrail", "us-east-1",
         lambda c, a: c.stop_event_data_store_ingestion(EventDataStore="lake")),
        ("cloudtrail", "us-east-1", lambda c, a: c.delete_event_data_store(EventDataStore="lake")),
    ],
)
def test_a_write_is_refused_and_never_reaches_the_endpoint(
    aws: FakeAws, account: Account, service: str, region: str, call: Any
) -> None:
    signed: list[str] = []
    session = aws.session()
    session.events.register(
        "request-created.*.*", lambda event_name, **_: signed.append(event_name)
    )
    client = guard_client(session.client(service, region_name=region, endpoint_url=aws.url))
    aws.sent.clear()
    with pytest.raises(ReadOnlyViolation):
        call(client, account)
    assert not aws.sent, "the write went out"
    assert not signed, "the write was signed"
    # and the emulator still has everything as it was
    ct = aws.client("cloudtrail")
    assert ct.get_trail_status(Name=account.main_arn)["IsLogging"] is True
    assert (
        "DenyInsecureTransport" in aws.client("s3").get_bucket_policy(Bucket="trail-logs")["Policy"]
    )
    rule = aws.client("events").describe_rule(Name="s3-bucket-deleted")
    assert rule["State"] == "ENABLED"
    assert aws.client("events").list_targets_by_rule(Rule="s3-bucket-deleted")["Targets"]


def test_a_read_goes_through(aws: FakeAws, account: Account) -> None:
    client = guard_client(
        aws.session().client("cloudtrail", region_name="us-east-1", endpoint_url=aws.url)
    )
    aws.sent.clear()
    status = client.get_trail_status(Name=account.main_arn)
    assert status["IsLogging"] is True
    assert aws.sent[("cloudtrail", "GetTrailStatus")] == 1


def test_the_audit_makes_only_allowed_calls(aws: FakeAws, account: Account) -> None:
    from checker.loaders.aws.live import AuditOptions, audit

    aws.sent.clear()
    audit(
        AuditOptions(regions=("us-east-1", "eu-west-1", "us-west-2"), endpoint_url=aws.url),
        aws.factory,
    )
    assert aws.sent, "the audit made no call"
    for service, op in aws.sent:
        assert is_allowed(service, op), f"{service}:{op}"
