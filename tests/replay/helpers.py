"""Shared pieces of the replay tests: an estate with alarms on CloudTrail's log group, records
written as JSON Lines, and the comparison of the two engines' per-record results."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from checker.model import (
    Alarm,
    Estate,
    EventDataStore,
    EventRule,
    EventTarget,
    LogGroup,
    MetricFilter,
    MetricTransformation,
    Reference,
    Subscription,
    Topic,
    Trail,
)
from checker.replay import schema
from checker.replay.engine import Options, Run
from checker.replay.run import replay_inputs
from checker.replay.summary import reason_key

GROUP = LogGroup("aws_cloudwatch_log_group.trail", "/aws/cloudtrail/org",
                 arn="arn:aws:logs:us-east-1:111122223333:log-group:/aws/cloudtrail/org")
TOPIC = Topic("aws_sns_topic.alarms", "alarms", arn="arn:aws:sns:us-east-1:111122223333:alarms")


def estate(trails: Sequence[Trail], patterns: Sequence[str],
           stores: Sequence[EventDataStore] = (), rules: Sequence[str] = ()) -> Estate:  # fmt: skip
    """`trails` all send to one log group with one filter (and alarm) per pattern; one
    EventBridge rule per event pattern of `rules` notifies the alarms' topic."""
    wired = tuple(
        Trail(**{**t.__dict__, "id": f"aws_cloudtrail.t{i}", "name": f"t{i}",
                 "log_group": Reference(GROUP.arn or "", target=GROUP.id),
                 "cloudwatch_logs_role_arn": "arn:aws:iam::111122223333:role/cwl",
                 "bucket": Reference("logs-bucket")})
        for i, t in enumerate(trails, 1)
    )  # fmt: skip
    filters = tuple(
        MetricFilter(f"aws_cloudwatch_log_metric_filter.f{i}", Reference(GROUP.name or ""), p,
                     (MetricTransformation(f"M{i}", "Replay"),))
        for i, p in enumerate(patterns, 1)
    )  # fmt: skip
    alarms = tuple(
        Alarm(f"aws_cloudwatch_metric_alarm.a{i}", f"M{i}", "Replay",
              actions=(Reference(TOPIC.arn or "", target=TOPIC.id),))
        for i in range(1, len(patterns) + 1)
    )  # fmt: skip
    sub = Subscription("aws_sns_topic_subscription.s", Reference(TOPIC.arn or "", target=TOPIC.id),
                       "email", "oncall@example.com")
    event_rules = tuple(
        EventRule(f"aws_cloudwatch_event_rule.r{i}", f"r{i}", pattern=p,  # account, Region unknown
                  targets=(EventTarget(f"aws_cloudwatch_event_target.r{i}",
                                       Reference(TOPIC.arn or "", target=TOPIC.id), "sns"),))
        for i, p in enumerate(rules, 1)
    )  # fmt: skip
    return Estate(trails=wired, log_groups=(GROUP,), metric_filters=filters, alarms=alarms,
                  topics=(TOPIC,), subscriptions=(sub,), event_data_stores=tuple(stores),
                  event_rules=event_rules)  # fmt: skip


def write_jsonl(path: Path, records: Iterable[Mapping[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records))
    return path


def both(est: Estate, inputs: Sequence[str], chunk_bytes: int | None = None) -> tuple[Run, Run]:
    """The Python and the DuckDB engine's runs (`chunk_bytes`: the DuckDB engine's chunks)."""
    small = {"chunk_bytes": chunk_bytes} if chunk_bytes else {}
    runs = tuple(
        replay_inputs(est, inputs, engine=engine, options=Options(keep=1 << 30, **small))  # type: ignore[arg-type]
        for engine in ("python", "duckdb")
    )
    return runs[0], runs[1]


def normal(doc: Mapping[str, Any]) -> dict[str, Any]:
    """What both engines must agree on for one record."""
    return {
        "captured_by": sorted((c["trail"], c["selector"], tuple(c["destinations"]),
                               tuple(c["alarms"]),
                               tuple(sorted((u["destination"], u["status"])
                                            for u in c.get("unknown", ()))))
                              for c in doc["captured_by"]),
        "missed_by": sorted(m["trail"] for m in doc["missed_by"]),
        "unknown_by": sorted(u["trail"] for u in doc["unknown_by"]),
        "eventbridge": sorted((r["rule"], r["notifies"], r.get("match", True))
                              for r in doc.get("eventbridge", [])),
    }  # fmt: skip


def by_event_id(run: Run) -> dict[str, dict[str, Any]]:
    return {r["event"]["eventID"]: normal(r) for r in run.results}


def by_key(run: Run) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
    """Per-record results by the records' keys (dedupe.py): one each, but for the records
    without eventID."""
    keyed: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in run.results:
        e = r["event"]
        keyed.setdefault((e.get("eventTime"), e.get("eventID"), e.get("recipientAccountId")),
                         []).append(normal(r))  # fmt: skip
    for (_, event_id, _), docs in keyed.items():
        assert len(docs) == 1 or not event_id
        docs.sort(key=repr)
    return keyed


def load_table(con: Any, records: Iterable[Mapping[str, Any]]) -> None:
    """Create the Athena-schema table `cloudtrail_logs` in DuckDB connection `con` and insert
    the records."""
    from checker.replay.queries import duckdb_ddl

    con.execute(duckdb_ddl())
    cols = [f.column for f in schema.FIELDS]
    rows = [[table_row(r)[c] for c in cols] for r in records]
    if rows:
        con.executemany(f"INSERT INTO cloudtrail_logs ({', '.join(cols)}) VALUES "
                        f"({', '.join('?' for _ in cols)})", rows)  # fmt: skip


def table_row(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record as a row of the Athena-schema table (JSON fields as text, lower-case members)."""
    return {f.column: _cell(f, record.get(f.key)) for f in schema.FIELDS}


def _cell(f: schema.Field, value: Any) -> Any:
    if value is None:
        return None
    if f.kind == "json":
        return json.dumps(value, separators=(",", ":"))
    if f.kind == "struct":
        value = value if isinstance(value, dict) else {}
        return {c.column: _cell(c, value.get(c.key)) for c in f.children}
    if f.kind == "array":
        item = schema.Field(f.key, "struct", f.children)
        return [_cell(item, v) for v in value] if isinstance(value, list) else None
    if f.kind == "map":
        return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)



__all__ = ["both", "by_event_id", "by_key", "estate", "load_table", "reason_key", "table_row",
           "write_jsonl"]
