"""Trails, keys, log groups, metric filters and alarms, topics, control policies, CloudTrail Lake
and EventBridge: each Terraform resource type mapped to its model object.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from checker.loaders.eventbridge import TERRAFORM_KINDS, kind_of_arn, pattern_text, terraform_type
from checker.loaders.terraform.attrs import (
    Attrs,
    FieldLines,
    document,
    integer,
    string,
    strings,
    switched_on,
    to_model,
    tri,
)
from checker.loaders.terraform.collector import (
    Collected,
    PolicyDraft,
    make_reference,
    reference,
    references,
    register,
)
from checker.loaders.terraform.values import PartialStr, Traced, untrace
from checker.model import (
    AdvancedSelector,
    Alarm,
    BasicSelector,
    Computed,
    DataResource,
    Diagnostic,
    EventBus,
    EventDataStore,
    EventRule,
    EventTarget,
    FieldSelector,
    InsightSelector,
    Key,
    KeyAlias,
    Location,
    LogGroup,
    MetricFilter,
    MetricTransformation,
    Reference,
    Selectors,
    Subscription,
    Topic,
    Trail,
    Unknown,
)

# --------------------------------------------------------------------------------------------
# Trails


def _trail(c: Collected, a: Attrs) -> None:
    L = FieldLines(a)
    for model_field, attr in (
        ("name", "name"),
        ("is_logging", "enable_logging"),
        ("is_multi_region", "is_multi_region_trail"),
        ("is_organization", "is_organization_trail"),
        ("include_global_service_events", "include_global_service_events"),
        ("log_file_validation", "enable_log_file_validation"),
        ("bucket", "s3_bucket_name"),
        ("s3_key_prefix", "s3_key_prefix"),
        ("kms_key", "kms_key_id"),
        ("log_group", "cloud_watch_logs_group_arn"),
        ("cloudwatch_logs_role_arn", "cloud_watch_logs_role_arn"),
        ("sns_topic", "sns_topic_name"),
        ("selectors", "event_selector"),
        ("insight_selectors", "insight_selector"),
    ):
        L.mark(model_field, attr)
    if "selectors" not in L.lines:
        L.mark("selectors", "advanced_event_selector")
    name = string(a, "name")
    prefix = string(a, "s3_key_prefix")
    c.built.add(
        Trail(
            id=a.address,
            name=name if name is not None else Unknown(f"{a.address} has no name"),
            location=a.location,
            arn=Computed(f"the ARN of {a.address} is known only after apply"),
            home_region=c.region(a),
            is_logging=switched_on(a, tri(a, "enable_logging", True)),
            is_multi_region=tri(a, "is_multi_region_trail", False),
            is_organization=tri(a, "is_organization_trail", False),
            include_global_service_events=tri(a, "include_global_service_events", True),
            log_file_validation=tri(a, "enable_log_file_validation", False),
            bucket=_trail_bucket(a),
            s3_key_prefix=None if prefix == "" else prefix,
            kms_key=reference(a, "kms_key_id"),
            log_group=reference(a, "cloud_watch_logs_group_arn"),
            cloudwatch_logs_role_arn=string(a, "cloud_watch_logs_role_arn"),
            sns_topic=reference(a, "sns_topic_name"),
            selectors=_selectors(c, a),
            insight_selectors=_insights(a),
            lines=L.lines,
            names=L.names,
        )
    )


def _selectors(c: Collected, a: Attrs) -> Selectors | Unknown:
    basic = a.blocks("event_selector")
    advanced = a.blocks("advanced_event_selector")
    if isinstance(basic, Unknown):
        return basic
    if isinstance(advanced, Unknown):
        return advanced
    if basic and advanced:
        line = a.line("advanced_event_selector") or a.location.line
        c.built.add(
            Diagnostic(
                "CT011",
                "fail",
                "event_selector and advanced_event_selector are both set; Terraform rejects this "
                "(AWS keeps only the kind written last)",
                Location(a.location.file, line),
                a.address,
            )
        )
        return Unknown(f"{a.address} sets both event_selector and advanced_event_selector")
    if advanced:
        out_adv = []
        for sel in advanced:
            fields_ = sel.blocks("field_selector")
            if isinstance(fields_, Unknown):
                return fields_
            fs = []
            for f in fields_:
                fname = to_model(f.raw("field"))
                if not isinstance(fname, str):
                    reason = (
                        fname.reason
                        if isinstance(fname, Unknown)
                        else "a field selector has no field"
                    )
                    return Unknown(f"an advanced event selector field is unknown: {reason}")
                ops: dict[str, Any] = {}
                for op in (
                    "equals",
                    "not_equals",
                    "starts_with",
                    "not_starts_with",
                    "ends_with",
                    "not_ends_with",
                ):
                    vals = strings(f, op)
                    if isinstance(vals, Unknown):
                        return Unknown(
                            f"the {op} values of field selector {fname} are unknown: {vals.reason}"
                        )
                    ops[op] = vals
                fs.append(FieldSelector(fname, **ops))
            label = to_model(sel.raw("name"))
            out_adv.append(AdvancedSelector(tuple(fs), label if isinstance(label, str) else None))
        return Selectors("advanced", advanced=tuple(out_adv))
    if basic:
        out = []
        for sel in basic:
            drs = sel.blocks("data_resource")
            if isinstance(drs, Unknown):
                return drs
            resources = []
            for dr in drs:
                values = strings(dr, "values")
                if isinstance(values, Unknown):
                    return Unknown(f"data_resource values are unknown: {values.reason}")
                dtype = string(dr, "type")
                resources.append(
                    DataResource(
                        dtype if dtype is not None else Unknown("data_resource has no type"), values
                    )
                )
            excluded = strings(sel, "exclude_management_event_sources")
            if isinstance(excluded, Unknown):
                return Unknown(f"exclude_management_event_sources is unknown: {excluded.reason}")
            rwt = string(sel, "read_write_type")
            out.append(
                BasicSelector(
                    read_write_type=rwt if rwt is not None else "All",
                    include_management_events=tri(sel, "include_management_events", True),
                    data_resources=tuple(resources),
                    exclude_management_event_sources=excluded,
                )
            )
        return Selectors("basic", basic=tuple(out))
    return Selectors.default()


def _insights(a: Attrs) -> tuple[InsightSelector, ...] | Unknown:
    blocks = a.blocks("insight_selector")
    if isinstance(blocks, Unknown):
        return blocks
    out = []
    for b in blocks:
        t = string(b, "insight_type")
        out.append(
            InsightSelector(t if t is not None else Unknown("insight_selector has no insight_type"))
        )
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Keys, logs, alarms, topics, policies


def _key(c: Collected, a: Attrs) -> None:
    L = FieldLines(a)
    L.mark("enabled", "is_enabled")
    L.mark("rotation_enabled", "enable_key_rotation")
    L.mark("rotation_period_days", "rotation_period_in_days")
    L.mark("policy", "policy")
    c.built.add(
        Key(
            id=a.address,
            location=a.location,
            arn=Computed(f"the ARN of {a.address} is known only after apply"),
            key_id=Computed(f"the key id of {a.address} is known only after apply"),
            customer_managed=True,
            enabled=tri(a, "is_enabled", True),
            rotation_enabled=tri(a, "enable_key_rotation", False),
            rotation_period_days=integer(a, "rotation_period_in_days"),
            policy=document(a, "policy"),
            lines=L.lines,
            names=L.names,
        )
    )


def _alias(c: Collected, a: Attrs) -> None:
    name = string(a, "name")
    target = reference(a, "target_key_id")
    c.built.add(
        KeyAlias(
            id=a.address,
            name=name
            if name is not None
            else Computed(f"the name of {a.address} is generated at apply"),
            target=target
            if target is not None
            else Reference(Unknown(f"{a.address} has no target_key_id")),
            location=a.location,
        )
    )


def _generated_name(c: Collected, a: Attrs, attr: str = "name") -> Any:
    name = string(a, attr)
    if name is not None:
        return name
    how = f"{attr}_prefix" if a.raw(f"{attr}_prefix") is not None else "AWS"
    return Computed(f"the name of {a.address} is generated at apply by {how}")


def _log_group(c: Collected, a: Attrs) -> None:
    L = FieldLines(a)
    L.mark("name", "name", "name_prefix")
    L.mark("retention_days", "retention_in_days")
    L.mark("kms_key", "kms_key_id")
    retention = integer(a, "retention_in_days")
    c.built.add(
        LogGroup(
            id=a.address,
            name=_generated_name(c, a),
            location=a.location,
            arn=Computed(f"the ARN of {a.address} is known only after apply"),
            retention_days=None if retention == 0 else retention,
            kms_key=reference(a, "kms_key_id"),
            lines=L.lines,
            names=L.names,
        )
    )


def _metric_filter(c: Collected, a: Attrs) -> None:
    L = FieldLines(a)
    L.mark("pattern", "pattern")
    L.mark("log_group", "log_group_name")
    L.mark("transformations", "metric_transformation")
    transformations: list[MetricTransformation] = []
    blocks = a.blocks("metric_transformation")
    if not isinstance(blocks, Unknown):
        for t in blocks:
            value = string(t, "value")
            transformations.append(
                MetricTransformation(
                    name=_required(string(t, "name"), "metric_transformation name"),
                    namespace=_required(string(t, "namespace"), "metric_transformation namespace"),
                    value=value if value is not None else "1",
                )
            )
    else:
        transformations.append(MetricTransformation(blocks, blocks))
    group = reference(a, "log_group_name")
    c.built.add(
        MetricFilter(
            id=a.address,
            log_group=group
            if group is not None
            else Reference(Unknown(f"{a.address} has no log_group_name")),
            pattern=_required(string(a, "pattern"), "pattern"),
            transformations=tuple(transformations),
            location=a.location,
            name=string(a, "name"),
            lines=L.lines,
            names=L.names,
        )
    )


def _required(v: Any, what: str) -> Any:
    return v if v is not None else Unknown(f"{what} is not set")


def _alarm(c: Collected, a: Attrs) -> None:
    L = FieldLines(a)
    L.mark("metric_name", "metric_name")
    L.mark("namespace", "namespace")
    L.mark("actions", "alarm_actions")
    L.mark("actions_enabled", "actions_enabled")
    c.built.add(
        Alarm(
            id=a.address,
            metric_name=string(a, "metric_name"),
            namespace=string(a, "namespace"),
            location=a.location,
            name=string(a, "alarm_name"),
            actions=references(a, "alarm_actions"),
            actions_enabled=switched_on(a, tri(a, "actions_enabled", True)),
            lines=L.lines,
            names=L.names,
        )
    )


def _topic(c: Collected, a: Attrs) -> None:
    policy = document(a, "policy") if a.raw("policy") is not None else None
    c.built.add(
        Topic(
            id=a.address,
            name=_generated_name(c, a),
            location=a.location,
            arn=Computed(f"the ARN of {a.address} is known only after apply"),
            policy=policy,
        )
    )


def _subscription(c: Collected, a: Attrs) -> None:
    topic = reference(a, "topic_arn")
    c.built.add(
        Subscription(
            id=a.address,
            topic=topic
            if topic is not None
            else Reference(Unknown(f"{a.address} has no topic_arn")),
            protocol=_required(string(a, "protocol"), "protocol"),
            endpoint=_required(string(a, "endpoint"), "endpoint"),
            location=a.location,
        )
    )


_ORG_KINDS = {"SERVICE_CONTROL_POLICY": "scp", "RESOURCE_CONTROL_POLICY": "rcp"}


def _org_policy(c: Collected, a: Attrs) -> None:
    ptype = string(a, "type")
    if ptype is None:
        ptype = "SERVICE_CONTROL_POLICY"
    if isinstance(ptype, Unknown):
        c.built.add(
            Diagnostic(
                "CT000",
                "unknown",
                f"{a.address} was not judged: its type is unknown ({ptype.reason})",
                a.location,
                a.address,
            )
        )
        return
    kind = _ORG_KINDS.get(ptype)
    if kind is None:
        return  # tag, backup, AI opt-out... policies do not control API calls
    _policy(c, a, kind, "content", ())


def _iam_policy(c: Collected, a: Attrs) -> None:
    holders = {
        "aws_iam_role_policy": "role",
        "aws_iam_user_policy": "user",
        "aws_iam_group_policy": "group",
    }
    holder = holders.get(a.rtype)
    targets = (a.raw(holder),) if holder and a.raw(holder) is not None else ()
    _policy(c, a, "iam", "policy", targets)


def _policy(c: Collected, a: Attrs, kind: str, attr: str, targets: tuple[Any, ...]) -> None:
    L = FieldLines(a)
    L.mark("document", attr)
    L.mark("name", "name")
    raw_doc = a.raw(attr)
    doc = document(a, attr) if raw_doc is not None else Unknown(f"{a.address} has no {attr}")
    c.policies[a.address] = PolicyDraft(
        a.address,
        kind,
        doc if doc is not None else Unknown(f"{a.address} has an empty {attr}"),
        a.location,
        string(a, "name"),
        list(targets),
        L.lines,
        L.names,
    )


def _org_attachment(c: Collected, a: Attrs) -> None:
    c.attachments.append((a.raw("policy_id"), a.raw("target_id")))


def _iam_attachment(c: Collected, a: Attrs) -> None:
    policy = a.raw("policy_arn")
    for holder in ("role", "user", "group", "roles", "users", "groups"):
        value = a.raw(holder)
        if value is not None:
            c.attachments.append((policy, value))


# --------------------------------------------------------------------------------------------
# CloudTrail Lake and EventBridge


def _event_data_store(c: Collected, a: Attrs) -> None:
    """aws_cloudtrail_event_data_store; the provider's defaults: multi-Region, termination
    protection on, 2555 days, extendable retention pricing, ingesting unless `suspend`
    (provider resource schema)."""
    L = FieldLines(a)
    for model_field, attr in (
        ("name", "name"), ("is_multi_region", "multi_region_enabled"),
        ("is_organization", "organization_enabled"),
        ("termination_protection", "termination_protection_enabled"),
        ("retention_days", "retention_period"), ("kms_key", "kms_key_id"),
        ("selectors", "advanced_event_selector"), ("billing_mode", "billing_mode"),
    ):  # fmt: skip
        L.mark(model_field, attr)
    L.mark("status", "suspend", spelled=False)
    # a store that may not exist may not ingest (a suspended one does not, existing or not)
    suspended = tri(a, "suspend", False)
    ingesting = switched_on(a, suspended if isinstance(suspended, Unknown) else not suspended)
    retention = integer(a, "retention_period")
    c.built.add(
        EventDataStore(
            id=a.address,
            name=_required(string(a, "name"), "name"),
            location=a.location,
            arn=Computed(f"the ARN of {a.address} is known only after apply"),
            home_region=c.region(a),
            status=ingesting if isinstance(ingesting, Unknown) else (
                "ENABLED" if ingesting else "STOPPED_INGESTION"),
            is_multi_region=tri(a, "multi_region_enabled", True),
            is_organization=tri(a, "organization_enabled", False),
            termination_protection=tri(a, "termination_protection_enabled", True),
            retention_days=2555 if retention is None else retention,
            billing_mode=string(a, "billing_mode") or "EXTENDABLE_RETENTION_PRICING",
            kms_key=reference(a, "kms_key_id"),
            selectors=_selectors(c, a),
            lines=L.lines,
            names=L.names,
        )
    )  # fmt: skip


def _event_rule(c: Collected, a: Attrs) -> None:
    L = FieldLines(a)
    L.mark("name", "name", "name_prefix")
    L.mark("event_bus", "event_bus_name")
    L.mark("state", "state")
    if "state" not in L.lines:  # is_enabled = false stands for DISABLED: not its own value
        L.mark("state", "is_enabled", spelled=False)
    L.mark("pattern", "event_pattern")
    state = string(a, "state")
    if state is None:
        # the provider's older `is_enabled` (true by default) stands for ENABLED / DISABLED
        enabled = tri(a, "is_enabled", True)
        state = enabled if isinstance(enabled, Unknown) else (
            "ENABLED" if enabled else "DISABLED")  # fmt: skip
    c.built.add(
        EventRule(
            id=a.address,
            name=_generated_name(c, a),
            location=a.location,
            arn=Computed(f"the ARN of {a.address} is known only after apply"),
            region=c.region(a),
            event_bus=reference(a, "event_bus_name"),
            state=state,
            pattern=_event_pattern(a),
            lines=L.lines,
            names=L.names,
        )
    )


def _event_pattern(a: Attrs) -> Any:
    """The pattern's text; a PartialPattern when `jsonencode` left some of its values unknown."""
    if isinstance(untrace(a.raw("event_pattern")), PartialStr):
        doc = document(a, "event_pattern")
        if isinstance(doc, dict):
            return pattern_text(doc, "event_pattern")
    return string(a, "event_pattern")


def _event_target(c: Collected, a: Attrs) -> None:
    raw = a.raw("arn")
    arn = make_reference(raw, "arn") or Reference(Unknown(f"{a.address} has no arn"))
    kind = TERRAFORM_KINDS.get(terraform_type(raw.target)) if isinstance(raw, Traced) else None
    target = EventTarget(
        id=a.address,
        arn=arn,
        kind=kind if kind is not None else kind_of_arn(arn.value),
        location=a.location,
        lines={"arn": line} if (line := a.line("arn")) else {},
    )
    c.event_targets.append((target, a.raw("rule"), a.raw("event_bus_name")))


def _event_bus(c: Collected, a: Attrs) -> None:
    c.built.add(
        EventBus(
            id=a.address,
            name=_required(string(a, "name"), "name"),
            location=a.location,
            arn=Computed(f"the ARN of {a.address} is known only after apply"),
        )
    )


def with_targets(
    rules: list[EventRule], targets: list[tuple[EventTarget, Any, Any]]
) -> tuple[EventRule, ...]:
    """Each target folded into the rule it names: by address when the `rule` argument reads the
    rule's name, else by name (and bus, when both are known). A target of a rule outside the
    inputs has nothing to join."""
    folded: dict[int, list[EventTarget]] = {}
    for target, rule_raw, bus_raw in targets:
        hit = next((i for i, r in enumerate(rules) if _names_rule(r, rule_raw, bus_raw)), None)
        if hit is not None:
            folded.setdefault(hit, []).append(target)
    return tuple(
        replace(rule, targets=tuple(folded[i])) if i in folded else rule
        for i, rule in enumerate(rules)
    )


def _names_rule(rule: EventRule, rule_raw: Any, bus_raw: Any) -> bool:
    if isinstance(rule_raw, Traced) and rule_raw.target == rule.id:
        return True
    name, bus = to_model(rule_raw), to_model(bus_raw)
    if not isinstance(name, str) or name != rule.name:
        return False
    # the same name on two buses: a target without event_bus_name is on the default bus
    bus = "default" if bus is None else bus
    own_bus = rule.event_bus.value if rule.event_bus is not None else "default"
    if isinstance(bus, str) and isinstance(own_bus, str):
        return bus.rsplit(":event-bus/", 1)[-1] == own_bus.rsplit(":event-bus/", 1)[-1]
    return True

_MAPPERS = {
    "aws_cloudtrail": _trail,
    "aws_cloudtrail_event_data_store": _event_data_store,
    "aws_cloudwatch_event_rule": _event_rule,
    "aws_cloudwatch_event_target": _event_target,
    "aws_cloudwatch_event_bus": _event_bus,
            "aws_kms_key": _key,
    "aws_kms_alias": _alias,
    "aws_cloudwatch_log_group": _log_group,
    "aws_cloudwatch_log_metric_filter": _metric_filter,
    "aws_cloudwatch_metric_alarm": _alarm,
    "aws_sns_topic": _topic,
    "aws_sns_topic_subscription": _subscription,
    "aws_organizations_policy": _org_policy,
    "aws_organizations_policy_attachment": _org_attachment,
    "aws_iam_policy": _iam_policy,
    "aws_iam_role_policy": _iam_policy,
    "aws_iam_user_policy": _iam_policy,
    "aws_iam_group_policy": _iam_policy,
    "aws_iam_role_policy_attachment": _iam_attachment,
    "aws_iam_user_policy_attachment": _iam_attachment,
    "aws_iam_group_policy_attachment": _iam_attachment,
    "aws_iam_policy_attachment": _iam_attachment,
}


register(_MAPPERS)
# Policy attachments of IAM policies (resources.ATTACHES)
IAM_ATTACHMENTS: tuple[str, ...] = tuple(t for t, m in _MAPPERS.items() if m is _iam_attachment)


def _trail_bucket(a: Attrs) -> Reference | None:
    """The trail's bucket. An empty name (a variable whose default is "") names no bucket, but
    the trail cannot deliver without one: an unknown the user can settle, not a trail without a
    bucket that the log bucket rules skip."""
    found = reference(a, "s3_bucket_name")
    if found is None and a.raw("s3_bucket_name") is not None:
        return Reference(Unknown(f"s3_bucket_name of {a.address} is empty: CloudTrail delivers "
                                 "to the bucket it names; set the value that feeds it (for "
                                 "example with --var)"))  # fmt: skip
    return found

