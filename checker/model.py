"""The normalized model: every input format loads into these frozen dataclasses.

Rules and the simulator read only this module's types, never a loader's. A value that cannot be
resolved is an `Unknown` that says why (`checker.unknowns`, re-exported here); `None` means "not
set" (AWS applies its default). Locations are kept out of equality so that the same trail written
in two formats compares equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any, Literal, TypeVar

from checker.delivery_state import DeliveryState as DeliveryState
from checker.delivery_state import DeliveryStatus as DeliveryStatus
from checker.inputs import Diagnostic as Diagnostic
from checker.inputs import InputFile as InputFile
from checker.inputs import InputKind as InputKind
from checker.inputs import Removal as Removal
from checker.inputs import Unread as Unread
from checker.inputs import UnreadKind as UnreadKind
from checker.joins import (
    LentTables,
    Lookup,
    known_log_group_name,
    layered_index,
    log_group_arn,
    log_group_name,
    lookup,
    whole_index,
)
from checker.location import NOWHERE as NOWHERE
from checker.location import Located as Located
from checker.location import Location as Location
from checker.location import Reference as Reference
from checker.unknowns import (
    Computed as Computed,
)
from checker.unknowns import (
    MaybeInt as MaybeInt,
)
from checker.unknowns import (
    MaybeStr as MaybeStr,
)
from checker.unknowns import (
    PartlyComputed as PartlyComputed,
)
from checker.unknowns import (
    PartlyKnown as PartlyKnown,
)
from checker.unknowns import (
    Tri as Tri,
)
from checker.unknowns import (
    Unknown as Unknown,
)
from checker.unknowns import (
    first_unknown as first_unknown,
)
from checker.unknowns import (
    partly_known as partly_known,
)


def _loc() -> Any:
    return field(default=NOWHERE, compare=False, repr=False)


def _lines() -> Any:
    return field(default_factory=dict, compare=False, repr=False, hash=False)


ResolveKind = Literal["bucket", "key", "log_group", "topic", "event_bus", "lake"]


# --------------------------------------------------------------------------------------------
# Selectors


@dataclass(frozen=True)
class DataResource:
    type: MaybeStr
    values: tuple[MaybeStr, ...] = ()


@dataclass(frozen=True)
class BasicSelector:
    """A basic event selector (`EventSelectors`), with AWS's defaults."""

    read_write_type: MaybeStr = "All"
    include_management_events: Tri = True
    data_resources: tuple[DataResource, ...] = ()
    exclude_management_event_sources: tuple[MaybeStr, ...] = ()


SELECT_OPERATORS = ("equals", "starts_with", "ends_with")
DESELECT_OPERATORS = ("not_equals", "not_starts_with", "not_ends_with")
OPERATORS = SELECT_OPERATORS + DESELECT_OPERATORS


@dataclass(frozen=True)
class FieldSelector:
    field: str
    equals: tuple[MaybeStr, ...] = ()
    not_equals: tuple[MaybeStr, ...] = ()
    starts_with: tuple[MaybeStr, ...] = ()
    not_starts_with: tuple[MaybeStr, ...] = ()
    ends_with: tuple[MaybeStr, ...] = ()
    not_ends_with: tuple[MaybeStr, ...] = ()

    def operator_values(self) -> Iterator[tuple[str, tuple[MaybeStr, ...]]]:
        for op in OPERATORS:
            values: tuple[MaybeStr, ...] = getattr(self, op)
            if values:
                yield op, values


@dataclass(frozen=True)
class AdvancedSelector:
    """An advanced event selector. `name` is a label the user chose: never read meaning from it."""

    field_selectors: tuple[FieldSelector, ...]
    name: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Selectors:
    """A trail's event selectors: AWS's default, basic, or advanced (never both)."""

    kind: Literal["default", "basic", "advanced"]
    basic: tuple[BasicSelector, ...] = ()
    advanced: tuple[AdvancedSelector, ...] = ()

    @staticmethod
    def default() -> Selectors:
        return Selectors("default")


@dataclass(frozen=True)
class InsightSelector:
    insight_type: MaybeStr
    event_categories: tuple[str, ...] = ("Management",)


# --------------------------------------------------------------------------------------------
# Trails


@dataclass(frozen=True)
class Trail(Located):
    id: str
    name: MaybeStr
    location: Location = _loc()
    arn: MaybeStr | None = None
    account_id: MaybeStr = Unknown("the trail's account is not known from the inputs")
    home_region: MaybeStr = Unknown("the trail's home region is not known from the inputs")
    is_logging: Tri = True
    is_multi_region: Tri = False
    is_organization: Tri = False
    include_global_service_events: Tri = True
    log_file_validation: Tri = False
    bucket: Reference | None = None
    s3_key_prefix: MaybeStr | None = None
    kms_key: Reference | None = None
    log_group: Reference | None = None
    cloudwatch_logs_role_arn: MaybeStr | None = None
    sns_topic: Reference | None = None
    selectors: Selectors | Unknown = field(default_factory=Selectors.default)
    insight_selectors: tuple[InsightSelector, ...] | Unknown = ()
    # GetTrailStatus' delivery errors (checker/delivery_state.py); None: no status (IaC intent)
    delivery: DeliveryStatus | Unknown | None = None
    # Set only in another deployment unit's view (`unit_views`): the unit that deploys this
    # organization trail. It is in another account, so it records the viewing unit's events only
    # as an organization trail.
    foreign_unit: str | None = None
    # model field name -> line of the attribute that set it (or its place in another file: a
    # saved CLI output read with describe-trails), for precise findings
    lines: Mapping[str, int | Location] = _lines()
    names: Mapping[str, str] = _lines()


# --------------------------------------------------------------------------------------------
# What surrounds a trail


@dataclass(frozen=True)
class PublicAccessBlock:
    block_public_acls: Tri = False
    block_public_policy: Tri = False
    ignore_public_acls: Tri = False
    restrict_public_buckets: Tri = False
    location: Location = _loc()


@dataclass(frozen=True)
class Grant:
    grantee: str  # a canonical id, an email, or a group URI such as ".../global/AllUsers"
    permission: str


@dataclass(frozen=True)
class LifecycleExpiration:
    days: MaybeInt
    enabled: Tri = True
    prefix: MaybeStr = ""
    noncurrent: bool = False


@dataclass(frozen=True)
class Bucket(Located):
    id: str
    name: MaybeStr
    location: Location = _loc()
    arn: MaybeStr | None = None
    account_id: MaybeStr = Unknown("the bucket's account is not known from the inputs")
    region: MaybeStr | None = None
    # "iac": settings not written take the AWS defaults at creation; "live": the real settings.
    origin: Literal["iac", "live"] = "iac"
    versioning: MaybeStr | None = None  # "Enabled", "Suspended", or None: never enabled
    mfa_delete: Tri = False
    object_lock_enabled: Tri = False
    object_lock_mode: MaybeStr | None = None  # GOVERNANCE | COMPLIANCE
    object_lock_days: MaybeInt | None = None  # default retention, years counted as 365 days
    acl: MaybeStr | None = None  # canned ACL
    grants: tuple[Grant, ...] | Unknown = ()
    policy: Mapping[str, Any] | Unknown | None = None  # the bucket policy document (JSON)
    public_access_block: PublicAccessBlock | Unknown | None = None
    access_logging_target: MaybeStr | None = None
    lifecycle_expirations: tuple[LifecycleExpiration, ...] | Unknown = ()
    sse_algorithm: MaybeStr | None = None
    sse_kms_key: Reference | None = None
    # a split setting (aws_s3_bucket_lifecycle_configuration, ...) in another file: its location
    lines: Mapping[str, int | Location] = _lines()
    names: Mapping[str, str] = _lines()


@dataclass(frozen=True)
class Key(Located):
    id: str
    location: Location = _loc()
    arn: MaybeStr | None = None
    key_id: MaybeStr | None = None
    aliases: tuple[str, ...] = ()
    customer_managed: Tri = True
    enabled: Tri = True
    rotation_enabled: Tri = False
    rotation_period_days: MaybeInt | None = None
    policy: Mapping[str, Any] | Unknown | None = None
    lines: Mapping[str, int] = _lines()
    names: Mapping[str, str] = _lines()


@dataclass(frozen=True)
class KeyAlias:
    id: str
    name: MaybeStr  # "alias/..."
    target: Reference
    location: Location = _loc()


@dataclass(frozen=True)
class LogGroup(Located):
    id: str
    name: MaybeStr
    location: Location = _loc()
    arn: MaybeStr | None = None
    retention_days: MaybeInt | None = None  # None: never expire
    kms_key: Reference | None = None
    lines: Mapping[str, int] = _lines()
    names: Mapping[str, str] = _lines()


@dataclass(frozen=True)
class MetricTransformation:
    name: MaybeStr
    namespace: MaybeStr
    value: MaybeStr = "1"


@dataclass(frozen=True)
class MetricFilter(Located):
    id: str
    log_group: Reference  # by log group name
    pattern: MaybeStr
    transformations: tuple[MetricTransformation, ...]
    location: Location = _loc()
    name: MaybeStr | None = None
    lines: Mapping[str, int] = _lines()
    names: Mapping[str, str] = _lines()


@dataclass(frozen=True)
class Alarm(Located):
    id: str
    metric_name: MaybeStr | None
    namespace: MaybeStr | None
    location: Location = _loc()
    name: MaybeStr | None = None
    actions: tuple[Reference, ...] = ()  # alarm actions (SNS topic ARNs among them)
    actions_enabled: Tri = True
    lines: Mapping[str, int] = _lines()
    names: Mapping[str, str] = _lines()


@dataclass(frozen=True)
class Topic:
    id: str
    name: MaybeStr
    location: Location = _loc()
    arn: MaybeStr | None = None
    policy: Mapping[str, Any] | Unknown | None = None


@dataclass(frozen=True)
class Subscription:
    id: str
    topic: Reference
    protocol: MaybeStr
    endpoint: MaybeStr
    location: Location = _loc()


PolicyKind = Literal["scp", "rcp", "iam", "other"]


@dataclass(frozen=True)
class ControlPolicy(Located):
    """An SCP, RCP or IAM policy: the document and where it is attached when known."""

    id: str
    kind: PolicyKind
    document: Mapping[str, Any] | Unknown
    location: Location = _loc()
    name: MaybeStr | None = None
    targets: tuple[MaybeStr, ...] | Unknown = ()  # attachment targets (OU, account, role, ...)
    lines: Mapping[str, int] = _lines()
    names: Mapping[str, str] = _lines()


# --------------------------------------------------------------------------------------------
# CloudTrail Lake


# eventCategory values of event data stores that hold no AWS API activity: AWS Config
# configuration items, Audit Manager evidence, events from outside AWS (CloudTrail API
# reference, AdvancedFieldSelector)
OTHER_EVENT_CATEGORIES = ("ConfigurationItem", "Evidence", "ActivityAuditLog")

# the retention periods, in days, CreateEventDataStore and UpdateEventDataStore accept by billing
# mode (CloudTrail API reference, RetentionPeriod); EXTENDABLE_RETENTION_PRICING is the default
RETENTION_RANGE: Mapping[str, tuple[int, int]] = {
    "EXTENDABLE_RETENTION_PRICING": (7, 3653),
    "FIXED_RETENTION_PRICING": (7, 2557),
}


@dataclass(frozen=True)
class EventDataStore(Located):
    """A CloudTrail Lake event data store. It records by advanced event selectors (`selectors`
    of kind "default", all management events, or "advanced"), like a trail, in its own Region
    and organization scope; it delivers nowhere else. Insights events of a source store go to
    the store its `insights_destination` names."""

    id: str
    name: MaybeStr
    location: Location = _loc()
    arn: MaybeStr | None = None
    account_id: MaybeStr = Unknown("the event data store's account is not known from the inputs")
    home_region: MaybeStr = Unknown("the event data store's Region is not known from the inputs")
    # ENABLED while it ingests; STOPPED_INGESTION, PENDING_DELETION, ... (GetEventDataStore)
    status: MaybeStr = "ENABLED"
    is_multi_region: Tri = True
    is_organization: Tri = False
    termination_protection: Tri = True
    retention_days: MaybeInt = Unknown("the retention period is not known from the inputs")
    # the billing mode bounds the retention period AWS accepts (RETENTION_RANGE)
    billing_mode: MaybeStr = "EXTENDABLE_RETENTION_PRICING"
    kms_key: Reference | None = None
    selectors: Selectors | Unknown = field(default_factory=Selectors.default)
    insight_selectors: tuple[InsightSelector, ...] | Unknown = ()
    insights_destination: Reference | None = None
    # as Trail.foreign_unit: set only in another deployment unit's view
    foreign_unit: str | None = None
    lines: Mapping[str, int] = _lines()
    names: Mapping[str, str] = _lines()

    @property
    def is_logging(self) -> Tri:
        """Whether the store ingests events: only in status ENABLED (CloudTrail API reference,
        EventDataStoreStatus; StopEventDataStoreIngestion)."""
        status = self.status
        return status if isinstance(status, Unknown) else status == "ENABLED"

    @property
    def include_global_service_events(self) -> Tri:
        """A store has no such setting: global service events are recorded in us-east-1
        (docs/semantics/lake.md), so its Region decides."""
        return True

    @property
    def records_aws_activity(self) -> bool:
        """False when the store certainly takes other events than AWS activity only: every
        selector's eventCategory names AWS Config items, Audit Manager evidence or events from
        outside AWS (ActivityAuditLog, through a channel); a store holds one kind of event
        (docs/semantics/lake.md)."""
        selectors = self.selectors
        if isinstance(selectors, Unknown) or selectors.kind != "advanced" or \
                not selectors.advanced:  # fmt: skip
            return True

        def other_events_only(adv: AdvancedSelector) -> bool:
            return any(
                f.field == "eventCategory" and f.equals and all(
                    isinstance(v, str) and v in OTHER_EVENT_CATEGORIES for v in f.equals)
                for f in adv.field_selectors
            )  # fmt: skip

        return not all(other_events_only(adv) for adv in selectors.advanced)


# --------------------------------------------------------------------------------------------
# EventBridge


TargetKind = Literal[
    "sns", "lambda", "sqs", "step-functions", "event-bus", "api-destination", "logs", "other"
]


@dataclass(frozen=True)
class EventTarget(Located):
    """One target of an EventBridge rule. `arn` joins an SNS topic or an event bus of the inputs
    like `Trail.sns_topic`; `kind` comes from the type of the resource it names, or its ARN."""

    id: str
    arn: Reference
    kind: TargetKind | Unknown
    location: Location = _loc()
    lines: Mapping[str, int] = _lines()
    names: Mapping[str, str] = _lines()


@dataclass(frozen=True)
class PartialPattern(Unknown):
    """An event pattern whose structure is known but some of whose values are not (an ARN
    assigned at deploy in `detail.requestParameters.roleArn`): `document` is the pattern as JSON
    data with `Unknown` where those values are. Its text is unknown, so code that needs the text
    reads it as any Unknown; the simulator still matches the known fields (a rule for `aws.sts`
    never matches a `aws.signin` event, whatever role ARN it names)."""

    document: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class EventRule(Located):
    """An EventBridge rule with its targets. `pattern` is the event pattern's JSON text as
    written: EventBridge compares numbers by their text and reports syntax errors by line, so
    the text is the faithful form (`checker.simulator.event_pattern` parses it); a
    `PartialPattern` when some of its values are unknown; None for a rule without a pattern (a
    schedule). `event_bus` None is the account's default bus."""

    id: str
    name: MaybeStr
    location: Location = _loc()
    arn: MaybeStr | None = None
    account_id: MaybeStr = Unknown("the rule's account is not known from the inputs")
    region: MaybeStr = Unknown("the rule's Region is not known from the inputs")
    event_bus: Reference | None = None
    # ENABLED, DISABLED or ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (PutRule)
    state: MaybeStr = "ENABLED"
    pattern: MaybeStr | None = None
    targets: tuple[EventTarget, ...] | Unknown = ()
    lines: Mapping[str, int] = _lines()
    names: Mapping[str, str] = _lines()


@dataclass(frozen=True)
class EventBus(Located):
    """A custom event bus (the default bus of each account and Region is not declared)."""

    id: str
    name: MaybeStr
    location: Location = _loc()
    arn: MaybeStr | None = None
    lines: Mapping[str, int] = _lines()
    names: Mapping[str, str] = _lines()


@dataclass(frozen=True)
class Estate:
    """Everything loaded together: the unit rules and the simulator judge."""

    trails: tuple[Trail, ...] = ()
    buckets: tuple[Bucket, ...] = ()
    keys: tuple[Key, ...] = ()
    key_aliases: tuple[KeyAlias, ...] = ()
    log_groups: tuple[LogGroup, ...] = ()
    metric_filters: tuple[MetricFilter, ...] = ()
    alarms: tuple[Alarm, ...] = ()
    topics: tuple[Topic, ...] = ()
    subscriptions: tuple[Subscription, ...] = ()
    policies: tuple[ControlPolicy, ...] = ()
    event_data_stores: tuple[EventDataStore, ...] = ()
    event_rules: tuple[EventRule, ...] = ()
    event_buses: tuple[EventBus, ...] = ()
    removals: tuple[Removal, ...] = ()
    unread: tuple[Unread, ...] = ()  # what could not be read (`Unread`)
    account_public_access_blocks: tuple[PublicAccessBlock, ...] = ()
    # organization member accounts, when known; Unknown means "every account counts as a member"
    organization_accounts: tuple[str, ...] | Unknown = Unknown("organization members not known")
    inputs: tuple[InputFile, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    origin: Literal["iac", "live"] = "iac"

    @staticmethod
    def merge(parts: Iterable[Estate]) -> Estate:
        """Join fragments loaded from several files or folders into one estate."""
        parts = list(parts)
        collected: dict[str, Any] = {}
        for f in fields(Estate):
            if f.name in ("organization_accounts", "origin"):
                continue
            collected[f.name] = tuple(x for p in parts for x in getattr(p, f.name))
        orgs = [
            p.organization_accounts
            for p in parts
            if not isinstance(p.organization_accounts, Unknown)
        ]
        if orgs:
            collected["organization_accounts"] = tuple(sorted({a for o in orgs for a in o}))
        origin: Literal["iac", "live"] = "live" if any(p.origin == "live" for p in parts) else "iac"
        return Estate(origin=origin, **collected)

    # -- joins: one implementation for every format -------------------------------------------

    @cached_property
    def _index(self) -> dict[str, Lookup]:
        """kind -> {id | name | arn | key id | alias -> object} (`joins`)."""
        lent: tuple[Estate, LentTables, frozenset[str]] | None = self.__dict__.get("_lent")
        if lent is not None and lent[1].exact:
            return layered_index(*lent)
        return dict(whole_index(self))

    def lend(self, own: Estate, lent: LentTables) -> None:
        """Mark this estate as a unit's view, after `share_account` named its own units: `own`
        holds those units' objects, and the rest are lent objects, all of which `lent` holds (the
        same tables for every view). Its lookups then search its own objects, then the lent
        ones, as `joins` says."""
        units: frozenset[str] | None = self.__dict__.get("_account_units")
        assert units is not None, "share_account names a view's own units before lend"
        self.__dict__["_lent"] = (own, lent, units)

    def resolve(self, kind: ResolveKind, ref: Reference) -> Any:
        """The object a reference points at, or None when it is outside the scanned inputs."""
        return lookup(self._index[kind], ref)

    def bucket_of(self, trail: Trail) -> Bucket | None:
        return None if trail.bucket is None else self.resolve("bucket", trail.bucket)

    def key_of(self, trail: Trail) -> Key | None:
        return None if trail.kms_key is None else self.resolve("key", trail.kms_key)

    def log_group_of(self, trail: Trail) -> LogGroup | None:
        return None if trail.log_group is None else self.resolve("log_group", trail.log_group)

    def topic_of(self, trail: Trail) -> Topic | None:
        return None if trail.sns_topic is None else self.resolve("topic", trail.sns_topic)

    def drop_indexes(self) -> None:
        """Let go of the lookup indexes (built again when asked): a scan of many units judges
        one view at a time, and each view's indexes hold every organization trail's objects."""
        for name in _INDEXES:
            self.__dict__.pop(name, None)

    def filters_on(self, group: LogGroup) -> tuple[MetricFilter, ...]:
        found = self._filters_by_group[0].get(id(group))
        parts = self.lent_parts()
        if parts is not None and parts[1].filters_by_group is not None:
            # a view's own filters on it, then the lent ones (once per group: the simulator
            # asks for every event)
            merged: tuple[MetricFilter, ...] | None = self._lent_merged.get(id(group))
            if merged is None:
                lent = _not_of(parts[1].filters_by_group.get(id(group), ()), parts)
                merged = self._lent_merged[id(group)] = (found or ()) + lent if lent else ()
            if merged:
                return merged
        if found is None and self.is_outside(group):
            found = self._outside[(group.id, group.location.unit)][1]
        return found or ()

    def outside_log_group(self, ref: Reference) -> LogGroup | None:
        """A stand-in for the log group `ref` names (by a known name or ARN) when the inputs
        do not hold it but hold filters on it in ref's account (`filters_named`): another stack
        creates it. Its filters are those (`filters_on`); it may have others."""
        value = ref.value
        name = known_log_group_name(value)
        if name is None:
            return None
        shown = value if isinstance(value, str) else name  # an ARN partly unknown: its name
        key = (shown, ref.unit)
        found = self._outside.get(key)
        if found is None:
            filters = self.filters_named(name, ref.unit)
            if not filters:
                return None
            arn = log_group_arn(shown) if shown.startswith("arn:") else None
            group = LogGroup(shown, name, Location("", 0, unit=ref.unit), arn=arn)
            found = self._outside[key] = (group, filters)
        return found[0]

    def is_outside(self, group: LogGroup) -> bool:
        """Whether `group` is a stand-in for a log group outside the inputs."""
        found = self._outside.get((group.id, group.location.unit))
        return found is not None and found[0] is group

    @cached_property
    def _lent_merged(self) -> dict[object, tuple[Any, ...]]:
        """A view's own and lent objects on one thing, once: the filters on a log group (by its
        identity), the alarms on a metric (by its name and namespace)."""
        return {}

    @cached_property
    def _outside(self) -> dict[tuple[str, str], tuple[LogGroup, tuple[MetricFilter, ...]]]:
        return {}

    def filters_maybe_on(self, group: LogGroup) -> tuple[MetricFilter, ...]:
        """Filters whose log group name is unknown (a variable without a value, another root
        module's output) and may be `group`'s: of its account (its unit, or the view's own
        units, which share one), and with known stretches that its name can have."""
        found = self._filters_by_group[1]
        if not found:
            return ()
        name = group.name

        def may_be(f: MetricFilter) -> bool:
            value = f.log_group.value
            return self.same_account(f, group) and not (
                isinstance(value, PartlyKnown) and isinstance(name, str)
                and not value.can_be(name))  # fmt: skip

        return tuple(f for f in found if may_be(f))

    def filters_named(self, name: str, unit: str) -> tuple[MetricFilter, ...]:
        """Filters of the account of `unit` on the log group `name` that is not in the inputs
        (their log group, named by a known name or ARN, joins no log group here)."""
        shared: frozenset[str] = self.__dict__.get("_account_units", frozenset())
        return tuple(f for f in self._filters_by_group[2].get(name, ())
                     if f.location.unit == unit or {f.location.unit, unit} <= shared)  # fmt: skip

    def same_account(self, one: Located, other: Located) -> bool:
        """Whether two objects are deployed into one account as far as the inputs say: loaded
        from one unit, or from units of this view (a unit's own, or those the config file's
        `estates:` puts in one account). A metric, a log group's filters and the alarms on a
        metric belong to one account."""
        mine, theirs = one.location.unit, other.location.unit
        if mine == theirs:
            return True
        shared: frozenset[str] = self.__dict__.get("_account_units", frozenset())
        return mine in shared and theirs in shared

    def share_account(self, units: frozenset[str], scan: Estate | None = None) -> None:
        """Say that this estate's objects of `units` are deployed into one account (a unit's
        view: its own units; `same_account`), and part of `scan` (`units_filtering`)."""
        self.__dict__["_account_units"] = units
        if scan is not None:
            self.__dict__["_scan"] = scan

    def units_filtering(self, name: str, unit: str) -> tuple[str, ...]:
        """Units of the scan whose metric filters name the log group `name`, and that nothing
        says deploy into the account of `unit` (`filters_named` leaves them out): what a message
        can name, since the config file can say that they share one."""
        scan: Estate = self.__dict__.get("_scan", self)
        shared: frozenset[str] = self.__dict__.get("_account_units", frozenset())
        return tuple(u for u in scan._filter_units.get(name, ())
                     if u != unit and not {u, unit} <= shared)  # fmt: skip

    @cached_property
    def _filter_units(self) -> dict[str, tuple[str, ...]]:
        # of the whole scan, built once when a message asks (`units_filtering`)
        found: dict[str, dict[str, None]] = {}
        for f in self.metric_filters:
            name = known_log_group_name(f.log_group.value)
            if name is not None:
                found.setdefault(name, {})[f.location.unit] = None
        return {k: tuple(sorted(v)) for k, v in found.items()}

    @cached_property
    def _filters_by_group(
        self,
    ) -> tuple[dict[int, tuple[MetricFilter, ...]], tuple[MetricFilter, ...],
               dict[str, tuple[MetricFilter, ...]]]:  # fmt: skip
        # resolved once: the simulator asks for every event of every trail. Also the filters
        # whose log group name is unknown (`filters_maybe_on`), and those on a log group outside
        # the inputs, by its name (`filters_named`).
        index: dict[int, list[MetricFilter]] = {}
        unplaced: list[MetricFilter] = []
        named: dict[str, list[MetricFilter]] = {}
        parts = self.lent_parts()
        joined = parts[1].filter_groups if parts is not None else {}
        # a view whose lent filters all join their log group alike in every view indexes its own
        # only (`filters_on` adds the lent ones)
        filters = self.metric_filters
        if parts is not None and parts[1].filters_by_group is not None:
            filters = parts[0].metric_filters
        for f in filters:
            group = joined.get(id(f)) or self.resolve("log_group", f.log_group)
            value = f.log_group.value
            if group is not None:
                index.setdefault(id(group), []).append(f)
            elif isinstance(value, Unknown):
                unplaced.append(f)
            elif value:
                named.setdefault(log_group_name(value), []).append(f)
        return ({k: tuple(v) for k, v in index.items()}, tuple(unplaced),
                {k: tuple(v) for k, v in named.items()})  # fmt: skip

    def alarms_on(self, metric_name: str, namespace: str) -> tuple[Alarm, ...]:
        key = (metric_name, namespace)
        parts = self.lent_parts()
        if parts is None:
            return self._alarms_by_metric.get(key, ())
        merged: tuple[Alarm, ...] | None = self._lent_merged.get(key)
        if merged is None:
            merged = self._lent_merged[key] = self._alarms_by_metric.get(key, ()) + _not_of(
                parts[1].alarms_by_metric.get(key, ()), parts)
        return merged

    @cached_property
    def alarms_on_unknown_metrics(self) -> tuple[Alarm, ...]:
        """The alarms whose metric name or namespace is unknown."""
        parts = self.lent_parts()
        alarms = self.alarms if parts is None else parts[0].alarms
        own = tuple(a for a in alarms
                    if isinstance(a.metric_name, Unknown) or isinstance(a.namespace, Unknown))
        return own if parts is None else own + _not_of(parts[1].alarms_on_unknown_metrics, parts)

    def lent_parts(self) -> tuple[Estate, LentTables, frozenset[str]] | None:
        """For a unit's view (`lend`): its own objects, the lent objects' tables, and its own
        units. The view holds its own objects, then the lent ones of other units in the order of
        the tables' estate, so what is worked out over those once (`LentTables`) holds for every
        view, less the objects of its own units."""
        parts: tuple[Estate, LentTables, frozenset[str]] | None = self.__dict__.get("_lent")
        return parts

    def subscriptions_of(self, topic: Topic) -> tuple[Subscription, ...]:
        return self._subscriptions_by_topic.get(id(topic), ())

    # Indexes built once per estate: the simulator asks for every event of every trail, and a
    # unit's view holds every organization trail's alarms and topics.
    @cached_property
    def _alarms_by_metric(self) -> dict[tuple[object, object], tuple[Alarm, ...]]:
        """By metric: the alarms, or a view's own only (the lent ones are indexed once:
        `lent_parts`)."""
        index: dict[tuple[object, object], list[Alarm]] = {}
        parts = self.lent_parts()
        for a in self.alarms if parts is None else parts[0].alarms:
            if isinstance(a.metric_name, str) and isinstance(a.namespace, str):
                index.setdefault((a.metric_name, a.namespace), []).append(a)
        return {k: tuple(v) for k, v in index.items()}

    @cached_property
    def _subscriptions_by_topic(self) -> dict[int, tuple[Subscription, ...]]:
        index: dict[int, list[Subscription]] = {}
        for s in self.subscriptions:
            topic = self.resolve("topic", s.topic)
            if topic is not None:
                index.setdefault(id(topic), []).append(s)
        return {k: tuple(v) for k, v in index.items()}


LocatedT = TypeVar("LocatedT", bound=Located)


def _not_of(lent: tuple[LocatedT, ...], parts: tuple[Estate, LentTables, frozenset[str]]
            ) -> tuple[LocatedT, ...]:  # fmt: skip
    """The lent objects a view holds: those not of its own units."""
    units = parts[2]
    if parts[1].units.isdisjoint(units):
        return lent
    return tuple(o for o in lent if o.location.unit not in units)


# Estate's cached lookup indexes (`drop_indexes`)
_INDEXES = ("_index", "_filters_by_group", "_alarms_by_metric", "alarms_on_unknown_metrics",
            "_subscriptions_by_topic", "_outside", "_lent_merged")  # fmt: skip
