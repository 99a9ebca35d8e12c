"""One API event as the simulator sees it: the CloudTrail record fields that selectors, regions and
accounts read, plus the raw record for metric filter patterns.

Attribute names are the record's field names in snake_case (`eventSource` -> `event_source`);
`FIELD_NAMES` maps the advanced-selector field names onto them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Why a record's category is not known (Event.unclassified): a record without eventCategory and
# managementEvent (docs/semantics/replay.md, "The record's category").
UNCLASSIFIED = ("the record has neither eventCategory (in records since event version 1.07) nor "
                "managementEvent (since 1.06), and nothing else in it tells a management event "
                "from a data event")
# Console sign-ins, by their event type or their event source: management events (CloudTrail
# UG, "Understanding CloudTrail events": "when a user signs in to your account, CloudTrail logs
# the ConsoleLogin event" among management events; "AWS Console Sign-in Events": the records'
# eventSource is signin.amazonaws.com, their eventType spelled AwsConsoleSignIn or
# AwsConsoleSignin there, ConsoleSignin in the UG's early record contents page).
SIGN_IN_TYPES = ("AwsConsoleSignIn", "AwsConsoleSignin", "ConsoleSignin")
SIGN_IN_SOURCE = "signin.amazonaws.com"
# The data events that existed before managementEvent did, and what their records carry:
# Lambda's Invoke, and S3's object-level operations, which name the object in `resources`
# (CloudTrail UG, "CloudTrail concepts", data events table; "resources" since event version 1.01)
LAMBDA = "lambda.amazonaws.com"
S3_OBJECT = "AWS::S3::Object"


@dataclass(frozen=True, slots=True)
class Resource:
    """One entry of the record's `resources` list."""

    type: str | None = None
    arn: str | None = None
    account_id: str | None = None


@dataclass(frozen=True, slots=True)
class UserIdentity:
    type: str | None = None
    arn: str | None = None
    account_id: str | None = None


NO_IDENTITY = UserIdentity()


@dataclass(frozen=True, slots=True)
class Event:
    """An API event. `read_only` None means the record has no `readOnly` field (the simulator treats
    such records as write events; see selector_tests.py). `recipient_account_id` None means "the
    account of whichever trail is asked" (probe events). `unclassified` says why the record's
    category, management or data event, is not known; `event_category` is then empty and a
    trail's selectors are asked both ways (capture.py)."""

    event_source: str
    event_name: str
    aws_region: str
    event_category: str = "Management"
    read_only: bool | None = None
    recipient_account_id: str | None = None
    resources: tuple[Resource, ...] = ()
    user_identity: UserIdentity = NO_IDENTITY
    error_code: str | None = None
    event_type: str | None = "AwsApiCall"
    session_credential_from_console: bool = False
    vpc_endpoint_id: str | None = None
    # tlsDetails.clientProvidedHostHeader: tells STS global-endpoint calls from regional ones
    host_header: str | None = None
    unclassified: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @staticmethod
    def problem(record: object) -> str | None:
        """Why `record` is not a CloudTrail record trailcheck can judge, or None. Every API,
        service and sign-in record names its service and operation (UG record contents:
        `eventSource` and `eventName` are never optional); an Insights record names them in
        `insightDetails` instead."""
        if not isinstance(record, Mapping):
            return f"a CloudTrail record must be a JSON object, not {type(record).__name__}"
        if category_of(record)[0] == "Insight":
            return None
        missing = [k for k in ("eventSource", "eventName") if not _text(record.get(k))]
        if missing:
            return f"the record has no {' and no '.join(missing)}"
        return None

    @staticmethod
    def from_record(record: Mapping[str, Any]) -> Event:
        """Read a CloudTrail record, tolerating what real files do: missing `readOnly`,
        `resources` or `eventCategory`, nulls, and booleans written as strings."""
        if not isinstance(record, Mapping):
            kind = type(record).__name__
            raise ValueError(f"a CloudTrail record must be a JSON object, not {kind}")
        identity = record.get("userIdentity")
        tls = record.get("tlsDetails")
        host = tls.get("clientProvidedHostHeader") if isinstance(tls, Mapping) else None
        resources = _resources(record.get("resources"))
        category, unclassified = category_of(record, resources)
        return Event(
            event_source=_text(record.get("eventSource")) or "",
            event_name=_text(record.get("eventName")) or "",
            aws_region=_text(record.get("awsRegion")) or "",
            event_category=category,
            read_only=_flag(record.get("readOnly")),
            recipient_account_id=_text(record.get("recipientAccountId")),
            resources=resources,
            user_identity=_identity(identity) if isinstance(identity, Mapping) else NO_IDENTITY,
            error_code=_text(record.get("errorCode")),
            event_type=_text(record.get("eventType")),
            session_credential_from_console=_flag(record.get("sessionCredentialFromConsole"))
            is True,
            vpc_endpoint_id=_text(record.get("vpcEndpointId")),
            host_header=_text(host),
            unclassified=unclassified,
            raw=record,
        )

    def describe(self) -> str:
        """A short label for messages: `s3.amazonaws.com PutObject in eu-west-1`; an Insights
        record, which has no eventSource, by its insight type and the API it is about."""
        if self.event_category == "Insight" and not self.event_source:
            details = self.raw.get("insightDetails")
            if isinstance(details, Mapping):
                about = " ".join(str(details.get(k, "?")) for k in ("eventSource", "eventName"))
                return f"Insights {details.get('insightType', '?')} on {about} in {self.aws_region}"
        return f"{self.event_source} {self.event_name} in {self.aws_region}"


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return None


def _flag(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def category_of(record: Mapping[str, Any], resources: tuple[Resource, ...] | None = None
                ) -> tuple[str, str | None]:  # fmt: skip
    """The record's category from the best evidence it carries, and, when it carries none, ""
    and why (UNCLASSIFIED). `eventCategory` (event version 1.07 on); the event types of network
    activity and Insights records; `managementEvent` (1.06 on, for API calls, console actions,
    sign-ins and service events: CloudTrail UG, "CloudTrail record contents"); a sign-in; a
    Lambda Invoke or an S3 object in `resources`, the data events older records can hold. The
    SQL engine reads the same (checker/replay/compile_capture.py, category_expr)."""
    category = _text(record.get("eventCategory"))
    if category:
        return category, None
    event_type = record.get("eventType")
    if event_type == "AwsVpceEvent":
        return "NetworkActivity", None
    if event_type == "AwsCloudTrailInsight":
        return "Insight", None
    flag = _flag(record.get("managementEvent"))
    if flag is not None:
        return ("Management" if flag else "Data"), None
    if event_type in SIGN_IN_TYPES or record.get("eventSource") == SIGN_IN_SOURCE:
        return "Management", None
    if resources is None:
        resources = _resources(record.get("resources"))
    invoke = record.get("eventSource") == LAMBDA and record.get("eventName") == "Invoke"
    if invoke or any(r.type == S3_OBJECT for r in resources):
        return "Data", None
    return "", UNCLASSIFIED


def _resources(value: object) -> tuple[Resource, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(
        Resource(_text(r.get("type")), _text(r.get("ARN")), _text(r.get("accountId")))
        for r in value
        if isinstance(r, Mapping)
    )


def _identity(value: Mapping[str, Any]) -> UserIdentity:
    return UserIdentity(
        type=_text(value.get("type")),
        arn=_text(value.get("arn")),
        account_id=_text(value.get("accountId")),
    )
