"""Probe values: from the field selectors of trails, the values of each event field that tell
apart every group of events those selectors can (`checker.simulator.coverage` builds its probe
events from them; its docstring says why the sets are complete)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Iterable, Sequence
from functools import lru_cache, partial

from checker.model import FieldSelector, Trail, Unknown
from checker.regions import partition_of
from checker.simulator.events import Event, Resource, UserIdentity
from checker.simulator.selector_tests import FieldTest
from checker.simulator.sharing import Shared, in_runs
from checker.tri import FAIL_CODE

PROBE_BUCKET = "trailcheck-probe-bucket"
PROBE_KEY = "trailcheck-probe-key"
PROBE_IDENTITY = "arn:aws:iam::111122223333:role/trailcheck-probe"
# Beyond this many probes per Region, axes vary one at a time (still every named value, but not
# every combination); no realistic configuration comes close.
MAX_PROBES_PER_REGION = 20_000


def selector_fields(
    trails: Iterable[Trail], category: str, shared: Shared | None = None
) -> dict[str, list[FieldSelector]]:
    """Field selectors that can apply to events of `category`, by field; basic S3 data resource
    values count as resources.ARN StartsWith (basic S3 values are prefixes, BC DataResource).
    With `shared`, other units' organization trails' are worked out and merged once per scan."""
    out: dict[str, list[FieldSelector]] = {}

    def add(fields: dict[str, list[FieldSelector]]) -> None:
        for name, found in fields.items():
            out.setdefault(name, []).extend(found)

    for foreign, run in in_runs(trails):
        if foreign and shared is not None:
            add(_foreign_fields(run, category, shared))
            continue
        for trail in run:
            add(trail_fields(trail, category))
    return out


def _foreign_fields(run: list[Trail], category: str, shared: Shared
                    ) -> dict[str, list[FieldSelector]]:  # fmt: skip
    """`selector_fields` of other units' organization trails, merged once per scan for the
    same trails: every view of an organization holds them (less its own)."""
    key = ("selector fields of", category, tuple(map(id, run)))
    found: tuple[tuple[Trail, ...], dict[str, list[FieldSelector]]] | None = \
        shared.results.get(key)  # fmt: skip
    if found is None:
        merged: dict[str, list[FieldSelector]] = {}
        for trail in run:
            fields = shared.answer(trail, ("selector fields", category),
                                   partial(trail_fields, trail, category))  # fmt: skip
            for name, selectors in fields.items():
                merged.setdefault(name, []).extend(selectors)
        found = shared.results[key] = (tuple(run), merged)  # the trails keep their ids theirs
    return found[1]


def trail_fields(trail: Trail, category: str) -> dict[str, list[FieldSelector]]:
    out: dict[str, list[FieldSelector]] = {}
    selectors = trail.selectors
    if not isinstance(selectors, Unknown):
        for adv in selectors.advanced:
            cats = [f for f in adv.field_selectors if f.field == "eventCategory"]
            if any(FieldTest(f).test(category) == FAIL_CODE for f in cats):
                continue  # this selector never applies to the category
            for fs in adv.field_selectors:
                out.setdefault(fs.field, []).append(fs)
        if category == "Data":
            for basic in selectors.basic:
                for dr in basic.data_resources:
                    if dr.type == "AWS::S3::Object" or isinstance(dr.type, Unknown):
                        known = tuple(v for v in dr.values if isinstance(v, str))
                        out.setdefault("resources.ARN", []).append(
                            FieldSelector("resources.ARN", starts_with=known)
                        )
    return out


def named_strings(conds: Sequence[FieldSelector]) -> tuple[list[str], list[str], list[str]]:
    exact: list[str] = []
    prefixes: list[str] = []
    suffixes: list[str] = []
    for fs in conds:
        exact += [v for v in (*fs.equals, *fs.not_equals) if isinstance(v, str)]
        prefixes += [v for v in (*fs.starts_with, *fs.not_starts_with) if isinstance(v, str)]
        suffixes += [v for v in (*fs.ends_with, *fs.not_ends_with) if isinstance(v, str)]
    return exact, prefixes, suffixes


Signature = Callable[[str], Hashable]


def field_outcomes(conds: Sequence[FieldSelector]) -> Signature:
    """A value's outcome under each condition: values alike under it are one probe."""
    tests = [FieldTest(fs) for fs in conds]
    return lambda value: tuple(t.test(value) for t in tests)


def merge(
    candidates: Iterable[str],
    conds: Sequence[FieldSelector],
    keep: Iterable[str],
    signature: Signature | None = None,
) -> list[str]:
    """Candidates with distinct outcomes under every condition (`signature`, by default
    `field_outcomes(conds)`), plus `keep`, in first-seen order."""
    signature = signature or field_outcomes(conds)
    kept = list(dict.fromkeys(keep))
    seen = {signature(v) for v in kept}
    for value in dict.fromkeys(candidates):
        outcome = signature(value)
        if outcome not in seen:
            seen.add(outcome)
            kept.append(value)
    return kept


def string_axis(
    base: str,
    conds: Sequence[FieldSelector],
    keep: Iterable[str] = (),
    signature: Signature | None = None,
) -> list[str]:
    exact, prefixes, suffixes = named_strings(conds)
    candidates = [base, *exact]
    candidates += [p + "-trailcheck-probe" for p in prefixes]
    candidates += ["trailcheck-probe-" + s for s in suffixes]
    candidates += [p + "-trailcheck-probe-" + s for p in prefixes for s in suffixes]
    return merge(candidates, conds, [base, *keep], signature)


def object_arn_axis(
    conds: Sequence[FieldSelector], signature: Signature | None = None, partition: str = "aws"
) -> list[str]:
    s3 = f"arn:{partition}:s3:::"  # an object's ARN is in the partition of its Region
    base = f"{s3}{PROBE_BUCKET}/{PROBE_KEY}"
    exact, prefixes, suffixes = named_strings(conds)
    # resources.ARN values of selectors for other resource types (a Lambda function's ARN) are
    # never an S3 object's ARN: as probes they would be objects no S3 selector could record
    named_values = [v for v in [*exact, *prefixes] if bucket_of(v) is not None]
    candidates = [base]
    for value in named_values:
        candidates.append(value)
        bucket = bucket_of(value)
        candidates.append(f"{s3}{bucket}/{PROBE_KEY}")
        if value.rstrip("/") == f"{s3}{bucket}":
            candidates.append(f"{s3}{bucket}/")
        if "/" in value.split(":::", 1)[1]:
            candidates.append(value + PROBE_KEY)  # inside the named prefix
        else:
            candidates.append(f"{value}-trailcheck-probe/{PROBE_KEY}")  # bucket name prefix
    for prefix in [*named_values, base]:
        for suffix in suffixes:
            candidates.append(prefix + suffix)
            candidates.append(prefix + PROBE_KEY + suffix)
    # One object of every named bucket is kept even when it behaves like the probe bucket, so
    # that gap messages can name the bucket.
    keep = [base, *(f"{s3}{bucket_of(v)}/{PROBE_KEY}" for v in named_values)]
    return merge(candidates, conds, keep, signature)


def one_partition(regions: Sequence[str]) -> str:
    """The one partition of `regions` ("aws" when they span several)."""
    found = {partition_of(r) for r in regions}
    return found.pop() if len(found) == 1 else "aws"


@lru_cache(maxsize=65536)
def bucket_of(arn: str) -> str | None:
    head, sep, rest = arn.partition(":::")
    if not sep or not head.startswith("arn:") or not head.endswith(":s3"):
        return None
    bucket = rest.split("/", 1)[0]
    return bucket or None


def product(axes: dict[str, list[str]]) -> list[dict[str, str]]:
    names = list(axes)
    total = 1
    for values in axes.values():
        total *= len(values)
    if total <= MAX_PROBES_PER_REGION:
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*axes.values())]
    base = {n: v[0] for n, v in axes.items()}
    out = [base]
    for n, values in axes.items():
        out += [{**base, n: v} for v in values[1:]]
    return out


def probe_event(region: str, category: str, read_only: bool, values: dict[str, str],
           resources: tuple[Resource, ...] = ()) -> Event:  # fmt: skip
    return Event(
        event_source=values["eventSource"],
        event_name=values["eventName"],
        aws_region=region,
        event_category=category,
        read_only=read_only,
        resources=resources,
        user_identity=UserIdentity(arn=values.get("userIdentity.arn", PROBE_IDENTITY)),
        event_type=values.get("eventType", "AwsApiCall"),
        session_credential_from_console=values.get("sessionCredentialFromConsole") == "true",
    )
