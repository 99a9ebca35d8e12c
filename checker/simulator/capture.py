"""Capture semantics: does a trail record an event, by which selector, and if not, why.

The order follows docs/semantics.md, "Capture": logging, account, Region (with global service
events), then selectors. Every stage is tri-state (`checker.tri`). A stage that definitely misses
decides the result even when another stage is unknown (a miss that holds whatever the unknown
value is stays a miss); otherwise any unknown stage makes the decision unknown with its reason;
an unknown value that no stage reads is never looked at.

`compile_trail` does the per-trail work once (selector tables, home Region, account) so that
`CompiledTrail.decide` only reads the event. `decide` is the one-call convenience.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, Union

from checker.model import (
    AdvancedSelector,
    BasicSelector,
    DataResource,
    EventDataStore,
    FieldSelector,
    InsightSelector,
    MaybeStr,
    Trail,
    Tri,
    Unknown,
)
from checker.regions import partition_of
from checker.simulator.events import Event, Resource
from checker.simulator.insights import insight_verdict
from checker.simulator.regions import is_global_service_event
from checker.simulator.verdict import Verdict
from checker.tri import FAIL, FAIL_CODE, PASS, PASS_CODE, UNKNOWN_CODE, Status, code_status, to_bool

Stage = Literal["logging", "account", "region", "global", "selectors"]

# A stage's outcome: a `checker.tri` status as its ordered code (AND is max()), and the reason.
_Outcome = tuple[int, str]

OrgAccounts = Union[tuple[str, ...], frozenset[str], Unknown]  # noqa: UP007 (a runtime alias)
MEMBERS_UNKNOWN = Unknown("organization members not known")

BASIC_DATA_TYPES = ("AWS::S3::Object", "AWS::Lambda::Function", "AWS::DynamoDB::Table")
MANAGEMENT_SOURCE_EXCLUSIONS = ("kms.amazonaws.com", "rdsdata.amazonaws.com")


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether one trail records one event: `status` pass (captured, as reports say), fail
    (missed) or unknown.

    `selector` describes the matching selector when captured. `stage` names the step that decided a
    miss or an unknown (logging, account, region, global, selectors); None when captured.
    """

    status: Status
    selector: str | None
    reason: str
    stage: Stage | None = None


# --------------------------------------------------------------------------------------------
# readOnly


def event_is_read(event: Event) -> bool:
    """A record without `readOnly` counts as a write (a choice: docs/semantics.md, "Capture").
    No AWS text says how selectors treat such records (searched the CloudTrail UG, API reference
    and SDK docs, 2026). Current sign-in records, the usual case of old records without the field,
    carry `"readOnly": false` (DataDog/stratus-red-team docs/detonation-logs/
    aws.initial-access.console-login-without-mfa.json; UG cloudtrail-event-reference-aws-console-
    sign-in-events), so treating the missing field as write agrees with what AWS writes today."""
    return event.read_only is True


def _read_only_value(event: Event) -> str:
    return "true" if event.read_only is True else "false"


# --------------------------------------------------------------------------------------------
# Small helpers


def _show(values: Iterable[MaybeStr], limit: int = 3) -> str:
    shown = [v if isinstance(v, str) else f"<{v}>" for v in values]
    if len(shown) > limit:
        return "|".join(shown[:limit]) + f"|…(+{len(shown) - limit})"
    return "|".join(shown)


def _split(values: Iterable[MaybeStr]) -> tuple[tuple[str, ...], Unknown | None]:
    known: list[str] = []
    unknown: Unknown | None = None
    for v in values:
        if isinstance(v, Unknown):
            if unknown is None:
                unknown = v
        else:
            known.append(v)
    return tuple(known), unknown


def _first(*values: Unknown | None) -> Unknown | None:
    return next((v for v in values if v is not None), None)


def _arn_region(arn: MaybeStr | None) -> str | None:
    if isinstance(arn, str) and arn.startswith("arn:"):
        parts = arn.split(":", 5)
        if len(parts) == 6 and parts[3]:
            return parts[3]
    return None


def _arn_partition(arn: MaybeStr | None) -> str | None:
    if isinstance(arn, str) and arn.startswith("arn:"):
        parts = arn.split(":", 2)
        if len(parts) == 3 and parts[1]:
            return parts[1]
    return None


# --------------------------------------------------------------------------------------------
# Basic selectors


def all_value(value: str, service: str) -> bool:
    """`arn:<partition>:s3` (or `…:s3:::`), `arn:<partition>:lambda`, `arn:<partition>:dynamodb`:
    every resource of the type (BC DataResource)."""
    parts = value.split(":")
    return (
        len(parts) >= 3 and parts[0] == "arn" and parts[2] == service
        and all(p == "" for p in parts[3:])
    )  # fmt: skip


def s3_value_rejected(value: str) -> bool:
    """`arn:aws:s3:::bucket` without the `/` after the bucket name.

    AWS rejects it (not in its documentation): PutEventSelectors answers
    `InvalidEventSelectorsException: Value arn:aws:s3:::data-bucket for DataResources.Values is
    invalid`, and works once the `/` is added (hashicorp/terraform-provider-aws#4043, fixed in the
    provider docs by #4203; the same error in aws/aws-cdk#1841). So such a value selects nothing.
    """
    if all_value(value, "s3"):
        return False
    head, sep, rest = value.partition(":::")
    return bool(sep) and head.startswith("arn:") and head.endswith(":s3") and "/" not in rest


BASIC_SERVICE = {
    "AWS::S3::Object": "s3",
    "AWS::Lambda::Function": "lambda",
    "AWS::DynamoDB::Table": "dynamodb",
}


class DataResourceTest:
    """One basic DataResource: S3 values match as string prefixes, Lambda and DynamoDB values
    exactly, and the "all" values match every resource of the type (BC DataResource)."""

    __slots__ = ("exact", "prefixes", "type", "unknown", "values")

    def __init__(self, resource: DataResource) -> None:
        self.type = resource.type
        self.values = resource.values
        known, self.unknown = _split(resource.values)
        service = BASIC_SERVICE.get(resource.type) if isinstance(resource.type, str) else None
        prefixes: list[str] = []
        exact: set[str] = set()
        for v in known:
            if service == "s3":
                if not s3_value_rejected(v):
                    prefixes.append(v)
            elif service is not None:
                # Lambda: "Lambda function ARNs are exact" (BC DataResource); DynamoDB the same.
                if all_value(v, service):
                    prefixes.append(v)
                else:
                    exact.add(v)
            # other types are rejected by AWS in basic selectors: they select nothing
        self.prefixes = tuple(prefixes)
        self.exact = frozenset(exact)

    def match(self, resources: tuple[Resource, ...]) -> _Outcome:
        if isinstance(self.type, Unknown):
            return UNKNOWN_CODE, f"the data resource type is unknown ({self.type.reason})"
        seen = False
        for r in resources:
            if r.type == self.type:
                seen = True
                arn = r.arn or ""
                if arn in self.exact or arn.startswith(self.prefixes):
                    return PASS_CODE, ""
        if not seen:
            return FAIL_CODE, f"no {self.type} resource in the event"
        if self.unknown is not None:
            why = f"a {self.type} data resource value is unknown ({self.unknown.reason})"
            return UNKNOWN_CODE, why
        arns = ", ".join(r.arn or "?" for r in resources if r.type == self.type)
        why = f"{arns} is not among the {self.type} values {_show(self.values)}"
        rejected = [v for v in self.values if isinstance(v, str) and s3_value_rejected(v)]
        if rejected and self.type == "AWS::S3::Object":
            why += f" (AWS rejects {rejected[0]}: no / after the bucket name)"
        return FAIL_CODE, why


def _rw_admits(rw: MaybeStr, read: bool) -> _Outcome:
    if isinstance(rw, Unknown):
        return UNKNOWN_CODE, f"ReadWriteType is unknown ({rw.reason})"
    if rw == "All":
        return PASS_CODE, ""
    if rw in ("ReadOnly", "WriteOnly"):
        if read == (rw == "ReadOnly"):
            return PASS_CODE, ""
        return FAIL_CODE, f"ReadWriteType {rw} excludes {'read' if read else 'write'} events"
    return FAIL_CODE, f"ReadWriteType {rw!r} is not valid"


def describe_basic(selector: BasicSelector, index: int) -> str:
    parts: list[str] = []
    mgmt = selector.include_management_events
    rw = selector.read_write_type
    rw_text = rw if isinstance(rw, str) else f"<{rw}>"
    if isinstance(mgmt, Unknown):
        parts.append(f"management <{mgmt}> {rw_text}")
    elif mgmt:
        text = f"management {rw_text}"
        if selector.exclude_management_event_sources:
            text += f" except {_show(selector.exclude_management_event_sources)}"
        parts.append(text)
    for dr in selector.data_resources:
        kind = dr.type if isinstance(dr.type, str) else f"<{dr.type}>"
        parts.append(f"{kind} {_show(dr.values)}" + ("" if mgmt is True else f" {rw_text}"))
    return f"selector {index} (basic: {'; '.join(parts) or 'nothing'})"


class BasicTest:
    __slots__ = ("data", "exclude", "exclude_unknown", "label", "mgmt", "rw")

    def __init__(self, selector: BasicSelector, index: int) -> None:
        self.label = describe_basic(selector, index)
        self.mgmt: Tri = selector.include_management_events
        self.rw = selector.read_write_type
        known, self.exclude_unknown = _split(selector.exclude_management_event_sources)
        self.exclude = frozenset(known)
        self.data = tuple(DataResourceTest(dr) for dr in selector.data_resources)

    def match(self, event: Event) -> _Outcome:
        category = event.event_category
        if category == "Management":
            return self._management(event)
        if category == "Data":
            return self._data(event)
        return FAIL_CODE, f"basic selectors cannot select {category} events"

    def _management(self, event: Event) -> _Outcome:
        code, why = PASS_CODE, ""
        mgmt = self.mgmt
        if isinstance(mgmt, Unknown):
            code, why = UNKNOWN_CODE, f"IncludeManagementEvents is unknown ({mgmt.reason})"
        elif not mgmt:
            return FAIL_CODE, "IncludeManagementEvents is false"
        if event.event_source in self.exclude:
            return FAIL_CODE, f"ExcludeManagementEventSources excludes {event.event_source}"
        if self.exclude_unknown is not None and code == PASS_CODE:
            why = f"an excluded event source is unknown ({self.exclude_unknown.reason})"
            code = UNKNOWN_CODE
        rw_code, rw_why = _rw_admits(self.rw, event_is_read(event))
        if rw_code == FAIL_CODE:
            return rw_code, rw_why
        if rw_code == UNKNOWN_CODE and code == PASS_CODE:
            return rw_code, rw_why
        return code, why

    def _data(self, event: Event) -> _Outcome:
        if not self.data:
            return FAIL_CODE, "no data resources"
        best: _Outcome = (FAIL_CODE, "")
        reasons: list[str] = []
        for test in self.data:
            outcome = test.match(event.resources)
            if outcome[0] == PASS_CODE:
                best = outcome
                break
            if outcome[0] == UNKNOWN_CODE and best[0] == FAIL_CODE:
                best = outcome
            if outcome[0] == FAIL_CODE:
                reasons.append(outcome[1])
        if best[0] == FAIL_CODE:
            return FAIL_CODE, "; ".join(reasons)
        rw_code, rw_why = _rw_admits(self.rw, event_is_read(event))
        if rw_code == FAIL_CODE:
            return rw_code, rw_why
        return (best if best[0] == UNKNOWN_CODE else (rw_code, rw_why))


# --------------------------------------------------------------------------------------------
# Advanced selectors

_OPERATOR_NAMES = {
    "equals": "Equals", "not_equals": "NotEquals", "starts_with": "StartsWith",
    "not_starts_with": "NotStartsWith", "ends_with": "EndsWith", "not_ends_with": "NotEndsWith",
}  # fmt: skip

RESOURCE_FIELDS = ("resources.type", "resources.ARN")


def _raw_getter(path: str) -> Callable[[Event], str]:
    keys = path.split(".")

    def get(event: Event) -> str:
        value: object = event.raw
        for key in keys:
            if not isinstance(value, dict):
                return ""
            value = value.get(key)
        if isinstance(value, bool):
            return "true" if value else "false"
        return value if isinstance(value, str) else ""

    return get


_GETTERS: dict[str, Callable[[Event], str]] = {
    "eventCategory": lambda e: e.event_category,
    "readOnly": _read_only_value,
    "eventSource": lambda e: e.event_source,
    "eventName": lambda e: e.event_name,
    "eventType": lambda e: e.event_type or "",
    "errorCode": lambda e: e.error_code or "",
    "vpcEndpointId": lambda e: e.vpc_endpoint_id or "",
    "userIdentity.arn": lambda e: e.user_identity.arn or "",
    # the record carries the field only when it is "true" (UG23 record-contents)
    "sessionCredentialFromConsole": lambda e: (
        "true" if e.session_credential_from_console else "false"
    ),
}

# Fields read through the decoded Event rather than the raw record.
GETTER_FIELDS = frozenset(_GETTERS)

# Fields whose cheap test rejects most events go first.
_FIELD_ORDER = {"eventCategory": 0, "resources.type": 1, "eventSource": 2, "readOnly": 3}


class FieldTest:
    """One field selector: (some SELECT value matches) and (no DESELECT value matches), `*` literal
    (UG filtering-data-events, "How CloudTrail evaluates multiple conditions for a field"; BC
    AdvancedFieldSelector: no wildcards)."""

    __slots__ = (
        "desel_unknown", "eq", "ew", "field", "has_select", "neq", "new", "nsw", "sel_unknown",
        "sw",
    )  # fmt: skip

    def __init__(self, fs: FieldSelector) -> None:
        self.field = fs.field
        eq, u1 = _split(fs.equals)
        sw, u2 = _split(fs.starts_with)
        ew, u3 = _split(fs.ends_with)
        neq, u4 = _split(fs.not_equals)
        nsw, u5 = _split(fs.not_starts_with)
        new, u6 = _split(fs.not_ends_with)
        self.eq, self.sw, self.ew = frozenset(eq), sw, ew
        self.neq, self.nsw, self.new = frozenset(neq), nsw, new
        self.has_select = bool(fs.equals or fs.starts_with or fs.ends_with)
        self.sel_unknown = _first(u1, u2, u3)
        self.desel_unknown = _first(u4, u5, u6)

    def selects(self, value: str) -> bool:
        return value in self.eq or bool(
            (self.sw and value.startswith(self.sw)) or (self.ew and value.endswith(self.ew))
        )

    def deselects(self, value: str) -> bool:
        return value in self.neq or bool(
            (self.nsw and value.startswith(self.nsw)) or (self.new and value.endswith(self.new))
        )

    def test(self, value: str) -> int:
        code = PASS_CODE
        if self.has_select and not self.selects(value):
            if self.sel_unknown is None:
                return FAIL_CODE
            code = UNKNOWN_CODE
        if self.deselects(value):
            return FAIL_CODE
        if self.desel_unknown is not None:
            return UNKNOWN_CODE
        return code

    def why(self, value: str) -> str:
        """The reason for a FAIL_CODE or UNKNOWN_CODE of `test(value)`."""
        shown = value if value else "absent"
        if self.deselects(value):
            return f"{self.field} {shown!r} is deselected"
        if self.has_select and not self.selects(value):
            if self.sel_unknown is not None:
                return f"a {self.field} value is unknown ({self.sel_unknown.reason})"
            return f"{self.field} {shown!r} is not selected"
        if self.desel_unknown is not None:
            return f"a {self.field} value is unknown ({self.desel_unknown.reason})"
        return f"{self.field} {shown!r} matches"


def describe_field(fs: FieldSelector) -> str:
    ops = list(fs.operator_values())
    if fs.field in ("eventCategory", "resources.type") and [op for op, _ in ops] == ["equals"]:
        return _show(ops[0][1])
    return fs.field + " " + " ".join(f"{_OPERATOR_NAMES[op]} {_show(vals)}" for op, vals in ops)


def describe_advanced(selector: AdvancedSelector, index: int) -> str:
    ordered = sorted(selector.field_selectors, key=lambda f: _FIELD_ORDER.get(f.field, 9))
    body = ", ".join(describe_field(f) for f in ordered) or "no field selectors"
    name = f' "{selector.name}"' if selector.name else ""
    return f"selector {index}{name} (advanced: {body})"


_NO_RESOURCE = (Resource(),)


class AdvancedTest:
    __slots__ = ("arn_tests", "label", "plain", "type_tests")

    def __init__(self, selector: AdvancedSelector, index: int) -> None:
        self.label = describe_advanced(selector, index)
        ordered = sorted(selector.field_selectors, key=lambda f: _FIELD_ORDER.get(f.field, 9))
        self.plain = tuple(
            (FieldTest(f), _GETTERS.get(f.field) or _raw_getter(f.field))
            for f in ordered
            if f.field not in RESOURCE_FIELDS
        )
        self.type_tests = tuple(FieldTest(f) for f in ordered if f.field == "resources.type")
        self.arn_tests = tuple(FieldTest(f) for f in ordered if f.field == "resources.ARN")

    def match(self, event: Event) -> _Outcome:
        unknown = ""
        for test, get in self.plain:
            value = get(event)
            code = test.test(value)
            if code == FAIL_CODE:
                return FAIL_CODE, test.why(value)
            if code == UNKNOWN_CODE and not unknown:
                unknown = test.why(value)
        if self.type_tests or self.arn_tests:
            code, why = self._resources(event)
            if code == FAIL_CODE:
                return code, why
            if code == UNKNOWN_CODE and not unknown:
                unknown = why
        return (UNKNOWN_CODE, unknown) if unknown else (PASS_CODE, "")

    def _resources(self, event: Event) -> _Outcome:
        """resources.type and resources.ARN are read from the same resource: the ARN conditions
        apply to the resource of the selected type. [INF] from BC AdvancedFieldSelector, which
        asks Equals/NotEquals ARN values to be ARNs of the type given in resources.type; a record
        may list several resources (an S3 object and its bucket, a DynamoDB stream and its table).
        """
        best: _Outcome = (FAIL_CODE, "")
        for r in event.resources or _NO_RESOURCE:
            rtype, arn = r.type or "", r.arn or ""
            code, why = PASS_CODE, ""
            for t in self.type_tests:
                c = t.test(rtype)
                if c > code:
                    code, why = c, t.why(rtype)
                if code == FAIL_CODE:
                    break
            if code != FAIL_CODE:
                for t in self.arn_tests:
                    c = t.test(arn)
                    if c > code:
                        code, why = c, t.why(arn)
                    if code == FAIL_CODE:
                        break
            if code == PASS_CODE:
                return PASS_CODE, ""
            if code < best[0] or not best[1]:
                best = (code, why)
        return best


# --------------------------------------------------------------------------------------------
# Trails


def _known(value: MaybeStr | None) -> str | None:
    return value if isinstance(value, str) and value else None


Recorder = Trail | EventDataStore
"""What records events: a trail, or a CloudTrail Lake event data store (same stages)."""
InsightSource = tuple[tuple[InsightSelector, ...] | Unknown, "CompiledTrail"]


@dataclass(frozen=True)
class TrailForm:
    """What `decide` reads of a trail once compiled. `members` None: organization members not
    known (every account counts); `default_label` set: no selectors (the defaults apply)."""

    logging_code: int
    account: str | None
    organization: Tri
    members: frozenset[str] | None
    home: str | None
    partition: str | None
    multi_region: Tri
    global_events: Tri
    selectors_unknown: bool
    default_label: str | None
    tests: tuple[BasicTest | AdvancedTest, ...]


class CompiledTrail:
    """A trail (or an event data store) prepared for many `decide` calls. `insight_sources` are,
    for an event data store, the source stores that send it their Insights events, each with its
    insight selectors; a trail generates its own."""

    __slots__ = (
        "_account", "_decisions", "_default_label", "_foreign", "_gse", "_home", "_home_unknown",
        "_insight_sources", "_logging", "_members", "_multi", "_org", "_partition",
        "_selector_unknown", "_tests", "noun", "trail",
    )  # fmt: skip

    def __init__(
        self,
        trail: Recorder,
        *,
        default_region: str | None = None,
        organization_accounts: OrgAccounts = MEMBERS_UNKNOWN,
        insight_sources: Sequence[InsightSource] = (),
    ) -> None:
        self.trail = trail
        self.noun = "event data store" if isinstance(trail, EventDataStore) else "trail"
        self._insight_sources = tuple(insight_sources)
        self._logging = self._logging_outcome(trail)
        self._decisions: dict[Decision, Decision] = {}
        # An IaC trail whose account is unknown is taken to be in the event's account (a choice:
        # docs/semantics.md, "Capture").
        self._account = _known(trail.account_id)
        self._foreign = trail.foreign_unit
        self._org = trail.is_organization
        self._members = (
            None if isinstance(organization_accounts, Unknown) else frozenset(organization_accounts)
        )
        home = _known(trail.home_region) or _arn_region(trail.arn) or default_region
        self._home = home
        self._home_unknown = (
            trail.home_region if isinstance(trail.home_region, Unknown)
            else Unknown(f"the {self.noun}'s home region is not known from the inputs")
        )  # fmt: skip
        self._partition = (partition_of(home) if home else None) or _arn_partition(trail.arn)
        self._multi = trail.is_multi_region
        self._gse = trail.include_global_service_events
        self._selector_unknown: Unknown | None = None
        self._default_label: str | None = None
        self._tests: tuple[BasicTest | AdvancedTest, ...] = ()
        selectors = trail.selectors
        if isinstance(selectors, Unknown):
            self._selector_unknown = selectors
        elif selectors.kind == "default":
            self._default_label = "default selectors (all management events)"
        elif selectors.kind == "basic":
            self._tests = tuple(BasicTest(s, i) for i, s in enumerate(selectors.basic, 1))
        else:
            self._tests = tuple(AdvancedTest(s, i) for i, s in enumerate(selectors.advanced, 1))

    def form(self) -> TrailForm:
        """The compiled form, for the SQL compiler (checker/replay/compile_capture.py)."""
        return TrailForm(
            self._logging[0], self._account, self._org, self._members, self._home,
            self._partition, self._multi, self._gse, self._selector_unknown is not None,
            self._default_label, self._tests,
        )  # fmt: skip

    @staticmethod
    def _logging_outcome(recorder: Recorder) -> _Outcome:
        value = recorder.is_logging
        if isinstance(recorder, EventDataStore):
            if isinstance(value, Unknown):
                why = f"whether the event data store ingests is unknown ({value.reason})"
                return UNKNOWN_CODE, why
            status = recorder.status
            if value:
                return PASS_CODE, ""
            return FAIL_CODE, f"the event data store is {status}, not ingesting events"
        if isinstance(value, Unknown):
            return UNKNOWN_CODE, f"whether the trail is logging is unknown ({value.reason})"
        return (PASS_CODE, "") if value else (FAIL_CODE, "logging is off")

    # -- stages ---------------------------------------------------------------------------------

    def _account_outcome(self, event: Event) -> _Outcome:
        recipient = event.recipient_account_id
        own = self._account
        if self._foreign is not None:
            # a trail of another deployment unit, judged with this one: another account
            if recipient is not None and recipient == own:
                return PASS_CODE, ""
            where = f"the {self.noun} is deployed by {self._foreign}, in another account"
        elif recipient is None or own is None or recipient == own:
            return PASS_CODE, ""
        else:
            where = f"the event is in account {recipient}; the {self.noun} records account {own}"
        org = self._org
        if isinstance(org, Unknown):
            why = f"whether it is an organization {self.noun} is unknown ({org.reason})"
            return UNKNOWN_CODE, f"{where}, and {why}"
        if not org:
            return FAIL_CODE, where
        if self._members is None or recipient in self._members:
            # organization members unknown: every account counts as a member (docs/semantics.md)
            return PASS_CODE, ""
        if recipient is None:
            return UNKNOWN_CODE, f"{where}; whether this unit's account is a member is not known"
        return FAIL_CODE, f"account {recipient} is not a member of the {self.noun}'s organization"

    def _region_outcome(self, event: Event) -> _Outcome:
        region = event.aws_region
        multi, home = self._multi, self._home
        if multi is True:
            # [INF] a multi-region trail covers the Regions of its own partition (UG). With an
            # unknown home Region the partition is unknown too; it is taken to be the event's.
            if self._partition and partition_of(region) != self._partition:
                return FAIL_CODE, (f"multi-region {self.noun} in partition {self._partition}, "
                                   f"event in {region}")
            return PASS_CODE, ""
        if home is not None and region == home:
            return PASS_CODE, ""
        if isinstance(multi, Unknown):
            where = f"in {home}" if home else "with an unknown home region"
            return UNKNOWN_CODE, (
                f"the event is in {region}; whether the {self.noun} ({where}) is multi-region is "
                f"unknown ({multi.reason})"
            )
        if home is None:
            reason = self._home_unknown.reason
            why = f"single-region {self.noun} whose home region is unknown ({reason})"
            return UNKNOWN_CODE, why
        # Data events too: a single-Region trail logs data events only for resources in its Region
        # (UG23 logging-data-events); a data event's awsRegion is the resource's Region.
        return FAIL_CODE, f"single-region {self.noun} in {home}"

    def _global_outcome(self, event: Event) -> _Outcome:
        is_global = is_global_service_event(event)
        if is_global is False:
            return PASS_CODE, ""
        gse = self._gse
        if gse is True:
            return PASS_CODE, ""
        if is_global is None:
            why = "whether this STS call used the global endpoint is not in the record"
            if isinstance(gse, Unknown):
                gse_why = f"include_global_service_events is unknown ({gse.reason})"
                return UNKNOWN_CODE, f"{why}, and {gse_why}"
            return UNKNOWN_CODE, f"{why}, and the trail excludes global service events"
        if isinstance(gse, Unknown):
            return UNKNOWN_CODE, (
                f"global service event; include_global_service_events is unknown ({gse.reason})"
            )
        # Global service events reach a trail only with IncludeGlobalServiceEvents (UG concepts).
        return FAIL_CODE, (
            f"global service event ({event.event_source}); the trail excludes global service events"
        )

    def _selector_outcome(self, event: Event) -> _Outcome:
        if self._selector_unknown is not None:
            why = self._selector_unknown.reason
            return UNKNOWN_CODE, f"the {self.noun}'s event selectors are unknown ({why})"
        if self._default_label is not None:
            # No selectors: all read and write management events, nothing else (BC EventSelector).
            if event.event_category == "Management":
                return PASS_CODE, self._default_label
            return FAIL_CODE, (
                "the default selectors record management events only, "
                f"not {event.event_category} events"
            )
        if not self._tests:
            return FAIL_CODE, f"the {self.noun} has no event selectors"
        unknown = ""
        misses: list[str] = []
        for index, test in enumerate(self._tests, 1):
            code, why = test.match(event)
            if code == PASS_CODE:
                # selectors are OR'd: "If the event matches any event selector, the trail processes
                # and logs the event" (BC EventSelector / AdvancedEventSelector)
                return PASS_CODE, test.label
            if code == UNKNOWN_CODE and not unknown:
                unknown = f"selector {index}: {why}"
            elif code == FAIL_CODE:
                misses.append(f"selector {index}: {why}")
        if unknown:
            return UNKNOWN_CODE, unknown
        return FAIL_CODE, "no selector matches (" + "; ".join(misses) + ")"

    def _records(self, event: Event) -> Verdict:
        code, why = self._selector_outcome(event)
        return Verdict(to_bool(code_status(code)), why)

    def _insight_outcome(self, event: Event) -> _Outcome:
        """A trail records the Insights events it generates; an event data store those its
        selectors select (eventCategory Insight) that a source store sends it (insights.py)."""
        if isinstance(self.trail, Trail):
            verdict = insight_verdict(event, self.trail.insight_selectors, self._records,
                                      "the trail")  # fmt: skip
        else:
            code, why = self._selector_outcome(event)
            if code == FAIL_CODE:
                return code, why
            if not self._insight_sources:
                return FAIL_CODE, "no event data store names this one as its Insights destination"
            verdicts = [(source.trail.id, insight_verdict(
                event, selectors, source._records, f"source event data store {source.trail.id}"))
                for selectors, source in self._insight_sources]  # fmt: skip
            hit = next(((sid, v) for sid, v in verdicts if v.match is True), None)
            if hit is not None:
                return (code, why) if code == UNKNOWN_CODE else (PASS_CODE, f"{why}, from {hit[0]} "
                                                               f"({hit[1].reason})")  # fmt: skip
            verdict = next((v for _, v in verdicts if v.match is None), verdicts[0][1])
        if verdict.match is None:
            return UNKNOWN_CODE, verdict.reason
        return (PASS_CODE, verdict.reason) if verdict.match else (FAIL_CODE, verdict.reason)

    def region_class(self, region: str) -> Hashable:
        """Equal for two Regions when events that differ only in their Region get the same
        Region outcome from this trail, reason included: callers simulate one Region of each
        class of Regions that every trail they ask puts together."""
        multi, home = self._multi, self._home
        if multi is True:
            same = not self._partition or partition_of(region) == self._partition
            return "inside" if same else region  # the reason names the event's Region
        if home is not None and region == home:
            return "home"
        if isinstance(multi, Unknown):
            return region  # the reason names the event's Region
        return "elsewhere"

    # -- the decision ---------------------------------------------------------------------------

    def decide(self, event: Event) -> Decision:
        # Decisions are values: one object per distinct decision (a scan makes millions)
        decision = self._decide(event)
        return self._decisions.setdefault(decision, decision)

    def _decide(self, event: Event) -> Decision:
        unknowns: list[tuple[Stage, str]] = []
        code, why = self._logging
        if code == FAIL_CODE:
            return Decision(FAIL, None, why, "logging")
        if code == UNKNOWN_CODE:
            unknowns.append(("logging", why))
        code, why = self._account_outcome(event)
        if code == FAIL_CODE:
            return Decision(FAIL, None, why, "account")
        if code == UNKNOWN_CODE:
            unknowns.append(("account", why))
        code, why = self._region_outcome(event)
        if code == FAIL_CODE:
            return Decision(FAIL, None, why, "region")
        if code == UNKNOWN_CODE:
            unknowns.append(("region", why))
        code, why = self._global_outcome(event)
        if code == FAIL_CODE:
            return Decision(FAIL, None, why, "global")
        if code == UNKNOWN_CODE:
            unknowns.append(("global", why))
        if event.event_category == "Insight":
            code, why = self._insight_outcome(event)
        else:
            code, why = self._selector_outcome(event)
        if code == FAIL_CODE:
            return Decision(FAIL, None, why, "selectors")
        if code == UNKNOWN_CODE:
            unknowns.append(("selectors", why))
        if unknowns:
            return Decision("unknown", None, "; ".join(w for _, w in unknowns), unknowns[0][0])
        return Decision(PASS, why, f"captured by {why}")


def compile_trail(
    trail: Recorder,
    *,
    default_region: str | None = None,
    organization_accounts: OrgAccounts = MEMBERS_UNKNOWN,
) -> CompiledTrail:
    return CompiledTrail(
        trail, default_region=default_region, organization_accounts=organization_accounts
    )


@lru_cache(maxsize=256)
def _cached(
    trail: Trail, names: tuple[str | None, ...], default_region: str | None, members: OrgAccounts
) -> CompiledTrail:
    # `names` is part of the key: selector names are left out of equality (model.py) but appear
    # in the descriptions a compiled trail returns.
    return CompiledTrail(trail, default_region=default_region, organization_accounts=members)


def decide(
    trail: Trail,
    event: Event,
    *,
    default_region: str | None = None,
    organization_accounts: OrgAccounts = MEMBERS_UNKNOWN,
) -> Decision:
    """Whether `trail` records `event`. For many events, `compile_trail` once and call its
    `decide`; this function caches the compiled form of recently used trails."""
    members = organization_accounts
    if isinstance(members, frozenset):
        members = tuple(sorted(members))
    selectors = trail.selectors
    names = () if isinstance(selectors, Unknown) else tuple(s.name for s in selectors.advanced)
    return _cached(trail, names, default_region, members).decide(event)
