"""terraform_module: explanations of unknowns and count/for_each expansion."""

from __future__ import annotations

from checker.loaders.terraform.expansion import expand, explain, key_suffix
from checker.loaders.terraform.syntax import Block, parse_file
from checker.loaders.terraform.values import Scope
from checker.model import Computed, Unknown


def block(text: str) -> Block:
    return parse_file(text).blocks[0]


def test_explain_names_the_attribute_and_the_expression() -> None:
    u = Unknown("var.kms_key_arn has no value")
    assert (
        explain("kms_key_id", "var.kms_key_arn", u).reason
        == "kms_key_id comes from var.kms_key_arn, which has no value"
    )
    assert explain("name", '"${var.x}-a"', Unknown("var.x has no value")).reason == (
        'name comes from "${var.x}-a", where var.x has no value'
    )
    assert isinstance(
        explain("arn", "aws_x.y.arn", Computed("aws_x.y.arn is known only after apply")), Computed
    )


def test_expansion_by_count_and_for_each() -> None:
    three = expand(block('resource "a" "b" {\n  count = 3\n}\n'), Scope(), "a.b")
    assert [k for k, _ in three.instances] == [0, 1, 2] and three.unknown is None
    keyed = expand(block('resource "a" "b" {\n  for_each = toset(["y", "x"])\n}\n'), Scope(), "a.b")
    assert [k for k, _ in keyed.instances] == ["x", "y"]
    assert keyed.instances[0][1]["each"] == {"key": "x", "value": "x"}
    none = expand(block('resource "a" "b" {\n  count = 0\n}\n'), Scope(), "a.b")
    assert none.instances == []
    unknown = expand(block('resource "a" "b" {\n  count = var.n\n}\n'), Scope(), "a.b")
    assert [k for k, _ in unknown.instances] == ["*"] and unknown.unknown is not None


def test_instance_key_suffixes() -> None:
    assert [key_suffix(k) for k in (None, 0, "k", "*")] == ["", "[0]", '["k"]', "[*]"]
