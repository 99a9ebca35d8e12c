"""The Terraform twins of fixtures/equivalence (HCL and its `terraform show -json` plan) load into
the same model as the CloudFormation template, with the normalization of that folder's README."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from checker.loaders import LoadOptions
from checker.loaders.cloudformation.loader import load_template
from checker.loaders.terraform.loader import load_terraform
from checker.loaders.terraform.plan import load_plan
from checker.model import (
    NOWHERE,
    AdvancedSelector,
    Bucket,
    Estate,
    Key,
    LogGroup,
    Reference,
    Selectors,
    Trail,
    Unknown,
)

ROOT = Path(__file__).resolve().parents[2] / "fixtures" / "equivalence"
OPTIONS = LoadOptions(default_region="us-east-1", cwd=str(ROOT))
SET = Reference("<set>")


def _set(ref: Reference | None) -> Reference | None:
    return None if ref is None else SET


def _sorted_fields(selectors: Selectors | Unknown) -> Selectors | Unknown:
    if isinstance(selectors, Unknown):
        return selectors
    return replace(
        selectors,
        advanced=tuple(
            AdvancedSelector(tuple(sorted(a.field_selectors, key=lambda f: f.field)), a.name)
            for a in selectors.advanced
        ),
    )


def normalize(obj: Any) -> Any:
    if isinstance(obj, Trail):
        return replace(
            obj,
            id="",
            arn=None,
            account_id="",
            location=NOWHERE,
            kms_key=_set(obj.kms_key),
            log_group=_set(obj.log_group),
            sns_topic=_set(obj.sns_topic),
            selectors=_sorted_fields(obj.selectors),
        )
    if isinstance(obj, Bucket):
        return replace(obj, id="", arn=None, account_id="", sse_kms_key=_set(obj.sse_kms_key))
    if isinstance(obj, Key):
        return replace(obj, id="", arn=None, key_id=None)
    if isinstance(obj, LogGroup):
        return replace(obj, id="", arn=None, kms_key=_set(obj.kms_key))
    return obj


def hcl() -> Estate:
    return load_terraform([ROOT / "terraform"], OPTIONS)


def plan() -> Estate:
    return load_plan(ROOT / "plan.json", "plan.json", OPTIONS)


def cfn() -> Estate:
    return load_template(ROOT / "cfn.yaml", "cfn.yaml", OPTIONS)


def by_name(estate: Estate) -> dict[str, Trail]:
    return {str(t.name): t for t in estate.trails}


@pytest.mark.parametrize("name", ["main", "data"])
def test_hcl_trails_equal_the_template(name: str) -> None:
    assert normalize(by_name(hcl())[name]) == normalize(by_name(cfn())[name])


@pytest.mark.parametrize("name", ["main", "data"])
def test_plan_trails_equal_the_template(name: str) -> None:
    # In a plan, s3_bucket_name = aws_s3_bucket.logs.id is unknown: the bucket's id is known only
    # after apply, and the plan does not say the expression is the bare reference (a template
    # "${...}-x" has the same references). It still joins the bucket by its target.
    trail = by_name(plan())[name]
    assert trail.bucket is not None and trail.bucket.target == "aws_s3_bucket.logs"
    template = by_name(cfn())[name]
    assert normalize(replace(trail, bucket=SET)) == normalize(replace(template, bucket=SET))


@pytest.mark.parametrize("load", [hcl, plan], ids=["hcl", "plan"])
def test_bucket_key_and_log_group_equal_the_template(load: Any) -> None:
    mine, theirs = load(), cfn()
    assert mine.diagnostics == ()
    for kind in ("buckets", "keys", "log_groups"):
        assert [normalize(x) for x in getattr(mine, kind)] == [
            normalize(x) for x in getattr(theirs, kind)
        ], kind


@pytest.mark.parametrize("load", [hcl, plan], ids=["hcl", "plan"])
def test_references_join(load: Any) -> None:
    estate = load()
    for trail in estate.trails:
        assert estate.bucket_of(trail) is estate.buckets[0]
        assert estate.key_of(trail) is estate.keys[0]
        assert estate.log_group_of(trail) is estate.log_groups[0]
    assert estate.buckets[0].sse_kms_key is not None
    assert estate.buckets[0].sse_kms_key.target == "aws_kms_key.trail"
