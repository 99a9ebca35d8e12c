"""Resolved CloudFormation property values -> the model's value types.

CloudFormation accepts `"true"`/`"false"` strings for booleans and numeric strings for integers,
so these coercions do too. A value of the wrong kind becomes an `Unknown` naming the property:
the template would not deploy as written, and a rule must not read meaning into it.
"""

from __future__ import annotations

from typing import Any

from checker.model import Unknown


def to_bool(value: Any, prop: str) -> bool | Unknown:
    if isinstance(value, (bool, Unknown)):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return Unknown(f"{prop} is not a boolean ({value!r})")


def to_int(value: Any, prop: str) -> int | Unknown:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return Unknown(f"{prop} is not a whole number ({value!r})")


def to_str(value: Any, prop: str) -> str | Unknown:
    if isinstance(value, (str, Unknown)):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return Unknown(f"{prop} is not a string ({_short(value)})")


def to_str_tuple(value: Any, prop: str) -> tuple[str | Unknown, ...] | Unknown:
    """A list of strings; one string counts as a list of one (as IAM and CloudFormation allow)."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return (str(value),)
    if not isinstance(value, list):
        return Unknown(f"{prop} is not a list ({_short(value)})")
    return tuple(to_str(v, prop) for v in value)


def to_document(value: Any, prop: str) -> dict[str, Any] | Unknown:
    """A policy document: a mapping, or a JSON string of one (both are allowed for `Json`
    properties). Unknown leaves stay in place for the policy reader."""
    import json

    if isinstance(value, Unknown):
        return value
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as e:
            return Unknown(f"{prop} is not valid JSON ({e.msg})")
    if not isinstance(value, dict):
        return Unknown(f"{prop} is not a JSON object ({_short(value)})")
    return value


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
