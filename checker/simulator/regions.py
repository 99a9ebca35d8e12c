"""Which events are global service events (Regions and partitions: `checker.regions`)."""

from __future__ import annotations

from checker.regions import US_EAST_1
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
