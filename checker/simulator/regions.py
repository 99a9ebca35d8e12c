"""AWS Regions, partitions, and which events are global service events.

The lists follow the IAM User Guide "AWS STS Regions and endpoints" table ("Active by default"
column), read 2026: 17 commercial Regions are enabled by default, the others are opt-in.
"""

from __future__ import annotations

from checker.simulator.events import Event

US_EAST_1 = "us-east-1"

DEFAULT_REGIONS: tuple[str, ...] = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-southeast-1", "ap-southeast-2", "ca-central-1",
    "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1",
    "sa-east-1",
)  # fmt: skip

OPT_IN_REGIONS: tuple[str, ...] = (
    "af-south-1", "ap-east-1", "ap-east-2", "ap-south-2", "ap-southeast-3", "ap-southeast-4",
    "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-west-1", "eu-central-2",
    "eu-south-1", "eu-south-2", "il-central-1", "me-central-1", "me-south-1", "mx-central-1",
)  # fmt: skip

# Region-name prefix -> partition; the longest matching prefix wins, anything else is "aws".
_PARTITION_PREFIXES: tuple[tuple[str, str], ...] = (
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-iso-", "aws-iso"),
    ("us-gov-", "aws-us-gov"),
    ("eusc-", "aws-eusc"),
    ("cn-", "aws-cn"),
)


def partition_of(region: str) -> str:
    for prefix, partition in _PARTITION_PREFIXES:
        if region.startswith(prefix):
            return partition
    return "aws"


def is_opt_in(region: str) -> bool:
    return region in OPT_IN_REGIONS


# Global services in CloudTrail: CloudFront, IAM, console sign-in and STS (AWS notice of the
# 2021-11-22 change, quoted in SummitRoute/aws_breaking_changes#51; UG cloudtrail-concepts,
# "Console sign-in events are global service events").
_ALWAYS_GLOBAL = frozenset({
    "iam.amazonaws.com", "cloudfront.amazonaws.com", "signin.amazonaws.com",
})  # fmt: skip
_STS = "sts.amazonaws.com"
_STS_GLOBAL_HOST = "sts.amazonaws.com"


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
    if source in _ALWAYS_GLOBAL:
        return True
    if source != _STS:
        return False
    if event.host_header is not None:
        return event.host_header == _STS_GLOBAL_HOST
    return None if event.aws_region == US_EAST_1 else False
