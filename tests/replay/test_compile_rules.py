"""Which EventBridge rule fires, in SQL: the per-record query's `rules` and `rules_undecided`
agree with the Python path's rule results (state, bus, delivery, pattern) over generated
configurations and records, and on the fixture logs; the counts query counts per rule; the
command prints it for every dialect."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.cli import main
from checker.loaders import LoadOptions, load_paths
from checker.model import Estate, EventBus, PartialPattern, Reference, Unknown
from checker.replay.dialects import render
from checker.replay.engine import Options
from checker.replay.plan import build_plan
from checker.replay.queries import counts, per_record
from checker.replay.run import replay_inputs
from tests.replay.helpers import estate, load_table, write_jsonl
from tests.replay.test_equivalence import RULES, records, selectors
from tests.replay.test_sql import CONFIG, REPO, fixture_records
from tests.simulator.capture_cases import trail
from tests.simulator.test_capture_properties import trails

duckdb = pytest.importorskip("duckdb")
sqlglot = pytest.importorskip("sqlglot")

RULES_TF = REPO / "fixtures" / "replay" / "eventbridge" / "rules.tf.overlay"
Verdicts = dict[tuple[str, str], bool | None]


def sql_rules(est: Estate, recs: list[dict[str, Any]]) -> Verdicts:
    """(eventID, rule) -> TRUE (in `rules`), None (in `rules_undecided`) or FALSE."""
    con = duckdb.connect()
    load_table(con, recs)
    cur = con.execute(render(per_record(build_plan(est)), "duckdb"))
    names = [d[0] for d in cur.description]
    out: Verdicts = {}
    for values in cur.fetchall():
        row = dict(zip(names, values, strict=True))
        for rule in est.event_rules:
            fired = rule.id in row["rules"].split(", ")
            undecided = rule.id in row["rules_undecided"].split(", ")
            assert not (fired and undecided)
            out[(row["eventid"], rule.id)] = None if undecided else fired
    return out


def python_rules(est: Estate, path: str) -> Verdicts:
    """(eventID, rule) -> whether someone is notified through the rule (its targets notify
    whenever it fires in these tests), False when the rule is not listed."""
    run = replay_inputs(est, [path], engine="python", options=Options(keep=1 << 20))
    out: Verdicts = {}
    for doc in run.results:
        listed = {r["rule"]: r["notifies"] for r in doc["eventbridge"]}
        for rule in est.event_rules:
            out[(doc["event"]["eventID"], rule.id)] = listed.get(rule.id, False)
    return out


def assert_agree(sql: Verdicts, python: Verdicts) -> int:
    """SQL's TRUE and FALSE are Python's; returns how many SQL decided."""
    assert sql.keys() == python.keys()
    for key, verdict in sql.items():
        if verdict is not None:
            assert verdict == python[key], key
    return sum(v is not None for v in sql.values())


STATES = ("ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS", "BOGUS",
          Unknown("the state is a variable"))  # fmt: skip
REGIONS = ("us-east-1", "eu-west-1", Unknown("the provider's Region is a variable"))
ACCOUNTS = ("111122223333", Unknown("not known"))
BUS = EventBus("aws_cloudwatch_event_bus.custom", "custom")
BUSES = (None, Reference("default"), Reference("custom", target=BUS.id),
         Reference(Unknown("a variable")))  # fmt: skip


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(
    configured=st.lists(st.tuples(trails(), selectors), max_size=2),
    rules=st.lists(st.tuples(st.sampled_from(RULES), st.sampled_from(STATES),
                             st.sampled_from(REGIONS), st.sampled_from(ACCOUNTS),
                             st.sampled_from(BUSES)), min_size=1, max_size=3),
    recs=st.lists(records(), min_size=1, max_size=25, unique_by=lambda r: r["eventID"]),
)  # fmt: skip
def test_rules_that_fire_agree_with_the_python_path(
    tmp_path_factory: pytest.TempPathFactory, configured: list[Any], rules: list[Any],
    recs: list[dict[str, Any]],
) -> None:  # fmt: skip
    est = estate([replace(t, selectors=s) for t, s in configured], [], (),
                 [pattern for pattern, *_ in rules])  # fmt: skip
    event_rules = tuple(
        replace(r, state=state, region=region, account_id=account, event_bus=bus)
        for r, (_, state, region, account, bus) in zip(est.event_rules, rules, strict=True)
    )  # fmt: skip
    est = replace(est, event_rules=event_rules, event_buses=(BUS,))
    path = write_jsonl(tmp_path_factory.mktemp("rules") / "records.jsonl", recs)
    assert_agree(sql_rules(est, recs), python_rules(est, str(path)))


def test_a_pattern_with_a_value_not_known_is_decided_by_its_known_fields(
    tmp_path: Path,
) -> None:
    """A rule for STS AssumeRole of one role whose ARN is assigned at deploy: SQL rules every
    other event out, as the Python path does, and leaves AssumeRole undecided."""
    role = Unknown("the role's ARN is assigned at deploy")
    document = {"source": ["aws.sts"],
                "detail": {"eventName": ["AssumeRole"], "requestParameters": {"roleArn": [role]}}}
    est = estate([trail()], [], (), ["{}"])  # a multi-region trail: events reach the bus
    (rule,) = est.event_rules
    est = replace(est, event_rules=(replace(rule, pattern=PartialPattern(
        "the pattern holds a value that is not known", document)),))  # fmt: skip
    recs = [{"eventVersion": "1.08", "eventID": f"e{i}", "eventTime": "2026-11-01T10:00:00Z",
             "eventSource": source, "eventName": name, "awsRegion": "us-east-1",
             "recipientAccountId": "111122223333", "eventType": "AwsApiCall",
             "requestParameters": {"roleArn": "arn:aws:iam::111122223333:role/admin"}}
            for i, (source, name) in enumerate((("sts.amazonaws.com", "AssumeRole"),
                                                ("signin.amazonaws.com", "ConsoleLogin"),
                                                ("sts.amazonaws.com", "GetCallerIdentity")))]
    sql = sql_rules(est, recs)
    assert [sql[(f"e{i}", rule.id)] for i in range(3)] == [None, False, False]
    path = write_jsonl(tmp_path / "records.jsonl", recs)
    assert assert_agree(sql, python_rules(est, str(path))) == 2


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("eb") / "config"
    shutil.copytree(CONFIG, folder)
    shutil.copy(RULES_TF, folder / "rules.tf")
    return folder


def test_fixture_rules_per_record_and_counts(config: Path, tmp_path: Path) -> None:
    est = load_paths([str(config)], LoadOptions(cwd=str(REPO)))
    assert len(est.event_rules) == 5
    # the rules are in us-east-1; the attack simulations' records come from other Regions
    recs = fixture_records()
    recs += [{**r, "awsRegion": "us-east-1", "eventID": f"{r['eventID']}-use1"} for r in recs
             if r.get("awsRegion") != "us-east-1"]  # fmt: skip
    sql = sql_rules(est, recs)
    python = python_rules(est, str(write_jsonl(tmp_path / "records.jsonl", recs)))
    decided = assert_agree(sql, python)
    assert decided > 0.9 * len(sql)  # the sign-in rule leaves the sign-ins undecided
    fired = {rule for (_, rule), v in sql.items() if v}
    assert "aws_cloudwatch_event_rule.trail_tampering" in fired  # StopLogging
    assert "aws_cloudwatch_event_rule.switched_off" not in fired
    undecided = {rule for (_, rule), v in sql.items() if v is None}
    assert "aws_cloudwatch_event_rule.console_without_mfa" in undecided
    con = duckdb.connect()
    load_table(con, recs)
    cur = con.execute(render(counts(build_plan(est)), "duckdb"))
    names = [d[0] for d in cur.description]
    rows = {r[1]: dict(zip(names, r, strict=True)) for r in cur.fetchall() if r[0] == "rule"}
    for rule in est.event_rules:
        mine = [v for (_, r), v in sql.items() if r == rule.id]
        row = rows[rule.id]
        assert (row["captured"], row["missed"], row["undecided"]) == (
            mine.count(True), mine.count(False), mine.count(None))


@pytest.mark.parametrize("dialect", ["athena", "trino", "spark", "duckdb"])
def test_command_prints_rules_for_every_dialect(
    config: Path, dialect: str, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    assert main(["sql", str(config), "--dialect", dialect, "--query", "per-record"]) == 0
    out = capsys.readouterr().out
    assert "rules_undecided" in out and "cloudtrail-tampering" not in out  # ids, not names
    assert "aws_cloudwatch_event_rule.trail_tampering" in out
    assert "EventBridge rule aws_cloudwatch_event_rule.console_without_mfa" in out  # a fallback
    read = "trino" if dialect == "athena" else dialect
    assert sqlglot.parse_one(_statement(out), read=read) is not None
    assert main(["sql", str(config), "--dialect", dialect, "--query", "counts"]) == 0
    out = capsys.readouterr().out
    assert "'rule' AS kind" in out
    assert sqlglot.parse_one(_statement(out), read=read) is not None


def _statement(out: str) -> str:
    """The one query of the output (its comment lines dropped)."""
    text = "\n".join(line for line in out.splitlines() if not line.startswith("--"))
    return text.strip().rstrip(";")


def test_an_alarm_on_a_log_group_outside_the_inputs_is_listed_in_sql() -> None:
    """The trail's log group is created by another stack; the inputs' filter on it (by name)
    fires the root-usage alarm, in SQL as in the Python path."""
    est = load_paths([str(REPO / "fixtures" / "regressions" / "outside-log-group")], LoadOptions())
    root = {"eventVersion": "1.08", "eventID": "e1", "eventTime": "2026-11-01T10:00:00Z",
            "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin",
            "awsRegion": "us-east-1", "eventType": "AwsConsoleSignIn",
            "userIdentity": {"type": "Root", "arn": "arn:aws:iam::111122223333:root"}}
    other = {**root, "eventID": "e2", "userIdentity": {"type": "IAMUser"}}
    con = duckdb.connect()
    load_table(con, [root, other])
    cur = con.execute(render(per_record(build_plan(est)), "duckdb"))
    names = [d[0] for d in cur.description]
    rows = {r["eventid"]: r for r in (dict(zip(names, v, strict=True)) for v in cur.fetchall())}
    assert rows["e1"]["alarms"] == "aws_cloudwatch_metric_alarm.root"
    assert rows["e2"]["alarms"] == ""
