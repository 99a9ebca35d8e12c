"""A trail's capture decision as SQL over the CloudTrail table (checker/replay/schema.py).

Each stage of `CompiledTrail.decide` (capture.py) becomes an integer expression with the same
outcome codes: 0 match, 1 unknown, 2 miss. A trail's decision is the largest code of its stages
(a miss wins over an unknown), selectors combine by the smallest (any selector matching is
enough). The derived fields the stages share (the record's category, whether it is a read, its
Region and whether it is a global service event) are columns of the query's first step, `b`.

The expressions read the fields the way `Event.from_record` does: a missing text field is the
empty string, `readOnly` counts as read only when it says true, a record without
`eventCategory` is classified from the evidence it carries (`events.category_of`; '' when it
carries none, and the selectors are then asked as a management and as a data event). A part
the compiler cannot express (an advanced selector on a field the table does not have) raises
NotCompiled; the caller then marks the stage NULL and the Python evaluator decides the records
that reach it. The selector stage is NULL for Insights records too (their insight selectors
decide).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from checker.model import Unknown
from checker.regions import PARTITION_PREFIXES, US_EAST_1
from checker.replay import schema
from checker.replay.sqltext import (
    NULL_INT,
    NotCompiled,
    all_of,
    any_of,
    case,
    code,
    ends_with,
    greatest,
    in_list,
    is_literal,
    least,
    lit,
    starts_with,
)
from checker.simulator.capture import CompiledTrail, TrailForm
from checker.simulator.events import LAMBDA, S3_OBJECT, SIGN_IN_SOURCE, SIGN_IN_TYPES
from checker.simulator.regions import ALWAYS_GLOBAL, STS, STS_GLOBAL_HOST
from checker.simulator.selector_tests import (
    GETTER_FIELDS,
    AdvancedTest,
    BasicTest,
    DataResourceTest,
    FieldTest,
)

STAGES = ("logging", "account", "region", "global", "selectors")

# The shared derived columns, computed once per record in step `b` of the query.
CATEGORY = "tc_category"  # '' when the record does not tell (Event.unclassified)
READ = "tc_read"
SOURCE = "tc_source"
REGION = "tc_region"
GLOBAL = "tc_global"  # 'T' global service event, 'F' not, 'N' not known from the record
EVIDENCE = "tc_dataev"  # the record is a Lambda Invoke or names an S3 object (category_of)



def data_evidence(resources: bool = True) -> str:
    """Computed before the derived columns (they read it), from the record's own fields, for a
    record that has neither eventCategory nor managementEvent: a Lambda Invoke, or (`resources`)
    an S3 object among its resources. Without `resources` the column is not read at all, which
    saves reading it for every record (the engine asks again with it when a record is left
    without category)."""
    s3_object = (f" OR (coalesce(array_length(list_filter(resources, lambda r: r.type = "
                 f"{lit(S3_OBJECT)})), 0) > 0)" if resources else "")
    return ("(CASE WHEN coalesce(eventcategory, '') = '' AND lower(coalesce(managementevent, "
            "'')) NOT IN ('true', 'false') THEN coalesce(eventsource = "
            f"{lit(LAMBDA)} AND eventname = 'Invoke', FALSE){s3_object} ELSE FALSE END)")


DATA_EVIDENCE = data_evidence()
DERIVED: tuple[tuple[str, str], ...] = (
    (SOURCE, "coalesce(eventsource, '')"),
    (REGION, "coalesce(awsregion, '')"),
    (READ, "coalesce(lower(readonly) = 'true', FALSE)"),
    (CATEGORY, "(CASE WHEN coalesce(eventcategory, '') <> '' THEN eventcategory"
               " WHEN eventtype = 'AwsVpceEvent' THEN 'NetworkActivity'"
               " WHEN eventtype = 'AwsCloudTrailInsight' THEN 'Insight'"
               " WHEN lower(managementevent) = 'true' THEN 'Management'"
               " WHEN lower(managementevent) = 'false' THEN 'Data'"
               f" WHEN {in_list('eventtype', SIGN_IN_TYPES)} OR eventsource = "
               f"{lit(SIGN_IN_SOURCE)} THEN 'Management'"
               f" WHEN {EVIDENCE} THEN 'Data' ELSE '' END)"),
)  # fmt: skip
DERIVED_GLOBAL = (
    GLOBAL,
    f"(CASE WHEN {in_list(SOURCE, ALWAYS_GLOBAL)} THEN 'T' WHEN {SOURCE} <> {lit(STS)} THEN 'F'"
    " WHEN tlsdetails.clientprovidedhostheader IS NOT NULL THEN (CASE WHEN"
    f" tlsdetails.clientprovidedhostheader = {lit(STS_GLOBAL_HOST)} THEN 'T' ELSE 'F' END)"
    f" WHEN {REGION} = {lit(US_EAST_1)} THEN 'N' ELSE 'F' END)",
)


# The record fields the derived columns and the account stage read.
DERIVED_PATHS: tuple[tuple[str, ...], ...] = (
    ("eventSource",), ("awsRegion",), ("readOnly",), ("eventCategory",), ("eventType",),
    ("managementEvent",), ("tlsDetails", "clientProvidedHostHeader"), ("recipientAccountId",),
    ("eventName",), ("resources",),
)  # fmt: skip


def partition_expr(region: str) -> str:
    """checker.regions.partition_of in SQL."""
    whens = [(f"starts_with({region}, {lit(prefix)})", lit(p)) for prefix, p in PARTITION_PREFIXES]
    return case(whens, "'aws'")


# Advanced selector fields read through the Event (capture._GETTERS), as SQL; eventCategory is
# the category asked (`cat`: the column, or a literal for a record that does not tell).
_GETTER_SQL = {
    "eventCategory": CATEGORY,
    "readOnly": f"(CASE WHEN {READ} THEN 'true' ELSE 'false' END)",
    "eventSource": SOURCE,
    "eventName": "coalesce(eventname, '')",
    "eventType": "coalesce(eventtype, '')",
    "errorCode": "coalesce(errorcode, '')",
    "vpcEndpointId": "coalesce(vpcendpointid, '')",
    "userIdentity.arn": "coalesce(useridentity.arn, '')",
    "sessionCredentialFromConsole":
        "(CASE WHEN lower(sessioncredentialfromconsole) = 'true' THEN 'true' ELSE 'false' END)",
}  # fmt: skip
assert set(_GETTER_SQL) == GETTER_FIELDS, "capture._GETTERS and _GETTER_SQL must agree"


@dataclass
class TrailSQL:
    """One trail's compiled stages. `stages[name]` is an integer expression (or NULL_INT when not
    compiled); `selectors` one expression per selector, and `as_management`, `as_data` the same
    for a record whose category is not known, asked as either; `detail` what the selector
    stage's reason depends on besides the trail; `paths` the record fields read."""

    stages: dict[str, str]
    selectors: tuple[str, ...]
    fallbacks: list[str] = field(default_factory=list)
    paths: set[tuple[str, ...]] = field(default_factory=set)
    as_management: tuple[str, ...] = ()
    as_data: tuple[str, ...] = ()
    detail: str = CATEGORY


def compile_trail(trail: CompiledTrail) -> TrailSQL:
    form = trail.form()
    paths: set[tuple[str, ...]] = set()
    fallbacks: list[str] = []
    sel, selectors = _selector_stage(form, CATEGORY, paths, fallbacks)
    sel_m, as_management = _selector_stage(form, "'Management'", paths, [])
    sel_d, as_data = _selector_stage(form, "'Data'", paths, [])
    # a record that does not tell its category: what both categories give, else unknown
    either = _either(sel_m, sel_d)
    # Insights records: the insight selectors (a trail's own, or a store's sources) decide, in
    # the Python evaluator (capture.CompiledTrail._insight_outcome)
    sel = case([(f"{CATEGORY} = 'Insight'", NULL_INT), (f"{CATEGORY} = ''", either)], sel)
    detail = case([(f"{CATEGORY} = ''", f"concat({sel_m}, '/', {sel_d})")], CATEGORY)
    stages = {
        "logging": code(form.logging_code),
        "account": _account(form.account, form.organization, form.members),
        "region": _region(form.multi_region, form.home, form.partition),
        "global": _global(form.global_events),
        "selectors": sel,
    }
    return TrailSQL(stages, selectors, fallbacks, paths, as_management, as_data, detail)


def _selector_stage(form: TrailForm, cat: str, paths: set[tuple[str, ...]],
                    fallbacks: list[str]) -> tuple[str, tuple[str, ...]]:  # fmt: skip
    """The selector stage's code for records of category `cat` (the column, or a literal), and
    each selector's."""
    if form.selectors_unknown:
        return code(1), ()
    if form.default_label is not None:
        if cat.startswith("'"):
            return code(0 if cat == "'Management'" else 2), ()
        return f"(CASE WHEN {cat} = 'Management' THEN 0 ELSE 2 END)", ()
    if not form.tests:
        return code(2), ()
    selectors: list[str] = []
    for index, test in enumerate(form.tests, 1):
        try:
            selectors.append(_selector(test, paths, cat))
        except NotCompiled as e:
            fallbacks.append(f"selector {index}: {e.reason}")
            selectors.append(NULL_INT)
    return _combine_selectors(selectors), tuple(selectors)


def _either(a: str, b: str) -> str:
    """The code both give, 1 (unknown) when they differ, NULL when either is not compiled."""
    if is_literal(a) and is_literal(b):
        return a if a == b else code(1)
    return (f"(CASE WHEN {a} IS NULL OR {b} IS NULL THEN {NULL_INT} WHEN {a} = {b} THEN {a} "
            "ELSE 1 END)")


def _combine_selectors(selectors: Sequence[str]) -> str:
    compiled = [s for s in selectors if s != NULL_INT]
    if len(compiled) == len(selectors):
        return least(selectors)
    # a compiled selector that matches decides; otherwise the Python evaluator does
    matched = any_of([f"({s} = 0)" for s in compiled])
    return case([(matched, code(0))], NULL_INT)


# ---------------------------------------------------------------------------------------------
# Account, Region, global service events


def _account(own: str | None, org: object, members: frozenset[str] | None) -> str:
    if own is None:
        return code(0)
    if isinstance(org, Unknown):
        other = code(1)
    elif not org:
        other = code(2)
    elif members is None:
        return code(0)
    else:
        other = case([(in_list("recipientaccountid", members), code(0))], code(2))
    same = f"(recipientaccountid IS NULL OR recipientaccountid = {lit(own)})"
    return case([(same, code(0))], other)


def _region(multi: object, home: str | None, partition: str | None) -> str:
    if multi is True:
        if not partition:
            return code(0)
        return case([(f"{partition_expr(REGION)} = {lit(partition)}", code(0))], code(2))
    other = code(1) if isinstance(multi, Unknown) or home is None else code(2)
    if isinstance(multi, Unknown) and partition:  # another partition's Regions: never recorded
        other = case([(f"{partition_expr(REGION)} = {lit(partition)}", other)], code(2))
    if home is None:
        return other
    return case([(f"{REGION} = {lit(home)}", code(0))], other)


def _global(gse: object) -> str:
    if gse is True:
        return code(0)
    if isinstance(gse, Unknown):
        return case([(f"{GLOBAL} = 'F'", code(0))], code(1))
    return case([(f"{GLOBAL} = 'T'", code(2)), (f"{GLOBAL} = 'N'", code(1))], code(0))


# ---------------------------------------------------------------------------------------------
# Selectors


def _selector(test: BasicTest | AdvancedTest, paths: set[tuple[str, ...]], cat: str) -> str:
    if isinstance(test, BasicTest):
        return _basic(test, paths, cat)
    return _advanced(test, paths, cat)


def _rw(rw: object) -> str:
    if isinstance(rw, Unknown):
        return code(1)
    if rw == "All":
        return code(0)
    if rw == "ReadOnly":
        return case([(READ, code(0))], code(2))
    if rw == "WriteOnly":
        return case([(READ, code(2))], code(0))
    return code(2)


def _basic(test: BasicTest, paths: set[tuple[str, ...]], cat: str) -> str:
    mgmt = test.mgmt
    mgmt_code = code(1) if isinstance(mgmt, Unknown) else code(0 if mgmt else 2)
    excluded = case([(in_list(SOURCE, test.exclude), code(2))],
                    code(1 if test.exclude_unknown is not None else 0))  # fmt: skip
    management = greatest([mgmt_code, excluded, _rw(test.rw)])
    if test.data:
        paths.add(("resources",))
        data = greatest([least([_data_resource(d) for d in test.data]), _rw(test.rw)])
    else:
        data = code(2)
    if cat.startswith("'"):  # a literal category
        return management if cat == "'Management'" else data if cat == "'Data'" else code(2)
    return case([(f"{cat} = 'Management'", management), (f"{cat} = 'Data'", data)],
                code(2))  # fmt: skip


def _any_resource(condition: str) -> str:
    return f"(coalesce(array_length(list_filter(resources, lambda r: {condition})), 0) > 0)"


def _data_resource(test: DataResourceTest) -> str:
    if isinstance(test.type, Unknown):
        return code(1)
    arn = "coalesce(r.arn, '')"
    typed = f"r.type = {lit(test.type)}"
    matches = any_of([in_list(arn, test.exact), starts_with(arn, test.prefixes)])
    whens = [(_any_resource(all_of([typed, matches])), code(0))] if matches != "FALSE" else []
    if test.unknown is not None:
        whens.append((_any_resource(typed), code(1)))
    return case(whens, code(2))


def _advanced(test: AdvancedTest, paths: set[tuple[str, ...]], cat: str) -> str:
    parts: list[str] = []
    for ft, _getter in test.plain:
        parts.append(field_test(ft, _field_value(ft.field, paths, cat)))
    if test.type_tests or test.arn_tests:
        paths.add(("resources",))
        on = [field_test(t, "coalesce(r.type, '')") for t in test.type_tests]
        on += [field_test(t, "coalesce(r.arn, '')") for t in test.arn_tests]
        per_resource = greatest(on)
        empty = greatest(
            [code(t.test("")) for t in (*test.type_tests, *test.arn_tests)]
        )  # a record without resources is read as one empty resource (capture._NO_RESOURCE)
        if is_literal(per_resource):
            parts.append(per_resource)
        else:
            listed = f"list_min(list_transform(resources, lambda r: {per_resource}))"
            parts.append(f"coalesce({listed}, {empty})")
    return greatest(parts)


def _field_value(name: str, paths: set[tuple[str, ...]], cat: str = CATEGORY) -> str:
    """The text `FieldTest` compares for an advanced selector field."""
    getter = cat if name == "eventCategory" else _GETTER_SQL.get(name)
    if getter is not None:
        paths.add(tuple(name.split(".")))
        return getter
    steps = tuple(name.split("."))
    found = schema.resolve(steps)
    if found is None or found.kind not in ("text", "bool"):
        raise NotCompiled(f"the field {name} is not a text column of the CloudTrail table")
    paths.add(steps)
    return f"coalesce({'.'.join(s.lower() for s in steps)}, '')"


def field_test(ft: FieldTest, value: str) -> str:
    """FieldTest.test in SQL: 2 when deselected, 2 (or 1) when not selected, else 0 (or 1)."""
    selects = any_of([in_list(value, ft.eq), starts_with(value, ft.sw), ends_with(value, ft.ew)])
    deselects = any_of([in_list(value, ft.neq), starts_with(value, ft.nsw),
                        ends_with(value, ft.new)])  # fmt: skip
    whens = [(deselects, code(2))]
    if ft.has_select:
        whens.append((f"(NOT {selects})", code(1 if ft.sel_unknown is not None else 2)))
    return case(whens, code(1 if ft.desel_unknown is not None else 0))
