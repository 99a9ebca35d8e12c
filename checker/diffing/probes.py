"""What one trail records, as a finite set of probe events, so that two versions of the same
trail can be compared event by event ("narrowed" or "widened").

The probes are built from the values both versions name (as `checker.simulator.coverage` does
for one trail): S3 object reads and writes on an object of a bucket no selector names ("all
buckets"), on each named value itself, inside each named prefix, and on another object of each
named bucket; every management event class (read/write x an ordinary source, KMS, RDS Data) and
global service events. A probe is labelled for the changelog ("PutObject on all buckets").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from checker.model import FieldSelector, Trail, Unknown
from checker.regions import global_region, partition_of
from checker.simulator.capture import OrgAccounts, compile_trail
from checker.simulator.coverage import S3_OBJECT_READS
from checker.simulator.events import Event, Resource
from checker.tri import Status

S3_OBJECT = "AWS::S3::Object"
ALL_BUCKETS = "all buckets"
PROBE_BUCKET = "trailcheck-diff-probe-bucket"
PROBE_KEY = "trailcheck-diff-probe-key"
WRITE_NAMES = ("PutObject", "DeleteObject")
READ_NAMES = ("GetObject",)
MANAGEMENT_SOURCES = ("ec2.amazonaws.com", "kms.amazonaws.com", "rdsdata.amazonaws.com")


@dataclass(frozen=True)
class Probe:
    event: Event
    area: str  # "s3" | "management" | "global"
    what: str  # "PutObject on all buckets", "write management events from ec2.amazonaws.com"
    target: str  # the changelog's grouping key: "all buckets", "objects under arn:…", ...


@dataclass(frozen=True)
class ProbeResult:
    probe: Probe
    base: Status  # the capture decisions' statuses
    head: Status
    base_reason: str
    head_reason: str


def _s3_values(trail: Trail) -> tuple[list[str], list[str]]:
    """resources.ARN values (exact, prefixes) the trail's S3 object selectors name, and the
    eventName values any of its data selectors name."""
    arns: list[str] = []
    names: list[str] = []
    selectors = trail.selectors
    if isinstance(selectors, Unknown):
        return arns, names
    for basic in selectors.basic:
        for dr in basic.data_resources:
            arns += [v for v in dr.values if isinstance(v, str)]
    for adv in selectors.advanced:
        for fs in adv.field_selectors:
            if fs.field == "resources.ARN":
                arns += _field_values(fs)
            elif fs.field == "eventName":
                names += _field_values(fs)
    return arns, names


def _field_values(fs: FieldSelector) -> list[str]:
    values = (*fs.equals, *fs.not_equals, *fs.starts_with, *fs.not_starts_with)
    return [v for v in values if isinstance(v, str)]


def _bucket(arn: str) -> str | None:
    head, sep, rest = arn.partition(":::")
    if not sep or not head.startswith("arn:") or not head.endswith(":s3"):
        return None
    return rest.split("/", 1)[0] or None


def _object_targets(values: Iterable[str], partition: str) -> list[tuple[str, str]]:
    """(object ARN, label) pairs: the probe bucket plus objects built from each named value; an
    object's ARN is in the partition of the Region probed (S3 UG, ARN format)."""
    s3 = f"arn:{partition}:s3:::"
    out: dict[str, str] = {f"{s3}{PROBE_BUCKET}/{PROBE_KEY}": ALL_BUCKETS}
    for value in sorted(set(values)):
        bucket = _bucket(value)
        if bucket is None:
            continue
        rest = value.split(":::", 1)[1]
        if "/" in rest:
            out.setdefault(value + PROBE_KEY, f"objects under {value}")
            out.setdefault(value, value)
        out.setdefault(f"{s3}{bucket}/{PROBE_KEY}", f"bucket {bucket}")
    return list(out.items())


def s3_probes(trails: Sequence[Trail], regions: Sequence[str]) -> list[Probe]:
    arns: list[str] = []
    extra_names: list[str] = []
    for trail in trails:
        a, n = _s3_values(trail)
        arns += a
        extra_names += n
    names = list(dict.fromkeys([*WRITE_NAMES, *READ_NAMES, *sorted(set(extra_names))]))
    targets: dict[str, list[tuple[str, str]]] = {}
    probes = []
    for region in regions:
        partition = partition_of(region)
        if partition not in targets:
            targets[partition] = _object_targets(arns, partition)
        for arn, label in targets[partition]:
            bucket = f"{arn.split(':::', 1)[0]}:::{_bucket(arn) or PROBE_BUCKET}"
            resources = (Resource(S3_OBJECT, arn), Resource("AWS::S3::Bucket", bucket))
            for name in names:
                event = Event(
                    "s3.amazonaws.com", name, region, event_category="Data",
                    read_only=name in S3_OBJECT_READS or name.startswith(("Get", "Head", "List")),
                    resources=resources,
                )  # fmt: skip
                probes.append(Probe(event, "s3", f"{name} on {label}", label))
    return probes


def management_probes(regions: Sequence[str]) -> list[Probe]:
    probes = []
    for region in regions:
        for source in MANAGEMENT_SOURCES:
            for read_only in (True, False):
                kind = "read" if read_only else "write"
                name = "DescribeTrailcheckProbe" if read_only else "ModifyTrailcheckProbe"
                event = Event(source, name, region, read_only=read_only)
                label = f"{kind} management events" + (
                    "" if source == MANAGEMENT_SOURCES[0] else f" from {source}"
                )
                probes.append(Probe(event, "management", label, label))
        signin = Event("signin.amazonaws.com", "ConsoleLogin", region, read_only=False,
                       event_type="AwsConsoleSignIn")  # fmt: skip
        probes.append(Probe(signin, "global", "console sign-in events", "global service events"))
        if region == global_region(partition_of(region), "iam.amazonaws.com")[0]:
            iam = Event("iam.amazonaws.com", "CreateUser", region, read_only=False,
                        host_header="iam.amazonaws.com")  # fmt: skip
            probes.append(Probe(iam, "global", "IAM events", "global service events"))
    return probes


def compare_trail(
    base: Trail,
    head: Trail,
    regions: Sequence[str],
    *,
    default_region: str | None = None,
    base_members: OrgAccounts | None = None,
    head_members: OrgAccounts | None = None,
) -> list[ProbeResult]:
    """Every probe whose decision differs between the two versions of the trail."""
    kwargs_b = {} if base_members is None else {"organization_accounts": base_members}
    kwargs_h = {} if head_members is None else {"organization_accounts": head_members}
    cb = compile_trail(base, default_region=default_region, **kwargs_b)
    ch = compile_trail(head, default_region=default_region, **kwargs_h)
    out = []
    for probe in [*s3_probes((base, head), regions), *management_probes(regions)]:
        db = cb.decide(probe.event)
        dh = ch.decide(probe.event)
        if db.status != dh.status:
            out.append(ProbeResult(probe, db.status, dh.status, db.reason, dh.reason))
    return out


def s3_scope(trail: Trail) -> str:
    """What the trail's selectors record of S3 objects, in a few words, for the changelog."""
    selectors = trail.selectors
    if isinstance(selectors, Unknown):
        return f"its selectors are unknown ({selectors.reason})"
    values: list[str] = []
    any_s3 = False
    for basic in selectors.basic:
        for dr in basic.data_resources:
            if dr.type == S3_OBJECT:
                any_s3 = True
                values += [v if isinstance(v, str) else f"<{v}>" for v in dr.values]
    for adv in selectors.advanced:
        fields = {fs.field: fs for fs in adv.field_selectors}
        rtype = fields.get("resources.type")
        if rtype is None or S3_OBJECT not in rtype.equals:
            continue
        any_s3 = True
        arn = fields.get("resources.ARN")
        if arn is None:
            values.append("arn:aws:s3")
            continue
        for op, vals in arn.operator_values():
            shown = ", ".join(v if isinstance(v, str) else f"<{v}>" for v in vals)
            values.append(shown if op in ("starts_with", "equals") else f"{op} {shown}")
    if not any_s3:
        return "no S3 object events"
    if any(re.fullmatch(r"arn:aws[a-z-]*:s3:*", v) for v in values):  # any partition
        return "S3 object events on all buckets"
    return "only " + ", ".join(dict.fromkeys(v + ("…" if v.endswith("/") else "") for v in values))
