"""S3 buckets: `aws_s3_bucket` with its inline settings, and the split bucket resources folded
into it (their settings override the inline ones); the account's public access block.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from checker.loaders.terraform.attrs import (
    Attrs,
    FieldLines,
    as_string,
    document,
    first_block,
    integer,
    string,
    strings,
    to_model,
    tri,
)
from checker.loaders.terraform.collector import (
    BucketDraft,
    Collected,
    reference,
    register,
)
from checker.model import (
    Computed,
    Grant,
    LifecycleExpiration,
    PublicAccessBlock,
    Unknown,
)


def bucket_name_omitted(name: Any) -> bool:
    """Whether an aws_s3_bucket `bucket` value counts as not set: the provider reads an empty
    string as it reads an unset (or null) argument, and AWS then gives the bucket a unique name
    (docs/semantics/s3-bucket-names.md)."""
    return name is None or name == ""


def _bucket(c: Collected, a: Attrs) -> None:
    L = FieldLines(a)
    values: dict[str, Any] = {"origin": "iac", "region": c.region(a)}
    raw_name = a.raw("bucket")
    name = as_string(raw_name, "bucket")
    if bucket_name_omitted(name):
        how = "bucket_prefix" if a.raw("bucket_prefix") is not None else "AWS (no bucket argument)"
        name = Computed(f"the name of {a.address} is generated at apply from {how}")
    L.mark("name", "bucket", "bucket_prefix")
    values["name"] = name
    if isinstance(name, str):
        region = values["region"]
        partition = "aws"
        if isinstance(region, str):
            from checker.regions import partition_of

            partition = partition_of(region)
        values["arn"] = f"arn:{partition}:s3:::{name}"
    lock = tri(a, "object_lock_enabled", False)
    if a.raw("object_lock_enabled") is not None:
        L.mark("object_lock_enabled", "object_lock_enabled")
    values["object_lock_enabled"] = lock
    legacy_lock = first_block(a, "object_lock_configuration")
    if isinstance(legacy_lock, Unknown):
        values["object_lock_enabled"] = legacy_lock
    elif legacy_lock is not None:
        enabled = string(legacy_lock, "object_lock_enabled")
        if enabled is not None:
            values["object_lock_enabled"] = (
                (enabled == "Enabled") if isinstance(enabled, str) else enabled
            )
            L.mark("object_lock_enabled", "object_lock_configuration", spelled=False)
        _retention(values, L, legacy_lock, "object_lock_configuration")
    versioning = first_block(a, "versioning")
    if isinstance(versioning, Unknown):
        values["versioning"] = versioning
    elif versioning is not None:
        enabled_v = tri(versioning, "enabled", False)
        values["versioning"] = (
            enabled_v if isinstance(enabled_v, Unknown) else ("Enabled" if enabled_v else None)
        )
        values["mfa_delete"] = tri(versioning, "mfa_delete", False)
        L.mark("versioning", "versioning")
        L.mark("mfa_delete", "versioning", spelled=False)
    logging = first_block(a, "logging")
    if isinstance(logging, Unknown):
        values["access_logging_target"] = logging
    elif logging is not None:
        values["access_logging_target"] = _logging_target(logging)
        L.mark("access_logging_target", "logging")
    acl = string(a, "acl")
    if acl is not None:
        values["acl"] = acl
        L.mark("acl", "acl")
    grants = a.blocks("grant")
    if isinstance(grants, Unknown) or grants:
        values["grants"] = grants if isinstance(grants, Unknown) else _legacy_grants(grants)
        L.mark("grants", "grant")
    if a.raw("policy") is not None:
        values["policy"] = document(a, "policy")
        L.mark("policy", "policy")
    rules = a.blocks("lifecycle_rule")
    if isinstance(rules, Unknown) or rules:
        values["lifecycle_expirations"] = (
            rules if isinstance(rules, Unknown) else _legacy_lifecycle(rules)
        )
        L.mark("lifecycle_expirations", "lifecycle_rule")
    sse = first_block(a, "server_side_encryption_configuration")
    if sse is not None:
        _sse(values, L, sse, "server_side_encryption_configuration")
    c.buckets[a.address] = BucketDraft(a.address, a.location, values, dict(L.lines), name, L.names)


def _retention(values: dict[str, Any], L: FieldLines, holder: Attrs, attr: str) -> None:
    rule = first_block(holder, "rule")
    if rule is None:
        return
    if isinstance(rule, Unknown):
        values["object_lock_mode"] = rule
        values["object_lock_days"] = rule
        return
    retention = first_block(rule, "default_retention")
    if retention is None:
        return
    if isinstance(retention, Unknown):
        values["object_lock_mode"] = retention
        values["object_lock_days"] = retention
        return
    values["object_lock_mode"] = string(retention, "mode")
    days = integer(retention, "days")
    years = integer(retention, "years")
    if days is None and years is not None:
        days = years if isinstance(years, Unknown) else years * 365
    values["object_lock_days"] = days
    L.mark("object_lock_mode", attr, spelled=False)
    L.mark("object_lock_days", attr, spelled=False)


def _legacy_grants(blocks: list[Attrs]) -> tuple[Grant, ...] | Unknown:
    out = []
    for g in blocks:
        grantee = (
            to_model(g.raw("uri")) or to_model(g.raw("id")) or to_model(g.raw("email_address"))
        )
        perms = strings(g, "permissions")
        if isinstance(grantee, Unknown):
            return Unknown(f"a grant's grantee is unknown: {grantee.reason}")
        if isinstance(perms, Unknown):
            return Unknown(f"a grant's permissions are unknown: {perms.reason}")
        for p in perms:
            if isinstance(p, Unknown):
                return Unknown(f"a grant's permission is unknown: {p.reason}")
            out.append(Grant(str(grantee or ""), str(p)))
    return tuple(out)


def _legacy_lifecycle(blocks: list[Attrs]) -> tuple[LifecycleExpiration, ...] | Unknown:
    out: list[LifecycleExpiration] = []
    for r in blocks:
        enabled = tri(r, "enabled", True)
        prefix = string(r, "prefix")
        for name, days_attr, noncurrent in (
            ("expiration", "days", False),
            ("noncurrent_version_expiration", "days", True),
        ):
            e = first_block(r, name)
            if isinstance(e, Unknown):
                return e
            if e is not None:
                days = integer(e, days_attr)
                if days is not None:
                    out.append(LifecycleExpiration(days, enabled, prefix or "", noncurrent))
    return tuple(out)


def _sse(values: dict[str, Any], L: FieldLines, holder: Attrs | Unknown, attr: str) -> None:
    if isinstance(holder, Unknown):
        values["sse_algorithm"] = holder
        return
    rule = first_block(holder, "rule")
    if rule is None:
        return
    if isinstance(rule, Unknown):
        values["sse_algorithm"] = rule
        return
    default = first_block(rule, "apply_server_side_encryption_by_default")
    if isinstance(default, Unknown):
        values["sse_algorithm"] = default
        return
    if default is None:
        return
    values["sse_algorithm"] = string(default, "sse_algorithm")
    values["sse_kms_key"] = reference(default, "kms_master_key_id")
    L.mark("sse_algorithm", attr, spelled=False)


# -- split bucket resources, folded into their bucket -----------------------------------------


def _set_by(d: BucketDraft, a: Attrs, model_field: str, attr: str | None = None) -> None:
    """A split setting points at the block that sets it: its line when it is in the bucket's
    file, else its own location (a module's bucket whose lifecycle the caller sets)."""
    line = (a.line(attr) if attr else None) or a.location.line
    same = a.location.file == d.location.file
    d.lines[model_field] = line if same else replace(a.location, line=line)


def _f_versioning(d: BucketDraft, a: Attrs) -> None:
    conf = first_block(a, "versioning_configuration")
    if isinstance(conf, Unknown):
        d.values["versioning"] = conf
        return
    if conf is None:
        return
    status = string(conf, "status")
    d.values["versioning"] = None if status in ("Disabled", None) else status
    mfa = string(conf, "mfa_delete")
    if mfa is not None:
        d.values["mfa_delete"] = (mfa == "Enabled") if isinstance(mfa, str) else mfa
        _set_by(d, a, "mfa_delete", "versioning_configuration")
    _set_by(d, a, "versioning", "versioning_configuration")


def _f_object_lock(d: BucketDraft, a: Attrs) -> None:
    enabled = string(a, "object_lock_enabled")
    d.values["object_lock_enabled"] = (
        True
        if enabled is None
        else ((enabled == "Enabled") if isinstance(enabled, str) else enabled)
    )
    L = FieldLines(a)
    _retention(d.values, L, a, "rule")
    _set_by(d, a, "object_lock_enabled")
    if "object_lock_days" in L.lines:
        _set_by(d, a, "object_lock_days", "rule")
        _set_by(d, a, "object_lock_mode", "rule")


def _f_public_access_block(d: BucketDraft, a: Attrs) -> None:
    d.values["public_access_block"] = _pab(a)
    _set_by(d, a, "public_access_block")


def _pab(a: Attrs) -> PublicAccessBlock:
    return PublicAccessBlock(
        block_public_acls=tri(a, "block_public_acls", False),
        block_public_policy=tri(a, "block_public_policy", False),
        ignore_public_acls=tri(a, "ignore_public_acls", False),
        restrict_public_buckets=tri(a, "restrict_public_buckets", False),
        location=a.location,
    )


def _f_policy(d: BucketDraft, a: Attrs) -> None:
    d.values["policy"] = document(a, "policy")
    _set_by(d, a, "policy", "policy")


def _f_acl(d: BucketDraft, a: Attrs) -> None:
    acl = string(a, "acl")
    if acl is not None:
        d.values["acl"] = acl
        _set_by(d, a, "acl", "acl")
    policy = first_block(a, "access_control_policy")
    if isinstance(policy, Unknown):
        d.values["grants"] = policy
        return
    if policy is None:
        return
    grants = policy.blocks("grant")
    if isinstance(grants, Unknown):
        d.values["grants"] = grants
        return
    out = []
    for g in grants:
        grantee = first_block(g, "grantee")
        if isinstance(grantee, Unknown):
            d.values["grants"] = grantee
            return
        who = None
        if grantee is not None:
            who = (
                to_model(grantee.raw("uri"))
                or to_model(grantee.raw("id"))
                or to_model(grantee.raw("email_address"))
            )
        perm = string(g, "permission")
        if isinstance(who, Unknown) or isinstance(perm, Unknown):
            u = who if isinstance(who, Unknown) else perm
            d.values["grants"] = Unknown(f"a grant of {a.address} is unknown: {u.reason}")
            return
        out.append(Grant(str(who or ""), str(perm or "")))
    d.values["grants"] = tuple(out)
    _set_by(d, a, "grants", "access_control_policy")


def _logging_target(a: Attrs) -> Any:
    # target_bucket is required (provider schema): logging is on whatever the bucket turns out
    # to be, even when its name is unknown
    target = string(a, "target_bucket")
    if isinstance(target, Unknown) and not isinstance(target, Computed):
        return Computed(target.reason)
    return target


def _f_logging(d: BucketDraft, a: Attrs) -> None:
    d.values["access_logging_target"] = _logging_target(a)
    _set_by(d, a, "access_logging_target", "target_bucket")


def _f_lifecycle(d: BucketDraft, a: Attrs) -> None:
    rules = a.blocks("rule")
    if isinstance(rules, Unknown):
        d.values["lifecycle_expirations"] = rules
        return
    out: list[LifecycleExpiration] = []
    for r in rules:
        status = string(r, "status")
        enabled: Any = status if isinstance(status, Unknown) else status == "Enabled"
        prefix: Any = string(r, "prefix")
        filt = first_block(r, "filter")
        if isinstance(filt, Unknown):
            prefix = filt
        elif filt is not None:
            prefix = string(filt, "prefix")
            both = first_block(filt, "and")
            if prefix is None and both is not None and not isinstance(both, Unknown):
                prefix = string(both, "prefix")
        exp = first_block(r, "expiration")
        if isinstance(exp, Unknown):
            d.values["lifecycle_expirations"] = exp
            return
        if exp is not None:
            days = integer(exp, "days")
            if days is not None:
                out.append(LifecycleExpiration(days, enabled, prefix or "", False))
        nc = first_block(r, "noncurrent_version_expiration")
        if isinstance(nc, Unknown):
            d.values["lifecycle_expirations"] = nc
            return
        if nc is not None:
            days = integer(nc, "noncurrent_days")
            if days is None:
                days = integer(nc, "days")
            if days is not None:
                out.append(LifecycleExpiration(days, enabled, prefix or "", True))
    d.values["lifecycle_expirations"] = tuple(out)
    _set_by(d, a, "lifecycle_expirations", "rule")


def _f_sse(d: BucketDraft, a: Attrs) -> None:
    L = FieldLines(a)
    _sse(d.values, L, a, "rule")
    _set_by(d, a, "sse_algorithm", "rule")


_FRAGMENTS = {
    "aws_s3_bucket_versioning": _f_versioning,
    "aws_s3_bucket_object_lock_configuration": _f_object_lock,
    "aws_s3_bucket_public_access_block": _f_public_access_block,
    "aws_s3_bucket_policy": _f_policy,
    "aws_s3_bucket_acl": _f_acl,
    "aws_s3_bucket_logging": _f_logging,
    "aws_s3_bucket_lifecycle_configuration": _f_lifecycle,
    "aws_s3_bucket_server_side_encryption_configuration": _f_sse,
}


def _account_pab(c: Collected, a: Attrs) -> None:
    c.built.add(_pab(a))


register(
    {"aws_s3_bucket": _bucket, "aws_s3_account_public_access_block": _account_pab},
    _FRAGMENTS,
)
