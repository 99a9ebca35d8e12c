from __future__ import annotations

import importlib.util
import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from checker.cli import main
from checker.config import Config, Skip, load_config
from checker.findings import Finding, Status, Suppression
from checker.loaders.terraform.syntax import parse_file
from checker.model import InputFile
from checker.resources import policies_root
from checker.suppress import (
    RULE_ID,
    RULE_NAME,
    RULE_SEVERITY,
    Sources,
    _spans,
    apply,
    inline_suppressions,
)

TODAY = date(2026, 1, 15)

MAIN_TF = """\
provider "aws" {
  region = "us-east-1"
}

# trailcheck:ignore CT020,CT021 reason="copies go to the audit account's locked bucket"
resource "aws_s3_bucket" "logs" {
  bucket = "logs"
  tags = {
    note = "a } in a string and a ${"{"} in a template"
  }
}

resource "aws_cloudtrail" "main" {
  name = "main"
  enable_log_file_validation = false # trailcheck:ignore CT002 reason="validated downstream"
  // trailcheck:ignore CT003 reason='key is managed by the platform team'
  kms_key_id = ""
  is_logging = true
}
"""


def f(rule: str, line: int, status: Status = "fail", resource: str = "aws_cloudtrail.main",
      file: str = "main.tf", message: str = "problem") -> Finding:
    return Finding(rule, rule.lower(), status, "medium", resource, file, line, message)


def tf_sources(tmp_path: Path, text: str, name: str = "main.tf") -> Sources:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return Sources((InputFile(name, "terraform"),), tmp_path)


def by_rule(findings: list[Finding], rule: str) -> list[Finding]:
    return [x for x in findings if x.rule_id == rule]


# -- comments and spans from the parsed tree --------------------------------------------------


def test_spans_of_blocks_and_multi_line_arguments() -> None:
    spans = _spans(parse_file(MAIN_TF))
    assert spans[1] == 3 and spans[6] == 11 and spans[8] == 10 and spans[13] == 19


def test_comment_markers_in_strings_heredocs_and_block_comments_do_not_suppress(
    tmp_path: Path,
) -> None:
    text = (
        'resource "a" "b" {\n'                                          # 1
        "  policy = <<EOF\n"                                           # 2
        '{ "x": "# trailcheck:ignore CT001 reason=\'no\'" }\n'         # 3
        "EOF\n"                                                        # 4
        "  /* trailcheck:ignore CT001 reason='no'\n"                    # 5
        "  */\n"                                                       # 6
        '  v = "// trailcheck:ignore CT001 reason=no"\n'               # 7
        '  w = "${jsonencode({a = "}"})}" # trailcheck:ignore CT001 reason="yes"\n'  # 8
        "}\n"                                                          # 9
    )
    found = inline_suppressions("main.tf", text)
    assert [(s.line, s.rules, s.reason) for s in found] == [(8, ("CT001",), "yes")]


def test_a_comment_above_a_multi_line_argument_covers_it(tmp_path: Path) -> None:
    text = (
        'resource "aws_s3_bucket_policy" "p" {\n'
        "  # trailcheck:ignore CT020 reason=\"reviewed\"\n"
        "  policy = jsonencode([\n"
        "    1,\n"
        "  ])\n"
        "}\n"
    )
    out = apply([f("CT020", 5), f("CT020", 6)], tf_sources(tmp_path, text), today=TODAY)
    assert [x.status for x in by_rule(out, "CT020")] == ["suppressed", "fail"]


def test_suppressions_in_crlf_and_broken_files(tmp_path: Path) -> None:
    crlf = MAIN_TF.replace("\n", "\r\n")
    out = apply([f("CT002", 15)], tf_sources(tmp_path, crlf), today=TODAY)
    assert by_rule(out, "CT002")[0].status == "suppressed"
    broken = '# trailcheck:ignore CT000 reason="known"\nresource "a" "b" {\n  x = = 1\n}\n'
    found = inline_suppressions("main.tf", broken)
    assert [(s.line, s.rules) for s in found] == [(1, ("CT000",))]


# -- inline suppressions -----------------------------------------------------------------------


def test_comment_above_a_block_covers_the_block(tmp_path: Path) -> None:
    findings = [f("CT020", 6, resource="aws_s3_bucket.logs"),
                f("CT021", 9, "unknown", resource="aws_s3_bucket.logs"),
                f("CT020", 14)]  # another block: not covered
    out = apply(findings, tf_sources(tmp_path, MAIN_TF), today=TODAY)
    s020, s021 = by_rule(out, "CT020"), by_rule(out, "CT021")
    assert [x.status for x in s020] == ["suppressed", "fail"]
    assert s021[0].status == "suppressed"
    assert str(s021[0].suppression) == (
        "copies go to the audit account's locked bucket (inline: main.tf:5)"
    )
    assert by_rule(out, RULE_ID) == [] or all("CT002" in x.message or "CT003" in x.message
                                              for x in by_rule(out, RULE_ID))


def test_trailing_comment_and_slash_comment_above_an_attribute(tmp_path: Path) -> None:
    out = apply([f("CT002", 15), f("CT003", 17), f("CT004", 18)],
                tf_sources(tmp_path, MAIN_TF), today=TODAY)
    assert [x.status for x in out if x.rule_id != RULE_ID] == ["suppressed", "suppressed", "fail"]
    assert str(by_rule(out, "CT003")[0].suppression) == (
        "key is managed by the platform team (inline: main.tf:16)")
    # CT020/CT021 above the bucket matched nothing here: reported as unused
    unused = by_rule(out, RULE_ID)
    assert len(unused) == 1 and unused[0].line == 5
    assert unused[0].message.startswith("unused suppression: `trailcheck:ignore CT020,CT021` at "
                                        '`resource "aws_s3_bucket" "logs" {`')
    assert (unused[0].status, unused[0].severity, unused[0].rule_name) == (
        "fail", RULE_SEVERITY, RULE_NAME)
    assert unused[0].resource == "main.tf" and unused[0].file == "main.tf"


def test_stacked_comments_apply_to_the_next_code_line(tmp_path: Path) -> None:
    text = ('# trailcheck:ignore CT020 reason="a"\n'
            '# trailcheck:ignore CT021 reason="b"\n'
            'resource "aws_s3_bucket" "x" {\n'
            '  bucket = "x"\n'
            '}\n')
    out = apply([f("CT020", 4), f("CT021", 3)], tf_sources(tmp_path, text), today=TODAY)
    assert [x.status for x in out] == ["suppressed", "suppressed"]


def test_a_blank_line_breaks_the_link(tmp_path: Path) -> None:
    text = '# trailcheck:ignore CT020 reason="a"\n\nresource "aws_s3_bucket" "x" {\n}\n'
    out = apply([f("CT020", 3)], tf_sources(tmp_path, text), today=TODAY)
    assert by_rule(out, "CT020")[0].status == "fail"
    assert by_rule(out, RULE_ID)[0].message.startswith("unused suppression")


def test_inline_suppression_without_a_reason_is_a_finding(tmp_path: Path) -> None:
    text = '# trailcheck:ignore CT002\nresource "aws_cloudtrail" "t" {\n  name = "t"\n}\n'
    out = apply([f("CT002", 2)], tf_sources(tmp_path, text), today=TODAY)
    assert by_rule(out, "CT002")[0].status == "fail"  # not suppressed
    problem = by_rule(out, RULE_ID)
    assert len(problem) == 1 and problem[0].status == "fail" and problem[0].line == 1
    assert problem[0].message.startswith("suppression without a reason: `trailcheck:ignore CT002`")


@pytest.mark.parametrize(
    ("comment", "problem"),
    [
        ('# trailcheck:ignore reason="x"', "names no rule id"),
        ('# trailcheck:ignore CT20 reason="x"', "names an invalid rule id 'CT20'"),
        ('# trailcheck:ignore CT002 reason=""', "suppression without a reason"),
    ],
)
def test_malformed_inline_suppressions(tmp_path: Path, comment: str, problem: str) -> None:
    text = f'{comment}\nresource "aws_cloudtrail" "t" {{\n}}\n'
    out = apply([f("CT002", 2)], tf_sources(tmp_path, text), today=TODAY)
    assert by_rule(out, "CT002")[0].status == "fail"
    assert problem in by_rule(out, RULE_ID)[0].message


def test_a_suppression_in_a_string_is_not_one(tmp_path: Path) -> None:
    text = 'resource "a" "b" {\n  d = "# trailcheck:ignore CT002 reason=\\"x\\""\n}\n'
    out = apply([f("CT002", 2)], tf_sources(tmp_path, text), today=TODAY)
    assert [x.status for x in out] == ["fail"]


def test_passing_findings_are_not_suppressed_and_leave_it_unused(tmp_path: Path) -> None:
    text = '# trailcheck:ignore CT002 reason="x"\nresource "aws_cloudtrail" "t" {\n}\n'
    out = apply([f("CT002", 2, "pass")], tf_sources(tmp_path, text), today=TODAY)
    assert by_rule(out, "CT002")[0].status == "pass"
    assert by_rule(out, RULE_ID)[0].message.startswith("unused suppression")


def test_findings_of_files_outside_the_inputs_are_read_too(tmp_path: Path) -> None:
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "trail.tf").write_text(
        '# trailcheck:ignore CT002 reason="x"\nresource "aws_cloudtrail" "t" {\n}\n')
    out = apply([f("CT002", 2, file="modules/trail.tf")], Sources((), tmp_path), today=TODAY)
    assert [x.status for x in out] == ["suppressed"]



def test_suppressions_come_from_the_text_the_loader_read(tmp_path: Path) -> None:
    """A Terraform file is read once: its suppressions are those of the text that was judged,
    even if the file changes (or goes) before the suppressions are applied."""
    from checker.loaders import LoadOptions, load_paths

    text = '# trailcheck:ignore CT002 reason="x"\nresource "aws_cloudtrail" "t" {\n}\n'
    (tmp_path / "trail.tf").write_text(text)
    (tmp_path / "other.tf").write_text('variable "v" {}\n')
    inputs = load_paths([tmp_path], LoadOptions(cwd=tmp_path)).inputs
    kept = {i.path: i.suppression_text for i in inputs}
    assert kept == {"trail.tf": text, "other.tf": ""}
    (tmp_path / "trail.tf").unlink()
    (tmp_path / "other.tf").write_text('# trailcheck:ignore CT009 reason="x"\n')
    out = apply([f("CT002", 2, file="trail.tf")], Sources(inputs, tmp_path), today=TODAY)
    assert [(x.rule_id, x.status) for x in out] == [("CT002", "suppressed")]

# -- CloudFormation Metadata -------------------------------------------------------------------

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Metadata:
      trailcheck:
        ignore:
          - id: CT002
            reason: validated by the archive account
          - id: CT003
    Properties:
      S3BucketName: !Ref Bucket
      IsLogging: !If [Enabled, true, false]
  Bucket:
    Type: AWS::S3::Bucket
    Metadata:
      trailcheck:
        ignore:
          - id: [CT020, CT021]
            reason: objects replicate to a locked bucket
"""


def cfn_sources(tmp_path: Path, text: str = TEMPLATE) -> Sources:
    (tmp_path / "stack.yaml").write_text(text, encoding="utf-8")
    return Sources((InputFile("stack.yaml", "cloudformation"),), tmp_path)


def test_cloudformation_metadata(tmp_path: Path) -> None:
    findings = [
        f("CT002", 11, resource="Trail", file="stack.yaml"),
        f("CT003", 11, resource="Trail", file="stack.yaml"),
        f("CT020", 14, resource="Bucket", file="stack.yaml"),
        f("CT002", 14, resource="Bucket", file="stack.yaml"),  # not ignored on Bucket
    ]
    out = apply(findings, cfn_sources(tmp_path), today=TODAY)
    status = {(x.rule_id, x.resource): x.status for x in out if x.rule_id != RULE_ID}
    assert status == {("CT002", "Trail"): "suppressed", ("CT003", "Trail"): "fail",
                      ("CT020", "Bucket"): "suppressed", ("CT002", "Bucket"): "fail"}
    trail = next(x for x in out if x.rule_id == "CT002" and x.resource == "Trail")
    assert str(trail.suppression) == "validated by the archive account (metadata: stack.yaml:8)"
    problems = sorted((x.line, x.message) for x in by_rule(out, RULE_ID))
    assert problems[0][0] == 10 and problems[0][1].startswith("suppression without a reason")
    # CT021 on Bucket matched nothing, CT020 did
    assert problems[1][0] == 19
    assert problems[1][1].startswith("unused suppression of CT021 in Metadata ignore CT020,CT021")


def test_metadata_in_a_serverless_services_resources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A serverless.yml's `resources` section is CloudFormation, in one fragment or a list of
    them: a resource's Metadata suppresses its findings there too, end to end."""
    service = """\
service: audit
provider:
  name: aws
resources:
  - Resources:
      Trail:
        Type: AWS::CloudTrail::Trail
        Metadata:
          trailcheck:
            ignore:
              - id: CT002
                reason: digests are validated by the archive account
        Properties:
          IsLogging: true
          S3BucketName: audit-logs
          EnableLogFileValidation: false
"""
    (tmp_path / "serverless.yml").write_text(service)
    main(["scan", str(tmp_path / "serverless.yml"), "--format", "json", "--no-config"])
    found = {x["rule_id"]: x for x in json.loads(capsys.readouterr().out)["findings"]}
    assert found["CT002"]["status"] == "suppressed"
    assert found["CT002"]["suppression"].startswith("digests are validated by the archive account")


def test_broken_template_is_left_to_the_loader(tmp_path: Path) -> None:
    out = apply([f("CT002", 1, file="stack.yaml", resource="Trail")],
                cfn_sources(tmp_path, "Resources: [trailcheck\n"), today=TODAY)
    assert [x.status for x in out] == ["fail"]


# -- config skips ------------------------------------------------------------------------------


def test_config_skip_by_rule_resource_and_file(tmp_path: Path) -> None:
    (tmp_path / "infra").mkdir()
    config = Config(path=".trailcheck.yaml", base=tmp_path, skip=(
        Skip("buckets are locked elsewhere", ("CT020",), "aws_s3_bucket.*", line=3),
        Skip("legacy module", (), None, "legacy/*.tf", line=7),
    ))
    findings = [
        f("CT020", 3, resource="aws_s3_bucket.logs", file="infra/main.tf"),
        f("CT020", 9, resource="aws_kms_key.k", file="infra/main.tf"),
        f("CT004", 2, file="legacy/old.tf"),
    ]
    out = apply(findings, Sources((), tmp_path), config, today=TODAY)
    status = {x.resource: x for x in out}
    assert status["aws_kms_key.k"].status == "fail"
    assert status["aws_cloudtrail.main"].status == "suppressed"
    assert str(status["aws_s3_bucket.logs"].suppression) == (
        "buckets are locked elsewhere (config: .trailcheck.yaml:3)")
    assert by_rule(out, RULE_ID) == []


def test_file_globs_are_relative_to_the_config_folder(tmp_path: Path) -> None:
    config = Config(path="repo/.trailcheck.yaml", base=tmp_path / "repo",
                    skip=(Skip("r", (), None, "infra/*.tf", line=1),))
    found = [f("CT004", 2, file="repo/infra/main.tf")]
    assert apply(found, Sources((), tmp_path), config, today=TODAY)[0].status == "suppressed"


def test_expired_config_suppression_stops_suppressing(tmp_path: Path) -> None:
    path = tmp_path / ".trailcheck.yaml"
    path.write_text("skip:\n  - rule: CT020\n    reason: waiting for the new bucket\n"
                    "    expires: 2026-01-14\n")
    config = load_config(path, ".trailcheck.yaml")
    findings = [f("CT020", 3, resource="aws_s3_bucket.logs")]
    out = apply(findings, Sources((), tmp_path), config, today=TODAY)
    assert by_rule(out, "CT020")[0].status == "fail"
    expired = by_rule(out, RULE_ID)
    assert len(expired) == 1 and expired[0].file == ".trailcheck.yaml" and expired[0].line == 2
    assert expired[0].message.startswith(
        "suppression expired on 2026-01-14: skip entry (rule CT020)")
    # on its last day it still suppresses
    out = apply(findings, Sources((), tmp_path), config, today=date(2026, 1, 14))
    assert [x.status for x in out] == ["suppressed"]


def test_unused_config_entry(tmp_path: Path) -> None:
    config = Config(path="c.yaml", base=tmp_path, skip=(Skip("r", ("CT024",), line=4),))
    out = apply([f("CT020", 3)], Sources((), tmp_path), config, today=TODAY)
    assert by_rule(out, RULE_ID)[0].message == (
        "unused suppression: skip entry (rule CT024) matches no failing or unknown finding; "
        "remove it")


def test_severity_override_of_ct099(tmp_path: Path) -> None:
    config = Config(path="c.yaml", base=tmp_path, skip=(Skip("r", ("CT024",), line=4),),
                    severity={"CT099": "info"})
    out = apply([], Sources((), tmp_path), config, today=TODAY)
    assert [x.severity for x in out] == ["info"]


def test_an_inline_and_a_config_match_both_count_as_used(tmp_path: Path) -> None:
    config = Config(path="c.yaml", base=tmp_path, skip=(Skip("cfg", ("CT002",), line=1),))
    text = '# trailcheck:ignore CT002 reason="inline"\nresource "aws_cloudtrail" "t" {\n}\n'
    out = apply([f("CT002", 2)], tf_sources(tmp_path, text), config, today=TODAY)
    assert [str(x.suppression) for x in out] == ["inline (inline: main.tf:1)"]


def test_output_is_sorted_and_stable(tmp_path: Path) -> None:
    findings = [f("CT004", 18), f("CT002", 15), f("CT020", 6, resource="aws_s3_bucket.logs")]
    a = apply(findings, tf_sources(tmp_path, MAIN_TF), today=TODAY)
    b = apply(list(reversed(findings)), tf_sources(tmp_path, MAIN_TF), today=TODAY)
    assert a == b == sorted(a, key=Finding.sort_key)


def test_a_suppression_keeps_its_parts_and_prints_as_reports_show_it() -> None:
    s = Suppression("a reason (with parentheses)", "config", ".trailcheck.yaml:4")
    assert (s.reason, s.source) == ("a reason (with parentheses)", "config")
    assert s.where == ".trailcheck.yaml:4"
    assert str(s) == "a reason (with parentheses) (config: .trailcheck.yaml:4)"


def test_ct099_rule_file_matches_the_code() -> None:
    doc = yaml.safe_load((policies_root() / "rules" / "CT099.yaml").read_text())
    assert (doc["id"], doc["name"], doc["severity"], doc["scope"]) == (
        RULE_ID, RULE_NAME, RULE_SEVERITY, "file")
    assert "check" not in doc


# -- through the command line (needs the Terraform loader) -------------------------------------

needs_terraform = pytest.mark.skipif(
    importlib.util.find_spec("checker.loaders.terraform.loader") is None,
    reason="the Terraform loader has not landed yet",
)
TRAIL = """\
provider "aws" {
  region = "us-east-1"
}

%s
resource "aws_cloudtrail" "main" {
  name                          = "main"
  s3_bucket_name                = "logs"
  is_multi_region_trail         = true
  enable_log_file_validation    = false
}
"""


@needs_terraform
def test_cli_reasonless_inline_suppression(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()  # stop the config search here
    (tmp_path / "main.tf").write_text(TRAIL % "# trailcheck:ignore CT002")
    assert main(["scan", ".", "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    ct002 = [x for x in doc["findings"] if x["rule_id"] == "CT002"]
    ct099 = [x for x in doc["findings"] if x["rule_id"] == "CT099"]
    assert [x["status"] for x in ct002] == ["fail"]
    assert len(ct099) == 1 and "without a reason" in ct099[0]["message"]

    (tmp_path / "main.tf").write_text(TRAIL % '# trailcheck:ignore CT002 reason="downstream"')
    main(["scan", ".", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    ct002 = [x for x in doc["findings"] if x["rule_id"] == "CT002"]
    assert [(x["status"], x["suppression"]) for x in ct002] == [
        ("suppressed", "downstream (inline: main.tf:5)")]
    assert not [x for x in doc["findings"] if x["rule_id"] == "CT099"]


@needs_terraform
def test_cli_config_file(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "main.tf").write_text(TRAIL % "")
    (tmp_path / ".trailcheck.yaml").write_text(
        "skip:\n  - rule: CT002\n    reason: validated downstream\n    expires: 2000-01-01\n")
    assert main(["scan", ".", "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert [x["status"] for x in doc["findings"] if x["rule_id"] == "CT002"] == ["fail"]
    assert any("expired on 2000-01-01" in x["message"] for x in doc["findings"])
    (tmp_path / ".trailcheck.yaml").write_text("skip:\n  - rule: CT002\n")
    assert main(["scan", "."]) == 2
    assert ".trailcheck.yaml:2: skip[0]: 'reason' is a required property" in capsys.readouterr().err


def test_partial_scans_do_not_judge_config_entries(tmp_path: Path) -> None:
    config = Config(path="c.yaml", base=tmp_path, skip=(
        Skip("r", ("CT024",), line=4),
        Skip("r", ("CT020",), expires=date(2020, 1, 1), line=8),
    ))
    text = '# trailcheck:ignore CT002 reason="x"\nresource "aws_cloudtrail" "t" {\n}\n'
    out = apply([], tf_sources(tmp_path, text), config, today=TODAY, whole_tree=False)
    messages = sorted(x.message.split(":")[0] for x in out)
    # the inline one is in a scanned file and the expiry is a date: both still reported
    assert messages == ["suppression expired on 2020-01-01", "unused suppression"]
    assert all(x.file != "c.yaml" or "expired" in x.message for x in out)


def test_cli_judges_config_entries_only_on_whole_tree_scans(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from checker import engine, loaders
    from checker.model import Estate

    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text("\n")
    (tmp_path / ".trailcheck.yaml").write_text("skip:\n  - rule: CT024\n    reason: r\n")
    monkeypatch.setattr(loaders, "load_paths", lambda paths, options=None: Estate())
    monkeypatch.setattr(engine, "evaluate", lambda estate, rules, *more, **named: [])
    assert main(["scan", "infra/main.tf"]) == 0  # pre-commit: a few files
    assert main(["scan", "infra"]) == 0  # a folder below the config's: partial too
    capsys.readouterr()
    assert main(["scan", ".", "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert [(x["rule_id"], x["file"], x["line"]) for x in doc["findings"]] == [
        ("CT099", ".trailcheck.yaml", 2)]


@pytest.mark.skipif(importlib.util.find_spec("checker.loaders.cloudformation.loader") is None,
                    reason="the CloudFormation loader has not landed yet")
def test_cli_cloudformation_metadata(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "stack.yaml").write_text(TEMPLATE.replace(
        "      IsLogging: !If [Enabled, true, false]\n",
        "      IsLogging: true\n      EnableLogFileValidation: false\n"))
    main(["scan", ".", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    got = {(x["rule_id"], x["resource"]): x for x in doc["findings"]}
    assert got[("CT002", "Trail")]["status"] == "suppressed"
    assert got[("CT002", "Trail")]["suppression"] == (
        "validated by the archive account (metadata: stack.yaml:8)")
    assert got[("CT020", "Bucket")]["status"] == "suppressed"
    problems = sorted(x["line"] for x in doc["findings"] if x["rule_id"] == "CT099")
    assert problems[0] == 10  # CT003 without a reason


# -- entries that match nothing: reported as the README promises ---------------------------------


def test_an_unknown_rule_id_is_reported_even_on_a_partial_scan(tmp_path: Path) -> None:
    config = Config(path="c.yaml", base=tmp_path, skip=(Skip("r", ("CT998",), line=2),))
    text = '# trailcheck:ignore CT997 reason="x"\nresource "aws_cloudtrail" "t" {\n}\n'
    out = apply([f("CT002", 2)], tf_sources(tmp_path, text), config, today=TODAY,
                whole_tree=False, rule_ids=("CT002", "CT099"))  # fmt: skip
    messages = sorted(x.message for x in by_rule(out, RULE_ID))
    assert messages == [
        "suppression `trailcheck:ignore CT997` at `resource \"aws_cloudtrail\" \"t\" {` names "
        "CT997, which is not a trailcheck rule (`trailcheck rules` lists them): remove or "
        "correct it",
        "suppression skip entry (rule CT998) names CT998, which is not a trailcheck rule "
        "(`trailcheck rules` lists them): remove or correct it",
    ]


def test_a_partial_scan_reports_an_entry_whose_findings_all_pass(tmp_path: Path) -> None:
    config = Config(path="c.yaml", base=tmp_path, skip=(
        Skip("r", ("CT004",), line=2),  # its findings are scanned, and pass
        Skip("r", ("CT020",), line=5),  # nothing of it is scanned: may be elsewhere
    ))  # fmt: skip
    out = apply([f("CT004", 3, "pass")], Sources((), tmp_path), config, today=TODAY,
                whole_tree=False)  # fmt: skip
    assert [(x.line, x.message.split(":")[0]) for x in by_rule(out, RULE_ID)] == [
        (2, "unused suppression")]


def test_cli_reports_a_config_above_the_scanned_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The usual layout: .trailcheck.yaml at the repository root, `trailcheck scan infra`."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text(TRAIL % "")
    (tmp_path / ".trailcheck.yaml").write_text(
        "skip:\n"
        "  - rule: CT998\n    reason: a typo\n"
        "  - rule: CT004\n    reason: the trail logs anyway\n"
        "  - rule: CT020\n    resource: aws_s3_bucket.other\n    reason: not scanned here\n")
    main(["scan", "infra", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    ct099 = sorted((x["line"], x["message"]) for x in doc["findings"] if x["rule_id"] == RULE_ID)
    assert [line for line, _ in ct099] == [2, 4]
    assert "names CT998, which is not a trailcheck rule" in ct099[0][1]
    assert ct099[1][1].startswith("unused suppression: skip entry (rule CT004)")
