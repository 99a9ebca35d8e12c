"""Serverless Framework variables: `${self:...}` resolved within the file, every other source an
Unknown that names it (checker/loaders/serverless/variables.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from checker.loaders.cloudformation.yaml_source import parse_yaml
from checker.loaders.located import LineDict, LineList
from checker.loaders.serverless.variables import Variables
from checker.model import PartlyKnown, Unknown

FILE = """\
service: guard
provider:
  stage: ${opt:stage, 'dev'}
  region: eu-west-1
custom:
  events: [StopLogging, DeleteTrail]
  pattern:
    source: [aws.cloudtrail]
    detail: {eventName: "${self:custom.events}"}
  retention: 365
  enabled: false
  nothing: null
  prefix: ${self:service}-logs
  first: ${self:custom.second}
  second: ${self:custom.first}
"""


def resolved(written: str) -> Any:
    doc = parse_yaml(FILE + f"probe: {json.dumps(written)}\n")
    return Variables(doc).resolve(doc["probe"])


@pytest.mark.parametrize(("written", "value"), [
    ("${self:service}", "guard"),
    ("${self:provider.region}", "eu-west-1"),
    ("${self:custom.retention}", 365),  # a variable alone keeps its value's type
    ("${self:custom.enabled}", False),
    ("${self:custom.events.1}", "DeleteTrail"),
    ("${self:custom.prefix}", "guard-logs"),  # followed through the file's own variables
    ("trail-${self:custom.retention}-days", "trail-365-days"),
    ("${self:custom.missing, 'fallback'}", "fallback"),
    ('${self:custom.nothing, "null falls through"}', "null falls through"),
    ("${self:custom.missing, self:service}", "guard"),
    ("${self:custom.missing, 42}", 42),
    ("${self:custom.missing, ${self:custom.retention}}", 365),
    ("${self:custom.${self:custom.missing, 'retention'}}", 365),
    # not variables of the Framework: Fn::Sub names and CloudFormation's pseudo parameters
    ("${Bucket}", "${Bucket}"),
    ("arn:${AWS::Partition}:s3:::${self:service}", "arn:${AWS::Partition}:s3:::guard"),
    ("${!Literal}", "${!Literal}"),
])  # fmt: skip
def test_values_the_file_decides(written: str, value: Any) -> None:
    assert resolved(written) == value


def test_a_self_reference_copies_a_whole_mapping_with_its_lines() -> None:
    pattern = resolved("${self:custom.pattern}")
    assert pattern == {"source": ["aws.cloudtrail"],
                       "detail": {"eventName": ["StopLogging", "DeleteTrail"]}}  # fmt: skip
    assert isinstance(pattern, LineDict) and pattern.line == 8
    assert pattern.key_lines == {"source": 8, "detail": 9}
    assert isinstance(pattern["source"], LineList)


@pytest.mark.parametrize(("written", "says"), [
    ("${opt:stage}", "the --stage option of the serverless command"),
    # a default after a source outside the file is that source's value only when it has none
    ("${opt:stage, 'dev'}", "the --stage option of the serverless command"),
    ("${self:provider.stage}", "the --stage option of the serverless command"),
    ("${sls:stage}", "the stage the serverless command deploys"),
    ("${env:AUDIT_BUCKET}", "the environment variable AUDIT_BUCKET"),
    ("${ssm:/audit/bucket}", "AWS Systems Manager Parameter Store"),
    ("${aws:ssm:/audit/bucket}", "the AWS account and Region it deploys to"),
    ("${cf:shared.TrailArn}", "an output of another CloudFormation stack"),
    ("${file(./trail.yml):bucket}", "a value of another file"),
    ("${param:bucket}", "a parameter of the stage it deploys"),
    ("${vault:secret/data/x}", "its vault source"),
    ("${self:custom.first}", "refers to itself"),
    ("${self:custom.missing}", "names no value the file sets"),
    ("${self:custom.${opt:stage}}", "depends on another variable: ${opt:stage}"),
    ("${self:custom.missing, dev}", "neither quoted nor a number"),
])  # fmt: skip
def test_values_known_only_when_the_framework_runs_are_unknown(written: str, says: str) -> None:
    value = resolved(written)
    assert isinstance(value, Unknown)
    assert says in value.reason


def test_text_around_an_unknown_variable_is_still_known() -> None:
    value = resolved("${self:service}-${sls:stage}-trail")
    assert isinstance(value, PartlyKnown) and value.parts == ("guard-", None, "-trail")
    assert not value.can_be("other-prod-trail") and value.can_be("guard-prod-trail")


def test_a_mapping_cannot_be_put_into_text() -> None:
    value = resolved("x-${self:custom.pattern}")
    assert isinstance(value, Unknown) and "not text" in value.reason


def test_self_references_that_multiply_stop_at_the_alias_limit() -> None:
    """A "billion laughs" written with self-references: each level doubles what it copies."""
    levels = "".join(f"  l{i}: ['${{self:custom.l{i - 1}}}', '${{self:custom.l{i - 1}}}']\n"
                     for i in range(1, 40))  # fmt: skip
    doc = parse_yaml("custom:\n  l0: [x]\n" + levels + "probe: ${self:custom.l39}\n")
    value = Variables(doc).resolve(doc["probe"])
    assert isinstance(value, Unknown) and "copy more than" in value.reason


def test_deeply_nested_self_references_are_unknown_not_a_crash() -> None:
    deep = "".join(f"  d{i}: {{a: {{b: {{c: '${{self:custom.d{i + 1}}}'}}}}}}\n"
                   for i in range(400))  # fmt: skip
    doc = parse_yaml("custom:\n" + deep + "  d400: end\nprobe: ${self:custom.d0}\n")
    value = Variables(doc).resolve(doc["probe"])
    assert "values nest deeper" in repr(value)
