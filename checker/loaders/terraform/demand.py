"""Which arguments of a block the Terraform loader evaluates (what the model needs of it), and
which it never follows."""

from __future__ import annotations

# Arguments that never feed the model: their references are not followed.
IGNORED_ATTRS = frozenset(
    {
        "tags",
        "tags_all",
        "description",
        "depends_on",
        "lifecycle",
        "timeouts",
        "provisioner",
        "connection",
        "validation",
        "precondition",
        "postcondition",
    }
)
# What every instance needs to exist and to know its region.
META_ARGS_NEEDED = ("count", "for_each", "provider", "region")
META_ATTRS = frozenset(META_ARGS_NEEDED)
MODULE_META = frozenset({"count", "for_each", "providers", "source"})
# Root names of references that no block of the folder declares.
NOT_DECLARED = frozenset({"count", "each", "self", "path", "terraform"})
# Data sources whose every argument shapes the attribute read (a policy document's json).
WHOLE_DATA = frozenset({"aws_iam_policy_document"})
# The arguments a computed attribute is derived from (see terraform_module.DERIVED).
DERIVED_FROM = {
    ("aws_s3_bucket", "id"): {"bucket", "bucket_prefix"},
    ("aws_s3_bucket", "bucket"): {"bucket", "bucket_prefix"},
    ("aws_s3_bucket", "arn"): {"bucket", "bucket_prefix"},
    ("aws_cloudwatch_log_group", "id"): {"name"},
    ("aws_iam_role", "id"): {"name"},
    ("aws_kms_alias", "id"): {"name"},
    ("aws_cloudwatch_log_metric_filter", "id"): {"name"},
    ("aws_s3_bucket_policy", "id"): {"bucket"},
    ("template_file", "rendered"): {"template", "vars"},
}


def resource_demand(rtype: str, attr: str | None) -> frozenset[str] | None:
    if attr is None:
        return None  # the whole object
    return frozenset(DERIVED_FROM.get((rtype, attr), {attr}))
