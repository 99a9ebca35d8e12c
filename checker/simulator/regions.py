"""Which events are global service events (Regions and partitions: `checker.regions`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checker.regions import US_EAST_1, global_region, partition_of
from checker.simulator.events import Event

# Global services in CloudTrail: CloudFront, IAM, console sign-in and STS (AWS notice of the
# 2021-11-22 change, quoted in SummitRoute/aws_breaking_changes#51; UG cloudtrail-concepts,
# "Console sign-in events are global service events").
ALWAYS_GLOBAL = frozenset({
    "iam.amazonaws.com", "cloudfront.amazonaws.com", "signin.amazonaws.com",
})  # fmt: skip
STS = "sts.amazonaws.com"
STS_GLOBAL_HOST = "sts.amazonaws.com"


def is_global_service_event(event: Event) -> bool | None:
    """Whether a trail needs `IncludeGlobalServiceEvents` to receive this event.

    IAM, CloudFront and sign-in events always are global. STS calls are global only when they went
    to the global endpoint `sts.amazonaws.com`; calls to a Regional endpoint are ordinary events of
    that Region (UG concepts). The record tells the endpoint by
    `tlsDetails.clientProvidedHostHeader`; without it, a us-east-1 STS record could be either
    (None: not known), and a record elsewhere is Regional.

    [INF] Global-endpoint calls that are now served in the caller's Region (IAM UG, "AWS STS global
    endpoint changes") are still treated as global service events, recorded in that Region.
    """
    source = event.event_source
    if source in ALWAYS_GLOBAL:
        return True
    if source != STS:
        return False
    if event.host_header is not None:
        return event.host_header == STS_GLOBAL_HOST
    return None if event.aws_region == US_EAST_1 else False


def apart_in_us_east_1(event: Event) -> bool:
    """Can the event be a global service event in us-east-1 and not elsewhere (or the other way
    round)? Only an STS call whose record does not tell its endpoint (`is_global_service_event`);
    any other event is global, or not, in every Region alike."""
    return event.event_source == STS and event.host_header is None


def placed_region(record: Mapping[str, Any], region: str) -> str:
    """The Region a sample record pinned to us-east-1 (a global service's: IAM, root sign-in,
    Organizations) is recorded in when the actor works in `region`: us-east-1 in `aws`, the
    partition's own Region elsewhere (`checker.regions.global_region`), or `unplaced(partition)`
    where AWS documents none. A record pinned elsewhere, or not pinned, is left as it is."""
    pinned = record.get("awsRegion")
    if not isinstance(pinned, str):
        return region
    partition = partition_of(region)
    if pinned != US_EAST_1 or partition == "aws":
        return pinned
    found, _ = global_region(partition, str(record.get("eventSource", "")),
                             root_sign_in=_root_sign_in(record))  # fmt: skip
    return found


def unplaced_reason(event: Event) -> str:
    """Why the Region of an event placed in `unplaced(partition)` is not known."""
    _, why = global_region(partition_of(event.aws_region), event.event_source,
                           root_sign_in=_root_sign_in(event.raw))  # fmt: skip
    return why


def _root_sign_in(record: Mapping[str, Any]) -> bool:
    identity = record.get("userIdentity")
    return (record.get("eventType") == "AwsConsoleSignIn" and isinstance(identity, Mapping)
            and identity.get("type") == "Root")  # fmt: skip
