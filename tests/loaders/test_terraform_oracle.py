"""Differential test: python-hcl2 (the design card's HCL library, kept as an oracle) and the parser
of record agree on validity and on attribute values, on every .tf file of fixtures/ and on
generated HCL. How python-hcl2's dict is normalised, and its known differences from HCL, are in
hcl_oracle.py; docs/dev/hcl-parser.md has the figures on real modules."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.loaders.terraform.syntax import parse_file
from tests.loaders.hcl_oracle import SKIP, as_hcl2, compare, hcl2_load, known_difference

REPO = Path(__file__).resolve().parents[2]
FIXTURES = sorted((REPO / "fixtures").rglob("*.tf"))


def _text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return None  # not UTF-8: refused before parsing (CT000)


def agree(text: str) -> tuple[bool, int]:
    """Both refuse `text`, or both read it with equal values; (valid, values compared)."""
    ours = parse_file(text)
    theirs = hcl2_load(text)
    assert (not ours.errors) == (theirs is not None), (ours.errors, theirs)
    if theirs is None:
        return False, 0
    agreed, bad, _ = compare(as_hcl2(ours), theirs)
    assert bad == []
    return True, agreed


def test_fixtures_agree_with_python_hcl2() -> None:
    assert len(FIXTURES) > 50
    valid = compared = 0
    for path in FIXTURES:
        text = _text(path)
        if text is None:
            continue
        ok, n = agree(text)
        valid += ok
        compared += n
    # the broken fixtures (terraform/broken, terraform/roots/modules/broken, ...) are refused
    assert valid >= len(FIXTURES) - 4 and compared > 500


# -- generated HCL -----------------------------------------------------------------------------

NAMES = st.sampled_from(["name", "bucket", "enabled", "count", "tags", "a_b", "with-dash", "x1"])
WORDS = st.text(alphabet="abcXYZ019 -_./:*@", max_size=12)
SCALARS = st.one_of(
    WORDS.map(lambda s: f'"{s}"'),
    st.integers(min_value=0, max_value=10**9).map(str),
    st.sampled_from(["true", "false", "null", "1.5", "-3"]),
)
EXPRESSIONS = st.sampled_from(
    ["var.region", 'upper("a")', '"${var.x}-logs"', "local.m[0].id", "a ? 1 : 2", "x[*].id",
     '[for s in var.l : upper(s)]', "{ for k, v in var.m : k => v }", '"%{ if a }b%{ endif }"']
)


def _values(depth: int) -> st.SearchStrategy[str]:
    if depth == 0:
        return st.one_of(SCALARS, EXPRESSIONS)
    inner = _values(depth - 1)
    return st.one_of(
        SCALARS,
        EXPRESSIONS,
        st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.dictionaries(NAMES, inner, max_size=3).map(
            lambda d: "{\n" + "".join(f"    {k} = {v}\n" for k, v in d.items()) + "  }"
        ),
        st.dictionaries(st.sampled_from(['"k.1"', '"k 2"', "k3"]), inner, max_size=2).map(
            lambda d: "{ " + ", ".join(f"{k} = {v}" for k, v in d.items()) + " }"
        ),
    )


@st.composite
def bodies(draw: st.DrawFn, depth: int = 1) -> str:
    attrs = draw(st.dictionaries(NAMES, _values(2), max_size=4))
    lines = [f"  {k} = {v}" for k, v in attrs.items()]
    if draw(st.booleans()):
        lines.insert(0, "  # a comment")
    if depth > 0:
        for _ in range(draw(st.integers(min_value=0, max_value=2))):
            nested = draw(bodies(depth - 1))
            lines.append("  nested {\n" + nested.replace("\n", "\n  ") + "\n  }")
    return "\n".join(lines)


@st.composite
def files(draw: st.DrawFn) -> str:
    out = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        kind = draw(st.sampled_from(["resource", "data", "variable", "locals", "settings"]))
        labels = {"resource": 2, "data": 2, "variable": 1}.get(kind, 0)
        names = draw(st.lists(st.sampled_from(["aws_s3_bucket", "b", "c-1", "d_2"]),
                              min_size=labels, max_size=labels))
        quoted = draw(st.booleans())
        header = " ".join([kind, *(f'"{n}"' if quoted else n for n in names)])
        out.append(f"{header} {{\n{draw(bodies())}\n}}\n")
    return "\n".join(out)


@settings(max_examples=60, deadline=None)
@given(files())
def test_generated_files_agree_with_python_hcl2(text: str) -> None:
    valid, _ = agree(text)
    assert valid


@settings(max_examples=40, deadline=None)
@given(files(), st.sampled_from(["unclosed", "twice", "equals", "label", "paren", "string"]))
def test_generated_errors_are_refused_by_both(text: str, how: str) -> None:
    if how == "unclosed":
        broken = text.rstrip()[:-1]
    elif how == "twice":
        broken = text.replace(" {\n", " {\n  dup = 1\n  dup = 2\n", 1)
    elif how == "equals":
        broken = text.replace(" {\n", " {\n  bad = = 1\n", 1)
    elif how == "label":
        broken = text.replace(" {\n", ' "${x}" = {\n', 1)
    elif how == "paren":
        broken = text.replace(" {\n", " {\n  p = (1\n", 1)
    else:
        broken = text.replace(" {\n", ' {\n  p = "abc\n', 1)
    valid, _ = agree(broken)
    assert not valid


# -- known differences -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "x = 1 +\n  2\n",  # a newline ends an argument outside brackets
        "x = a ? b :\n  c\n",
        'a "b"\n{\n}\n',  # a block's `{` must be on its header's line
        "a { b {} }\n",  # a single-line block holds one argument at most
        "a {} b {}\n",  # a newline must follow a block's `}`
        'a "${x}" {\n}\n',  # labels are literal strings
        'x = "\\q"\n',  # invalid escape
        'x = "a\nb"\n',  # a quoted string on one line
        "x = {a = 1 b = 2}\n",  # object items need a newline or a comma between them
        'x = "%{ if a }b"\n',  # unbalanced directives
        "x = foo.0.1\n",  # chained legacy indexes
        "x = <<EOT\nhi\nEOT",  # a heredoc's closing line needs its newline
        "x = [1 2]\n",  # python-hcl2 reads [12]
    ],
)
def test_python_hcl2_accepts_what_terraform_refuses(text: str) -> None:
    assert parse_file(text).errors and hcl2_load(text) is not None


def test_python_hcl2_refuses_valid_multi_line_expressions() -> None:
    # found in cloudposse's modules: newlines are whitespace inside a `{ for }` and `( )`
    texts = [
        "x = { for c in l :\n  (c.a ? c.b : c.c)\n  => c }\n",
        "x = [for v in l : v if(\n  (a)\n  || (b)\n)]\n",
    ]
    for text in texts:
        assert parse_file(text).errors == () and hcl2_load(text) is None


def test_python_hcl2_refuses_crlf_line_endings() -> None:
    import hcl2

    text = 'a "b" {\r\n  x = 1\r\n}\r\n'
    assert parse_file(text).errors == ()
    with pytest.raises(Exception):  # noqa: B017 (lark's error types vary)
        hcl2.loads(text)
    assert hcl2_load(text) == {"a": [{"b": {"x": 1}}]}  # the oracle reads it as LF


def test_known_value_differences_are_named() -> None:
    assert known_difference(1000.0, "${1e3}") is not None
    assert known_difference("é", "\\u00e9") is not None
    assert known_difference("${a}", "$${a}") is not None
    assert known_difference("a\n  b\n", "  a\n    b") is not None
    assert known_difference("a", "b") is None
    assert compare({"x": SKIP}, {"x": "${var.y}"}) == (0, [], [])
