"""yamldecode: YAML 1.2 as Terraform reads it, and what it refuses."""

from __future__ import annotations

import math
import re

import pytest

from checker.loaders.terraform.yamltext import MAX_NODES, YamlError, read_yaml_document


def test_plain_scalars_follow_the_yaml_1_2_core_schema() -> None:
    doc = read_yaml_document(
        "a: yes\nb: true\nc: 0777\nd: 0o17\ne: ~\nf: '1'\ng: [1, 2.5, x, .inf]\n"
        "h: !!str 5\ni: !!int '7'\nj: 2024-01-01\nk:\nl: 0x1F\nm: on\n"
    )
    assert doc == {"a": "yes", "b": True, "c": 777, "d": 15, "e": None, "f": "1",
                   "g": [1, 2.5, "x", math.inf], "h": "5", "i": 7, "j": "2024-01-01",
                   "k": None, "l": 31, "m": "on"}  # fmt: skip


def test_aliases_are_followed_and_an_empty_text_is_null() -> None:
    assert read_yaml_document("base: &b {x: 1}\ncopy: *b\n") == {"base": {"x": 1},
                                                                "copy": {"x": 1}}
    assert read_yaml_document("") is None


@pytest.mark.parametrize(("text", "why"), [
    ("a: !custom x", "the tag !custom at line 1 is not supported"),
    ("a: 1\n---\nb: 2\n", "not valid YAML at line 2: but found another document"),
    ("a: [", "not valid YAML at line 1"),
    ("a: &a [*a]", "cyclic"),
    ("? [1]\n: x\n", "is not a scalar"),
    ("a: !!int x", "'x' at line 1 is not a valid !!int"),
])
def test_what_terraform_rejects_is_an_error(text: str, why: str) -> None:
    with pytest.raises(YamlError, match=re.escape(why)):
        read_yaml_document(text)


def test_an_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 8)]
    with pytest.raises(YamlError, match=f"more than {MAX_NODES} values"):
        read_yaml_document("\n".join(lines))
