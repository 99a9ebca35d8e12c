"""Selector tests: how one basic or advanced event selector of a trail is tested against an event.

`BasicTest` and `AdvancedTest` are compiled once per selector; their `match` gives a
`checker.tri` status code and the reason text (why it misses, or what is unknown). Which trail
asks, and the stages before the selectors, are in `checker.simulator.capture`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from checker.model import (
    AdvancedSelector,
    BasicSelector,
    DataResource,
    FieldSelector,
    MaybeStr,
    Tri,
    Unknown,
)
from checker.simulator.events import Event, Resource
from checker.tri import FAIL_CODE, PASS_CODE, UNKNOWN_CODE

# A stage's outcome: a `checker.tri` status as its ordered code (AND is max()), and the reason.
_Outcome = tuple[int, str]


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
