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

The Python engine keeps the keys themselves. The DuckDB engine keeps, per key, the hour of the
event (`p`, which lets DuckDB skip the keys of other hours when it looks a chunk's keys up) and a
64-bit hash of the three fields (`h`): two different events are taken for one only if they share
the hour and the hash. Records the Python evaluator reads in that engine (long ones, undecided
ones, chunks DuckDB cannot read) have their keys computed in SQL from the same text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from checker.replay.sqltext import lit

Key = tuple[str | None, str, str | None]  # eventTime, eventID, recipientAccountId
KEY_FIELDS = ("eventTime", "eventID", "recipientAccountId")


def key_text(value: object) -> str | None:
    """A key field as the table's text column holds it: JSON text as it is, booleans and
    integers spelled as JSON spells them; objects and arrays (text starting like them) are no
    key field."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return None if value.startswith(("{", "[")) else value
    if isinstance(value, (int, float)):
        return str(value)
    return None


def record_key(record: Mapping[str, Any]) -> Key | None:
    """The record's key, or None when it has no eventID (it is then never a copy)."""
    event_id = key_text(record.get("eventID"))
    if not event_id:
        return None
    return key_text(record.get("eventTime")), event_id, key_text(record.get("recipientAccountId"))


def _text(column: str) -> str:
    return f"(CASE WHEN starts_with({column}, '{{') OR starts_with({column}, '[') THEN NULL " \
           f"ELSE {column} END)"  # fmt: skip


_T, _I, _A = (_text(f'"{k}"') for k in KEY_FIELDS)
# the key in SQL, over a source with the record's columns (NULL h: no eventID)
KEY_P = f"coalesce(substr({_T}, 3, 11), '')"
KEY_H = f"(CASE WHEN coalesce({_I}, '') <> '' THEN hash({_T}, {_I}, {_A}) END)"
KEY_STRUCT = f"{{'p': {KEY_P}, 'h': {KEY_H}}}"


class Filter:
    """Which of the records the Python evaluator reads in one chunk it judges: not those whose
    key an earlier chunk had (`earlier`: the SQL counted them as copies already), and, of the
    records sharing a key, the first it reads (`dropped` counts the others)."""

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


class SeenKeys:
    """The DuckDB engine's keys of the records counted so far (table `tc_seen`), and one
    chunk's (`tc_ck`, rows of `p`, `h`, one per keyed record)."""

    def __init__(self, con: Any) -> None:
        self.con = con
        con.execute("CREATE TEMP TABLE tc_seen (p VARCHAR, h UBIGINT)")

    def load(self, grouped: str | None, keys: Iterable[Key] = ()) -> None:
        """The chunk's keys: those of the grouped table `grouped` (its `tc_keys` lists), and
        `keys` of records read in Python."""
        parts = [f"SELECT k.p AS p, k.h AS h FROM (SELECT unnest(tc_keys) AS k FROM {grouped}) "
                 "WHERE k.h IS NOT NULL"] if grouped else []  # fmt: skip
        parts += [f"SELECT {KEY_P} AS p, {KEY_H} AS h FROM {v}" for v in _values(keys)]
        body = " UNION ALL ".join(parts) or "SELECT NULL::VARCHAR AS p, NULL::UBIGINT AS h LIMIT 0"
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE tc_ck AS {body}")

    def repeats(self) -> tuple[int, int]:
        """(records whose key an earlier chunk had, records repeating a key of this chunk past
        its first record); (0, 0): no copy in the chunk, and its keys are remembered."""
        row = self.con.execute(
            "SELECT coalesce(sum(n) FILTER (WHERE earlier), 0), "
            "coalesce(sum(n - 1) FILTER (WHERE NOT earlier), 0) FROM (SELECT c.p, c.h, count(*) "
            "AS n, bool_or(s.h IS NOT NULL) AS earlier FROM tc_ck AS c LEFT JOIN tc_seen AS s "
            "ON c.p = s.p AND c.h = s.h GROUP BY c.p, c.h HAVING count(*) > 1 OR "
            "bool_or(s.h IS NOT NULL))").fetchone()  # fmt: skip
        earlier, again = (int(row[0]), int(row[1])) if row else (0, 0)
        if not earlier and not again:
            self.con.execute("INSERT INTO tc_seen SELECT p, h FROM tc_ck")
        return earlier, again

    def mark(self) -> None:
        """The chunk has copies: `tc_drop` holds the keys it is not to count in SQL (an earlier
        chunk's, `earlier`; or repeated in it, for the Python evaluator), and the new keys are
        remembered."""
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE tc_drop AS SELECT c.p, c.h, bool_or(s.h IS NOT NULL) "
            "AS earlier FROM tc_ck AS c LEFT JOIN tc_seen AS s ON c.p = s.p AND c.h = s.h "
            "GROUP BY c.p, c.h HAVING count(*) > 1 OR bool_or(s.h IS NOT NULL)")  # fmt: skip
        self.con.execute("INSERT INTO tc_seen SELECT DISTINCT c.p, c.h FROM tc_ck AS c ANTI JOIN "
                         "tc_drop AS d ON c.p = d.p AND c.h = d.h AND d.earlier")  # fmt: skip

    def dropped_keys(self, sources: Iterable[str], keys: Iterable[Key] = ()
                     ) -> tuple[set[Key], set[Key]]:  # fmt: skip
        """The keys of `tc_drop`, as text, that records of `sources` (the chunk) and `keys` have:
        those an earlier chunk had, and those repeated in this one."""
        earlier: set[Key] = set()
        repeated: set[Key] = set()
        cols = ", ".join(f'"{k}"' for k in KEY_FIELDS)
        for source in [*(f"(SELECT {cols} FROM {s})" for s in sources), *_values(keys)]:
            found = self.con.execute(
                f"SELECT DISTINCT {_T}, {_I}, {_A}, d.earlier FROM {source} AS r JOIN tc_drop AS "
                f"d ON d.p = {KEY_P} AND d.h = {KEY_H}").fetchall()  # fmt: skip
            for t, i, a, was in found:
                (earlier if was else repeated).add((t, i, a))
        return earlier, repeated

    @staticmethod
    def exclude(source: str) -> str:
        """`source` without the records whose key is in `tc_drop`."""
        return (f"(SELECT tc_r.* FROM {source} AS tc_r ANTI JOIN tc_drop ON tc_drop.p = {KEY_P} "
                f"AND tc_drop.h = {KEY_H})")


def _values(keys: Iterable[Key]) -> list[str]:
    """`keys` as sources of text columns named like the record's fields, 1,000 rows each."""
    rows = [f"({', '.join('NULL' if v is None else lit(v) for v in key)})" for key in keys]
    return [
        "(SELECT CAST(t AS VARCHAR) AS \"eventTime\", CAST(i AS VARCHAR) AS \"eventID\", "
        f"CAST(a AS VARCHAR) AS \"recipientAccountId\" FROM (VALUES {', '.join(rows[i:i + 1000])}) "
        "AS v(t, i, a))"
        for i in range(0, len(rows), 1000)
    ]
