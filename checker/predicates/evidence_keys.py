"""Predicates about the KMS key a trail encrypts its log files with (rules CT030, CT031).

`subject.obj` is the resolved `Key`; a key outside the inputs is reported unknown by the engine.
"""

from __future__ import annotations

from checker import policy_doc
from checker.model import Key, Unknown
from checker.predicates.context import Context, PredicateArgs
from checker.predicates.evidence import CLOUDTRAIL, Verdicts
from checker.rules import Outcome, Subject

# CloudTrail UG "Configure AWS KMS key policies for CloudTrail": scope the service's encrypt
# grant with the trail's encryption context or aws:SourceArn (aws:SourceAccount is supported but
# less precise).
SCOPING_KEYS = ("kms:EncryptionContext:aws:cloudtrail:arn", "aws:SourceArn", "aws:SourceAccount")
ENCRYPT_ACTION = "kms:GenerateDataKey"


def key_rotation(ctx: Context, subject: Subject[Key], args: PredicateArgs) -> Outcome:
    key = subject.obj
    managed = key.customer_managed
    if managed is False:
        return Outcome("pass", "an AWS managed key, which AWS rotates every year",
                       key.where("customer_managed"))
    rotation = key.rotation_enabled
    where = key.where("rotation_enabled")
    if isinstance(rotation, Unknown):
        return Outcome("unknown", f"whether rotation is on is unknown ({rotation.reason})", where)
    if not rotation and isinstance(managed, Unknown):
        return Outcome(
            "unknown",
            f"rotation is off, and whether the key is AWS managed (rotated by AWS) is unknown "
            f"({managed.reason})",
            where,
        )
    if not rotation:
        return Outcome(
            "fail",
            f"automatic rotation is off ({key.spelling('rotation_enabled')}): the same key "
            "material protects every log file for as long as the key exists",
            where,
        )
    period = key.rotation_period_days
    every = f"every {period} days" if isinstance(period, int) else "every 365 days (default)"
    return Outcome("pass", f"automatic rotation is on, {every}", where)


def trail_key_policy(ctx: Context, subject: Subject[Key], args: PredicateArgs) -> Outcome:
    key = subject.obj
    v = Verdicts()
    enabled = key.enabled
    if isinstance(enabled, Unknown):
        v.unknown(f"whether the key is enabled is unknown ({enabled.reason})", "enabled")
    elif not enabled:
        v.fail("the key is disabled: CloudTrail cannot encrypt, so log delivery stops", "enabled")
    grants = _judge_key_policy(key, v)
    return v.outcome(
        key.where,
        f"the key is enabled and its policy lets cloudtrail.amazonaws.com encrypt only under "
        f"{'; '.join(grants)}",
    )


def _judge_key_policy(key: Key, v: Verdicts) -> list[str]:
    if key.policy is None:
        # Decided: fail, not unknown. Without a policy written in the inputs AWS attaches the
        # default key policy, which opens the key to IAM principals of the key's own account
        # only; cloudtrail.amazonaws.com is not one of them, so CloudTrail cannot use the key.
        v.fail(
            "no key policy in the inputs: AWS then applies the default key policy, which does "
            "not allow cloudtrail.amazonaws.com to use the key, so CloudTrail cannot encrypt log "
            "files (the trail is rejected with InsufficientEncryptionPolicyException); write a "
            "policy (policy / KeyPolicy, or aws_kms_key_policy) that grants CloudTrail "
            "kms:GenerateDataKey* under a kms:EncryptionContext:aws:cloudtrail:arn or "
            "aws:SourceArn condition",
            "policy",
        )
        return []
    found = policy_doc.statements(key.policy, "the key policy")
    if isinstance(found, Unknown):
        v.unknown(found.reason, "policy")
        return []
    scoped: list[str] = []
    maybe: list[str] = []  # scoped grants that may grant nothing, as an unknown value decides
    inert: list[str] = []  # statements that name CloudTrail but no CloudTrail request satisfies
    for stmt in found:
        service = policy_doc.grants_service(stmt, CLOUDTRAIL)
        allowed = stmt.allows_action(ENCRYPT_ACTION)
        if service is False or allowed is False:
            continue
        open_ = service if isinstance(service, Unknown) else allowed
        if isinstance(open_, Unknown):
            reason = open_.reason
            v.unknown(f"whether key policy {stmt.label} grants CloudTrail kms:GenerateDataKey* "
                      f"is unknown ({reason})", "policy")
            continue
        # read as the bucket policy's CloudTrail grants are (CT025): a condition CloudTrail's
        # requests can never satisfy makes the statement grant nothing
        reading = policy_doc.source_reading(stmt, SCOPING_KEYS)
        if isinstance(reading, Unknown):
            v.unknown(f"the conditions of key policy {stmt.label} are unknown ({reading.reason})",
                      "policy")
        elif reading.matches is False:
            inert.append(f"{stmt.label} ({reading.why})")
        elif reading.scoped is True:
            shown = f"{', '.join(sorted(reading.keys))} ({stmt.label})"
            if isinstance(reading.matches, Unknown):
                maybe.append(f"whether key policy {stmt.label} grants CloudTrail anything is "
                             f"unknown ({reading.matches.reason})")
            else:
                scoped.append(shown)
        elif isinstance(reading.scoped, Unknown):
            v.unknown(f"whether key policy {stmt.label} is scoped to one account is unknown "
                      f"({reading.scoped.reason})", "policy")
        else:
            scope = (f"with a condition that does not pin the account ({reading.why})"
                     if reading.why else "without a kms:EncryptionContext:aws:cloudtrail:arn, "
                     "aws:SourceArn or aws:SourceAccount condition")  # fmt: skip
            v.fail(f"key policy {stmt.label} grants cloudtrail.amazonaws.com "
                   f"kms:GenerateDataKey* {scope}, so any account's trail can encrypt with this "
                   "key", "policy")  # fmt: skip
    if scoped:
        v.notes += [f"key policy {label} grants CloudTrail nothing" for label in inert]
    elif not v.problems and maybe:
        v.unknown("; ".join(maybe), "policy")
    elif not v.problems and not v.unknowns:
        why = f" ({'; '.join(inert)})" if inert else ""
        v.fail(
            "the key policy does not allow cloudtrail.amazonaws.com kms:GenerateDataKey*"
            f"{' in a way a CloudTrail request can satisfy' if inert else ''}: CloudTrail cannot "
            f"encrypt log files with this key{why}",
            "policy",
        )
    return scoped
