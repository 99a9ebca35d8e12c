"""terraform_syntax: tokens, expressions, templates, bodies, references."""

from __future__ import annotations

import pytest

from checker.loaders.terraform.syntax import (
    Call,
    Cond,
    For,
    GetAttr,
    HclSyntaxError,
    Index,
    Lines,
    Lit,
    Obj,
    Splat,
    TFor,
    TIf,
    Tmpl,
    Tup,
    Var,
    parse_block,
    parse_body,
    parse_expression,
    parse_template,
    traversals,
)


def test_literals_and_operators() -> None:
    assert parse_expression('"a"') == Lit("a")
    assert parse_expression("-1") == Lit(-1)
    assert parse_expression("2.5") == Lit(2.5)
    assert parse_expression("true") == Lit(True)
    assert parse_expression("null") == Lit(None)
    node = parse_expression("1 + 2 * 3")
    assert node.op == "+" and node.right.op == "*"  # precedence
    assert isinstance(parse_expression("a ? b : c"), Cond)


def test_lists_inside_calls_keep_their_strings() -> None:
    # python-hcl2 7.x renders this as toset([a, b c]); the source is read again for that reason
    node = parse_expression('toset(["a", "b c", "arn:aws:s3:::x/*"])')
    assert node == Call("toset", (Tup((Lit("a"), Lit("b c"), Lit("arn:aws:s3:::x/*"))),), False)
    assert parse_expression('concat(var.a, ["b"]...)').expand is True


def test_traversals_index_and_splat() -> None:
    assert parse_expression("aws_s3_bucket.logs.arn") == GetAttr(
        GetAttr(Var("aws_s3_bucket"), "logs"), "arn"
    )
    node = parse_expression('local.m["k"][0]')
    assert node == Index(Index(GetAttr(Var("local"), "m"), Lit("k")), Lit(0))
    splat = parse_expression("aws_s3_bucket.b[*].id")
    assert isinstance(splat, Splat) and splat.ops == (("attr", "id"),)


def test_objects_with_newlines_commas_and_expression_keys() -> None:
    node = parse_expression('{\n  a = 1\n  "b.c" = 2, (var.k) = 3\n  d: 4\n}')
    assert isinstance(node, Obj)
    keys = [k for k, _ in node.items]
    assert (
        keys[:2] == [Lit("a"), Lit("b.c")]
        and keys[2] == GetAttr(Var("var"), "k")
        and keys[3] == Lit("d")
    )


def test_for_expressions() -> None:
    node = parse_expression('{ for k, v in var.m : k => upper(v) if v != "" }')
    assert isinstance(node, For) and node.key_var == "k" and node.cond is not None
    grouped = parse_expression("{ for x in var.l : x.k => x... }")
    assert grouped.group is True
    assert parse_expression("[for s in var.l : s]").key_expr is None


def test_templates_escapes_and_directives() -> None:
    assert parse_expression('"a\\"b\\\\c\\n\\u00e9"') == Lit('a"b\\c\né')
    assert parse_expression('"$${literal}"') == Lit("${literal}")
    node = parse_expression('"${var.a}-x"')
    assert node == Tmpl((GetAttr(Var("var"), "a"), "-x"))
    directive = parse_expression('"%{ if var.on }yes%{ else }no%{ endif }"')
    assert isinstance(directive.parts[0], TIf)
    loop = parse_expression('"%{ for x in var.l }${x},%{ endfor }"')
    assert isinstance(loop.parts[0], TFor)
    assert parse_template("plain") == Lit("plain")


def test_heredocs_keep_backslashes_and_trim_indentation() -> None:
    body = parse_body('x = <<-EOT\n    {"a": "b\\"c"}\n      indented\n  EOT\n')
    assert body.attrs["x"].node == Lit('{"a": "b\\"c"}\n  indented\n')


def test_block_lines_and_attribute_sources() -> None:
    text = (
        'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n\n'
        "  versioning {\n    enabled = true\n  }\n}\n"
    )
    block = parse_block(text, 0, len(text), Lines(text))
    assert (block.type, block.labels, block.line, block.end_line) == (
        "resource",
        ("aws_s3_bucket", "b"),
        1,
        7,
    )
    assert block.attrs["bucket"].line == 2 and block.attrs["bucket"].src == '"x"'
    assert block.blocks[0].type == "versioning" and block.blocks[0].line == 4


@pytest.mark.parametrize(
    "text",
    [
        'resource "a" "b" {\n  x = = 1\n}\n',
        'resource "a" "b" {\n  x = "unterminated\n}\n',
        'resource "a" "b" {\n  x = 1\n',
        'resource "a" "b" {\n  x = 1\n  x = 2\n}\n',
        'resource "a" "b" {\n  x = <<EOT\nnever closed\n}\n',
    ],
)
def test_invalid_blocks_raise(text: str) -> None:
    with pytest.raises(HclSyntaxError):
        parse_block(text, 0, len(text), Lines(text))


def test_traversals_name_roots_and_steps() -> None:
    node = parse_expression(
        'merge(local.tags, { a = aws_s3_bucket.b[0].arn, d = module.m["k"].out })'
    )
    found = list(traversals(node))
    assert ("local", (("attr", "tags"),)) in found
    assert ("aws_s3_bucket", (("attr", "b"), ("index", 0), ("attr", "arn"))) in found
    assert ("module", (("attr", "m"), ("index", "k"), ("attr", "out"))) in found


def test_lines_maps_offsets() -> None:
    lines = Lines("a\nbc\n\nd")
    assert [lines.line(i) for i in (0, 2, 3, 5, 6)] == [1, 2, 2, 3, 4]
