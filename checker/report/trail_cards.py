"""Trails in plain words, for the audit's HTML and Markdown reports.

`describe_selectors` says what a trail's event selectors record ("all management events (read
and write)", "S3 object writes under arn:aws:s3:::payroll/"). It describes the configuration as
written, condition by condition; whether AWS accepts it is CT011's business, and what it
captures event by event is the simulator's.

`trail_cards(estate)` gives one JSON-ready dictionary per trail; the audit puts the list in
`ScanReport.extra["trails"]`, so the reports need no model objects.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from checker.model import (
    AdvancedSelector,
    BasicSelector,
    DataResource,
    Estate,
    FieldSelector,
    MaybeStr,
    Reference,
    Selectors,
    Trail,
    Unknown,
)

DEFAULT_TEXT = "all management events (read and write)"

# resources.type -> what its events are called in a sentence
_DATA_NAMES = {
    "AWS::S3::Object": "S3 object",
    "AWS::Lambda::Function": "Lambda function",
    "AWS::DynamoDB::Table": "DynamoDB item",
    "AWS::S3::AccessPoint": "S3 access point",
    "AWS::S3Express::Object": "S3 Express One Zone object",
    "AWS::SNS::Topic": "SNS topic",
    "AWS::SQS::Queue": "SQS message",
    "AWS::SecretsManager::Secret": "Secrets Manager",
}
# basic DataResources values that mean "every resource of the type"
_ALL_VALUES = {
    "AWS::S3::Object": ("arn:aws:s3", "arn:aws:s3:::", "arn:aws:s3:::/"),
    "AWS::Lambda::Function": ("arn:aws:lambda",),
    "AWS::DynamoDB::Table": ("arn:aws:dynamodb",),
}
# an ARN's partition (aws, aws-cn, aws-us-gov, ...): the values above mean the same in each
_PARTITION = re.compile(r"^arn:aws[a-z-]*:")
_ALL_PHRASE = {
    "AWS::S3::Object": "in all buckets",
    "AWS::Lambda::Function": "of all functions",
    "AWS::DynamoDB::Table": "in all tables",
}


def _text(value: MaybeStr) -> str:
    return f"(unknown: {value.reason})" if isinstance(value, Unknown) else value


def _join(values: Sequence[MaybeStr], word: str = "or") -> str:
    items = [_text(v) for v in values]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def _rw_management(rw: MaybeStr) -> str:
    if rw == "ReadOnly":
        return "read-only management events"
    if rw == "WriteOnly":
        return "write management events"
    if rw == "All":
        return "all management events (read and write)"
    return f"management events of read/write type {_text(rw)}"


def _rw_data(rw: MaybeStr) -> str:
    return {"ReadOnly": "reads", "WriteOnly": "writes", "All": "reads and writes"}.get(
        rw if isinstance(rw, str) else "", f"events of read/write type {_text(rw)}"
    )


def _data_name(type_: MaybeStr) -> str:
    if isinstance(type_, Unknown):
        return f"data events of an unknown type ({type_.reason})"
    return _DATA_NAMES.get(type_, f"{type_} data")


# ---------------------------------------------------------------------------------------------
# Basic selectors


def _basic(selector: BasicSelector) -> list[str]:
    out: list[str] = []
    include = selector.include_management_events
    if isinstance(include, Unknown):
        out.append(f"management events only if enabled (unknown: {include.reason})")
    elif include:
        text = _rw_management(selector.read_write_type)
        excluded = selector.exclude_management_event_sources
        if excluded:
            text += f", except events from {_join(excluded)}"
        out.append(text)
    for resource in selector.data_resources:
        out.append(_basic_data(resource, selector.read_write_type))
    if not out:
        out.append("nothing (no management events and no data resources)")
    return out


def _basic_data(resource: DataResource, rw: MaybeStr) -> str:
    head = f"{_data_name(resource.type)} {_rw_data(rw)}"
    type_ = resource.type if isinstance(resource.type, str) else ""
    every = _ALL_VALUES.get(type_, ())
    everything = [v for v in resource.values
                  if isinstance(v, str) and _PARTITION.sub("arn:aws:", v, count=1) in every]
    if everything:
        return f"{head} {_ALL_PHRASE.get(type_, 'on all resources')}"
    if not resource.values:
        return f"{head} on no resource (the selector lists no values)"
    if type_ == "AWS::S3::Object":
        return f"{head} under {_join(resource.values)}"
    return f"{head} on {_join(resource.values)}"


# ---------------------------------------------------------------------------------------------
# Advanced selectors


def _field(selectors: Sequence[FieldSelector], name: str) -> FieldSelector | None:
    for fs in selectors:
        if fs.field == name:
            return fs
    return None


_ARN_WORDS = {
    "equals": "on {}",
    "starts_with": "under {}",
    "ends_with": "ending with {}",
    "not_equals": "except {}",
    "not_starts_with": "except under {}",
    "not_ends_with": "except those ending with {}",
}
_SOURCE_WORDS = {
    "equals": "from {}",
    "starts_with": "from sources starting with {}",
    "ends_with": "from sources ending with {}",
    "not_equals": "except events from {}",
    "not_starts_with": "except events from sources starting with {}",
    "not_ends_with": "except events from sources ending with {}",
}
_NAME_WORDS = {
    "equals": "only calls named {}",
    "starts_with": "only calls whose name starts with {}",
    "ends_with": "only calls whose name ends with {}",
    "not_equals": "except calls named {}",
    "not_starts_with": "except calls whose name starts with {}",
    "not_ends_with": "except calls whose name ends with {}",
}


def _conditions(fs: FieldSelector, words: dict[str, str]) -> list[str]:
    """A field's conditions as phrases ('under X', 'except under Y'), SELECTs first."""
    return [words[op].format(_join(values)) for op, values in fs.operator_values()]


def _read_only(fs: FieldSelector | None) -> str | None:
    """'read'/'write'/None (both) from a readOnly field selector."""
    if fs is None:
        return None
    values = {v for v in fs.equals if isinstance(v, str)}
    excluded = {v for v in fs.not_equals if isinstance(v, str)}
    if values == {"true"} or excluded == {"false"}:
        return "read"
    if values == {"false"} or excluded == {"true"}:
        return "write"
    return None


_HANDLED = {
    "eventCategory",
    "readOnly",
    "resources.type",
    "resources.ARN",
    "eventSource",
    "eventName",
}


def _advanced(selector: AdvancedSelector) -> str:
    fields = selector.field_selectors
    category_fs = _field(fields, "eventCategory")
    categories = [_text(v) for v in category_fs.equals] if category_fs else []
    category = categories[0] if len(categories) == 1 else None
    rw = _read_only(_field(fields, "readOnly"))
    parts: list[str]
    if category == "Management":
        head = {"read": "read-only management events", "write": "write management events"}.get(
            rw or "", "all management events (read and write)"
        )
        parts = [head]
        source = _field(fields, "eventSource")
        if source is not None:
            parts += _conditions(source, _SOURCE_WORDS)
    elif category == "Data":
        type_fs = _field(fields, "resources.type")
        types = list(type_fs.equals) if type_fs else []
        name = (
            _data_name(types[0])
            if len(types) == 1
            else (f"data events of {_join(types)}" if types else "data events of any resource type")
        )
        verb = {"read": "reads", "write": "writes"}.get(rw or "", "reads and writes")
        parts = [f"{name} {verb}"]
        arn = _field(fields, "resources.ARN")
        if arn is not None:
            parts += _conditions(arn, _ARN_WORDS)
        else:
            parts.append(
                _ALL_PHRASE.get(_text(types[0]), "on all resources")
                if len(types) == 1
                else "on all resources"
            )
        source = _field(fields, "eventSource")
        if source is not None:
            parts += _conditions(source, _SOURCE_WORDS)
    elif category == "NetworkActivity":
        source = _field(fields, "eventSource")
        sources = _join(source.equals) if source and source.equals else "any service"
        parts = [f"network activity events (calls through VPC endpoints) to {sources}"]
    else:
        shown = _join(categories) if categories else "no eventCategory"
        parts = [f"events of category {shown}"]
    name_fs = _field(fields, "eventName")
    if name_fs is not None:
        parts += _conditions(name_fs, _NAME_WORDS)
    for fs in fields:
        if fs.field in _HANDLED:
            continue
        parts += [
            f"where {fs.field} {_op_word(op)} {_join(values)}"
            for op, values in fs.operator_values()
        ]
    text = parts[0]
    for part in parts[1:]:
        text += (", " if part.startswith(("except", "only", "where")) else " ") + part
    return text


def _op_word(op: str) -> str:
    return {
        "equals": "is", "not_equals": "is not", "starts_with": "starts with",
        "not_starts_with": "does not start with", "ends_with": "ends with",
        "not_ends_with": "does not end with",
    }[op]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Public


def describe_selectors(selectors: Selectors | Unknown) -> list[str]:
    """What a trail's selectors record, one line per selector (the lines are OR'ed)."""
    if isinstance(selectors, Unknown):
        return [f"not known: {selectors.reason}"]
    if selectors.kind == "default":
        return [f"{DEFAULT_TEXT}: AWS's default, no custom selectors"]
    if selectors.kind == "basic":
        return [line for s in selectors.basic for line in _basic(s)]
    if not selectors.advanced:
        return ["nothing (the advanced selector list is empty)"]
    return [_advanced(s) for s in selectors.advanced]


def _tri(value: object) -> Any:
    if isinstance(value, Unknown):
        return f"unknown ({value.reason})"
    return value


def _ref(ref: Reference | None) -> str | None:
    if ref is None:
        return None
    return _text(ref.value)


def trail_card(trail: Trail) -> dict[str, Any]:
    insights = trail.insight_selectors
    insight_text: list[str] | str
    if isinstance(insights, Unknown):
        insight_text = f"unknown ({insights.reason})"
    else:
        insight_text = sorted(
            f"{_text(s.insight_type)} on {', '.join(s.event_categories)} events" for s in insights
        )
    return {
        "id": trail.id,
        "name": _text(trail.name),
        "account": _tri(trail.account_id),
        "home_region": _tri(trail.home_region),
        "logging": _tri(trail.is_logging),
        "multi_region": _tri(trail.is_multi_region),
        "organization": _tri(trail.is_organization),
        "global_service_events": _tri(trail.include_global_service_events),
        "log_file_validation": _tri(trail.log_file_validation),
        "bucket": _ref(trail.bucket),
        "s3_key_prefix": _tri(trail.s3_key_prefix),
        "kms_key": _ref(trail.kms_key),
        "log_group": _ref(trail.log_group),
        "sns_topic": _ref(trail.sns_topic),
        "selectors": describe_selectors(trail.selectors),
        "insights": insight_text,
    }


def trail_cards(estate: Estate) -> list[dict[str, Any]]:
    return [trail_card(t) for t in sorted(estate.trails, key=lambda t: t.id)]
