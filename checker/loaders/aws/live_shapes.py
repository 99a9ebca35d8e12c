"""AWS API responses -> model objects, for the live loader (`checker/loaders/live.py`).

Pure functions over the parsed boto3 dictionaries: no client, no I/O, so each shape is tested
without an endpoint. A value a call could not read arrives as a `Failed`, and becomes
`Unknown(reason)` on exactly the fields that call would have filled.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from checker.joins import log_group_arn, log_group_name
from checker.loaders.aws.trail_status import delivery_from_status
from checker.model import (
    AdvancedSelector,
    Alarm,
    BasicSelector,
    Bucket,
    ControlPolicy,
    DataResource,
    DeliveryStatus,
    FieldSelector,
    Grant,
    InsightSelector,
    Key,
    LifecycleExpiration,
    Location,
    LogGroup,
    MetricFilter,
    MetricTransformation,
    PublicAccessBlock,
    Reference,
    Selectors,
    Subscription,
    Topic,
    Trail,
    Unknown,
)


@dataclass(frozen=True)
class Failed:
    """A call that could not be made or answered; `reason` names the call and the error."""

    reason: str

    def unknown(self) -> Unknown:
        return Unknown(self.reason)


class _Absent:
    """The call succeeded in saying "not configured" (NoSuchBucketPolicy and the like)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()

Response = Mapping[str, Any]
Result = Response | Failed | _Absent


def arn_part(arn: str, index: int) -> str:
    """Field `index` of an ARN (2 service, 3 region, 4 account), '' when absent."""
    parts = arn.split(":", 5)
    return parts[index] if len(parts) > index else ""


def where(account: str, region: str) -> Location:
    """Live objects have no file: the location names the account and Region they were read in."""
    return Location(f"aws://{account}/{region}" if region else f"aws://{account}")


def _doc(text: Any, what: str) -> Mapping[str, Any] | Unknown:
    try:
        doc = json.loads(text) if isinstance(text, str) else text
    except json.JSONDecodeError as e:
        return Unknown(f"{what} is not valid JSON: {e.msg}")
    if not isinstance(doc, Mapping):
        return Unknown(f"{what} is not a JSON object")
    return doc


# ---------------------------------------------------------------------------------------------
# CloudTrail


def _is_default_basic(selectors: Sequence[Mapping[str, Any]]) -> bool:
    """The one selector AWS reports for a trail without custom selectors (docs/semantics.md)."""
    if len(selectors) != 1:
        return False
    s = selectors[0]
    return (
        s.get("ReadWriteType", "All") == "All"
        and s.get("IncludeManagementEvents", True) is True
        and not s.get("DataResources")
        and not s.get("ExcludeManagementEventSources")
    )


def selectors_from_api(response: Result) -> Selectors | Unknown:
    """GetEventSelectors -> Selectors. AWS returns either EventSelectors or
    AdvancedEventSelectors. A trail without custom selectors reports the one default basic
    selector; an answer with no selector at all also means AWS's default, all read and write
    management events (botocore's CloudTrail model; docs/semantics.md, "Capture")."""
    if isinstance(response, Failed):
        return response.unknown()
    if isinstance(response, _Absent):
        return Selectors.default()
    advanced = response.get("AdvancedEventSelectors") or []
    basic = response.get("EventSelectors") or []
    if advanced:
        return Selectors("advanced", advanced=tuple(_advanced(a) for a in advanced))
    if not basic or _is_default_basic(basic):
        return Selectors.default()
    return Selectors("basic", basic=tuple(_basic(b) for b in basic))


def _basic(s: Mapping[str, Any]) -> BasicSelector:
    return BasicSelector(
        read_write_type=s.get("ReadWriteType", "All"),
        include_management_events=bool(s.get("IncludeManagementEvents", True)),
        data_resources=tuple(
            DataResource(type=d.get("Type", ""), values=tuple(d.get("Values") or ()))
            for d in s.get("DataResources") or ()
        ),
        exclude_management_event_sources=tuple(s.get("ExcludeManagementEventSources") or ()),
    )


_OPERATOR_KEYS = (
    ("Equals", "equals"), ("NotEquals", "not_equals"), ("StartsWith", "starts_with"),
    ("NotStartsWith", "not_starts_with"), ("EndsWith", "ends_with"),
    ("NotEndsWith", "not_ends_with"),
)  # fmt: skip


def _advanced(a: Mapping[str, Any]) -> AdvancedSelector:
    fields = []
    for fs in a.get("FieldSelectors") or ():
        ops = {attr: tuple(fs.get(key) or ()) for key, attr in _OPERATOR_KEYS}
        fields.append(FieldSelector(field=fs.get("Field", ""), **ops))
    return AdvancedSelector(field_selectors=tuple(fields), name=a.get("Name") or None)


def insights_from_api(response: Result) -> tuple[InsightSelector, ...] | Unknown:
    """GetInsightSelectors; InsightNotEnabledException arrives as ABSENT (no Insights)."""
    if isinstance(response, Failed):
        return response.unknown()
    if isinstance(response, _Absent):
        return ()
    out = []
    for s in response.get("InsightSelectors") or ():
        categories = tuple(s.get("EventCategories") or ("Management",))
        out.append(
            InsightSelector(insight_type=s.get("InsightType", ""), event_categories=categories)
        )
    return tuple(out)


def logging_from_status(response: Result) -> bool | Unknown:
    if isinstance(response, Failed):
        return response.unknown()
    if isinstance(response, _Absent) or "IsLogging" not in response:
        return Unknown("cloudtrail:GetTrailStatus did not report IsLogging")
    return bool(response["IsLogging"])


def delivery_of_status(response: Result) -> DeliveryStatus | Unknown:
    """GetTrailStatus' delivery errors (trail_status.py); unknown when the call failed."""
    if isinstance(response, Failed):
        return response.unknown()
    if isinstance(response, _Absent):
        return Unknown("cloudtrail:GetTrailStatus gave no answer")
    return delivery_from_status(response)


def trail_from_api(
    t: Mapping[str, Any], status: Result, selectors: Result, insights: Result, reader_account: str
) -> Trail:
    """A DescribeTrails entry plus the three per-trail calls -> Trail (id = the trail ARN)."""
    arn = str(t.get("TrailARN", ""))
    account = arn_part(arn, 4) or reader_account
    home = t.get("HomeRegion") or arn_part(arn, 3)

    def ref(key: str) -> Reference | None:
        value = t.get(key)
        return Reference(value) if isinstance(value, str) and value else None

    return Trail(
        id=arn,
        name=t.get("Name", arn.rsplit("/", 1)[-1]),
        location=where(account, home),
        arn=arn,
        account_id=account,
        home_region=home or Unknown(f"DescribeTrails gave no HomeRegion for {arn}"),
        is_logging=logging_from_status(status),
        is_multi_region=bool(t.get("IsMultiRegionTrail", False)),
        is_organization=bool(t.get("IsOrganizationTrail", False)),
        include_global_service_events=bool(t.get("IncludeGlobalServiceEvents", True)),
        log_file_validation=bool(t.get("LogFileValidationEnabled", False)),
        bucket=ref("S3BucketName"),
        s3_key_prefix=t.get("S3KeyPrefix") or None,
        kms_key=ref("KmsKeyId"),
        log_group=ref("CloudWatchLogsLogGroupArn"),
        cloudwatch_logs_role_arn=t.get("CloudWatchLogsRoleArn") or None,
        sns_topic=ref("SnsTopicARN"),
        selectors=selectors_from_api(selectors),
        insight_selectors=insights_from_api(insights),
        delivery=delivery_of_status(status),
    )


# ---------------------------------------------------------------------------------------------
# S3


def bucket_region(response: Result) -> str | Unknown:
    """GetBucketLocation: None/'' is us-east-1 and 'EU' the old name of eu-west-1."""
    if isinstance(response, Failed):
        return response.unknown()
    if isinstance(response, _Absent):
        return Unknown("GetBucketLocation gave no answer")
    value = response.get("LocationConstraint")
    if not value:
        return "us-east-1"
    return "eu-west-1" if value == "EU" else str(value)


def public_access_block(response: Result, location: Location) -> PublicAccessBlock | Unknown | None:
    if isinstance(response, Failed):
        return response.unknown()
    if isinstance(response, _Absent):
        return None
    c = response.get("PublicAccessBlockConfiguration") or {}
    return PublicAccessBlock(
        block_public_acls=bool(c.get("BlockPublicAcls", False)),
        block_public_policy=bool(c.get("BlockPublicPolicy", False)),
        ignore_public_acls=bool(c.get("IgnorePublicAcls", False)),
        restrict_public_buckets=bool(c.get("RestrictPublicBuckets", False)),
        location=location,
    )


def unknown_public_access_block(reason: str, location: Location) -> PublicAccessBlock:
    u = Unknown(reason)
    return PublicAccessBlock(u, u, u, u, location)


def _grants(response: Result) -> tuple[Grant, ...] | Unknown:
    if isinstance(response, Failed):
        return response.unknown()
    if isinstance(response, _Absent):
        return ()
    out = []
    for g in response.get("Grants") or ():
        grantee = g.get("Grantee") or {}
        who = grantee.get("URI") or grantee.get("ID") or grantee.get("EmailAddress") or ""
        out.append(Grant(grantee=str(who), permission=str(g.get("Permission", ""))))
    return tuple(out)


def _lifecycle(response: Result) -> tuple[LifecycleExpiration, ...] | Unknown:
    if isinstance(response, Failed):
        return response.unknown()
    if isinstance(response, _Absent):
        return ()
    out = []
    for rule in response.get("Rules") or ():
        enabled = rule.get("Status") == "Enabled"
        flt = rule.get("Filter") or {}
        prefix = (
            rule.get("Prefix") or flt.get("Prefix") or (flt.get("And") or {}).get("Prefix") or ""
        )
        exp = rule.get("Expiration") or {}
        if "Days" in exp:
            out.append(LifecycleExpiration(days=int(exp["Days"]), enabled=enabled, prefix=prefix))
        elif "Date" in exp:
            out.append(
                LifecycleExpiration(
                    days=Unknown(
                        f"lifecycle rule {rule.get('ID', '')!r} expires objects on a date "
                        f"({exp['Date']}), not after a number of days"
                    ),
                    enabled=enabled,
                    prefix=prefix,
                )
            )
        nce = rule.get("NoncurrentVersionExpiration") or {}
        if "NoncurrentDays" in nce:
            out.append(
                LifecycleExpiration(
                    days=int(nce["NoncurrentDays"]), enabled=enabled, prefix=prefix, noncurrent=True
                )
            )
    return tuple(out)


def bucket_from_api(
    name: str,
    *,
    account: str | Unknown,
    region: str | Unknown,
    reader: tuple[str, str],
    policy: Result,
    acl: Result,
    versioning: Result,
    object_lock: Result,
    public_access: Result,
    logging: Result,
    lifecycle: Result,
    encryption: Result,
) -> Bucket:
    """The S3 calls of one bucket -> Bucket (origin "live", id "arn:aws:s3:::name")."""
    arn = f"arn:aws:s3:::{name}"
    location = where(reader[0], region if isinstance(region, str) else reader[1])

    if isinstance(versioning, Failed):
        status: str | Unknown | None = versioning.unknown()
        mfa: bool | Unknown = versioning.unknown()
    else:
        v = versioning if isinstance(versioning, Mapping) else {}
        status = v.get("Status") or None  # absent: versioning was never enabled
        mfa = v.get("MFADelete") == "Enabled"

    lock_on: bool | Unknown
    lock_mode: str | Unknown | None = None
    lock_days: int | Unknown | None = None
    if isinstance(object_lock, Failed):
        lock_on = lock_mode = lock_days = object_lock.unknown()
    elif isinstance(object_lock, _Absent):
        lock_on = False
    else:
        cfg = object_lock.get("ObjectLockConfiguration") or {}
        lock_on = cfg.get("ObjectLockEnabled") == "Enabled"
        retention = (cfg.get("Rule") or {}).get("DefaultRetention") or {}
        lock_mode = retention.get("Mode") or None
        if "Days" in retention:
            lock_days = int(retention["Days"])
        elif "Years" in retention:
            lock_days = int(retention["Years"]) * 365

    if isinstance(policy, Failed):
        doc: Mapping[str, Any] | Unknown | None = policy.unknown()
    elif isinstance(policy, _Absent):
        doc = None
    else:
        doc = _doc(policy.get("Policy"), f"the bucket policy of {name}")

    if isinstance(logging, Failed):
        target: str | Unknown | None = logging.unknown()
    else:
        enabled = (logging.get("LoggingEnabled") if isinstance(logging, Mapping) else None) or {}
        target = enabled.get("TargetBucket") or None

    sse: str | Unknown | None = None
    sse_key: Reference | None = None
    if isinstance(encryption, Failed):
        sse = encryption.unknown()
    elif isinstance(encryption, Mapping):
        rules = (encryption.get("ServerSideEncryptionConfiguration") or {}).get("Rules") or []
        default = (rules[0].get("ApplyServerSideEncryptionByDefault") or {}) if rules else {}
        sse = default.get("SSEAlgorithm") or None
        if default.get("KMSMasterKeyID"):
            sse_key = Reference(default["KMSMasterKeyID"])

    return Bucket(
        id=arn,
        name=name,
        location=location,
        arn=arn,
        account_id=account,
        region=region,
        origin="live",
        versioning=status,
        mfa_delete=mfa,
        object_lock_enabled=lock_on,
        object_lock_mode=lock_mode,
        object_lock_days=lock_days,
        grants=_grants(acl),
        policy=doc,
        public_access_block=public_access_block(public_access, location),
        access_logging_target=target,
        lifecycle_expirations=_lifecycle(lifecycle),
        sse_algorithm=sse,
        sse_kms_key=sse_key,
    )


# ---------------------------------------------------------------------------------------------
# KMS, CloudWatch Logs, CloudWatch, SNS, Organizations


def key_from_api(arn: str, describe: Result, rotation: Result, policy: Result, reader: str) -> Key:
    region = arn_part(arn, 3)
    meta = (describe.get("KeyMetadata") or {}) if isinstance(describe, Mapping) else {}
    key_arn = meta.get("Arn") or arn
    managed: bool | Unknown
    enabled: bool | Unknown
    if isinstance(describe, Failed):
        managed = enabled = describe.unknown()
    else:
        managed = meta.get("KeyManager", "CUSTOMER") == "CUSTOMER"
        enabled = (
            meta.get("KeyState", "Enabled" if meta.get("Enabled", True) else "Disabled")
            == "Enabled"
        )
    rotating: bool | Unknown
    period: int | Unknown | None = None
    if isinstance(rotation, Failed):
        rotating = period = rotation.unknown()
    else:
        r = rotation if isinstance(rotation, Mapping) else {}
        rotating = bool(r.get("KeyRotationEnabled", False))
        period = int(r["RotationPeriodInDays"]) if "RotationPeriodInDays" in r else None
    doc: Mapping[str, Any] | Unknown | None
    if isinstance(policy, Failed):
        doc = policy.unknown()
    elif isinstance(policy, _Absent):
        doc = None
    else:
        doc = _doc(policy.get("Policy"), f"the key policy of {key_arn}")
    return Key(
        id=key_arn,
        location=where(arn_part(key_arn, 4) or reader, region),
        arn=key_arn,
        key_id=meta.get("KeyId") or key_arn.rsplit("/", 1)[-1],
        customer_managed=managed,
        enabled=enabled,
        rotation_enabled=rotating,
        rotation_period_days=period,
        policy=doc,
    )


def log_group_from_api(arn: str, group: Mapping[str, Any]) -> LogGroup:
    base = log_group_arn(arn)
    kms = group.get("kmsKeyId")
    retention = group.get("retentionInDays")
    return LogGroup(
        id=base,
        name=group.get("logGroupName", log_group_name(arn)),
        location=where(arn_part(base, 4), arn_part(base, 3)),
        arn=base,
        retention_days=int(retention) if retention is not None else None,
        kms_key=Reference(kms) if kms else None,
    )


def metric_filters_from_api(group_arn: str, response: Result) -> tuple[MetricFilter, ...]:
    """DescribeMetricFilters of one group. When the call failed, one placeholder filter whose
    pattern is unknown stands for the filters that could not be read, so that a rule looking for
    a matching filter answers unknown rather than "none"."""
    base = log_group_arn(group_arn)
    location = where(arn_part(base, 4), arn_part(base, 3))
    if isinstance(response, Failed):
        u = response.unknown()
        return (
            MetricFilter(
                id=f"{base}:metric-filter:?",
                log_group=Reference(base),
                pattern=u,
                transformations=(),
                location=location,
                name=u,
            ),
        )
    if isinstance(response, _Absent):
        return ()
    out = []
    for f in response.get("metricFilters") or ():
        name = f.get("filterName", "")
        out.append(
            MetricFilter(
                id=f"{base}:metric-filter:{name}",
                log_group=Reference(base),
                pattern=f.get("filterPattern", ""),
                transformations=tuple(
                    MetricTransformation(
                        name=t.get("metricName", ""),
                        namespace=t.get("metricNamespace", ""),
                        value=t.get("metricValue", "1"),
                    )
                    for t in f.get("metricTransformations") or ()
                ),
                location=location,
                name=name,
            )
        )
    return tuple(out)


def alarms_from_api(
    response: Result, metrics: set[tuple[str, str]] | None, account: str, region: str
) -> tuple[Alarm, ...]:
    """DescribeAlarms of one Region, kept to alarms on the given (metric, namespace) pairs
    (None keeps all). A failed call gives one placeholder alarm with an unknown metric."""
    location = where(account, region)
    if isinstance(response, Failed):
        u = response.unknown()
        return (
            Alarm(
                id=f"arn:aws:cloudwatch:{region}:{account}:alarm:?",
                metric_name=u,
                namespace=u,
                location=location,
                name=u,
                actions_enabled=u,
            ),
        )
    if isinstance(response, _Absent):
        return ()
    out = []
    for a in response.get("MetricAlarms") or ():
        metric, namespace = a.get("MetricName"), a.get("Namespace")
        if metrics is not None and (metric, namespace) not in metrics:
            continue
        out.append(
            Alarm(
                id=a.get("AlarmArn")
                or f"arn:aws:cloudwatch:{region}:{account}:alarm:{a.get('AlarmName')}",
                metric_name=metric,
                namespace=namespace,
                location=location,
                name=a.get("AlarmName"),
                actions=tuple(Reference(x) for x in a.get("AlarmActions") or ()),
                actions_enabled=bool(a.get("ActionsEnabled", True)),
            )
        )
    return tuple(out)


def topic_from_api(arn: str, attributes: Result) -> Topic:
    policy: Mapping[str, Any] | Unknown | None
    if isinstance(attributes, Failed):
        policy = attributes.unknown()
    elif isinstance(attributes, _Absent):
        policy = None
    else:
        text = (attributes.get("Attributes") or {}).get("Policy")
        policy = _doc(text, f"the topic policy of {arn}") if text else None
    return Topic(
        id=arn,
        name=arn.rsplit(":", 1)[-1],
        location=where(arn_part(arn, 4), arn_part(arn, 3)),
        arn=arn,
        policy=policy,
    )


def subscriptions_from_api(topic_arn: str, response: Result) -> tuple[Subscription, ...]:
    """Confirmed subscriptions only: one still "PendingConfirmation" delivers nothing.
    A failed call gives none (listed in "could not be checked"): a placeholder would let a rule
    that counts subscribers pass on a subscription nobody has seen."""
    if not isinstance(response, Mapping):
        return ()
    location = where(arn_part(topic_arn, 4), arn_part(topic_arn, 3))
    out = []
    for s in response.get("Subscriptions") or ():
        sub_arn = s.get("SubscriptionArn", "")
        if not sub_arn.startswith("arn:"):
            continue
        out.append(
            Subscription(
                id=sub_arn,
                topic=Reference(topic_arn),
                protocol=s.get("Protocol", ""),
                endpoint=s.get("Endpoint", ""),
                location=location,
            )
        )
    return tuple(out)


def control_policy_from_api(
    summary: Mapping[str, Any], describe: Result, targets: Result, account: str
) -> ControlPolicy:
    arn = summary.get("Arn") or summary.get("Id", "")
    document: Mapping[str, Any] | Unknown
    if isinstance(describe, Failed):
        document = describe.unknown()
    elif isinstance(describe, _Absent):
        document = Unknown(f"organizations:DescribePolicy gave no content for {arn}")
    else:
        content = (describe.get("Policy") or {}).get("Content")
        document = _doc(content, f"the SCP {summary.get('Name', arn)}")
    target_ids: tuple[str, ...] | Unknown
    if isinstance(targets, Failed):
        target_ids = targets.unknown()
    elif isinstance(targets, _Absent):
        target_ids = ()
    else:
        target_ids = tuple(sorted(t.get("TargetId", "") for t in targets.get("Targets") or ()))
    return ControlPolicy(
        id=arn,
        kind="scp",
        document=document,
        location=where(account, ""),
        name=summary.get("Name"),
        targets=target_ids,
    )


def event_data_stores(response: Result, account: str, region: str) -> list[dict[str, Any]]:
    """ListEventDataStores, summarised for the report's audit section (the model's stores are
    read by `live_events`)."""
    if not isinstance(response, Mapping):
        return []
    out = []
    for s in response.get("EventDataStores") or ():
        entry: dict[str, Any] = {
            "account": account,
            "region": region,
            "arn": s.get("EventDataStoreArn", ""),
            "name": s.get("Name", ""),
        }
        for key, name in (
            ("Status", "status"),
            ("MultiRegionEnabled", "multi_region"),
            ("OrganizationEnabled", "organization"),
        ):
            if key in s:
                entry[name] = s[key]
        out.append(entry)
    return out


def sorted_unique(items: Iterable[Any]) -> tuple[Any, ...]:
    """Objects deduplicated by id (the first seen wins) and sorted by id, for stable output."""
    seen: dict[str, Any] = {}
    for item in items:
        seen.setdefault(item.id, item)
    return tuple(seen[k] for k in sorted(seen))
