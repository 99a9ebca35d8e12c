"""The queries `trailcheck sql` prints, over the CloudTrail table (schema.py), in DuckDB's dialect
(dialects.render writes them for the other engines):

- `per_record`: each record's own fields, then per trail (and event data store) `captured`,
  `missed` or `unknown` (NULL where only the Python evaluator can tell) and the stage that
  decided, then the alarms that fire, the EventBridge rules that certainly fire (`rules`) and
  those only the Python evaluator can tell (`rules_undecided`; compile_rules.py says what a rule
  firing means and what is compiled);
- `counts`: per trail and event data store, the records captured, missed, unknown and undecided
  and the records each destination receives (a store's is `lake`); per alarm, the records that
  fire it; per rule (kind `rule`), the records that certainly fire it (`captured`), certainly do
  not (`missed`) and undecided;
- the investigation queries of the scenario catalog (investigations.py);
- the Athena table itself (`athena_ddl`), with partition projection.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from checker.model import Trail
from checker.regions import DEFAULT_REGIONS
from checker.replay import schema
from checker.replay.compile_capture import CATEGORY, STAGES
from checker.replay.plan import EVENT_COLUMNS, Plan, TrailPlan
from checker.replay.sqltext import any_of, lit
from checker.simulator.alarms import trace_log_group
from checker.simulator.delivery import trail_destinations
from checker.simulator.events import Event

TABLE = "cloudtrail_logs"
# the destination columns of `counts`, in order
DESTINATIONS = ("s3", "cloudwatch_logs", "eventbridge", "sns", "lake")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _status(t: TrailPlan) -> str:
    p = t.prefix
    return (f"(CASE {p}_c WHEN 0 THEN 'captured' WHEN 1 THEN 'unknown' WHEN 2 THEN 'missed' "
            "END)")  # fmt: skip


def _stage(t: TrailPlan) -> str:
    whens = " ".join(f"WHEN {i} THEN {lit(s)}" for i, s in enumerate(STAGES))
    return f"(CASE {t.prefix}_s {whens} END)"


@dataclass(frozen=True)
class Firing:
    alarm: str
    conditions: tuple[str, ...]  # any of them fires the alarm


def firings(plan: Plan) -> list[Firing]:
    """For each alarm that notifies a subscribed topic when its filter matches, the record
    conditions (a trail captures the record, sends it to the group, the filter matches)."""
    probe = Event("", "", "")
    by_alarm: dict[str, list[str]] = {}
    for f in plan.filters:
        fired = trace_log_group(plan.estate, f.group, probe, {f.metric_filter.id: True})
        alarms = next((r for r in fired.filters if r.filter == f.metric_filter.id), None)
        # a filter that may not be on the group (its name is unknown) fires nothing for certain
        names = ([a.alarm for a in alarms.alarms if a.status == "pass"]
                 if alarms is not None and alarms.status == "pass" else [])  # fmt: skip
        for i in f.trails:
            cond = f"({_delivered_cw(plan.trails[i - 1])} AND {f.column})"
            for name in names:
                by_alarm.setdefault(name, []).append(cond)
    return [Firing(a, tuple(c)) for a, c in sorted(by_alarm.items())]


def _delivered_cw(t: TrailPlan) -> str:
    return f"({t.prefix}_c = 0 AND tc_size = 0)"


def _with_rules(plan: Plan, source: str) -> str:
    """The plan's steps and `r`: step `f` with `eb<k>`, whether the k-th rule fires."""
    fires = "".join(f", {r.fires} AS eb{k}" for k, r in enumerate(plan.event_rules, 1))
    return f"{plan.ctes(source)}, r AS (SELECT *{fires} FROM f)"


def _names(whens: Sequence[tuple[str, str]]) -> str:
    """The names whose condition holds, joined by ', ' ('' for none)."""
    parts = [f"(CASE WHEN {cond} THEN {lit(name)} END)" for cond, name in whens if cond != "FALSE"]
    return f"concat_ws(', ', {', '.join(parts)})" if parts else "''"


def per_record(plan: Plan, source: str = TABLE) -> str:
    cols = [*EVENT_COLUMNS]
    for t in plan.trails:
        cols.append(f"{_status(t)} AS {_quote(t.trail.id)}")
        cols.append(f"{_stage(t)} AS {_quote(t.trail.id + ' stage')}")
    fired = [(any_of(list(f.conditions)), f.alarm) for f in firings(plan)]
    cols.append(f"{_names(fired)} AS alarms")
    rules = [(k, r.rule.id) for k, r in enumerate(plan.event_rules, 1) if r.fires != "FALSE"]
    cols.append(f"{_names([(f'eb{k}', name) for k, name in rules])} AS rules")
    cols.append(f"{_names([(f'(eb{k} IS NULL)', name) for k, name in rules])} AS rules_undecided")
    return f"{_with_rules(plan, source)} SELECT {', '.join(cols)} FROM r"


def counts(plan: Plan, source: str = TABLE) -> str:
    """One row per trail and event data store (captured, missed, unknown, undecided, per
    destination), then one per alarm, as (kind, name, ...) so that one result holds both."""
    rows: list[str] = []
    for t in plan.trails:
        p = t.prefix
        captured = f"count(*) FILTER (WHERE {p}_c = 0)"
        if isinstance(t.trail, Trail):
            fixed = trail_destinations(plan.estate, t.trail)
            s3 = captured if fixed.s3.status == "pass" else "0"
            cw = (f"count(*) FILTER (WHERE {_delivered_cw(t)})"
                  if fixed.cloudwatch_logs.status == "pass" else "0")  # fmt: skip
            eb = (f"count(*) FILTER (WHERE {p}_c = 0 AND tc_size = 0 AND {CATEGORY} NOT IN "
                  "('Insight', 'NetworkActivity'))")  # fmt: skip
            sns = captured if fixed.sns.status == "pass" else "0"
            where = [s3, cw, eb, sns, "0"]
        else:  # an event data store keeps what it records
            where = ["0", "0", "0", "0", captured]
        kind = "trail" if isinstance(t.trail, Trail) else "event_data_store"
        rows.append(
            f"SELECT {lit(kind)} AS kind, {lit(t.trail.id)} AS name, {captured} AS captured, "
            f"count(*) FILTER (WHERE {p}_c = 2) AS missed, "
            f"count(*) FILTER (WHERE {p}_c = 1) AS unknown, "
            f"count(*) FILTER (WHERE {p}_c IS NULL) AS undecided, "
            + ", ".join(f"{x} AS {d}" for x, d in zip(where, DESTINATIONS, strict=True))
            + " FROM r"
        )
    zeros = ", ".join(f"0 AS {d}" for d in DESTINATIONS)
    for firing in firings(plan):
        rows.append(
            f"SELECT 'alarm' AS kind, {lit(firing.alarm)} AS name, "
            f"count(*) FILTER (WHERE {any_of(list(firing.conditions))}) AS captured, 0 AS missed, "
            f"0 AS unknown, 0 AS undecided, {zeros} FROM r"
        )
    for k, rule in enumerate(plan.event_rules, 1):
        rows.append(
            f"SELECT 'rule' AS kind, {lit(rule.rule.id)} AS name, "
            f"count(*) FILTER (WHERE eb{k}) AS captured, "
            f"count(*) FILTER (WHERE NOT eb{k}) AS missed, 0 AS unknown, "
            f"count(*) FILTER (WHERE eb{k} IS NULL) AS undecided, {zeros} FROM r"
        )
    if not rows:
        rows.append("SELECT 'trail' AS kind, '' AS name, 0 AS captured, 0 AS missed, 0 AS unknown, "
                    f"0 AS undecided, {zeros} FROM r WHERE FALSE")  # fmt: skip
    return f"{_with_rules(plan, source)} " + " UNION ALL ".join(rows)


# ---------------------------------------------------------------------------------------------
# The Athena table


def athena_ddl(
    location: str,
    *,
    table: str = TABLE,
    accounts: Sequence[str] = (),
    regions: Sequence[str] = DEFAULT_REGIONS,
    start: str = "2020/01/01",
) -> str:
    """CREATE EXTERNAL TABLE over a CloudTrail bucket, partitioned by account, Region and day with
    partition projection (Athena UG, "Create the table for CloudTrail logs in Athena using
    partition projection"), so that a query filtered on them reads only those folders.
    `location` is the `AWSLogs/` folder (with the organization id for an organization trail)."""
    base = location.rstrip("/") + "/"
    columns = ",\n".join(f"  {name} {kind}" for name, kind in schema.athena_columns())
    account_values = ",".join(accounts) if accounts else "111122223333"
    return (
        f"CREATE EXTERNAL TABLE {table} (\n{columns}\n)\n"
        "PARTITIONED BY (account string, region string, `timestamp` string)\n"
        "ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'\n"
        "STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'\n"
        "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'\n"
        f"LOCATION '{base}'\n"
        "TBLPROPERTIES (\n"
        "  'projection.enabled'='true',\n"
        "  'projection.account.type'='enum',\n"
        f"  'projection.account.values'='{account_values}',\n"
        "  'projection.region.type'='enum',\n"
        f"  'projection.region.values'='{','.join(regions)}',\n"
        "  'projection.timestamp.type'='date',\n"
        "  'projection.timestamp.format'='yyyy/MM/dd',\n"
        "  'projection.timestamp.interval'='1',\n"
        "  'projection.timestamp.interval.unit'='DAYS',\n"
        f"  'projection.timestamp.range'='{start},NOW',\n"
        f"  'storage.location.template'='{base}"
        "${account}/CloudTrail/${region}/${timestamp}'\n"
        ");\n"
    )


def duckdb_ddl(table: str = TABLE) -> str:
    """The same table for DuckDB (for trying the queries locally)."""
    columns = ",\n".join(
        f"  {f.column} {schema.duckdb_type(f, spelling='column')}" for f in schema.FIELDS
    )
    return f"CREATE TABLE {table} (\n{columns}\n);\n"
