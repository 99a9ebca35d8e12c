"""Advanced event selectors AWS accepts, for a trail (CT011) or an event data store (CT054).

Trails and event data stores share the AdvancedEventSelector type and most of its rules; where
they differ the API Reference says so (AdvancedFieldSelector, "Field"): a store also accepts the
categories Insight, ConfigurationItem, Evidence and ActivityAuditLog (with no field but
eventCategory), and eventName, eventType, sessionCredentialFromConsole and userIdentity.arn on
management events; userIdentity.arn on network activity events is for trails only. Sources and
choices are in docs/semantics.md ("Selectors AWS accepts") and docs/semantics/lake.md.

A `Problem` with `rejected` set is one AWS refuses (the call fails); without it AWS accepts the
selectors but they do not do what they seem. A store is created with its selectors in the same
call (CreateEventDataStore `AdvancedEventSelectors`), so a rejected store never exists: the
simulator takes `store_rejection` as its answer to whether the store records anything.
A module of the model's layer: the simulator's capture code and `validity` build on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from checker.model import (
    OTHER_EVENT_CATEGORIES,
    RETENTION_RANGE,
    AdvancedSelector,
    EventDataStore,
    FieldSelector,
    MaybeStr,
    Unknown,
)

Kind = Literal["trail", "event data store"]


@dataclass(frozen=True)
class Problem:
    """One selector problem of a trail (CT011) or an event data store (CT054). `attribute` is the
    model attribute that locates it (`recorder.where(problem.attribute)`); `rejected` tells a
    configuration AWS refuses from one it accepts that does not do what it seems."""

    status: Literal["fail", "unknown"]
    message: str
    attribute: str = "selectors"
    rejected: bool = True


def fail(message: str, attribute: str = "selectors", *, rejected: bool = True) -> Problem:
    return Problem("fail", message, attribute, rejected)


def unknown(message: str, attribute: str = "selectors") -> Problem:
    return Problem("unknown", message, attribute)


# Limits (BC InvalidEventSelectorsException, which states it for trails; UG23 quotas).
MAX_ADVANCED_VALUES = 500
MANAGEMENT_SOURCE_EXCLUSIONS = ("kms.amazonaws.com", "rdsdata.amazonaws.com")

TRAIL_FIELDS = (
    "eventCategory", "readOnly", "eventSource", "eventName", "eventType", "resources.type",
    "resources.ARN", "sessionCredentialFromConsole", "userIdentity.arn", "errorCode",
    "vpcEndpointId",
)
TRAIL_CATEGORIES = ("Management", "Data", "NetworkActivity")
EDS_ONLY_CATEGORIES = ("Insight", *OTHER_EVENT_CATEGORIES)
# Fields a trail accepts per eventCategory (API Reference AdvancedFieldSelector; CFN reference).
FIELDS_BY_CATEGORY: dict[str, frozenset[str]] = {
    "Management": frozenset({"eventCategory", "readOnly", "eventSource"}),
    "Data": frozenset({
        "eventCategory", "readOnly", "eventSource", "eventName", "eventType", "resources.type",
        "resources.ARN", "sessionCredentialFromConsole", "userIdentity.arn",
    }),
    "NetworkActivity": frozenset({
        "eventCategory", "eventSource", "eventName", "userIdentity.arn", "errorCode",
        "vpcEndpointId",
    }),
}
EDS_ONLY_MANAGEMENT_FIELDS = frozenset(
    {"eventName", "eventType", "sessionCredentialFromConsole", "userIdentity.arn"}
)
TRAIL_ONLY_NETWORK_FIELDS = frozenset({"userIdentity.arn"})


def _fields_for(kind: Kind, category: str) -> frozenset[str]:
    """The fields `kind` accepts for one (valid) eventCategory."""
    if category in EDS_ONLY_CATEGORIES:
        # "the only supported field is eventCategory" (API Reference AdvancedFieldSelector)
        return frozenset({"eventCategory"})
    allowed = FIELDS_BY_CATEGORY[category]
    if kind == "trail":
        return allowed
    if category == "Management":
        return allowed | EDS_ONLY_MANAGEMENT_FIELDS
    if category == "NetworkActivity":
        return allowed - TRAIL_ONLY_NETWORK_FIELDS
    return allowed


_RESOURCE_TYPE = re.compile(r"^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$")
_S3_BUCKET_ONLY = re.compile(r"^arn:[a-z-]+:s3:::[^/]+$")

OP_NAMES = {
    "equals": "Equals", "not_equals": "NotEquals", "starts_with": "StartsWith",
    "not_starts_with": "NotStartsWith", "ends_with": "EndsWith", "not_ends_with": "NotEndsWith",
}


# --------------------------------------------------------------------------------------------
# Event data stores


def store_problems(store: EventDataStore) -> list[Problem]:
    """Every CT054 problem of one event data store, in a stable order."""
    selectors = store.selectors
    if isinstance(selectors, Unknown):
        return [unknown(f"the event selectors are unknown ({selectors.reason})")]
    if selectors.kind != "advanced":
        return []  # the default: all management events
    return list(dict.fromkeys(check_advanced(selectors.advanced, "event data store")))


def retention_problem(store: EventDataStore) -> Problem | None:
    """Whether AWS refuses the store's retention period for its billing mode (CreateEventDataStore
    RetentionPeriod: 7 to 3653 days with extendable, 7 to 2557 with fixed retention pricing)."""
    days, mode = store.retention_days, store.billing_mode
    if isinstance(days, Unknown):
        return None
    if isinstance(mode, Unknown):
        accepted = [low <= days <= high for low, high in RETENTION_RANGE.values()]
        if all(accepted):
            return None
        if not any(accepted):
            return fail(f"AWS refuses a retention period of {days} days with every billing mode",
                        "retention_days")
        return unknown(f"whether AWS accepts a retention period of {days} days depends on the "
                       f"billing mode, which is unknown ({mode.reason})", "retention_days")
    if mode not in RETENTION_RANGE:
        return fail(f"BillingMode {mode!r} is not one CloudTrail accepts "
                    f"({' or '.join(RETENTION_RANGE)})", "billing_mode")
    low, high = RETENTION_RANGE[mode]
    if low <= days <= high:
        return None
    return fail(f"AWS refuses a retention period of {days} days with {mode} "
                f"(it accepts {low} to {high})", "retention_days")


def store_rejection(store: EventDataStore) -> Problem | None:
    """The first problem that makes AWS refuse the store (status fail), else the first that may
    (status unknown), else None: its retention period for its billing mode, then its selectors.
    Unknown selectors as a whole are left to the selector stage."""
    retention = retention_problem(store)
    if retention is not None and retention.status == "fail":
        return retention
    if isinstance(store.selectors, Unknown):
        return retention
    rejections = [p for p in store_problems(store) if p.rejected]
    if retention is not None:
        rejections.append(retention)
    return next((p for p in rejections if p.status == "fail"), None) or next(
        iter(rejections), None
    )


# --------------------------------------------------------------------------------------------
# Advanced selectors


def check_advanced(selectors: tuple[AdvancedSelector, ...], kind: Kind) -> list[Problem]:
    problems: list[Problem] = []
    total = sum(len(_values(f)) for s in selectors for f in s.field_selectors)
    if kind == "trail" and total > MAX_ADVANCED_VALUES:
        problems.append(fail(f"{total} values across the advanced selectors; AWS "
                             f"accepts at most {MAX_ADVANCED_VALUES}"))
    for index, selector in enumerate(selectors, 1):
        problems += [
            Problem(p.status, f"selector {index}: {p.message}", p.attribute, p.rejected)
            for p in _check_one_advanced(selector, kind)
        ]
    return problems


def _values(fs: FieldSelector) -> list[tuple[str, MaybeStr]]:
    return [(op, v) for op, vals in fs.operator_values() for v in vals]


def _check_one_advanced(selector: AdvancedSelector, kind: Kind) -> list[Problem]:
    problems: list[Problem] = []
    if not selector.field_selectors:
        return [fail("has no field selectors")]
    for fs in selector.field_selectors:
        problems += _check_field_shape(fs, kind)
    categories = [f for f in selector.field_selectors if f.field == "eventCategory"]
    if not categories:
        return [*problems, fail("has no eventCategory field selector (required)")]
    values: list[MaybeStr] = []
    for fs in categories:
        ops = [op for op, _ in fs.operator_values()]
        if any(op != "equals" for op in ops):
            problems.append(fail("eventCategory accepts only Equals"))
        values += list(fs.equals)
    first_unknown = next((v for v in values if isinstance(v, Unknown)), None)
    if first_unknown is not None:
        problems.append(unknown(f"eventCategory is unknown ({first_unknown.reason})"))
        return problems
    for category in dict.fromkeys(v for v in values if isinstance(v, str)):
        if kind == "trail" and category in EDS_ONLY_CATEGORIES:
            problems.append(fail(f"eventCategory {category} is for event data stores "
                                 "only, not trails"))
        elif category not in TRAIL_CATEGORIES + EDS_ONLY_CATEGORIES:
            expected = "Management, Data or NetworkActivity" if kind == "trail" else (
                "a category event data stores accept (" + ", ".join(
                    TRAIL_CATEGORIES + EDS_ONLY_CATEGORIES) + ")")
            problems.append(fail(f"eventCategory {category!r} is not {expected}"))
        else:
            problems += _check_category(category, selector.field_selectors, kind)
    return problems


def _check_field_shape(fs: FieldSelector, kind: Kind) -> list[Problem]:
    problems: list[Problem] = []
    if fs.field not in TRAIL_FIELDS:
        problems.append(fail(f"field {fs.field!r} is not a field {kind}s accept"))
    if not any(True for _ in fs.operator_values()):
        problems.append(fail(f"{fs.field} has no operator (AWS rejects it)"))
    for op, value in _values(fs):
        if isinstance(value, str) and "*" in value:
            problems.append(fail(f"{fs.field} {OP_NAMES[op]} {value!r}: `*` is a literal "
                                 "character, advanced selectors have no wildcards",
                                 rejected=False))
    if fs.field == "readOnly":
        for op, value in _values(fs):
            if op not in ("equals", "not_equals"):
                problems.append(fail(f"readOnly accepts Equals, not {OP_NAMES[op]}"))
            elif isinstance(value, str) and value not in ("true", "false"):
                problems.append(fail(f"readOnly value {value!r} is not true or false"))
    if fs.field == "sessionCredentialFromConsole":
        for op, value in _values(fs):
            if op not in ("equals", "not_equals") or (isinstance(value, str) and value != "true"):
                problems.append(fail("sessionCredentialFromConsole accepts only Equals "
                                     "or NotEquals true"))
    if fs.field == "resources.ARN":
        problems += _check_arn_conditions(fs)
    return problems


def _check_arn_conditions(fs: FieldSelector) -> list[Problem]:
    """Conditions that AWS accepts but that do not select what they name: Equals/NotEquals on a
    bucket (object events carry object ARNs: hashicorp/terraform-provider-aws#28582, #32619), and
    StartsWith a bucket name without its `/` (also matches longer bucket names)."""
    problems: list[Problem] = []
    for op, value in _values(fs):
        if not isinstance(value, str):
            continue
        bucket_only = _S3_BUCKET_ONLY.match(value) is not None
        bucket_slash = value.endswith("/") and _S3_BUCKET_ONLY.match(value[:-1]) is not None
        if op in ("equals", "not_equals") and (bucket_only or bucket_slash):
            better = "StartsWith" if op == "equals" else "NotStartsWith"
            problems.append(fail(f"resources.ARN {OP_NAMES[op]} {value!r} matches only "
                                 f"that exact ARN, not the objects in the bucket; use {better} "
                                 f"{value.rstrip('/')}/", rejected=False))
        elif op in ("starts_with", "not_starts_with") and bucket_only:
            problems.append(fail(f"resources.ARN {OP_NAMES[op]} {value!r} also matches "
                                 "every bucket whose name starts with it; add the trailing /",
                                 rejected=False))
    return problems


def _check_category(category: str, fields: tuple[FieldSelector, ...], kind: Kind) -> list[Problem]:
    problems: list[Problem] = []
    allowed = _fields_for(kind, category)
    for fs in fields:
        if fs.field not in TRAIL_FIELDS or fs.field in allowed:
            continue
        if kind == "trail" and category == "Management" and fs.field in EDS_ONLY_MANAGEMENT_FIELDS:
            problems.append(fail(f"{fs.field} on management events is for event data "
                                 "stores only, not trails"))
        elif category == "NetworkActivity" and fs.field in TRAIL_ONLY_NETWORK_FIELDS:
            problems.append(fail(f"{fs.field} on network activity events is for trails "
                                 "only, not event data stores"))
        elif category in EDS_ONLY_CATEGORIES:
            problems.append(fail(f"{fs.field} is not accepted for {category} events: "
                                 "eventCategory is their only field"))
        else:
            problems.append(fail(f"{fs.field} is not accepted for {category} events"))
    by_field: dict[str, list[FieldSelector]] = {}
    for fs in fields:
        by_field.setdefault(fs.field, []).append(fs)
    if category == "Management" and kind == "trail":
        # [INF] the API Reference states this restriction in a trail's terms; a store is not
        # held to it (a false rejection would drop a recording store from every answer)
        for fs in by_field.get("eventSource", []):
            for op, value in _values(fs):
                if op != "not_equals":
                    problems.append(fail("on a trail, management eventSource accepts "
                                         f"only NotEquals, not {OP_NAMES[op]}"))
                elif isinstance(value, str) and value not in MANAGEMENT_SOURCE_EXCLUSIONS:
                    problems.append(fail(f"management eventSource NotEquals {value!r}: "
                                         "trails accept only kms.amazonaws.com and "
                                         "rdsdata.amazonaws.com"))
    elif category == "Data":
        problems += _check_single_equals(by_field.get("resources.type", []), "resources.type",
                                         "Data")
        for fs in by_field.get("resources.type", []):
            for value in fs.equals:
                if isinstance(value, str) and not _RESOURCE_TYPE.match(value):
                    problems.append(fail(f"resources.type {value!r} is not a resource "
                                         "type (AWS::Service::Type)"))
    elif category == "NetworkActivity":
        problems += _check_single_equals(by_field.get("eventSource", []), "eventSource",
                                         "NetworkActivity")
        for fs in by_field.get("errorCode", []):
            for op, value in _values(fs):
                if op != "equals" or (isinstance(value, str) and value != "VpceAccessDenied"):
                    problems.append(fail("errorCode accepts only Equals VpceAccessDenied"))
    return problems


def _check_single_equals(fields: list[FieldSelector], name: str, category: str) -> list[Problem]:
    """resources.type for Data and eventSource for NetworkActivity: required, Equals only, one
    value per selector (API Reference AdvancedFieldSelector)."""
    if not fields:
        return [fail(f"{category} selectors need a {name} field selector")]
    problems: list[Problem] = []
    values: list[MaybeStr] = []
    for fs in fields:
        for op, value in _values(fs):
            if op != "equals":
                problems.append(fail(f"{name} accepts only Equals, not {OP_NAMES[op]}"))
            else:
                values.append(value)
    if len(values) > 1:
        problems.append(fail(f"{name} takes one value per selector, not {len(values)}"))
    return problems
