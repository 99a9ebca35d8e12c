"""CT011: selectors AWS would accept, and that do what they seem to.

Two kinds of problem, both `fail`: configurations AWS rejects (the field/operator/category table of
docs/semantics.md "Selectors AWS accepts", its limits, multi-region without global service events)
and configurations AWS accepts that do not do what they seem (`*` read as a wildcard, Equals on a
bucket ARN, a bucket prefix without its `/`, a selector that logs nothing, data events on the
trail's own log bucket). A problem is `unknown` when the value it depends on is unknown.
Basic and advanced selectors mixed cannot be represented in the model; loaders report it.
The advanced-selector checks are shared with event data stores (CT054): `selector_validity`.
"""

from __future__ import annotations

import re
from dataclasses import replace

from checker.model import (
    BasicSelector,
    Estate,
    MaybeStr,
    PartlyKnown,
    Trail,
    Unknown,
)
from checker.regions import US_EAST_1
from checker.simulator.capture import BASIC_DATA_TYPES, compile_trail
from checker.simulator.events import Event, Resource, UserIdentity
from checker.simulator.selector_tests import s3_value_rejected
from checker.simulator.selector_validity import (
    MANAGEMENT_SOURCE_EXCLUSIONS,
    Problem,
    check_advanced,
)
from checker.simulator.selector_validity import fail as _fail
from checker.simulator.selector_validity import unknown as _unknown
from checker.simulator.stand_ins import StandIns, names_one_bucket

# Limits (BC InvalidEventSelectorsException; UG23 quotas; TF event_selector MaxItems 5).
MAX_BASIC_SELECTORS = 5
MAX_BASIC_DATA_VALUES = 250


def check_selectors(
    trail: Trail, estate: Estate | None = None, *, default_region: str | None = None
) -> list[Problem]:
    """Every CT011 problem of one trail, in a stable order."""
    problems: list[Problem] = []
    problems += _check_global_events(trail)
    selectors = trail.selectors
    if isinstance(selectors, Unknown):
        problems.append(_unknown(f"the event selectors are unknown ({selectors.reason})"))
        return problems
    if selectors.kind == "basic":
        problems += _check_basic(selectors.basic)
    elif selectors.kind == "advanced":
        problems += check_advanced(selectors.advanced, "trail")
    problems += _check_own_bucket(trail, estate, default_region)
    return list(dict.fromkeys(problems))


# --------------------------------------------------------------------------------------------
# Trail settings


def _check_global_events(trail: Trail) -> list[Problem]:
    """A multi-Region trail must include global service events: AWS answers
    InvalidParameterCombinationException (MOTO create_trail; hashicorp/terraform#4939)."""
    multi, gse = trail.is_multi_region, trail.include_global_service_events
    if multi is False or gse is True:
        return []
    if multi is True and gse is False:
        return [_fail("a multi-region trail must include global service events "
                      "(AWS rejects it: InvalidParameterCombinationException)",
                      "include_global_service_events")]
    if isinstance(multi, Unknown) and gse is False:
        return [_unknown("global service events are off and whether the trail is "
                         f"multi-region is unknown ({multi.reason})", "is_multi_region")]
    if multi is True and isinstance(gse, Unknown):
        return [_unknown("multi-region trail whose include_global_service_events is "
                         f"unknown ({gse.reason})", "include_global_service_events")]
    return []


# --------------------------------------------------------------------------------------------
# Basic selectors


def _is_all_value(value: str) -> bool:
    parts = value.split(":")
    return (
        len(parts) >= 3 and parts[0] == "arn" and parts[2] in ("s3", "lambda", "dynamodb")
        and all(p == "" for p in parts[3:])
    )


_BASIC_SERVICE = {
    "AWS::S3::Object": "s3",
    "AWS::Lambda::Function": "lambda",
    "AWS::DynamoDB::Table": "dynamodb",
}


def _check_basic(selectors: tuple[BasicSelector, ...]) -> list[Problem]:
    problems: list[Problem] = []
    if len(selectors) > MAX_BASIC_SELECTORS:
        problems.append(_fail(f"{len(selectors)} basic event selectors; AWS accepts at "
                              f"most {MAX_BASIC_SELECTORS}"))
    counted = [
        v for s in selectors for dr in s.data_resources for v in dr.values
        if not (isinstance(v, str) and _is_all_value(v))
    ]
    if len(counted) > MAX_BASIC_DATA_VALUES:
        problems.append(_fail(f"{len(counted)} data resource values; AWS accepts at most "
                              f"{MAX_BASIC_DATA_VALUES} across all selectors"))
    for index, selector in enumerate(selectors, 1):
        problems += [
            Problem(p.status, f"selector {index}: {p.message}", p.attribute)
            for p in _check_one_basic(selector)
        ]
    return problems


def _check_one_basic(selector: BasicSelector) -> list[Problem]:
    problems: list[Problem] = []
    rw = selector.read_write_type
    if isinstance(rw, str) and rw not in ("ReadOnly", "WriteOnly", "All"):
        problems.append(_fail(f"ReadWriteType {rw!r} is not ReadOnly, WriteOnly or All"))
    mgmt = selector.include_management_events
    excluded = selector.exclude_management_event_sources
    for source in excluded:
        if isinstance(source, str) and source not in MANAGEMENT_SOURCE_EXCLUSIONS:
            problems.append(_fail(f"ExcludeManagementEventSources {source!r}: AWS accepts "
                                  "only kms.amazonaws.com and rdsdata.amazonaws.com"))
    if excluded and mgmt is False:
        problems.append(_fail("ExcludeManagementEventSources has no effect without "
                              "IncludeManagementEvents (Terraform rejects it)"))
    if mgmt is False and not selector.data_resources:
        problems.append(_fail("logs nothing: IncludeManagementEvents is false and there "
                              "are no data resources"))
    unknown = next((v for dr in selector.data_resources for v in (dr.type, *dr.values)
                    if isinstance(v, Unknown) and not _value_checked(dr.type, v)), None)
    if unknown is not None:
        problems.append(_unknown(f"a data resource is unknown ({unknown.reason})"))
    for dr in selector.data_resources:
        if isinstance(dr.type, Unknown):
            continue
        if dr.type not in BASIC_DATA_TYPES:
            allowed = ", ".join(BASIC_DATA_TYPES)
            problems.append(_fail(f"data resource type {dr.type!r} needs advanced selectors; "
                                  f"basic ones accept only {allowed}"))
            continue
        if not dr.values:
            problems.append(_fail(f"{dr.type} data resource without values"))
        for value in dr.values:
            if isinstance(value, str):
                problems += _check_basic_value(dr.type, value)
            elif isinstance(value, PartlyKnown) and _known_star(value) is not None:
                problems.append(_fail(f"a data resource value has `*` in {_known_star(value)!r}:"
                                      " `*` is not a wildcard in data resource values"))
    return problems


def _value_checked(kind: MaybeStr, value: MaybeStr) -> bool:
    """A partly known S3 value whose known text settles every check of `_check_basic_value`:
    it names one bucket (`${aws_s3_bucket.b.arn}/`), so its form is right; a `*` in its known
    text is reported by `_known_star`."""
    return kind == "AWS::S3::Object" and isinstance(value, PartlyKnown) and (
        names_one_bucket(value) or _known_star(value) is not None
    )


def _known_star(value: PartlyKnown) -> str | None:
    return next((p for p in value.parts if p is not None and "*" in p), None)


def _check_basic_value(kind: str, value: str) -> list[Problem]:
    service = _BASIC_SERVICE[kind]
    if not re.match(rf"^arn:[a-z-]+:{service}(:|$)", value):
        return [_fail(f"{value!r} is not a {kind} ARN (arn:aws:{service}...)")]
    if "*" in value:
        # AWS rejects "arn:aws:s3:::*" and "arn:aws:lambda:*" (aws-samples/
        # aws-security-reference-architecture-examples#335) and "cg-*/*" (cloud-gov/
        # terraform-provision#414); a `*` in an object key is a literal character.
        return [_fail(f"{value!r}: `*` is not a wildcard in data resource values "
                      f"(use arn:aws:{service} for all resources)")]
    if service == "s3" and s3_value_rejected(value):
        return [_fail(f"{value!r}: AWS rejects a bucket ARN without the trailing `/` "
                      f"(InvalidEventSelectorsException); write {value}/ for all its objects")]
    return []


# --------------------------------------------------------------------------------------------
# Data events on the trail's own bucket

_UNNAMED_BUCKET = "trailcheck-unnamed-log-bucket"


def _check_own_bucket(
    trail: Trail, estate: Estate | None, default_region: str | None
) -> list[Problem]:
    """Data events on the trail's own log bucket: every log file CloudTrail delivers is an object
    write that is logged again in the next file (recursive logging, billed as data events)."""
    if trail.bucket is None:
        return []
    bucket = estate.bucket_of(trail) if estate is not None else None
    name: str | None = None
    judged = trail
    stand_ins = StandIns()
    named = stand_ins.string(bucket.name) if bucket is not None else None
    if isinstance(named, str):
        # a name built from unknowns (`logs-${random_id.s.hex}`): selectors built from the same
        # unknowns name the same bucket whatever it is called
        name = named
        judged = stand_ins.trail(trail)
    elif isinstance(trail.bucket.value, str):
        value = trail.bucket.value
        name = value.split(":::", 1)[1].split("/", 1)[0] if ":::" in value else value
    region = (
        bucket.region if bucket is not None and isinstance(bucket.region, str)
        else trail.home_region if isinstance(trail.home_region, str)
        else default_region or US_EAST_1
    )
    account = trail.account_id if isinstance(trail.account_id, str) else "111122223333"
    probe_bucket = name or _UNNAMED_BUCKET
    arn = f"arn:aws:s3:::{probe_bucket}/AWSLogs/{account}/CloudTrail/{region}/log.json.gz"
    event = Event(
        "s3.amazonaws.com", "PutObject", region, event_category="Data", read_only=False,
        resources=(Resource("AWS::S3::Object", arn),
                   Resource("AWS::S3::Bucket", f"arn:aws:s3:::{probe_bucket}")),
        user_identity=UserIdentity(type="AWSService"),
        event_type="AwsApiCall",
    )
    compiled = compile_trail(replace(judged, is_logging=True), default_region=default_region)
    decision = compiled.decide(event)
    if decision.status == "pass" and compiled.decide(_elsewhere(event)).status == "pass":
        # Selectors for every bucket include the log bucket. That is what CT009/CT010 and CIS
        # ask for, so it is no mistake; the problem is naming the log bucket on purpose.
        return []
    if decision.status != "pass":
        if name is None and _selects_s3_objects(judged):
            return [_unknown("whether the trail logs data events on its own log bucket "
                             "is unknown: the bucket name is unknown", "bucket")]
        return []
    shown = name or "its log bucket"
    return [_fail(f"logs data events on its own log bucket {shown} ({decision.selector}): "
                  "each log delivery is an object write that is logged again", "selectors",
                  rejected=False)]


def _elsewhere(event: Event) -> Event:
    """The same delivery, into a bucket no selector can name."""
    other = "trailcheck-unrelated-bucket"
    return replace(event, resources=(
        Resource("AWS::S3::Object", f"arn:aws:s3:::{other}/AWSLogs/log.json.gz"),
        Resource("AWS::S3::Bucket", f"arn:aws:s3:::{other}"),
    ))


def _selects_s3_objects(trail: Trail) -> bool:
    selectors = trail.selectors
    if isinstance(selectors, Unknown):
        return False
    for basic in selectors.basic:
        if any(dr.type == "AWS::S3::Object" for dr in basic.data_resources):
            return True
    return any(
        f.field == "resources.type" and "AWS::S3::Object" in f.equals
        for adv in selectors.advanced
        for f in adv.field_selectors
    )
