"""Terraform resource attributes -> the normalized model. One implementation for HCL and plans.

Both loaders hand each resource over as `Attrs`: its address, type, location, and its argument
values (evaluated from HCL, or read from a plan), where a value read from another resource is
`Traced` with that resource's address. The split S3 bucket resources are folded into their
bucket here (split settings override inline ones), and policy attachments into their policies.

From the bottom up: `attrs` (arguments and their model values), `collector` (the gathered
objects, the table of mappings, references), `buckets` and `mappers` (one mapping per resource
type, each registered in the table), and this module (the collector that maps and joins).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# the mapping modules register their resource types in collector.MAPPERS when imported
from checker.loaders.terraform import buckets as _buckets  # noqa: F401
from checker.loaders.terraform.attrs import Attrs, as_string, to_model
from checker.loaders.terraform.collector import FRAGMENTS, MAPPERS, Collected
from checker.loaders.terraform.mappers import IAM_ATTACHMENTS, with_targets
from checker.loaders.terraform.values import Traced
from checker.model import Bucket, ControlPolicy, Estate, EventRule, Unknown


@dataclass
class Collector(Collected):
    """Gathers model objects from mapped resources; `estate()` joins and folds them."""

    def add(self, a: Attrs) -> None:
        mapper = MAPPERS.get(a.rtype)
        if mapper is not None:
            mapper(self, a)
        elif a.rtype in FRAGMENTS:
            self.fragments.append((a, a.raw("bucket")))


    def estate(self) -> Estate:
        for a, bucket in self.fragments:
            draft = self._bucket_for(bucket)
            if draft is not None:
                FRAGMENTS[a.rtype](draft, a)
        buckets = tuple(
            Bucket(id=d.address, location=d.location, lines=d.lines, names=d.names, **d.values)
            for d in self.buckets.values()
        )
        for policy_ref, target in self.attachments:
            draft_p = (
                self.policies.get(policy_ref.target) if isinstance(policy_ref, Traced) else None
            )
            if draft_p is not None:
                draft_p.targets.append(target)
        policies = tuple(
            ControlPolicy(
                id=p.address,
                kind=p.kind,  # type: ignore[arg-type]
                document=p.document,
                location=p.location,
                name=p.name,
                targets=_targets(p.targets),
                lines=p.lines,
                names=p.names,
            )
            for p in self.policies.values()
        )
        built = self.built
        built.add(*buckets, *policies)
        rules = built.of(EventRule)
        rules[:] = with_targets(rules, self.event_targets)
        return built.estate()


def _targets(items: list[Any]) -> tuple[Any, ...] | Unknown:
    out: list[Any] = []
    for raw in items:
        v = to_model(raw)
        if isinstance(v, list):
            out.extend(as_string(x, "target") for x in v)
        elif v is not None:
            out.append(as_string(v, "target"))
    return tuple(out)



# The resource types the model is made of: parsing starts from these (terraform.files.is_seed).
MAPPED_TYPES = frozenset(MAPPERS) | frozenset(FRAGMENTS)
# Attachments matter only when they attach a policy of the inputs, which their text then names.
ATTACHES: dict[str, str] = {
    "aws_organizations_policy_attachment": "aws_organizations_policy.",
    **{t: "aws_iam_policy." for t in IAM_ATTACHMENTS},
}
