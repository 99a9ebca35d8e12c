"""terraform files: parsing on demand, declarations, text filters, .tf.json and values files."""

from __future__ import annotations

from pathlib import Path

from checker.loaders.terraform.files import (
    is_seed,
    module_source,
    override_key,
    read_source,
    read_tfvars,
    tfvars_files,
)
from checker.loaders.terraform.syntax import Lit

TEXT = """# a comment
resource "aws_cloudtrail" "t" {
  name = "t"
}

resource aws_instance web {
  ami = "x"
}

locals {
  a = 1
  b = {
    nested = 2
  }
}

module "m" {
  source = "./mod"
}

provider "aws" {
  alias = "west"
}
"""


def test_a_file_is_parsed_on_first_use_with_its_declarations(tmp_path: Path) -> None:
    sf = read_source(tmp_path / "main.tf", "main.tf", TEXT)
    assert not sf.parsed and sf.decls == []
    decls = sf.parse()
    assert [(d.kind, d.labels, d.line) for d in decls] == [
        ("resource", ("aws_cloudtrail", "t"), 2),
        ("resource", ("aws_instance", "web"), 6),
        ("locals", (), 10),
        ("module", ("m",), 17),
        ("provider", ("aws",), 21),
    ]
    assert decls[2].names == ("a", "b")
    assert module_source(decls[3]) == "./mod"
    assert override_key(decls[4]) == ("provider", "aws", "west")
    assert is_seed(decls[0]) and not is_seed(decls[1])
    block = decls[0].parse()
    assert block is not None and block.attrs["name"].node == Lit("t")
    assert decls[0].text.startswith('resource "aws_cloudtrail"') and decls[0].text.endswith("}")


def test_text_filters_choose_the_files_to_parse(tmp_path: Path) -> None:
    sf = read_source(tmp_path / "main.tf", "main.tf", TEXT)
    assert sf.may_hold_seed() and sf.may_hold_module() and sf.may_hold_provider()
    other = read_source(
        tmp_path / "v.tf",
        "v.tf",
        'variable "region" {}\nvariable region_2 {}\noutput "o" {\n  value = path.module\n}\n'
        "terraform {\n  required_providers {}\n}\n",
    )
    assert not (other.may_hold_seed() or other.may_hold_module() or other.may_hold_provider())
    assert other.may_declare("variable", ("region",))
    assert other.may_declare("variable", ("region_2",))
    assert not other.may_declare("variable", ("reg",))
    assert other.may_declare("output", ("o",)) and not other.may_declare("output", ("p",))
    assert sf.may_declare("locals", ("b",)) and not sf.may_declare("locals", ("c",))
    assert sf.may_declare("resource", ("aws_instance", "web"))
    assert not sf.may_declare("resource", ("aws_instance", "t"))


def test_a_file_with_a_syntax_error_contributes_no_block(tmp_path: Path) -> None:
    text = 'resource "aws_s3_bucket" "a" {\n  bucket = "a"\n}\nresource "x" "y" {\n  z = = 1\n}\n'
    sf = read_source(tmp_path / "main.tf", "main.tf", text)
    decls = sf.parse()
    assert [d.labels for d in decls] == [("aws_s3_bucket", "a"), ("x", "y")]  # known by header
    assert all(d.parse() is None for d in decls)
    assert sf.errors == [(5, "syntax error: expected an expression, found '=' (column 7)")]


def test_attachments_matter_only_when_they_attach_a_policy_of_the_inputs(tmp_path: Path) -> None:
    text = (
        'resource "aws_iam_role_policy_attachment" "a" {\n  policy_arn = aws_iam_policy.p.arn\n}\n'
        'resource "aws_iam_role_policy_attachment" "b" {\n'
        '  policy_arn = "arn:aws:iam::aws:policy/X"\n}\n'
    )
    sf = read_source(tmp_path / "main.tf", "main.tf", text)
    assert [is_seed(d) for d in sf.parse()] == [True, False]


def test_tf_json_is_read_at_once_with_its_errors(tmp_path: Path) -> None:
    sf = read_source(
        tmp_path / "m.tf.json",
        "m.tf.json",
        '{"resource": {"aws_s3_bucket": {"b": {"bucket": "${var.x}-b"}}}, "variable": {"x": {}}}',
    )
    assert sf.parsed
    assert [(d.kind, d.labels) for d in sf.decls] == [
        ("resource", ("aws_s3_bucket", "b")),
        ("variable", ("x",)),
    ]
    broken = read_source(tmp_path / "b.tf.json", "b.tf.json", '{\n  "resource": [\n}')
    assert broken.errors and broken.errors[0][0] == 3


def test_values_files(tmp_path: Path) -> None:
    for name in ("terraform.tfvars", "b.auto.tfvars", "a.auto.tfvars.json", "other.tfvars"):
        (tmp_path / name).write_text("")
    assert [p.name for p in tfvars_files(tmp_path)] == [
        "terraform.tfvars",
        "a.auto.tfvars.json",
        "b.auto.tfvars",
    ]
    values, errs = read_tfvars(tmp_path / "x.tfvars", 'a = "b"\nl = [1, 2]\n')
    assert errs == [] and values["a"].node == Lit("b")
    _, errs = read_tfvars(tmp_path / "x.tfvars", "a = = 1\nb = [\n")
    assert [line for line, _ in errs] == [1, 2]  # the second at its open bracket
    _, errs = read_tfvars(tmp_path / "x.tfvars", 'a = 1\nblock {\n  b = 2\n}\n')
    assert errs == [(2, "a values file can only assign variables (name = value): remove the "
                        "block block")]
    values, errs = read_tfvars(tmp_path / "x.tfvars.json", '{"a": {"k": 1}}')
    assert errs == [] and values["a"].node == Lit({"k": 1})


def test_values_files_accept_crlf(tmp_path: Path) -> None:
    values, errs = read_tfvars(tmp_path / "x.tfvars", 'region = "eu-west-1"\r\nn = 2\r\n')
    assert errs == [] and values["region"].node == Lit("eu-west-1") and values["n"].line == 2
