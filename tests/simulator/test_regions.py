"""checker/simulator/regions.py: where a sample record pinned to us-east-1 is recorded."""

from __future__ import annotations

from checker.regions import unplaced
from checker.simulator.regions import placed_region

IAM = {"eventSource": "iam.amazonaws.com", "eventName": "CreateUser", "awsRegion": "us-east-1"}
ROOT_SIGN_IN = {"eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin",
                "eventType": "AwsConsoleSignIn", "awsRegion": "us-east-1",
                "userIdentity": {"type": "Root"}}  # fmt: skip


def test_a_record_pinned_to_us_east_1_moves_to_the_partitions_region() -> None:
    assert placed_region(IAM, "eu-west-1") == "us-east-1"
    assert placed_region(IAM, "cn-northwest-1") == "cn-north-1"
    assert placed_region(IAM, "us-gov-east-1") == "us-gov-west-1"


def test_root_sign_in_has_no_region_where_the_partition_has_none() -> None:
    assert placed_region(ROOT_SIGN_IN, "ap-south-1") == "us-east-1"
    assert placed_region(ROOT_SIGN_IN, "cn-north-1") == unplaced("aws-cn")
    # an IAM user's sign-in is not root sign-in: not pinned, it stays where it happens
    user = {**ROOT_SIGN_IN, "userIdentity": {"type": "IAMUser"}}
    user.pop("awsRegion")
    assert placed_region(user, "cn-north-1") == "cn-north-1"


def test_a_record_pinned_elsewhere_or_not_pinned_is_left_alone() -> None:
    assert placed_region({**IAM, "awsRegion": "eu-west-1"}, "cn-north-1") == "eu-west-1"
    assert placed_region({"eventSource": "ec2.amazonaws.com"}, "cn-north-1") == "cn-north-1"
