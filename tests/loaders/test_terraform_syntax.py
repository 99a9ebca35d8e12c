"""terraform syntax: the parser of record (hclsyntax spec.md): every construct, positions,
comments, errors, deep nesting and CRLF."""

from __future__ import annotations

from typing import Any

import pytest

from checker.loaders.terraform.lexer import MAX_DEPTH
from checker.loaders.terraform.syntax import (
    Bin,
    Block,
    Call,
    Comment,
    Cond,
    For,
    GetAttr,
    HclSyntaxError,
    Index,
    Lit,
    Obj,
    Splat,
    TFor,
    TIf,
    Tmpl,
    Tup,
    Un,
    Var,
    parse_expression,
    parse_file,
    parse_template,
    traversals,
)


def value(text: str) -> Any:
    """The node of `x = TEXT` in a file (so newlines matter as in a body)."""
    parsed = parse_file(f"x = {text}\n")
    assert parsed.errors == (), parsed.errors
    return parsed.attrs["x"].node


def errors(text: str) -> list[tuple[int, int, str]]:
    return [(e.line, e.column, e.message) for e in parse_file(text).errors]


def first_error(text: str) -> str:
    found = errors(text)
    assert found, f"{text!r} should be refused"
    return found[0][2]


# -- literals, operators, conditionals ---------------------------------------------------------


def test_literals() -> None:
    assert value('"a"') == Lit("a")
    assert value("-1") == Lit(-1)
    assert value("2.5") == Lit(2.5)
    assert value("1e3") == Lit(1000.0)
    assert value("007") == Lit(7)
    assert [value(k) for k in ("true", "false", "null")] == [Lit(True), Lit(False), Lit(None)]


def test_operators_precedence_and_associativity() -> None:
    node = value("1 + 2 * 3")
    assert node == Bin("+", Lit(1), Bin("*", Lit(2), Lit(3)))
    assert value("a - b + c") == Bin("+", Bin("-", Var("a"), Var("b")), Var("c"))
    assert value("a || b && c == d") == Bin(
        "||", Var("a"), Bin("&&", Var("b"), Bin("==", Var("c"), Var("d")))
    )
    assert value("a < b != c >= d").op == "!="
    assert value("a % b / c").op == "/"
    # unary operators bind tighter than any binary one, and take a whole traversal
    assert value("-a.b + 1") == Bin("+", Un("-", GetAttr(Var("a"), "b")), Lit(1))
    assert value("!!a") == Un("!", Un("!", Var("a")))
    assert value("--1") == Lit(1)


def test_conditionals_nest_to_the_right() -> None:
    node = value("a ? b : c ? d : e")
    assert node == Cond(Var("a"), Var("b"), Cond(Var("c"), Var("d"), Var("e")))
    assert value("a == 1 ? [] : {}") == Cond(Bin("==", Var("a"), Lit(1)), Tup(()), Obj(()))


def test_newlines_end_an_argument_outside_brackets_only() -> None:
    assert value("(a &&\n  b)") == Bin("&&", Var("a"), Var("b"))
    assert value("[\n  1,\n  2,\n]") == Tup((Lit(1), Lit(2)))
    assert value("f(\n  a,\n  b\n)") == Call("f", (Var("a"), Var("b")), False)
    assert value("a[\n  0\n]") == Index(Var("a"), Lit(0))
    assert first_error("x = a &&\n  b\n") == "expected an expression, found a newline"
    assert first_error("x = a ?\n  b : c\n") == "expected an expression, found a newline"


# -- collections, for expressions, calls --------------------------------------------------------


def test_objects_with_newlines_commas_and_expression_keys() -> None:
    node = value('{\n  a = 1\n  "b.c" = 2, (var.k) = 3\n  d: 4\n  e.f = 5\n}')
    assert [k for k, _ in node.items] == [
        Lit("a"), Lit("b.c"), GetAttr(Var("var"), "k"), Lit("d"), GetAttr(Var("e"), "f")
    ]
    assert value("{}") == Obj(())
    assert value("{a = 1, a = 2}").items[1] == (Lit("a"), Lit(2))  # a duplicate key is valid
    assert first_error("x = {a = 1 b = 2}\n").startswith("expected a newline or ','")
    assert first_error("x = {\n  a =\n  1\n}\n") == "expected an expression, found a newline"


def test_for_expressions() -> None:
    node = value('{ for k, v in var.m : k => upper(v) if v != "" }')
    assert isinstance(node, For) and (node.key_var, node.val_var) == ("k", "v")
    assert node.cond == Bin("!=", Var("v"), Lit(""))
    assert value("{ for x in var.l : x.k => x... }").group is True
    tuple_for = value("[for s in var.l : s]")
    assert tuple_for == For(None, "s", GetAttr(Var("var"), "l"), None, Var("s"), None, False)
    # newlines are whitespace inside a for expression, objects' too
    multi = value("{\n  for c in local.l :\n    c.name => c\n  if c.on\n}")
    assert isinstance(multi, For) and multi.cond == GetAttr(Var("c"), "on")
    assert value("[(for), 1]") == Tup((Var("for"), Lit(1)))
    assert value('{"for" = 1}') == Obj(((Lit("for"), Lit(1)),))
    assert first_error("x = {for x in y : x}\n") == "an object for expression needs 'key => value'"
    assert first_error("x = [for x in y : x...]\n").startswith("'...' (grouping)")
    assert first_error("x = [for x in y : x => x]\n").startswith("'=>' is for objects")
    assert first_error("x = [for, 1]\n") == "expected a variable name after 'for', found ','"
    assert first_error("x = {\n  for = 1\n}\n").startswith("expected a variable name after 'for'")


def test_calls_expansion_and_provider_defined_functions() -> None:
    assert value('toset(["a", "b c"])') == Call("toset", (Tup((Lit("a"), Lit("b c"))),), False)
    assert value("concat(var.a, [1]...)").expand is True
    assert value("f(a, b,)").args == (Var("a"), Var("b"))
    assert value("f()") == Call("f", (), False)
    arn = value('provider::aws::arn_parse("arn:aws:s3:::b").region')
    assert arn == GetAttr(Call("provider::aws::arn_parse", (Lit("arn:aws:s3:::b"),), False),
                          "region")
    assert first_error("x = f(a...,)\n").startswith("'...' must be the last thing")
    assert first_error("x = provider::aws\n").startswith("expected '(' after the function name")


def test_optional_attributes_in_variable_types() -> None:
    parsed = parse_file(
        'variable "v" {\n  type = object({\n    a = optional(string, "d")\n'
        "    b = optional(list(string))\n  })\n}\n"
    )
    obj = parsed.blocks[0].attrs["type"].node.args[0]
    assert obj.items[0] == (Lit("a"), Call("optional", (Var("string"), Lit("d")), False))


# -- traversals and splats ---------------------------------------------------------------------


def test_traversals_index_legacy_index_and_splats() -> None:
    assert value("aws_s3_bucket.logs.arn") == GetAttr(GetAttr(Var("aws_s3_bucket"), "logs"), "arn")
    assert value('local.m["k"][0]') == Index(Index(GetAttr(Var("local"), "m"), Lit("k")), Lit(0))
    assert value("a.0.b") == GetAttr(Index(Var("a"), Lit(0)), "b")
    assert value("m.x[0].a.b") == GetAttr(GetAttr(Index(GetAttr(Var("m"), "x"), Lit(0)), "a"), "b")
    assert value("f(x)[0].y") == GetAttr(Index(Call("f", (Var("x"),), False), Lit(0)), "y")
    full = value("a[*].b[0]")
    assert full == Splat(Var("a"), (("attr", "b"), ("index", Lit(0))))
    attr_only = value("a.*.b[0]")  # the index applies to the whole list
    assert attr_only == Index(Splat(Var("a"), (("attr", "b"),)), Lit(0))
    assert value("a[ * ].id") == Splat(Var("a"), (("attr", "id"),))
    assert first_error("x = foo.0.1\n").startswith("'.0.1' is not a valid index")
    assert first_error("x = a.*.*\n").startswith("a splat (.*) cannot follow")
    assert first_error("x = a.\n").startswith("expected an attribute name after '.'")


def test_traversals_name_roots_and_steps() -> None:
    node = parse_expression(
        'merge(local.tags, { a = aws_s3_bucket.b[0].arn, d = module.m["k"].out })'
    )
    found = list(traversals(node))
    assert ("local", (("attr", "tags"),)) in found
    assert ("aws_s3_bucket", (("attr", "b"), ("index", 0), ("attr", "arn"))) in found
    assert ("module", (("attr", "m"), ("index", "k"), ("attr", "out"))) in found


def test_the_variables_of_a_for_expression_are_not_references() -> None:
    node = parse_expression('[for k, v in local.m : "${k}=${v.name}" if v.on]')
    assert list(traversals(node)) == [("local", (("attr", "m"),))]
    node = parse_expression('"%{for s in var.list}${s}${local.sep}%{endfor}"')
    assert [root for root, _ in traversals(node)] == ["var", "local"]


# -- templates ---------------------------------------------------------------------------------


def test_strings_escapes_and_literal_sequences() -> None:
    assert value('"a\\"b\\\\c\\n\\t\\r\\u00e9\\U0001F600"') == Lit('a"b\\c\n\t\ré\U0001F600')
    assert value('"$${literal} %%{also}"') == Lit("${literal} %{also}")
    assert value('"50% and $5"') == Lit("50% and $5")
    assert first_error('x = "\\q"\n') == "\\q is not a valid escape sequence in a string"
    assert first_error('x = "\\u00e"\n') == "\\u must be followed by four hexadecimal digits"
    assert first_error('x = "\\uD800"\n') == "\\uD800 is not a Unicode character"
    assert first_error('x = "a\nb"\n').startswith("this string is not closed on its line")


def test_interpolations_unwrap_and_strip_markers() -> None:
    assert value('"${var.a}-x"') == Tmpl((GetAttr(Var("var"), "a"), "-x"))
    assert value('"${var.a}"') == Tmpl((GetAttr(Var("var"), "a"),))  # the value itself
    assert value('"a ${~ b ~} c"') == Tmpl(("a", Var("b"), "c"))
    assert value('"${"${a}"}"') == Tmpl((Tmpl((Var("a"),)),))
    assert value('"${ {a = 1}.a }"') == Tmpl((GetAttr(Obj(((Lit("a"), Lit(1)),)), "a"),))
    assert first_error('x = "${a b}"\n') == "expected '}' to end the interpolation, found 'b'"


def test_template_directives() -> None:
    node = value('"%{ if var.on }yes%{ else }no%{ endif }"')
    assert node == Tmpl((TIf(GetAttr(Var("var"), "on"), Tmpl(("yes",)), Tmpl(("no",))),))
    loop = value('"%{ for k, v in var.m ~} ${k}=${v} %{~ endfor }"')
    # stripped literals stay as empty parts: HCL unwraps only a lone interpolation
    assert loop.parts[0] == TFor("k", "v", GetAttr(Var("var"), "m"),
                                 Tmpl(("", Var("k"), "=", Var("v"), "")))
    assert first_error('x = "%{ iff a }b%{ endif }"\n').startswith("%{iff} is not a template")
    assert first_error('x = "%{ if a }b"\n') == "%{if} has no matching %{endif}"
    assert first_error('x = "%{ else }"\n') == "%{else} has no matching opening directive"
    assert first_error('x = "%{for a in c}${a}%{else}%{endfor}"\n') == (
        "%{else} has no matching opening directive"
    )


def test_heredocs_keep_backslashes_and_trim_indentation_as_hcl() -> None:
    plain = value('<<EOT\n{"a": "b\\"c"}\n  ${x}\nEOT')
    assert plain == Tmpl(('{"a": "b\\"c"}\n  ', Var("x"), "\n"))
    # <<-: the smallest indentation of the literal lines goes; blank lines stay as written
    flush = value("<<-EOT\n    a\n      b\n  \n    c\n    EOT")
    assert flush == Lit("a\n  b\n  \nc\n")
    # a line starting with an interpolation counts as not indented
    assert value("<<-EOT\n  a\n${b}\n  EOT") == Tmpl(("  a\n", Var("b"), "\n"))
    # an interpolation spanning lines does not count for the indentation
    assert value("<<-EOT\n  a\n  ${f(\n1)}\n  EOT") == Tmpl(("a\n", Call("f", (Lit(1),), False),
                                                         "\n"))
    assert value("<<EOT\nEOT") == Lit("")
    assert value("<<EOT\n%{ if a }b%{ endif }\nEOT").parts[0] == TIf(
        Var("a"), Tmpl(("b",)), Tmpl(())
    )
    assert first_error("x = <<EOT\nnever closed\n").startswith("the heredoc <<EOT is not closed")
    assert first_error("x = <<EOT\nhi\nEOT").startswith("the heredoc <<EOT is not closed")


def test_bare_templates_and_expressions() -> None:
    assert parse_template("plain") == Lit("plain")
    assert parse_template("${var.x}-b") == Tmpl((GetAttr(Var("var"), "x"), "-b"))
    assert parse_template('a\\n"b') == Lit('a\\n"b')  # no escapes outside quotes
    assert parse_expression("[1,\n2]\n") == Tup((Lit(1), Lit(2)))
    with pytest.raises(HclSyntaxError):
        parse_expression("1 +")
    with pytest.raises(HclSyntaxError):
        parse_template("${")


# -- bodies ------------------------------------------------------------------------------------


TEXT = (
    '# first\nresource "aws_s3_bucket" "b" {\n  bucket = "x" // trailing\n\n'
    "  versioning {\n    enabled = true\n  }\n  tags = {\n    a = 1\n  }\n}\n"
    "locals { x = 1 }\n"
    "terraform {\n  /* block */\n}\n"
)


def test_blocks_labels_and_positions() -> None:
    parsed = parse_file(TEXT)
    assert parsed.errors == ()
    b = parsed.blocks[0]
    assert (b.type, b.labels, b.line, b.end_line, b.column) == (
        "resource", ("aws_s3_bucket", "b"), 2, 11, 1
    )
    assert TEXT[b.start : b.end].startswith("resource") and TEXT[b.start : b.end].endswith("}")
    bucket = b.attrs["bucket"]
    assert (bucket.line, bucket.column, bucket.end_line, bucket.src) == (3, 3, 3, '"x"')
    assert (b.attrs["tags"].line, b.attrs["tags"].end_line) == (8, 10)
    nested = b.blocks[0]
    assert (nested.type, nested.line, nested.end_line, nested.column) == ("versioning", 5, 7, 3)
    one_line = parsed.blocks[1]
    assert one_line.attrs["x"].node == Lit(1) and one_line.line == 12
    assert [blk.type for blk in parsed.blocks] == ["resource", "locals", "terraform"]


def test_comments_with_positions() -> None:
    assert parse_file(TEXT).comments == (
        Comment(1, 1, "# first"),
        Comment(3, 16, "// trailing"),
        Comment(14, 3, "/* block */"),
    )
    # markers inside strings and heredocs are text, not comments
    quiet = parse_file('x = "# no"\ny = <<EOT\n// no\nEOT\nz = "${a} /* no */"\n')
    assert quiet.comments == ()


def test_identifier_labels_top_level_attributes_and_dashes() -> None:
    parsed = parse_file("resource aws_instance web {\n  a-b = 1\n}\nvalue = 2\n")
    assert parsed.blocks[0].labels == ("aws_instance", "web")
    assert "a-b" in parsed.blocks[0].attrs and parsed.attrs["value"].node == Lit(2)
    assert value("count.index-1") == GetAttr(Var("count"), "index-1")  # one name, as in HCL


def test_unicode_identifiers() -> None:
    parsed = parse_file('résumé "é" {\n  größe = naïve.wert\n}\n')
    assert parsed.errors == ()
    b = parsed.blocks[0]
    assert (b.type, b.labels) == ("résumé", ("é",))
    assert b.attrs["größe"].node == GetAttr(Var("naïve"), "wert")


def test_crlf_line_endings() -> None:
    text = 'a "b" {\r\n  x = "y"\r\n  h = <<-EOT\r\n    z\r\n    EOT\r\n}\r\nv = 1\r\n'
    parsed = parse_file(text)
    assert parsed.errors == ()
    b = parsed.blocks[0]
    assert b.attrs["x"].node == Lit("y") and b.attrs["x"].line == 2 and b.end_line == 6
    assert b.attrs["h"].node == Lit("z\r\n")
    assert parsed.attrs["v"].line == 7


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('resource "a" "b" {\n  x = = 1\n}\n', 2, "expected an expression, found '='"),
        ('resource "a" "b" {\n  x = 1\n', 1,
         "the block resource \"a\" \"b\" is not closed: no '}' matches its '{' before the end "
         "of the file"),
        ('resource "a" "b" {\n  x = 1\n  x = 2\n}\n', 3,
         "x is set twice in this block (first at line 2); an argument may be set only once"),
        ('a "b"\n{\n}\n', 1, "the '{' of the a block must be on the same line as its type and "
                             "labels"),
        ("a {\n} x\n", 2, "expected a newline after the '}' that closes this a block, found 'x'"),
        ("a {} b {}\n", 1,
         "expected a newline after the '}' that closes this a block, found 'b'"),
        ("a {\n  b {\n  }}\n", 3,
         "expected a newline after the '}' that closes this b block, found '}'"),
        ("a { b {} }\n", 1,
         "a block on one line can hold only one argument (name = value); put nested blocks and "
         "more arguments on lines of their own"),
        ("a { b = 1, c = 2 }\n", 1,
         "a block on one line must end with '}' right after its one argument, found ','"),
        ("a {\n  x = 1 }\n", 2, "expected a newline after the value of x, found '}'"),
        ("a { x = 1\n}\n", 1,
         "a block on one line must end with '}' right after its one argument, found a newline"),
        ("a {\n  b = 1,\n}\n", 2, "arguments are separated by newlines, not commas"),
        ('a "${x}" {\n}\n', 1,
         "a block label must be a literal string: ${ } and %{ } are not allowed (write $${ or "
         "%%{ to keep them as text)"),
        ('a "b" = {}\n', 1, "'=' cannot follow the labels of the a block"),
        ('"a" = 1\n', 1, "an argument name cannot be quoted: write it as a bare name"),
        ("a {\n}\n}\n", 3, "unexpected '}': there is no block to close here"),
        ("x 1\n", 1, "expected '=' (an argument) or a label or '{' (a block) after x, found the "
                     "number 1"),
        ("x = 'a'\n", 1, 'single quotes are not valid: use double quotes (") around strings'),
        ("x = a & b\n", 1, "'&' is not an operator: did you mean '&&'?"),
        ("x = 1;\n", 1, "';' is not valid: use newlines between arguments and commas between "
                        "items"),
        ("x = 1 /* c\n */ y = 2\n", 2, "expected a newline after the value of x, found 'y ='"),
        ("/* open", 1, "this /* comment is not closed by */"),
        ("x = a ? b\n", 1, "expected ':' and the value when the condition is false, found a "
                           "newline"),
        ("x = [1 2]\n", 1, "expected ',' or ']' after a list item, found the number 2"),
        ("x = f(a b)\n", 1, "expected ',' or ')' after an argument of f(), found 'b'"),
        ("x = (a\n", 1, "this '(' is not closed before the end of the file"),
        ("x = [1,\n", 1, "this '[' is not closed before the end of the file"),
        ("x = {\n  a = 1\n", 1, "this '{' is not closed before the end of the file"),
        ('x = "${a\n', 1, "this ${ interpolation is not closed before the end of the file"),
        ('x = "%{ for in b }x%{endfor}"\n', 1, "expected 'in' in %{for}, found 'b'"),
        ("x = 1\ry = 2\n", 1, "the character '\\r' is not valid here"),
    ],
)
def test_every_error_has_a_line_and_a_message(text: str, line: int, message: str) -> None:
    found = errors(text)
    assert found and (found[0][0], found[0][2]) == (line, message)


def test_error_columns() -> None:
    assert errors('resource "a" "b" {\n  x = = 1\n}\n') == [
        (2, 7, "expected an expression, found '='")
    ]
    assert errors('a "b" {\n  x = 1\n')[0][:2] == (1, 7)  # the unclosed '{'


def test_errors_are_reported_once_per_top_level_item() -> None:
    text = 'a {\n  x = = 1\n}\nb {\n  y = 1\n}\nc {\n  z = "\\q"\n}\nd "e" {\n  w = [\n}\n'
    parsed = parse_file(text)
    assert [e.line for e in parsed.errors] == [2, 8, 12]
    # the blocks around the errors are still known by their headers
    assert [(b.type, b.labels) for b in parsed.blocks] == [
        ("a", ()), ("b", ()), ("c", ()), ("d", ("e",))
    ]
    assert parsed.blocks[1].attrs["y"].node == Lit(1)


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    blocks = "a {\n" * 3000 + "}\n" * 3000
    found = errors(blocks)
    assert len(found) == 1 and found[0][0] == MAX_DEPTH + 1
    assert found[0][2].startswith("nested too deeply")
    brackets = "x = " + "[" * 100_000 + "]" * 100_000 + "\n"
    found = errors(brackets)
    assert len(found) == 1 and (found[0][0], found[0][1]) == (1, 5 + MAX_DEPTH)
    assert found[0][2].startswith("nested too deeply")
    templates = "x = " + '"${' * 5000 + "1" + '}"' * 5000 + "\n"
    assert errors(templates)[0][2].startswith("nested too deeply")
    assert errors("x = " + "!" * 100_000 + "a\n") == []  # a long chain is not a nesting
    deep_ok = "x = " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    assert errors(deep_ok) == []


def test_conditional_chains_do_not_crash() -> None:
    chain = "x = " + "a ? b : " * 20_000 + "c\n"
    found = errors(chain)
    assert found == [] or found[0][2].startswith("nested too deeply")


def test_block_tuple_shape_is_compatible() -> None:
    b = Block("t", (), {}, (), 1, 2)
    assert (b.column, b.start, b.end) == (0, 0, 0)
