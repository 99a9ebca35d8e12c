"""GetTrailStatus' delivery fields -> `DeliveryStatus` (docs/semantics/delivery-errors.md).

The same converter serves a live read (boto3 gives `datetime`s), saved CLI v1 output (times as
epoch seconds) and CLI v2 output (ISO 8601 text). Per destination:

- no error: delivering;
- an error, and the (deprecated, still often filled) attempt pair dates the latest attempt: the
  error is current when that attempt is later than every success, stale otherwise;
- an error and no successful delivery ever: current;
- an error, a successful delivery, and nothing that dates the error: unknown. GetTrailStatus has
  no time for its error fields, so which came last cannot be told.

Times compare at whole seconds: the attempt fields carry no fractions, LatestDeliveryTime does.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, NamedTuple

from checker.delivery_state import WHAT, DeliveryState, DeliveryStatus, DestinationKey
from checker.unknowns import Unknown


class _Fields(NamedTuple):
    error: str
    time: str
    attempt: str | None = None  # LatestXAttemptTime ("no longer in use" in the API reference)
    succeeded: str | None = None  # LatestXAttemptSucceeded: the time of the latest success


FIELDS: dict[DestinationKey, _Fields] = {
    "s3": _Fields("LatestDeliveryError", "LatestDeliveryTime", "LatestDeliveryAttemptTime",
                  "LatestDeliveryAttemptSucceeded"),
    "cloudwatch_logs": _Fields("LatestCloudWatchLogsDeliveryError",
                               "LatestCloudWatchLogsDeliveryTime"),
    "sns": _Fields("LatestNotificationError", "LatestNotificationTime",
                   "LatestNotificationAttemptTime", "LatestNotificationAttemptSucceeded"),
    "digest": _Fields("LatestDigestDeliveryError", "LatestDigestDeliveryTime"),
}  # fmt: skip


class BadField(ValueError):
    """A status field that is not what GetTrailStatus returns (named, for the reason)."""


def delivery_from_status(response: Mapping[str, Any] | Unknown) -> DeliveryStatus | Unknown:
    """The trail's delivery state from one GetTrailStatus answer (or why it is unknown)."""
    if isinstance(response, Unknown):
        return response
    states = {key: _state(response, key) for key in FIELDS}
    return DeliveryStatus(**states)


def _state(response: Mapping[str, Any], key: DestinationKey) -> DeliveryState:
    names = FIELDS[key]
    try:
        error = _text(response, names.error)
        last = _time(response, names.time)
        attempt = _time(response, names.attempt)
        succeeded = _time(response, names.succeeded)
    except BadField as e:
        return DeliveryState(Unknown(f"GetTrailStatus: {e}"))
    if not error:
        return DeliveryState(True, None, last)
    successes = [t for t in (last, succeeded) if t is not None]
    latest_ok = max(successes) if successes else None
    if attempt is not None:
        if latest_ok is not None and latest_ok >= attempt:
            return DeliveryState(True, error, last)  # stale: a later attempt succeeded
        return DeliveryState(False, error, last, failed_at=attempt)
    if latest_ok is None:
        return DeliveryState(False, error, None)  # never delivered: the error is the latest word
    why = (
        f"CloudTrail reports {error!r} for {WHAT[key]} without its time, and a successful "
        f"delivery at {latest_ok}: whether the error came after it cannot be told (look for "
        "files delivered after the error, or read the status again)"
    )
    return DeliveryState(Unknown(why), error, last)


def _text(response: Mapping[str, Any], name: str) -> str | None:
    value = response.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadField(f"{name} is not text")
    return value


def _time(response: Mapping[str, Any], name: str | None) -> str | None:
    """A status time as `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds), or None when absent."""
    if name is None:
        return None
    value = response.get(name)
    if value is None or value == "":
        return None
    when = parse_time(value)
    if when is None:
        raise BadField(f"{name} is not a time ({value!r})")
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: Any) -> datetime | None:
    """A boto3 datetime, epoch seconds (AWS CLI v1) or ISO 8601 text (AWS CLI v2), in UTC."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc) if value.tzinfo else value.replace(
            tzinfo=timezone.utc)  # fmt: skip
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
        return parse_time(parsed)
    return None
