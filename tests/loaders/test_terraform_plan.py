"""load_plan on a real `terraform show -json` (fixtures/terraform/plan: its source is beside it)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from checker.loaders import LoadOptions, load_paths
from checker.loaders.terraform.loader import load_terraform
from checker.loaders.terraform.plan import load_plan
from checker.model import Computed, Estate, Reference, Trail, Unknown

REPO = Path(__file__).resolve().parents[2]
PLAN = REPO / "fixtures" / "terraform" / "plan" / "plan.json"
SOURCE = REPO / "fixtures" / "terraform" / "plan" / "source"


def plan(path: Path = PLAN) -> Estate:
    return load_plan(path, "plan.json", LoadOptions(cwd=str(REPO)))


def test_child_modules_addresses_and_region() -> None:
    estate = plan()
    assert [t.id for t in estate.trails] == ["module.audit.aws_cloudtrail.this"]
    t = estate.trails[0]
    assert (
        t.home_region == "eu-central-1"
    )  # provider region = var.region, from the plan's variables
    assert (
        t.name == "acme-plan-trail" and t.is_multi_region is True and t.log_file_validation is True
    )
    assert t.location.file == "plan.json" and t.location.line > 1


def test_after_unknown_values_are_computed_and_keep_their_reference() -> None:
    estate = plan()
    t = estate.trails[0]
    assert t.kms_key is not None and isinstance(t.kms_key.value, Computed)
    # the reason names the attribute by its address: "policy is known only after apply" left a
    # reader of a reviewed plan guessing which of its policies
    assert t.kms_key.value.reason == (
        "module.audit.aws_cloudtrail.this.kms_key_id is known only after apply"
    )
    # var.kms_key_arn inside the module -> the module call's expression -> aws_kms_key.trail
    assert t.kms_key.target == "aws_kms_key.trail" and estate.key_of(t) is estate.keys[0]
    assert t.bucket is not None and t.bucket.target == "aws_s3_bucket.logs"
    assert estate.bucket_of(t) is not None and estate.bucket_of(t).name == "acme-plan-trail-logs"  # type: ignore[union-attr]
    assert (
        t.log_group is not None
        and t.log_group.target == "module.audit.aws_cloudwatch_log_group.this"
    )
    assert estate.log_group_of(t) is estate.log_groups[0]
    assert isinstance(t.cloudwatch_logs_role_arn, Computed)


def test_selectors_and_split_resources_through_the_same_mapping() -> None:
    estate = plan()
    t = estate.trails[0]
    assert not isinstance(t.selectors, Unknown) and t.selectors.kind == "advanced"
    assert [a.name for a in t.selectors.advanced] == ["Management events", "S3 writes"]
    logs = next(b for b in estate.buckets if b.id == "aws_s3_bucket.logs")
    # joined by configuration references: the versioning's bucket is unknown in the plan
    assert (
        logs.versioning == "Enabled"
        and logs.mfa_delete is False
        and logs.object_lock_enabled is True
    )
    # attributes that are not written take AWS defaults on a new bucket, as from HCL
    assert logs.policy is None and logs.grants == () and logs.lifecycle_expirations == ()
    data = [b for b in estate.buckets if b.id.startswith("aws_s3_bucket.data")]
    assert [b.id for b in data] == ["aws_s3_bucket.data[0]", "aws_s3_bucket.data[1]"]
    assert all(isinstance(b.name, Computed) for b in data)


def test_plan_and_its_source_give_the_same_trail() -> None:
    from_plan = plan().trails[0]
    from_hcl = load_terraform([SOURCE], LoadOptions(cwd=str(REPO))).trails[0]

    def norm(t: Trail) -> Trail:
        def ref(r: Reference | None) -> Reference | None:
            return None if r is None else Reference("<set>", r.target)

        selectors = t.selectors
        if not isinstance(selectors, Unknown):
            selectors = replace(
                selectors,
                advanced=tuple(
                    replace(
                        a, field_selectors=tuple(sorted(a.field_selectors, key=lambda f: f.field))
                    )
                    for a in selectors.advanced
                ),
            )
        return replace(
            t,
            arn=None,
            bucket=ref(t.bucket),
            kms_key=ref(t.kms_key),
            log_group=ref(t.log_group),
            cloudwatch_logs_role_arn="<set>",
            selectors=selectors,
        )

    assert norm(from_plan) == norm(from_hcl)


def test_prior_state_is_not_the_plan(tmp_path: Path) -> None:
    doc = json.loads(PLAN.read_text())
    doc["prior_state"] = {
        "values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_cloudtrail.old",
                        "mode": "managed",
                        "type": "aws_cloudtrail",
                        "name": "old",
                        "values": {"name": "old", "s3_bucket_name": "x"},
                    }
                ]
            }
        }
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc))
    assert [t.id for t in plan(path).trails] == ["module.audit.aws_cloudtrail.this"]


def test_invalid_plans_are_ct000(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "format_version": "1.2",\n  "planned_values": {,\n}\n')
    estate = plan(bad)
    assert [(d.rule_id, d.status, d.location.line) for d in estate.diagnostics] == [
        ("CT000", "fail", 3)
    ]
    future = tmp_path / "future.json"
    future.write_text(json.dumps({"format_version": "2.0", "planned_values": {}}))
    assert "not supported" in plan(future).diagnostics[0].message


def test_plans_are_found_by_load_paths(tmp_path: Path) -> None:
    copy = tmp_path / "tfplan.json"
    copy.write_text(PLAN.read_text())
    estate = load_paths([str(copy)], LoadOptions(cwd=str(tmp_path)))
    assert [i.kind for i in estate.inputs] == ["terraform-plan"]
    assert len(estate.trails) == 1
