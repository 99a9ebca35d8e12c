"""AWS Regions and partitions: facts every layer uses (loaders, simulator, commands).

The default-enabled list follows the IAM User Guide "AWS STS Regions and endpoints" table
("Active by default" column), read 2026: 17 commercial Regions are enabled by default, the
others are opt-in. Partitions and their DNS suffixes follow botocore's `partitions.json`
(the SDKs' own table of partitions, their Region name patterns and `dnsSuffix`), read 2026-12.
See docs/semantics.md, "Regions and partitions".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

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

# Regions of the other partitions (botocore partitions.json, read 2026-12).
OTHER_PARTITION_REGIONS: tuple[str, ...] = (
    "cn-north-1", "cn-northwest-1", "us-gov-west-1", "us-gov-east-1", "us-iso-east-1",
    "us-iso-west-1", "us-isob-east-1", "eu-isoe-west-1", "us-isof-south-1", "us-isof-east-1",
    "eusc-de-east-1",
)  # fmt: skip
KNOWN_REGIONS = frozenset((*DEFAULT_REGIONS, *OPT_IN_REGIONS, *OTHER_PARTITION_REGIONS))

# Region-name prefix -> partition; the longest matching prefix wins, anything else is "aws".
PARTITION_PREFIXES: tuple[tuple[str, str], ...] = (
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-iso-", "aws-iso"),
    ("us-gov-", "aws-us-gov"),
    ("eusc-", "aws-eusc"),
    ("cn-", "aws-cn"),
)


# partition -> the DNS suffix of its endpoints (CloudFormation's AWS::URLSuffix)
_DNS_SUFFIXES: dict[str, str] = {
    "aws": "amazonaws.com",
    "aws-cn": "amazonaws.com.cn",
    "aws-us-gov": "amazonaws.com",
    "aws-iso": "c2s.ic.gov",
    "aws-iso-b": "sc2s.sgov.gov",
    "aws-iso-e": "cloud.adc-e.uk",
    "aws-iso-f": "csp.hci.ic.gov",
    "aws-eusc": "amazonaws.eu",
}

# A Region name: two to four letters, words, a number (`eu-west-1`, `us-gov-west-1`,
# `eusc-de-east-1`).
REGION_NAME = re.compile(r"^[a-z]{2,4}(-[a-z]+)+-\d+$")


@lru_cache(maxsize=1024)  # asked for every event a trail decides; Regions are few
def partition_of(region: str) -> str:
    if region.endswith(_UNPLACED):
        return region[: -len(_UNPLACED)]
    for prefix, partition in PARTITION_PREFIXES:
        if region.startswith(prefix):
            return partition
    return "aws"


def dns_suffix(partition: str) -> str:
    return _DNS_SUFFIXES.get(partition, "amazonaws.com")


def partition_regions(home_regions: Iterable[str]) -> tuple[str, ...] | None:
    """The Regions to cover when none are given, for inputs whose trails and event data stores
    all live in one partition other than `aws` (China, GovCloud): that partition's Regions, since
    a multi-Region trail records only the Regions of its own partition (CloudTrail UG, "Receiving
    CloudTrail log files from multiple Regions"). None: the 17 commercial defaults apply (no
    home Region known, some in `aws`, or several partitions)."""
    partitions = {partition_of(r) for r in home_regions if r in KNOWN_REGIONS}
    if len(partitions) != 1 or "aws" in partitions:
        return None
    (partition,) = partitions
    return regions_of(partition)


def regions_of(partition: str) -> tuple[str, ...]:
    """The Regions to cover in `partition`: the 17 default-enabled ones in `aws`, every known
    Region elsewhere (empty for a partition this table does not know)."""
    if partition == "aws":
        return DEFAULT_REGIONS
    return tuple(r for r in OTHER_PARTITION_REGIONS if partition_of(r) == partition)


# Where a global service's events are recorded, per partition: the Region its one endpoint
# signs requests in (botocore endpoints.json, `credentialScope` of the partition endpoint, read
# 2026-12). In `aws` that is us-east-1, as the CloudTrail UG says of IAM, sign-in and CloudFront;
# in China, "Getting Started with AWS in China: CloudTrail" says CloudFront events land in
# cn-northwest-1, as the table has it; the GovCloud UG (IAM) puts its one IAM control plane in
# us-gov-west-1. A partition or service missing here has no documented Region.
_GLOBAL_ENDPOINT_REGIONS: dict[str, dict[str, str]] = {
    "aws": {"iam": "us-east-1", "organizations": "us-east-1", "cloudfront": "us-east-1",
            "signin": "us-east-1"},
    "aws-cn": {"iam": "cn-north-1", "organizations": "cn-northwest-1",
               "cloudfront": "cn-northwest-1"},
    "aws-us-gov": {"iam": "us-gov-west-1", "organizations": "us-gov-west-1"},
    "aws-iso": {"iam": "us-iso-east-1", "organizations": "us-iso-east-1"},
    "aws-iso-b": {"iam": "us-isob-east-1", "organizations": "us-isob-east-1"},
    "aws-iso-e": {"organizations": "eu-isoe-west-1"},
    "aws-iso-f": {"iam": "us-isof-south-1", "organizations": "us-isof-south-1"},
}  # fmt: skip

# Root sign-in cannot happen there: China has no root user ("Getting Started with AWS in China:
# IAM"); the GovCloud console does not accept root sign-in (GovCloud UG, "Signing in to AWS
# GovCloud (US)").
_NO_ROOT_SIGN_IN: dict[str, str] = {
    "aws-cn": "the China Regions have no root user",
    "aws-us-gov": "the GovCloud console does not accept root sign-in",
}

# A Region name that stands for "somewhere in this partition, AWS does not document where":
# `unplaced(partition)`; `partition_of` reads the partition back.
_UNPLACED = " (Region not documented)"


def unplaced(partition: str) -> str:
    return partition + _UNPLACED


def is_unplaced(region: str) -> bool:
    return region.endswith(_UNPLACED)


def global_region(partition: str, event_source: str, *, root_sign_in: bool = False
                  ) -> tuple[str, str]:  # fmt: skip
    """The Region an event of a global service (`iam.amazonaws.com`) is recorded in within
    `partition`, and why when AWS documents none (then the Region is `unplaced(partition)`)."""
    service = event_source.split(".", 1)[0]
    if root_sign_in and partition in _NO_ROOT_SIGN_IN:
        return unplaced(partition), _NO_ROOT_SIGN_IN[partition]
    found = _GLOBAL_ENDPOINT_REGIONS.get(partition, {}).get(service)
    if found is None:
        return unplaced(partition), (f"AWS documents no Region where {service} events are "
                                     f"recorded in the {partition} partition")
    return found, ""
