"""Questions about whole classes of events, answered exactly through `decide` on probe events.

A rule asks "does this trail record every read and write management event in every Region?" or
"is every S3 object write recorded in every Region?". Both classes are infinite, but a trail
can only tell events apart by what its configuration reads, so a finite set of probes with one
member of every distinguishable group answers the question exactly.

Why the probe sets are complete:

- Trail-level settings read only the event's account, Region and global-service status. Probes use
  the trail's own account and every Region asked for, and add global service events: sign-in events
  in every Region (they can be recorded in any Region) and IAM events in IAM's Region (us-east-1,
  or its partition's own).
- Management events. On a trail, selectors can tell management events apart only by readOnly
  (true/false) and by eventSource NotEquals kms.amazonaws.com / rdsdata.amazonaws.com (basic
  ExcludeManagementEventSources takes the same two values); IncludeManagementEvents and
  eventCategory do not depend on the event (docs/semantics.md, "Selectors AWS accepts"). So readOnly
  in {true, false} times eventSource in {kms, rdsdata, any other} covers every group; "any other" is
  ec2.amazonaws.com. Conditions AWS rejects on trails (CT011: eventName, userIdentity.arn,
  eventType, other eventSource values) are still honoured: every value they name yields probes
  (below).
- S3 object events. Data selectors read eventName, readOnly, resources.type/ARN, eventSource,
  eventType, userIdentity.arn and sessionCredentialFromConsole. readOnly is fixed by the class,
  eventSource is s3.amazonaws.com, eventType is AwsApiCall (object API calls); eventName runs over
  the explicit list of object operations of the class; the ARN runs over an object in a bucket no
  selector names plus objects built from every value the selectors name (inside and outside each
  named prefix, each named suffix); userIdentity.arn and sessionCredentialFromConsole get a neutral
  value plus values built the same way from what the selectors name.
- Values built from the named ones give every combination of the (Not)Equals / (Not)StartsWith /
  (Not)EndsWith conditions that prefix+suffix strings can realise; candidates that every condition
  treats alike are merged, keeping the probe count small. The probe set is the product of the
  axes, so combinations across fields and across trails are covered too.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial

from checker.model import Estate, FieldSelector, Trail, Unknown
from checker.regions import DEFAULT_REGIONS, global_region, partition_of
from checker.simulator.capture import (
    MEMBERS_UNKNOWN,
    CompiledTrail,
    Decision,
    OrgAccounts,
    compile_trail,
)
from checker.simulator.events import Event, Resource
from checker.simulator.lake import compiled_stores
from checker.simulator.probe_values import (
    PROBE_BUCKET,
    PROBE_IDENTITY,
    Signature,
    bucket_of,
    field_outcomes,
    merge,
    object_arn_axis,
    one_partition,
    probe_event,
    product,
    selector_fields,
    string_axis,
)
from checker.simulator.sharing import Foreign, OrganizationProbe, Shared, in_runs
from checker.simulator.stand_ins import StandIns, names_one_bucket
from checker.tri import Status

IAM = "iam.amazonaws.com"
KMS = "kms.amazonaws.com"
RDS_DATA = "rdsdata.amazonaws.com"
OTHER_SOURCE = "ec2.amazonaws.com"

S3_OBJECT_WRITES: tuple[str, ...] = (
    "PutObject", "DeleteObject", "DeleteObjects", "CopyObject", "CreateMultipartUpload",
    "UploadPart", "UploadPartCopy", "CompleteMultipartUpload", "AbortMultipartUpload",
    "PutObjectAcl", "PutObjectTagging", "DeleteObjectTagging", "PutObjectRetention",
    "PutObjectLegalHold", "RestoreObject",
)  # fmt: skip
S3_OBJECT_READS: tuple[str, ...] = (
    "GetObject", "HeadObject", "GetObjectAcl", "GetObjectAttributes", "GetObjectTagging",
    "GetObjectRetention", "GetObjectLegalHold", "GetObjectTorrent", "SelectObjectContent",
    "ListParts",
)  # fmt: skip

# A message names this many trails at most: a unit's view holds every other unit's organization
# trails
SHOWN_TRAILS = 4


@dataclass(frozen=True)
class Coverage:
    """The answer to a coverage question. `trail` is the trail judged (or the one that passes an
    estate question); `trails` holds each trail's own answer for estate questions."""

    status: Status
    message: str
    trail: str | None = None
    trails: tuple[tuple[str, Coverage], ...] = field(default=())


def no_trail(estate: Estate) -> str:
    """Why nothing records: there is no trail, and the ones the change deletes, if it does."""
    gone = ", ".join(r.id for r in estate.removals)
    return f"there is no trail (the change deletes {gone})" if gone else "there is no trail"


# --------------------------------------------------------------------------------------------
# Management events


@dataclass(frozen=True)
class _Probe:
    event: Event
    kind: str  # "regular", "global"


def _management_probes(trail: Trail, regions: Sequence[str]) -> list[_Probe]:
    conds = selector_fields([trail], "Management")
    axes = {
        "eventSource": string_axis(OTHER_SOURCE, conds.get("eventSource", []), (KMS, RDS_DATA)),
        "eventName": string_axis("DescribeTrailcheckProbe", conds.get("eventName", [])),
    }
    neutral = {"userIdentity.arn": PROBE_IDENTITY, "eventType": "AwsApiCall",
               "sessionCredentialFromConsole": "false"}  # fmt: skip
    for name, base in neutral.items():
        if name in conds:
            axes[name] = string_axis(base, conds[name], ("true",) if base == "false" else ())
    combos = product(axes)
    probes: list[_Probe] = []
    for region in regions:
        for values in combos:
            for read_only in (True, False):
                event = probe_event(region, "Management", read_only, values)
                probes.append(_Probe(event, "regular"))
        signin = Event("signin.amazonaws.com", "ConsoleLogin", region, read_only=False,
                       event_type="AwsConsoleSignIn")  # fmt: skip
        probes.append(_Probe(signin, "global"))
        if region == global_region(partition_of(region), IAM)[0]:  # IAM's Region
            for read_only in (True, False):
                iam = Event(IAM, "GetUser" if read_only else "CreateUser", region,
                            read_only=read_only, host_header="iam.amazonaws.com")  # fmt: skip
                probes.append(_Probe(iam, "global"))
    return probes


def management_coverage(
    trail: Trail,
    regions: Sequence[str] = DEFAULT_REGIONS,
    *,
    default_region: str | None = None,
    organization_accounts: OrgAccounts = MEMBERS_UNKNOWN,
) -> Coverage:
    """Does `trail` record every read and write management event, from every source (including
    kms.amazonaws.com and rdsdata.amazonaws.com) and global service events, in every Region of
    `regions`? Fails naming what is missed; unknown when only unknown values stand in the way."""
    compiled = compile_trail(
        trail, default_region=default_region, organization_accounts=organization_accounts
    )
    results = [(p, compiled.decide(p.event)) for p in _management_probes(trail, regions)]
    missed = [(p, d) for p, d in results if d.status == "fail"]
    if missed:
        single = trail.is_multi_region is False
        return Coverage("fail", _management_gaps(missed, results, len(regions), single), trail.id)
    unknown = [d for _, d in results if d.status == "unknown"]
    if unknown:
        return Coverage("unknown", _first_reasons(unknown), trail.id)
    return Coverage(
        "pass",
        f"records all read and write management events, including {KMS} and {RDS_DATA} and "
        f"global service events, in {_regions_text(regions)}",
        trail.id,
    )


def _management_gaps(
    missed: list[tuple[_Probe, Decision]],
    results: list[tuple[_Probe, Decision]],
    n_regions: int,
    single: bool = False,
) -> str:
    """`single`: a single-Region trail, which is said even when no probe shows it (another gap
    stops the probes first, or its home Region is unknown)."""
    phrases: list[str] = []
    trail_level = [d for _, d in missed if d.stage in ("logging", "account")]
    if trail_level:
        return trail_level[0].reason + ("; not a multi-region trail" if single else "")
    region_misses: dict[str, set[str]] = {}
    for p, d in missed:
        if d.stage == "region":
            region_misses.setdefault(d.reason, set()).add(p.event.aws_region)
    for reason, where in region_misses.items():
        phrases.append(f"{reason}: misses {len(where)} of {n_regions} regions")
    if single and not region_misses:
        phrases.append("not a multi-region trail")
    if any(d.stage == "global" for _, d in missed):
        phrases.append("does not record global service events")
    selector_missed = {
        (p.event.event_source, bool(p.event.read_only)) for p, d in missed if d.stage == "selectors"
    }
    if selector_missed:
        phrases += _selector_gap_phrases(selector_missed, missed)
    return "; ".join(phrases) or missed[0][1].reason


def _selector_gap_phrases(
    selector_missed: set[tuple[str, bool]], missed: list[tuple[_Probe, Decision]]
) -> list[str]:
    phrases: list[str] = []
    read_gap = (OTHER_SOURCE, True) in selector_missed
    write_gap = (OTHER_SOURCE, False) in selector_missed
    if read_gap and write_gap:
        phrases.append("records no management events")
    elif read_gap:
        phrases.append("records only write management events")
    elif write_gap:
        phrases.append("records only read management events")
    sources = sorted({s for s, _ in selector_missed} - {OTHER_SOURCE})
    for source in sources:
        if any((source, ro) in selector_missed and (OTHER_SOURCE, ro) not in selector_missed
               for ro in (True, False)):  # fmt: skip
            phrases.append(f"excludes {source}")
    if not phrases:
        detail = next(d.reason for _, d in missed if d.stage == "selectors")
        phrases.append(f"misses some management events ({detail})")
    return phrases


def estate_management_coverage(
    estate: Estate,
    regions: Sequence[str] = DEFAULT_REGIONS,
    *,
    default_region: str | None = None,
    shared: Shared | None = None,
) -> Coverage:
    """CT001: one logging multi-region (or organization multi-region) trail records every read and
    write management event in every Region. Other trails neither help nor hurt. Each trail's
    answer is worked out once per scan with `shared`."""
    if not estate.trails:
        return Coverage("fail", no_trail(estate))
    shared = shared or Shared()
    members = estate.organization_accounts
    question = ("management", tuple(regions), default_region, members)

    def judged(trail: Trail) -> tuple[str, Coverage]:
        cov = shared.answer(trail, question, partial(
            management_coverage, trail, regions, default_region=default_region,
            organization_accounts=members))  # fmt: skip
        multi = trail.is_multi_region
        if cov.status != "fail" and multi is not True:
            if isinstance(multi, Unknown):
                cov = Coverage("unknown", f"whether it is multi-region is unknown ({multi.reason})",
                               trail.id)  # fmt: skip
            else:
                cov = Coverage("fail", "not a multi-region trail", trail.id)
        return trail.id, cov

    per_trail: list[tuple[str, Coverage]] = []
    for foreign, run in in_runs(estate.trails):
        per_trail += shared.each(run, ("judged", question), judged) if foreign else map(judged, run)
    trails = tuple(per_trail)
    for trail_id, cov in per_trail:
        if cov.status == "pass":
            return Coverage("pass", f"{trail_id} {cov.message}", trail_id, trails)
    details = _list([f"{tid}: {c.message}" for tid, c in per_trail if c.status == "unknown"],
                    SHOWN_TRAILS, "; ")  # fmt: skip
    if details:
        return Coverage("unknown", f"no trail is known to record all management events ({details})",
                        None, trails)  # fmt: skip
    details = _list([f"{tid}: {c.message}" for tid, c in per_trail], SHOWN_TRAILS, "; ")
    return Coverage(
        "fail",
        f"no logging multi-region trail records all read and write management events ({details})",
        None,
        trails,
    )


# --------------------------------------------------------------------------------------------
# S3 object events


def s3_object_coverage(
    estate: Estate,
    regions: Sequence[str] = DEFAULT_REGIONS,
    read_only: bool = False,
    *,
    default_region: str | None = None,
    shared: Shared | None = None,
) -> Coverage:
    """CT009 (`read_only=False`, object writes) and CT010 (`read_only=True`, object reads): is
    every such event recorded by some trail, for every bucket, in every Region? A selector for
    some buckets or prefixes does not count; DESELECTs that drop part of the class fail."""
    kind = "reads" if read_only else "writes"
    if not estate.trails:
        return Coverage("fail", no_trail(estate))
    shared = shared or Shared()
    members = estate.organization_accounts
    # Each S3 data value naming one bucket whose name is unknown (`${DataBucket.Arn}/`) gets a
    # stand-in name. Sound for "is every object of every bucket recorded?": selectors name
    # finitely many buckets and the probe bucket stands for any other, so the names never matter.
    trails = _s3_stand_ins(estate.trails, shared)
    own = [shared.compiled(t, default_region, members) for t in trails if t.foreign_unit is None]
    foreign = shared.foreign(trails)
    universe = shared.compiled_universe(foreign, default_region, members)
    conds = selector_fields(trails, "Data", shared)
    signature = _Signatures(trails, foreign, shared)
    names = S3_OBJECT_READS if read_only else S3_OBJECT_WRITES
    axes: dict[str, list[str]] = {
        "eventSource": ["s3.amazonaws.com"],
        "eventName": merge(names, conds.get("eventName", []), names[:1], signature("eventName")),
        "resources.ARN": object_arn_axis(conds.get("resources.ARN", []),
                                          signature("resources.ARN"), one_partition(regions)),
    }
    if "userIdentity.arn" in conds:
        axes["userIdentity.arn"] = string_axis(PROBE_IDENTITY, conds["userIdentity.arn"], (),
                                                signature("userIdentity.arn"))  # fmt: skip
    if "sessionCredentialFromConsole" in conds:
        axes["sessionCredentialFromConsole"] = ["false", "true"]
    combos = product(axes)
    missed: list[_Missed] = []
    unknown: list[_Missed] = []
    captured_by: set[str] = set()
    homeless = {t.id for t in estate.trails if at_most_one_region(t, default_region)}
    # Regions where only single-region trails of unknown home Region might record a probe
    only_homeless: dict[str, set[str]] = {}
    # the unit's own trails decide alike the probes they cannot tell apart: which of them
    # captures first is worked out once per class (`_OwnOutcomes`), and exact decisions, whose
    # reasons name the probe, only for a probe nothing captures
    outcomes = _OwnOutcomes([t for t in trails if t.foreign_unit is None], signature.own)
    first_capture: dict[Hashable, str | None] = {}
    alike_keys = [outcomes.of(values) for values in combos]  # the same in every Region
    for region, alike in _region_classes(regions, own, foreign, universe, shared).items():
        for values, alike_key in zip(combos, alike_keys, strict=True):
            key = (region, alike_key)
            known = first_capture.get(key, _UNDECIDED)
            if isinstance(known, str):
                captured_by.add(known)
                continue
            probe = _S3Probe(region, read_only, values)
            decisions: list[tuple[str, Decision]] = []
            org = shared.probe(foreign, universe, probe.key, probe.event) if universe and \
                known is None else None  # fmt: skip
            if org is not None and org.captured is not None:
                captured_by.add(org.captured)  # no own trail captures it (`known`)
                continue
            event = probe.event()
            for c in own:
                d = c.decide(event)
                if d.status == "pass":
                    captured_by.add(c.trail.id)
                    first_capture[key] = c.trail.id
                    break  # one capture answers this probe
                decisions.append((c.trail.id, d))
            else:
                first_capture[key] = None
                if org is None and universe:
                    org = shared.probe(foreign, universe, probe.key, probe.event)
                if org is not None and org.captured is not None:
                    captured_by.add(org.captured)
                    continue
                probes = [_Missed(event, r, decisions, org, foreign.skip) for r in alike]
                undecided = probes[0].undecided()
                if not undecided:
                    missed += probes
                    continue
                unknown += probes
                if undecided <= homeless:
                    for r in alike:
                        only_homeless.setdefault(r, set()).update(undecided)
    if missed:
        gaps = _s3_gaps(missed, regions, len(combos))
        return Coverage("fail", f"S3 object {kind} are not all recorded: {gaps}")
    involved: set[str] = set().union(*only_homeless.values())
    if len(only_homeless) > len(involved):
        # A fail whatever the unknown home Regions are (docs/architecture.md): each of these
        # single-region trails records in one Region at most.
        which = ", ".join(sorted(involved))
        return Coverage("fail", f"S3 object {kind} are not all recorded: missed in at least "
                        f"{len(only_homeless) - len(involved)} of {len(only_homeless)} regions "
                        f"[single-region trail {which} records in one region at most, and its "
                        "home region is unknown]")  # fmt: skip
    if unknown:
        reasons = (d for probe in unknown for _, d in probe.decisions() if d.status == "unknown")
        return Coverage("unknown", f"whether all S3 object {kind} are recorded is unknown: "
                        + _first_reasons(reasons))  # fmt: skip
    by = _list(sorted(captured_by))
    return Coverage("pass", f"S3 object {kind} are recorded for every bucket in "
                    f"{_regions_text(regions)} (by {by})", None)  # fmt: skip


def _s3_stand_ins(trails: Sequence[Trail], shared: Shared) -> list[Trail]:
    """`trails`, each S3 data value naming one bucket whose name is unknown given a stand-in
    name: the view's own trails from names of its own, other units' organization trails from
    the scan's (made once per scan for the same trails)."""
    own_names = StandIns()
    out: list[Trail] = []
    for foreign, run in in_runs(trails):
        if foreign:
            out += shared.each(run, "S3 stand-ins",
                               lambda t: shared.stand_ins.trail(t, names_one_bucket))
        else:
            out += [own_names.trail(t, names_one_bucket) for t in run]
    return out


_UNDECIDED = object()


class _S3Probe:
    """An S3 object event of one probe: its values as a key, and the event itself, made only
    when a trail must decide it (most probes' answers are known by their key)."""

    def __init__(self, region: str, read_only: bool, values: dict[str, str]) -> None:
        self.region = region
        self.read_only = read_only
        self.values = values
        self.key = (region, read_only, *values.items())

    def event(self) -> Event:
        arn = self.values["resources.ARN"]
        resources = (Resource("AWS::S3::Object", arn),
                     Resource("AWS::S3::Bucket", _bucket_arn(arn)))  # fmt: skip
        return probe_event(self.region, "Data", self.read_only, self.values, resources)


def _bucket_arn(object_arn: str) -> str:
    """The ARN of the bucket of an S3 probe's object, in the object's partition."""
    head = object_arn.split(":::", 1)[0] if ":s3:::" in object_arn else "arn:aws:s3"
    return f"{head}:::{bucket_of(object_arn) or PROBE_BUCKET}"


class _OwnOutcomes:
    """What the unit's own trails can tell apart of S3 probes in one Region: every outcome of
    their field selectors on each probe value (the resources' ARNs: the object's and its
    bucket's), and whether each basic data resource value is a prefix of them. Two probes with
    the same key get the same decision status from every own trail, so the first that captures
    them is the same (a property test holds this against deciding each probe)."""

    def __init__(self, trails: Sequence[Trail], conds: dict[str, list[FieldSelector]]) -> None:
        self.conds = conds
        self.prefixes = tuple(
            v for t in trails if not isinstance(t.selectors, Unknown)
            for basic in t.selectors.basic for dr in basic.data_resources
            for v in dr.values if isinstance(v, str)
        )  # fmt: skip
        self._fields: dict[str, Signature] = {}
        self._seen: dict[tuple[str, str], Hashable] = {}

    def of(self, values: dict[str, str]) -> Hashable:
        """The probe's key: equal for probes the own trails decide alike in one Region."""
        seen = self._seen
        return tuple(seen.get(item) or self._outcome(*item) for item in values.items())

    def _outcome(self, name: str, value: str) -> Hashable:
        found = self._seen.get((name, value))
        if found is None:
            if name == "resources.ARN":
                bucket = _bucket_arn(value)
                found = (self._field(name)(value), self._field(name)(bucket),
                         tuple(value.startswith(p) for p in self.prefixes),
                         tuple(bucket.startswith(p) for p in self.prefixes))  # fmt: skip
            else:
                found = (name, self._field(name)(value))
            self._seen[(name, value)] = found
        return found

    def _field(self, name: str) -> Signature:
        found = self._fields.get(name)
        if found is None:
            found = self._fields[name] = field_outcomes(self.conds.get(name, []))
        return found


class _Signatures:
    """Probe values' outcomes in one view, split so that the larger part is worked out once per
    scan: under the view's own trails' conditions, and under those of every organization trail
    of the scan (`foreign.universe`; its copies of the view's own trails too, which can only
    tell more values apart, never fewer)."""

    def __init__(self, trails: Sequence[Trail], foreign: Foreign, shared: Shared) -> None:
        self.own = selector_fields([t for t in trails if t.foreign_unit is None], "Data")
        self.foreign = foreign
        self.shared = shared

    def __call__(self, name: str) -> Signature | None:
        if not self.foreign.universe:
            return None  # every condition is the view's own: `merge`'s default
        own = field_outcomes(self.own.get(name, []))
        theirs = self._universe(name)
        return lambda value: (own(value), theirs(value))

    def _universe(self, name: str) -> Signature:
        key = ("S3 probe outcomes", self.foreign.key, name)
        found: Signature | None = self.shared.results.get(key)
        if found is None:
            shared = self.shared
            stand_ins = [shared.answer(t, "S3 stand-ins", partial(
                shared.stand_ins.trail, t, names_one_bucket))
                for t in self.foreign.universe if isinstance(t, Trail)]  # fmt: skip
            outcomes = field_outcomes(selector_fields(stand_ins, "Data").get(name, []))
            seen: dict[str, Hashable] = {}

            def found(value: str) -> Hashable:
                hit = seen.get(value)
                if hit is None:
                    hit = seen[value] = outcomes(value)
                return hit

            shared.results[key] = found
        return found


@dataclass(frozen=True)
class _Missed:
    """A probe no trail captures in `region`: the own trails' decisions and the organization
    trails' (shared by every view; `skip` leaves out the copies of the view's own). `event` is
    in a Region every trail treats like `region` (`_region_classes`)."""

    event: Event
    region: str
    own: list[tuple[str, Decision]]
    organization: OrganizationProbe | None
    skip: frozenset[str]

    def undecided(self) -> frozenset[str]:
        own = frozenset(tid for tid, d in self.own if d.status == "unknown")
        if self.organization is None:
            return own
        return own | (self.organization.undecided - self.skip)

    def decisions(self) -> Iterator[tuple[str, Decision]]:
        yield from self.own
        if self.organization is not None:
            yield from (x for x in self.organization.decisions if x[0] not in self.skip)


def _region_classes(
    regions: Sequence[str],
    own: Sequence[CompiledTrail],
    foreign: Foreign,
    universe: Sequence[CompiledTrail],
    shared: Shared,
) -> dict[str, list[str]]:
    """`regions` in classes that every trail treats alike (`CompiledTrail.region_class`), each
    under its first Region: S3 object events reach `decide` with their Region read only there
    (they are not global service events, and no selector field is a Region), so one Region of a
    class answers for all, reasons included."""
    classes: dict[Hashable, list[str]] = {}
    for region in regions:
        theirs = shared.region_classes(foreign, universe, region)
        classes.setdefault((tuple(c.region_class(region) for c in own), theirs), []).append(region)
    return {alike[0]: alike for alike in classes.values()}


def _s3_gaps(missed: list[_Missed], regions: Sequence[str], probes_per_region: int) -> str:
    per_region: dict[str, int] = {}
    for probe in missed:
        per_region[probe.region] = per_region.get(probe.region, 0) + 1
    # Regions where every probe is missed: nothing records the class there.
    whole = [r for r in regions if per_region.get(r, 0) == probes_per_region]
    parts: list[str] = []
    if len(whole) == len(regions):
        parts.append("no trail records them in any region")
    elif whole:
        parts.append(f"no trail records them in {_list(whole)}")
    groups: dict[str, tuple[set[str], set[str]]] = {}
    for probe in missed:
        event = probe.event
        if probe.region in whole:
            continue
        arn = event.resources[0].arn or ""
        bucket = bucket_of(arn)
        label = (
            "buckets no selector names" if bucket == PROBE_BUCKET
            else f"bucket {bucket} (e.g. {arn})"
        )  # fmt: skip
        label = next((g for g in groups if g.split(" (e.g.")[0] == label.split(" (e.g.")[0]), label)
        names, where = groups.setdefault(label, (set(), set()))
        names.add(event.event_name)
        where.add(probe.region)
    for label, (names, where) in groups.items():
        region_text = "every region" if len(where) == len(regions) else _list(sorted(where))
        parts.append(f"{label} in {region_text} (e.g. {_list(sorted(names), 3)})")
    first = next((p for p in missed if p.region not in whole), missed[0])
    reasons = list(dict.fromkeys(f"{tid}: {d.reason}" for tid, d in first.decisions()))
    return "; ".join(parts) + f" [{_list(reasons, SHOWN_TRAILS, '; ')}]"


# --------------------------------------------------------------------------------------------
# Text helpers


def _list(items: Sequence[str], limit: int = 4, separator: str = ", ") -> str:
    if len(items) > limit:
        return separator.join(items[:limit]) + f" (+{len(items) - limit} more)"
    return separator.join(items)


def _regions_text(regions: Sequence[str]) -> str:
    return f"every region ({len(regions)})" if len(regions) > 1 else _list(list(regions))


def _first_reasons(decisions: Iterable[Decision], limit: int = 2) -> str:
    reasons = list(dict.fromkeys(d.reason for d in decisions))
    text = "; ".join(reasons[:limit])
    return text + (f" (+{len(reasons) - limit} more)" if len(reasons) > limit else "")


def at_most_one_region(trail: Trail, default_region: str | None = None) -> bool:
    """A single-region trail whose home Region is unknown: whichever Region it is, the trail
    records events of that one Region only."""
    if trail.is_multi_region is not False or default_region:
        return False
    if isinstance(trail.home_region, str) and trail.home_region:
        return False
    arn = trail.arn
    return not (isinstance(arn, str) and len(arn.split(":")) > 3 and arn.split(":")[3])


def compiled_trails(
    estate: Estate, default_region: str | None = None, shared: Shared | None = None
) -> list[CompiledTrail]:
    """Every trail of the estate compiled once (once per scan with `shared`), with the estate's
    organization members, and then every event data store (they record alike:
    `lake.compiled_stores`)."""
    shared = shared or Shared()
    members = estate.organization_accounts
    return [shared.compiled(t, default_region, members) for t in estate.trails] + compiled_stores(
        estate, default_region, shared
    )
