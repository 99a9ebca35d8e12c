"""terraform_eval: values, functions, unknowns and traces."""

from __future__ import annotations

import json
from typing import Any

import pytest

from checker.loaders.terraform.eval import evaluate
from checker.loaders.terraform.functions import Env, apply
from checker.loaders.terraform.jsontext import json_text, read_json_document
from checker.loaders.terraform.syntax import parse_expression
from checker.loaders.terraform.values import Bound, Invalid, PartialStr, Scope, Traced, plain
from checker.model import Computed, Unknown


class Names(Scope):
    def __init__(self, **names: Any) -> None:
        self.names = names

    def resolve(self, name: str) -> Any:
        return self.names.get(name, Invalid(f"{name} is not declared"))


def ev(text: str, **names: Any) -> Any:
    return evaluate(parse_expression(text), Names(**names))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("merge({a = 1}, {b = 2}, {a = 3})", {"a": 3, "b": 2}),
        ('format("%s-%03d", "a", 7)', "a-007"),
        ('lower("ABC")', "abc"),
        ('upper("abc")', "ABC"),
        ('concat(["a"], ["b", "c"])', ["a", "b", "c"]),
        ('toset(["b", "a", "b"])', ["a", "b"]),
        ('tolist(["x"])', ["x"]),
        ('lookup({a = "x"}, "b", "d")', "d"),
        ('try(["a"][3], "fallback")', "fallback"),
        ('true ? "y" : "n"', "y"),
        ('["a", "b"][1]', "b"),
        ('{k = "v"}["k"]', "v"),
        ('jsonencode({b = [1, true, null], a = "x"})', '{"b":[1,true,null],"a":"x"}'),
        ('replace("a-b-c", "/-/", "_")', "a_b_c"),
        ('join(",", ["a", "b"])', "a,b"),
        ('[for s in ["a", "b"] : upper(s) if s != "b"]', ["A"]),
        ("{for k, v in {a = 1, b = 2} : v => k}", {"1": "a", "2": "b"}),
        ('length(["a", "b"]) + 1', 3),
        ('"${1 + 1}x"', "2x"),
        ('coalesce("", "z")', "z"),
        ('element(["a", "b"], 3)', "b"),
        ('flatten([["a"], ["b", ["c"]]])', ["a", "b", "c"]),
    ],
)
def test_functions_and_expressions(text: str, expected: Any) -> None:
    assert plain(ev(text)) == expected


def test_single_interpolation_keeps_the_value_type() -> None:
    assert ev('"${x}"', x=["a"]) == ["a"]
    assert ev('"${x}"', x=True) is True


def test_unknown_propagates_with_its_reason() -> None:
    u = Unknown("var.x has no value")
    assert ev("lower(x)", x=u) == u
    assert ev('"${x}-logs"', x=u).reason == "var.x has no value"
    assert isinstance(ev('"${x}-logs"', x=u), PartialStr)
    assert ev("x == 1", x=u) == u


def test_a_value_known_after_apply_is_never_null() -> None:
    # `aws_kms_key.k.arn == null` in a condition: the ARN is unknown, but certainly set
    arn = Computed("aws_kms_key.k.arn is known only after apply")
    assert ev("x == null", x=arn) is False
    assert ev("null != x", x=arn) is True
    assert ev('x == "arn:aws:kms:us-east-1:111122223333:key/k"', x=arn) == arn  # still unknown
    unset = Unknown("var.x has no value")
    assert ev("x == null", x=unset) == unset  # a variable may well be null


def test_short_circuit_and_conditions() -> None:
    u = Unknown("var.x has no value")
    assert ev("false && x", x=u) is False
    assert ev("true || x", x=u) is True
    cond = ev('x ? "a" : "b"', x=u)
    assert isinstance(cond, Unknown) and "the condition x is unknown" in cond.reason
    assert ev('x ? "same" : "same"', x=u) == "same"  # known whatever the condition


def test_try_skips_invalid_but_not_unknown() -> None:
    u = Unknown("var.x has no value")
    assert ev('try(x, "d")', x=u) == u
    assert ev('try(m.missing, "d")', m={"a": 1}) == "d"
    assert ev("can(m.missing)", m={}) is False


def test_traces_follow_values_through_templates_and_lists() -> None:
    arn = Traced(
        Computed("aws_cloudwatch_log_group.g.arn is known only after apply"),
        "aws_cloudwatch_log_group.g",
    )
    out = ev('"${g}:*"', g=arn)
    assert isinstance(out, Traced) and out.target == "aws_cloudwatch_log_group.g"
    assert isinstance(out.value, PartialStr)
    items = ev("[a, b]", a=Traced("x", "t.a"), b=Traced("y", "t.b"))
    assert [i.target for i in items] == ["t.a", "t.b"]
    assert plain(ev("lower(a)", a=Traced("X", "t.a"))) == "x"


def test_invalid_expressions_are_invalid_not_errors() -> None:
    assert isinstance(ev("m.missing", m={}), Invalid)
    assert isinstance(ev("l[5]", l=[]), Invalid)
    assert isinstance(ev('1 + "a"'), Invalid)
    assert isinstance(ev("nosuchfunction(1)"), Unknown)


def test_jsonencode_with_unknown_leaves_reads_back_as_a_document() -> None:
    account = Computed(
        "data.aws_caller_identity.c.account_id is read from AWS when Terraform plans"
    )
    text = json_text(
        {
            "Principal": {"AWS": PartialStr(account.reason, ("arn:aws:iam::", account, ":root"))},
            "Action": "kms:*",
        }
    )
    assert isinstance(text, PartialStr)
    doc = read_json_document(text)
    assert doc["Action"] == "kms:*"
    assert isinstance(doc["Principal"]["AWS"], Unknown)


def test_heredoc_json_with_an_unknown_part() -> None:
    u = Unknown("var.account has no value")
    text = evaluate(
        parse_expression('"{\\"Resource\\": \\"arn:aws:s3:::${a}/*\\", \\"Effect\\": \\"Deny\\"}"'),
        Names(a=u),
    )
    doc = read_json_document(text)
    assert doc["Effect"] == "Deny" and isinstance(doc["Resource"], Unknown)
    assert read_json_document(json.dumps({"a": 1})) == {"a": 1}
    assert isinstance(read_json_document("{not json"), Invalid)


def test_bound_names_shadow_the_parent() -> None:
    scope = Bound(Names(x=1), {"x": 2})
    assert evaluate(parse_expression("x"), scope) == 2


def test_provider_defined_functions_are_unknown_with_their_name() -> None:
    v = ev('provider::aws::arn_parse("arn:aws:s3:::b").region')
    assert isinstance(v, Unknown) and not isinstance(v, Invalid)
    assert v.reason.startswith("provider::aws::arn_parse() is a provider-defined function")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('on ? "y" : "n"', "y"),  # a `type = bool` variable whose default is the string "true"
        ('off ? "y" : "n"', "n"),
        ("!off", True),
        ("on && !off", True),
        ("off || on", True),
    ],
)
def test_the_strings_true_and_false_convert_where_a_bool_is_needed(
    text: str, expected: Any
) -> None:
    assert plain(ev(text, on="true", off="false")) == expected


def test_no_other_string_is_a_bool() -> None:
    for text in ('yes ? "y" : "n"', "!yes", "yes && true"):
        assert isinstance(ev(text, yes="yes"), Invalid), text


def test_try_returns_an_invalid_value_it_reads_rather_than_catching_it() -> None:
    """try catches the errors of its own arguments; a value it reads that is itself an error
    (a local whose file() failed) would have stopped Terraform first: that error is the result,
    with its reason (hashicorp/hcl ext/tryfunc). Before, a fallback holding that value raised
    a TypeError inside try, reported as "try() cannot be applied to these arguments"."""
    bad = Invalid("file(): cannot read settings.yaml: No such file or directory")
    assert ev("try(cfg.trails, [{region = home}])", cfg=bad, home=bad) == bad
    assert ev("try(m.trails, [{region = home}])", m={}, home=bad) == bad
    assert ev("can(cfg.trails)", cfg=bad) == bad
    # a reference Terraform rejects before evaluating is not caught either (the try docs)
    assert isinstance(ev('try(local_missing.x, "fallback")'), Invalid)


def test_try_is_unknown_while_an_argument_reads_an_unknown_value() -> None:
    u = Unknown("var.x has no value")
    assert ev('try(x.a, "d")', x={"a": u}) == u  # a reference: its value, as far as known
    out = ev('try({k = x.a}, "d")', x=u)  # may fail once x is known: no choice yet
    assert isinstance(out, Unknown) and not isinstance(out, Invalid)
    assert "var.x has no value" in out.reason
    assert isinstance(ev("can(x.a)", x=u), Unknown)
    # a for expression's own variable is no reference to an unknown
    assert ev('try([for v in m : v.a], "d")', m=[{"a": 1}]) == [1]
    assert ev('try([for v in m : v.b], "d")', m=[{"a": 1}]) == "d"


def test_try_follows_a_computed_index_whose_key_is_known() -> None:
    """At apply the map's values are known and its keys decide: a missing key fails whatever
    the unknown values are, a present one is taken as far as it is known."""
    u = Unknown("random_pet.p.id is known only after apply")
    m = {"other": {"actions": [u]}, "root": {"namespace": "Root"}}
    assert ev("try(m[k], {})", m=m, k="missing") == {}
    assert ev("try(m[k].namespace, \"Audit\")", m=m, k="root") == "Root"
    assert ev("try(m[k].namespace, \"Audit\")", m=m, k="other") == "Audit"
    assert plain(ev("try(m[k], {})", m=m, k="other")) == {"actions": [u]}
    assert ev("can(m[k])", m=m, k="missing") is False
    # the key itself unknown: the choice stays open
    out = ev("try(m[k], {})", m=m, k=u)
    assert isinstance(out, Unknown) and not isinstance(out, Invalid)
    # a computed index that is not part of one reference gives no such help
    assert isinstance(ev("try(merge(m, {})[k], {})", m=m, k="missing"), Unknown)


def test_try_that_fails_says_why_each_argument_failed() -> None:
    out = ev("try(m.a, m.b)", m={})
    assert isinstance(out, Invalid)
    assert "no attribute 'a'" in out.reason and "no attribute 'b'" in out.reason


def test_a_function_error_is_said_in_words_and_an_unknown_inside_is_unknown() -> None:
    env = Env(Names(), evaluate)
    u = Unknown("var.x has no value")

    def reads_truth(args: list[Any], env: Env) -> Any:
        return [bool(x) for x in args[0]]

    assert apply("f", reads_truth, [["a", u]], env) == u
    out = apply("f", lambda args, env: args[0] + 1, ["a"], env)
    assert isinstance(out, Invalid) and "TypeError" not in out.reason
    assert out.reason == "f() cannot be applied to these arguments: an argument has a type the " \
        "function does not take"


def test_a_condition_terraform_rejects_is_an_error_try_moves_past() -> None:
    """`r.enabled ? ... : ...` on an object without `enabled` is an error of the expression,
    not an unknown condition: try() takes its next argument (the state expression of the
    terraform-aws-modules/eventbridge rules)."""
    rule = {"state": "enabled"}
    text = ('try(r.enabled ? "ENABLED" : "DISABLED", tobool(r.state) ? "ENABLED" : "DISABLED",'
            ' upper(r.state), null)')
    assert ev(text, r=rule) == "ENABLED"
    assert ev(text, r={"state": True}) == "ENABLED"
    assert ev(text, r={"enabled": False}) == "DISABLED"
    assert ev(text, r={}) is None
    assert isinstance(ev('r.enabled ? "a" : "b"', r=rule), Invalid)
    # an unknown condition stays unknown, and try() cannot choose past it
    u = Unknown("known after apply")
    assert not isinstance(ev('r.enabled ? "a" : "b"', r={"enabled": u}), Invalid)
    assert isinstance(ev(text, r={"enabled": u}), Unknown)
