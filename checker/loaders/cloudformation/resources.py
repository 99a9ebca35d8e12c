"""Template resources -> model objects (property names: docs/semantics.md, checked
against the CloudFormation resource reference and registry schemas)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from checker.estate_builder import EstateBuilder
from checker.loaders.cloudformation.coerce import to_bool, to_document, to_int, to_str, to_str_tuple
from checker.loaders.cloudformation.resource import Resource, reference
from checker.loaders.cloudformation.selectors import insight_selectors, selectors
from checker.loaders.eventbridge import CLOUDFORMATION_KINDS, kind_of_arn, pattern_text
from checker.loaders.located import line_of
from checker.model import (
    Alarm,
    Bucket,
    ControlPolicy,
    Diagnostic,
    EventBus,
    EventDataStore,
    EventRule,
    EventTarget,
    Key,
    KeyAlias,
    LifecycleExpiration,
    LogGroup,
    MetricFilter,
    MetricTransformation,
    PolicyKind,
    PublicAccessBlock,
    Reference,
    Subscription,
    Topic,
    Trail,
    Unknown,
)

BUCKET = ("AWS::S3::Bucket",)
KEY = ("AWS::KMS::Key", "AWS::KMS::Alias")
LOG_GROUP = ("AWS::Logs::LogGroup",)
TOPIC = ("AWS::SNS::Topic",)
EVENT_BUS = ("AWS::Events::EventBus",)
EVENT_DATA_STORE = ("AWS::CloudTrail::EventDataStore",)

# AccessControl (CloudFormation's names) -> the canned ACL as the S3 API spells it.
CANNED_ACLS = {
    "Private": "private",
    "PublicRead": "public-read",
    "PublicReadWrite": "public-read-write",
    "AuthenticatedRead": "authenticated-read",
    "LogDeliveryWrite": "log-delivery-write",
    "BucketOwnerRead": "bucket-owner-read",
    "BucketOwnerFullControl": "bucket-owner-full-control",
    "AwsExecRead": "aws-exec-read",
}
UNKNOWN_REGION = Unknown("the stack's region is not known from the template (use --region)")
POLICY_KINDS: dict[str, PolicyKind] = {
    "SERVICE_CONTROL_POLICY": "scp",
    "RESOURCE_CONTROL_POLICY": "rcp",
}


def build(resources: list[Resource], home_region: str | None, out: EstateBuilder) -> None:
    """Map the template's resources to model objects, gathered in `out`."""
    by_type: dict[str, list[Resource]] = {}
    for r in resources:
        by_type.setdefault(r.type, []).append(r)
    for r in by_type.get("AWS::CloudTrail::Trail", ()):
        out.add(_trail(r, home_region, out.of(Diagnostic)))
    out.add(*_buckets(by_type, home_region))
    keys, aliases = _keys(by_type)
    out.add(*keys, *aliases)
    out.add(*(_log_group(r) for r in by_type.get("AWS::Logs::LogGroup", ())))
    out.add(*(_metric_filter(r) for r in by_type.get("AWS::Logs::MetricFilter", ())))
    out.add(*(_alarm(r) for r in by_type.get("AWS::CloudWatch::Alarm", ())))
    topics, subscriptions = _topics(by_type)
    out.add(*topics, *subscriptions)
    out.add(*_policies(by_type))
    region = home_region or UNKNOWN_REGION
    stores = by_type.get("AWS::CloudTrail::EventDataStore", ())
    out.add(*(_event_data_store(r, region) for r in stores))
    out.add(*(_event_rule(r, region) for r in by_type.get("AWS::Events::Rule", ())))
    out.add(*(
        EventBus(id=r.id, name=r.name("Name"), location=r.location)
        for r in by_type.get("AWS::Events::EventBus", ())
    ))


# ---------------------------------------------------------------------------------------------
# CloudTrail


def _trail(r: Resource, home_region: str | None, diagnostics: list[Diagnostic]) -> Trail:
    if r.get("IsLogging", "is_logging") is not None:
        is_logging = r.switched_on("IsLogging", True, "is_logging")
    else:
        # CloudFormation rejects the template, so no deployment of it logs (CT004 fails too)
        is_logging = False
        diagnostics.append(
            Diagnostic(
                "CT011",
                "fail",
                "IsLogging is required by CloudFormation for AWS::CloudTrail::Trail: the stack "
                "cannot be deployed until the trail says whether it logs (IsLogging: true)",
                r.location,
                resource=r.id,
            )
        )
    # the advanced selectors win when both are written (the line points at them)
    advanced = r.get("AdvancedEventSelectors", "selectors")
    basic = r.get("EventSelectors", "selectors")
    trail = Trail(
        id=r.id,
        name=r.name("TrailName"),
        location=r.location,
        home_region=home_region or UNKNOWN_REGION,
        account_id=Unknown("the stack's account is not known from the template"),
        is_logging=is_logging,
        is_multi_region=r.boolean("IsMultiRegionTrail", False, "is_multi_region"),
        is_organization=r.boolean("IsOrganizationTrail", False, "is_organization"),
        # CloudFormation states no default for IncludeGlobalServiceEvents (the current
        # AWS::CloudTrail::Trail reference and its registry schema, aws-cloudtrail-trail.json:
        # "Required: No", no default) and passes an unset property on unset, so CreateTrail's
        # default applies: true (CloudTrail API, as moto and the Terraform provider model it).
        # A multi-Region trail cannot exist without global service events anyway.
        include_global_service_events=r.boolean(
            "IncludeGlobalServiceEvents", True, "include_global_service_events"
        ),
        log_file_validation=r.boolean("EnableLogFileValidation", False, "log_file_validation"),
        bucket=r.reference("S3BucketName", BUCKET, "bucket"),
        s3_key_prefix=_unless_empty(r.string("S3KeyPrefix", "s3_key_prefix")),
        kms_key=r.reference("KMSKeyId", KEY, "kms_key"),
        log_group=r.reference("CloudWatchLogsLogGroupArn", LOG_GROUP, "log_group"),
        cloudwatch_logs_role_arn=r.string("CloudWatchLogsRoleArn", "cloudwatch_logs_role_arn"),
        sns_topic=r.reference("SnsTopicName", TOPIC, "sns_topic"),
        selectors=selectors(basic, advanced),
        insight_selectors=insight_selectors(r.get("InsightSelectors", "insight_selectors")),
    )
    return replace(trail, lines=dict(r.lines), names=dict(r.names))


# ---------------------------------------------------------------------------------------------
# S3


def _buckets(by_type: Mapping[str, list[Resource]], region: str | None) -> list[Bucket]:
    buckets = [_bucket(r, region) for r in by_type.get("AWS::S3::Bucket", ())]
    for p in by_type.get("AWS::S3::BucketPolicy", ()):
        target = p.reference("Bucket", BUCKET)
        document = p.get("PolicyDocument")
        if target is None or document is None:
            continue
        for i, b in enumerate(buckets):
            if _same(b, target) and b.policy is None:
                lines = dict(b.lines, policy=p.line("PolicyDocument"))
                names = dict(b.names, policy="PolicyDocument")
                buckets[i] = replace(
                    b, policy=to_document(document, "PolicyDocument"), lines=lines, names=names
                )
                break
    return buckets


def _same(obj: Any, ref: Reference) -> bool:
    if ref.target is not None:
        return bool(obj.id == ref.target)
    return isinstance(ref.value, str) and ref.value in (obj.name, getattr(obj, "arn", None))


def _bucket(r: Resource, region: str | None) -> Bucket:
    versioning = r.get("VersioningConfiguration", "versioning")
    status = _field(versioning, "Status", "VersioningConfiguration")
    lock_on = r.boolean("ObjectLockEnabled", False, "object_lock_enabled")
    lock = r.get("ObjectLockConfiguration")
    mode: str | Unknown | None = None
    days: int | Unknown | None = None
    if isinstance(lock, Unknown):
        mode = days = lock
    elif isinstance(lock, dict):
        if lock.get("ObjectLockEnabled") == "Enabled" and lock_on is False:
            lock_on = True
            r.lines.setdefault("object_lock_enabled", r.line("ObjectLockConfiguration"))
        retention = _dig(lock, "Rule", "DefaultRetention")
        if isinstance(retention, Unknown):
            mode = days = retention
        elif isinstance(retention, dict):
            mode = to_str(retention["Mode"], "Mode") if "Mode" in retention else None
            if "Days" in retention:
                days = to_int(retention["Days"], "Days")
            elif "Years" in retention:
                years = to_int(retention["Years"], "Years")
                days = years * 365 if isinstance(years, int) else years
        for model_field, value in (("object_lock_mode", mode), ("object_lock_days", days)):
            if value is not None:
                r.lines[model_field] = r.line("ObjectLockConfiguration")
    acl = r.string("AccessControl", "acl")
    logging = r.get("LoggingConfiguration", "access_logging_target")
    target: str | Unknown | None = None
    if isinstance(logging, Unknown):
        target = logging
    elif isinstance(logging, dict):
        # without DestinationBucketName, S3 writes the access logs to the bucket itself
        dest = logging.get("DestinationBucketName")
        target = to_str(dest, "DestinationBucketName") if dest is not None else r.name("BucketName")
    sse, sse_key = _encryption(r)
    return Bucket(
        id=r.id,
        name=r.name("BucketName"),
        location=r.location,
        region=region or UNKNOWN_REGION,
        origin="iac",
        versioning=status,
        object_lock_enabled=lock_on,
        object_lock_mode=mode,
        object_lock_days=days,
        acl=CANNED_ACLS.get(acl, acl) if isinstance(acl, str) else acl,
        public_access_block=_public_access_block(r),
        access_logging_target=target,
        lifecycle_expirations=_lifecycle(r),
        sse_algorithm=sse,
        sse_kms_key=sse_key,
        lines=dict(r.lines),
        names=dict(r.names),
    )


def _dig(value: Any, *path: str) -> Any:
    for key in path:
        if isinstance(value, Unknown) or not isinstance(value, dict):
            return value if isinstance(value, Unknown) else None
        value = value.get(key)
    return value


def _field(parent: Any, key: str, prop: str) -> str | Unknown | None:
    value = _dig(parent, key)
    return None if value is None else to_str(value, f"{prop} {key}")


def _public_access_block(r: Resource) -> PublicAccessBlock | Unknown | None:
    pab = r.get("PublicAccessBlockConfiguration", "public_access_block")
    if pab is None or isinstance(pab, Unknown):
        return pab
    if not isinstance(pab, dict):
        return Unknown("PublicAccessBlockConfiguration is not a mapping")
    def flag(name: str) -> bool | Unknown:
        return to_bool(pab.get(name, False), name)

    return PublicAccessBlock(
        block_public_acls=flag("BlockPublicAcls"),
        block_public_policy=flag("BlockPublicPolicy"),
        ignore_public_acls=flag("IgnorePublicAcls"),
        restrict_public_buckets=flag("RestrictPublicBuckets"),
        location=replace(r.location, line=r.line("PublicAccessBlockConfiguration")),
    )


def _lifecycle(r: Resource) -> tuple[LifecycleExpiration, ...] | Unknown:
    rules = _dig(r.get("LifecycleConfiguration", "lifecycle_expirations"), "Rules")
    if rules is None:
        return ()
    if isinstance(rules, Unknown):
        return rules
    if not isinstance(rules, list):
        return Unknown("LifecycleConfiguration Rules is not a list")
    out = []
    for rule in rules:
        if isinstance(rule, Unknown):
            return rule
        if not isinstance(rule, dict):
            return Unknown("a lifecycle rule is not a mapping")
        status = rule.get("Status", "Enabled")
        enabled: bool | Unknown = status if isinstance(status, Unknown) else status == "Enabled"
        prefix = to_str(rule.get("Prefix", ""), "Prefix")
        if "ExpirationInDays" in rule:
            days = to_int(rule["ExpirationInDays"], "ExpirationInDays")
            out.append(LifecycleExpiration(days=days, enabled=enabled, prefix=prefix))
        elif "ExpirationDate" in rule:
            out.append(
                LifecycleExpiration(
                    days=Unknown(
                        f"lifecycle rule {rule.get('Id', '')!r} expires objects on a date "
                        f"({rule['ExpirationDate']}), not after a number of days"
                    ),
                    enabled=enabled,
                    prefix=prefix,
                )
            )
        noncurrent = rule.get("NoncurrentVersionExpirationInDays")
        nve = rule.get("NoncurrentVersionExpiration")
        if noncurrent is None and isinstance(nve, dict):
            noncurrent = nve.get("NoncurrentDays")
        if noncurrent is not None:
            out.append(
                LifecycleExpiration(
                    days=to_int(noncurrent, "NoncurrentDays"),
                    enabled=enabled,
                    prefix=prefix,
                    noncurrent=True,
                )
            )
    return tuple(out)


def _encryption(r: Resource) -> tuple[str | Unknown | None, Reference | None]:
    rules = _dig(r.get("BucketEncryption", "sse_algorithm"), "ServerSideEncryptionConfiguration")
    if rules is None:
        return None, None
    if isinstance(rules, Unknown):
        return rules, None
    if not isinstance(rules, list) or not rules:
        return Unknown("BucketEncryption has no ServerSideEncryptionConfiguration rule"), None
    default = _dig(rules[0], "ServerSideEncryptionByDefault")
    if isinstance(default, Unknown):
        return default, None
    if not isinstance(default, dict):
        return None, None
    algorithm = _field(default, "SSEAlgorithm", "ServerSideEncryptionByDefault")
    key: Reference | None = None
    if "KMSMasterKeyID" in default:
        raw = _dig(r.raw("BucketEncryption"), "ServerSideEncryptionConfiguration")
        raw_key = None
        if isinstance(raw, list) and raw:
            raw_key = _dig(_dig(raw[0], "ServerSideEncryptionByDefault"), "KMSMasterKeyID")
        value = to_str(default["KMSMasterKeyID"], "KMSMasterKeyID")
        key = reference(value, r.ev.link(raw_key, KEY))
        r.lines["sse_kms_key"] = r.line("BucketEncryption")
    return algorithm, key


# ---------------------------------------------------------------------------------------------
# KMS, CloudWatch Logs, CloudWatch


def _keys(by_type: Mapping[str, list[Resource]]) -> tuple[list[Key], list[KeyAlias]]:
    aliases: list[KeyAlias] = []
    for a in by_type.get("AWS::KMS::Alias", ()):
        name = _or(a.string("AliasName"), Unknown("the alias has no AliasName"))
        target = a.reference("TargetKeyId", ("AWS::KMS::Key",)) or Reference(
            Unknown("the alias has no TargetKeyId")
        )
        aliases.append(KeyAlias(id=a.id, name=name, target=target, location=a.location))
    keys = []
    for r in by_type.get("AWS::KMS::Key", ()):
        names = tuple(
            a.name for a in aliases if a.target.target == r.id and isinstance(a.name, str)
        )
        policy = r.get("KeyPolicy", "policy")
        key = Key(
            id=r.id,
            location=r.location,
            aliases=names,
            customer_managed=True,
            enabled=r.boolean("Enabled", True, "enabled"),
            rotation_enabled=r.boolean("EnableKeyRotation", False, "rotation_enabled"),
            rotation_period_days=r.integer("RotationPeriodInDays", "rotation_period_days"),
            # without KeyPolicy, KMS gives the key its default policy (None: AWS default)
            policy=None if policy is None else to_document(policy, "KeyPolicy"),
        )
        keys.append(replace(key, lines=dict(r.lines), names=dict(r.names)))
    return keys, aliases


def _log_group(r: Resource) -> LogGroup:
    group = LogGroup(
        id=r.id,
        name=r.name("LogGroupName"),
        location=r.location,
        retention_days=r.integer("RetentionInDays", "retention_days"),
        kms_key=r.reference("KmsKeyId", KEY, "kms_key"),
    )
    return replace(group, lines=dict(r.lines), names=dict(r.names))


def _metric_filter(r: Resource) -> MetricFilter:
    transformations = []
    raw = r.get("MetricTransformations", "transformations")
    for t in raw if isinstance(raw, list) else ():
        if isinstance(t, dict):
            transformations.append(
                MetricTransformation(
                    name=to_str(t.get("MetricName", ""), "MetricName"),
                    namespace=to_str(t.get("MetricNamespace", ""), "MetricNamespace"),
                    value=to_str(t.get("MetricValue", "1"), "MetricValue"),
                )
            )
    log_group = r.reference("LogGroupName", LOG_GROUP, "log_group") or Reference(
        Unknown("the metric filter has no LogGroupName")
    )
    pattern = r.string("FilterPattern", "pattern")
    mf = MetricFilter(
        id=r.id,
        log_group=log_group,
        pattern=_or(pattern, Unknown("the metric filter has no FilterPattern")),
        transformations=tuple(transformations),
        location=r.location,
        name=r.string("FilterName", "name"),
    )
    return replace(mf, lines=dict(r.lines), names=dict(r.names))


def _alarm(r: Resource) -> Alarm:
    actions: list[Reference] = []
    raw_actions = r.raw("AlarmActions")
    values = r.get("AlarmActions", "actions")
    if isinstance(values, list):
        for i, v in enumerate(values):
            listed = isinstance(raw_actions, list) and i < len(raw_actions)
            node = raw_actions[i] if listed else None
            actions.append(reference(to_str(v, "AlarmActions"), r.ev.link(node, TOPIC)))
    elif values is not None:
        actions.append(reference(to_str(values, "AlarmActions"), r.ev.link(raw_actions, TOPIC)))
    alarm = Alarm(
        id=r.id,
        metric_name=r.string("MetricName", "metric_name"),
        namespace=r.string("Namespace", "namespace"),
        location=r.location,
        name=r.string("AlarmName", "name"),
        actions=tuple(actions),
        actions_enabled=r.switched_on("ActionsEnabled", True, "actions_enabled"),
    )
    return replace(alarm, lines=dict(r.lines), names=dict(r.names))


# ---------------------------------------------------------------------------------------------
# SNS


def _topics(by_type: Mapping[str, list[Resource]]) -> tuple[list[Topic], list[Subscription]]:
    topics: list[Topic] = []
    subscriptions: list[Subscription] = []
    for r in by_type.get("AWS::SNS::Topic", ()):
        topics.append(Topic(id=r.id, name=r.name("TopicName"), location=r.location))
        inline = r.get("Subscription")
        raw = r.raw("Subscription")
        if not isinstance(inline, list):
            continue
        arn = r.ev.value({"Ref": r.id})
        for i, s in enumerate(inline):
            if not isinstance(s, dict):
                continue
            line = line_of(raw, i) if isinstance(raw, list) else r.location.line
            subscriptions.append(
                Subscription(
                    id=f"{r.id}.Subscription[{i}]",
                    topic=Reference(arn, target=r.id),
                    protocol=to_str(s.get("Protocol", ""), "Protocol"),
                    endpoint=to_str(s.get("Endpoint", ""), "Endpoint"),
                    location=replace(r.location, line=line),
                )
            )
    for r in by_type.get("AWS::SNS::Subscription", ()):
        missing = Reference(Unknown("the subscription has no TopicArn"))
        topic = _or(r.reference("TopicArn", TOPIC), missing)
        subscriptions.append(
            Subscription(
                id=r.id,
                topic=topic,
                protocol=_or(r.string("Protocol"), ""),
                endpoint=_or(r.string("Endpoint"), ""),
                location=r.location,
            )
        )
    for p in by_type.get("AWS::SNS::TopicPolicy", ()):
        document = p.get("PolicyDocument")
        raw_topics = p.raw("Topics")
        if document is None or not isinstance(raw_topics, list):
            continue
        values = p.get("Topics")
        for i, node in enumerate(raw_topics):
            value = values[i] if isinstance(values, list) and i < len(values) else None
            ref = reference(to_str(value, "Topics"), p.ev.link(node, TOPIC))
            for j, t in enumerate(topics):
                if _same(t, ref) and t.policy is None:
                    topics[j] = replace(t, policy=to_document(document, "PolicyDocument"))
    return topics, subscriptions


# ---------------------------------------------------------------------------------------------
# CloudTrail Lake and EventBridge

# the retention a store gets without RetentionPeriod, by BillingMode (CloudTrail API reference,
# CreateEventDataStore; EXTENDABLE_RETENTION_PRICING is the default mode)
DEFAULT_RETENTION = {"EXTENDABLE_RETENTION_PRICING": 366, "FIXED_RETENTION_PRICING": 2557}


def _event_data_store(r: Resource, region: str | Unknown) -> EventDataStore:
    mode = r.string("BillingMode", "billing_mode") or "EXTENDABLE_RETENTION_PRICING"
    retention = r.integer("RetentionPeriod", "retention_days")
    if retention is None:
        retention = DEFAULT_RETENTION.get(mode) if isinstance(mode, str) else mode
        if retention is None:
            retention = Unknown(f"BillingMode {mode!r} is not one CloudTrail accepts")
    ingesting = r.switched_on("IngestionEnabled", True, "status")
    r.names.pop("status", None)  # its value is not IngestionEnabled's: findings keep the model name
    status: str | Unknown = ingesting if isinstance(ingesting, Unknown) else (
        "ENABLED" if ingesting else "STOPPED_INGESTION")  # fmt: skip
    advanced = r.get("AdvancedEventSelectors", "selectors")
    store = EventDataStore(
        id=r.id,
        name=r.name("Name"),
        location=r.location,
        home_region=region,
        status=status,
        is_multi_region=r.boolean("MultiRegionEnabled", True, "is_multi_region"),
        is_organization=r.boolean("OrganizationEnabled", False, "is_organization"),
        termination_protection=r.boolean(
            "TerminationProtectionEnabled", True, "termination_protection"
        ),
        retention_days=retention,
        billing_mode=mode,
        kms_key=r.reference("KmsKeyId", KEY, "kms_key"),
        selectors=selectors(None, advanced),
        insight_selectors=insight_selectors(r.get("InsightSelectors", "insight_selectors")),
        insights_destination=r.reference(
            "InsightsDestination", EVENT_DATA_STORE, "insights_destination"
        ),
    )
    return replace(store, lines=dict(r.lines), names=dict(r.names))


def _event_rule(r: Resource, region: str | Unknown) -> EventRule:
    state = r.string("State", "state")
    rule = EventRule(
        id=r.id,
        name=r.name("Name"),
        location=r.location,
        region=region,
        event_bus=r.reference("EventBusName", EVENT_BUS, "event_bus"),
        state="ENABLED" if state is None else state,  # PutRule: enabled unless State says not
        pattern=pattern_text(r.get("EventPattern", "pattern")),
        targets=_event_targets(r),
    )
    return replace(rule, lines=dict(r.lines), names=dict(r.names))


def _event_targets(r: Resource) -> tuple[EventTarget, ...] | Unknown:
    values = r.get("Targets")
    raw = r.raw("Targets")
    if values is None:
        return ()
    if isinstance(values, Unknown):
        return values
    if not isinstance(values, list) or not isinstance(raw, list):
        return Unknown("Targets is not a list")
    out = []
    for i, (value, node) in enumerate(zip(values, raw, strict=False)):
        if not isinstance(value, dict) or not isinstance(node, dict):
            return Unknown(f"target {i} of {r.id} is not known")
        arn = to_str(value.get("Arn", ""), "Arn")
        linked = r.ev.link(node.get("Arn"), CLOUDFORMATION_KINDS)
        kind = CLOUDFORMATION_KINDS.get(r.ev.t.type_of(linked) or "") if linked else None
        line = line_of(raw, i)
        out.append(
            EventTarget(
                id=f"{r.id}.Targets[{i}]",
                arn=reference(arn, linked),
                kind=kind if kind is not None else kind_of_arn(arn),
                location=replace(r.location, line=line),
                lines={"arn": line},
            )
        )
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# IAM and Organizations


def _policies(by_type: Mapping[str, list[Resource]]) -> list[ControlPolicy]:
    out: list[ControlPolicy] = []
    managed_users: dict[str, list[str | Unknown]] = {}
    for r in by_type.get("AWS::IAM::Role", ()):
        inline = r.get("Policies")
        raw = r.raw("Policies")
        for i, p in enumerate(inline if isinstance(inline, list) else ()):
            if not isinstance(p, dict):
                continue
            line = line_of(raw, i) if isinstance(raw, list) else r.location.line
            out.append(
                ControlPolicy(
                    id=f"{r.id}.Policies[{i}]",
                    kind="iam",
                    document=to_document(p.get("PolicyDocument"), "PolicyDocument"),
                    location=replace(r.location, line=line),
                    name=to_str(p["PolicyName"], "PolicyName") if "PolicyName" in p else None,
                    targets=(r.id,),
                    lines={"document": line},
                )
            )
        raw_arns = r.raw("ManagedPolicyArns")
        for node in raw_arns if isinstance(raw_arns, list) else ():
            target = r.ev.link(node, ("AWS::IAM::ManagedPolicy",))
            if target is not None:
                managed_users.setdefault(target, []).append(r.id)
    for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        for r in by_type.get(kind, ()):
            targets: list[str | Unknown] = []
            for prop in ("Roles", "Users", "Groups"):
                targets.extend(_principals(r, prop))
            targets.extend(managed_users.get(r.id, ()))
            name_prop = "PolicyName" if kind == "AWS::IAM::Policy" else "ManagedPolicyName"
            policy = ControlPolicy(
                id=r.id,
                kind="iam",
                document=_document(r, "PolicyDocument"),
                location=r.location,
                name=r.string(name_prop, "name"),
                targets=tuple(targets),
            )
            out.append(replace(policy, lines=dict(r.lines), names=dict(r.names)))
    for r in by_type.get("AWS::Organizations::Policy", ()):
        ptype = r.get("Type")
        kind_name: PolicyKind = "other"
        if isinstance(ptype, str):
            kind_name = POLICY_KINDS.get(ptype, "other")
        target_ids = r.get("TargetIds", "targets")
        targets_value = () if target_ids is None else to_str_tuple(target_ids, "TargetIds")
        policy = ControlPolicy(
            id=r.id,
            kind=kind_name,
            document=_document(r, "Content"),
            location=r.location,
            name=r.string("Name", "name"),
            targets=targets_value,
        )
        out.append(replace(policy, lines=dict(r.lines), names=dict(r.names)))
    return out


def _document(r: Resource, prop: str) -> dict[str, Any] | Unknown:
    value = r.get(prop, "document")
    if value is None:
        return Unknown(f"{r.id} has no {prop}")
    return to_document(value, prop)


def _principals(r: Resource, prop: str) -> list[str | Unknown]:
    """Roles/users/groups a policy is attached to: the name when known, else the logical id of
    the template's principal it refers to."""
    raw = r.raw(prop)
    values = r.get(prop, "targets")
    if values is None:
        return []
    if not isinstance(raw, list) or not isinstance(values, list):
        return [to_str(values, prop)]
    out: list[str | Unknown] = []
    kinds = ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group")
    for i, node in enumerate(raw):
        value = values[i] if i < len(values) else None
        if isinstance(value, str):
            out.append(value)
        else:
            linked = r.ev.link(node, kinds)
            out.append(linked if linked is not None else to_str(value, prop))
    return out


def _or(value: Any, default: Any) -> Any:
    """`value`, or `default` when it is not set (never `or`: an Unknown has no truth value)."""
    return default if value is None else value


def _unless_empty(value: str | Unknown | None) -> str | Unknown | None:
    return None if value == "" else value
