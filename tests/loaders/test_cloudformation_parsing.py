"""The template readers: values as YAML/JSON define them, lines from the parser."""

from __future__ import annotations

import json
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.loaders.cloudformation.yaml_source import parse_yaml
from checker.loaders.located import LineDict, LineList, line_of
from checker.loaders.located_json import parse_json

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_json_reader_agrees_with_json_loads(value: Any) -> None:
    for text in (json.dumps(value), json.dumps(value, indent=2, ensure_ascii=False)):
        assert parse_json(text) == json.loads(text)


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet=st.characters(codec="utf-8",
    exclude_categories=("Cs", "Cc")), max_size=12),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(alphabet="abcXYZ-_:/", min_size=1, max_size=8), children, max_size=4),
    max_leaves=20,
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(yaml_values)
def test_yaml_reader_agrees_with_safe_load(value: Any) -> None:
    text = yaml.safe_dump({"v": value}, allow_unicode=True)
    assert parse_yaml(text) == yaml.safe_load(text)


def test_yaml_lines_of_keys_and_items() -> None:
    doc = parse_yaml(
        "Resources:\n"  # 1
        "  T:\n"  # 2
        "    Properties:\n"  # 3
        "      IsLogging: true\n"  # 4
        "      EventSelectors:\n"  # 5
        "        - ReadWriteType: All\n"  # 6
        "\n"  # 7
        "        - ReadWriteType: WriteOnly\n"  # 8
        "      KMSKeyId: !GetAtt\n"  # 9
        "        - K\n"  # 10
        "        - Arn\n"  # 11
    )
    props = doc["Resources"]["T"]["Properties"]
    assert isinstance(props, LineDict)
    assert props.key_lines == {"IsLogging": 4, "EventSelectors": 5, "KMSKeyId": 9}
    selectors = props["EventSelectors"]
    assert isinstance(selectors, LineList) and selectors.item_lines == [6, 8]
    assert props["KMSKeyId"] == {"Fn::GetAtt": ["K", "Arn"]}
    assert line_of(props["KMSKeyId"]) == 9
    assert line_of(doc, "Resources") == 1 and line_of(doc["Resources"], "T") == 2


def test_json_lines_of_keys_and_items() -> None:
    doc = parse_json('{\n  "a": 1,\n  "b": [\n    {"c": 2},\n\n    3\n  ]\n}\n')
    assert doc.key_lines == {"a": 2, "b": 3}
    assert doc["b"].item_lines == [4, 6]
    assert line_of(doc["b"][0], "c") == 4


def test_template_scalars_keep_their_meaning() -> None:
    doc = parse_yaml(
        "AWSTemplateFormatVersion: 2010-09-09\n"
        "Version: 2012-10-17\n"
        "Mappings: {111122223333: {x: 1}, 012: {y: 2}}\n"
        "Quoted: '0x10'\n"
        "Hex: 0x10\n"
        "Yes: yes\n"
        "Null: ~\n"
        "Str: !!str 12\n"
    )
    assert doc["AWSTemplateFormatVersion"] == "2010-09-09"  # not a date
    assert doc["Version"] == "2012-10-17"
    assert set(doc["Mappings"]) == {"111122223333", "012"}  # keys as written
    values = (doc["Quoted"], doc["Hex"], doc["Yes"], doc["Null"], doc["Str"])
    assert values == ("0x10", 16, True, None, "12")


def test_short_forms_become_long_forms() -> None:
    doc = parse_yaml(
        "a: !Ref X\n"
        "b: !GetAtt X.Y.Z\n"
        "c: !Sub ['${A}', {A: !Ref B}]\n"
        "d: !Condition C\n"
        "e: !Transform {Name: AWS::Include}\n"
        "f: !GetAZs ''\n"
    )
    assert doc == {
        "a": {"Ref": "X"},
        "b": {"Fn::GetAtt": ["X", "Y.Z"]},
        "c": {"Fn::Sub": ["${A}", {"A": {"Ref": "B"}}]},
        "d": {"Condition": "C"},
        "e": {"Fn::Transform": {"Name": "AWS::Include"}},
        "f": {"Fn::GetAZs": ""},
    }


def test_only_the_first_document_and_empty_streams() -> None:
    assert parse_yaml("a: 1\n---\nb: [\n") == {"a": 1}
    assert parse_yaml("") is None and parse_json("  \n") is None
