"""AWS Organizations for the audit: the accounts of an organization, its members and SCPs, and
the audited accounts as load units.

- `list_organization(caller, role_name)`: organizations:DescribeOrganization and ListAccounts
  from the caller's account, for `trailcheck audit --organization --role-name NAME`. ListAccounts
  answers only in the management account or a delegated administrator (Organizations API
  reference, ListAccounts); anywhere else the audit stops with `OrganizationError`.
- `read_organization(account)` / `organization_result(...)`: the members and SCPs an audited
  account may read, for the audit without `--organization`.
- `with_account_units`, `split_by_account`, `judged_estate`: each live object belongs to the
  account in its location (`aws://ACCOUNT/REGION`); that account is its load unit
  (`Location.unit = "account 111122223333"`), judged on its own trails plus the organization
  trails, which record every member account (docs/semantics/organizations.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from checker.loaders.aws import live_shapes as shapes
from checker.loaders.aws.live_account import GLOBAL_REGION, AccountReader, NotChecked, Sink
from checker.loaders.aws.live_shapes import ABSENT, Failed
from checker.model import ControlPolicy, Estate, Location, Unknown, Unread
from checker.unit_stamp import UNIT_COLLECTIONS

# Account states (ListAccounts `State`, or the older `Status`) in which an account can be used:
# only ACTIVE. SUSPENDED and CLOSED accounts are closed, PENDING_CLOSURE ones are being closed,
# PENDING_ACTIVATION ones not yet usable (Organizations API reference, Account).
ACTIVE = "ACTIVE"


@dataclass(frozen=True)
class OrgAccount:
    account_id: str
    name: str
    state: str  # ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED, PENDING_ACTIVATION

    @property
    def active(self) -> bool:
        return self.state == ACTIVE


@dataclass(frozen=True)
class OrganizationListing:
    """The organization as the caller's account lists it."""

    id: str  # "o-..." ("" when DescribeOrganization failed)
    management_account_id: str  # "" when DescribeOrganization failed
    role_name: str
    accounts: tuple[OrgAccount, ...]

    def role_arn(self, account_id: str, partition: str = "aws") -> str:
        return f"arn:{partition}:iam::{account_id}:role/{self.role_name}"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "management_account_id": self.management_account_id,
            "role_name": self.role_name,
        }


class OrganizationError(Exception):
    """The organization's accounts cannot be listed: there is nothing to audit."""


_NOT_IN_ORG = ("AWSOrganizationsNotInUseException",)


def list_organization(caller: AccountReader, role_name: str) -> OrganizationListing:
    """The organization's accounts, listed from the caller's account."""
    described, entry = caller.try_read("organizations", GLOBAL_REGION, "describe_organization")
    if entry is not None and entry.error.startswith(_NOT_IN_ORG):
        raise OrganizationError(
            f"--organization: the caller's account {caller.account_id} is not in an "
            f"organization ({entry.reason})"
        )
    if entry is not None:  # any member may describe it; listing its accounts decides
        caller.sink.not_checked(entry)
    listed, entry = caller.try_read("organizations", GLOBAL_REGION, "list_accounts")
    accounts = tuple(
        sorted(
            (
                OrgAccount(
                    str(a["Id"]), str(a.get("Name") or ""), str(a.get("State") or a.get("Status"))
                )
                for a in (listed.get("Accounts") or () if isinstance(listed, Mapping) else ())
            ),
            key=lambda a: a.account_id,
        )
    )
    if not accounts:
        reason = entry.reason if entry is not None else "organizations:ListAccounts listed none"
        raise OrganizationError(
            f"--organization needs the organization's accounts, but {reason}: run it with "
            "credentials of the organization's management account or of a delegated "
            "administrator, allowed organizations:ListAccounts"
        )
    org = described.get("Organization") or {} if isinstance(described, Mapping) else {}
    return OrganizationListing(
        id=str(org.get("Id") or ""),
        management_account_id=str(org.get("MasterAccountId") or ""),
        role_name=role_name,
        accounts=accounts,
    )


# ---------------------------------------------------------------------------------------------
# Members and SCPs, as any audited account may read them


@dataclass
class OrgReads:
    members: tuple[str, ...] | Failed | None  # None: not in an organization
    members_entry: NotChecked | None
    policies: list[ControlPolicy] | Failed | None
    policies_entry: NotChecked | None


def read_organization(account: AccountReader) -> OrgReads:
    """Members and SCPs, where the account may read them (the management account or a delegated
    administrator). Failures are kept aside: they matter only if no audited account could read."""
    listed_members, m_entry = account.try_read(
        "organizations", GLOBAL_REGION, "list_accounts", absent=_NOT_IN_ORG
    )
    member_ids: tuple[str, ...] | Failed | None
    if isinstance(listed_members, Failed):
        member_ids = listed_members
    elif listed_members is ABSENT:
        member_ids = None
    else:
        assert isinstance(listed_members, Mapping)
        member_ids = tuple(sorted(a["Id"] for a in listed_members.get("Accounts") or ()))
    listed, p_entry = account.try_read(
        "organizations", GLOBAL_REGION, "list_policies", absent=_NOT_IN_ORG,
        Filter="SERVICE_CONTROL_POLICY",
    )  # fmt: skip
    policies: list[ControlPolicy] | Failed | None
    if isinstance(listed, Failed):
        policies = listed
    elif listed is ABSENT:
        policies = None
    else:
        assert isinstance(listed, Mapping)
        policies = []
        for summary in listed.get("Policies") or ():
            pid = summary["Id"]
            name = summary.get("Name", pid)
            described = account.read(
                "organizations", GLOBAL_REGION, "describe_policy", name, PolicyId=pid
            )
            targets = account.read(
                "organizations", GLOBAL_REGION, "list_targets_for_policy", name, PolicyId=pid
            )
            policies.append(
                shapes.control_policy_from_api(summary, described, targets, account.account_id)
            )
    return OrgReads(member_ids, m_entry, policies, p_entry)


def organization_result(
    results: list[tuple[AccountReader, OrgReads]], sink: Sink
) -> tuple[tuple[str, ...] | Unknown, list[ControlPolicy]]:
    """Members and SCPs from whichever audited account could read them; the failures of the
    others are reported only when no account could."""
    members: set[str] = set()
    member_known = False
    not_in_org = False
    policies: list[ControlPolicy] = []
    policies_known = False
    for _, r in results:
        if isinstance(r.members, tuple):
            members.update(r.members)
            member_known = True
        elif r.members is None:
            not_in_org = True
        if isinstance(r.policies, list):
            policies.extend(r.policies)
            policies_known = True
    member_value: tuple[str, ...] | Unknown
    if member_known:
        member_value = tuple(sorted(members))
    elif not_in_org:
        member_value = ()  # no organization: there are no other member accounts
    else:
        reasons = [r.members.reason for _, r in results if isinstance(r.members, Failed)]
        member_value = Unknown("; ".join(reasons) or "organization members not known")
        for _, r in results:
            if r.members_entry is not None:
                sink.not_checked(r.members_entry)
    if not policies_known and not not_in_org:
        failed = [r.policies_entry for _, r in results if r.policies_entry is not None]
        for entry in failed:
            sink.not_checked(entry)
        if failed:  # the SCPs are not known: never "no SCP"
            sink.unread(Unread("policies", "", "", "; ".join(e.reason for e in failed)))
    return member_value, policies


# ---------------------------------------------------------------------------------------------
# Accounts as load units


# the Estate collections whose objects have a location, hence an account
_LOCATED = (*UNIT_COLLECTIONS, "account_public_access_blocks", "diagnostics")


def account_unit(account_id: str) -> str:
    return f"account {account_id}"


def account_of(location: Location) -> str:
    """The account of a live object: its location is aws://ACCOUNT or aws://ACCOUNT/REGION."""
    if not location.file.startswith("aws://"):
        return ""
    return location.file[len("aws://") :].split("/", 1)[0]


def with_account_units(estate: Estate) -> Estate:
    """Every object marked as loaded from its account's unit. Live references name ARNs and
    names, which join across units, so only the locations change."""
    return _stamped(estate, lambda obj: account_of(obj.location))


def _stamped(estate: Estate, account: Callable[[Any], str]) -> Estate:
    """Every located object with the unit of `account(object)` ("": left as it is)."""

    def stamp(obj: Any) -> Any:
        owner = account(obj)
        if not owner:
            return obj
        return replace(obj, location=replace(obj.location, unit=account_unit(owner)))

    stamped: dict[str, Any] = {
        name: tuple(stamp(o) for o in getattr(estate, name)) for name in _LOCATED
    }
    return replace(estate, **stamped)


def split_by_account(estate: Estate, account_ids: Iterable[str]) -> dict[str, Estate]:
    """Each account's own objects (an object in an account outside `account_ids` goes to the
    first one, the caller's), with the organization's members. Nothing is copied twice: the
    parts merge back into `estate`."""
    ids = list(dict.fromkeys(account_ids))
    collected: dict[str, dict[str, list[Any]]] = {a: {n: [] for n in _LOCATED} for a in ids}
    for name in _LOCATED:
        for obj in getattr(estate, name):
            account = account_of(obj.location)
            collected[account if account in collected else ids[0]][name].append(obj)
    return {
        account: Estate(
            **{name: tuple(objs) for name, objs in parts.items()},
            organization_accounts=estate.organization_accounts,
            inputs=tuple(i for i in estate.inputs if i.path == f"aws://{account}"),
            origin=estate.origin,
        )
        for account, parts in collected.items()
    }


def judged_estate(estate: Estate, own: Estate, account_id: str) -> Estate:
    """What one account is judged on: its own trails and the organization trails (which record
    every member account), with the whole audit's resources for them to point at, and only its
    own diagnostics and input; all of it marked as the account's unit, so that an engine that
    judges each unit apart judges this estate as the one account."""
    mine = {t.id for t in own.trails}
    org_trails = tuple(t for t in estate.trails if t.is_organization is True and t.id not in mine)
    judged = replace(
        estate, trails=own.trails + org_trails, diagnostics=own.diagnostics, inputs=own.inputs
    )
    return _stamped(judged, lambda _: account_id)
