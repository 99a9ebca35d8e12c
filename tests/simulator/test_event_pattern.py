"""EventBridge event patterns: every operator on the examples of the EventBridge User Guide.

Sources, cited per test:
[UG-syntax]   "Event pattern syntax" / "Creating event patterns" (eb-create-pattern)
[UG-ops]      "Comparison operators for use in event patterns" (eb-create-pattern-operators)
[UG-null]     "Matching null values and empty strings" (eb-event-patterns-null-values)
[UG-arrays]   "Arrays in EventBridge event patterns" (eb-event-patterns-arrays)
[UG-2023]     the archived revision of these pages (awsdocs/amazon-eventbridge-user-guide)
[Ruler]       aws/event-ruler README, where the user guide is silent
"""

from __future__ import annotations

from typing import Any

import pytest

from checker.model import PartlyKnown, Unknown
from checker.simulator.event_pattern import (
    EventPattern,
    OneOf,
    PatternProblem,
    compile_pattern,
    load_json,
)

EC2 = {
    "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
    "account": "111122223333", "time": "2017-12-22T18:43:48Z", "region": "us-west-1",
    "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated"},
}  # fmt: skip


def pattern(obj: Any) -> EventPattern:
    p = compile_pattern(obj)
    assert isinstance(p, EventPattern), p
    return p


def verdict(obj: Any, event: dict[str, Any]) -> bool | None:
    return pattern(obj).match(event).match


def problem(obj: Any) -> PatternProblem:
    p = compile_pattern(obj)
    assert isinstance(p, PatternProblem), p
    return p


# [UG-syntax]: the EC2 termination example and its three fields.
def test_syntax_example_matches_only_the_listed_fields() -> None:
    p = {"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"],
         "detail": {"state": ["terminated"]}}  # fmt: skip
    assert verdict(p, EC2) is True
    assert verdict(p, {**EC2, "detail": {"state": "running"}}) is False
    assert verdict(p, {k: v for k, v in EC2.items() if k != "detail"}) is False  # field missing


# [UG-syntax] "Matching event values": any value of the array.
def test_multiple_values_are_alternatives() -> None:
    p = {"source": ["aws.ec2", "aws.fargate"]}
    assert verdict(p, {"source": "aws.fargate"}) is True
    assert verdict(p, {"source": "aws.s3"}) is False


# [UG-syntax]: exact, case-sensitive string matching, no normalization.
def test_strings_match_exactly_and_case_sensitively() -> None:
    assert verdict({"source": ["aws.ec2"]}, {"source": "AWS.EC2"}) is False
    assert verdict({"source": ["aws.ec2"]}, {"source": "aws.ec2 "}) is False


# [UG-null]: null and the empty string, not interchangeable.
def test_null_and_empty_string() -> None:
    event = {"detail": {"eventVersion": "", "responseElements": None}}
    assert verdict({"detail": {"eventVersion": [""]}}, event) is True
    assert verdict({"detail": {"responseElements": [None]}}, event) is True
    assert verdict({"detail": {"eventVersion": [None]}}, event) is False
    assert verdict({"detail": {"responseElements": [""]}}, event) is False
    assert verdict({"detail": {"missing": [None]}}, event) is False  # missing is not null


# [UG-syntax] "Value matching" (the Macie example): numbers and nested objects.
def test_numbers_and_nesting() -> None:
    macie = {"source": "aws.macie", "detail-type": "Macie Finding",
             "detail": {"severity": {"score": 1, "description": "Low"}, "count": 2}}  # fmt: skip
    p = {"source": ["aws.macie"], "detail-type": ["Macie Finding"],
         "detail": {"severity": {"score": [1]}, "count": [2]}}  # fmt: skip
    assert verdict(p, macie) is True
    assert verdict({"detail": {"count": [3]}}, macie) is False
    assert verdict({"detail": {"count": ["2"]}}, macie) is False  # a string is not a number


# [UG-syntax]: "300, 300.0 and 3.0e2 are not considered equal"; [Ruler] compares values: unknown.
def test_number_texts_versus_values() -> None:
    event = load_json('{"n": 300.0, "m": 300}')
    assert verdict(load_json('{"m": [300]}'), event) is True
    assert verdict(load_json('{"n": [300]}'), event) is None
    assert verdict(load_json('{"n": [3.0e2]}'), event) is None
    assert verdict(load_json('{"n": [301]}'), event) is False


# [UG-syntax]: booleans are JSON literals.
def test_booleans() -> None:
    assert verdict({"readOnly": [False]}, {"readOnly": False}) is True
    assert verdict({"readOnly": [False]}, {"readOnly": "false"}) is False
    assert verdict({"readOnly": [True]}, {"readOnly": 1}) is False


# [UG-ops] Begins with: "Region": [{"prefix": "us-"}]; the 2023 "time" example.
def test_prefix() -> None:
    assert verdict({"Region": [{"prefix": "us-"}]}, {"Region": "us-east-1"}) is True
    assert verdict({"Region": [{"prefix": "us-"}]}, {"Region": "eu-west-1"}) is False
    assert verdict({"time": [{"prefix": "2017-10-02"}]}, {"time": "2017-10-02T18:43:48Z"}) is True
    assert verdict({"Region": [{"prefix": "us-"}]}, {"Region": 5}) is False  # strings only


# [UG-ops] Begins with (ignore case): {"service": [{"prefix": {"equals-ignore-case": "eventb"}}]}
def test_prefix_ignore_case() -> None:
    p = {"service": [{"prefix": {"equals-ignore-case": "eventb"}}]}
    assert verdict(p, {"service": "EventBridge"}) is True
    assert verdict(p, {"service": "Events"}) is False


# [UG-ops] Ends with: "FileName": [{"suffix": ".png"}], and its ignore-case form.
def test_suffix_and_suffix_ignore_case() -> None:
    assert verdict({"FileName": [{"suffix": ".png"}]}, {"FileName": "cat.png"}) is True
    assert verdict({"FileName": [{"suffix": ".png"}]}, {"FileName": "cat.PNG"}) is False
    p = {"service": [{"suffix": {"equals-ignore-case": "tbridge"}}]}
    assert verdict(p, {"service": "EVENTBRIDGE"}) is True
    assert verdict(p, {"service": "eventbus"}) is False


# [UG-ops] Equals (ignore case): "Name": [{"equals-ignore-case": "alice"}]
def test_equals_ignore_case() -> None:
    p = {"Name": [{"equals-ignore-case": "alice"}]}
    assert verdict(p, {"Name": "Alice"}) is True
    assert verdict(p, {"Name": "ALICE"}) is True
    assert verdict(p, {"Name": "Alicia"}) is False


# [UG-ops] Wildcard: "EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}];
# [Ruler]: `**` is invalid, `\*` is a literal star.
def test_wildcard() -> None:
    p = {"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]}
    assert verdict(p, {"EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/b"}) is True
    other = "arn:aws:events:eu-west-1:123456789012:event-bus/b"
    assert verdict(p, {"EventBusArn": other}) is False
    assert verdict({"f": [{"wildcard": "a*"}]}, {"f": "a"}) is True  # * may be empty
    assert verdict({"f": [{"wildcard": "a\\*b"}]}, {"f": "a*b"}) is True
    assert verdict({"f": [{"wildcard": "a\\*b"}]}, {"f": "axb"}) is False
    assert "consecutive" in problem({"f": [{"wildcard": "a**b"}]}).message
    assert "backslash" in problem({"f": [{"wildcard": "a\\b"}]}).message


# [UG-ops] Anything-but: "state": [{"anything-but": "initializing"}], lists of strings or numbers.
def test_anything_but_values() -> None:
    but = {"state": [{"anything-but": "initializing"}]}
    assert verdict(but, {"state": "running"}) is True
    assert verdict(but, {"state": "initializing"}) is False
    p = {"state": [{"anything-but": ["stopped", "overloaded"]}]}
    assert verdict(p, {"state": "stopped"}) is False
    assert verdict(p, {"state": "running"}) is True
    n = {"x-limit": [{"anything-but": [100, 200, 300]}]}
    assert verdict(n, {"x-limit": 150}) is True
    assert verdict(n, {"x-limit": 200}) is False
    assert verdict({"x-limit": [{"anything-but": 123}]}, {"x-limit": 124}) is True
    # [Ruler]: anything-but needs the field to be present.
    assert verdict({"state": [{"anything-but": "initializing"}]}, {}) is False
    assert "only strings or only numbers" in problem({"s": [{"anything-but": ["a", 1]}]}).message


# [UG-ops] Anything-but (begins with / ends with / ignore case / wildcard).
def test_anything_but_string_operators() -> None:
    assert verdict({"Region": [{"anything-but": {"prefix": "us-"}}]}, {"Region": "eu-west-1"})
    assert verdict({"Region": [{"anything-but": {"prefix": "us-"}}]},
                   {"Region": "us-east-1"}) is False  # fmt: skip
    assert verdict({"FileName": [{"anything-but": {"suffix": ".png"}}]}, {"FileName": "a.jpg"})
    assert verdict({"FileName": [{"anything-but": {"suffix": ".png"}}]},
                   {"FileName": "a.png"}) is False  # fmt: skip
    ignore = {"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}
    assert verdict(ignore, {"state": "INITIALIZING"}) is False
    assert verdict(ignore, {"state": "running"}) is True
    wild = {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}
    assert verdict(wild, {"FilePath": "/usr/lib/x.so"}) is False
    assert verdict(wild, {"FilePath": "/usr/bin/x"}) is True


# [UG-2023]: "Anything-but matching only works with a single prefix, not a list"; [Ruler]
# accepts lists: valid, with a caveat.
def test_anything_but_prefix_list_is_a_caveat() -> None:
    p = pattern({"state": [{"anything-but": {"prefix": ["init", "error"]}}]})
    assert p.caveats and "list" in p.caveats[0]
    assert p.match({"state": "error-1"}).match is False
    assert p.match({"state": "running"}).match is True


# [UG-ops] Numeric (equals) and (range): "Price": [{"numeric": [">", 10, "<=", 20]}].
def test_numeric() -> None:
    assert verdict({"Price": [{"numeric": ["=", 100]}]}, {"Price": 100}) is True
    assert verdict({"Price": [{"numeric": ["=", 100]}]}, {"Price": 100.5}) is False
    rng = {"Price": [{"numeric": [">", 10, "<=", 20]}]}
    assert [verdict(rng, {"Price": v}) for v in (10, 10.5, 20, 21)] == [False, True, True, False]
    assert verdict(rng, {"Price": "15"}) is False  # only JSON numbers
    assert verdict({"x-limit": [{"numeric": ["=", 3.018e2]}]}, {"x-limit": 301.8}) is True


# [UG-2023]: +-5.0e9 and six decimals; [Ruler]: float64. Where they disagree: unknown.
def test_numeric_precision_disagreement_is_unknown() -> None:
    assert verdict({"n": [{"numeric": [">", 0]}]}, {"n": 0.0000001}) is None
    assert verdict({"n": [{"numeric": [">", 1]}]}, {"n": 6.0e9}) is None
    assert verdict({"n": [{"numeric": ["<", 1]}]}, {"n": 6.0e9}) is False  # false either way
    p = pattern({"n": [{"numeric": ["<", 6.0e9]}]})
    assert p.caveats  # valid now, rejected by the 2023 range


@pytest.mark.parametrize(("arg", "words"), [
    ([">", 5, "<", 1], "below its upper bound"),
    (["<", 1, "<", 5], "one lower bound"),
    (["=", "5"], "numeric takes"),
    (["~", 5], "numeric takes"),
    ([">", 5, "<"], "numeric takes"),
    (5, "numeric takes"),
])
def test_numeric_validation(arg: Any, words: str) -> None:
    assert words in problem({"n": [{"numeric": arg}]}).message


# [UG-ops] IP address matching: "sourceIPAddress": [{"cidr": "10.0.0.0/24"}], IPv4 and IPv6.
def test_cidr() -> None:
    p = {"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}
    assert verdict(p, {"detail": {"sourceIPAddress": "10.0.0.255"}}) is True
    assert verdict(p, {"detail": {"sourceIPAddress": "10.0.1.1"}}) is False
    assert verdict(p, {"detail": {"sourceIPAddress": "s3.amazonaws.com"}}) is False
    v6 = {"ip": [{"cidr": "2001:db8::/32"}]}
    assert verdict(v6, {"ip": "2001:db8::1"}) is True
    assert verdict(v6, {"ip": "10.0.0.1"}) is False
    assert "CIDR" in problem({"ip": [{"cidr": "10.0.0.300/24"}]}).message
    assert "block" in problem({"ip": [{"cidr": "10.0.0.1"}]}).message


# [UG-ops] Exists / Does not exist; [Ruler]: only leaves exist, so an object is "missing".
def test_exists() -> None:
    yes = {"detail": {"state": [{"exists": True}]}}
    no = {"detail": {"state": [{"exists": False}]}}
    assert verdict(yes, EC2) is True
    assert verdict(no, EC2) is False
    not_leaf = {"detail": {"c-count": {"c1": 100}}}
    assert verdict(yes, not_leaf) is False
    assert verdict({"detail": {"c-count": [{"exists": False}]}}, not_leaf) is True
    assert verdict({"detail": {"state": [{"exists": True}]}}, {"detail": {"state": None}}) is True
    # Arrays: a list of values exists; an empty list or a list of objects does not.
    assert verdict({"r": [{"exists": True}]}, {"r": ["a"]}) is True
    assert verdict({"r": [{"exists": False}]}, {"r": []}) is True
    assert verdict({"r": [{"exists": False}]}, {"r": [{"a": 1}]}) is True


# [UG-arrays]: an event array matches when the intersection with the pattern's values is non-empty.
def test_event_arrays() -> None:
    p = {"resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
                       "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f"]}  # fmt: skip
    event = {"resources": [
        "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56:autoScalingGroupName/A",
        "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]}  # fmt: skip
    assert verdict(p, event) is True
    assert verdict(p, {"resources": ["arn:aws:s3:::b"]}) is False
    assert verdict({"r": [{"prefix": "x"}]}, {"r": ["a", "xb"]}) is True


def test_arrays_of_objects_match_within_one_element() -> None:
    event = {"items": [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]}
    assert verdict({"items": {"a": ["1"], "b": ["2"]}}, event) is True
    assert verdict({"items": {"a": ["1"], "b": ["4"]}}, event) is False


# [UG-ops] Or (multiple fields): "$or": [{"Location": ["New York"]}, {"Day": ["Monday"]}].
def test_or() -> None:
    p = {"$or": [{"Location": ["New York"]}, {"Day": ["Monday"]}]}
    assert verdict(p, {"Location": "Paris", "Day": "Monday"}) is True
    assert verdict(p, {"Location": "New York"}) is True
    assert verdict(p, {"Location": "Paris", "Day": "Sunday"}) is False
    nested = {"detail": {"$or": [{"c-count": [{"numeric": [">", 0, "<=", 5]}]},
                                 {"d-count": [{"numeric": ["<", 10]}]},
                                 {"x-limit": [{"numeric": ["=", 3.018e2]}]}]}}  # fmt: skip
    assert verdict(nested, {"detail": {"d-count": 3}}) is True
    assert verdict(nested, {"detail": {"c-count": 7, "d-count": 11}}) is False
    assert "at least two" in problem({"$or": [{"a": ["b"]}]}).message


# [UG-ops]: over 1000 `$or` combinations is an InvalidEventPatternException.
def test_or_combination_limit() -> None:
    branches = [{f"k{i}": ["v"]} for i in range(11)]
    ok = {f"o{j}": {"$or": branches} for j in range(2)}  # 11 * 11 = 121
    assert isinstance(compile_pattern(ok), EventPattern)
    too_many = {f"o{j}": {"$or": branches} for j in range(3)}  # 1331
    assert "1331" in problem(too_many).message


# [UG-ops]: a key given twice counts once, the last one.
def test_duplicate_keys_last_one_wins() -> None:
    p = compile_pattern('{"detail": {"location": [{"prefix": "us-"}], '
                        '"location": [{"anything-but": "us-east"}]}}')
    assert isinstance(p, EventPattern) and p.caveats
    assert p.match({"detail": {"location": "eu-west"}}).match is True


@pytest.mark.parametrize(("text", "words"), [
    ('{"source": "aws.ec2"}', "must be an array"),
    ('{"source": []}', "empty array"),
    ('{"source": [["aws.ec2"]]}', "cannot contain an array"),
    ('{"source": [{"prefix": "a", "suffix": "b"}]}', "exactly one operator"),
    ('{"source": [{"contains": "a"}]}', "unknown operator 'contains'"),
    ('{"source": [{"prefix": 5}]}', "takes a string"),
    ('{"source": [{"exists": "yes"}]}', "true or false"),
    ("{}", "empty"),
    ("[]", "JSON object"),
    ('{"source": ["a",]}', "not valid JSON"),
])
def test_invalid_patterns_are_problems_not_exceptions(text: str, words: str) -> None:
    assert words in problem(text).message


def test_json_errors_carry_line_and_column() -> None:
    p = problem('{\n  "source": ["aws.ec2"\n}')
    assert (p.line, p.column) == (3, 1)
    assert str(p).startswith("line 3, column 1")


def test_size_limits() -> None:
    big = '{"k": [' + ", ".join(['"' + "v" * 20 + '"'] * 100) + "]}"
    assert 2048 < len(big) <= 4096
    p = compile_pattern(big)
    assert isinstance(p, EventPattern) and "quota" in p.caveats[0]
    assert "at most 4096" in problem('{"k": [' + ", ".join(['"' + "v" * 50 + '"'] * 100)
                                     + "]}").message  # fmt: skip


def test_unknown_event_values() -> None:
    p = pattern({"detail-type": ["AWS API Call via CloudTrail"], "id": [{"exists": True}]})
    event = {"detail-type": Unknown("not known"), "id": Unknown("assigned on delivery")}
    assert p.match(event).match is None
    assert pattern({"id": [{"exists": True}]}).match(event).match is True  # present
    both = OneOf("two spellings", ("Sign In", "Signin"))
    assert verdict({"t": ["Sign In", "Signin"]}, {"t": both}) is True
    assert verdict({"t": ["Other"]}, {"t": both}) is False
    assert verdict({"t": ["Sign In"]}, {"t": both}) is None


def test_reasons_name_the_field() -> None:
    v = pattern({"detail": {"state": ["running"]}}).match(EC2)
    assert v.match is False and "detail.state" in v.reason and "terminated" in v.reason


# Values of the pattern that are not known (holes): the known fields still decide.


def test_an_unknown_value_leaves_the_known_fields_deciding() -> None:
    role = Unknown("the role's ARN is assigned at apply")
    obj = {"source": ["aws.ec2"], "detail": {"role": [role]}}
    assert pattern(obj).holes == ("the role's ARN is assigned at apply",)
    assert verdict(obj, {**EC2, "source": "aws.s3"}) is False  # the known source rules it out
    assert verdict(obj, EC2) is None  # the known fields match: the hole decides
    assert verdict({"source": ["aws.ec2", role]}, EC2) is True  # a known value already matches


def test_an_unknown_field_value_or_operator_is_unknown_even_when_the_field_is_missing() -> None:
    hole = Unknown("a variable without a value")
    assert verdict({"source": ["aws.ec2"], "detail": {"user": hole}}, EC2) is None
    assert verdict({"detail": {"state": [{"prefix": hole}]}}, EC2) is None
    assert verdict({"source": ["aws.s3"], "$or": [hole, {"region": ["x"]}]}, EC2) is False


def test_a_known_branch_of_an_or_decides_when_it_matches_whatever_the_unknown_branch() -> None:
    """[UG]: `$or` matches when any branch matches; a branch that is not known leaves the `$or`
    undecided only when no known branch matches (it used to make the whole `$or` unknown)."""
    hole = Unknown("a variable without a value")
    assert verdict({"$or": [hole, {"source": ["aws.ec2"]}]}, EC2) is True
    assert verdict({"$or": [{"source": ["aws.s3"]}, hole]}, EC2) is None
    assert pattern({"$or": [hole, {"source": ["aws.ec2"]}]}).holes == (hole.reason,)


def test_a_partly_known_value_matches_no_string_its_known_stretches_rule_out() -> None:
    arn = PartlyKnown("the instance", ("arn:aws:ec2:us-west-1:", None, ":instance/", None))
    assert verdict({"resources": [arn]}, {**EC2, "resources": ["arn:aws:s3:::b"]}) is False
    assert verdict({"resources": [arn]}, EC2) is None


def test_the_known_parts_are_still_validated_and_holes_count_as_empty_for_the_length() -> None:
    hole = Unknown("unknown")
    assert "array" in problem({"source": "aws.ec2", "detail": {"x": [hole]}}).message
    p = pattern({"source": ["a" * 2000], "detail": {"x": [hole]}})
    assert p.caveats == () and p.holes == ("unknown",)
