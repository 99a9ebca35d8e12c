"""The capture table: (trail, event) -> expected decision, each row with the documented fact it
encodes (docs/semantics.md has the facts with their sources). Source keys: BC = botocore's
CloudTrail service model (the API Reference), UG / UG23 = CloudTrail User Guide, TF =
terraform-provider-aws, design = docs/architecture.md; §N = the topic (1 selectors, 3 readOnly,
4 Regions, 5 organizations, 6 Insights, 8 logging); issue references are GitHub threads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from checker.model import (
    AdvancedSelector,
    BasicSelector,
    DataResource,
    FieldSelector,
    MaybeStr,
    Selectors,
    Trail,
    Unknown,
)
from checker.simulator.capture import MEMBERS_UNKNOWN, OrgAccounts, Status
from checker.simulator.events import Event, Resource, UserIdentity

ACCOUNT = "111122223333"
MEMBER = "444455556666"
OUTSIDER = "777788889999"


@dataclass(frozen=True)
class Case:
    name: str
    trail: Trail
    event: Event
    expected: Status
    fact: str
    selector: str | None = None  # expected substring of Decision.selector
    reason: str | None = None  # expected substring of Decision.reason
    organization_accounts: OrgAccounts = MEMBERS_UNKNOWN
    default_region: str | None = None


# -- builders ------------------------------------------------------------------------------------


def trail(**kw: Any) -> Trail:
    base: dict[str, Any] = {
        "id": "aws_cloudtrail.t", "name": "t", "account_id": ACCOUNT, "home_region": "us-east-1",
        "is_multi_region": True,
    }  # fmt: skip
    base.update(kw)
    return Trail(**base)


def single(region: str, **kw: Any) -> Trail:
    return trail(**{"home_region": region, "is_multi_region": False, **kw})


def fs(field_name: str, **ops: tuple[MaybeStr, ...] | MaybeStr) -> FieldSelector:
    norm = {k: v if isinstance(v, tuple) else (v,) for k, v in ops.items()}
    return FieldSelector(field_name, **norm)


def adv(*selectors: AdvancedSelector) -> Selectors:
    return Selectors("advanced", advanced=selectors)


def sel(*fields: FieldSelector, name: str | None = None) -> AdvancedSelector:
    return AdvancedSelector(fields, name=name)


def basic(*selectors: BasicSelector) -> Selectors:
    return Selectors("basic", basic=selectors)


def data(kind: str, *values: MaybeStr) -> DataResource:
    return DataResource(kind, values)


def mgmt(source: str = "ec2.amazonaws.com", name: str = "RunInstances", region: str = "us-east-1",
         read_only: bool | None = False, **kw: Any) -> Event:  # fmt: skip
    kw.setdefault("recipient_account_id", ACCOUNT)
    return Event(source, name, region, read_only=read_only, **kw)


S3_READS = {"GetObject", "HeadObject", "GetObjectAcl"}


def s3(arn: str = "arn:aws:s3:::bkt/key", name: str = "PutObject", region: str = "us-east-1",
       **kw: Any) -> Event:  # fmt: skip
    bucket = arn.split(":::", 1)[1].split("/", 1)[0]
    kw.setdefault("recipient_account_id", ACCOUNT)
    kw.setdefault("read_only", name in S3_READS)
    resources = (
        Resource("AWS::S3::Object", arn), Resource("AWS::S3::Bucket", f"arn:aws:s3:::{bucket}")
    )
    return Event("s3.amazonaws.com", name, region, event_category="Data", resources=resources, **kw)


def lam(arn: str, region: str = "us-west-2") -> Event:
    return Event("lambda.amazonaws.com", "Invoke", region, event_category="Data", read_only=False,
                 recipient_account_id=ACCOUNT,
                 resources=(Resource("AWS::Lambda::Function", arn),))  # fmt: skip


def net(source: str = "ec2.amazonaws.com", region: str = "us-east-1",
        error_code: str | None = None) -> Event:  # fmt: skip
    return Event(source, "DescribeInstances", region, event_category="NetworkActivity",
                 recipient_account_id=ACCOUNT, error_code=error_code, event_type="AwsVpceEvent",
                 vpc_endpoint_id="vpce-0123456789abcdef0")  # fmt: skip


S3_OBJECTS = fs("resources.type", equals="AWS::S3::Object")
DATA = fs("eventCategory", equals="Data")
MANAGEMENT = fs("eventCategory", equals="Management")
NETWORK = fs("eventCategory", equals="NetworkActivity")
EC2 = fs("eventSource", equals="ec2.amazonaws.com")
DENIED = fs("errorCode", equals="VpceAccessDenied")
ALL_S3 = data("AWS::S3::Object", "arn:aws:s3")
HELLO = "arn:aws:lambda:us-west-2:111111111111:function:helloworld"
TABLE = "arn:aws:dynamodb:us-east-1:111122223333:table/orders"
STREAM = "arn:aws:dynamodb:us-east-1:111122223333:table/orders/stream/2024-01-01T00:00:00.000"
VAR = Unknown("var.x has no value")

# -- the table -----------------------------------------------------------------------------------

CASES: list[Case] = [
    # logging
    Case("logging off", trail(is_logging=False), mgmt(), "missed",
         "§8 BC StopLogging: 'the only way to stop recording'; a stopped trail records nothing",
         reason="logging is off"),
    Case("logging unknown", trail(is_logging=VAR), mgmt(), "unknown",
         "design: an unknown is never turned into a pass", reason="var.x"),
    Case("logging unknown but out of region", single("us-west-2", is_logging=VAR),
         mgmt(region="eu-west-1"), "missed",
         "design: a fail that holds whatever the unknown value is stays a fail",
         reason="single-region trail in us-west-2"),
    Case("logging off beats unknown selectors", trail(is_logging=False, selectors=VAR), mgmt(),
         "missed", "design: a fail that holds whatever the unknown value is stays a fail"),
    # accounts
    Case("other account, not an org trail", trail(), mgmt(recipient_account_id=OUTSIDER),
         "missed", "§4/§5 UG: a trail records its own account; only org trails cover others",
         reason=OUTSIDER),
    Case("org trail, member account", trail(is_organization=True),
         mgmt(recipient_account_id=MEMBER), "captured",
         "§5 UG23 creating-trail-organization: org trails log the management account and all "
         "members",
         organization_accounts=(ACCOUNT, MEMBER)),
    Case("org trail, account outside the organization", trail(is_organization=True),
         mgmt(recipient_account_id=OUTSIDER), "missed",
         "§5 UG23: an org trail covers member accounts only", reason="not a member",
         organization_accounts=(ACCOUNT, MEMBER)),
    Case("org trail, members unknown", trail(is_organization=True),
         mgmt(recipient_account_id=OUTSIDER), "captured",
         "design: when the member list is unknown, every account counts as a member"),
    Case("IaC trail with unknown account", trail(account_id=Unknown("no provider account")),
         mgmt(recipient_account_id=OUTSIDER), "captured",
         "design: an IaC trail whose account is unknown is taken to be in the event's account"),
    Case("org flag unknown, other account", trail(is_organization=VAR),
         mgmt(recipient_account_id=MEMBER), "unknown",
         "design: unknowns the decision depends on give unknown", reason="organization trail"),
    Case("org flag unknown, own account", trail(is_organization=VAR), mgmt(), "captured",
         "design: an unknown the decision does not depend on is ignored"),
    # regions
    Case("single-region, home region", single("us-west-2"), mgmt(region="us-west-2"), "captured",
         "§4 UG: a single-Region trail records its home Region"),
    Case("single-region, other region", single("us-west-2"), mgmt(region="eu-west-1"), "missed",
         "§4 UG: a single-Region trail records its home Region only",
         reason="single-region trail in us-west-2"),
    Case("multi-region, any region", trail(), mgmt(region="ap-southeast-2"), "captured",
         "§4 UG: a multi-Region trail covers all enabled Regions of its partition"),
    Case("multi-region, opt-in region", trail(), mgmt(region="me-central-1"), "captured",
         "§4 UG23/UG: newly opted-in Regions are added to multi-Region trails automatically"),
    Case("single-region, home unknown", single("x", home_region=Unknown("no provider region")),
         mgmt(region="eu-west-1"), "unknown",
         "design: when the home region cannot be known, decisions that need it are unknown",
         reason="no provider region"),
    Case("single-region, home from --region", single("x", home_region=Unknown("no region")),
         mgmt(region="eu-west-1"), "captured",
         "design: home region from the provider/stack region, the ARN, or --region",
         default_region="eu-west-1"),
    Case("single-region, home from the ARN",
         single("x", home_region=Unknown("no region"),
                arn="arn:aws:cloudtrail:eu-west-1:111122223333:trail/t"),
         mgmt(region="eu-west-1"), "captured",
         "design: home region from the provider/stack region, the ARN, or --region"),
    Case("multi-region, home unknown", trail(home_region=Unknown("no region")),
         mgmt(region="sa-east-1"), "captured",
         "design: home region unknown matters only to decisions that need it"),
    Case("multi-region, other partition", trail(home_region="us-gov-west-1"),
         mgmt(region="us-east-1"), "missed",
         "§4 UG: a multi-Region trail covers the Regions of its partition", reason="partition"),
    Case("multi-region unknown, home region", trail(is_multi_region=VAR),
         mgmt(region="us-east-1"), "captured",
         "design: an unknown the decision does not depend on is ignored"),
    Case("multi-region unknown, other region", trail(is_multi_region=VAR),
         mgmt(region="eu-west-1"), "unknown",
         "design: unknowns the decision depends on give unknown", reason="multi-region"),
    # global service events
    Case("IAM, multi-region trail", trail(), mgmt("iam.amazonaws.com", "CreateUser"), "captured",
         "§4 UG concepts: IAM events are recorded in us-east-1, covered by multi-Region trails"),
    Case("IAM, single-region trail outside us-east-1", single("us-west-2"),
         mgmt("iam.amazonaws.com", "CreateUser"), "missed",
         "§4 UG23 update-trail: a single-Region trail elsewhere gets no global service events",
         reason="single-region trail in us-west-2"),
    Case("IAM, single-region us-east-1 with GSE", single("us-east-1"),
         mgmt("iam.amazonaws.com", "CreateUser"), "captured",
         "§4 UG concepts: GSE and us-east-1 coverage"),
    Case("IAM, single-region us-east-1 without GSE",
         single("us-east-1", include_global_service_events=False),
         mgmt("iam.amazonaws.com", "CreateUser"), "missed",
         "§4 UG concepts: global service events need IncludeGlobalServiceEvents",
         reason="global service event"),
    Case("multi-region without GSE, IAM", trail(include_global_service_events=False),
         mgmt("iam.amazonaws.com", "AttachRolePolicy"), "missed",
         "§4 UG concepts: global service events need IncludeGlobalServiceEvents"),
    Case("CloudFront, GSE unknown", single("us-east-1", include_global_service_events=VAR),
         mgmt("cloudfront.amazonaws.com", "UpdateDistribution"), "unknown",
         "§4 UG concepts: CloudFront events are global service events", reason="var.x"),
    Case("EC2 event, GSE off", single("us-east-1", include_global_service_events=False), mgmt(),
         "captured", "§4 UG concepts: only IAM, STS global, CloudFront, sign-in are global"),
    Case("root ConsoleLogin, multi-region",
         trail(), mgmt("signin.amazonaws.com", "ConsoleLogin", event_type="AwsConsoleSignIn",
                       user_identity=UserIdentity(type="Root")),
         "captured", "§4 UG sign-in events: root sign-in is recorded in us-east-1"),
    Case("ConsoleLogin in us-east-2, single-region us-east-1", single("us-east-1"),
         mgmt("signin.amazonaws.com", "ConsoleLogin", region="us-east-2"), "missed",
         "§4 UG sign-in events: IAM user with alias cookie -> us-east-2, eu-north-1 or "
         "ap-southeast-2; only multi-Region trails reliably catch every ConsoleLogin",
         reason="single-region trail in us-east-1"),
    Case("ConsoleLogin in eu-north-1, single-region eu-north-1", single("eu-north-1"),
         mgmt("signin.amazonaws.com", "ConsoleLogin", region="eu-north-1"), "captured",
         "§4 UG concepts: 'Some global service events are logged as occurring in other Regions'"),
    Case("ConsoleLogin without GSE", single("us-east-1", include_global_service_events=False),
         mgmt("signin.amazonaws.com", "ConsoleLogin"), "missed",
         "§4 UG concepts: console sign-in events are global service events"),
    Case("STS global endpoint without GSE",
         single("us-east-1", include_global_service_events=False),
         mgmt("sts.amazonaws.com", "AssumeRole", read_only=True, host_header="sts.amazonaws.com"),
         "missed", "§4 UG concepts: STS global-endpoint events are global service events"),
    Case("STS Regional endpoint without GSE",
         single("us-east-1", include_global_service_events=False),
         mgmt("sts.amazonaws.com", "AssumeRole", read_only=True,
              host_header="sts.us-east-1.amazonaws.com"),
         "captured", "§4 UG: STS Regional-endpoint calls are logged in that Region as usual"),
    Case("STS in us-east-1, endpoint not recorded, without GSE",
         single("us-east-1", include_global_service_events=False),
         mgmt("sts.amazonaws.com", "AssumeRole", read_only=True), "unknown",
         "§4 UG: global vs Regional STS endpoint decides; the record lacks tlsDetails",
         reason="global endpoint"),
    # default selectors
    Case("default, read management event", trail(),
         mgmt(name="DescribeInstances", read_only=True), "captured",
         "§1 BC: no selectors = all read and write management events", selector="default"),
    Case("default, write management event", trail(), mgmt(), "captured",
         "§1 BC: no selectors = all read and write management events"),
    Case("default, KMS Decrypt", trail(), mgmt("kms.amazonaws.com", "Decrypt", read_only=True),
         "captured", "§1 BC: the default excludes no event source"),
    Case("default, S3 data event", trail(), s3(), "missed",
         "§1 BC: no selectors = no data events", reason="management events only"),
    Case("default, network activity", trail(), net(), "missed",
         "§3 BC: network activity events are off by default"),
    Case("default, Insight event", trail(),
         Event("", "", "us-east-1", event_category="Insight", event_type="AwsCloudTrailInsight"),
         "missed", "§6 BC: Insights are selected by insight selectors, not event selectors"),
    # basic selectors
    Case("basic ReadOnly, write event", trail(selectors=basic(BasicSelector("ReadOnly"))), mgmt(),
         "missed", "§1 BC ReadWriteType: ReadOnly logs read events only", reason="ReadOnly"),
    Case("basic ReadOnly, read event", trail(selectors=basic(BasicSelector("ReadOnly"))),
         mgmt(name="DescribeInstances", read_only=True), "captured",
         "§1 BC ReadWriteType", selector="selector 1 (basic: management ReadOnly)"),
    Case("basic WriteOnly, read event", trail(selectors=basic(BasicSelector("WriteOnly"))),
         mgmt(name="DescribeInstances", read_only=True), "missed", "§1 BC ReadWriteType"),
    Case("record without readOnly, WriteOnly", trail(selectors=basic(BasicSelector("WriteOnly"))),
         mgmt("signin.amazonaws.com", "ConsoleLogin", read_only=None), "captured",
         "§3 [UNC] records without readOnly are treated as write (selector_tests.event_is_read)"),
    Case("record without readOnly, ReadOnly", trail(selectors=basic(BasicSelector("ReadOnly"))),
         mgmt("signin.amazonaws.com", "ConsoleLogin", read_only=None), "missed",
         "§3 [UNC] records without readOnly are treated as write (selector_tests.event_is_read)"),
    Case("basic excludes KMS", trail(selectors=basic(BasicSelector(
         exclude_management_event_sources=("kms.amazonaws.com",)))),
         mgmt("kms.amazonaws.com", "Decrypt", read_only=True), "missed",
         "§1 BC ExcludeManagementEventSources", reason="kms.amazonaws.com"),
    Case("basic excludes RDS Data API", trail(selectors=basic(BasicSelector(
         exclude_management_event_sources=("rdsdata.amazonaws.com",)))),
         mgmt("rdsdata.amazonaws.com", "ExecuteStatement"), "missed",
         "§1 BC ExcludeManagementEventSources"),
    Case("basic excludes KMS, EC2 event", trail(selectors=basic(BasicSelector(
         exclude_management_event_sources=("kms.amazonaws.com",)))), mgmt(), "captured",
         "§1 BC ExcludeManagementEventSources removes only the listed sources"),
    Case("basic IncludeManagementEvents false", trail(selectors=basic(BasicSelector(
         include_management_events=False, data_resources=(ALL_S3,)))),
         mgmt(), "missed", "§1 BC IncludeManagementEvents", reason="IncludeManagementEvents"),
    Case("basic OR across selectors",
         trail(selectors=basic(BasicSelector("ReadOnly"), BasicSelector("WriteOnly"))), mgmt(),
         "captured", "§1 BC EventSelector: 'If the event matches any event selector, the trail "
         "processes and logs the event'", selector="selector 2"),
    Case("basic S3 bucket", trail(selectors=basic(BasicSelector(
         data_resources=(data("AWS::S3::Object", "arn:aws:s3:::bkt/"),)))),
         s3("arn:aws:s3:::bkt/photos/a.jpg"), "captured",
         "§1 BC DataResource: arn:aws:s3:::bkt/ = all objects in bkt"),
    Case("basic S3 prefix, other prefix", trail(selectors=basic(BasicSelector(
         data_resources=(data("AWS::S3::Object", "arn:aws:s3:::bkt/images"),)))),
         s3("arn:aws:s3:::bkt/docs/a.pdf"), "missed",
         "§1 BC DataResource: arn:aws:s3:::bkt/pfx = objects with that prefix"),
    Case("basic S3 prefix is a string prefix", trail(selectors=basic(BasicSelector(
         data_resources=(data("AWS::S3::Object", "arn:aws:s3:::bkt/images"),)))),
         s3("arn:aws:s3:::bkt/images-old/a.jpg"), "captured",
         "§1 BC DataResource: prefix match on the object ARN"),
    Case("basic S3 all buckets", trail(selectors=basic(BasicSelector(
         data_resources=(ALL_S3,)))),
         s3("arn:aws:s3:::anything/at/all"), "captured",
         "§1 BC DataResource: arn:aws:s3 = all buckets"),
    Case("basic S3 bucket without slash", trail(selectors=basic(BasicSelector(
         data_resources=(data("AWS::S3::Object", "arn:aws:s3:::bkt"),)))),
         s3("arn:aws:s3:::bkt/key"), "missed",
         "§1 [UNC] AWS rejects arn:aws:s3:::bkt (terraform-provider-aws#4043): it selects nothing"),
    Case("basic S3 star is literal", trail(selectors=basic(BasicSelector(
         data_resources=(data("AWS::S3::Object", "arn:aws:s3:::bkt/*"),)))),
         s3("arn:aws:s3:::bkt/file.txt"), "missed",
         "§1 BC DataResource values are prefixes; `*` is no wildcard (aws-samples SRA#335)"),
    Case("basic Lambda exact match", trail(selectors=basic(BasicSelector(
         data_resources=(data("AWS::Lambda::Function", HELLO),)))), lam(HELLO), "captured",
         "§1 BC DataResource: a specific Lambda ARN is an exact match"),
    Case("basic Lambda helloworld2", trail(selectors=basic(BasicSelector(
         data_resources=(data("AWS::Lambda::Function", HELLO),)))), lam(HELLO + "2"), "missed",
         "§1 BC DataResource: ...:function:helloworld does not match helloworld2"),
    Case("basic Lambda all", trail(selectors=basic(BasicSelector(
         data_resources=(data("AWS::Lambda::Function", "arn:aws:lambda"),)))),
         lam("arn:aws:lambda:us-west-2:999999999999:function:theirs"), "captured",
         "§1 BC DataResource: arn:aws:lambda = all functions, other accounts' included"),
    Case("basic DynamoDB table logs its stream events", trail(selectors=basic(BasicSelector(
         data_resources=(data("AWS::DynamoDB::Table", TABLE),)))),
         Event("dynamodb.amazonaws.com", "GetRecords", "us-east-1", event_category="Data",
               read_only=True, resources=(Resource("AWS::DynamoDB::Stream", STREAM),
                                          Resource("AWS::DynamoDB::Table", TABLE))),
         "captured", "§2 UG: selecting AWS::DynamoDB::Table logs the stream events too"),
    Case("basic WriteOnly on a data read", trail(selectors=basic(BasicSelector("WriteOnly",
         data_resources=(ALL_S3,)))),
         s3(name="GetObject"), "missed",
         "§1 BC GetEventSelectors: ReadWriteType applies to data events too"),
    Case("basic data events, single-region trail, other region", single("us-east-1",
         selectors=basic(BasicSelector(data_resources=(ALL_S3,)))),
         s3(region="eu-west-1"), "missed",
         "§1 UG23 logging-data-events: a single-Region trail logs data events only for resources "
         "in its Region"),
    Case("basic unknown IncludeManagementEvents, data event", trail(selectors=basic(BasicSelector(
         include_management_events=VAR,
         data_resources=(ALL_S3,)))),
         s3(), "captured", "design: an unknown the decision does not depend on is ignored"),
    Case("basic unknown IncludeManagementEvents, management event",
         trail(selectors=basic(BasicSelector(include_management_events=VAR))), mgmt(), "unknown",
         "design: unknowns the decision depends on give unknown"),
    Case("basic, network activity", trail(selectors=basic(BasicSelector())), net(), "missed",
         "§3 BC: network activity events need advanced selectors"),
    # advanced selectors
    Case("advanced management", trail(selectors=adv(sel(MANAGEMENT))), mgmt(), "captured",
         "§2 UG23: the console's 'Management events selector' = eventCategory Equals Management"),
    Case("advanced read-only management, write event",
         trail(selectors=adv(sel(MANAGEMENT, fs("readOnly", equals="true")))), mgmt(), "missed",
         "§2 BC: readOnly Equals true selects read events only", reason="readOnly"),
    Case("advanced eventSource NotEquals kms", trail(selectors=adv(sel(
         MANAGEMENT, fs("eventSource", not_equals="kms.amazonaws.com")))),
         mgmt("kms.amazonaws.com", "GenerateDataKey", read_only=True), "missed",
         "§2 BC/UG: management eventSource NotEquals kms.amazonaws.com excludes KMS"),
    Case("advanced S3 bucket StartsWith", trail(selectors=adv(sel(
         DATA, S3_OBJECTS, fs("resources.ARN", starts_with="arn:aws:s3:::payroll/"),
         name="payroll"))), s3("arn:aws:s3:::payroll/2026/jan.csv"), "captured",
         "§2 BC24: whole bucket = resources.ARN StartsWith arn:...:s3:::bkt/",
         selector='selector 1 "payroll" (advanced: Data, AWS::S3::Object, resources.ARN '
                  "StartsWith arn:aws:s3:::payroll/)"),
    Case("DESELECT beats SELECT", trail(selectors=adv(sel(
         DATA, S3_OBJECTS, fs("resources.ARN", starts_with="arn:aws:s3:::bkt/",
                              not_starts_with="arn:aws:s3:::bkt/deselect")))),
         s3("arn:aws:s3:::bkt/deselectObject4"), "missed",
         "§2 UG filtering-data-events: 'If any of the DESELECT operator conditions are met, the "
         "event is not delivered'", reason="deselected"),
    Case("DESELECT leaves the rest", trail(selectors=adv(sel(
         DATA, S3_OBJECTS, fs("resources.ARN", starts_with="arn:aws:s3:::bkt/",
                              not_starts_with="arn:aws:s3:::bkt/deselect")))),
         s3("arn:aws:s3:::bkt/object1"), "captured",
         "§2 UG filtering-data-events: (any SELECT) and (no DESELECT)"),
    Case("DESELECT values are all applied", trail(selectors=adv(sel(
         DATA, S3_OBJECTS, fs("eventName", not_equals=("DeleteObject", "PutObject"))))),
         s3(name="PutObject"), "missed",
         "§2 UG filtering-data-events: DESELECT conditions are AND'd; any one drops the event"),
    Case("star is literal in advanced selectors", trail(selectors=adv(sel(
         DATA, S3_OBJECTS, fs("resources.ARN", starts_with="arn:aws:s3:::bkt/*")))),
         s3("arn:aws:s3:::bkt/file"), "missed", "§2 BC Field doc: no wildcards, `*` is literal"),
    Case("star is literal, literal star matches", trail(selectors=adv(sel(
         DATA, S3_OBJECTS, fs("resources.ARN", starts_with="arn:aws:s3:::bkt/*")))),
         s3("arn:aws:s3:::bkt/*weird-key"), "captured",
         "§2 BC Field doc: no wildcards, `*` is literal"),
    Case("eventName SELECT values are OR'd", trail(selectors=adv(sel(
         DATA, S3_OBJECTS, fs("eventName", equals=("PutObject", "DeleteObject"))))),
         s3(name="DeleteObject"), "captured",
         "§2 UG filtering-data-events: SELECT values of one field are OR'd"),
    Case("eventName not selected", trail(selectors=adv(sel(
         DATA, S3_OBJECTS, fs("eventName", equals=("PutObject", "DeleteObject"))))),
         s3(name="GetObject"), "missed", "§2 UG filtering-data-events: SELECT values",
         reason="eventName"),
    Case("Equals on a bucket ARN misses objects", trail(selectors=adv(sel(
         DATA, S3_OBJECTS, fs("resources.ARN", equals="arn:aws:s3:::bkt/")))),
         s3("arn:aws:s3:::bkt/key"), "missed",
         "terraform-provider-aws#32619/#28582: Equals needs the exact ARN; use StartsWith"),
    Case("AND across field selectors", trail(selectors=adv(sel(
         DATA, S3_OBJECTS, fs("eventName", equals="PutObject"),
         fs("resources.ARN", starts_with="arn:aws:s3:::bkt/")))),
         s3("arn:aws:s3:::other/key"), "missed",
         "§2 UG filtering-data-events: field selectors of one selector are AND'd"),
    Case("OR across advanced selectors", trail(selectors=adv(
         sel(MANAGEMENT), sel(DATA, S3_OBJECTS))), s3(), "captured",
         "§2 BC: an event matching any advanced selector is logged", selector="selector 2"),
    Case("readOnly false on data reads", trail(selectors=adv(sel(
         DATA, S3_OBJECTS, fs("readOnly", equals="false")))), s3(name="GetObject"), "missed",
         "§2/§3: readOnly Equals false selects writes; GetObject is a read"),
    Case("resources.type other type", trail(selectors=adv(sel(
         DATA, fs("resources.type", equals="AWS::Lambda::Function")))), s3(), "missed",
         "§2 BC: resources.type selects the resource type", reason="resources.type"),
    Case("advanced DynamoDB table logs stream events", trail(selectors=adv(sel(
         DATA, fs("resources.type", equals="AWS::DynamoDB::Table")))),
         Event("dynamodb.amazonaws.com", "GetRecords", "us-east-1", event_category="Data",
               read_only=True, resources=(Resource("AWS::DynamoDB::Stream", STREAM),
                                          Resource("AWS::DynamoDB::Table", TABLE))),
         "captured",
         "§2 UG: Table and Stream both appear in resources; the Table selector logs it"),
    Case("userIdentity.arn DESELECT", trail(selectors=adv(sel(
         DATA, S3_OBJECTS, fs("userIdentity.arn",
                              not_starts_with="arn:aws:sts::111122223333:assumed-role/etl")))),
         s3(user_identity=UserIdentity(arn="arn:aws:sts::111122223333:assumed-role/etl/job")),
         "missed", "§2 CFN/BC: userIdentity.arn filters data events on trails"),
    Case("eventType NotEquals AwsServiceEvent", trail(selectors=adv(sel(
         DATA, S3_OBJECTS, fs("eventType", not_equals="AwsServiceEvent")))),
         s3(event_type="AwsServiceEvent"), "missed",
         "§2 table: eventType on data events, e.g. NotEquals AwsServiceEvent"),
    Case("sessionCredentialFromConsole Equals true, API call", trail(selectors=adv(sel(
         DATA, S3_OBJECTS, fs("sessionCredentialFromConsole", equals="true")))), s3(), "missed",
         "§13 UG23: sessionCredentialFromConsole is present only when true"),
    Case("sessionCredentialFromConsole Equals true, console call", trail(selectors=adv(sel(
         DATA, S3_OBJECTS, fs("sessionCredentialFromConsole", equals="true")))),
         s3(session_credential_from_console=True), "captured",
         "§2 table: sessionCredentialFromConsole Equals true"),
    Case("network activity for EC2", trail(selectors=adv(sel(
         NETWORK, EC2))),
         net(), "captured",
         "§3 UG logging-network-events: calls through the owner's VPC endpoints"),
    Case("network activity for KMS, EC2 event", trail(selectors=adv(sel(
         NETWORK, fs("eventSource", equals="kms.amazonaws.com")))),
         net(), "missed", "§2 table: NetworkActivity needs eventSource Equals, one source"),
    Case("network activity denials only, allowed call", trail(selectors=adv(sel(
         NETWORK, EC2, DENIED))), net(), "missed",
         "§3 UG logging-network-events: errorCode VpceAccessDenied selects denied calls"),
    Case("network activity denials only, denied call", trail(selectors=adv(sel(
         NETWORK, EC2, DENIED))), net(error_code="VpceAccessDenied"),
         "captured", "§3 UG logging-network-events: errorCode VpceAccessDenied"),
    Case("management selector, network event", trail(selectors=adv(sel(MANAGEMENT))), net(),
         "missed", "§3 BC: network activity is its own eventCategory"),
    # unknown values inside selectors
    Case("unknown SELECT value, known value matches", trail(selectors=adv(sel(
         DATA, S3_OBJECTS, fs("resources.ARN", starts_with=("arn:aws:s3:::bkt/", VAR))))),
         s3("arn:aws:s3:::bkt/k"), "captured",
         "design: an unknown the decision does not depend on is ignored (SELECT values OR'd)"),
    Case("unknown SELECT value, no known value matches", trail(selectors=adv(sel(
         DATA, S3_OBJECTS, fs("resources.ARN", starts_with=("arn:aws:s3:::bkt/", VAR))))),
         s3("arn:aws:s3:::other/k"), "unknown", "design: unknowns the decision depends on",
         reason="var.x"),
    Case("unknown DESELECT value", trail(selectors=adv(sel(
         DATA, S3_OBJECTS, fs("resources.ARN", not_starts_with=VAR)))), s3(), "unknown",
         "design: an unknown DESELECT may drop the event"),
    Case("unknown DESELECT, event fails a known field", trail(selectors=adv(sel(
         DATA, S3_OBJECTS, fs("resources.ARN", not_starts_with=VAR)))), mgmt(), "missed",
         "design: a fail that holds whatever the unknown value is stays a fail"),
    Case("selectors unknown", trail(selectors=VAR), mgmt(), "unknown",
         "design: unknowns the decision depends on give unknown", reason="event selectors"),
    Case("selectors unknown, other region", single("us-west-2", selectors=VAR),
         mgmt(region="eu-west-1"), "missed",
         "design: a fail that holds whatever the unknown value is stays a fail"),
    Case("one selector unknown, another matches", trail(selectors=basic(
         BasicSelector(read_write_type=VAR), BasicSelector("WriteOnly"))), mgmt(), "captured",
         "§1 BC: selectors are OR'd, so a matching selector decides"),
]
