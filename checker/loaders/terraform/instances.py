"""Resources and data sources of a module instance: their instances (by `count`/`for_each`),
their arguments, and the attributes Terraform computes from configuration alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from checker.loaders.terraform.buckets import bucket_name_omitted
from checker.loaders.terraform.eval import evaluate
from checker.loaders.terraform.expansion import (
    META_ARGS,
    Expansion,
    ModuleScope,
    expand,
    explain,
    key_suffix,
    parsed,
    undeclared,
)
from checker.loaders.terraform.iam import render_policy_document
from checker.loaders.terraform.jsontext import json_text
from checker.loaders.terraform.syntax import (
    Block,
    GetAttr,
    HclSyntaxError,
    Lit,
    Var,
    parse_template,
)
from checker.loaders.terraform.values import (
    Bound,
    Invalid,
    Lazy,
    PartialStr,
    Scope,
    Traced,
    UnknownCollection,
    join_parts,
    plain,
    untrace,
)
from checker.model import Computed, Unknown
from checker.regions import partition_of

# --------------------------------------------------------------------------------------------
# Resources, data sources


class ResourceGroup:
    """One resource (or data) block in one module instance, and its instances."""

    def __init__(self, module: ModuleScope, mode: str, rtype: str, name: str) -> None:
        self.module = module
        self.mode = mode
        self.rtype = rtype
        self.name = name
        local = f"{rtype}.{name}" if mode == "managed" else f"data.{rtype}.{name}"
        self.base = module.prefix + local
        table = module.folder.resources if mode == "managed" else module.folder.data
        self.decl = table.get((rtype, name))
        if self.decl is None:  # a file not parsed yet may declare it
            module.folder.declare("resource" if mode == "managed" else "data", rtype, name)
            self.decl = table.get((rtype, name))
        self.block: Block | Unknown
        if self.decl is None:
            self.block = undeclared(module.folder, local)
        else:
            self.block = parsed(self.decl)
        self._instances: list[ResourceInstance] | None = None
        self._value: Any = None
        self.expansion: Expansion | None = None

    def instances(self) -> list[ResourceInstance]:
        if self._instances is None:
            if isinstance(self.block, Unknown):
                self._instances = []
            else:
                ex = expand(self.block, self.module, self.base)
                self.expansion = ex
                if ex.unknown is not None and self.decl is not None:
                    self.module.host.note_unknown_expansion(
                        self.base + "[*]", self.decl, ex.unknown
                    )
                self._instances = [
                    ResourceInstance(self, key, Bound(self.module, names) if names else self.module)
                    for key, names in ex.instances
                ]
        return self._instances

    @property
    def value(self) -> Any:
        """The value of the reference `type.name` (an instance, a list, a map of instances)."""
        if self._value is None:
            self._value = self._compute_value()
        return self._value

    def _compute_value(self) -> Any:
        if isinstance(self.block, Unknown):
            return self.block
        insts = self.instances()
        ex = self.expansion
        assert ex is not None
        if ex.unknown is not None:
            return _UnknownCollection(insts[0], ex.unknown)
        block = self.block
        if "count" in block.attrs:
            return list(insts)
        if "for_each" in block.attrs:
            return {str(i.key): i for i in insts}
        return insts[0]


class _UnknownCollection(UnknownCollection):
    """`x` whose count/for_each is unknown: `x[0]`, `x["k"]` and `x[*]` all read the one
    representative instance `x[*]`."""

    def __init__(self, inst: ResourceInstance, reason: Unknown) -> None:
        self.inst = inst
        self.reason = reason
        self.label = inst.address

    def get_attr(self, name: str) -> Any:
        block = self.inst.group.block
        if isinstance(block, Block) and "for_each" in block.attrs:
            return self.inst  # x["key"] written as x.key
        return self.inst.get_attr(name)

    def index(self, key: Any) -> Any:
        return self.inst

    def element(self) -> Any:
        return self.inst


class ResourceInstance(Lazy):
    def __init__(self, group: ResourceGroup, key: Any, scope: Scope) -> None:
        self.group = group
        self.key = key
        self.scope = scope
        self.address = group.base + key_suffix(key)
        self.label = self.address
        self._attrs: dict[str, Any] = {}

    @property
    def block(self) -> Block:
        assert isinstance(self.group.block, Block)
        return self.group.block

    @property
    def rtype(self) -> str:
        return self.group.rtype

    def maybe_absent(self) -> Unknown | None:
        """Why this instance may not exist at all: the count or for_each of its block, or of a
        module around it, is not known (it stands for every instance, and there may be none)."""
        ex = self.group.expansion
        own = ex.maybe_none if ex is not None else None
        return own if own is not None else self.group.module.absent

    def argument(self, name: str) -> Any:
        """An argument as written (None when not written), evaluated, traces kept."""
        if name in self._attrs:
            return self._attrs[name]
        attr = self.block.attrs.get(name)
        if attr is None:
            v: Any = None
        else:
            v = evaluate(attr.node, self.scope)
        self._attrs[name] = v
        return v

    def get_attr(self, name: str) -> Any:
        """The value of `<address>.<name>` for other expressions: arguments, nested blocks, and
        the computed attributes Terraform knows from configuration. An attribute that names this
        resource itself is traced to it, whatever its value is built from: a bucket named
        `logs-${random_id.s.hex}` is still `aws_s3_bucket.logs`."""
        v = self._get_attr(name)
        if self.group.mode == "managed" and name in _identity_attributes(self.rtype):
            # ...and it is set once the resource exists, whatever its value turns out to be
            return Traced(_certainly_set(untrace(v)), self.address)
        return v

    def _get_attr(self, name: str) -> Any:
        if name in self.block.attrs and name not in META_ARGS:
            v = self.argument(name)
            u = untrace(v)
            if isinstance(u, Unknown) and not isinstance(u, Invalid):
                attr = self.block.attrs[name]
                e = explain(f"{self.address}.{name}", attr.src, u)
                return Traced(e, v.target) if isinstance(v, Traced) else Traced(e, self.address)
            return v if isinstance(v, (Traced, Lazy)) else Traced(v, self.address)
        nested = [b for b in self.block.blocks if b.type == name]
        if nested:
            return [NestedBlock(self, b, self.scope) for b in nested]
        derived = DERIVED.get((self.group.mode, self.rtype, name))
        if derived is None:
            derived = DERIVED.get((self.group.mode, "*", name))
        if derived is not None:
            v = derived(self)
            return v if isinstance(v, Traced) else Traced(v, self.address)
        if self.group.mode == "data":
            cls = Computed if name in ALWAYS_SET else Unknown
            return Traced(
                cls(f"{self.address}.{name} is read from AWS when Terraform plans"), self.address
            )
        cls = Computed if name in ALWAYS_SET else Unknown
        return Traced(cls(f"{self.address}.{name} is known only after apply"), self.address)

    def region(self) -> Any:
        """The region the resource lives in: its own `region` argument (provider v6), else its
        provider configuration's."""
        own = self.block.attrs.get("region")
        if own is not None:
            v = plain(self.argument("region"))
            if isinstance(v, Unknown):
                return explain("region", own.src, v)
            if isinstance(v, str):
                return v
        return self.group.module.provider(self.provider_key()).region()

    def provider_key(self) -> str:
        attr = self.block.attrs.get("provider")
        if attr is None:
            return "aws"
        node = attr.node
        if isinstance(node, GetAttr) and isinstance(node.obj, Var):
            return f"{node.obj.name}.{node.name}"
        if isinstance(node, Var):
            return node.name
        if isinstance(node, Lit) and isinstance(node.value, str):
            return node.value
        return "aws"


# `master_account_id`: an organization (aws_organizations_organization) always has one
ALWAYS_SET = {
    "arn", "id", "key_id", "account_id", "name", "unique_id", "bucket", "master_account_id",
}  # fmt: skip
_IDENTITY = frozenset({"id", "arn", "name"})


def _certainly_set(v: Any) -> Any:
    """An unknown value that a resource certainly has (its id, ARN or name)."""
    if isinstance(v, Invalid) or not isinstance(v, Unknown) or isinstance(v, Computed):
        return v
    if isinstance(v, PartialStr):
        parts = tuple(
            Computed(p.reason) if isinstance(p, Unknown) and not isinstance(p, Computed) else p
            for p in v.parts
        )
        return PartialStr(v.reason, parts)
    return Computed(v.reason)


def _identity_attributes(rtype: str) -> frozenset[str]:
    """The attributes whose value names the resource itself. The split settings of a bucket
    (`aws_s3_bucket_versioning`, `aws_s3_bucket_policy`, ...) have the bucket's name as id: they
    keep the bucket's trace."""
    if rtype == "aws_s3_bucket":
        return _IDENTITY | {"bucket"}
    if rtype == "aws_kms_key":
        return _IDENTITY | {"key_id"}
    if rtype.startswith("aws_s3_bucket_"):
        return frozenset()
    return _IDENTITY


class NestedBlock(Lazy):
    """A nested block read through a reference: `aws_x.y.metric_transformation[0].name`."""

    def __init__(self, inst: ResourceInstance, block: Block, scope: Scope) -> None:
        self.inst = inst
        self.block = block
        self.scope = scope
        self.label = f"{inst.address}.{block.type}"

    def get_attr(self, name: str) -> Any:
        attr = self.block.attrs.get(name)
        if attr is not None:
            v = evaluate(attr.node, self.scope)
            return v if isinstance(v, (Traced, Lazy)) else Traced(v, self.inst.address)
        nested = [b for b in self.block.blocks if b.type == name]
        if nested:
            return [NestedBlock(self.inst, b, self.scope) for b in nested]
        return Traced(
            Unknown(f"{self.label}.{name} is not set or known only after apply"), self.inst.address
        )

    def materialize(self) -> Any:
        return {k: self.get_attr(k) for k in self.block.attrs}


# --------------------------------------------------------------------------------------------
# Attributes Terraform computes from configuration


def _partition(inst: ResourceInstance) -> str | Unknown:
    region = inst.region()
    if isinstance(region, str):
        return partition_of(region)
    return "aws"  # the documented form of S3 bucket ARNs; China and GovCloud regions are named




def _bucket_name(inst: ResourceInstance) -> Any:
    # An empty or null `bucket` is an omitted one: the provider cannot tell them apart and has
    # AWS give the bucket a unique name (docs/semantics/s3-bucket-names.md)
    if "bucket" in inst.block.attrs:
        name = inst.get_attr("bucket")
        if not bucket_name_omitted(untrace(name)):
            return name
    if "bucket_prefix" in inst.block.attrs:
        return Computed(f"the name of {inst.address} is generated from bucket_prefix at apply")
    return Computed(f"the name of {inst.address} is generated at apply (no bucket argument)")


def _bucket_arn(inst: ResourceInstance) -> Any:
    # the ARN of this one bucket even when its name is not known: arn:<partition>:s3:::<name>
    name = untrace(_bucket_name(inst))
    prefix = f"arn:{_partition(inst)}:s3:::"
    if isinstance(name, str):
        return prefix + name
    if isinstance(name, Computed) and not isinstance(name, PartialStr):
        name = Computed(f"{inst.address}.arn is known only after apply")
    return join_parts([prefix, name])


def _named(kind: str) -> Callable[[ResourceInstance], Any]:
    def get(inst: ResourceInstance) -> Any:
        if "name" in inst.block.attrs:
            return inst.get_attr("name")
        return Computed(f"the name of {inst.address} is generated at apply")

    return get


def _policy_document_json(inst: ResourceInstance) -> Any:
    return json_text(render_policy_document(inst.block, inst.scope, inst.address))


def _template_rendered(inst: ResourceInstance) -> Any:
    """`data.template_file.x.rendered` (the archived hashicorp/template provider): its `template`
    rendered with its `vars`, as `templatefile` renders a file; nothing is read from AWS."""
    text = untrace(inst.argument("template"))
    if not isinstance(text, str):
        return text if isinstance(text, Unknown) else Unknown(
            f"{inst.address} renders a template given other than by `template`")
    names = plain(inst.argument("vars")) or {}
    if isinstance(names, Unknown):
        return names
    if not isinstance(names, dict):
        return Invalid(f"the vars of {inst.address} are not a map")
    try:
        node = parse_template(text)
    except HclSyntaxError as e:
        return Invalid(f"the template of {inst.address} is not valid: {e.message}")
    return evaluate(node, Bound(Scope(), names))


def _data_region(inst: ResourceInstance) -> Any:
    return inst.region()


def _data_partition(inst: ResourceInstance) -> Any:
    region = inst.region()
    if isinstance(region, str):
        return partition_of(region)
    why = f"{inst.address}.partition depends on the region: {region.reason}"
    return Computed(why) if isinstance(region, Computed) else Unknown(why)


_ARN_FIELDS = ("arn", "partition", "service", "region", "account", "resource")


def _arn_field(name: str) -> Callable[[ResourceInstance], Any]:
    """`data.aws_arn.x.<name>`: the provider splits its `arn` argument where it runs
    (arn:partition:service:region:account-id:resource, "Amazon Resource Names (ARNs)", IAM User
    Guide), nothing is read from AWS: a known ARN, or one whose leading fields are known, gives
    those fields."""
    index = _ARN_FIELDS.index(name)

    def get(inst: ResourceInstance) -> Any:
        arn = untrace(inst.argument("arn"))
        head = arn if isinstance(arn, str) else (
            arn.parts[0] if isinstance(arn, PartialStr) and isinstance(arn.parts[0], str) else "")
        fields = head.split(":", 5)
        if isinstance(arn, str) and (len(fields) < 6 or fields[0] != "arn"):
            return Invalid(f"{inst.address}: {arn!r} is not an ARN")
        if index < len(fields) - 1 or isinstance(arn, str):
            return fields[index]
        if index == 5 and len(fields) == 6 and isinstance(arn, PartialStr):
            return join_parts([fields[5], *arn.parts[1:]])  # the resource: the rest, as built
        why = f"{inst.address}.{name} is split from its arn, which is not known"
        if isinstance(arn, Unknown):
            why += f" ({arn.reason})"
        return Computed(why) if isinstance(arn, Computed) else Unknown(why)

    return get


DERIVED: dict[tuple[str, str, str], Callable[[ResourceInstance], Any]] = {
    ("managed", "aws_s3_bucket", "id"): _bucket_name,
    ("managed", "aws_s3_bucket", "bucket"): _bucket_name,
    ("managed", "aws_s3_bucket", "arn"): _bucket_arn,
    ("managed", "aws_cloudwatch_log_group", "id"): _named("log group"),
    ("managed", "aws_cloudwatch_log_group", "name"): _named("log group"),
    ("managed", "aws_sns_topic", "name"): _named("topic"),
    ("managed", "aws_iam_role", "id"): _named("role"),
    ("managed", "aws_iam_role", "name"): _named("role"),
    ("managed", "aws_iam_policy", "name"): _named("policy"),
    ("managed", "aws_kms_alias", "id"): _named("alias"),
    ("managed", "aws_cloudwatch_log_metric_filter", "id"): _named("metric filter"),
    ("managed", "aws_cloudtrail", "name"): _named("trail"),
    ("managed", "aws_s3_bucket_policy", "id"): lambda i: i.get_attr("bucket"),
    ("data", "aws_iam_policy_document", "json"): _policy_document_json,
    ("data", "aws_iam_policy_document", "minified_json"): _policy_document_json,
    ("data", "template_file", "rendered"): _template_rendered,
    ("data", "aws_region", "name"): _data_region,
    ("data", "aws_region", "region"): _data_region,
    ("data", "aws_region", "id"): _data_region,
    ("data", "aws_partition", "partition"): _data_partition,
    ("data", "aws_partition", "id"): _data_partition,
    ("data", "aws_s3_bucket", "id"): lambda i: i.get_attr("bucket"),
    ("data", "aws_s3_bucket", "arn"): _bucket_arn,
    ("data", "aws_arn", "id"): lambda i: i.argument("arn"),
    **{("data", "aws_arn", f): _arn_field(f) for f in _ARN_FIELDS[1:]},
}


