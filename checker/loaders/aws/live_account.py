"""One audited account: its clients, its calls, and the reads of each kind of resource.

`AccountReader` makes every client of one account, read-only (`checker/aws_readonly.py`) and with
standard retries, from the one session the audit's injectable factory made (tests add botocore
hooks to it); an account reached through sts:AssumeRole uses clients of that session with the
role's credentials. `try_read`/`read` turn each call's outcome into a `Result`: the response,
ABSENT for "not configured", or `Failed` with the call and the error, listed in the `Sink` as not
checked. Only the specific botocore errors are caught; any other exception is a bug and
propagates. The readers at the end (`read_trail`, `read_bucket`, ...) are the per-resource calls
of the audit's details step (checker/loaders/aws/live.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Protocol

from checker.aws_readonly import guard_client
from checker.joins import log_group_arn, log_group_name
from checker.loaders.aws import live_shapes as shapes
from checker.loaders.aws.live_shapes import ABSENT, Failed, Result
from checker.model import (
    Bucket,
    Diagnostic,
    Key,
    LogGroup,
    MetricFilter,
    Subscription,
    Topic,
    Trail,
    Unknown,
    Unread,
)

DEFAULT_WORKERS = 8
GLOBAL_REGION = "us-east-1"  # IAM, STS, S3 account settings and Organizations are served here
ROLE_SESSION_NAME = "trailcheck-audit"
ENABLED_OPT_IN_STATUSES = ("opt-in-not-required", "opted-in")

# Error codes AWS gives for a call into a Region the account has not enabled ("The security token
# included in the request is invalid"): UnrecognizedClientException for JSON services,
# InvalidClientTokenId for query ones, as reported in e.g. aws/aws-sdk-ruby#2850 and
# aws-samples/aws-control-tower-config-customization#27 (opt-in Regions).
_REGION_DISABLED_CODES = frozenset({
    "UnrecognizedClientException", "InvalidClientTokenId", "AuthFailure", "OptInRequired",
})  # fmt: skip


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None


SessionFactory = Callable[[str | None], Any]
"""profile -> a boto3.Session (the standard credential chain when the profile is None).

The audit makes one session. The accounts it reaches through sts:AssumeRole use clients of that
same session with the role's credentials: a second session would load every service model again,
which costs about a second per account."""


def default_session_factory(profile: str | None) -> Any:
    import boto3

    return boto3.Session(profile_name=profile)


@dataclass(frozen=True)
class AuditOptions:
    profile: str | None = None
    regions: tuple[str, ...] = ()  # empty: every Region enabled in each account
    role_arns: tuple[str, ...] = ()
    endpoint_url: str | None = None
    workers: int = DEFAULT_WORKERS
    event_data_stores: bool = True
    # `--organization --role-name NAME`: every ACTIVE account of the caller's organization,
    # through the role NAME in each (checker/loaders/aws/organization.py)
    organization_role: str | None = None


@dataclass(frozen=True, order=True)
class NotChecked:
    """One call whose answer the audit does not have, and why."""

    account: str
    region: str
    call: str  # "s3:GetBucketPolicy"
    target: str  # what it was about: a bucket name, an ARN, or "" for a Region-wide call
    error: str  # "AccessDenied", "ThrottlingException after 5 attempts", ...
    message: str = ""

    @property
    def reason(self) -> str:
        where = f"on {self.target}" if self.target else f"in {self.region or 'the account'}"
        return f"{self.call} {where} failed: {self.error}"

    def to_json(self) -> dict[str, str]:
        return {
            "account": self.account, "region": self.region, "call": self.call,
            "target": self.target, "error": self.error, "message": self.message,
            "reason": self.reason,
        }  # fmt: skip


class CredentialsError(Exception):
    """The caller's own credentials are missing or rejected: nothing can be audited."""


class Progress(Protocol):
    def add_task(self, label: str, total: int) -> int: ...

    def advance(self, task: int) -> None: ...

    def label(self, task: int, label: str) -> None: ...


class NoProgress:
    def add_task(self, label: str, total: int) -> int:
        return 0

    def advance(self, task: int) -> None:
        return None

    def label(self, task: int, label: str) -> None:
        return None


@cache
def _errors() -> tuple[type[BaseException], ...]:
    """The botocore errors a call may end with that mean "not read", never "fine"."""
    from botocore import exceptions as e

    return (
        e.ClientError,
        e.ConnectionError,  # EndpointConnectionError, ConnectTimeoutError, SSL, proxy
        e.HTTPClientError,  # ReadTimeoutError, ConnectionClosedError
        e.NoCredentialsError,
        e.PartialCredentialsError,
        e.CredentialRetrievalError,
        e.TokenRetrievalError,
        e.SSOError,
    )


@cache
def _credential_errors() -> tuple[type[BaseException], ...]:
    from botocore import exceptions as e

    return (
        e.NoCredentialsError, e.PartialCredentialsError, e.CredentialRetrievalError,
        e.TokenRetrievalError, e.SSOError, e.ProfileNotFound,
    )  # fmt: skip


def _error_text(exc: BaseException) -> tuple[str, str]:
    """(short error for the reason, AWS's message) of a failed call."""
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        error = exc.response.get("Error") or {}
        meta = exc.response.get("ResponseMetadata") or {}
        code = str(error.get("Code") or meta.get("HTTPStatusCode") or "?")
        if code.isdigit():  # no error document (a HEAD, a proxy, an emulator's HTML page)
            code = f"HTTP {code}"
        text = code
        if code in _REGION_DISABLED_CODES:
            text += " (is the Region enabled for this account?)"
        attempts = int(meta.get("RetryAttempts") or 0)
        if attempts:
            text += f" after {attempts + 1} attempts"
        return text, _short(str(error.get("Message") or ""))
    return type(exc).__name__, _short(str(exc))


def _short(message: str, limit: int = 300) -> str:
    text = " ".join(message.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------
# One account: its clients and its calls


_CLIENT_LOCK = threading.Lock()  # every account's clients come from the caller's session


class AccountReader:
    """One audited account: its id, its Regions, and its clients (made on first use)."""

    def __init__(
        self,
        session: Any,
        options: AuditOptions,
        sink: Sink,
        role_arn: str | None = None,
        credentials: Credentials | None = None,
    ) -> None:
        self.session = session
        self.credentials = credentials
        self.options = options
        self.sink = sink
        self.role_arn = role_arn
        self.account_id = ""
        self.label = role_arn or "caller"
        self.partition = shapes.arn_part(role_arn or "", 1) or "aws"
        self.home = getattr(session, "region_name", None) or GLOBAL_REGION
        self.regions: tuple[str, ...] = ()
        self.bucket_names: frozenset[str] | None = None  # s3:ListBuckets, None if unknown
        self._clients: dict[tuple[str, str], Any] = {}

    # one client per service and Region, made under a lock: boto3 sessions are not thread-safe
    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        with _CLIENT_LOCK:
            existing = self._clients.get(key)
            if existing is not None:
                return existing
            from botocore.config import Config

            config = Config(
                retries={"mode": "standard", "max_attempts": 5},
                connect_timeout=5,
                read_timeout=15,
                user_agent_extra="trailcheck-audit",
            )
            keys: dict[str, str | None] = {}
            if self.credentials is not None:
                keys = {
                    "aws_access_key_id": self.credentials.access_key_id,
                    "aws_secret_access_key": self.credentials.secret_access_key,
                    "aws_session_token": self.credentials.session_token,
                }
            made = self.session.client(
                service,
                region_name=region,
                endpoint_url=self.options.endpoint_url,
                config=config,
                **keys,
            )
            self._clients[key] = guard_client(made)
            return made

    def try_read(
        self,
        service: str,
        region: str,
        method: str,
        target: str = "",
        *,
        absent: Iterable[str] = (),
        **params: Any,
    ) -> tuple[Result, NotChecked | None]:
        """Call `method` (every page of it: `_all_pages`), mapping the outcome to a Result."""
        from botocore.exceptions import ClientError

        client = self.client(service, region)
        operation = client.meta.method_to_api_mapping.get(method, method)
        call = f"{service}:{operation}"
        try:
            return _all_pages(client, method, params), None
        except _errors() as exc:
            if isinstance(exc, ClientError) and (exc.response.get("Error") or {}).get(
                "Code"
            ) in set(absent):
                return ABSENT, None
            error, message = _error_text(exc)
            entry = NotChecked(self.account_id or self.label, region, call, target, error, message)
            return Failed(entry.reason), entry

    def read(
        self,
        service: str,
        region: str,
        method: str,
        target: str = "",
        *,
        absent: Iterable[str] = (),
        **params: Any,
    ) -> Result:
        result, entry = self.try_read(service, region, method, target, absent=absent, **params)
        if entry is not None:
            self.sink.not_checked(entry)
        return result


_NEXT_TOKEN = "NextToken"


def _all_pages(client: Any, method: str, params: Mapping[str, Any]) -> Mapping[str, Any]:
    """Every page of `method`'s answer, merged. botocore's paginator where it has one; else, for
    an operation whose input and output both have NextToken (cloudtrail:ListEventDataStores has
    no paginator in botocore, yet AWS pages its answer), the pages read one by one and their
    lists joined, so that nothing past the first page is silently missed."""
    if client.can_paginate(method):
        merged: dict[str, Any] = client.get_paginator(method).paginate(**params).build_full_result()
        return merged
    first: Mapping[str, Any] = getattr(client, method)(**params)
    model = client.meta.service_model.operation_model(client.meta.method_to_api_mapping[method])
    if not all(
        shape is not None and _NEXT_TOKEN in shape.members
        for shape in (model.input_shape, model.output_shape)
    ):
        return first
    merged = dict(first)
    token, seen = first.get(_NEXT_TOKEN), set()
    while token and token not in seen:  # an endpoint that repeats a token must not loop forever
        seen.add(token)
        page = getattr(client, method)(**params, **{_NEXT_TOKEN: token})
        for key, value in page.items():
            if isinstance(value, list):
                merged[key] = [*(merged.get(key) or ()), *value]
        token = page.get(_NEXT_TOKEN)
    merged.pop(_NEXT_TOKEN, None)
    return merged


class Sink:
    """Collects what could not be checked, from every thread."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self._lock = threading.Lock()
        self._entries: list[NotChecked] = []
        self._diagnostics: list[Diagnostic] = []
        self._unread: list[Unread] = []

    def not_checked(self, entry: NotChecked) -> None:
        with self._lock:
            self._entries.append(entry)

    def diagnostic(self, diagnostic: Diagnostic) -> None:
        with self._lock:
            self._diagnostics.append(diagnostic)

    def diagnostics(self) -> list[Diagnostic]:
        with self._lock:
            return sorted(set(self._diagnostics), key=lambda d: (d.resource, d.message))

    def entries(self) -> tuple[NotChecked, ...]:
        with self._lock:
            return tuple(sorted(set(self._entries)))

    def unread(self, entry: Unread) -> None:
        """A collection whose listing failed (`model.Unread`)."""
        with self._lock:
            self._unread.append(entry)

    def unread_entries(self) -> tuple[Unread, ...]:
        with self._lock:
            return tuple(sorted(set(self._unread), key=lambda u: (
                u.collection, u.account_id, u.region, u.target, u.reason)))


# ---------------------------------------------------------------------------------------------
# Opening an account


def open_caller(options: AuditOptions, factory: SessionFactory, sink: Sink) -> AccountReader:
    try:
        session = factory(options.profile)
    except _credential_errors() as exc:
        raise CredentialsError(f"cannot use the AWS profile: {exc}") from exc
    account = AccountReader(session, options, sink)
    from botocore.exceptions import ClientError

    try:
        identity = account.client("sts", account.home).get_caller_identity()
    except _credential_errors() as exc:
        raise CredentialsError(
            f"no usable AWS credentials ({type(exc).__name__}: {exc}). Configure the standard "
            "credential chain (environment, ~/.aws/credentials, SSO, instance role) or pass "
            "--profile NAME"
        ) from exc
    except ClientError as exc:
        error, message = _error_text(exc)
        raise CredentialsError(
            f"AWS rejected the credentials: sts:GetCallerIdentity failed: {error} {message}".strip()
        ) from exc
    account.account_id = str(identity["Account"])
    account.partition = shapes.arn_part(str(identity.get("Arn", "")), 1) or "aws"
    return account


def open_role(caller: AccountReader, role_arn: str) -> AccountReader | NotChecked:
    """The account of `role_arn`, through sts:AssumeRole with the caller's credentials."""
    result, entry = caller.try_read(
        "sts", caller.home, "assume_role", role_arn,
        RoleArn=role_arn, RoleSessionName=ROLE_SESSION_NAME,
    )  # fmt: skip
    if entry is not None:  # the account not checked is the role's, not the caller's
        return replace(entry, account=shapes.arn_part(role_arn, 4) or entry.account)
    assert isinstance(result, Mapping)
    creds = result["Credentials"]
    account = AccountReader(
        caller.session, caller.options, caller.sink, role_arn,
        Credentials(creds["AccessKeyId"], creds["SecretAccessKey"], creds.get("SessionToken")),
    )  # fmt: skip
    account.home = caller.home
    assumed = str((result.get("AssumedRoleUser") or {}).get("Arn", ""))
    account.account_id = shapes.arn_part(assumed, 4) or shapes.arn_part(role_arn, 4)
    return account


def enabled_regions(account: AccountReader) -> tuple[str, ...]:
    """The Regions to audit: those asked for that are enabled, or every enabled Region."""
    from checker.regions import DEFAULT_REGIONS, regions_of

    wanted = account.options.regions
    result = account.read("ec2", account.home, "describe_regions", AllRegions=bool(wanted))
    if not isinstance(result, Mapping):
        # without DescribeRegions: the Regions asked for, else those of the caller's partition
        # (the 17 default-enabled ones in `aws`; GovCloud's in GovCloud)
        return wanted or regions_of(account.partition) or DEFAULT_REGIONS
    status = {
        r["RegionName"]: r.get("OptInStatus", "opt-in-not-required")
        for r in result.get("Regions") or ()
    }
    if not wanted:
        return tuple(sorted(r for r, s in status.items() if s in ENABLED_OPT_IN_STATUSES))
    kept = []
    for region in wanted:
        if region in status and status[region] not in ENABLED_OPT_IN_STATUSES:
            account.sink.not_checked(NotChecked(
                account.account_id, region, "ec2:DescribeRegions", "",
                f"the Region is not enabled for this account (opt-in status {status[region]})",
            ))  # fmt: skip
            continue
        kept.append(region)
    return tuple(kept)


# ---------------------------------------------------------------------------------------------
# The reads of each kind of resource


_BUCKET_ABSENT = {
    "get_bucket_policy": ("NoSuchBucketPolicy",),
    "get_bucket_acl": (),
    "get_bucket_versioning": (),
    "get_object_lock_configuration": ("ObjectLockConfigurationNotFoundError",),
    "get_public_access_block": ("NoSuchPublicAccessBlockConfiguration",),
    "get_bucket_logging": (),
    "get_bucket_lifecycle_configuration": ("NoSuchLifecycleConfiguration",),
    "get_bucket_encryption": ("ServerSideEncryptionConfigurationNotFoundError",),
}


def read_trail(account: AccountReader, t: Mapping[str, Any]) -> Trail:
    """Status, selectors and Insights, by ARN (which works for shadow and organization trails),
    in the trail's home Region. The selectors are always read: DescribeTrails' HasCustomEvent-
    Selectors / HasInsightSelectors only summarise them, and GetEventSelectors is what AWS
    applies (it returns the default selector when there is no custom one)."""
    arn = str(t["TrailARN"])
    region = t.get("HomeRegion") or shapes.arn_part(arn, 3) or account.home
    status = account.read("cloudtrail", region, "get_trail_status", arn, Name=arn)
    selectors = account.read("cloudtrail", region, "get_event_selectors", arn, TrailName=arn)
    insights = account.read(
        "cloudtrail", region, "get_insight_selectors", arn,
        absent=("InsightNotEnabledException",), TrailName=arn,
    )  # fmt: skip
    return shapes.trail_from_api(t, status, selectors, insights, account.account_id)


def read_bucket(account: AccountReader, name: str, owner: str | Unknown) -> Bucket:
    location = account.read("s3", account.home, "get_bucket_location", name, Bucket=name)
    region = shapes.bucket_region(location)
    where = region if isinstance(region, str) else account.home
    results = {
        method: account.read("s3", where, method, name, absent=absent, Bucket=name)
        for method, absent in _BUCKET_ABSENT.items()
    }
    return shapes.bucket_from_api(
        name, account=owner, region=region, reader=(account.account_id, account.home),
        policy=results["get_bucket_policy"], acl=results["get_bucket_acl"],
        versioning=results["get_bucket_versioning"],
        object_lock=results["get_object_lock_configuration"],
        public_access=results["get_public_access_block"], logging=results["get_bucket_logging"],
        lifecycle=results["get_bucket_lifecycle_configuration"],
        encryption=results["get_bucket_encryption"],
    )  # fmt: skip


def read_key(account: AccountReader, arn: str) -> Key:
    region = shapes.arn_part(arn, 3) or account.home
    described = account.read("kms", region, "describe_key", arn, KeyId=arn)
    rotation = account.read("kms", region, "get_key_rotation_status", arn, KeyId=arn)
    policy = account.read("kms", region, "get_key_policy", arn, KeyId=arn, PolicyName="default")
    return shapes.key_from_api(arn, described, rotation, policy, account.account_id)


def read_log_group(
    account: AccountReader, arn: str
) -> tuple[LogGroup | None, tuple[MetricFilter, ...]]:
    base = log_group_arn(arn)
    region = shapes.arn_part(base, 3) or account.home
    name = log_group_name(base)
    groups = account.read("logs", region, "describe_log_groups", name, logGroupNamePrefix=name)
    group: LogGroup | None = None
    if isinstance(groups, Mapping):
        match = [g for g in groups.get("logGroups") or () if g.get("logGroupName") == name]
        if match:
            group = shapes.log_group_from_api(base, match[0])
        else:
            account.sink.not_checked(NotChecked(
                account.account_id, region, "logs:DescribeLogGroups", name,
                "the trail's log group does not exist",
            ))  # fmt: skip
            return None, ()
    filters = account.read("logs", region, "describe_metric_filters", name, logGroupName=name)
    return group, shapes.metric_filters_from_api(base, filters)


def read_alarms(account: AccountReader, region: str) -> Result:
    return account.read("cloudwatch", region, "describe_alarms", AlarmTypes=["MetricAlarm"])


def read_topic(account: AccountReader, arn: str) -> tuple[Topic, tuple[Subscription, ...]]:
    region = shapes.arn_part(arn, 3) or account.home
    attributes = account.read("sns", region, "get_topic_attributes", arn, TopicArn=arn)
    subs = account.read("sns", region, "list_subscriptions_by_topic", arn, TopicArn=arn)
    if isinstance(subs, Failed):  # no subscription is listed: the gap must show as a finding
        where = shapes.where(shapes.arn_part(arn, 4), region)
        account.sink.diagnostic(Diagnostic(
            "CT000", "unknown",
            f"could not be checked: {subs.reason}; the topic's subscriptions may be missing",
            where, resource=arn,
        ))  # fmt: skip
        # and the alarms that notify it may or may not reach someone (simulator/alarms.py)
        account.sink.unread(Unread("subscriptions", shapes.arn_part(arn, 4), region, subs.reason,
                                   target=arn, location=where))  # fmt: skip
    return shapes.topic_from_api(arn, attributes), shapes.subscriptions_from_api(arn, subs)
