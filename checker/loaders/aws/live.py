"""Read live AWS accounts with boto3 into the normalized model: the loader of `trailcheck audit`.

One account's clients and calls are `checker/loaders/aws/live_account.py`; the organization's
accounts, members and SCPs are `checker/loaders/aws/organization.py`. The audit runs in four
steps, on one bounded thread pool shared by every account and Region:

1. accounts: the caller's (standard credential chain or `--profile`) and, through
   sts:AssumeRole, one per `--role-arn`, or with `--organization --role-name NAME` every ACTIVE
   account that organizations:ListAccounts lists (the role NAME in each); each account's enabled
   Regions (ec2:DescribeRegions) unless given. Accounts are opened in parallel;
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
archive account), else through the account that uses it, and belongs to the load unit of the
account in its location (`organization.with_account_units`).

A call that fails (access denied, a Region that is not enabled, a bucket in another account,
throttling beyond the retries, a timeout) never stops the audit and never reads as "fine": the
fields it would have filled become `Unknown` with the call and the error in the reason, and the
call is listed in `LiveAudit.not_checked`. An account that cannot be opened (its role cannot be
assumed) or whose trails cannot be listed in any Region is "error": a CT000 failure names it.
An account the organization lists as not ACTIVE is "skipped": a CT000 unknown names its state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from checker.estate_builder import EstateBuilder
from checker.joins import log_group_arn, log_group_name
from checker.loaders.aws import live_events
from checker.loaders.aws import live_shapes as shapes
from checker.loaders.aws.live_account import (
    AccountReader,
    AuditOptions,
    CredentialsError,
    NoProgress,
    NotChecked,
    Progress,
    SessionFactory,
    Sink,
    default_session_factory,
    enabled_regions,
    open_caller,
    open_role,
    read_alarms,
    read_bucket,
    read_key,
    read_log_group,
    read_topic,
    read_trail,
)
from checker.loaders.aws.live_shapes import Failed, Result
from checker.loaders.aws.organization import (
    OrganizationError,
    OrganizationListing,
    OrgReads,
    list_organization,
    organization_result,
    read_organization,
    with_account_units,
)
from checker.model import (
    Alarm,
    Bucket,
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
    Unread,
)
from checker.unread import NOUN, RECORDERS

__all__ = [
    "AccountSummary",
    "AuditOptions",
    "CredentialsError",
    "LiveAudit",
    "NoProgress",
    "NotChecked",
    "OrganizationError",
    "Progress",
    "SessionFactory",
    "audit",
]

AccountStatus = Literal["ok", "partial", "error", "skipped"]


@dataclass(frozen=True)
class AccountSummary:
    account_id: str
    role_arn: str | None
    regions: tuple[str, ...]
    status: AccountStatus
    name: str = ""  # the account's name in the organization, when listed
    reason: str = ""  # why the account is "error" or "skipped"


@dataclass(frozen=True)
class LiveAudit:
    estate: Estate
    not_checked: tuple[NotChecked, ...]
    accounts: tuple[AccountSummary, ...]
    event_data_stores: tuple[dict[str, Any], ...] = ()
    organization: OrganizationListing | None = None  # with --organization

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


# ---------------------------------------------------------------------------------------------
# Step 1: accounts


@dataclass(frozen=True)
class _Target:
    """An account to audit: the caller's own (no role), one through a role, or one skipped."""

    account_id: str
    role_arn: str | None = None
    name: str = ""
    skipped: str = ""  # why the account is not opened at all


def _targets(caller: AccountReader, listing: OrganizationListing | None) -> list[_Target]:
    options = caller.options
    if listing is None:
        return [_Target(caller.account_id)] + [
            _Target(shapes.arn_part(role, 4), role) for role in options.role_arns
        ]
    names = {a.account_id: a.name for a in listing.accounts}
    out = [_Target(caller.account_id, name=names.get(caller.account_id, ""))]
    for a in listing.accounts:
        if a.account_id == caller.account_id:
            continue
        if not a.active:
            why = (
                f"the organization lists the account as {a.state}: only ACTIVE accounts can be "
                "audited"
            )
            out.append(_Target(a.account_id, name=a.name, skipped=why))
            continue
        role = listing.role_arn(a.account_id, caller.partition)
        out.append(_Target(a.account_id, role, a.name))
    return out


def _open(caller: AccountReader, target: _Target) -> AccountReader | NotChecked:
    account = caller if target.role_arn is None else open_role(caller, target.role_arn)
    if isinstance(account, AccountReader):
        account.regions = enabled_regions(account)
    return account


class _AccountsBar:
    """The "accounts" progress bar: an account is done when its trails have been listed in each
    of its Regions, and counted as not checked when it could not be opened or listed at all."""

    def __init__(self, progress: Progress, total: int) -> None:
        self.progress = progress
        self.task = progress.add_task("accounts", total)
        self.failed = 0
        self._left: dict[str, int] = {}
        self._lock = threading.Lock()

    def done(self, failed: bool) -> None:
        with self._lock:
            self._done(failed)

    def _done(self, failed: bool) -> None:
        if failed:
            self.failed += 1
            self.progress.label(self.task, f"accounts ({self.failed} not checked)")
        self.progress.advance(self.task)

    def expect(self, account: AccountReader, jobs: int) -> None:
        self._left[account.account_id] = jobs

    def job_done(self, account: AccountReader, found: _Discovery) -> None:
        with self._lock:
            self._left[account.account_id] -= 1
            if self._left[account.account_id] == 0:
                failed = found.failed_regions.get(account.account_id, ())
                self._done(bool(account.regions) and len(failed) == len(account.regions))


# ---------------------------------------------------------------------------------------------
# Step 2: discovery


@dataclass
class _Discovery:
    trails: dict[str, tuple[Mapping[str, Any], AccountReader]] = field(default_factory=dict)
    # account -> (Region, reason) of each Region whose trails could not be listed
    failed_regions: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    event_data_stores: list[dict[str, Any]] = field(default_factory=list)
    events: list[live_events.RegionEvents] = field(default_factory=list)
    account_pab: dict[str, PublicAccessBlock | None] = field(default_factory=dict)
    organization: list[tuple[AccountReader, OrgReads]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _discover_region(
    account: AccountReader, region: str, found: _Discovery, task: int, bar: _AccountsBar
) -> None:
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
        if isinstance(stores, Failed):  # the Region's stores are not known: never "none"
            account.sink.unread(Unread("event_data_stores", account.account_id, region,
                                       stores.reason, location=shapes.where(account.account_id,
                                                                            region)))  # fmt: skip
        with found.lock:
            found.event_data_stores.extend(
                shapes.event_data_stores(stores, account.account_id, region)
            )
    events = live_events.read_region(account, region, stores)  # EventBridge rules, Lake
    with found.lock:
        found.events.append(events)
    account.sink.progress.advance(task)
    bar.job_done(account, found)


def _discover_account(
    account: AccountReader, found: _Discovery, read_org: bool, bar: _AccountsBar
) -> None:
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
    org = read_organization(account) if read_org else None
    with found.lock:
        found.account_pab[account.account_id] = block
        if org is not None:
            found.organization.append((account, org))
    bar.job_done(account, found)


# ---------------------------------------------------------------------------------------------
# The audit


def audit(
    options: AuditOptions,
    session_factory: SessionFactory | None = None,
    progress: Progress | None = None,
) -> LiveAudit:
    """Read the caller's account and each `options.role_arns` account (or, with
    `options.organization_role`, every account of the caller's organization) into one live
    Estate.

    Raises CredentialsError when the caller's own credentials are missing or rejected, and
    OrganizationError when the organization's accounts cannot be listed."""
    factory = session_factory or default_session_factory
    sink = Sink(progress or NoProgress())
    caller = open_caller(options, factory, sink)
    listing = (
        list_organization(caller, options.organization_role)
        if options.organization_role
        else None
    )
    targets = _targets(caller, listing)
    bar = _AccountsBar(sink.progress, len(targets))
    accounts: list[AccountReader] = []
    diagnostics: list[Diagnostic] = []
    summaries: list[AccountSummary] = []
    names = {t.account_id: t.name for t in targets}

    with ThreadPoolExecutor(
        max_workers=max(1, options.workers), thread_name_prefix="trailcheck-audit"
    ) as pool:
        to_open = [t for t in targets if not t.skipped]
        opened_all: list[AccountReader | NotChecked] = _wait(
            [pool.submit(_open, caller, t) for t in to_open]
        )
        for target in targets:
            if target.skipped:
                diagnostics.append(Diagnostic(
                    "CT000", "unknown",
                    f"account {target.account_id} not checked: {target.skipped}",
                    shapes.where(target.account_id, ""), resource=f"aws://{target.account_id}",
                ))  # fmt: skip
                summaries.append(AccountSummary(
                    target.account_id, None, (), "skipped", target.name, target.skipped
                ))  # fmt: skip
                bar.done(failed=True)
        for target, opened in zip(to_open, opened_all, strict=True):
            if isinstance(opened, NotChecked):
                sink.not_checked(opened)
                role = target.role_arn or ""
                diagnostics.append(Diagnostic(
                    "CT000", "fail", f"could not audit the account of {role}: {opened.reason}",
                    shapes.where(target.account_id, ""), resource=role,
                ))  # fmt: skip
                summaries.append(AccountSummary(
                    target.account_id, role, (), "error", target.name, opened.reason
                ))  # fmt: skip
                bar.done(failed=True)
            elif any(a.account_id == opened.account_id for a in accounts):
                bar.done(failed=False)  # the same account twice (a role in the caller's own)
            else:
                accounts.append(opened)

        found = _Discovery()
        task = sink.progress.add_task("Regions", sum(len(a.regions) for a in accounts))
        futures: list[Future[None]] = []
        for account in accounts:
            bar.expect(account, len(account.regions) + 1)
        for account in accounts:
            futures += [
                pool.submit(_discover_region, account, r, found, task, bar)
                for r in account.regions
            ]
            # in an organization audit only the caller reads the SCPs (members are listed)
            read_org = listing is None or account is caller
            futures.append(pool.submit(_discover_account, account, found, read_org, bar))
        _wait(futures)
        estate_parts = _details(accounts, found, pool, sink)

    for account in accounts:
        failed = sorted(found.failed_regions.get(account.account_id, []))
        status: AccountStatus = "ok"
        reason = ""
        if account.regions and len(failed) == len(account.regions):
            status = "error"
            reason = (
                f"cloudtrail:DescribeTrails failed in every audited Region of account "
                f"{account.account_id}: its trails are not known ({failed[0][1]})"
            )
            diagnostics.append(Diagnostic(
                "CT000", "fail", f"{reason}; see what could not be checked",
                shapes.where(account.account_id, ""), resource=f"aws://{account.account_id}",
            ))  # fmt: skip
            # no Region listed the multi-Region trails either: any trail may be missing
            sink.unread(Unread("trails", account.account_id, "", reason,
                               location=shapes.where(account.account_id, "")))  # fmt: skip
        else:
            # a single-Region trail homed where DescribeTrails failed is missing (the others are
            # listed as shadow trails in every Region)
            for region, why in failed:
                sink.unread(Unread("trails", account.account_id, region, why,
                                   location=shapes.where(account.account_id, region)))  # fmt: skip
        summaries.append(AccountSummary(
            account.account_id, account.role_arn, account.regions, status,
            names.get(account.account_id, ""), reason,
        ))  # fmt: skip
    entries = sink.entries()
    touched = {e.account for e in entries}
    summaries = [
        replace(s, status="partial") if s.status == "ok" and s.account_id in touched else s
        for s in summaries
    ]
    input_status: dict[AccountStatus, Literal["ok", "error", "skipped"]] = {
        "ok": "ok", "partial": "ok", "error": "error", "skipped": "skipped",
    }  # fmt: skip
    inputs = tuple(
        InputFile(f"aws://{s.account_id}", "live", input_status[s.status]) for s in summaries
    )
    unread = sink.unread_entries()
    diagnostics += unread_diagnostics(unread)
    diagnostics += sink.diagnostics()
    if listing is not None:  # ListAccounts gave the members: every listed account
        estate_parts = replace(
            estate_parts, organization_accounts=tuple(a.account_id for a in listing.accounts)
        )
    estate = replace(estate_parts, inputs=inputs, diagnostics=tuple(diagnostics), origin="live",
                     unread=unread)  # fmt: skip
    stores = sorted(found.event_data_stores, key=lambda s: (s["account"], s["region"], s["arn"]))
    return LiveAudit(
        estate=with_account_units(estate),
        not_checked=entries,
        accounts=tuple(sorted(summaries, key=lambda s: (s.account_id, s.role_arn or ""))),
        event_data_stores=tuple({s["arn"]: s for s in stores}.values()),
        organization=listing,
    )


def unread_diagnostics(unread: Sequence[Unread]) -> list[Diagnostic]:
    """One unknown CT000 per account and unread collection of recorders, naming its Regions, so
    that the gap shows as a finding (a collection unread in every Region has its own CT000)."""
    grouped: dict[tuple[str, str], list[Unread]] = {}
    for u in unread:
        if u.collection in RECORDERS and u.region:
            grouped.setdefault((u.account_id, u.collection), []).append(u)
    out = []
    for (account, collection), entries in sorted(grouped.items()):
        regions = ", ".join(u.region for u in entries)
        more = f" (and the same call in {len(entries) - 1} other Regions)" if len(entries) > 1 \
            else ""  # fmt: skip
        prep = "homed in" if collection == "trails" else "in"
        out.append(Diagnostic(
            "CT000", "unknown", f"could not be checked: {entries[0].reason}{more}; "
            f"{NOUN[collection]} {prep} {regions} may be missing",
            shapes.where(account, entries[0].region), resource=f"aws://{account}",
        ))  # fmt: skip
    return out


def _better_view(
    account: AccountReader, known: tuple[Mapping[str, Any], AccountReader] | None, arn: str
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


# ---------------------------------------------------------------------------------------------
# Steps 3 and 4: details


def _details(
    accounts: list[AccountReader], found: _Discovery, pool: ThreadPoolExecutor, sink: Sink
) -> Estate:
    by_id = {a.account_id: a for a in accounts}

    def owner_reader(arn: str, fallback: AccountReader) -> AccountReader:
        return by_id.get(shapes.arn_part(arn, 4), fallback)

    # each trail once, read through the account that owns it when that account is audited
    trail_jobs: list[tuple[AccountReader, Mapping[str, Any]]] = []
    for arn, (t, seen_by) in sorted(found.trails.items()):
        trail_jobs.append((owner_reader(arn, seen_by), t))

    bucket_jobs: dict[str, tuple[AccountReader, str | Unknown]] = {}
    key_jobs: dict[str, AccountReader] = {}
    group_jobs: dict[str, AccountReader] = {}
    topic_jobs: dict[str, AccountReader] = {}
    for reader, t in trail_jobs:
        name = t.get("S3BucketName")
        if name and name not in bucket_jobs:
            bucket_jobs[name] = _bucket_owner(name, reader, accounts)
        if t.get("KmsKeyId"):
            key_jobs.setdefault(t["KmsKeyId"], owner_reader(t["KmsKeyId"], reader))
        group = t.get("CloudWatchLogsLogGroupArn")
        if group:
            base = log_group_arn(group)
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
    readable_groups: dict[str, AccountReader] = {}
    for base, reader in group_jobs.items():
        owner = shapes.arn_part(base, 4)
        if owner and owner != reader.account_id:
            sink.not_checked(NotChecked(
                reader.account_id, shapes.arn_part(base, 3), "logs:DescribeLogGroups",
                log_group_name(base),
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

    f_trails = [tracked(read_trail, r, t) for r, t in trail_jobs]
    f_buckets = [
        tracked(read_bucket, r, n, owner) for n, (r, owner) in sorted(bucket_jobs.items())
    ]
    f_keys = [tracked(read_key, r, arn) for arn, r in sorted(key_jobs.items())]
    f_groups = [tracked(read_log_group, r, arn) for arn, r in sorted(readable_groups.items())]
    f_alarms = [tracked(read_alarms, by_id[acct], region) for acct, region in alarm_regions]

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
        pool.submit(_counted, sink, topic_task, read_topic, r, arn)
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
    members, policies = organization_result(found.organization, sink)
    built = EstateBuilder()
    for found_objs in (trails, buckets, keys, groups, filters, alarms,
                       (t for t, _ in topic_results),
                       (s for _, subs in topic_results for s in subs),
                       policies, stores, rules):  # fmt: skip
        # read in parallel: each collection sorted, once, so that the estate is the same
        built.add(*shapes.sorted_unique(found_objs))
    built.add(*blocks)
    return built.estate(organization_accounts=members, origin="live")


def _counted(sink: Sink, task: int, fn: Callable[..., Any], *args: Any) -> Any:
    try:
        return fn(*args)
    finally:
        sink.progress.advance(task)


def _bucket_owner(
    name: str, reader: AccountReader, accounts: list[AccountReader]
) -> tuple[AccountReader, str | Unknown]:
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
