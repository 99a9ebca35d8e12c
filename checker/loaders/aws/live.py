"""Read live AWS accounts with boto3 into the normalized model: the loader of `trailcheck audit`.

Every client is made here, read-only (`checker/aws_readonly.py`) and with standard retries, from
one session made by an injectable factory (tests add botocore hooks to it); assumed-role accounts
use clients of that session with the role's credentials. The audit runs in four
steps, the slow ones in parallel on a bounded thread pool:

1. accounts: the caller's (standard credential chain or `--profile`) and one per `--role-arn`
   through sts:AssumeRole; each account's enabled Regions (ec2:DescribeRegions) unless given;
2. discovery, per account and Region: cloudtrail:DescribeTrails with shadow trails (every trail
   is kept once, by ARN), ListEventDataStores, and the EventBridge rules and event data stores
   (`live_events`); per account: s3:ListBuckets, the account's public access block, and what
   Organizations lets the caller read;
3. details: per trail (in its home Region) status, event selectors and Insights; per trail bucket,
   KMS key and log group (with metric filters) the settings the rules read; per Region with a
   trail log group, the CloudWatch alarms;
4. the SNS topics of the trails and of those alarms, with their subscriptions.

Each object is read through the audited account that owns it when the audit includes that
account (an organization trail through the management account, the log bucket through the log
archive account), else through the account that uses it.

A call that fails (access denied, a Region that is not enabled, a bucket in another account,
throttling beyond the retries, a timeout) never stops the audit and never reads as "fine": the
fields it would have filled become `Unknown` with the call and the error in the reason, and the
call is listed in `LiveAudit.not_checked`. Only the specific botocore errors are caught; any other
exception is a bug and propagates.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, Literal, Protocol

from checker.aws_readonly import guard_client
from checker.loaders.aws import live_events
from checker.loaders.aws import live_shapes as shapes
from checker.loaders.aws.live_shapes import ABSENT, Failed, Result
from checker.model import (
    Alarm,
    Bucket,
    ControlPolicy,
    Diagnostic,
    Estate,
    InputFile,
    Key,
    LogGroup,
    MetricFilter,
    PublicAccessBlock,
    Subscription,
    Topic,
    Trail,
    Unknown,
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


@dataclass(frozen=True)
class AccountSummary:
    account_id: str
    role_arn: str | None
    regions: tuple[str, ...]
    status: Literal["ok", "partial", "error"]


@dataclass(frozen=True)
class LiveAudit:
    estate: Estate
    not_checked: tuple[NotChecked, ...]
    accounts: tuple[AccountSummary, ...]
    event_data_stores: tuple[dict[str, Any], ...] = ()

    def report_extra(self) -> dict[str, Any]:
        """What the report carries beyond findings (JSON-ready, deterministic)."""
        return {
            "not_checked": [n.to_json() for n in self.not_checked],
            "audit": {
                "accounts": [
                    {
                        "account_id": a.account_id,
                        "role_arn": a.role_arn,
                        "status": a.status,
                        "regions": list(a.regions),
                    }
                    for a in self.accounts
                ],
                "event_data_stores": list(self.event_data_stores),
            },
        }


class CredentialsError(Exception):
    """The caller's own credentials are missing or rejected: nothing can be audited."""


class Progress(Protocol):
    def add_task(self, label: str, total: int) -> int: ...

    def advance(self, task: int) -> None: ...


class NoProgress:
    def add_task(self, label: str, total: int) -> int:
        return 0

    def advance(self, task: int) -> None:
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
# One account: its session, its clients, its calls


_CLIENT_LOCK = threading.Lock()  # every account's clients come from the caller's session


class _Account:
    def __init__(
        self,
        session: Any,
        options: AuditOptions,
        sink: _Sink,
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
        """Call `method` (paginated when boto3 can), mapping the outcome to a Result."""
        from botocore.exceptions import ClientError

        client = self.client(service, region)
        operation = client.meta.method_to_api_mapping.get(method, method)
        call = f"{service}:{operation}"
        try:
            if client.can_paginate(method):
                response: Mapping[str, Any] = (
                    client.get_paginator(method).paginate(**params).build_full_result()
                )
            else:
                response = getattr(client, method)(**params)
            return response, None
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


class _Sink:
    """Collects what could not be checked, from every thread."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self._lock = threading.Lock()
        self._entries: list[NotChecked] = []
        self._diagnostics: list[Diagnostic] = []

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


# ---------------------------------------------------------------------------------------------
# Step 1: accounts and Regions


def _open_caller(options: AuditOptions, factory: SessionFactory, sink: _Sink) -> _Account:
    try:
        session = factory(options.profile)
    except _credential_errors() as exc:
        raise CredentialsError(f"cannot use the AWS profile: {exc}") from exc
    account = _Account(session, options, sink)
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
    return account


def _open_role(caller: _Account, role_arn: str) -> _Account | NotChecked:
    result, entry = caller.try_read(
        "sts", caller.home, "assume_role", role_arn,
        RoleArn=role_arn, RoleSessionName=ROLE_SESSION_NAME,
    )  # fmt: skip
    if entry is not None:  # the account not checked is the role's, not the caller's
        return replace(entry, account=shapes.arn_part(role_arn, 4) or entry.account)
    assert isinstance(result, Mapping)
    creds = result["Credentials"]
    account = _Account(
        caller.session, caller.options, caller.sink, role_arn,
        Credentials(creds["AccessKeyId"], creds["SecretAccessKey"], creds.get("SessionToken")),
    )  # fmt: skip
    account.home = caller.home
    assumed = str((result.get("AssumedRoleUser") or {}).get("Arn", ""))
    account.account_id = shapes.arn_part(assumed, 4) or shapes.arn_part(role_arn, 4)
    return account


def _regions(account: _Account) -> tuple[str, ...]:
    """The Regions to audit: those asked for that are enabled, or every enabled Region."""
    from checker.regions import DEFAULT_REGIONS

    wanted = account.options.regions
    result = account.read("ec2", account.home, "describe_regions", AllRegions=bool(wanted))
    if not isinstance(result, Mapping):
        # without DescribeRegions: the Regions asked for, else the default-enabled ones
        return wanted or DEFAULT_REGIONS
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
# Step 2: discovery


@dataclass
class _Discovery:
    trails: dict[str, tuple[Mapping[str, Any], _Account]] = field(default_factory=dict)
    # account -> (Region, reason) of each Region whose trails could not be listed
    failed_regions: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    event_data_stores: list[dict[str, Any]] = field(default_factory=list)
    events: list[live_events.RegionEvents] = field(default_factory=list)
    account_pab: dict[str, PublicAccessBlock | None] = field(default_factory=dict)
    organization: list[tuple[_Account, _OrgResult]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class _OrgResult:
    members: tuple[str, ...] | Failed | None  # None: not in an organization
    members_entry: NotChecked | None
    policies: list[ControlPolicy] | Failed | None
    policies_entry: NotChecked | None


def _discover_region(account: _Account, region: str, found: _Discovery, task: int) -> None:
    result = account.read("cloudtrail", region, "describe_trails", includeShadowTrails=True)
    with found.lock:
        if isinstance(result, Mapping):
            for t in result.get("trailList") or ():
                arn = t.get("TrailARN")
                if arn and _better_view(account, found.trails.get(arn), arn):
                    found.trails[arn] = (t, account)
        elif isinstance(result, Failed):
            found.failed_regions.setdefault(account.account_id, []).append((region, result.reason))
    stores: Result | None = None
    if account.options.event_data_stores:
        stores = account.read("cloudtrail", region, "list_event_data_stores")
        with found.lock:
            found.event_data_stores.extend(
                shapes.event_data_stores(stores, account.account_id, region)
            )
    events = live_events.read_region(account, region, stores)  # EventBridge rules, Lake
    with found.lock:
        found.events.append(events)
    account.sink.progress.advance(task)


def _discover_account(account: _Account, found: _Discovery) -> None:
    buckets = account.read("s3", account.home, "list_buckets")
    if isinstance(buckets, Mapping):
        account.bucket_names = frozenset(b["Name"] for b in buckets.get("Buckets") or ())
    location = shapes.where(account.account_id, "")
    pab = account.read(
        "s3control", account.home, "get_public_access_block", account.account_id,
        absent=("NoSuchPublicAccessBlockConfiguration",), AccountId=account.account_id,
    )  # fmt: skip
    block = shapes.public_access_block(pab, location)
    if isinstance(block, Unknown):
        block = shapes.unknown_public_access_block(block.reason, location)
    org = _organization(account)
    with found.lock:
        found.account_pab[account.account_id] = block
        found.organization.append((account, org))


_NOT_IN_ORG = ("AWSOrganizationsNotInUseException",)


def _organization(account: _Account) -> _OrgResult:
    """Members and SCPs, where the caller may read them (the management account or a delegated
    administrator). Failures are kept aside: they matter only if no audited account could read."""
    members, m_entry = account.try_read(
        "organizations", GLOBAL_REGION, "list_accounts", absent=_NOT_IN_ORG
    )
    member_ids: tuple[str, ...] | Failed | None
    if isinstance(members, Failed):
        member_ids = members
    elif members is ABSENT:
        member_ids = None
    else:
        assert isinstance(members, Mapping)
        member_ids = tuple(sorted(a["Id"] for a in members.get("Accounts") or ()))
    listed, p_entry = account.try_read(
        "organizations", GLOBAL_REGION, "list_policies", absent=_NOT_IN_ORG,
        Filter="SERVICE_CONTROL_POLICY",
    )  # fmt: skip
    policies: list[ControlPolicy] | Failed | None
    if isinstance(listed, Failed):
        policies = listed
    elif listed is ABSENT:
        policies = None
    else:
        assert isinstance(listed, Mapping)
        policies = []
        for summary in listed.get("Policies") or ():
            pid = summary["Id"]
            name = summary.get("Name", pid)
            described = account.read(
                "organizations", GLOBAL_REGION, "describe_policy", name, PolicyId=pid
            )
            targets = account.read(
                "organizations", GLOBAL_REGION, "list_targets_for_policy", name, PolicyId=pid
            )
            policies.append(
                shapes.control_policy_from_api(summary, described, targets, account.account_id)
            )
    return _OrgResult(member_ids, m_entry, policies, p_entry)


# ---------------------------------------------------------------------------------------------
# Step 3 and 4: details


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


def _read_trail(account: _Account, t: Mapping[str, Any]) -> Trail:
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


def _read_bucket(account: _Account, name: str, owner: str | Unknown) -> Bucket:
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


def _read_key(account: _Account, arn: str) -> Key:
    region = shapes.arn_part(arn, 3) or account.home
    described = account.read("kms", region, "describe_key", arn, KeyId=arn)
    rotation = account.read("kms", region, "get_key_rotation_status", arn, KeyId=arn)
    policy = account.read("kms", region, "get_key_policy", arn, KeyId=arn, PolicyName="default")
    return shapes.key_from_api(arn, described, rotation, policy, account.account_id)


def _read_log_group(
    account: _Account, arn: str
) -> tuple[LogGroup | None, tuple[MetricFilter, ...]]:
    base = shapes.log_group_arn(arn)
    region = shapes.arn_part(base, 3) or account.home
    name = shapes.log_group_name(base)
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


def _read_alarms(account: _Account, region: str) -> Result:
    return account.read("cloudwatch", region, "describe_alarms", AlarmTypes=["MetricAlarm"])


def _read_topic(account: _Account, arn: str) -> tuple[Topic, tuple[Subscription, ...]]:
    region = shapes.arn_part(arn, 3) or account.home
    attributes = account.read("sns", region, "get_topic_attributes", arn, TopicArn=arn)
    subs = account.read("sns", region, "list_subscriptions_by_topic", arn, TopicArn=arn)
    if isinstance(subs, Failed):  # no subscription is listed: the gap must show as a finding
        account.sink.diagnostic(Diagnostic(
            "CT000", "unknown",
            f"could not be checked: {subs.reason}; the topic's subscriptions may be missing",
            shapes.where(shapes.arn_part(arn, 4), region), resource=arn,
        ))  # fmt: skip
    return shapes.topic_from_api(arn, attributes), shapes.subscriptions_from_api(arn, subs)


# ---------------------------------------------------------------------------------------------
# The audit


def audit(
    options: AuditOptions,
    session_factory: SessionFactory | None = None,
    progress: Progress | None = None,
) -> LiveAudit:
    """Read the caller's account and each `options.role_arns` account into one live Estate.

    Raises CredentialsError when the caller's own credentials are missing or rejected."""
    factory = session_factory or default_session_factory
    sink = _Sink(progress or NoProgress())
    caller = _open_caller(options, factory, sink)
    accounts: list[_Account] = [caller]
    diagnostics: list[Diagnostic] = []
    summaries: list[AccountSummary] = []
    for role in options.role_arns:
        opened = _open_role(caller, role)
        if isinstance(opened, NotChecked):
            sink.not_checked(opened)
            diagnostics.append(Diagnostic(
                "CT000", "fail", f"could not audit the account of {role}: {opened.reason}",
                shapes.where(shapes.arn_part(role, 4), ""), resource=role,
            ))  # fmt: skip
            summaries.append(AccountSummary(shapes.arn_part(role, 4), role, (), "error"))
            continue
        if any(a.account_id == opened.account_id for a in accounts):
            continue  # the same account twice (a role in the caller's own account)
        accounts.append(opened)

    with ThreadPoolExecutor(
        max_workers=max(1, options.workers), thread_name_prefix="trailcheck-audit"
    ) as pool:
        for account in accounts:
            account.regions = _regions(account)
        found = _Discovery()
        futures: list[Future[None]] = []
        for account in accounts:
            task = sink.progress.add_task(f"{account.account_id} Regions", len(account.regions))
            futures += [
                pool.submit(_discover_region, account, r, found, task) for r in account.regions
            ]
            futures.append(pool.submit(_discover_account, account, found))
        _wait(futures)
        estate_parts = _details(accounts, found, pool, sink)

    for account in accounts:
        failed = sorted(found.failed_regions.get(account.account_id, []))
        status: Literal["ok", "partial", "error"] = "ok"
        if account.regions and len(failed) == len(account.regions):
            status = "error"
            diagnostics.append(Diagnostic(
                "CT000", "fail",
                f"cloudtrail:DescribeTrails failed in every audited Region of account "
                f"{account.account_id}: its trails are not known (see what could not be checked)",
                shapes.where(account.account_id, ""), resource=f"aws://{account.account_id}",
            ))  # fmt: skip
        else:
            # a single-Region trail homed where DescribeTrails failed is missing: say so as a
            # finding, so the gap cannot pass for "no trail there"
            diagnostics += [
                Diagnostic(
                    "CT000", "unknown",
                    f"could not be checked: {reason}; trails homed in {region} may be missing",
                    shapes.where(account.account_id, region),
                    resource=f"aws://{account.account_id}",
                )
                for region, reason in failed
            ]  # fmt: skip
        summaries.append(
            AccountSummary(account.account_id, account.role_arn, account.regions, status)
        )
    entries = sink.entries()
    touched = {e.account for e in entries}
    summaries = [
        replace(s, status="partial") if s.status == "ok" and s.account_id in touched else s
        for s in summaries
    ]
    inputs = tuple(
        InputFile(f"aws://{s.account_id}", "live", "error" if s.status == "error" else "ok")
        for s in summaries
    )
    diagnostics += sink.diagnostics()
    estate = replace(estate_parts, inputs=inputs, diagnostics=tuple(diagnostics), origin="live")
    stores = sorted(found.event_data_stores, key=lambda s: (s["account"], s["region"], s["arn"]))
    return LiveAudit(
        estate=estate,
        not_checked=entries,
        accounts=tuple(sorted(summaries, key=lambda s: (s.account_id, s.role_arn or ""))),
        event_data_stores=tuple({s["arn"]: s for s in stores}.values()),
    )


def _better_view(
    account: _Account, known: tuple[Mapping[str, Any], _Account] | None, arn: str
) -> bool:
    """Whether `account`'s listing of trail `arn` should replace the one kept: the owner's own
    view wins, then the lowest account id, so that the result does not depend on which
    parallel read finished first."""
    if known is None:
        return True
    kept = known[1]
    owner = shapes.arn_part(arn, 4)
    if (account.account_id == owner) != (kept.account_id == owner):
        return account.account_id == owner
    return account.account_id < kept.account_id


def _wait(futures: Sequence[Future[Any]]) -> list[Any]:
    """Every result, in order; a bug in a worker re-raises here rather than vanishing."""
    return [f.result() for f in futures]


def _details(
    accounts: list[_Account], found: _Discovery, pool: ThreadPoolExecutor, sink: _Sink
) -> Estate:
    by_id = {a.account_id: a for a in accounts}

    def owner_reader(arn: str, fallback: _Account) -> _Account:
        return by_id.get(shapes.arn_part(arn, 4), fallback)

    # each trail once, read through the account that owns it when that account is audited
    trail_jobs: list[tuple[_Account, Mapping[str, Any]]] = []
    for arn, (t, seen_by) in sorted(found.trails.items()):
        trail_jobs.append((owner_reader(arn, seen_by), t))

    bucket_jobs: dict[str, tuple[_Account, str | Unknown]] = {}
    key_jobs: dict[str, _Account] = {}
    group_jobs: dict[str, _Account] = {}
    topic_jobs: dict[str, _Account] = {}
    for reader, t in trail_jobs:
        name = t.get("S3BucketName")
        if name and name not in bucket_jobs:
            bucket_jobs[name] = _bucket_owner(name, reader, accounts)
        if t.get("KmsKeyId"):
            key_jobs.setdefault(t["KmsKeyId"], owner_reader(t["KmsKeyId"], reader))
        group = t.get("CloudWatchLogsLogGroupArn")
        if group:
            base = shapes.log_group_arn(group)
            group_jobs.setdefault(base, owner_reader(base, reader))
        if t.get("SnsTopicARN"):
            topic_jobs.setdefault(t["SnsTopicARN"], owner_reader(t["SnsTopicARN"], reader))
    rules = [r for e in found.events for r in e.rules]
    stores = [s for e in found.events for s in e.stores]
    for arn in live_events.kms_keys(stores):
        key_jobs.setdefault(arn, owner_reader(arn, accounts[0]))
    for arn in live_events.sns_targets(rules):  # an EventBridge rule's topic and its subscribers
        topic_jobs.setdefault(arn, owner_reader(arn, accounts[0]))

    # log groups can only be read from their own account
    readable_groups: dict[str, _Account] = {}
    for base, reader in group_jobs.items():
        owner = shapes.arn_part(base, 4)
        if owner and owner != reader.account_id:
            sink.not_checked(NotChecked(
                reader.account_id, shapes.arn_part(base, 3), "logs:DescribeLogGroups",
                shapes.log_group_name(base),
                f"the log group is in account {owner}, which this audit does not include "
                "(add --role-arn for it)",
            ))  # fmt: skip
            continue
        readable_groups[base] = reader
    alarm_regions = sorted(
        {(r.account_id, shapes.arn_part(b, 3)) for b, r in readable_groups.items()}
    )

    task = sink.progress.add_task(
        "details",
        len(trail_jobs)
        + len(bucket_jobs)
        + len(key_jobs)
        + len(readable_groups)
        + len(alarm_regions),
    )

    def tracked(fn: Callable[..., Any], *args: Any) -> Future[Any]:
        def run() -> Any:
            try:
                return fn(*args)
            finally:
                sink.progress.advance(task)

        return pool.submit(run)

    f_trails = [tracked(_read_trail, r, t) for r, t in trail_jobs]
    f_buckets = [
        tracked(_read_bucket, r, n, owner) for n, (r, owner) in sorted(bucket_jobs.items())
    ]
    f_keys = [tracked(_read_key, r, arn) for arn, r in sorted(key_jobs.items())]
    f_groups = [tracked(_read_log_group, r, arn) for arn, r in sorted(readable_groups.items())]
    f_alarms = [tracked(_read_alarms, by_id[acct], region) for acct, region in alarm_regions]

    trails: list[Trail] = _wait(f_trails)
    buckets: list[Bucket] = _wait(f_buckets)
    keys: list[Key] = _wait(f_keys)
    group_results: list[tuple[LogGroup | None, tuple[MetricFilter, ...]]] = _wait(f_groups)
    alarm_results: list[Result] = _wait(f_alarms)

    groups = [g for g, _ in group_results if g is not None]
    filters = [f for _, fs in group_results for f in fs]
    alarms = _kept_alarms(alarm_regions, alarm_results, filters)

    for alarm in alarms:
        for action in alarm.actions:
            value = action.value
            if isinstance(value, str) and shapes.arn_part(value, 2) == "sns":
                reader = (
                    by_id[shapes.arn_part(alarm.id, 4)]
                    if shapes.arn_part(alarm.id, 4) in by_id
                    else accounts[0]
                )
                topic_jobs.setdefault(value, owner_reader(value, reader))
    topic_task = sink.progress.add_task("SNS topics", len(topic_jobs))
    f_topics = [
        pool.submit(_counted, sink, topic_task, _read_topic, r, arn)
        for arn, r in sorted(topic_jobs.items())
    ]
    topic_results: list[tuple[Topic, tuple[Subscription, ...]]] = _wait(f_topics)

    # account-level settings: the public access blocks of the accounts holding the trail buckets
    bucket_accounts = {
        owner if isinstance(owner, str) else reader.account_id
        for reader, owner in bucket_jobs.values()
    }
    blocks = tuple(
        pab
        for acct, pab in sorted(found.account_pab.items())
        if acct in bucket_accounts and pab is not None
    )
    members, policies = _organization_result(found.organization, sink)
    return Estate(
        trails=shapes.sorted_unique(trails),
        buckets=shapes.sorted_unique(buckets),
        keys=shapes.sorted_unique(keys),
        log_groups=shapes.sorted_unique(groups),
        metric_filters=shapes.sorted_unique(filters),
        alarms=shapes.sorted_unique(alarms),
        topics=shapes.sorted_unique(t for t, _ in topic_results),
        subscriptions=shapes.sorted_unique(s for _, subs in topic_results for s in subs),
        policies=shapes.sorted_unique(policies),
        event_data_stores=shapes.sorted_unique(stores),
        event_rules=shapes.sorted_unique(rules),
        account_public_access_blocks=blocks,
        organization_accounts=members,
        origin="live",
    )


def _counted(sink: _Sink, task: int, fn: Callable[..., Any], *args: Any) -> Any:
    try:
        return fn(*args)
    finally:
        sink.progress.advance(task)


def _bucket_owner(
    name: str, reader: _Account, accounts: list[_Account]
) -> tuple[_Account, str | Unknown]:
    """The audited account that lists the bucket (and reads it), else the trail's account."""
    for account in accounts:
        if account.bucket_names is not None and name in account.bucket_names:
            return account, account.account_id
    unknown_lists = [a.account_id for a in accounts if a.bucket_names is None]
    if unknown_lists:
        return reader, Unknown(
            f"the owner of bucket {name} is not known: s3:ListBuckets failed in account(s) "
            f"{', '.join(unknown_lists)}"
        )
    audited = ", ".join(a.account_id for a in accounts)
    return reader, Unknown(f"bucket {name} belongs to an account outside this audit ({audited})")


def _kept_alarms(
    regions: list[tuple[str, str]], results: list[Result], filters: list[MetricFilter]
) -> list[Alarm]:
    """Alarms on the metrics of the trail log groups' filters. Where a group's filters could not
    be read, every alarm of its Region is kept, since any of them might be the one."""
    out: list[Alarm] = []
    for (account, region), result in zip(regions, results, strict=True):
        here = [
            f
            for f in filters
            if shapes.arn_part(f.id, 4) == account and shapes.arn_part(f.id, 3) == region
        ]
        metrics: set[tuple[str, str]] | None = set()
        for f in here:
            if isinstance(f.pattern, Unknown):
                metrics = None
                break
            for t in f.transformations:
                if isinstance(t.name, str) and isinstance(t.namespace, str) and metrics is not None:
                    metrics.add((t.name, t.namespace))
        out.extend(shapes.alarms_from_api(result, metrics, account, region))
    return out


def _organization_result(
    results: list[tuple[_Account, _OrgResult]], sink: _Sink
) -> tuple[tuple[str, ...] | Unknown, list[ControlPolicy]]:
    """Members and SCPs from whichever audited account could read them; the failures of the
    others are reported only when no account could."""
    members: set[str] = set()
    member_known = False
    not_in_org = False
    policies: list[ControlPolicy] = []
    policies_known = False
    for _, r in results:
        if isinstance(r.members, tuple):
            members.update(r.members)
            member_known = True
        elif r.members is None:
            not_in_org = True
        if isinstance(r.policies, list):
            policies.extend(r.policies)
            policies_known = True
    member_value: tuple[str, ...] | Unknown
    if member_known:
        member_value = tuple(sorted(members))
    elif not_in_org:
        member_value = ()  # no organization: there are no other member accounts
    else:
        reasons = [r.members.reason for _, r in results if isinstance(r.members, Failed)]
        member_value = Unknown("; ".join(reasons) or "organization members not known")
        for _, r in results:
            if r.members_entry is not None:
                sink.not_checked(r.members_entry)
    if not policies_known and not not_in_org:
        for _, r in results:
            if r.policies_entry is not None:
                sink.not_checked(r.policies_entry)
    return member_value, policies
