"""Accounts as load units (checker/loaders/aws/organization.py), without an emulator."""

from __future__ import annotations

from checker.loaders.aws.live_shapes import where
from checker.loaders.aws.organization import (
    OrgAccount,
    OrganizationListing,
    account_of,
    account_unit,
    judged_estate,
    split_by_account,
    with_account_units,
)
from checker.model import Bucket, Diagnostic, Estate, InputFile, Location, Reference, Trail

A, B, C = "111111111111", "222222222222", "333333333333"


def trail(account: str, name: str, *, org: bool = False) -> Trail:
    arn = f"arn:aws:cloudtrail:us-east-1:{account}:trail/{name}"
    return Trail(
        id=arn, name=name, arn=arn, account_id=account, home_region="us-east-1",
        location=where(account, "us-east-1"), is_organization=org, is_multi_region=True,
        bucket=Reference(f"logs-{account}"),
    )  # fmt: skip


def estate() -> Estate:
    return Estate(
        trails=(trail(A, "org", org=True), trail(A, "mgmt"), trail(B, "own")),
        buckets=(
            Bucket(id=f"arn:aws:s3:::logs-{C}", name=f"logs-{C}", location=where(C, "us-east-1")),
            Bucket(id="arn:aws:s3:::elsewhere", name="elsewhere", location=where("9" * 12, "")),
        ),
        diagnostics=(
            Diagnostic("CT000", "fail", "role refused", where(C, ""), resource="role"),
        ),
        inputs=tuple(InputFile(f"aws://{a}", "live") for a in (A, B, C)),
        organization_accounts=(A, B, C),
        origin="live",
    )  # fmt: skip


def test_account_of_a_location() -> None:
    assert account_of(Location(f"aws://{A}/eu-west-1")) == A
    assert account_of(Location(f"aws://{A}")) == A
    assert account_of(Location("infra/main.tf", 3)) == ""


def test_every_live_object_carries_its_accounts_unit() -> None:
    stamped = with_account_units(estate())
    assert [t.location.unit for t in stamped.trails] == [account_unit(A)] * 2 + [account_unit(B)]
    assert stamped.buckets[0].location.unit == "account 333333333333"
    assert stamped.diagnostics[0].location.unit == account_unit(C)
    assert stamped == estate()  # units are not part of equality: nothing else changed


def test_split_puts_each_object_in_one_account() -> None:
    whole = estate()
    parts = split_by_account(whole, [A, B, C])
    assert [t.name for t in parts[A].trails] == ["org", "mgmt"]
    assert [t.name for t in parts[B].trails] == ["own"]
    assert [b.name for b in parts[C].buckets] == [f"logs-{C}"]
    # a bucket of an account outside the audit goes to the first (the caller's)
    assert [b.name for b in parts[A].buckets] == ["elsewhere"]
    assert [d.message for d in parts[C].diagnostics] == ["role refused"]
    assert [i.path for i in parts[B].inputs] == [f"aws://{B}"]
    assert all(p.organization_accounts == (A, B, C) and p.origin == "live" for p in parts.values())
    merged = Estate.merge(parts.values())
    assert sorted(t.id for t in merged.trails) == sorted(t.id for t in whole.trails)
    assert sorted(b.id for b in merged.buckets) == sorted(b.id for b in whole.buckets)


def test_an_account_is_judged_on_its_trails_and_the_organization_trails() -> None:
    whole = estate()
    parts = split_by_account(whole, [A, B, C])
    b = judged_estate(whole, parts[B], B)
    assert [t.name for t in b.trails] == ["own", "org"]  # not the management account's own
    assert b.buckets == whole.buckets  # what the trails point at, wherever it is
    assert b.diagnostics == () and [i.path for i in b.inputs] == [f"aws://{B}"]
    # all of it is B's unit: an engine judging units apart sees the one account
    assert {o.location.unit for o in (*b.trails, *b.buckets)} == {account_unit(B)}
    a = judged_estate(whole, parts[A], A)
    assert [t.name for t in a.trails] == ["org", "mgmt"]  # the org trail once
    c = judged_estate(whole, parts[C], C)
    assert [t.name for t in c.trails] == ["org"] and len(c.diagnostics) == 1


def test_role_arns_of_the_listing() -> None:
    listing = OrganizationListing("o-1", A, "audit/Reader", (OrgAccount(B, "b", "ACTIVE"),))
    assert listing.role_arn(B) == f"arn:aws:iam::{B}:role/audit/Reader"
    assert listing.role_arn(B, "aws-us-gov") == f"arn:aws-us-gov:iam::{B}:role/audit/Reader"
    assert listing.accounts[0].active and not OrgAccount(C, "c", "SUSPENDED").active
