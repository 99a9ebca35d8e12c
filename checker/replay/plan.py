"""The compiled configuration: every predicate of an estate as columns of one SQL query.

A `Plan` holds one kind of predicate per concern, each contributing columns to the query:

- trail capture (compile_capture.py): per trail `t<i>_c` (0 captured, 1 unknown, 2 missed, NULL:
  the Python evaluator decides), `t<i>_s` (the stage that decided a miss or an unknown),
  `t<i>_k` (the record fields the reason names) and `t<i>_m` (the first selector that matches);
- metric filter patterns (compile_filters.py): per filter on a trail's log group, `f<j>`
  (TRUE, FALSE, or NULL: the Python evaluator decides);
- the record's size class `tc_size` for the 256 KB limit of CloudWatch Logs and EventBridge
  (0 under, 1 too close to tell, 2 over), from the lengths of its fields.

Event data stores decide as trails do (the same stages, advanced selectors) and get the same
columns; their one destination is the store itself. EventBridge rules (compile_rules.py) are
compiled to whether the Python path lists the rule (its bus and pattern) and whether it fires:
the records some rule may be listed for go to the Python evaluator, which builds rule results.
Insights records (eventCategory Insight) are left to the Python evaluator at the selector stage:
whether a trail or store generates or receives one depends on its insight selectors and sources.

The query is written once in DuckDB's dialect; sqlglot renders it for Athena, Trino and Spark
(checker/replay/dialects.py). `tc_fb` is TRUE for records some predicate could not decide.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from checker.model import Estate, LogGroup, MetricFilter, Trail, Unknown
from checker.replay import schema
from checker.replay.compile_capture import (
    CATEGORY,
    DATA_EVIDENCE,
    DERIVED,
    DERIVED_GLOBAL,
    DERIVED_PATHS,
    EVIDENCE,
    READ,
    REGION,
    SOURCE,
    STAGES,
    TrailSQL,
    compile_trail,
    data_evidence,
)
from checker.replay.compile_filters import compile_pattern
from checker.replay.compile_rules import RuleSQL, compile_rule, rule_candidates
from checker.replay.dedupe import HAS_KEY, KEY_HASH
from checker.replay.sqltext import NULL_BOOL, NULL_INT, NotCompiled, any_of, case
from checker.simulator.alarms import parse_cached
from checker.simulator.capture import CompiledTrail, Recorder
from checker.simulator.coverage import compiled_trails
from checker.simulator.delivery import MAX_EVENT_BYTES, cloudwatch_destination
from checker.simulator.filter_pattern import PatternError

# Size classes: a record whose fields add up to less than UNDER surely is under the limit once
# written as compact JSON, one over OVER surely above; in between the engine measures it exactly.
SIZE_UNDER = MAX_EVENT_BYTES - 48 * 1024
SIZE_OVER = MAX_EVENT_BYTES + 48 * 1024
# The quick bound: every field but the free-form ones, userAgent and errorMessage, and the
# resources, takes less than BOUND_OTHERS bytes; a resource less than BOUND_RESOURCE.
BOUND_OTHERS = 32 * 1024
BOUND_RESOURCE = 4 * 1024

# How a query computes the size class (Plan.ctes)
Size: TypeAlias = bool | Literal["given", "quick"]

# Column suffix of each stage's code in step `s` (`t<i>_x`: the selectors).
STAGE_COLUMN = {"logging": "l", "account": "a", "region": "r", "global": "g", "selectors": "x"}

# The record's own fields every per-record output carries, in this order.
EVENT_COLUMNS = ("eventtime", "eventid", "eventsource", "eventname", "awsregion",
                 "recipientaccountid")  # fmt: skip
# A record without eventSource or eventName, which is no record to judge (Event.problem): TRUE
UNNAMED = "(coalesce(\"eventSource\", '') = '' OR coalesce(\"eventName\", '') = '')"
# What the Python side needs to rebuild a record's capture-relevant fields (an example).
EXAMPLE_COLUMNS = (
    *EVENT_COLUMNS, "eventcategory", "eventtype", "managementevent", "readonly", "errorcode",
    "vpcendpointid", "sessioncredentialfromconsole",
)


@dataclass(frozen=True)
class Fallback:
    """A predicate (or part of one) left to the Python evaluator, and why."""

    kind: str  # "trail", "event data store", "metric filter" or "EventBridge rule"
    name: str
    reason: str


@dataclass
class TrailPlan:
    index: int
    trail: Recorder  # a trail or an event data store
    compiled: CompiledTrail
    sql: TrailSQL
    log_group: LogGroup | None

    @property
    def prefix(self) -> str:
        return f"t{self.index}"


@dataclass
class FilterPlan:
    index: int
    metric_filter: MetricFilter
    group: LogGroup
    expr: str  # TRUE/FALSE/NULL per record; NULL_BOOL when not compiled at all
    trails: tuple[int, ...]  # the trails that send to the filter's log group

    @property
    def column(self) -> str:
        return f"f{self.index}"


@dataclass
class Plan:
    estate: Estate
    trails: list[TrailPlan]
    filters: list[FilterPlan]
    fallbacks: list[Fallback] = field(default_factory=list)
    paths: set[tuple[str, ...]] = field(default_factory=set)
    # TRUE for a record some EventBridge rule may be listed for (compile_rules.py)
    rules: str = "FALSE"
    # each rule's conditions, in the estate's order
    event_rules: list[RuleSQL] = field(default_factory=list)
    # every recorder (trails, then event data stores), as the Python path decides with them
    recorders: list[CompiledTrail] = field(default_factory=list)

    # -- columns --------------------------------------------------------------------------------

    def group_columns(self) -> list[str]:
        """The columns whose values decide a record's result (the engine groups by them)."""
        out = [CATEGORY, "tc_size"]
        for t in self.trails:
            out += [f"{t.prefix}_c", f"{t.prefix}_s", f"{t.prefix}_k", f"{t.prefix}_m"]
        out += [f.column for f in self.filters]
        return out

    def read_columns(self) -> dict[str, str]:
        """read_json's `columns`: the record fields the query reads, with their DuckDB types."""
        return schema.read_json_columns(schema.path_tree([*schema.CORE_PATHS, *self.paths]))

    def decision_columns(self) -> dict[str, str]:
        """The fields the decisions read (a subset of read_columns), with the record's day."""
        return schema.read_json_columns(
            schema.path_tree([*DERIVED_PATHS, *self.paths, ("eventTime",), ("eventID",),
                              ("eventName",)])
        )

    def grouped_source(self, source: str, *, size: bool | Literal["quick"] = False,
                       resources: bool = True) -> str:  # fmt: skip
        """`source` (read_json with read_columns' names) reduced to one row per distinct
        combination of the fields the decisions read and the day, with its count `tc_n`, one of
        its records' time, eventID and name (`tc_first`) and the hashes of its records' eventIDs
        (`tc_keys`, for dedupe.py): the decisions are then computed once per combination. The
        other columns are NULL. `resources` False: an S3 object among a record's resources is
        no evidence of its category (compile_capture.data_evidence), and the column is not
        read unless a predicate reads it. `size`: the record's size class
        (`tc_size`, see `ctes`) is computed per record and grouped on too."""
        decide = self.decision_columns()
        cols: list[str] = []
        if size == "quick":
            cols.append(f"{quick_size_class()} AS tc_size")
        elif size:
            cols.append(f"{size_class_expr(size_expr())} AS tc_size")
        cols.append(f"{UNNAMED} AS tc_unnamed")
        cols.append(f"{data_evidence(resources)} AS {EVIDENCE}")
        for key, kind in self.read_columns().items():
            if key == "eventTime":
                cols.append('substr("eventTime", 1, 10) AS "eventTime"')
            elif key in ("eventName", "resources"):  # grouped on only when a predicate reads them
                cols.append(f'"{key}"' if (key,) in self.paths else f'CAST(NULL AS {kind}) AS '
                            f'"{key}"')  # fmt: skip
            elif key in decide and key != "eventID":
                cols.append(f'"{key}"')
            else:
                cols.append(f'CAST(NULL AS {kind}) AS "{key}"')
        return (f"(SELECT *, {{'eventTime': tc_t, 'eventID': tc_i, 'eventName': tc_e}} AS tc_first "
                f"FROM (SELECT {', '.join(cols)}, count(*) AS tc_n, any_value(tc_t) AS tc_t, "
                f"any_value(tc_i) AS tc_i, any_value(tc_e) AS tc_e, list({KEY_HASH}) FILTER (WHERE "
                f"{HAS_KEY}) AS tc_keys "
                f'FROM (SELECT *, "eventTime" AS tc_t, "eventID" AS tc_i, "eventName" AS tc_e '
                f"FROM {source}) AS r GROUP BY ALL) AS g)")

    # -- the query ------------------------------------------------------------------------------

    def ctes(self, source: str, *, size: Size = True) -> str:
        """`WITH b, s, o, f`: the per-record steps over `source` (a table or table function with
        the CloudTrail table's columns), in DuckDB's dialect. `b` adds the derived fields and the
        size class, `s` every stage and selector code, `o` each trail's decision, `f` each
        filter's match. `size` False: the source holds no record over the limit (the JSON feeder
        set long records aside), so the size class is 0; "quick": only the quick bound is
        computed and a record it does not clear is class 1, for the Python evaluator to measure
        (the bound reads the free-form columns only, not every column of the table)."""
        derived = ", ".join(f"{expr} AS {name}" for name, expr in (*DERIVED, DERIVED_GLOBAL))
        if size != "given":  # grouped_source has them already
            derived += f", {UNNAMED} AS tc_unnamed"
            source = f"(SELECT *, {DATA_EVIDENCE} AS {EVIDENCE} FROM {source}) AS b00"
        inner = f"SELECT *, {derived} FROM {source}"
        if size == "given":  # the source has tc_size already (grouped_source)
            b = inner
        elif size == "quick":
            b = f"SELECT *, {quick_size_class()} AS tc_size FROM ({inner}) AS b0"
        elif size:
            b = (f"SELECT *, {size_class_expr('tc_bytes')} AS tc_size FROM (SELECT *, "
                 f"{size_expr()} AS tc_bytes FROM ({inner}) AS b0) AS b1")  # fmt: skip
        else:
            b = f"SELECT *, 0 AS tc_size FROM ({inner}) AS b0"
        stage_cols = [
            f"{t.sql.stages[stage]} AS {t.prefix}_{STAGE_COLUMN[stage]}" for t in self.trails
            for stage in STAGES
        ] + [
            f"{sel} AS {t.prefix}_p{k}" for t in self.trails
            for k, sel in enumerate(t.sql.selectors, 1)
        ]  # fmt: skip
        trail_cols = [
            f"{expr} AS {t.prefix}_{name}" for t in self.trails for name, expr in _trail_columns(t)
        ]
        filter_cols = [f"{f.expr} AS {f.column}" for f in self.filters]
        return (
            f"WITH b AS ({b}), s AS ({_select_star(stage_cols)} FROM b), "
            f"o AS ({_select_star(trail_cols)} FROM s), f AS ({_select_star(filter_cols)} FROM o)"
        )

    def fallback_expr(self) -> str:
        """TRUE for a record that some predicate could not decide (over step `f`)."""
        # a record without eventSource or eventName is no record to judge: Python says so
        parts = ["(tc_size <> 0)", f"(tc_unnamed AND {CATEGORY} IS DISTINCT FROM 'Insight')"]
        parts += [f"({t.prefix}_c IS NULL)" for t in self.trails]
        parts += [f"({f.column} IS NULL)" for f in self.filters]
        parts.append(self.rules)  # EventBridge: the records some rule may match
        return any_of(parts)

    def query(self, source: str, *, size: Size = True, weighted: bool = False) -> str:
        """The engine's per-record query: the record's own fields, what rebuilds its capture
        fields for explanations, every decision column and `tc_fb`."""
        out = [*EVENT_COLUMNS, CATEGORY, "tc_size", "substr(eventtime, 1, 10) AS tc_day",
               f"{READ} AS tc_readonly",
               f"(CASE WHEN {CATEGORY} IN ('Data', 'NetworkActivity') THEN eventsource END) "
               "AS tc_service"]
        out += [f"{c} AS ex_{c}" for c in EXAMPLE_COLUMNS[len(EVENT_COLUMNS):]]
        out += ["useridentity.arn AS ex_uiarn", "tlsdetails.clientprovidedhostheader AS ex_host",
                "resources AS ex_res"]
        out += [c for c in self.group_columns() if c.startswith(("t", "f")) and c != CATEGORY
                and c != "tc_size"]
        out.append(f"{self.fallback_expr()} AS tc_fb")
        if weighted:
            out += ["tc_n", "tc_first", "tc_keys"]
        return f"{self.ctes(source, size=size)} SELECT {', '.join(out)} FROM f"


def _select_star(columns: Sequence[str]) -> str:
    return "SELECT *" + "".join(f", {c}" for c in columns)


def _trail_columns(t: TrailPlan) -> list[tuple[str, str]]:
    p = t.prefix
    codes = [f"{p}_{STAGE_COLUMN[stage]}" for stage in STAGES]
    # the selector stage may be NULL (Insights records, selectors not compiled): a miss at an
    # earlier stage still decides
    miss = any_of([f"({c} = 2)" for c in codes[:4]])
    decision = case([(miss, "2"), (f"({codes[4]} IS NULL)", NULL_INT)],
                    f"greatest({', '.join(codes)})")  # fmt: skip
    stage = case(
        [(f"({c} = 2)", str(i)) for i, c in enumerate(codes)]
        + [(f"({c} = 1)", str(i)) for i, c in enumerate(codes)],
        NULL_INT,
    )
    fields = (("a", "coalesce(recipientaccountid, '')"), ("r", REGION), ("g", SOURCE),
              ("x", t.sql.detail))  # fmt: skip
    key_parts = [f"(CASE WHEN {p}_{s} <> 0 THEN {expr} ELSE '' END)" for s, expr in fields]
    key = f"(CASE WHEN {p}_c = 0 THEN NULL ELSE concat_ws('|', {', '.join(key_parts)}) END)"
    if t.sql.selectors:
        first = case([(f"({p}_p{k} = 0)", str(k)) for k in range(1, len(t.sql.selectors) + 1)],
                     "NULL")  # fmt: skip
        # a record that does not tell its category: the selectors matching it either way
        either = f"({_first(t.sql.as_management)} * 1000 + {_first(t.sql.as_data)})"
        first = case([(f"({CATEGORY} = '')", either)], first)
    else:
        first = "0"
    return [("c", decision), ("s", stage), ("k", key), ("m", f"(CASE WHEN {p}_c = 0 THEN "
                                                        f"{first} END)")]


def _first(selectors: Sequence[str]) -> str:
    """The index of the first selector whose code is 0 (a match), else 0."""
    return case([(f"({sel} = 0)", str(k)) for k, sel in enumerate(selectors, 1)], "0")


def size_expr() -> str:
    """The record's size estimated from its fields as the table holds them: the lengths in bytes
    of its text values plus the JSON punctuation and key names around them (structs member by
    member, which costs far less than writing them as JSON)."""
    return "(" + " + ".join(_member_length(f, f.column) for f in schema.FIELDS) + ")"


def _member_length(f: schema.Field, expr: str) -> str:
    overhead = len(f.key) + 4
    if f.kind == "struct":
        inner = " + ".join(_member_length(c, f"{expr}.{c.column}") for c in f.children)
        value = f"(CASE WHEN {expr} IS NULL THEN NULL ELSE {inner} + 2 END)"
    elif f.kind == "array":
        item = schema.Field(f.key, "struct", f.children)
        each = " + ".join(_member_length(c, f"r.{c.column}") for c in item.children)
        value = f"list_sum(list_transform({expr}, lambda r: {each} + 3)) + 2"
    elif f.kind == "map":
        value = f"cardinality({expr}) * 256"  # its keys and values, generously
    elif f.kind == "bool":
        value = f"strlen({expr})"
    else:
        value = f"strlen(CAST({expr} AS VARCHAR)) + 2"
    return f"coalesce({value} + {overhead}, 0)"


def quick_bound() -> str:
    """The quick bound: the free-form fields, plus BOUND_OTHERS for the short fields and
    BOUND_RESOURCE per resource. Lengths are in bytes (`strlen`), as the limit is, and cost
    less than counting characters (`length`)."""
    return " + ".join(
        f"coalesce(strlen(CAST({f.column} AS VARCHAR)), 0)" for f in schema.FIELDS
        if f.kind == "json" or f.key in ("userAgent", "errorMessage")
    ) + f" + coalesce(array_length(resources), 0) * {BOUND_RESOURCE} + {BOUND_OTHERS}"


def size_class_expr(size: str) -> str:
    """0 surely under the 256 KB limit, 2 surely over, 1 too close to tell (see SIZE_UNDER).
    The quick bound comes first; the whole estimate is computed only past it."""
    return (f"(CASE WHEN {quick_bound()} < {SIZE_UNDER} THEN 0 WHEN {size} < {SIZE_UNDER} "
            f"THEN 0 WHEN {size} > {SIZE_OVER} THEN 2 ELSE 1 END)")


def quick_size_class() -> str:
    """0 when the quick bound clears the record, else 1 (too close to tell)."""
    return f"(CASE WHEN {quick_bound()} < {SIZE_UNDER} THEN 0 ELSE 1 END)"


# ---------------------------------------------------------------------------------------------
# Building a plan


def build_plan(estate: Estate, *, default_region: str | None = None,
               compiled: Sequence[CompiledTrail] | None = None) -> Plan:  # fmt: skip
    """Compile every trail's and event data store's capture, and every metric filter on a
    trail's log group. `compiled`: the recorders in the Python path's order (trails, then
    stores), which the per-record results keep."""
    recorders = list(compiled) if compiled is not None else compiled_trails(estate, default_region)
    plan = Plan(estate, [], [])
    groups: dict[str, tuple[LogGroup, list[int]]] = {}
    plan.recorders = recorders
    for i, c in enumerate(recorders, 1):
        sql = compile_trail(c)
        plan.paths |= sql.paths
        kind = "trail" if isinstance(c.trail, Trail) else "event data store"
        for reason in sql.fallbacks:
            plan.fallbacks.append(Fallback(kind, c.trail.id, reason))
        if not isinstance(c.trail, Trail):  # a store delivers to itself only
            plan.trails.append(TrailPlan(i, c.trail, c, sql, None))
            continue
        ref = c.trail.log_group
        # a log group outside the inputs counts with the inputs' filters on it (alarms.trace)
        group = (estate.resolve("log_group", ref) or estate.outside_log_group(ref)) if ref \
            else None  # fmt: skip
        # whether the trail can send to CloudWatch Logs (not a fail for small events)
        cw = cloudwatch_destination(estate, c.trail).status != "fail"
        plan.trails.append(TrailPlan(i, c.trail, c, sql, group))
        if group is not None and cw:
            groups.setdefault(group.id, (group, []))[1].append(i)
    prefixes = [t.prefix for t in plan.trails if isinstance(t.trail, Trail)]
    plan.event_rules = [compile_rule(estate, r, prefixes, plan.paths) for r in estate.event_rules]
    plan.rules = rule_candidates(plan.event_rules)
    for r in plan.event_rules:
        if r.listed == "FALSE":
            continue  # listed for no record
        why = ("the records it may be listed for (its bus and event pattern are not certainly "
               "FALSE in SQL), whose rule results the Python evaluator builds")
        if r.notes:
            why += "; not compiled: " + "; ".join(r.notes)
        plan.fallbacks.append(Fallback("EventBridge rule", r.rule.id, why))
    index = 0
    for group, members in groups.values():
        # a filter whose log group name is unknown may be on the group: its matches count as
        # unknown there (`alarms.trace_log_group`), so it gets a column too
        for mf in (*estate.filters_on(group), *estate.filters_maybe_on(group)):
            if isinstance(mf.pattern, Unknown) or isinstance(parse_cached(mf.pattern),
                                                             PatternError):
                continue  # unknown or broken whatever the record: decided without a column
            index += 1
            parsed = parse_cached(mf.pattern)
            assert not isinstance(parsed, PatternError)
            try:
                expr = compile_pattern(parsed, plan.paths)
            except NotCompiled as e:
                plan.fallbacks.append(Fallback("metric filter", mf.id, e.reason))
                expr = _needed(plan, members)
            plan.filters.append(FilterPlan(index, mf, group, expr, tuple(members)))
    return plan


def _needed(plan: Plan, members: Sequence[int]) -> str:
    """NULL (ask Python) for the records some trail sending to the group may capture, else
    FALSE: a filter nobody's events reach need not be evaluated."""
    reached = any_of([f"(t{i}_c IS NULL OR t{i}_c < 2)" for i in members])
    return case([(reached, NULL_BOOL)], "FALSE")


__all__ = ["READ", "Fallback", "FilterPlan", "Plan", "TrailPlan", "build_plan"]
