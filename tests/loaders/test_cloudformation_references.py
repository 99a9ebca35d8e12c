"""References to names a template does not declare: an input error (CT000) at each place, never a
rule's finding, and the rest of the template still judged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from checker.loaders import LoadOptions
from checker.loaders.cloudformation.loader import load_template
from checker.model import Computed, Estate, Unknown
from checker.unknowns import PartlyComputed

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "cloudformation"
REJECTED = "CloudFormation rejects the template (unresolved resource dependencies)"
ANY_NAME = "names no parameter, resource or pseudo parameter of the template"


def template(tmp_path: Path, text: str) -> Estate:
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    return load_template(path, "t.yaml", LoadOptions())


def found(e: Estate) -> list[tuple[str, str, int, str]]:
    return [(d.rule_id, d.status, d.location.line, d.message) for d in e.diagnostics]


def trail(properties: str, head: str = "", more: str = "") -> str:
    return (f"{head}Resources:\n  T:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n"
            f"      IsLogging: true\n{properties}{more}")  # fmt: skip


# -- the fixture: loader level -----------------------------------------------------------------


def test_each_unresolved_reference_is_an_input_error_at_its_line() -> None:
    e = load_template(FIXTURES / "broken-references.yaml", "f.yaml", LoadOptions())
    assert found(e) == [
        ("CT000", "fail", 16, f"AuditTrail: ${{Missing}} in Fn::Sub {ANY_NAME}: {REJECTED}"),
        ("CT000", "fail", 21, f"Detector: Ref Missing2 {ANY_NAME}: {REJECTED}"),
    ]
    assert all(d.resource == "f.yaml" for d in e.diagnostics)  # CT000 is about the file


def test_the_rest_of_the_template_is_still_judged() -> None:
    e = load_template(FIXTURES / "broken-references.yaml", "f.yaml", LoadOptions())
    assert e.inputs[0].status == "ok"  # read and judged; the CT000 says it cannot deploy
    audit, main_trail = e.trails
    assert (audit.id, main_trail.id) == ("AuditTrail", "MainTrail")
    assert audit.is_logging is True and main_trail.log_file_validation is True
    # the bucket name built from ${Missing} is unknown, and says why
    bucket = audit.bucket.value  # type: ignore[union-attr]
    assert isinstance(bucket, Unknown) and not isinstance(bucket, Computed)
    assert bucket.reason == f"${{Missing}} in Fn::Sub {ANY_NAME}: {REJECTED}"
    # pseudo parameters are CloudFormation's own: no error, and the usual values
    assert isinstance(main_trail.bucket.value, Computed)  # type: ignore[union-attr]


# -- what counts as declared -------------------------------------------------------------------


def test_every_pseudo_parameter_is_declared_and_no_other(tmp_path: Path) -> None:
    names = ["AccountId", "NotificationARNs", "NoValue", "Partition", "Region", "StackId",
             "StackName", "URLSuffix"]  # fmt: skip
    refs = "".join(f"        - !Ref AWS::{n}\n        - !Sub '${{AWS::{n}}}'\n" for n in names)
    e = template(tmp_path, trail(f"      S3BucketName: b\n      Tags:\n{refs}"
                                 "        - !Ref AWS::Regoin\n"))  # fmt: skip
    assert found(e) == [("CT000", "fail", 24, f"T: Ref AWS::Regoin {ANY_NAME}: {REJECTED}")]


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("!GetAtt Nope.Arn", "Fn::GetAtt Nope.Arn names no resource of the template"),
        ("{'Fn::GetAtt': [Nope, Arn]}", "Fn::GetAtt Nope.Arn names no resource of the template"),
        ("!Sub '${Nope.Arn}'", "${Nope.Arn} in Fn::Sub names no resource of the template"),
        # a parameter has no attributes: Fn::GetAtt names resources only
        ("!GetAtt P.Arn", "Fn::GetAtt P.Arn names no resource of the template"),
        ("!Sub 'x-${Nope}'", f"${{Nope}} in Fn::Sub {ANY_NAME}"),
        ("{Ref: Nope}", f"Ref Nope {ANY_NAME}"),
    ],
)
def test_the_message_names_the_function_as_written(
    tmp_path: Path, written: str, message: str
) -> None:
    e = template(tmp_path, trail(f"      S3BucketName: {written}\n",
                                 head="Parameters: {P: {Type: String, Default: p}}\n"))  # fmt: skip
    assert found(e) == [("CT000", "fail", 7, f"T: {message}: {REJECTED}")]


def test_names_the_template_declares_are_no_error(tmp_path: Path) -> None:
    e = template(tmp_path, trail(
        "      S3BucketName: !Sub ['${A}-${P}-${B}-${!Literal}', {A: a}]\n"
        "      KMSKeyId: !GetAtt K.Arn\n",
        head="Parameters: {P: {Type: String, Default: p}}\n",
        more="  B: {Type: AWS::S3::Bucket}\n  K: {Type: AWS::KMS::Key}\n",
    ))  # fmt: skip
    assert found(e) == []


def test_spaces_around_a_sub_variable_are_ignored(tmp_path: Path) -> None:
    """`${ AWS::Region}` deploys (cfn-lint issue #236): no CT000, and the value is resolved."""
    e = template(tmp_path, trail("      S3BucketName: !Sub '${ P }-${AWS::AccountId }-${ !Lit}'\n",
                                 head="Parameters: {P: {Type: String, Default: p}}\n"))  # fmt: skip
    assert found(e) == []
    (only,) = e.trails
    assert only.bucket is not None and isinstance(only.bucket.value, PartlyComputed)
    assert only.bucket.value.parts == ("p-", None, "-${Lit}")


def test_each_place_is_reported_once(tmp_path: Path) -> None:
    e = template(tmp_path, trail("      S3BucketName: !Sub '${Nope}-${Nope}'\n"
                                 "      SnsTopicName: !Ref Nope\n"))  # fmt: skip
    assert [(line, m.split(" names")[0]) for _, _, line, m in found(e)] == [
        (6, "T: ${Nope} in Fn::Sub"), (7, "T: Ref Nope"),
    ]


def test_conditions_and_outputs_are_read(tmp_path: Path) -> None:
    e = template(tmp_path, trail(
        "      S3BucketName: b\n",
        head="Conditions:\n  IsMain: !Equals [!Ref AWS::AccountId, !Ref MainAccount]\n",
        more="Outputs:\n  Arn:\n    Value: !GetAtt Trial.Arn\n",
    ))  # fmt: skip
    assert [(d.location.line, d.message.split(" names")[0]) for d in e.diagnostics] == [
        (2, "condition IsMain: Ref MainAccount"), (11, "output Arn: Fn::GetAtt Trial.Arn"),
    ]


# -- names a transform or a loop may declare ---------------------------------------------------


def test_a_transform_may_declare_the_name_so_it_is_not_known(tmp_path: Path) -> None:
    e = template(tmp_path, trail("      S3BucketName: !Ref MyFunctionRole\n",
                                 head="Transform: AWS::Serverless-2016-10-31\n"))  # fmt: skip
    assert found(e) == [("CT000", "unknown", 7,
                         "T: Ref MyFunctionRole names no parameter, resource or pseudo parameter "
                         "of the template as written; the AWS::Serverless-2016-10-31 transform "
                         "may declare it, and trailcheck does not expand it")]  # fmt: skip
    bucket = e.trails[0].bucket.value  # type: ignore[union-attr]
    assert isinstance(bucket, Unknown) and "Serverless" in bucket.reason


def test_language_extensions_alone_declare_nothing(tmp_path: Path) -> None:
    e = template(tmp_path, trail("      S3BucketName: !Ref Nope\n",
                                 head="Transform: [AWS::LanguageExtensions]\n"))  # fmt: skip
    assert [d.status for d in e.diagnostics] == ["fail"]


def test_a_loop_may_declare_the_name_and_its_body_is_not_read(tmp_path: Path) -> None:
    e = template(tmp_path, (
        "Transform: AWS::LanguageExtensions\nResources:\n"
        "  Fn::ForEach::Buckets:\n    - Name\n    - [audit]\n"
        "    - ${Name}Bucket:\n        Type: AWS::S3::Bucket\n"
        "        Properties: {BucketName: !Sub '${Name}-logs'}\n"
        "  T:\n    Type: AWS::CloudTrail::Trail\n"
        "    Properties: {IsLogging: true, S3BucketName: !Ref auditBucket}\n"
    ))  # fmt: skip
    # the loop's own note, then the reference: nothing for ${Name}, the loop's identifier
    note, unresolved = e.diagnostics
    assert note.resource == "Fn::ForEach::Buckets"
    assert (unresolved.status, unresolved.location.line) == ("unknown", 11)
    assert unresolved.message.startswith("T: Ref auditBucket names no parameter")
    assert "an Fn::ForEach loop of AWS::LanguageExtensions may declare it" in unresolved.message


def test_the_not_expanded_fixture_keeps_its_notes() -> None:
    e = load_template(FIXTURES / "not-expanded.yaml", "not-expanded.yaml", LoadOptions())
    assert [(d.rule_id, d.status, d.resource) for d in e.diagnostics] == [
        ("CT000", "unknown", "Fn::ForEach::Buckets"), ("CT000", "unknown", "Network"),
    ]


# -- through the command line ------------------------------------------------------------------


def scan(capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, Any]]]:
    code = main(["scan", str(FIXTURES / "broken-references.yaml"), "--format", "json",
                 "--no-config"])  # fmt: skip
    return code, list(json.loads(capsys.readouterr().out)["findings"])


def test_scan_reports_input_errors_and_judges_the_valid_trail(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, findings = scan(capsys)
    assert code == 2  # an input that cannot deploy: design.md's exit codes
    errors = [(f["status"], f["file"].rsplit("/", 1)[-1], f["line"], f["message"])
              for f in findings if f["rule_id"] == "CT000"]  # fmt: skip
    assert errors == [
        ("fail", "broken-references.yaml", 16,
         f"AuditTrail: ${{Missing}} in Fn::Sub {ANY_NAME}: {REJECTED}"),
        ("fail", "broken-references.yaml", 21, f"Detector: Ref Missing2 {ANY_NAME}: {REJECTED}"),
    ]
    # the selectors are judged as usual; no CT011 for the references
    ct011 = {f["resource"]: f["status"] for f in findings if f["rule_id"] == "CT011"}
    assert ct011 == {"MainTrail": "pass", "AuditTrail": "pass"}
    ct002 = {f["resource"]: f["status"] for f in findings if f["rule_id"] == "CT002"}
    assert ct002 == {"MainTrail": "pass", "AuditTrail": "fail"}
    (bucket,) = [f for f in findings if f["rule_id"] == "CT020"
                 and f["resource"] == "the bucket of AuditTrail"]  # fmt: skip
    assert bucket["status"] == "unknown" and bucket["line"] == 16
    assert bucket["message"].endswith(f"${{Missing}} in Fn::Sub {ANY_NAME}: {REJECTED}")



# -- registry modules --------------------------------------------------------------------------

MODULE_CASE = FIXTURES.parent / "regressions" / "cloudformation-module"


def test_a_module_may_declare_names_that_begin_with_its_logical_id() -> None:
    """A module's resources are named by its logical id and theirs, joined with or without a
    dot (AWS::CloudFormation User Guide, "Reference module resources in CloudFormation
    templates"): CloudFormation accepts them, so they are unknown, not rejected; a name no
    module begins is still rejected."""
    e = load_template(MODULE_CASE / "broken-typo.yaml", "broken-typo.yaml", LoadOptions())
    notes = {(d.status, d.location.line): d.message for d in e.diagnostics}
    module = "the module AuditStore (Example::Audit::LogStore::MODULE) may declare it"
    for line in (17, 22, 24):  # Ref AuditStoreBucket, AuditStore.Bucket, ${AuditStoreQueue.X}
        assert module in notes[("unknown", line)], line
    assert REJECTED in notes[("fail", 19)]  # Ref TrailNme: a typo, no module's
    assert "resources of the module AuditStore" in notes[("unknown", 7)]
    (only,) = e.trails
    bucket = only.bucket.value if only.bucket else None
    assert isinstance(bucket, Unknown) and module in bucket.reason
    key = only.kms_key.value if only.kms_key else None
    assert isinstance(key, Unknown) and "set by the module AuditStore" in key.reason
