"""trailcheck's own snapshot of one or several AWS accounts: `trailcheck audit --save` writes it,
`trailcheck scan SNAPSHOT.json` judges it offline with the same findings.

One JSON document, validated by `checker/schemas/snapshot.schema.json`:

    {"trailcheck_snapshot": 1,
     "origin": "live",
     "accounts": [{"account_id": "111122223333", "regions": ["us-east-1", ...]}],
     "organization_accounts": ["111122223333", ...],
     "account_public_access_blocks": [{"account_id": "...", "block_public_acls": true, ...}],
     "trails": [...], "buckets": [...], "keys": [...], "key_aliases": [...],
     "log_groups": [...], "metric_filters": [...], "alarms": [...], "topics": [...],
     "subscriptions": [...], "policies": [...],
     "event_data_stores": [...], "event_rules": [...], "event_buses": [...],
     "not_checked": [{"call": "s3:GetBucketPolicy", "region": "us-east-1",
                      "error": "AccessDenied", "affects": ["policy@arn:aws:s3:::logs"]}],
     "diagnostics": [...],
     "unread": [{"collection": "event_data_stores", "account_id": "...", "region": "us-east-1",
                 "reason": "cloudtrail:ListEventDataStores in us-east-1 failed: AccessDenied"}]}

Each resource is the model object (`checker/model.py`) with its field names: a trail holds its
selectors (`{"kind": "basic", "basic": [...]}`), its logging status (`is_logging`) and its
Insights selectors and its delivery state (`delivery`: GetTrailStatus' delivery errors per
destination; a trail saved without it, by an older trailcheck, has it unknown); a bucket holds
every `Bucket` field. Ids are ARNs; when `id` is left out it
is the `arn` (a bucket's is `arn:aws:s3:::<name>`). A reference to another resource is its name
or ARN. `accounts` is informational (what the audit covered); every resource carries its ARN.

A value the audit could not read is `{"$unknown": "why"}` in place (`{"$computed": "why"}` for a
value certainly set but not known). A "not checked" entry (`not_checked`, or `unchecked`) with
`affects` turns fields unknown as it loads: `FIELD@ID` (for example `is_logging@<trail ARN>`),
`organization_accounts`, or `account_public_access_block@<account id>`; any other `affects` item
(say `trails`: a Region whose trails could not be listed) becomes an "unknown" CT000 that says
what may be incomplete. Entries without `affects` (as `trailcheck audit` writes them, next to
values already unknown in place) only inform. `unread` lists the collections the audit could
not read (`model.Unread`): the trails or event data stores of an account and Region, the SCPs,
a topic's subscriptions; the scan answers unknown where they could change the answer.

`dump_snapshot(estate)` is the inverse: for an estate read from AWS,
`load_snapshot` of its dump equals it except for `inputs`, which name the snapshot file.
A snapshot that does not match the schema gives one CT000 naming the file and the line.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any, Final, Literal, Union, get_args, get_origin, get_type_hints

from checker.estate_builder import COLLECTIONS, EstateBuilder
from checker.loaders.documents import line_in, lines_tree, schema_problem
from checker.loaders.reading import LoadOptions, error_estate, read_json
from checker.model import (
    Bucket,
    Computed,
    Diagnostic,
    Estate,
    InputFile,
    Location,
    PublicAccessBlock,
    Reference,
    Unknown,
    Unread,
)

KIND: Final = "snapshot"
VERSION = 1
SCHEMA = "snapshot.schema.json"
UNKNOWN_KEY, COMPUTED_KEY = "$unknown", "$computed"
# `foreign_unit` exists only in a deployment unit's view while rules judge it
NOT_SERIALIZED = frozenset({"location", "lines", "names", "foreign_unit"})
_MEMBERS: Any = Union[tuple[str, ...], Unknown]  # noqa: UP007 - a runtime type, not an annotation
_MAYBE_STR: Any = Union[str, Unknown]  # noqa: UP007
# a trail of a snapshot written before trailcheck recorded GetTrailStatus' delivery errors
OLD_SNAPSHOT = Unknown(
    "the snapshot does not record the trail's delivery errors (written by an older trailcheck): "
    "take it again with trailcheck audit --save"
)
LINE_LIMIT = 2 * 1024 * 1024  # larger snapshots are read without per-object lines (speed)


class SnapshotError(Exception):
    def __init__(self, message: str, path: tuple[Any, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


# ---------------------------------------------------------------------------------------------
# Loading


def load_snapshot(path: Path, display: str, options: LoadOptions) -> Estate:
    text, doc, err = read_json(path, display, KIND)
    if err is not None:
        return err
    tree: Any = None
    if len(text) <= LINE_LIMIT:
        tree = lines_tree(text)
    problem = validate(doc)
    if problem is not None:
        tree = tree if tree is not None else lines_tree(text)
        return error_estate(display, KIND, line_in(tree, problem.path), problem.message)
    try:
        return _estate(doc, tree, display)
    except SnapshotError as e:
        return error_estate(display, KIND, line_in(tree, e.path), e.message)


def validate(doc: Any) -> SnapshotError | None:
    """The first schema violation of `doc` (the most relevant one), or None."""
    problem = schema_problem(doc, SCHEMA, "snapshot")
    return None if problem is None else SnapshotError(*problem)


def _estate(doc: Mapping[str, Any], tree: Any, display: str) -> Estate:
    def location(*path: Any) -> Location:
        return Location(display, line_in(tree, path) if tree is not None else 0)

    out = EstateBuilder()
    for name, cls in COLLECTIONS:
        for i, raw in enumerate(doc.get(name, ())):
            obj = _load_object(cls, raw, (name, i))
            if name == "trails" and "delivery" not in raw and doc.get("origin", "live") == "live":
                obj = replace(obj, delivery=OLD_SNAPSHOT)
            out.add(replace(obj, location=location(name, i)))
    for i, raw in enumerate(doc.get("account_public_access_blocks", ())):
        flags = {k: v for k, v in raw.items() if k != "account_id"}
        block = _load_object(PublicAccessBlock, flags, ("account_public_access_blocks", i))
        out.add(replace(block, location=location("account_public_access_blocks", i)))
    members: tuple[str, ...] | Unknown = Unknown("organization members not known")
    if "organization_accounts" in doc:
        members = _load_value(doc["organization_accounts"], _MEMBERS, ())
    out.add(*(
        Diagnostic(
            d["rule_id"], d["status"], d["message"], Location(d.get("file", ""), d.get("line", 0)),
            resource=d.get("resource", ""),
        )
        for d in doc.get("diagnostics", ())
    ))  # fmt: skip
    entries = [
        (key, i, e) for key in ("not_checked", "unchecked") for i, e in enumerate(doc.get(key, ()))
    ]
    for key, i, entry in entries:
        reason = _reason(entry)
        for item in entry.get("affects", ()):
            if item == "organization_accounts":
                members = Unknown(reason)
            elif item.startswith("account_public_access_block@"):
                u = Unknown(reason)
                out.add(PublicAccessBlock(u, u, u, u, location(key, i)))
            elif not _mark_unknown(out, item, reason):
                out.add(
                    Diagnostic(
                        "CT000",
                        "unknown",
                        f"could not be checked: {reason}; {item} may be incomplete",
                        location(key, i),
                        resource=display,
                    )
                )
    for i, raw in enumerate(doc.get("unread", ())):
        out.add(replace(_load_object(Unread, raw, ("unread", i)), location=location("unread", i)))
    out.add(InputFile(display, KIND, "ok"))
    return out.estate(organization_accounts=members, origin=doc.get("origin", "live"))


def _reason(entry: Mapping[str, Any]) -> str:
    if entry.get("reason"):
        return str(entry["reason"])
    target = entry.get("target")
    where = f"on {target}" if target else f"in {entry.get('region') or 'the account'}"
    return f"{entry['call']} {where} failed: {entry['error']}"


def _mark_unknown(out: EstateBuilder, item: str, reason: str) -> bool:
    """Apply `FIELD@ID`: the field of the object with that id becomes unknown."""
    name, sep, obj_id = item.partition("@")
    if not sep:
        return False
    for objs in (out.named(n) for n, _ in COLLECTIONS):
        for i, obj in enumerate(objs):
            if obj.id != obj_id:
                continue
            hint = _hints(type(obj)).get(name)
            if hint is None or name in NOT_SERIALIZED or name == "id":
                return False
            options = _union_args(hint)
            if Unknown in options:
                objs[i] = replace(obj, **{name: Unknown(reason)})
            elif Reference in options:
                objs[i] = replace(obj, **{name: Reference(Unknown(reason))})
            else:
                return False
            return True
    return False


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls)
    return _HINTS[cls]


def _union_args(tp: Any) -> tuple[Any, ...]:
    if get_origin(tp) in (Union, types.UnionType):
        return get_args(tp)
    return (tp,)


def _load_object(cls: type[Any], raw: Mapping[str, Any], path: tuple[Any, ...]) -> Any:
    hints = _hints(cls)
    data = dict(raw)
    if "id" in hints and "id" not in data:
        data["id"] = _default_id(cls, data, path)
    kwargs = {
        f.name: _load_value(data[f.name], hints[f.name], (*path, f.name))
        for f in fields(cls)
        if f.name in data and f.name not in NOT_SERIALIZED
    }
    return cls(**kwargs)


def _default_id(cls: type[Any], data: Mapping[str, Any], path: tuple[Any, ...]) -> str:
    arn = data.get("arn")
    if isinstance(arn, str):
        return arn
    if cls is Bucket and isinstance(data.get("name"), str):
        return f"arn:aws:s3:::{data['name']}"
    raise SnapshotError(f"{cls.__name__.lower()} without an id or an arn", path)


def _load_value(value: Any, tp: Any, path: tuple[Any, ...]) -> Any:
    if tp is Any:
        return _load_json(value)
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        options = get_args(tp)
        marker = _marker(value)
        if marker is not None and Unknown in options:
            return marker
        if value is None and type(None) in options:
            return None
        if marker is not None and Reference in options:
            return Reference(marker)
        rest = [o for o in options if o not in (Unknown, type(None))]
        if len(rest) != 1:
            raise SnapshotError(f"ambiguous field type {tp}", path)
        return _load_value(value, rest[0], path)
    if origin is tuple:
        item_type = get_args(tp)[0]
        return tuple(_load_value(v, item_type, (*path, i)) for i, v in enumerate(value))
    if origin is Literal:
        return value
    if origin is Mapping or tp is Mapping:
        return _load_json(value)
    if tp is Reference:
        return Reference(_load_value(value, _MAYBE_STR, path))
    if is_dataclass(tp) and isinstance(tp, type):
        return _load_object(tp, value, path)
    return value


def _marker(value: Any) -> Unknown | None:
    if isinstance(value, dict) and len(value) == 1:
        if UNKNOWN_KEY in value:
            return Unknown(str(value[UNKNOWN_KEY]))
        if COMPUTED_KEY in value:
            return Computed(str(value[COMPUTED_KEY]))
    return None


def _load_json(value: Any) -> Any:
    """A policy document; unknown markers inside it become Unknown leaves."""
    marker = _marker(value)
    if marker is not None:
        return marker
    if isinstance(value, dict):
        return {k: _load_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_load_json(v) for v in value]
    return value


# ---------------------------------------------------------------------------------------------
# Writing


def dump_snapshot(estate: Estate) -> dict[str, Any]:
    """The estate as a snapshot document (JSON-ready, deterministic)."""
    doc: dict[str, Any] = {"trailcheck_snapshot": VERSION, "origin": estate.origin}
    doc["accounts"] = _accounts(estate)
    if not isinstance(estate.organization_accounts, Unknown):
        doc["organization_accounts"] = list(estate.organization_accounts)
    elif estate.organization_accounts != Unknown("organization members not known"):
        doc["organization_accounts"] = _dump_value(estate.organization_accounts)
    blocks = estate.account_public_access_blocks
    doc["account_public_access_blocks"] = [_dump_value(b) for b in blocks]
    for name, _cls in COLLECTIONS:
        doc[name] = [_dump_value(obj) for obj in getattr(estate, name)]
    doc["diagnostics"] = [
        {"rule_id": d.rule_id, "status": d.status, "message": d.message,
         "file": d.location.file, "line": d.location.line, "resource": d.resource}
        for d in estate.diagnostics
    ]  # fmt: skip
    if estate.unread:  # what the audit could not read, so that the scan says unknown there too
        doc["unread"] = [_dump_value(u) for u in estate.unread]
    return doc


def _dump_value(value: Any) -> Any:
    if isinstance(value, Computed):
        return {COMPUTED_KEY: value.reason}
    if isinstance(value, Unknown):
        return {UNKNOWN_KEY: value.reason}
    if isinstance(value, Reference):
        return _dump_value(value.value)
    if is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _dump_value(getattr(value, f.name))
            for f in fields(value)
            if f.name not in NOT_SERIALIZED
        }
    if isinstance(value, (tuple, list)):
        return [_dump_value(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _dump_value(v) for k, v in value.items()}
    return value


def _accounts(estate: Estate) -> list[dict[str, Any]]:
    """Accounts and Regions the resources come from (from their ARNs), for the reader."""
    regions: dict[str, set[str]] = {}

    def note(account: Any, region: Any = None) -> None:
        if isinstance(account, str) and len(account) == 12 and account.isdigit():
            found = regions.setdefault(account, set())
            if isinstance(region, str) and region:
                found.add(region)

    for t in estate.trails:
        note(t.account_id, t.home_region)
    for b in estate.buckets:
        note(b.account_id, b.region)
    for name, _cls in COLLECTIONS:
        for obj in getattr(estate, name):
            arn = obj.arn if isinstance(getattr(obj, "arn", None), str) else obj.id
            parts = arn.split(":", 5) if isinstance(arn, str) else []
            if len(parts) > 4 and parts[0] == "arn":
                note(parts[4], parts[3])
    return [{"account_id": a, "regions": sorted(r)} for a, r in sorted(regions.items())]
