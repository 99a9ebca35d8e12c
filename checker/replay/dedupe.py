"""Records that repeat an event already read: counted once.

The same event can be read more than once: every trail that records it delivers its own copy
(CloudTrail UG, "CloudTrail concepts": several trails in a Region each receive "its own copy of
the log files", and global service events reach every trail that includes them), an
organization trail and a member account's own trail both hold the member's events, a folder can
be given twice. CloudTrail gives each event a GUID, `eventID`, "to uniquely identify each
event", and an action that reaches several accounts is delivered to each as a separate event
with its own `eventID` and `recipientAccountId` (CloudTrail UG, "CloudTrail record contents",
`eventID` and `sharedEventID`). So a record whose `eventID`, `recipientAccountId` and `eventTime`
are those of a record read before is a copy of the same event, and is dropped; the first read
(inputs in the order given, records in file order) is the one counted. A record without
`eventID` is never taken for a copy. Both engines drop the same records; the summary says how
many (`duplicate_records`).

The Python engine keeps the keys it has counted. The DuckDB engine, which reads chunks of records
apart, first replays as if there were no copy, noting a 64-bit hash of every record's eventID
(`tc_keys`, a list per group of records), and counts the hashes at the end (one aggregation, the
cost of finding copies when there are none); if some hash was noted twice, it replays again
knowing those hashes (`Copies`): the records having one of them are told apart by their key
itself, and the first read of each key is the one counted, the others dropped, as in the Python
engine. A hash that two different keys share only costs that second replay.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from checker.replay.sqltext import lit

Key = tuple[str | None, str, str | None]  # eventTime, eventID, recipientAccountId
FIELDS = ("eventTime", "eventID", "recipientAccountId")
# What the first replay notes of a record with an eventID (HAS_KEY): the hash of its eventID
# alone, which is cheaper than the whole key's and enough to find the records that may repeat
# one; the second replay compares their keys.
KEY_HASH = 'hash("eventID")'
HAS_KEY = "(\"eventID\" <> '')"


def sql_text(value: object) -> str | None:
    """A JSON value as the table's text column holds it: a string as it is, anything else in
    compact JSON (DuckDB writes `5`, `true`, `1e+20`, `{"a":1}` so)."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def record_key(record: Mapping[str, Any]) -> Key | None:
    """The record's key, or None when it has no eventID (it is then never a copy)."""
    event_id = sql_text(record.get("eventID"))
    if not event_id:
        return None
    return sql_text(record.get("eventTime")), event_id, sql_text(record.get("recipientAccountId"))


class Filter:
    """Which of the records the Python evaluator reads it judges: not those of a key counted
    before (`earlier`, whose copies the caller counts), and of those that share a key, the first
    it reads (`dropped` counts the others)."""

    def __init__(self, earlier: Iterable[Key] = ()) -> None:
        self.earlier = set(earlier)
        self.kept: set[Key] = set()
        self.dropped = 0

    def admit(self, record: Mapping[str, Any]) -> bool:
        key = record_key(record)
        if key is None:
            return True
        if key in self.earlier:
            return False
        if key in self.kept:
            self.dropped += 1
            return False
        self.kept.add(key)
        return True


def _values(keys: Iterable[Key]) -> list[str]:
    """`keys` as sources of text columns named like the record's fields, 1,000 rows each."""
    rows = [f"({', '.join('NULL' if v is None else lit(v) for v in key)})" for key in keys]
    return [
        "(SELECT CAST(t AS VARCHAR) AS \"eventTime\", CAST(i AS VARCHAR) AS \"eventID\", "
        f"CAST(a AS VARCHAR) AS \"recipientAccountId\" FROM (VALUES {', '.join(rows[i:i + 1000])}) "
        "AS v(t, i, a))"
        for i in range(0, len(rows), 1000)
    ]


class KeyLog:
    """The first replay's hashes of the keys of the records the Python evaluator reads alone
    (`tc_more`; the others are in the counts' `tc_keys` lists), and, at the end, those noted
    more than once."""

    def __init__(self, con: Any) -> None:
        self.con = con
        con.execute("CREATE TEMP TABLE tc_more (h UBIGINT)")

    def add_groups(self, where: str) -> None:
        """The keys of the groups of table `g` that `where` selects."""
        self.con.execute(f"INSERT INTO tc_more SELECT unnest(tc_keys) FROM g WHERE {where}")

    def add(self, keys: Iterable[Key]) -> None:
        for source in _values(keys):
            self.con.execute(f"INSERT INTO tc_more SELECT {KEY_HASH} FROM {source}")

    def repeated(self, counted: str) -> list[int]:
        """The hashes noted more than once, in `tc_more` and in the lists `tc_keys` of table
        `counted` ("": no such table yet)."""
        lists = f" UNION ALL SELECT unnest(tc_keys) FROM {counted}" if counted else ""
        return [int(r[0]) for r in self.con.execute(
            f"SELECT h FROM (SELECT h FROM tc_more{lists}) AS k(h) WHERE h IS NOT NULL "
            "GROUP BY h HAVING count(*) > 1").fetchall()]  # fmt: skip


def _same_key(x: str, y: str) -> str:
    """The join condition of two relations with the columns h, t, i, a: the same key."""
    return (f"{x}.h = {y}.h AND {x}.i = {y}.i AND {x}.t IS NOT DISTINCT FROM {y}.t AND "
            f"{x}.a IS NOT DISTINCT FROM {y}.a")


class Copies:
    """The second replay: the hashes found repeated (`tc_dups`), the keys already counted that
    have one (`tc_counted`: h, t, i, a), and per chunk the keys whose records the SQL must not
    count (`tc_drop`): those counted before (`earlier`), and those repeated in the chunk, for
    the Python evaluator to count the first of."""

    def __init__(self, con: Any, hashes: Iterable[int]) -> None:
        self.con = con
        con.execute("CREATE TEMP TABLE tc_dups AS SELECT unnest(?::UBIGINT[]) AS h",
                    [sorted(hashes)])  # fmt: skip
        con.execute("CREATE TEMP TABLE tc_counted (h UBIGINT, t VARCHAR, i VARCHAR, a VARCHAR)")

    def in_groups(self) -> bool:
        """Whether a record counted in table `g` has a repeated hash."""
        row = self.con.execute("SELECT count(*) FROM (SELECT unnest(tc_keys) AS h FROM g) AS k "
                               "SEMI JOIN tc_dups AS d ON k.h = d.h").fetchone()  # fmt: skip
        return bool(row and row[0])

    def split(self, source: str | None, python: Iterable[Key]) -> tuple[int, set[Key]]:
        """Writes `tc_drop` for the chunk's records that have a repeated hash, in `source` (the
        chunk) and among `python` (the keys of the records the Python evaluator reads alone),
        and remembers their keys as counted. Returns how many records have a key counted before
        (dropped), and the keys repeated in the chunk (the Python evaluator counts the first
        record of each)."""
        cols = ", ".join(f'"{k}"' for k in FIELDS)
        parts = [f"(SELECT {cols} FROM {source} AS r WHERE {HAS_KEY} AND {KEY_HASH} IN (SELECT h "
                 "FROM tc_dups))"] if source is not None else []  # fmt: skip
        parts += _values(python)
        keyed = " UNION ALL ".join(f'SELECT {KEY_HASH} AS h, "eventTime" AS t, "eventID" AS i, '
                                   f'"recipientAccountId" AS a FROM {p}' for p in parts)
        con = self.con
        con.execute("CREATE OR REPLACE TEMP TABLE tc_drop (h UBIGINT, t VARCHAR, i VARCHAR, "
                    "a VARCHAR, n BIGINT, earlier BOOLEAN)")  # fmt: skip
        if not keyed:
            return 0, set()
        con.execute(f"CREATE OR REPLACE TEMP TABLE tc_cand AS SELECT h, t, i, a, count(*) AS n "
                    f"FROM ({keyed}) GROUP BY ALL")  # fmt: skip
        con.execute("INSERT INTO tc_drop SELECT c.*, TRUE FROM tc_cand AS c SEMI JOIN tc_counted "
                    f"AS k ON {_same_key('c', 'k')}")  # fmt: skip
        con.execute("INSERT INTO tc_drop SELECT c.*, FALSE FROM tc_cand AS c ANTI JOIN tc_drop "
                    f"AS d ON {_same_key('c', 'd')} WHERE c.n > 1")  # fmt: skip
        con.execute("INSERT INTO tc_counted SELECT c.h, c.t, c.i, c.a FROM tc_cand AS c ANTI JOIN "
                    f"tc_drop AS d ON {_same_key('c', 'd')} AND d.earlier")  # fmt: skip
        row = con.execute("SELECT coalesce(sum(n) FILTER (WHERE earlier), 0) FROM tc_drop"
                          ).fetchone()  # fmt: skip
        repeated = con.execute("SELECT t, i, a FROM tc_drop WHERE NOT earlier").fetchall()
        return (int(row[0]) if row else 0), {(t, i, a) for t, i, a in repeated}

    def earlier(self, event_ids: Iterable[str] | None) -> set[Key]:
        """The keys of `tc_drop` counted before, of the records with these eventIDs (every
        record's when None): those the Python evaluator may read, to skip."""
        where = "" if event_ids is None else " AND i IN (SELECT unnest(?::VARCHAR[]))"
        params = [] if event_ids is None else [sorted(event_ids)]
        return {(t, i, a) for t, i, a in self.con.execute(
            f"SELECT t, i, a FROM tc_drop WHERE earlier{where}", params).fetchall()}  # fmt: skip

    @staticmethod
    def exclude(source: str) -> str:
        """`source` without the records whose key is in `tc_drop`."""
        return (f"(SELECT tc_r.* FROM {source} AS tc_r ANTI JOIN tc_drop AS d ON d.h = "
                'hash(tc_r."eventID") AND d.i = tc_r."eventID" AND d.t IS NOT DISTINCT FROM '
                'tc_r."eventTime" AND d.a IS NOT DISTINCT FROM tc_r."recipientAccountId")')
