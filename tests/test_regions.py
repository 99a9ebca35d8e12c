"""checker/regions.py: the Region each partition records a global service's events in."""

from __future__ import annotations

from checker.regions import global_region, is_unplaced, partition_of, unplaced


def test_global_services_are_recorded_in_their_partitions_endpoint_region() -> None:
    assert global_region("aws", "iam.amazonaws.com") == ("us-east-1", "")
    assert global_region("aws-cn", "iam.amazonaws.com") == ("cn-north-1", "")
    assert global_region("aws-cn", "organizations.amazonaws.com") == ("cn-northwest-1", "")
    assert global_region("aws-cn", "cloudfront.amazonaws.com") == ("cn-northwest-1", "")
    assert global_region("aws-us-gov", "iam.amazonaws.com") == ("us-gov-west-1", "")
    assert global_region("aws-us-gov", "organizations.amazonaws.com") == ("us-gov-west-1", "")
    assert global_region("aws-iso-b", "iam.amazonaws.com") == ("us-isob-east-1", "")
    assert global_region("aws", "signin.amazonaws.com", root_sign_in=True) == ("us-east-1", "")


def test_a_region_aws_does_not_document_is_unplaced_with_the_reason() -> None:
    region, why = global_region("aws-eusc", "iam.amazonaws.com")
    assert region == unplaced("aws-eusc") and is_unplaced(region)
    assert "no Region where iam events are recorded in the aws-eusc partition" in why
    region, why = global_region("aws-cn", "signin.amazonaws.com", root_sign_in=True)
    assert is_unplaced(region) and why == "the China Regions have no root user"
    region, why = global_region("aws-us-gov", "signin.amazonaws.com", root_sign_in=True)
    assert is_unplaced(region) and "does not accept root sign-in" in why


def test_an_unplaced_region_keeps_its_partition() -> None:
    assert partition_of(unplaced("aws-us-gov")) == "aws-us-gov"
    assert not is_unplaced("us-gov-west-1")


def test_the_regions_of_a_partition() -> None:
    from checker.regions import DEFAULT_REGIONS, regions_of

    assert regions_of("aws") == DEFAULT_REGIONS
    assert regions_of("aws-us-gov") == ("us-gov-west-1", "us-gov-east-1")
    assert regions_of("aws-unknown") == ()
