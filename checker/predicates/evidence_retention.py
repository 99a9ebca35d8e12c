"""Log retention (rule CT027): nothing deletes the trail's logs sooner than the minimum.

One outcome per bucket and per log group that a trail delivers to, so a finding names the
resource to fix. Decisions:
- Bucket: an enabled lifecycle expiration of *current* objects whose prefix overlaps where the
  trail writes (`[prefix/]AWSLogs/`) must not be shorter than the minimum. Expirations of
  noncurrent versions are not counted: CloudTrail never overwrites a log file, so noncurrent
  versions exist only after someone deleted or replaced one, which CT020/CT021 guard against.
- Log group: `retention_days` unset means the events never expire (pass).
- A unit without a trail of its own (an event data store alone, which CT051 judges) has no
  trail logs to delete: no finding, rather than an unknown nobody can act on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from checker.model import (
    Bucket,
    Estate,
    LifecycleExpiration,
    Location,
    LogGroup,
    Reference,
    Trail,
    Unknown,
)
from checker.predicates.context import Context, PredicateArgs
from checker.rules import Outcome, Subject, outside_inputs


def log_retention(ctx: Context, subject: Subject[Estate], args: PredicateArgs) -> list[Outcome]:
    estate = subject.obj
    if all(trail.foreign_unit is not None for trail in estate.trails):
        return []
    minimum = ctx.options.min_retention_days
    out: list[Outcome] = []
    for target, trails in _destinations(estate, "bucket"):
        if isinstance(target, Bucket):
            out.append(_judge_bucket(target, trails, minimum))
        elif isinstance(target, Reference):
            out.append(_outside("bucket", target, trails))
    for target, trails in _destinations(estate, "log_group"):
        if isinstance(target, LogGroup):
            out.append(_judge_log_group(target, minimum))
        elif isinstance(target, Reference):
            out.append(_outside("log group", target, trails))
    if not out:
        out.append(Outcome("unknown", "no trail in the inputs names its S3 bucket or log group"))
    return out


def _destinations(
    estate: Estate, kind: Literal["bucket", "log_group"]
) -> Iterator[tuple[Bucket | LogGroup | Reference, list[Trail]]]:
    """Each bucket (or log group) used by a trail of the unit, once, with the trails that use
    it. Another unit's organization trail is judged with its own unit: its storage is not
    reported again in every unit."""
    seen: dict[str, tuple[Any, list[Trail]]] = {}
    for trail in estate.trails:
        if trail.foreign_unit is not None:
            continue
        ref: Reference | None = trail.bucket if kind == "bucket" else trail.log_group
        if ref is None:
            continue
        obj = estate.resolve(kind, ref)
        key = obj.id if obj is not None else f"ref:{_shown(ref)}"
        if key not in seen:
            seen[key] = (obj if obj is not None else ref, [])
        seen[key][1].append(trail)
    yield from seen.values()


def _shown(ref: Reference) -> str:
    if isinstance(ref.value, str):
        return ref.value
    return ref.target or f"<{ref.value.reason}>"


def _outside(kind: str, ref: Reference, trails: list[Trail]) -> Outcome:
    attr = "bucket" if kind == "bucket" else "log_group"
    resource, message = outside_inputs(
        kind, ref, trails, "its expiration settings cannot be checked"
    )
    return Outcome("unknown", message, trails[0].where(attr), resource)


# ---------------------------------------------------------------------------------------------
# Buckets


def log_path(trail: Trail) -> str | Unknown:
    """Where the trail's objects start: `AWSLogs/`, or `<prefix>/AWSLogs/`."""
    prefix = trail.s3_key_prefix
    if isinstance(prefix, Unknown):
        return prefix
    return f"{prefix.strip('/')}/AWSLogs/" if prefix and prefix.strip("/") else "AWSLogs/"


def covers(rule_prefix: str | Unknown, path: str | Unknown) -> bool | Unknown:
    """Whether a lifecycle prefix overlaps the trail's objects (either contains the other)."""
    if rule_prefix == "":
        return True
    if isinstance(rule_prefix, Unknown):
        return rule_prefix
    if isinstance(path, Unknown):
        return path
    return path.startswith(rule_prefix) or rule_prefix.startswith(path)


def _judge_bucket(bucket: Bucket, trails: list[Trail], minimum: int) -> Outcome:
    where = bucket.where("lifecycle_expirations")
    rules = bucket.lifecycle_expirations
    if isinstance(rules, Unknown):
        return Outcome("unknown", f"the bucket's lifecycle rules are unknown ({rules.reason})",
                       where, bucket.id)
    problems: list[str] = []
    unknowns: list[str] = []
    kept: list[int] = []
    for rule in rules:
        verdict = _judge_expiration(rule, trails, minimum)
        if verdict is None:
            continue
        status, text = verdict
        if status == "fail":
            problems.append(text)
        elif status == "unknown":
            unknowns.append(text)
        elif isinstance(rule.days, int):
            kept.append(rule.days)
    if problems:
        return Outcome(
            "fail",
            f"{'; '.join(problems)}: shorter than the {minimum} days required",
            where,
            bucket.id,
        )
    if unknowns:
        return Outcome("unknown", "; ".join(unknowns), where, bucket.id)
    if kept:
        return Outcome(
            "pass",
            f"the shortest lifecycle expiration of the log files is {min(kept)} days "
            f"(minimum {minimum})",
            where,
            bucket.id,
        )
    return Outcome(
        "pass", "no lifecycle rule expires the trail's log files", bucket.where(), bucket.id
    )


def _judge_expiration(
    rule: LifecycleExpiration, trails: list[Trail], minimum: int
) -> tuple[str, str] | None:
    """None when the rule does not touch the trail's current log files; else a status and
    what to say."""
    if rule.noncurrent or rule.enabled is False:
        return None
    days = rule.days
    overlap = _overlap(rule, trails)
    if overlap is False:
        return None
    if isinstance(days, int) and days >= minimum:
        return ("pass", "") if overlap is True else None
    described = _describe(rule)
    if isinstance(overlap, Unknown):
        return "unknown", f"cannot tell whether {described} covers the log files ({overlap.reason})"
    if isinstance(rule.enabled, Unknown):
        return "unknown", f"{described} may be enabled ({rule.enabled.reason})"
    if isinstance(days, Unknown):
        return "unknown", (
            f"{described} expires objects after an unknown number of days ({days.reason})"
        )
    return "fail", f"{described} deletes the log files after {days} day{'s' if days != 1 else ''}"


def _overlap(rule: LifecycleExpiration, trails: list[Trail]) -> bool | Unknown:
    unknown: Unknown | None = None
    for trail in trails:
        verdict = covers(rule.prefix, log_path(trail))
        if verdict is True:
            return True
        if isinstance(verdict, Unknown):
            unknown = verdict if unknown is None else unknown
    return unknown if unknown is not None else False


def _describe(rule: LifecycleExpiration) -> str:
    if isinstance(rule.prefix, str) and rule.prefix:
        return f"the lifecycle expiration for prefix {rule.prefix!r}"
    return "a lifecycle expiration of the whole bucket"


# ---------------------------------------------------------------------------------------------
# Log groups


def _judge_log_group(group: LogGroup, minimum: int) -> Outcome:
    line = group.lines.get("retention_days", group.location.line)
    where = Location(group.location.file, line)
    days = group.retention_days
    if days is None:
        return Outcome("pass", "the log group's events never expire", where, group.id)
    if isinstance(days, Unknown):
        return Outcome("unknown", f"the log group's retention is unknown ({days.reason})",
                       where, group.id)
    if days < minimum:
        return Outcome(
            "fail",
            f"the log group keeps events for {days} day{'s' if days != 1 else ''}, shorter than "
            f"the {minimum} days required",
            where,
            group.id,
        )
    return Outcome("pass", f"the log group keeps events for {days} days (minimum {minimum})",
                   where, group.id)
