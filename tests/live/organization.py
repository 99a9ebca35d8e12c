"""An organization for the `audit --organization` tests, built through the emulator's
Organizations API with plain boto3 calls (shared with bench/bench_audit.py).

- the management account (the emulator's default, 123456789012) owns the organization trail
  `org-trail` (multi-Region, logging, validated), which writes to `org-logs-<id>` in the log
  archive account;
- `MEMBERS` member accounts are created with CreateAccount; each gets the audit role ROLE_NAME
  (iam:CreateRole in that account), except the `role_less` one;
- the `own_trail` member also has a single-Region trail of its own, never started;
- the `closed` member is closed (SUSPENDED): the audit must skip it.

AWS behaviours the emulator lacks are added as botocore hooks on the audit's session, here in the
tests and never in the product (`OrgHooks`):
- moto's AssumeRole works whether or not the role exists: AWS refuses it (AccessDenied);
- moto lists an organization trail only in its own account: AWS also lists it, with the
  management account's ARN, in every member account's DescribeTrails;
- throttling: every CloudTrail call made with the `throttled` account's credentials answers
  ThrottlingException, whatever the retries.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse

AddHook = Callable[[str, Callable[..., Any]], None]  # FakeAws.add_hook
MANAGEMENT = "123456789012"
ROLE_NAME = "TrailcheckAudit"
MEMBERS = 21  # with the management account, an organization of 22
THROTTLED = b'{"__type":"ThrottlingException","message":"Rate exceeded"}'
ASSUME_DENIED = (
    b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not "
    b"authorized to perform: sts:AssumeRole on resource</Message></Error></ErrorResponse>"
)


@dataclass
class Org:
    org_id: str
    members: list[str]  # member account ids, in creation order
    log_archive: str
    own_trail: str
    role_less: str
    throttled: str
    closed: str
    org_trail_arn: str
    own_trail_arn: str
    roles: set[str]  # the role ARNs that exist
    org_trail_listing: dict[str, Any]  # the organization trail as DescribeTrails lists it

    @property
    def accounts(self) -> list[str]:
        return sorted([MANAGEMENT, *self.members])


class _Body:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Any:
        yield self.body


def _answer(url: str, status: int, body: bytes, content_type: str) -> AWSResponse:
    return AWSResponse(url, status, {"Content-Type": content_type}, _Body(body))


def build_organization(aws: Any, members: int = MEMBERS) -> Org:
    """The organization; `aws` gives setup clients (`client(service, region)`) and sessions in
    other accounts (`session_for_account(id)`), as tests/live/conftest.FakeAws does."""
    orgs = aws.client("organizations")
    org_id = orgs.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    ids = [
        orgs.create_account(AccountName=f"member-{i:03d}", Email=f"member-{i:03d}@example.com")[
            "CreateAccountStatus"
        ]["AccountId"]
        for i in range(members)
    ]
    log_archive, own_trail, role_less, throttled, closed = ids[:5]
    roles = set()
    for account in ids:
        if account in (role_less, closed):
            continue
        iam = aws.session_for_account(account).client("iam", endpoint_url=aws.url)
        role = iam.create_role(
            RoleName=ROLE_NAME,
            AssumeRolePolicyDocument=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                               "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT}:root"}}],
            }),
        )["Role"]["Arn"]  # fmt: skip
        roles.add(role)
    orgs.close_account(AccountId=closed)

    bucket = f"org-logs-{log_archive}"
    archive = aws.session_for_account(log_archive)
    archive.client("s3", endpoint_url=aws.url).create_bucket(Bucket=bucket)
    ct = aws.client("cloudtrail")
    org_trail = ct.create_trail(
        Name="org-trail", S3BucketName=bucket, IsMultiRegionTrail=True, IsOrganizationTrail=True,
        EnableLogFileValidation=True,
    )["TrailARN"]  # fmt: skip
    ct.start_logging(Name="org-trail")
    (listing,) = ct.describe_trails(trailNameList=[org_trail])["trailList"]

    member = aws.session_for_account(own_trail)
    member.client("s3", endpoint_url=aws.url).create_bucket(Bucket=f"own-logs-{own_trail}")
    own = member.client("cloudtrail", region_name="us-east-1", endpoint_url=aws.url).create_trail(
        Name="own-trail", S3BucketName=f"own-logs-{own_trail}"
    )["TrailARN"]
    return Org(org_id, ids, log_archive, own_trail, role_less, throttled, closed, org_trail, own,
               roles, dict(listing, HomeRegion="us-east-1"))  # fmt: skip


@dataclass
class OrgHooks:
    """The botocore hooks that make the emulator behave as AWS does for this organization."""

    org: Org
    keys: dict[str, str] = field(default_factory=dict)  # access key id -> account
    throttled_calls: list[str] = field(default_factory=list)

    def register(self, add: AddHook, throttle: bool = True) -> None:
        add("before-send.sts.AssumeRole", self.refuse_missing_role)
        add("after-call.sts.AssumeRole", self.remember_key)
        add("after-call.cloudtrail.DescribeTrails", self.members_see_org_trail)
        if throttle:
            add("before-send.cloudtrail.*", self.throttle)

    def refuse_missing_role(self, request: Any, **_: Any) -> Any:
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body)
        from urllib.parse import parse_qs

        role = (parse_qs(body).get("RoleArn") or [""])[0]
        if role.endswith(f":role/{ROLE_NAME}") and role not in self.org.roles:
            return _answer(request.url, 403, ASSUME_DENIED, "text/xml")
        return None

    def remember_key(self, parsed: dict[str, Any], **_: Any) -> None:
        arn = (parsed.get("AssumedRoleUser") or {}).get("Arn", "")
        key = (parsed.get("Credentials") or {}).get("AccessKeyId")
        if key and arn:
            self.keys[key] = arn.split(":")[4]

    def members_see_org_trail(self, parsed: dict[str, Any], **_: Any) -> None:
        trails = parsed.setdefault("trailList", [])
        if all(t.get("TrailARN") != self.org.org_trail_arn for t in trails):
            trails.append(dict(self.org.org_trail_listing))

    def throttle(self, request: Any, event_name: str = "", **_: Any) -> Any:
        auth = request.headers.get("Authorization", b"")
        auth = auth.decode() if isinstance(auth, bytes) else auth
        key = auth.split("Credential=", 1)[1].split("/")[0] if "Credential=" in auth else ""
        if self.keys.get(key) == self.org.throttled:
            self.throttled_calls.append(event_name)
            return _answer(request.url, 400, THROTTLED, "application/x-amz-json-1.1")
        return None
