"""load_terraform on the fixtures of fixtures/terraform/: values, modules, errors, the model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.loaders import LoadOptions, load_paths
from checker.loaders.terraform.loader import load_terraform
from checker.model import Computed, Estate, Reference, Selectors, Trail, Unknown

REPO = Path(__file__).resolve().parents[2]
FIX = REPO / "fixtures" / "terraform"


def load(case: str, **options: object) -> Estate:
    return load_paths([str(FIX / case)], LoadOptions(cwd=str(REPO), **options))  # type: ignore[arg-type]


def trail(estate: Estate, address: str) -> Trail:
    found = [t for t in estate.trails if t.id == address]
    assert found, [t.id for t in estate.trails]
    return found[0]


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


# -- values ------------------------------------------------------------------------------------


def test_defaults_tfvars_and_auto_tfvars_in_order() -> None:
    t = trail(load("variables"), "aws_cloudtrail.main")
    assert t.name == "From-Tfvars"  # terraform.tfvars over the default
    # terraform.tfvars < a.auto.tfvars.json < b.auto.tfvars (lexical order)
    assert t.bucket == Reference("auto-bucket")
    assert t.s3_key_prefix == "from-tfvars/auto-prefix"  # locals refer to each other out of order
    assert t.is_multi_region is False and t.home_region == "us-east-1"


def test_var_files_then_command_line_variables_win(tmp_path: Path) -> None:
    extra = tmp_path / "extra.tfvars"
    extra.write_text('bucket = "var-file-bucket"\nprefix = "var-file-prefix"\n')
    t = trail(
        load(
            "variables",
            var_files=(str(extra),),
            variables=(("prefix", "cli"), ("multi_region", "true")),
        ),
        "aws_cloudtrail.main",
    )
    assert t.bucket == Reference("var-file-bucket")
    assert t.s3_key_prefix == "from-tfvars/cli"
    assert t.is_multi_region is True  # "true" read as HCL for a bool variable


def test_string_variables_take_command_line_values_verbatim() -> None:
    t = trail(load("variables", variables=(("trail_name", "[1]"),)), "aws_cloudtrail.main")
    assert t.name == "[1]"


def test_dynamic_blocks_expand_from_variables() -> None:
    t = trail(load("variables"), "aws_cloudtrail.main")
    assert isinstance(t.selectors, Selectors) and t.selectors.kind == "basic"
    assert [s.read_write_type for s in t.selectors.basic] == ["WriteOnly"]


def test_a_variable_without_value_gives_an_unknown_that_names_it() -> None:
    t = trail(load("unknown_var"), "aws_cloudtrail.main")
    assert t.kms_key is not None and isinstance(t.kms_key.value, Unknown)
    assert t.kms_key.value.reason.startswith(
        "kms_key_id comes from var.kms_key_arn, which has no value"
    )
    assert t.lines["kms_key"] == 17


def test_unknown_count_is_one_instance_with_a_diagnostic() -> None:
    estate = load("unknown_var")
    maybe = trail(estate, "aws_cloudtrail.maybe[*]")
    assert isinstance(maybe.name, Unknown)  # it uses count.index
    # there may be no instance at all: whether it logs is unknown, never taken as on
    assert isinstance(maybe.is_logging, Unknown)
    assert maybe.is_logging.reason.startswith("whether aws_cloudtrail.maybe[*] exists is not known")
    diag = [d for d in estate.diagnostics if d.resource == "aws_cloudtrail.maybe[*]"]
    assert diag and diag[0].status == "unknown" and "var.create" in diag[0].message
    assert diag[0].location.line == 20


def test_a_bool_variable_whose_default_is_the_string_true_is_true() -> None:
    # Terraform converts "true" where a bool is needed: the count, the condition of a conditional
    estate = load("bool_default")
    t = trail(estate, "aws_cloudtrail.main")
    assert t.is_logging is True
    assert [g.id for g in estate.log_groups] == ["aws_cloudwatch_log_group.trail[0]"]
    assert estate.log_group_of(t) is estate.log_groups[0]
    assert not [d for d in estate.diagnostics if d.rule_id == "CT000"]


def test_local_cycles_are_unknown(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": "locals {\n  a = local.b\n  b = local.a\n}\n"
            'resource "aws_cloudtrail" "t" {\n  name = local.a\n  s3_bucket_name = "x"\n}\n'
        },
    )
    t = load_terraform([tmp_path], LoadOptions(cwd=str(tmp_path))).trails[0]
    assert isinstance(t.name, Unknown) and "cycle" in t.name.reason


def test_region_comes_from_the_provider_then_the_option(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"main.tf": 'resource "aws_cloudtrail" "t" {\n  name = "t"\n  s3_bucket_name = "x"\n}\n'},
    )
    no_region = load_terraform([tmp_path], LoadOptions(cwd=str(tmp_path))).trails[0]
    assert isinstance(no_region.home_region, Unknown) and "provider" in no_region.home_region.reason
    with_option = load_terraform(
        [tmp_path], LoadOptions(cwd=str(tmp_path), default_region="eu-north-1")
    )
    assert with_option.trails[0].home_region == "eu-north-1"


# -- modules -----------------------------------------------------------------------------------


def test_local_modules_with_inputs_and_prefixed_addresses() -> None:
    estate = load("modules")
    org = trail(estate, "module.audit.aws_cloudtrail.this")
    assert org.name == "org"
    assert org.bucket == Reference("acme-org-trail-logs", "aws_s3_bucket.logs")
    assert estate.bucket_of(org) is not None and estate.bucket_of(org).id == "aws_s3_bucket.logs"  # type: ignore[union-attr]
    assert org.kms_key is not None and org.kms_key.target == "aws_kms_key.trail"
    assert isinstance(org.kms_key.value, Computed)
    assert org.home_region == "us-east-1"  # providers = { aws = aws.us }
    # nested module output, traced to the topic inside
    assert org.sns_topic == Reference(
        "org-deliveries", "module.audit.module.topic.aws_sns_topic.this"
    )
    assert estate.topic_of(org) is not None
    assert org.location.file.endswith("modules/audit/main.tf")


def test_resource_prefix_is_another_spelling_of_a_managed_resource_reference() -> None:
    """`resource.aws_s3_bucket.store.id` reads the bucket as `aws_s3_bucket.store.id` does
    (Terraform's reference parser, case "resource"); it was a CT000 failure saying Terraform
    rejects an undeclared `resource`, and the trail lost its bucket, log group and key."""
    estate = load("resource_prefix")
    assert [d.message for d in estate.diagnostics if d.rule_id == "CT000"] == []
    t = trail(estate, "aws_cloudtrail.main")
    assert t.bucket == Reference("prefix-spelling-audit", "aws_s3_bucket.store")
    assert t.log_group is not None and t.log_group.target == "aws_cloudwatch_log_group.feed"
    assert t.kms_key is not None and t.kms_key.target == "aws_kms_key.seal"


def test_try_with_a_computed_key_into_a_map_holding_an_unknown_picks_as_applied() -> None:
    """`try(var.changes[name], {})` where one override holds a value known only after apply:
    Terraform's plan leaves every control unknown (the map is not wholly known), but applied,
    the keys decide; every filter kept its pattern and every alarm its namespace (found in the
    cis-alarms module of a public CloudWatch module collection, whose alarms were all unknown)."""
    estate = load("try_computed_key")
    filters = {f.id.split('"')[1]: f for f in estate.metric_filters}
    assert filters["key_deletion"].pattern.startswith("{ ($.eventSource = kms")  # type: ignore[union-attr]
    assert filters["trail_changes"].pattern.startswith("{ ($.eventName = StopLogging)")  # type: ignore[union-attr]
    alarms = {a.id.split('"')[1]: a for a in estate.alarms}
    assert [alarms[k].namespace for k in sorted(alarms)] == ["Audit", "Root", "Audit"]
    assert [alarms[k].metric_name for k in sorted(alarms)] == sorted(alarms)
    assert isinstance(alarms["trail_changes"].actions[0].value, Unknown)  # the pet name
    assert alarms["key_deletion"].actions[0].value.endswith(":audit")  # type: ignore[union-attr]


def test_for_each_modules_and_count_and_for_each_resources() -> None:
    estate = load("modules")
    team = trail(estate, 'module.team["prod"].aws_cloudtrail.this')
    assert team.bucket == Reference("team-logs-111111111111") and team.kms_key is None
    assert team.home_region == "eu-west-1"  # the default provider passes implicitly
    assert {t.id for t in estate.trails} == {
        "module.audit.aws_cloudtrail.this",
        'module.team["prod"].aws_cloudtrail.this',
        'module.team["staging"].aws_cloudtrail.this',
    }
    assert [g.id for g in estate.log_groups] == [
        "aws_cloudwatch_log_group.apps[0]",
        "aws_cloudwatch_log_group.apps[1]",
    ]
    assert [g.name for g in estate.log_groups] == ["/apps/0", "/apps/1"]
    assert {t.id for t in estate.topics} >= {
        'aws_sns_topic.alerts["ops"]',
        'aws_sns_topic.alerts["security"]',
    }


def test_a_called_module_folder_is_judged_only_through_its_caller() -> None:
    both = load_paths(
        [str(FIX / "modules"), str(FIX / "modules" / "modules" / "audit")],
        LoadOptions(cwd=str(REPO)),
    )
    assert not [t for t in both.trails if t.id == "aws_cloudtrail.this"]
    alone = load_paths([str(FIX / "modules" / "modules" / "audit")], LoadOptions(cwd=str(REPO)))
    t = trail(alone, "aws_cloudtrail.this")
    assert isinstance(t.name, Unknown) and "var.trail_name, which has no value" in t.name.reason


def test_remote_modules_without_terraform_init_are_unknown() -> None:
    estate = load("remote_module")
    diag = [d for d in estate.diagnostics if d.rule_id == "CT000"]
    assert len(diag) == 1 and diag[0].status == "unknown"
    assert diag[0].resource == "module.cloudtrail" and diag[0].location.line == 5
    assert "remote modules are not fetched" in diag[0].message
    assert [b.id for b in estate.buckets] == ["aws_s3_bucket.logs"]  # the rest still loads


def test_remote_modules_are_read_from_terraform_modules_json(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": 'provider "aws" {\n  region = "us-east-1"\n}\n'
            'module "trail" {\n  source = "example/trail/aws"\n  name = "fetched"\n}\n',
            ".terraform/modules/modules.json": json.dumps(
                {
                    "Modules": [
                        {"Key": "", "Source": "", "Dir": "."},
                        {
                            "Key": "trail",
                            "Source": "registry.terraform.io/example/trail/aws",
                            "Dir": ".terraform/modules/trail",
                        },
                    ]
                }
            ),
            ".terraform/modules/trail/main.tf": 'variable "name" {}\n'
            'resource "aws_cloudtrail" "this" {\n  name = var.name\n'
            '  s3_bucket_name = "b"\n}\n',
        },
    )
    estate = load_terraform([tmp_path], LoadOptions(cwd=str(tmp_path)))
    assert [(t.id, t.name) for t in estate.trails] == [
        ("module.trail.aws_cloudtrail.this", "fetched")
    ]
    assert not [d for d in estate.diagnostics if d.rule_id == "CT000"]


# -- errors ------------------------------------------------------------------------------------


def test_a_broken_file_is_ct000_with_its_line_and_the_rest_loads() -> None:
    estate = load("broken")
    fails = {d.location.file.rsplit("/", 1)[1]: d for d in estate.diagnostics if d.status == "fail"}
    assert fails["broken.tf"].location.line == 8 and fails["broken.tf"].rule_id == "CT000"
    assert (
        fails["broken_encoding.tf"].location.line == 2
        and "UTF-8" in fails["broken_encoding.tf"].message
    )
    assert [t.id for t in estate.trails] == ["aws_cloudtrail.good"]
    statuses = {i.path.rsplit("/", 1)[1]: i.status for i in estate.inputs}
    assert statuses == {"good.tf": "ok", "broken.tf": "error", "broken_encoding.tf": "error"}


def test_both_selector_kinds_is_ct011(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": 'resource "aws_cloudtrail" "t" {\n  name = "t"\n  s3_bucket_name = "x"\n'
            '  event_selector {\n    read_write_type = "All"\n  }\n'
            '  advanced_event_selector {\n    field_selector {\n      field = "eventCategory"\n'
            '      equals = ["Management"]\n    }\n  }\n}\n'
        },
    )
    estate = load_terraform([tmp_path], LoadOptions(cwd=str(tmp_path)))
    assert isinstance(estate.trails[0].selectors, Unknown)
    assert [(d.rule_id, d.status, d.location.line) for d in estate.diagnostics] == [
        ("CT011", "fail", 7)
    ]


def test_a_named_file_is_loaded_with_its_whole_folder() -> None:
    folder = FIX / "variables"
    estate = load_paths([str(folder / "main.tf")], LoadOptions(cwd=str(REPO)))
    assert trail(estate, "aws_cloudtrail.main").name == "From-Tfvars"


# -- the model ---------------------------------------------------------------------------------


def test_split_bucket_resources_fold_into_the_bucket() -> None:
    estate = load("split_bucket")
    assert [b.id for b in estate.buckets] == ["aws_s3_bucket.logs"]
    b = estate.buckets[0]
    assert b.versioning == "Enabled" and b.mfa_delete is True  # split (by reference) over inline
    assert (
        b.object_lock_enabled is True
        and b.object_lock_mode == "GOVERNANCE"
        and b.object_lock_days == 730
    )
    assert (
        b.public_access_block is not None and b.public_access_block.restrict_public_buckets is False
    )  # by name
    assert b.access_logging_target == "split-access-logs"
    assert b.acl == "private" and [g.grantee for g in b.grants] == [
        "http://acs.amazonaws.com/groups/global/AllUsers"
    ]  # type: ignore[union-attr]
    assert [(e.days, e.noncurrent, e.prefix) for e in b.lifecycle_expirations] == [  # type: ignore[union-attr]
        (400, False, "AWSLogs/"),
        (90, True, "AWSLogs/"),
    ]
    assert (
        b.sse_algorithm == "aws:kms"
        and b.sse_kms_key is not None
        and b.sse_kms_key.target == "aws_kms_key.logs"
    )
    assert (
        b.policy is not None and b.policy["Statement"][0]["Resource"] == "arn:aws:s3:::split-logs/*"
    )  # type: ignore[index]
    assert b.origin == "iac" and b.region == "eu-central-1" and b.arn == "arn:aws:s3:::split-logs"
    assert b.lines["versioning"] == 35 and b.lines["public_access_block"] == 52
    assert estate.account_public_access_blocks[0].block_public_acls is True


def test_policies_of_every_kind() -> None:
    estate = load("policies")
    by_id = {p.id: p for p in estate.policies}
    assert "aws_organizations_policy.tags" not in by_id  # a tag policy controls no API call
    scp = by_id["aws_organizations_policy.scp"]
    assert scp.kind == "scp" and scp.targets == ("ou-aaaa-11111111", "ou-bbbb-22222222")
    first, second = scp.document["Statement"]  # type: ignore[index]
    assert first["Action"] == ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"]
    assert first["Condition"] == {
        "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/break-glass"}
    }
    assert second["NotAction"] == "s3:GetObject" and isinstance(second["Principal"]["AWS"], Unknown)
    assert by_id["aws_organizations_policy.rcp"].kind == "rcp"
    heredoc = by_id["aws_iam_policy.heredoc"]
    assert heredoc.kind == "iam" and heredoc.targets == ("auditor",)
    statement = heredoc.document["Statement"][0]  # type: ignore[index]
    assert statement["Action"] == ["cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors"]
    assert isinstance(statement["Resource"], Unknown)  # the account id is read at plan time
    assert by_id["aws_iam_role_policy.inline"].targets == ("auditor",)
    assert by_id["aws_iam_user_policy.file"].document["Statement"][0]["Action"] == "cloudtrail:*"  # type: ignore[index]


def test_tf_json_modules() -> None:
    estate = load("tfjson")
    t = trail(estate, "aws_cloudtrail.json")
    assert (
        t.name == "json-trail"
        and t.home_region == "ap-southeast-2"
        and t.log_file_validation is True
    )
    assert t.bucket == Reference("json-logs", "aws_s3_bucket.logs")
    assert isinstance(t.selectors, Selectors)
    assert t.selectors.basic[0].data_resources[0].values == ("arn:aws:s3:::json-logs/",)


def test_the_bundled_example_has_passes_and_failures() -> None:
    from checker.engine import evaluate, load_rules

    estate = load_paths([str(REPO / "fixtures" / "example")], LoadOptions(cwd=str(REPO)))
    assert estate.diagnostics == ()
    assert {t.id for t in estate.trails} == {"aws_cloudtrail.org", "aws_cloudtrail.team"}
    org = trail(estate, "aws_cloudtrail.org")
    team = trail(estate, "aws_cloudtrail.team")
    assert org.home_region == "eu-west-1" and team.home_region == "us-west-2"
    assert estate.bucket_of(org) is estate.buckets[0] and estate.key_of(org) is estate.keys[0]
    assert estate.log_group_of(org) is estate.log_groups[0]
    topic = estate.topic_of(org)
    assert topic is not None and len(estate.subscriptions_of(topic)) == 1
    assert len(estate.filters_on(estate.log_groups[0])) == 1
    statuses = {(f.rule_id, f.resource): f.status for f in evaluate(estate, load_rules())}
    assert statuses[("CT002", "aws_cloudtrail.org")] == "pass"
    assert statuses[("CT002", "aws_cloudtrail.team")] == "fail"
    assert statuses[("CT003", "aws_cloudtrail.team")] == "fail"


@pytest.mark.parametrize("case", ["variables", "modules", "policies", "split_bucket", "tfjson"])
def test_clean_fixtures_load_without_diagnostics(case: str) -> None:
    estate = load(case)
    assert estate.diagnostics == ()
    assert {i.status for i in estate.inputs if i.kind == "terraform"} == {"ok"}


def test_override_files_merge_into_their_blocks(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": 'provider "aws" {\n  region = "us-east-1"\n}\n'
            'locals {\n  name = "base"\n}\n'
            'resource "aws_cloudtrail" "t" {\n  name = local.name\n  s3_bucket_name = "b"\n'
            "  enable_log_file_validation = false\n"
            '  event_selector {\n    read_write_type = "ReadOnly"\n  }\n}\n',
            "override.tf": 'provider "aws" {\n  region = "eu-west-3"\n}\n',
            "z_override.tf": 'locals {\n  name = "overridden"\n}\n'
            'resource "aws_cloudtrail" "t" {\n  enable_log_file_validation = true\n'
            '  event_selector {\n    read_write_type = "WriteOnly"\n  }\n}\n',
        },
    )
    estate = load_terraform([tmp_path], LoadOptions(cwd=str(tmp_path)))
    assert len(estate.trails) == 1
    t = estate.trails[0]
    assert t.name == "overridden" and t.home_region == "eu-west-3" and t.log_file_validation is True
    assert isinstance(t.selectors, Selectors)
    assert [s.read_write_type for s in t.selectors.basic] == ["WriteOnly"]
    assert t.bucket == Reference("b")


# -- parsing (one parser, on demand) -----------------------------------------------------------


def test_crlf_files_and_values_files_are_read() -> None:
    estate = load("crlf")
    t = trail(estate, "aws_cloudtrail.main")
    assert t.name == "crlf-trail" and t.bucket == Reference("crlf-bucket")
    assert t.location is not None and t.location.line == 14
    assert not estate.diagnostics


def test_every_syntax_error_is_a_ct000_and_the_file_contributes_nothing(tmp_path: Path) -> None:
    write(tmp_path, {
        "main.tf": 'resource "aws_cloudtrail" "t" {\n  name = "t"\n  s3_bucket_name = "b"\n}\n'
                   'resource "aws_s3_bucket" "b" {\n  bucket = = "b"\n}\n'
                   'resource "aws_kms_key" "k" {\n  policy = "\\q"\n}\n',
    })
    estate = load_terraform([tmp_path], LoadOptions(cwd=str(tmp_path)))
    assert estate.trails == () and estate.buckets == ()
    found = [(d.rule_id, d.status, d.location.line if d.location else 0, d.message)
             for d in estate.diagnostics]
    assert found == [
        ("CT000", "fail", 6, "syntax error: expected an expression, found '=' (column 12)"),
        ("CT000", "fail", 9, "syntax error: \\q is not a valid escape sequence in a string "
                             "(column 13)"),
    ]
    assert [(i.path, i.status) for i in estate.inputs] == [("main.tf", "error")]


def test_files_that_cannot_matter_are_not_parsed(tmp_path: Path) -> None:
    write(tmp_path, {
        "main.tf": 'resource "aws_cloudtrail" "t" {\n  name = var.name\n'
                   '  s3_bucket_name = "b"\n}\n',
        "variables.tf": 'variable "name" {\n  default = "from-default"\n}\n',
        "unrelated.tf": 'resource "aws_instance" "i" {\n  ami = = "broken, never read"\n}\n',
        "outputs.tf": 'output "o" {\n  value = = "broken, nothing asks for it"\n}\n',
    })
    estate = load_terraform([tmp_path], LoadOptions(cwd=str(tmp_path)))
    assert trail(estate, "aws_cloudtrail.t").name == "from-default"
    assert estate.diagnostics == ()  # the broken files hold nothing the trail needs


def test_provider_defined_functions_are_unknown_with_their_name(tmp_path: Path) -> None:
    write(tmp_path, {
        "main.tf": 'resource "aws_cloudtrail" "t" {\n'
                   '  name = provider::aws::arn_parse("arn:aws:s3:::b").resource\n'
                   '  s3_bucket_name = "b"\n}\n',
    })
    estate = load_terraform([tmp_path], LoadOptions(cwd=str(tmp_path)))
    name = trail(estate, "aws_cloudtrail.t").name
    assert isinstance(name, Unknown) and "provider::aws::arn_parse()" in name.reason


@pytest.mark.parametrize("in_process", [False, True])
def test_roots_loaded_in_a_pool_give_the_serial_estate(
    monkeypatch: pytest.MonkeyPatch, in_process: bool
) -> None:
    import threading

    from checker import parallel

    pools = []
    real = parallel.map_slices

    def spy(task, count, processes, *rest):  # type: ignore[no-untyped-def]
        pools.append((count, processes))
        return real(task, count, processes, *rest)

    monkeypatch.setattr(parallel, "map_slices", spy)
    serial = load("roots", jobs=1)
    assert pools == []
    # with another thread running, nothing forks: the groups run one after the other here,
    # the group of dev, prod and test (roots 0, 1, 4) before qa (root 2)
    done = threading.Event()
    thread = threading.Thread(target=done.wait)
    if in_process:
        thread.start()
    try:
        pooled = load("roots", jobs=2)
    finally:
        done.set()
    assert pools == [(4, 2)]  # dev, prod and test share a module: four groups of roots
    assert pooled == serial
    unknowns = [d for d in serial.diagnostics if d.status == "unknown"]
    # of two roots with the same unknown expansion, the first in reading order is reported
    assert [(d.resource, d.location.file) for d in unknowns] == [
        ("module.missing", "fixtures/terraform/roots/envs/dev/main.tf"),  # no such folder
        ("aws_cloudtrail.this[*]", "fixtures/terraform/roots/envs/qa/main.tf"),
        ("module.trail.aws_cloudtrail.this[*]", "fixtures/terraform/roots/modules/trail/main.tf"),
    ]
    assert {d.location.file for d in serial.diagnostics if d.status == "fail"} == {
        "fixtures/terraform/roots/envs/qa/broken.auto.tfvars",
        "fixtures/terraform/roots/modules/broken/variables_broken.tf",
    }


def test_an_empty_bucket_name_is_a_generated_one_and_the_trail_still_joins_its_bucket() -> None:
    estate = load("empty_bucket_name")
    main = trail(estate, "aws_cloudtrail.main")
    (bucket,) = estate.buckets
    assert isinstance(bucket.name, Unknown) and "generated at apply" in bucket.name.reason
    assert estate.bucket_of(main) is bucket
    other = trail(estate, "aws_cloudtrail.other")
    assert other.bucket is not None and isinstance(other.bucket.value, Unknown)
    assert "s3_bucket_name of aws_cloudtrail.other is empty" in other.bucket.value.reason
    assert estate.bucket_of(other) is None


def test_a_trail_the_input_values_do_not_create_is_said_so() -> None:
    estate = load("not_created")
    assert [t.id for t in estate.trails] == ["aws_cloudtrail.primary[0]"]
    notes = {d.resource: d for d in estate.diagnostics}
    secondary = notes["aws_cloudtrail.secondary"]
    where = (secondary.rule_id, secondary.status, secondary.location.line)
    assert where == ("CT000", "unknown", 24)
    assert secondary.message == (
        "aws_cloudtrail.secondary is not created with these input values (count = "
        "var.enable_secondary ? 1 : 0 gives 0), so it is not judged: set the values it depends "
        "on (for example with --var) to judge it"
    )
    assert notes["aws_cloudtrail.retired"].message == (
        "aws_cloudtrail.retired is never created (count = 0), so it is not judged")
    lake = notes["aws_cloudtrail_event_data_store.lake"]
    assert "for_each = var.stores gives no instances" in lake.message
    assert "aws_cloudtrail.primary" not in notes
    # the values that create it: judged, and the note is gone
    more = load("not_created", variables=(("enable_secondary", "true"),))
    assert "aws_cloudtrail.secondary[0]" in [t.id for t in more.trails]
    assert "aws_cloudtrail.secondary" not in {d.resource for d in more.diagnostics}


def test_what_may_have_no_instance_does_not_count_as_switched_on(tmp_path: Path) -> None:
    """A count or for_each that is not known (of the resource, or of a module around it) may
    give no instance at all: the trail may not log, the store may not ingest, the alarm may not
    notify. A count known to be large certainly gives instances."""
    write(tmp_path, {
        "main.tf": 'variable "n" {\n  type = number\n}\n'
                   'module "m" {\n  source = "./m"\n  count  = var.n\n}\n'
                   'resource "aws_cloudtrail" "many" {\n  count = 2000\n  name = "many"\n'
                   '  s3_bucket_name = "b"\n}\n'
                   'resource "aws_cloudtrail_event_data_store" "s" {\n'
                   '  for_each = toset(range(var.n))\n  name = "s"\n}\n'
                   'resource "aws_cloudwatch_metric_alarm" "a" {\n  count = var.n\n'
                   '  alarm_name = "a"\n  metric_name = "m"\n  namespace = "n"\n'
                   '  comparison_operator = "GreaterThanThreshold"\n  evaluation_periods = 1\n'
                   '  period = 60\n  statistic = "Sum"\n  threshold = 1\n}\n',
        "m/main.tf": 'resource "aws_cloudtrail" "inner" {\n  name = "inner"\n'
                     '  s3_bucket_name = "b"\n}\n',
    })  # fmt: skip
    estate = load_terraform([tmp_path], LoadOptions(cwd=str(tmp_path)))
    inner = trail(estate, "module.m[*].aws_cloudtrail.inner")
    assert isinstance(inner.is_logging, Unknown)
    assert "whether module.m[*].aws_cloudtrail.inner exists is not known" in inner.is_logging.reason
    assert "var.n" in inner.is_logging.reason
    assert trail(estate, "aws_cloudtrail.many[*]").is_logging is True
    (store,) = estate.event_data_stores
    assert isinstance(store.status, Unknown) and "exists is not known" in store.status.reason
    (alarm,) = estate.alarms
    assert isinstance(alarm.actions_enabled, Unknown)


def test_arguments_are_named_for_findings_and_absent_ones_by_the_first_tried(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "main.tf": 'resource "aws_cloudtrail" "t" {\n  name = "t"\n  s3_bucket_name = "b"\n'
            "  enable_log_file_validation = false\n"
            '  advanced_event_selector {\n    name = "all"\n  }\n}\n'
            'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n'
            "  versioning {\n    enabled = true\n    mfa_delete = false\n  }\n}\n"
            'resource "aws_cloudwatch_event_rule" "r" {\n  name = "r"\n  is_enabled = false\n}\n'
        },
    )
    estate = load_terraform([tmp_path], LoadOptions(cwd=str(tmp_path)))
    t = estate.trails[0]
    assert t.spelling("log_file_validation") == "enable_log_file_validation"
    assert t.spelling("selectors") == "advanced_event_selector"  # the one written
    assert "sns_topic" not in t.lines and t.spelling("sns_topic") == "sns_topic_name"
    assert t.spelling("name") == "name"
    # the line of mfa_delete is its block's, `versioning`, which is not its name
    b = estate.buckets[0]
    assert b.lines["mfa_delete"] == b.lines["versioning"]
    assert b.spelling("mfa_delete") == "mfa_delete" and b.spelling("versioning") == "versioning"
    # `is_enabled = false` is where the state is set, but DISABLED is not its value
    rule = estate.event_rules[0]
    assert rule.state == "DISABLED" and rule.lines["state"] == 18
    assert rule.spelling("state") == "state"
