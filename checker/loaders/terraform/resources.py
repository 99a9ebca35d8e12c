"""Terraform resource attributes -> the normalized model. One implementation for HCL and plans.

Both loaders hand each resource over as `Attrs`: its address, type, location, and its argument
values (evaluated from HCL, or read from a plan), where a value read from another resource is
`Traced` with that resource's address. The split S3 bucket resources are folded into their
bucket here (split settings override inline ones), and policy attachments into their policies.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from checker.loaders.eventbridge import TERRAFORM_KINDS, kind_of_arn, terraform_type
from checker.loaders.terraform.iam import read_policy, to_leaf
from checker.loaders.terraform.values import Invalid, Lazy, PartialStr, Traced, untrace
from checker.model import (
    AdvancedSelector,
    Alarm,
    BasicSelector,
    Bucket,
    Computed,
    ControlPolicy,
    DataResource,
    Diagnostic,
    Estate,
    EventBus,
    EventDataStore,
    EventRule,
    EventTarget,
    FieldSelector,
    Grant,
    InsightSelector,
    Key,
    KeyAlias,
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


class Attrs(Protocol):
    """One resource (or nested block) as the mapping reads it."""

    address: str
    rtype: str
    location: Location

    def raw(self, name: str) -> Any:
        """The argument's value (None when not set), traces kept; a value unknown as a whole says
        where it comes from."""
        ...

    def line(self, name: str) -> int | None: ...

    def blocks(self, name: str) -> list[Attrs] | Unknown: ...

    def region(self) -> Any: ...


class DictAttrs:
    """Attrs over a dict of values (plan JSON, `.tf.json` nested blocks written as objects)."""

    def __init__(
        self,
        address: str,
        rtype: str,
        location: Location,
        values: Mapping[str, Any],
        region: Any = None,
        lines: Mapping[str, int] | None = None,
    ) -> None:
        self.address = address
        self.rtype = rtype
        self.location = location
        self.values = values
        self._region = region
        self._lines = lines or {}

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def line(self, name: str) -> int | None:
        return self._lines.get(name)

    def blocks(self, name: str) -> list[Attrs] | Unknown:
        return blocks_from_value(self, name, self.values.get(name))

    def region(self) -> Any:
        return self._region


def blocks_from_value(parent: Attrs, name: str, value: Any) -> list[Attrs] | Unknown:
    """Nested blocks given as a value: an object, or a list of objects."""
    v = untrace(value)
    if v is None:
        return []
    if isinstance(v, Unknown):
        return to_model(v)  # type: ignore[no-any-return]
    items = v if isinstance(v, list) else [v]
    out: list[Attrs] = []
    for item in items:
        item = untrace(item)
        if isinstance(item, Lazy):
            item = item.materialize()
        if isinstance(item, Unknown):
            return to_model(item)  # type: ignore[no-any-return]
        if isinstance(item, dict):
            line = parent.line(name)
            out.append(
                DictAttrs(
                    parent.address,
                    name,
                    parent.location,
                    item,
                    parent.region(),
                    {k: line for k in item} if line else None,
                )
            )
    return out


# --------------------------------------------------------------------------------------------
# Values


def to_model(v: Any) -> Any:
    """An evaluated value as the model holds it: no traces; PartialStr and Invalid become plain
    Unknown (or Computed when every unknown part is certainly set)."""
    if isinstance(v, Traced):
        v = v.value
    if isinstance(v, Lazy):
        v = v.materialize()
    if isinstance(v, (PartialStr, Invalid)):
        return to_leaf(v)
    if isinstance(v, list):
        return [to_model(x) for x in v]
    if isinstance(v, dict):
        return {k: to_model(x) for k, x in v.items()}
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _string(v: Any, what: str) -> Any:
    v = to_model(v)
    if v is None or isinstance(v, (str, Unknown)):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    return Unknown(f"{what} is not a string")


def string(a: Attrs, name: str) -> Any:
    """MaybeStr | None."""
    return _string(a.raw(name), name)


def tri(a: Attrs, name: str, default: bool) -> Any:
    v = to_model(a.raw(name))
    if v is None:
        return default
    if isinstance(v, (bool, Unknown)):
        return v
    if v in ("true", "false"):
        return v == "true"
    return Unknown(f"{name} is not a bool ({v!r})")


def integer(a: Attrs, name: str) -> Any:
    v = to_model(a.raw(name))
    if v is None or isinstance(v, Unknown):
        return v
    if isinstance(v, bool):
        return Unknown(f"{name} is not a number")
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return int(v)
    if isinstance(v, str):
        try:
            return int(float(v))
        except ValueError:
            pass
    return Unknown(f"{name} is not a number ({v!r})")


def reference(a: Attrs, name: str) -> Reference | None:
    return make_reference(a.raw(name), name)


def make_reference(raw: Any, what: str) -> Reference | None:
    target = raw.target if isinstance(raw, Traced) else None
    if target is not None and _resource_type(target) not in MAPPED_TYPES:
        # "${var.prefix}-logs-${random_id.s.hex}" is traced to random_id.s, which is no object
        # of the model: the reference joins by its value instead
        target = None
    value = _string(raw, what)
    if value is None or value == "":
        return None  # `kms_key_id = ""` is no key: the provider treats "" as not set
    return Reference(value, target)


def references(a: Attrs, name: str) -> tuple[Reference, ...]:
    raw = a.raw(name)
    v = untrace(raw)
    if v is None:
        return ()
    if isinstance(v, Unknown):
        # the list as a whole is unknown: one action whose value (and count) is unknown
        return (Reference(to_model(v), raw.target if isinstance(raw, Traced) else None),)
    if not isinstance(v, list):
        v = [raw]
    out = []
    for item in v:
        r = make_reference(item, name)
        if r is not None:
            out.append(r)
    return tuple(out)


def strings(a: Attrs, name: str) -> tuple[Any, ...] | Unknown:
    v = to_model(a.raw(name))
    if v is None:
        return ()
    if isinstance(v, Unknown):
        return v
    if not isinstance(v, list):
        v = [v]
    return tuple(_string(x, name) for x in v)


def document(a: Attrs, name: str) -> Mapping[str, Any] | Unknown | None:
    raw = a.raw(name)
    v = untrace(raw)
    if isinstance(v, Unknown) and not isinstance(v, PartialStr):
        return to_model(v)  # type: ignore[no-any-return]
    return read_policy(v)


def first_block(a: Attrs, name: str) -> Attrs | Unknown | None:
    blocks = a.blocks(name)
    if isinstance(blocks, Unknown):
        return blocks
    return blocks[0] if blocks else None


class _Lines:
    """model field -> line of the attribute that set it."""

    def __init__(self, a: Attrs) -> None:
        self.a = a
        self.lines: dict[str, int] = {}

    def mark(self, model_field: str, *attrs: str) -> None:
        for attr in attrs:
            line = self.a.line(attr)
            if line:
                self.lines[model_field] = line
                return


# --------------------------------------------------------------------------------------------
# The collector


@dataclass
class _BucketDraft:
    address: str
    location: Location
    values: dict[str, Any]
    lines: dict[str, int]
    name: Any


@dataclass
class _PolicyDraft:
    address: str
    kind: str
    document: Any
    location: Location
    name: Any
    targets: list[Any]
    lines: dict[str, int]


@dataclass
class Collector:
    """Gathers model objects from mapped resources; `estate()` joins and folds them."""

    default_region: str | None = None
    trails: list[Trail] = field(default_factory=list)
    buckets: dict[str, _BucketDraft] = field(default_factory=dict)
    fragments: list[tuple[Attrs, Any]] = field(default_factory=list)
    keys: list[Key] = field(default_factory=list)
    aliases: list[KeyAlias] = field(default_factory=list)
    log_groups: list[LogGroup] = field(default_factory=list)
    filters: list[MetricFilter] = field(default_factory=list)
    alarms: list[Alarm] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)
    policies: dict[str, _PolicyDraft] = field(default_factory=dict)
    attachments: list[tuple[Any, Any]] = field(default_factory=list)
    account_blocks: list[PublicAccessBlock] = field(default_factory=list)
    event_data_stores: list[EventDataStore] = field(default_factory=list)
    event_rules: list[EventRule] = field(default_factory=list)
    event_buses: list[EventBus] = field(default_factory=list)
    # each target with the `rule` and `event_bus_name` it names, folded into its rule
    event_targets: list[tuple[EventTarget, Any, Any]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def add(self, a: Attrs) -> None:
        mapper = _MAPPERS.get(a.rtype)
        if mapper is not None:
            mapper(self, a)
        elif a.rtype in _FRAGMENTS:
            self.fragments.append((a, a.raw("bucket")))

    def region(self, a: Attrs) -> Any:
        r = to_model(a.region())
        if isinstance(r, str):
            return r
        if self.default_region:
            return self.default_region
        return r if isinstance(r, Unknown) else Unknown("the region is not known from the inputs")

    def estate(self) -> Estate:
        for a, bucket in self.fragments:
            draft = self._bucket_for(bucket)
            if draft is not None:
                _FRAGMENTS[a.rtype](draft, a)
        buckets = tuple(
            Bucket(id=d.address, location=d.location, lines=d.lines, **d.values)
            for d in self.buckets.values()
        )
        for policy_ref, target in self.attachments:
            draft_p = (
                self.policies.get(policy_ref.target) if isinstance(policy_ref, Traced) else None
            )
            if draft_p is not None:
                draft_p.targets.append(target)
        policies = tuple(
            ControlPolicy(
                id=p.address,
                kind=p.kind,  # type: ignore[arg-type]
                document=p.document,
                location=p.location,
                name=p.name,
                targets=_targets(p.targets),
                lines=p.lines,
            )
            for p in self.policies.values()
        )
        return Estate(
            trails=tuple(self.trails),
            buckets=buckets,
            keys=tuple(self.keys),
            key_aliases=tuple(self.aliases),
            log_groups=tuple(self.log_groups),
            metric_filters=tuple(self.filters),
            alarms=tuple(self.alarms),
            topics=tuple(self.topics),
            subscriptions=tuple(self.subscriptions),
            policies=policies,
            account_public_access_blocks=tuple(self.account_blocks),
            event_data_stores=tuple(self.event_data_stores),
            event_rules=_with_targets(self.event_rules, self.event_targets),
            event_buses=tuple(self.event_buses),
            diagnostics=tuple(self.diagnostics),
        )

    def _bucket_for(self, raw: Any) -> _BucketDraft | None:
        if isinstance(raw, Traced) and raw.target in self.buckets:
            return self.buckets[raw.target]
        name = to_model(raw)
        if isinstance(name, str):
            for d in self.buckets.values():
                if d.name == name:
                    return d
        return None


def _targets(items: list[Any]) -> tuple[Any, ...] | Unknown:
    out: list[Any] = []
    for raw in items:
        v = to_model(raw)
        if isinstance(v, list):
            out.extend(_string(x, "target") for x in v)
        elif v is not None:
            out.append(_string(v, "target"))
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Trails


def _trail(c: Collector, a: Attrs) -> None:
    L = _Lines(a)
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
    c.trails.append(
        Trail(
            id=a.address,
            name=name if name is not None else Unknown(f"{a.address} has no name"),
            location=a.location,
            arn=Computed(f"the ARN of {a.address} is known only after apply"),
            home_region=c.region(a),
            is_logging=tri(a, "enable_logging", True),
            is_multi_region=tri(a, "is_multi_region_trail", False),
            is_organization=tri(a, "is_organization_trail", False),
            include_global_service_events=tri(a, "include_global_service_events", True),
            log_file_validation=tri(a, "enable_log_file_validation", False),
            bucket=reference(a, "s3_bucket_name"),
            s3_key_prefix=None if prefix == "" else prefix,
            kms_key=reference(a, "kms_key_id"),
            log_group=reference(a, "cloud_watch_logs_group_arn"),
            cloudwatch_logs_role_arn=string(a, "cloud_watch_logs_role_arn"),
            sns_topic=reference(a, "sns_topic_name"),
            selectors=_selectors(c, a),
            insight_selectors=_insights(a),
            lines=L.lines,
        )
    )


def _selectors(c: Collector, a: Attrs) -> Selectors | Unknown:
    basic = a.blocks("event_selector")
    advanced = a.blocks("advanced_event_selector")
    if isinstance(basic, Unknown):
        return basic
    if isinstance(advanced, Unknown):
        return advanced
    if basic and advanced:
        line = a.line("advanced_event_selector") or a.location.line
        c.diagnostics.append(
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
# Buckets


def _bucket(c: Collector, a: Attrs) -> None:
    L = _Lines(a)
    values: dict[str, Any] = {"origin": "iac", "region": c.region(a)}
    raw_name = a.raw("bucket")
    name = _string(raw_name, "bucket")
    if name is None:
        how = "bucket_prefix" if a.raw("bucket_prefix") is not None else "AWS (no bucket argument)"
        name = Computed(f"the name of {a.address} is generated at apply from {how}")
    L.mark("name", "bucket", "bucket_prefix")
    values["name"] = name
    if isinstance(name, str):
        region = values["region"]
        partition = "aws"
        if isinstance(region, str):
            from checker.regions import partition_of

            partition = partition_of(region)
        values["arn"] = f"arn:{partition}:s3:::{name}"
    lock = tri(a, "object_lock_enabled", False)
    if a.raw("object_lock_enabled") is not None:
        L.mark("object_lock_enabled", "object_lock_enabled")
    values["object_lock_enabled"] = lock
    legacy_lock = first_block(a, "object_lock_configuration")
    if isinstance(legacy_lock, Unknown):
        values["object_lock_enabled"] = legacy_lock
    elif legacy_lock is not None:
        enabled = string(legacy_lock, "object_lock_enabled")
        if enabled is not None:
            values["object_lock_enabled"] = (
                (enabled == "Enabled") if isinstance(enabled, str) else enabled
            )
            L.mark("object_lock_enabled", "object_lock_configuration")
        _retention(values, L, legacy_lock, "object_lock_configuration")
    versioning = first_block(a, "versioning")
    if isinstance(versioning, Unknown):
        values["versioning"] = versioning
    elif versioning is not None:
        enabled_v = tri(versioning, "enabled", False)
        values["versioning"] = (
            enabled_v if isinstance(enabled_v, Unknown) else ("Enabled" if enabled_v else None)
        )
        values["mfa_delete"] = tri(versioning, "mfa_delete", False)
        L.mark("versioning", "versioning")
        L.mark("mfa_delete", "versioning")
    logging = first_block(a, "logging")
    if isinstance(logging, Unknown):
        values["access_logging_target"] = logging
    elif logging is not None:
        values["access_logging_target"] = _logging_target(logging)
        L.mark("access_logging_target", "logging")
    acl = string(a, "acl")
    if acl is not None:
        values["acl"] = acl
        L.mark("acl", "acl")
    grants = a.blocks("grant")
    if isinstance(grants, Unknown) or grants:
        values["grants"] = grants if isinstance(grants, Unknown) else _legacy_grants(grants)
        L.mark("grants", "grant")
    if a.raw("policy") is not None:
        values["policy"] = document(a, "policy")
        L.mark("policy", "policy")
    rules = a.blocks("lifecycle_rule")
    if isinstance(rules, Unknown) or rules:
        values["lifecycle_expirations"] = (
            rules if isinstance(rules, Unknown) else _legacy_lifecycle(rules)
        )
        L.mark("lifecycle_expirations", "lifecycle_rule")
    sse = first_block(a, "server_side_encryption_configuration")
    if sse is not None:
        _sse(values, L, sse, "server_side_encryption_configuration")
    c.buckets[a.address] = _BucketDraft(a.address, a.location, values, L.lines, name)


def _retention(values: dict[str, Any], L: _Lines, holder: Attrs, attr: str) -> None:
    rule = first_block(holder, "rule")
    if rule is None:
        return
    if isinstance(rule, Unknown):
        values["object_lock_mode"] = rule
        values["object_lock_days"] = rule
        return
    retention = first_block(rule, "default_retention")
    if retention is None:
        return
    if isinstance(retention, Unknown):
        values["object_lock_mode"] = retention
        values["object_lock_days"] = retention
        return
    values["object_lock_mode"] = string(retention, "mode")
    days = integer(retention, "days")
    years = integer(retention, "years")
    if days is None and years is not None:
        days = years if isinstance(years, Unknown) else years * 365
    values["object_lock_days"] = days
    L.mark("object_lock_mode", attr)
    L.mark("object_lock_days", attr)


def _legacy_grants(blocks: list[Attrs]) -> tuple[Grant, ...] | Unknown:
    out = []
    for g in blocks:
        grantee = (
            to_model(g.raw("uri")) or to_model(g.raw("id")) or to_model(g.raw("email_address"))
        )
        perms = strings(g, "permissions")
        if isinstance(grantee, Unknown):
            return Unknown(f"a grant's grantee is unknown: {grantee.reason}")
        if isinstance(perms, Unknown):
            return Unknown(f"a grant's permissions are unknown: {perms.reason}")
        for p in perms:
            if isinstance(p, Unknown):
                return Unknown(f"a grant's permission is unknown: {p.reason}")
            out.append(Grant(str(grantee or ""), str(p)))
    return tuple(out)


def _legacy_lifecycle(blocks: list[Attrs]) -> tuple[LifecycleExpiration, ...] | Unknown:
    out: list[LifecycleExpiration] = []
    for r in blocks:
        enabled = tri(r, "enabled", True)
        prefix = string(r, "prefix")
        for name, days_attr, noncurrent in (
            ("expiration", "days", False),
            ("noncurrent_version_expiration", "days", True),
        ):
            e = first_block(r, name)
            if isinstance(e, Unknown):
                return e
            if e is not None:
                days = integer(e, days_attr)
                if days is not None:
                    out.append(LifecycleExpiration(days, enabled, prefix or "", noncurrent))
    return tuple(out)


def _sse(values: dict[str, Any], L: _Lines, holder: Attrs | Unknown, attr: str) -> None:
    if isinstance(holder, Unknown):
        values["sse_algorithm"] = holder
        return
    rule = first_block(holder, "rule")
    if rule is None:
        return
    if isinstance(rule, Unknown):
        values["sse_algorithm"] = rule
        return
    default = first_block(rule, "apply_server_side_encryption_by_default")
    if isinstance(default, Unknown):
        values["sse_algorithm"] = default
        return
    if default is None:
        return
    values["sse_algorithm"] = string(default, "sse_algorithm")
    values["sse_kms_key"] = reference(default, "kms_master_key_id")
    L.mark("sse_algorithm", attr)


# -- split bucket resources, folded into their bucket -----------------------------------------


def _same_file(d: _BucketDraft, a: Attrs, model_field: str, attr: str | None = None) -> None:
    """Split settings carry their line only when they are in the bucket's file."""
    if a.location.file == d.location.file:
        line = a.line(attr) if attr else None
        d.lines[model_field] = line or a.location.line


def _f_versioning(d: _BucketDraft, a: Attrs) -> None:
    conf = first_block(a, "versioning_configuration")
    if isinstance(conf, Unknown):
        d.values["versioning"] = conf
        return
    if conf is None:
        return
    status = string(conf, "status")
    d.values["versioning"] = None if status in ("Disabled", None) else status
    mfa = string(conf, "mfa_delete")
    if mfa is not None:
        d.values["mfa_delete"] = (mfa == "Enabled") if isinstance(mfa, str) else mfa
        _same_file(d, a, "mfa_delete", "versioning_configuration")
    _same_file(d, a, "versioning", "versioning_configuration")


def _f_object_lock(d: _BucketDraft, a: Attrs) -> None:
    enabled = string(a, "object_lock_enabled")
    d.values["object_lock_enabled"] = (
        True
        if enabled is None
        else ((enabled == "Enabled") if isinstance(enabled, str) else enabled)
    )
    L = _Lines(a)
    _retention(d.values, L, a, "rule")
    _same_file(d, a, "object_lock_enabled")
    if "object_lock_days" in L.lines:
        _same_file(d, a, "object_lock_days", "rule")
        _same_file(d, a, "object_lock_mode", "rule")


def _f_public_access_block(d: _BucketDraft, a: Attrs) -> None:
    d.values["public_access_block"] = _pab(a)
    _same_file(d, a, "public_access_block")


def _pab(a: Attrs) -> PublicAccessBlock:
    return PublicAccessBlock(
        block_public_acls=tri(a, "block_public_acls", False),
        block_public_policy=tri(a, "block_public_policy", False),
        ignore_public_acls=tri(a, "ignore_public_acls", False),
        restrict_public_buckets=tri(a, "restrict_public_buckets", False),
        location=a.location,
    )


def _f_policy(d: _BucketDraft, a: Attrs) -> None:
    d.values["policy"] = document(a, "policy")
    _same_file(d, a, "policy", "policy")


def _f_acl(d: _BucketDraft, a: Attrs) -> None:
    acl = string(a, "acl")
    if acl is not None:
        d.values["acl"] = acl
        _same_file(d, a, "acl", "acl")
    policy = first_block(a, "access_control_policy")
    if isinstance(policy, Unknown):
        d.values["grants"] = policy
        return
    if policy is None:
        return
    grants = policy.blocks("grant")
    if isinstance(grants, Unknown):
        d.values["grants"] = grants
        return
    out = []
    for g in grants:
        grantee = first_block(g, "grantee")
        if isinstance(grantee, Unknown):
            d.values["grants"] = grantee
            return
        who = None
        if grantee is not None:
            who = (
                to_model(grantee.raw("uri"))
                or to_model(grantee.raw("id"))
                or to_model(grantee.raw("email_address"))
            )
        perm = string(g, "permission")
        if isinstance(who, Unknown) or isinstance(perm, Unknown):
            u = who if isinstance(who, Unknown) else perm
            d.values["grants"] = Unknown(f"a grant of {a.address} is unknown: {u.reason}")
            return
        out.append(Grant(str(who or ""), str(perm or "")))
    d.values["grants"] = tuple(out)
    _same_file(d, a, "grants", "access_control_policy")


def _logging_target(a: Attrs) -> Any:
    # target_bucket is required (provider schema): logging is on whatever the bucket turns out
    # to be, even when its name is unknown
    target = string(a, "target_bucket")
    if isinstance(target, Unknown) and not isinstance(target, Computed):
        return Computed(target.reason)
    return target


def _f_logging(d: _BucketDraft, a: Attrs) -> None:
    d.values["access_logging_target"] = _logging_target(a)
    _same_file(d, a, "access_logging_target", "target_bucket")


def _f_lifecycle(d: _BucketDraft, a: Attrs) -> None:
    rules = a.blocks("rule")
    if isinstance(rules, Unknown):
        d.values["lifecycle_expirations"] = rules
        return
    out: list[LifecycleExpiration] = []
    for r in rules:
        status = string(r, "status")
        enabled: Any = status if isinstance(status, Unknown) else status == "Enabled"
        prefix: Any = string(r, "prefix")
        filt = first_block(r, "filter")
        if isinstance(filt, Unknown):
            prefix = filt
        elif filt is not None:
            prefix = string(filt, "prefix")
            both = first_block(filt, "and")
            if prefix is None and both is not None and not isinstance(both, Unknown):
                prefix = string(both, "prefix")
        exp = first_block(r, "expiration")
        if isinstance(exp, Unknown):
            d.values["lifecycle_expirations"] = exp
            return
        if exp is not None:
            days = integer(exp, "days")
            if days is not None:
                out.append(LifecycleExpiration(days, enabled, prefix or "", False))
        nc = first_block(r, "noncurrent_version_expiration")
        if isinstance(nc, Unknown):
            d.values["lifecycle_expirations"] = nc
            return
        if nc is not None:
            days = integer(nc, "noncurrent_days")
            if days is None:
                days = integer(nc, "days")
            if days is not None:
                out.append(LifecycleExpiration(days, enabled, prefix or "", True))
    d.values["lifecycle_expirations"] = tuple(out)
    _same_file(d, a, "lifecycle_expirations", "rule")


def _f_sse(d: _BucketDraft, a: Attrs) -> None:
    L = _Lines(a)
    _sse(d.values, L, a, "rule")
    _same_file(d, a, "sse_algorithm", "rule")


_FRAGMENTS = {
    "aws_s3_bucket_versioning": _f_versioning,
    "aws_s3_bucket_object_lock_configuration": _f_object_lock,
    "aws_s3_bucket_public_access_block": _f_public_access_block,
    "aws_s3_bucket_policy": _f_policy,
    "aws_s3_bucket_acl": _f_acl,
    "aws_s3_bucket_logging": _f_logging,
    "aws_s3_bucket_lifecycle_configuration": _f_lifecycle,
    "aws_s3_bucket_server_side_encryption_configuration": _f_sse,
}


def _account_pab(c: Collector, a: Attrs) -> None:
    c.account_blocks.append(_pab(a))


# --------------------------------------------------------------------------------------------
# Keys, logs, alarms, topics, policies


def _key(c: Collector, a: Attrs) -> None:
    L = _Lines(a)
    L.mark("enabled", "is_enabled")
    L.mark("rotation_enabled", "enable_key_rotation")
    L.mark("rotation_period_days", "rotation_period_in_days")
    L.mark("policy", "policy")
    c.keys.append(
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
        )
    )


def _alias(c: Collector, a: Attrs) -> None:
    name = string(a, "name")
    target = reference(a, "target_key_id")
    c.aliases.append(
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


def _generated_name(c: Collector, a: Attrs, attr: str = "name") -> Any:
    name = string(a, attr)
    if name is not None:
        return name
    how = f"{attr}_prefix" if a.raw(f"{attr}_prefix") is not None else "AWS"
    return Computed(f"the name of {a.address} is generated at apply by {how}")


def _log_group(c: Collector, a: Attrs) -> None:
    L = _Lines(a)
    L.mark("name", "name", "name_prefix")
    L.mark("retention_days", "retention_in_days")
    L.mark("kms_key", "kms_key_id")
    retention = integer(a, "retention_in_days")
    c.log_groups.append(
        LogGroup(
            id=a.address,
            name=_generated_name(c, a),
            location=a.location,
            arn=Computed(f"the ARN of {a.address} is known only after apply"),
            retention_days=None if retention == 0 else retention,
            kms_key=reference(a, "kms_key_id"),
            lines=L.lines,
        )
    )


def _metric_filter(c: Collector, a: Attrs) -> None:
    L = _Lines(a)
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
    c.filters.append(
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
        )
    )


def _required(v: Any, what: str) -> Any:
    return v if v is not None else Unknown(f"{what} is not set")


def _alarm(c: Collector, a: Attrs) -> None:
    L = _Lines(a)
    L.mark("metric_name", "metric_name")
    L.mark("namespace", "namespace")
    L.mark("actions", "alarm_actions")
    L.mark("actions_enabled", "actions_enabled")
    c.alarms.append(
        Alarm(
            id=a.address,
            metric_name=string(a, "metric_name"),
            namespace=string(a, "namespace"),
            location=a.location,
            name=string(a, "alarm_name"),
            actions=references(a, "alarm_actions"),
            actions_enabled=tri(a, "actions_enabled", True),
            lines=L.lines,
        )
    )


def _topic(c: Collector, a: Attrs) -> None:
    policy = document(a, "policy") if a.raw("policy") is not None else None
    c.topics.append(
        Topic(
            id=a.address,
            name=_generated_name(c, a),
            location=a.location,
            arn=Computed(f"the ARN of {a.address} is known only after apply"),
            policy=policy,
        )
    )


def _subscription(c: Collector, a: Attrs) -> None:
    topic = reference(a, "topic_arn")
    c.subscriptions.append(
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


def _org_policy(c: Collector, a: Attrs) -> None:
    ptype = string(a, "type")
    if ptype is None:
        ptype = "SERVICE_CONTROL_POLICY"
    if isinstance(ptype, Unknown):
        c.diagnostics.append(
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


def _iam_policy(c: Collector, a: Attrs) -> None:
    holders = {
        "aws_iam_role_policy": "role",
        "aws_iam_user_policy": "user",
        "aws_iam_group_policy": "group",
    }
    holder = holders.get(a.rtype)
    targets = (a.raw(holder),) if holder and a.raw(holder) is not None else ()
    _policy(c, a, "iam", "policy", targets)


def _policy(c: Collector, a: Attrs, kind: str, attr: str, targets: tuple[Any, ...]) -> None:
    L = _Lines(a)
    L.mark("document", attr)
    L.mark("name", "name")
    raw_doc = a.raw(attr)
    doc = document(a, attr) if raw_doc is not None else Unknown(f"{a.address} has no {attr}")
    c.policies[a.address] = _PolicyDraft(
        a.address,
        kind,
        doc if doc is not None else Unknown(f"{a.address} has an empty {attr}"),
        a.location,
        string(a, "name"),
        list(targets),
        L.lines,
    )


def _org_attachment(c: Collector, a: Attrs) -> None:
    c.attachments.append((a.raw("policy_id"), a.raw("target_id")))


def _iam_attachment(c: Collector, a: Attrs) -> None:
    policy = a.raw("policy_arn")
    for holder in ("role", "user", "group", "roles", "users", "groups"):
        value = a.raw(holder)
        if value is not None:
            c.attachments.append((policy, value))


# --------------------------------------------------------------------------------------------
# CloudTrail Lake and EventBridge


def _event_data_store(c: Collector, a: Attrs) -> None:
    """aws_cloudtrail_event_data_store; the provider's defaults: multi-Region, termination
    protection on, 2555 days, ingesting unless `suspend` (provider resource schema)."""
    L = _Lines(a)
    for model_field, attr in (
        ("name", "name"), ("is_multi_region", "multi_region_enabled"),
        ("is_organization", "organization_enabled"),
        ("termination_protection", "termination_protection_enabled"),
        ("retention_days", "retention_period"), ("kms_key", "kms_key_id"),
        ("selectors", "advanced_event_selector"), ("status", "suspend"),
    ):  # fmt: skip
        L.mark(model_field, attr)
    suspended = tri(a, "suspend", False)
    retention = integer(a, "retention_period")
    c.event_data_stores.append(
        EventDataStore(
            id=a.address,
            name=_required(string(a, "name"), "name"),
            location=a.location,
            arn=Computed(f"the ARN of {a.address} is known only after apply"),
            home_region=c.region(a),
            status=suspended if isinstance(suspended, Unknown) else (
                "STOPPED_INGESTION" if suspended else "ENABLED"),
            is_multi_region=tri(a, "multi_region_enabled", True),
            is_organization=tri(a, "organization_enabled", False),
            termination_protection=tri(a, "termination_protection_enabled", True),
            retention_days=2555 if retention is None else retention,
            kms_key=reference(a, "kms_key_id"),
            selectors=_selectors(c, a),
            lines=L.lines,
        )
    )  # fmt: skip


def _event_rule(c: Collector, a: Attrs) -> None:
    L = _Lines(a)
    L.mark("name", "name", "name_prefix")
    L.mark("event_bus", "event_bus_name")
    L.mark("state", "state", "is_enabled")
    L.mark("pattern", "event_pattern")
    state = string(a, "state")
    if state is None:
        # the provider's older `is_enabled` (true by default) stands for ENABLED / DISABLED
        enabled = tri(a, "is_enabled", True)
        state = enabled if isinstance(enabled, Unknown) else (
            "ENABLED" if enabled else "DISABLED")  # fmt: skip
    c.event_rules.append(
        EventRule(
            id=a.address,
            name=_generated_name(c, a),
            location=a.location,
            arn=Computed(f"the ARN of {a.address} is known only after apply"),
            region=c.region(a),
            event_bus=reference(a, "event_bus_name"),
            state=state,
            pattern=string(a, "event_pattern"),
            lines=L.lines,
        )
    )


def _event_target(c: Collector, a: Attrs) -> None:
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


def _event_bus(c: Collector, a: Attrs) -> None:
    c.event_buses.append(
        EventBus(
            id=a.address,
            name=_required(string(a, "name"), "name"),
            location=a.location,
            arn=Computed(f"the ARN of {a.address} is known only after apply"),
        )
    )


def _with_targets(
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
    "aws_s3_bucket": _bucket,
    "aws_s3_account_public_access_block": _account_pab,
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
def _resource_type(address: str) -> str:
    """`module.a["k"].aws_s3_bucket.logs[0]` -> aws_s3_bucket; "" for a data source, which is
    read from AWS and is no object of the inputs."""
    names = re.sub(r'\["[^"]*"\]|\[[^\]]*\]', "", address).split(".")
    while len(names) >= 2 and names[0] == "module":
        names = names[2:]
    return "" if not names or names[0] == "data" else names[0]


# The resource types the model is made of: parsing starts from these (terraform.files.is_seed).
MAPPED_TYPES = frozenset(_MAPPERS) | frozenset(_FRAGMENTS)
# Attachments matter only when they attach a policy of the inputs, which their text then names.
ATTACHES: dict[str, str] = {
    "aws_organizations_policy_attachment": "aws_organizations_policy.",
    **{
        t: "aws_iam_policy."
        for t, m in _MAPPERS.items()
        if m is _iam_attachment
    },
}
