"""Predicates about the log bucket a trail really delivers to (CT020, CT023-CT026).

Each receives the engine's subject for scope `bucket`: `subject.obj` is the `Bucket` the trail's
reference resolved to (the engine itself reports a bucket outside the inputs as unknown).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from checker import policy_doc
from checker.model import (
    Bucket,
    Computed,
    Estate,
    Location,
    PartlyKnown,
    PublicAccessBlock,
    Tri,
    Unknown,
)
from checker.predicates.context import Context, PredicateArgs
from checker.rules import Outcome, Subject
from checker.tri import FAIL, PASS, UNKNOWN, Status, all_of, all_values, any_values

CLOUDTRAIL = "cloudtrail.amazonaws.com"


def listing(items: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


@dataclass
class Verdicts:
    """Problems (fail), open questions (unknown) and remarks, gathered before deciding."""

    problems: list[str] = field(default_factory=list)
    unknowns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # the model field of the first problem / open question, for the finding's line
    fail_attribute: str | None = None
    unknown_attribute: str | None = None

    def fail(self, message: str, attribute: str | None = None) -> None:
        if not self.problems:
            self.fail_attribute = attribute
        self.problems.append(message)

    def unknown(self, message: str, attribute: str | None = None) -> None:
        if not self.unknowns:
            self.unknown_attribute = attribute
        self.unknowns.append(message)

    def outcome(self, where: Callable[[str | None], Location], passed: str) -> Outcome:
        """Fail if anything fails (whatever the unknowns are), else unknown, else pass."""
        parts: list[tuple[Status, list[str], str | None]] = [
            (FAIL, self.problems, self.fail_attribute),
            (UNKNOWN, self.unknowns, self.unknown_attribute),
        ]
        status = all_of(s for s, messages, _ in parts if messages)
        if status == PASS:
            return Outcome(PASS, "; ".join([passed, *self.notes]), where(None))
        _, messages, attribute = next(p for p in parts if p[0] == status)
        return Outcome(status, "; ".join(messages), where(attribute))


# ---------------------------------------------------------------------------------------------
# CT020 Object Lock with a default retention


def object_lock_retention(ctx: Context, subject: Subject[Bucket], args: PredicateArgs) -> Outcome:
    bucket = subject.obj
    enabled = bucket.object_lock_enabled
    if isinstance(enabled, Unknown):
        return Outcome(
            "unknown",
            f"whether Object Lock is on is unknown ({enabled.reason})",
            bucket.where("object_lock_enabled"),
        )
    if not enabled:
        return Outcome(
            "fail",
            "Object Lock is off: anyone allowed to delete objects can delete log files",
            bucket.where("object_lock_enabled"),
        )
    mode, days = bucket.object_lock_mode, bucket.object_lock_days
    if isinstance(mode, Unknown):
        return Outcome(
            "unknown",
            f"Object Lock is on but its default retention mode is unknown ({mode.reason})",
            bucket.where("object_lock_mode"),
        )
    if mode is None:
        return Outcome(
            "fail",
            "Object Lock is on without a default retention rule: CloudTrail does not set a "
            "retention on the objects it writes, so its log files are not locked",
            bucket.where("object_lock_enabled"),
        )
    if isinstance(days, Unknown):
        period = f"for an unknown number of days ({days.reason})"
    elif days is None:
        period = "for a period the inputs do not give"
    else:
        period = f"for {days} day{'s' if days != 1 else ''}"
    if mode.upper() == "COMPLIANCE":
        return Outcome(
            "pass",
            f"Object Lock COMPLIANCE mode keeps each log file {period}; nobody, root "
            "included, can shorten it",
            bucket.where("object_lock_mode"),
        )
    if mode.upper() == "GOVERNANCE":
        return Outcome(
            "pass",
            f"Object Lock GOVERNANCE mode keeps each log file {period}; note that principals "
            "allowed s3:BypassGovernanceRetention can still shorten or remove the retention "
            "(COMPLIANCE mode cannot be bypassed)",
            bucket.where("object_lock_mode"),
        )
    return Outcome(
        "fail",
        f"Object Lock default retention mode {mode!r} is neither GOVERNANCE nor COMPLIANCE",
        bucket.where("object_lock_mode"),
    )


# ---------------------------------------------------------------------------------------------
# CT024 server access logging


def access_logging_on(ctx: Context, subject: Subject[Bucket], args: PredicateArgs) -> Outcome:
    bucket = subject.obj
    target = bucket.access_logging_target
    where = bucket.where("access_logging_target")
    if target is None or target == "":
        return Outcome("fail", "no server access logging is configured", where)
    itself = _same_name(target, bucket.name)
    note = "; note that logging a bucket into itself adds a log object for every log write" \
        if itself else ""  # fmt: skip
    if itself and not isinstance(target, str):  # the same unknown name: this very bucket
        return Outcome("pass", f"access logs go to this bucket itself, whose name is known "
                               f"after apply{note}", where)  # fmt: skip
    if isinstance(target, Computed):  # set, only its name is known after apply
        return Outcome("pass", f"access logs go to a bucket whose name is known after apply "
                               f"({target.reason})", where)
    if isinstance(target, Unknown):
        return Outcome("unknown", f"whether access logging is on is unknown ({target.reason})",
                       where)
    return Outcome("pass", f"access logs go to bucket {target}{note}", where)


def _same_name(a: object, b: object) -> bool:
    """Two bucket names that are certainly the same: equal strings, or strings built alike from
    the same unknowns (`PartlyKnown.symbol`)."""
    if isinstance(a, PartlyKnown) and isinstance(b, PartlyKnown):
        return a.symbol() is not None and a.symbol() == b.symbol()
    return isinstance(a, str) and a == b


# ---------------------------------------------------------------------------------------------
# CT023 not public

PUBLIC_CANNED_ACLS = ("public-read", "public-read-write", "authenticated-read")
PUBLIC_GROUPS = {
    "http://acs.amazonaws.com/groups/global/allusers": "AllUsers",
    "http://acs.amazonaws.com/groups/global/authenticatedusers": "AuthenticatedUsers",
}
FLAG_NAMES = {
    "block_public_acls": "BlockPublicAcls",
    "ignore_public_acls": "IgnorePublicAcls",
    "block_public_policy": "BlockPublicPolicy",
    "restrict_public_buckets": "RestrictPublicBuckets",
}


def account_flag(estate: Estate, flag: str) -> Tri:
    """Whether an account-level public access block in the inputs enforces `flag`."""
    return any_values(getattr(block, flag) for block in estate.account_public_access_blocks)


def bucket_flag(bucket: Bucket, flag: str) -> Tri:
    """The flag as the bucket's own public access block sets it; False when it has none (an
    IaC bucket then gets the S3 defaults, which `_judge_block_flags` accepts, but a default
    never excuses a public ACL or policy the configuration itself writes: S3 would reject it at
    deployment, and the intent is wrong either way)."""
    block = bucket.public_access_block
    if isinstance(block, Unknown):
        return block
    if block is None:
        return False
    value: Tri = getattr(block, flag)
    return value


def effective_flag(bucket: Bucket, estate: Estate, flag: str) -> Tri:
    """Whether `flag` is set explicitly, on the bucket or at account level."""
    return any_values((bucket_flag(bucket, flag), account_flag(estate, flag)))


def bucket_not_public(ctx: Context, subject: Subject[Bucket], args: PredicateArgs) -> Outcome:
    bucket = subject.obj
    estate = ctx.estate
    v = Verdicts()
    _judge_block_flags(bucket, estate, v)
    _judge_acl(bucket, estate, v)
    _judge_policy(bucket, estate, v)
    return v.outcome(bucket.where, _public_pass_message(bucket, estate))


def _judge_block_flags(bucket: Bucket, estate: Estate, v: Verdicts) -> None:
    block = bucket.public_access_block
    if isinstance(block, Unknown):
        v.unknown(f"the bucket's public access block is unknown ({block.reason})",
                  "public_access_block")
        return
    if not isinstance(block, PublicAccessBlock):
        return  # none written (IaC: the S3 defaults) or none configured (live: judged below)
    off: list[str] = []
    for flag, name in FLAG_NAMES.items():
        own = getattr(block, flag)
        if own is True:
            continue
        account = account_flag(estate, flag)
        if account is True:
            continue
        if isinstance(own, Unknown):
            v.unknown(f"{name} on the bucket is unknown ({own.reason})", "public_access_block")
        elif isinstance(account, Unknown):
            v.unknown(
                f"{name} is off on the bucket and the account-level setting is unknown "
                f"({account.reason})",
                "public_access_block",
            )
        else:
            off.append(name)
    if off:
        v.fail(
            f"the bucket's public access block turns off {listing(off)} and no account-level "
            "public access block in the inputs enforces "
            f"{'it' if len(off) == 1 else 'them'}",
            "public_access_block",
        )


def _judge_acl(bucket: Bucket, estate: Estate, v: Verdicts) -> None:
    public: list[str] = []
    if isinstance(bucket.acl, Unknown):
        v.unknown(f"the bucket's canned ACL is unknown ({bucket.acl.reason})", "acl")
    elif bucket.acl in PUBLIC_CANNED_ACLS:
        public.append(f"canned ACL {bucket.acl}")
    if isinstance(bucket.grants, Unknown):
        v.unknown(f"the bucket's ACL grants are unknown ({bucket.grants.reason})", "grants")
    else:
        for grant in bucket.grants:
            group = PUBLIC_GROUPS.get(grant.grantee.lower())
            if group:
                public.append(f"ACL grant of {grant.permission} to {group}")
    if not public:
        return
    ignored = effective_flag(bucket, estate, "ignore_public_acls")
    if ignored is True:
        v.notes.append(f"{' and '.join(public)} ignored because IgnorePublicAcls is on")
    elif isinstance(ignored, Unknown):
        v.unknown(
            f"{' and '.join(public)} would make the logs public unless IgnorePublicAcls is on, "
            f"which is unknown ({ignored.reason})",
            "acl",
        )
    else:
        v.fail(f"{' and '.join(public)} makes the log files public{_default_note(bucket)}",
               "acl")


def _judge_policy(bucket: Bucket, estate: Estate, v: Verdicts) -> None:
    if bucket.policy is None:
        return
    found = policy_doc.statements(bucket.policy, "the bucket policy")
    if isinstance(found, Unknown):
        v.unknown(found.reason, "policy")
        return
    public: list[str] = []
    unsure: list[tuple[str, Unknown]] = []
    for stmt in found:
        verdict = _public_statement(stmt)
        if verdict is True:
            public.append(stmt.label)
        elif isinstance(verdict, Unknown):
            unsure.append((stmt.label, verdict))
    if not public and not unsure:
        return
    restricted = effective_flag(bucket, estate, "restrict_public_buckets")
    if restricted is True and unsure:
        # public or not, RestrictPublicBuckets confines such a statement to the owner's account
        # (S3 User Guide, "Blocking public access to your Amazon S3 storage")
        labels = ", ".join(label for label, _ in unsure)
        v.notes.append(f"whether bucket policy {labels} is public is unknown "
                       f"({unsure[0][1].reason}), but RestrictPublicBuckets limits it to the "
                       "owner's account")  # fmt: skip
    else:
        for label, why in unsure:
            v.unknown(f"bucket policy {label}: {why.reason}", "policy")
    if not public:
        return
    what = (
        f"bucket policy {', '.join(public)} allow{'s' if len(public) == 1 else ''} any principal "
        "without a condition that pins the caller (aws:SourceArn, aws:SourceAccount, "
        "aws:PrincipalOrgID, aws:SourceVpce, aws:SourceIp, ...)"
    )
    if restricted is True:
        v.notes.append(f"{what}, but RestrictPublicBuckets limits it to the owner's account")
    elif isinstance(restricted, Unknown):
        v.unknown(f"{what}; whether RestrictPublicBuckets neutralizes it is unknown "
                  f"({restricted.reason})", "policy")
    else:
        v.fail(f"{what}{_default_note(bucket)}", "policy")


def _default_note(bucket: Bucket) -> str:
    if bucket.origin == "iac" and bucket.public_access_block is None:
        return " (S3's default Block Public Access for new buckets would reject it at deployment)"
    return ""


def _public_statement(stmt: policy_doc.Statement) -> Tri:
    """Allow + public principal + no restricting condition, tri-state."""
    allow = stmt.is_allow()
    if allow is False:
        return False
    public = policy_doc.is_public_principal(stmt)
    if public is False:
        return False
    restricted = policy_doc.has_restricting_condition(stmt)
    if restricted is True:
        return False
    for part in (allow, public, restricted):
        if isinstance(part, Unknown):
            return part
    return True


def _public_pass_message(bucket: Bucket, estate: Estate) -> str:
    defaults = bucket.public_access_block is None and bucket.acl is None and bucket.grants == ()
    if bucket.origin == "iac" and defaults:
        return (
            "no public ACL or policy statement; the bucket relies on the S3 defaults for new "
            "buckets (Block Public Access on and ACLs disabled since April 2023)"
        )
    where = []
    if isinstance(bucket.public_access_block, PublicAccessBlock):
        where.append("the bucket")
    if any(account_flag(estate, f) is True for f in FLAG_NAMES):
        where.append("the account")
    blocks = f"; public access blocked on {' and '.join(where)}" if where else ""
    return f"no public ACL or bucket policy statement{blocks}"


# ---------------------------------------------------------------------------------------------
# CT025 CloudTrail grants carry aws:SourceArn / aws:SourceAccount

SOURCE_KEYS = ("aws:SourceArn", "aws:SourceAccount")
DELIVERY_ACTIONS = ("s3:PutObject", "s3:GetBucketAcl")


def bucket_policy_source(ctx: Context, subject: Subject[Bucket], args: PredicateArgs) -> Outcome:
    bucket = subject.obj
    where = bucket.where("policy")
    if bucket.policy is None:
        return Outcome(
            "fail",
            "the bucket has no bucket policy in the inputs: CloudTrail cannot deliver to a bucket "
            "whose policy does not allow cloudtrail.amazonaws.com, and that grant must carry "
            "aws:SourceArn or aws:SourceAccount",
            where,
        )
    found = policy_doc.statements(bucket.policy, "the bucket policy")
    if isinstance(found, Unknown):
        return Outcome("unknown", found.reason, where)
    v = Verdicts()
    grants: list[str] = []
    maybe: list[str] = []  # scoped grants that may grant nothing, as an unknown value decides
    inert: list[str] = []  # statements that name CloudTrail but no CloudTrail request satisfies
    for stmt in found:
        granted = _grants_delivery(stmt)
        if granted is False:
            continue
        if isinstance(granted, Unknown):
            v.unknown(f"whether {stmt.label} grants CloudTrail delivery is unknown "
                      f"({granted.reason})", "policy")
            continue
        reading = policy_doc.source_reading(stmt, SOURCE_KEYS)
        if isinstance(reading, Unknown):
            v.unknown(f"the conditions of {stmt.label} are unknown ({reading.reason})", "policy")
        elif reading.matches is False:
            inert.append(f"{stmt.label} ({reading.why})")
        elif reading.scoped is True:
            if isinstance(reading.matches, Unknown):  # scoped, or it grants nothing
                maybe.append(f"whether {stmt.label} grants CloudTrail anything is unknown "
                             f"({reading.matches.reason})")
            else:
                grants.append(f"{stmt.label} ({', '.join(sorted(reading.keys))})")
        elif isinstance(reading.scoped, Unknown):
            v.unknown(f"whether {stmt.label} is scoped to one account is unknown "
                      f"({reading.scoped.reason})", "policy")
        else:
            v.fail(_unscoped(stmt, reading.why), "policy")
    if grants:
        v.notes += [f"{label} grants CloudTrail nothing" for label in inert]
    elif not v.problems and maybe:
        v.unknown("; ".join(maybe), "policy")
    elif not v.problems and not v.unknowns:
        why = f" ({'; '.join(inert)})" if inert else ""
        v.fail(
            "no bucket policy statement allows cloudtrail.amazonaws.com s3:PutObject or "
            f"s3:GetBucketAcl{' in a way a CloudTrail request can satisfy' if inert else ''}: "
            f"CloudTrail cannot deliver to this bucket{why}",
            "policy",
        )
    return v.outcome(bucket.where, f"CloudTrail grants are scoped: {'; '.join(grants)}")


def _unscoped(stmt: policy_doc.Statement, why: str) -> str:
    """Why a delivery grant lets other accounts' trails in, and what that lets them do."""
    whom = CLOUDTRAIL if policy_doc.grants_service(stmt, CLOUDTRAIL) is True else (
        "every principal, cloudtrail.amazonaws.com included,")
    # what an unscoped grant lets another account's trail do: write log files, or
    # (s3:GetBucketAcl alone) pass the ACL check CloudTrail makes before delivering
    writes = stmt.allows_action("s3:PutObject") is not False
    consequence = ("any account's trail can write into this bucket" if writes else
                   "any account's trail passes CloudTrail's check of this bucket's ACL")
    scope = (f"with a source condition that does not pin the account ({why})" if why else
             "without an aws:SourceArn or aws:SourceAccount condition")
    return f"{stmt.label} grants {whom} {_delivery_actions(stmt)} {scope}, so {consequence}"


def _grants_delivery(stmt: policy_doc.Statement) -> Tri:
    """Whether the statement lets CloudTrail deliver: it names the service, or everyone."""
    service = policy_doc.grants_service(stmt, CLOUDTRAIL)
    if service is False:
        service = policy_doc.is_public_principal(stmt)
    # it names the principal AND allows a delivery action: a statement that allows none of
    # them grants nothing, whoever its unknown principal turns out to be
    return all_values([service, any_values(stmt.allows_action(a) for a in DELIVERY_ACTIONS)])


def _delivery_actions(stmt: policy_doc.Statement) -> str:
    named = [a for a in DELIVERY_ACTIONS if stmt.allows_action(a) is True]
    return " and ".join(named) or "access"


# ---------------------------------------------------------------------------------------------
# CT026 deny requests without TLS

SECURE_TRANSPORT = "aws:SecureTransport"


def bucket_tls_only(ctx: Context, subject: Subject[Bucket], args: PredicateArgs) -> Outcome:
    bucket = subject.obj
    where = bucket.where("policy")
    if bucket.policy is None:
        return Outcome(
            "fail",
            "the bucket has no bucket policy, so nothing denies requests made over plain HTTP",
            where,
        )
    found = policy_doc.statements(bucket.policy, "the bucket policy")
    if isinstance(found, Unknown):
        return Outcome("unknown", found.reason, where)
    unknowns: list[str] = []
    partial: list[str] = []
    for stmt in found:
        if not _denies_insecure_transport(stmt):
            continue
        checks = {
            "every principal": policy_doc.is_public_principal(stmt),
            "every S3 action": stmt.covers_service("s3"),
            "the bucket's objects": _covers_objects(stmt),
        }
        missing = [label for label, ok in checks.items() if ok is False]
        open_ = [
            f"{label} ({ok.reason})" for label, ok in checks.items() if isinstance(ok, Unknown)
        ]
        if not missing and not open_:
            return Outcome(
                "pass",
                f"bucket policy {stmt.label} denies every S3 request made without TLS "
                f"(Bool {SECURE_TRANSPORT} false)",
                where,
            )
        if missing:
            partial.append(f"{stmt.label} denies requests without TLS but not for "
                           f"{' or '.join(missing)}")
        else:
            unknowns.append(f"cannot tell whether {stmt.label} covers {'; '.join(open_)}")
    if unknowns:
        return Outcome("unknown", "; ".join(unknowns), where)
    detail = f" ({'; '.join(partial)})" if partial else ""
    return Outcome(
        "fail",
        "no bucket policy statement denies all principals s3:* when aws:SecureTransport is "
        f"false{detail}",
        where,
    )


def _denies_insecure_transport(stmt: policy_doc.Statement) -> bool:
    """A Deny whose condition is Bool aws:SecureTransport false (IfExists accepted)."""
    if stmt.is_deny() is not True:
        return False
    conditions = stmt.conditions_on(SECURE_TRANSPORT)
    if isinstance(conditions, Unknown):
        return False
    return any(
        c.base == "bool" and c.qualifier is None
        and any(isinstance(x, str) and x.lower() == "false" for x in c.values)
        for c in conditions
    )


# `*`, or every S3 resource of a partition: arn:aws:s3:::*, arn:aws-cn:s3:::*, arn:aws-us-gov:...
_EVERY_S3_RESOURCE = re.compile(r"\*|arn:aws[a-z-]*:s3:::\*")


def _covers_objects(stmt: policy_doc.Statement) -> Tri:
    """Whether the statement's resources can reach object ARNs (`arn:<partition>:s3:::b/*` or
    `*`)."""
    if stmt.not_resources is not None:
        return not any(isinstance(r, str) and _EVERY_S3_RESOURCE.fullmatch(r)
                       for r in stmt.not_resources)
    unknown: Unknown | None = None
    for r in stmt.resources:
        if isinstance(r, PartlyKnown) and _reaches_objects(r):
            return True  # `${Logs.Arn}/*`: the bucket's name is unknown, its objects are not
        if isinstance(r, Unknown):
            unknown = r if unknown is None else unknown
        elif r == "*" or "/" in r or r.endswith("*"):
            return True
    return unknown if unknown is not None else False


def _reaches_objects(resource: PartlyKnown) -> bool:
    known = [s for s in resource.parts if s]
    return any("/" in s for s in known) or (resource.parts[-1] or "").endswith("*")
