"""terraform_files: the textual scan, validation, .tf.json and values files."""

from __future__ import annotations

from pathlib import Path

from checker.loaders.terraform.files import (
    check_job,
    is_seed,
    module_source,
    read_tfvars,
    scan_file,
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
"""


def test_scan_finds_top_level_blocks_with_lines(tmp_path: Path) -> None:
    sf = scan_file(tmp_path / "main.tf", "main.tf", TEXT)
    assert [(d.kind, d.labels, d.line) for d in sf.decls] == [
        ("resource", ("aws_cloudtrail", "t"), 2),
        ("resource", ("aws_instance", "web"), 6),
        ("locals", (), 10),
        ("module", ("m",), 17),
    ]
    assert set(sf.decls[2].names) >= {"a", "b"}
    assert module_source(sf.decls[3]) == "./mod"
    assert is_seed(sf.decls[0]) and not is_seed(sf.decls[1])
    assert sf.decls[0].parse() is not None and sf.decls[0].parse().attrs["name"].node == Lit("t")  # type: ignore[union-attr]


def test_attachments_matter_only_when_they_attach_a_policy_of_the_inputs(tmp_path: Path) -> None:
    text = (
        'resource "aws_iam_role_policy_attachment" "a" {\n  policy_arn = aws_iam_policy.p.arn\n}\n'
        'resource "aws_iam_role_policy_attachment" "b" {\n'
        '  policy_arn = "arn:aws:iam::aws:policy/X"\n}\n'
    )
    sf = scan_file(tmp_path / "main.tf", "main.tf", text)
    assert [is_seed(d) for d in sf.decls] == [True, False]


def test_check_job_reports_the_first_error_line() -> None:
    good = 'resource "a" "b" {\n  x = 1\n}\n'
    bad = 'resource "c" "d" {\n  y = [1,\n}\n'
    text = good + bad
    needed = [(0, len(good))]
    others = [(len(good), len(text))]
    result = check_job(text, needed, others, False)
    assert result.error is not None and result.error[0] == 6
    assert check_job(good, [(0, len(good))], [], False).error is None


def test_check_job_falls_back_to_python_hcl2_when_terraform_syntax_refuses() -> None:
    text = 'resource "a" "b" {\n  x = 1\n}\n'
    result = check_job(text, [(0, len(text))], [], True)
    assert result.error is None and result.fallback is not None and 0 in result.fallback


def test_tf_json_scan_and_errors(tmp_path: Path) -> None:
    sf = scan_file(
        tmp_path / "m.tf.json",
        "m.tf.json",
        '{"resource": {"aws_s3_bucket": {"b": {"bucket": "${var.x}-b"}}}, "variable": {"x": {}}}',
    )
    assert [(d.kind, d.labels) for d in sf.decls] == [
        ("resource", ("aws_s3_bucket", "b")),
        ("variable", ("x",)),
    ]
    broken = scan_file(tmp_path / "b.tf.json", "b.tf.json", '{\n  "resource": [\n}')
    assert broken.error is not None and broken.error[0] == 3


def test_values_files(tmp_path: Path) -> None:
    for name in ("terraform.tfvars", "b.auto.tfvars", "a.auto.tfvars.json", "other.tfvars"):
        (tmp_path / name).write_text("")
    assert [p.name for p in tfvars_files(tmp_path)] == [
        "terraform.tfvars",
        "a.auto.tfvars.json",
        "b.auto.tfvars",
    ]
    values, err = read_tfvars(tmp_path / "x.tfvars", 'a = "b"\nl = [1, 2]\n')
    assert err is None and values["a"].node == Lit("b")
    _, err = read_tfvars(tmp_path / "x.tfvars", "a = = 1\n")
    assert err is not None and err[0] == 1
    values, err = read_tfvars(tmp_path / "x.tfvars.json", '{"a": {"k": 1}}')
    assert err is None and values["a"].node == Lit({"k": 1})
