"""The same two trails written as CloudFormation YAML, CloudFormation JSON and saved CLI output
load into the same model (fixtures/equivalence/README.md says what is compared and why)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from checker.loaders import LoadOptions, load_paths
from checker.loaders.aws.cli import load_awscli
from checker.loaders.cloudformation.loader import load_template
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


def cfn(name: str) -> Estate:
    return load_template(ROOT / name, name, OPTIONS)


def cli() -> Estate:
    files = sorted((ROOT / "awscli").glob("*.json"))
    return load_awscli([(p, p.name) for p in files], OPTIONS)


def _set(ref: Reference | None) -> Reference | None:
    return None if ref is None else SET


def _field_order(selectors: Selectors | Unknown) -> Selectors | Unknown:
    """Terraform keeps field selectors in a set: compare them sorted by field."""
    if isinstance(selectors, Unknown):
        return selectors
    advanced = tuple(
        AdvancedSelector(tuple(sorted(a.field_selectors, key=lambda f: f.field)), a.name)
        for a in selectors.advanced
    )
    return replace(selectors, advanced=advanced)


def normalize(obj: Any) -> Any:
    """Drop what an IaC source cannot know (ids, ARNs, account) and compare references to
    deploy-time ARNs only as "set"."""
    if isinstance(obj, Trail):
        return replace(
            obj, id="", arn=None, account_id="", location=NOWHERE,
            kms_key=_set(obj.kms_key), log_group=_set(obj.log_group),
            sns_topic=_set(obj.sns_topic), selectors=_field_order(obj.selectors),
            delivery=None,  # GetTrailStatus only: a template has no delivery status
        )  # fmt: skip
    if isinstance(obj, Bucket):
        return replace(obj, id="", arn=None, account_id="", sse_kms_key=_set(obj.sse_kms_key))
    if isinstance(obj, Key):
        return replace(obj, id="", arn=None, key_id=None)
    if isinstance(obj, LogGroup):
        return replace(obj, id="", arn=None, kms_key=_set(obj.kms_key))
    return obj


def by_name(estate: Estate) -> dict[str, Trail]:
    return {str(t.name): t for t in estate.trails}


def test_yaml_and_json_templates_load_to_the_same_estate() -> None:
    yaml_estate, json_estate = cfn("cfn.yaml"), cfn("cfn.json")
    assert yaml_estate.diagnostics == () and json_estate.diagnostics == ()
    assert replace(yaml_estate, inputs=()) == replace(json_estate, inputs=())
    assert len(yaml_estate.trails) == 2


@pytest.mark.parametrize("name", ["main", "data"])
def test_template_and_cli_output_give_the_same_trail(name: str) -> None:
    from_cfn = by_name(cfn("cfn.yaml"))[name]
    from_cli = by_name(cli())[name]
    assert normalize(from_cfn) == normalize(from_cli)


def test_the_intended_model_of_readme() -> None:
    estate = cfn("cfn.yaml")
    main, data = by_name(estate)["main"], by_name(estate)["data"]
    assert main.selectors.kind == "basic" and data.selectors.kind == "advanced"  # type: ignore[union-attr]
    assert [s.insight_type for s in main.insight_selectors] == [  # type: ignore[union-attr]
        "ApiCallRateInsight",
        "ApiErrorRateInsight",
    ]
    assert data.s3_key_prefix == "data" and main.s3_key_prefix is None
    for trail in (main, data):
        assert trail.is_multi_region is True and trail.log_file_validation is True
        assert trail.is_logging is True and trail.include_global_service_events is True
        assert trail.bucket == Reference("equivalence-trail-logs")
        assert estate.bucket_of(trail) is estate.buckets[0]
        assert estate.key_of(trail) is estate.keys[0]
        assert estate.log_group_of(trail) is estate.log_groups[0]
    bucket = normalize(estate.buckets[0])
    assert bucket.name == "equivalence-trail-logs" and bucket.versioning == "Enabled"
    assert bucket.region == "us-east-1" and bucket.sse_algorithm == "aws:kms"
    assert bucket.policy["Statement"][1]["Resource"] == "arn:aws:s3:::equivalence-trail-logs/*"
    assert estate.keys[0].rotation_enabled is True
    assert estate.log_groups[0].name == "equivalence-trail"
    assert estate.log_groups[0].retention_days == 365


def test_the_folder_scans_without_errors() -> None:
    estate = load_paths([str(ROOT)], OPTIONS)
    assert estate.diagnostics == ()
    assert {i.status for i in estate.inputs} == {"ok"}

    def mine(file: str) -> bool:
        return file.endswith(("cfn.yaml", "cfn.json")) or file.startswith("awscli/")

    # two trails in three formats (the Terraform twins may add more)
    assert len([t for t in estate.trails if mine(t.location.file)]) == 6
