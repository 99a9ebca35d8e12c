"""Saved AWS CLI output (`aws cloudtrail ... --output json`) -> Estate.

All the CLI documents of a scan are loaded together, because each call returns part of a trail:

- `describe-trails`          `{"trailList": [...]}`; the trails. `get-trail` (`{"Trail": {...}}`)
                             and a bare list of trail entries (`--query trailList`) count too.
- `list-trails`              `{"Trails": [{"TrailARN", "Name", "HomeRegion"}]}`: trails that
                             exist, in their home Regions, with every setting unknown (each
                             unknown says to save describe-trails) unless describe-trails output
                             describes them too.
- `get-event-selectors`      `{"TrailARN", "EventSelectors" | "AdvancedEventSelectors"}`
- `get-insight-selectors`    `{"TrailARN", "InsightSelectors"}`
- `get-trail-status`         `{"IsLogging", ...}`. Its output does not say which trail it is
                             about, so either add a `"TrailARN"` (or `"Name"`) key to the file,
                             or name the file `<trail-name>.status.json`. A name must match
                             exactly one trail of the scan.
- CloudTrail Lake            `list-event-data-stores` (`{"EventDataStores": [...]}`),
                             `get-event-data-store` (`{"EventDataStoreArn", ...}`) and
                             `get-insight-selectors --event-data-store` (`{"EventDataStoreArn",
                             "InsightSelectors"}`), joined by the store's ARN.

Recognising a file (`discover.sniff`): a `.json` file that mentions one of the keys `trailList`,
`EventSelectors`, `AdvancedEventSelectors`, `InsightSelectors`, `IsLogging`, `TrailARN`,
`EventDataStores` or `EventDataStoreArn`, or whose name starts with `describe-trails`, is CLI
output. Here the top-level keys decide which
call it is; a `describe-trails*.json` file without `trailList` is CLI output with its trail list
missing (CT000), and a JSON file with none of the shapes above is skipped.

Joins and defaults (docs/semantics.md, "What the input formats say"):
- The selector, Insights and status outputs join a trail by `TrailARN`. A trail listed several
  times (shadow copies of a multi-Region trail, read from several Regions) is one trail.
- No status output: `is_logging` and `delivery` are Unknown("no get-trail-status output for
  this trail"). The status' delivery errors and times (CLI v1 epoch seconds or CLI v2 ISO text)
  become `delivery` (trail_status.py).
- No selector output: AWS's default selectors when describe-trails says
  `HasCustomEventSelectors: false`, else unknown; likewise Insights with `HasInsightSelectors`.
- Ids are trail ARNs; the account and home Region come from the ARN and `HomeRegion`.
- Output that lists trails but no event data stores (no list-event-data-stores or
  get-event-data-store file): the account's stores are not known (`model.Unread`), as when the
  live audit cannot list them; the rules and the simulator answer unknown where a store could
  change the answer.
- An event data store with only list-event-data-stores output has the list's (deprecated)
  settings, and an unknown KMS key and billing mode, which only get-event-data-store gives. Its
  Insights are unknown without get-insight-selectors output (AWS answers
  InsightNotEnabledException for a store without Insights: save
  `{"EventDataStoreArn": ARN, "InsightSelectors": []}` for it).

A file that has a CLI shape but cannot be used (no `trailList`, a `trailList` that is not a list,
selectors without a `TrailARN`, output for a trail no describe-trails lists) gives one CT000
naming the file and line; the other files are still loaded. The trails are turned into the model
by the live loader's converters (`live_shapes`), so saved output and a live read agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from checker.estate_builder import EstateBuilder
from checker.loaders.aws.cli_shapes import (
    EVENT_DATA_STORE,
    EVENT_DATA_STORES_OUTPUT,
    INSIGHT_OUTPUT,
    SELECTOR_OUTPUT,
    STORE_INSIGHT_OUTPUT,
    TRAIL,
    TRAIL_LIST_OUTPUT,
    misfit,
)
from checker.loaders.aws.live_events import store_from_api
from checker.loaders.aws.live_shapes import ABSENT, Failed, Result, arn_part, trail_from_api
from checker.loaders.aws.trail_status import FIELDS as STATUS_FIELDS
from checker.loaders.located import LineDict, SourceError, line_at, line_of
from checker.loaders.located_json import parse_json
from checker.loaders.reading import LoadOptions, input_error, read_json
from checker.model import (
    Diagnostic,
    Estate,
    EventDataStore,
    InputFile,
    Location,
    Reference,
    Trail,
    Unknown,
    Unread,
)

KIND: Final = "awscli"
STATUS_SUFFIX = ".status.json"

# model field -> describe-trails key, for the lines of findings and the names they show
FIELD_KEYS = {
    "name": "Name", "arn": "TrailARN", "home_region": "HomeRegion",
    "bucket": "S3BucketName", "s3_key_prefix": "S3KeyPrefix", "kms_key": "KmsKeyId",
    "log_group": "CloudWatchLogsLogGroupArn", "cloudwatch_logs_role_arn": "CloudWatchLogsRoleArn",
    "sns_topic": "SnsTopicARN", "is_multi_region": "IsMultiRegionTrail",
    "is_organization": "IsOrganizationTrail",
    "include_global_service_events": "IncludeGlobalServiceEvents",
    "log_file_validation": "LogFileValidationEnabled", "selectors": "HasCustomEventSelectors",
    "insight_selectors": "HasInsightSelectors",
}  # fmt: skip
# model field -> get-event-data-store key
STORE_KEYS = {
    "name": "Name", "arn": "EventDataStoreArn", "status": "Status",
    "is_multi_region": "MultiRegionEnabled", "is_organization": "OrganizationEnabled",
    "termination_protection": "TerminationProtectionEnabled", "retention_days": "RetentionPeriod",
    "billing_mode": "BillingMode", "kms_key": "KmsKeyId", "selectors": "AdvancedEventSelectors",
}  # fmt: skip
STORE_ARN = "EventDataStoreArn"
NO_STORE_LIST = (
    "the saved output has no list-event-data-stores output (save `aws cloudtrail "
    "list-event-data-stores --output json` in each Region; it lists no store when there is none)"
)


@dataclass
class _Doc:
    display: str
    name: str  # file name
    data: Any
    errors: list[Diagnostic] = field(default_factory=list)
    notes: list[Diagnostic] = field(default_factory=list)  # unknown CT000s: read, but partial
    used: bool = False

    def error(self, line: int, message: str) -> None:
        self.errors.append(input_error(self.display, line, message))


Joined = tuple[_Doc, dict[str, Any]]  # one output file of a trail or store, and its JSON


@dataclass
class _Entry:
    data: dict[str, Any]
    doc: _Doc


def load_awscli(paths: list[tuple[Path, str]], options: LoadOptions) -> Estate:
    """The saved CLI output files of one folder (each `(path, display)`)."""
    files: list[_Doc] = []
    unreadable: list[Estate] = []
    for path, display in paths:
        text, data, err = read_json(path, display, KIND)
        if err is not None:
            unreadable.append(err)
        else:
            files.append(_Doc(display, path.name, _with_lines(text, data)))
    files.sort(key=lambda d: d.display)
    trails: dict[str, _Entry] = {}
    listed_trails: dict[str, _Entry] = {}  # list-trails: known to exist, settings not given
    selectors: dict[str, Joined] = {}
    insights: dict[str, Joined] = {}
    statuses: list[Joined] = []
    listed_stores: dict[str, _Entry] = {}
    stores: dict[str, Joined] = {}
    store_insights: dict[str, Joined] = {}
    listed = False  # a trail list was read: the output describes an account
    stores_listed = False  # a store list was read (an empty one says there is none)
    for doc in files:
        kind = _kind(doc)
        if kind == "trails":
            listed = True
            _read_trails(doc, trails)
        elif kind == "trail-list":
            listed = True
            _read_trail_list(doc, listed_trails)
        elif kind == "event-selectors":
            _read_joined(doc, "get-event-selectors", SELECTOR_OUTPUT, selectors)
        elif kind == "insight-selectors":
            _read_joined(doc, "get-insight-selectors", INSIGHT_OUTPUT, insights)
        elif kind == "trail-status":
            doc.used = True
            statuses.append((doc, doc.data))
        elif kind == "event-data-stores":
            stores_listed = True
            _read_store_list(doc, listed_stores)
        elif kind == "event-data-store":
            _read_joined(doc, "get-event-data-store", EVENT_DATA_STORE, stores, STORE_ARN)
        elif kind == "store-insight-selectors":
            _read_joined(doc, "get-insight-selectors", STORE_INSIGHT_OUTPUT, store_insights,
                         STORE_ARN)  # fmt: skip
    described = set(trails)
    for arn, entry in listed_trails.items():
        trails.setdefault(arn, entry)  # describe-trails says more of the same trail
    status_of = _join_statuses(statuses, trails)
    for what, table, known, whose in (
        ("get-event-selectors", selectors, trails, "describe-trails or list-trails"),
        ("get-insight-selectors", insights, trails, "describe-trails or list-trails"),
        ("get-insight-selectors", store_insights, {**listed_stores, **stores},
         "list-event-data-stores or get-event-data-store"),
    ):  # fmt: skip
        for arn, (owner, data) in table.items():
            if arn not in known:
                owner.error(
                    line_of(data),
                    f"{what} output for {arn}, which no {whose} output of the scan lists: "
                    f"cannot join it to a {'trail' if known is trails else 'event data store'}",
                )
    out: list[Trail | EventDataStore] = [
        _trail(arn, entry, status_of.get(arn), selectors.get(arn), insights.get(arn),
               described=arn in described)
        for arn, entry in trails.items()
    ]  # fmt: skip
    for arn in dict.fromkeys([*listed_stores, *stores]):
        out.append(_store(arn, listed_stores.get(arn), stores.get(arn), store_insights.get(arn)))
    inputs = tuple(
        InputFile(d.display, KIND, "error" if d.errors else "ok" if d.used else "skipped")
        for d in files
    )
    built = EstateBuilder()
    built.add(*out, *inputs, *(e for d in files for e in (*d.errors, *d.notes)))
    read_trails = not any(d.errors for d in files if _kind(d) in ("trails", "trail-list"))
    if listed and read_trails and not stores_listed and not stores:
        # the output describes an account but not its event data stores: they are not known,
        # as when the live audit's ListEventDataStores fails (never "no store")
        where = next(e.doc for e in trails.values()).display if trails else files[0].display
        accounts = sorted({arn_part(arn, 4) for arn in trails} - {""}) or [""]
        built.add(*(Unread("event_data_stores", a, "", NO_STORE_LIST, location=Location(where))
                    for a in accounts))  # fmt: skip
    # a trail list describes a real account, where "no trail at all" is a finding; stray JSON
    # that merely mentions a CLI key must not turn a repository scan into an audit
    loaded = built.estate(origin="live" if listed else "iac")
    return Estate.merge([*unreadable, loaded]) if unreadable else loaded


def _with_lines(text: str, data: Any) -> Any:
    """The same document parsed again with line numbers (for findings that name a line)."""
    try:
        return parse_json(text)
    except SourceError:
        return data


def _kind(doc: _Doc) -> str:
    data = doc.data
    if isinstance(data, dict):
        if "trailList" in data or isinstance(data.get("Trail"), dict):
            return "trails"
        if "EventDataStores" in data:
            return "event-data-stores"
        if STORE_ARN in data and "TrailARN" not in data:  # a store's, not a trail's
            return "store-insight-selectors" if "InsightSelectors" in data else "event-data-store"
        if "EventSelectors" in data or "AdvancedEventSelectors" in data:
            return "event-selectors"
        if "InsightSelectors" in data:
            return "insight-selectors"
        if "IsLogging" in data:
            return "trail-status"
        if isinstance(data.get("Trails"), list):
            return "trail-list"
    if isinstance(data, list) and data and all(_is_entry(x) for x in data):
        return "trails"
    if doc.name.startswith("describe-trails"):
        return "trails"
    return "other"


def _is_entry(x: Any) -> bool:
    return isinstance(x, dict) and "TrailARN" in x


def _read_trails(doc: _Doc, trails: dict[str, _Entry]) -> None:
    doc.used = True
    data = doc.data
    if isinstance(data, dict) and isinstance(data.get("Trail"), dict):
        entries: Any = [data["Trail"]]
        lines = [line_of(data, "Trail")]
    elif isinstance(data, list):
        entries, lines = data, [line_of(data, i) for i in range(len(data))]
    elif not isinstance(data, dict) or "trailList" not in data:
        doc.error(
            line_of(data),
            'describe-trails output has no trailList (expected {"trailList": [...]} as written '
            "by aws cloudtrail describe-trails --output json)",
        )
        return
    else:
        entries = data["trailList"]
        if not isinstance(entries, list):
            doc.error(line_of(data, "trailList"), "trailList in describe-trails is not a list")
            return
        lines = [line_of(entries, i) for i in range(len(entries))]
    for i, (entry, line) in enumerate(zip(entries, lines, strict=True)):
        arn = entry.get("TrailARN") if isinstance(entry, dict) else None
        if not isinstance(arn, str) or not arn.startswith("arn:"):
            doc.error(line, f"trail entry {i + 1} has no TrailARN")
            continue
        bad = misfit(entry, TRAIL)
        if bad is not None:
            path, expected = bad
            message = f"trail entry {i + 1}: {_show(path)} is not {expected}"
            doc.error(line_at(entry, path) or line, message)
            continue
        trails.setdefault(arn, _Entry(entry, doc))  # shadow copies: the same trail again


def _read_trail_list(doc: _Doc, trails: dict[str, _Entry]) -> None:
    """list-trails output: each trail's ARN, name and home Region."""
    _read_listing(doc, trails, "list-trails", TRAIL_LIST_OUTPUT, "Trails", "TrailARN", "trail")


def _read_listing(doc: _Doc, found: dict[str, _Entry], what: str, shape: dict[str, Any],
                  items: str, key: str, noun: str) -> None:  # fmt: skip
    """A saved list output (`what`): each entry of its `items` list by its ARN (`key`). One
    page of several (a NextToken) says the others' entries are missing."""
    doc.used = True
    data = doc.data
    bad = misfit(data, shape)
    if bad is not None:
        path, expected = bad
        doc.error(line_at(data, path), f"{_show(path)} in {what} output is not {expected}")
        return
    if data.get("NextToken"):  # saved with --no-paginate or --max-items: one page of several
        doc.notes.append(Diagnostic(
            "CT000", "unknown", f"{what} output has a NextToken: it is one page, and the "
            f"{noun}s of the other pages are missing (save it without --no-paginate or "
            "--max-items)", Location(doc.display, line_of(data, "NextToken")), doc.display))
    for i, entry in enumerate(data[items]):
        arn = entry.get(key)
        if not isinstance(arn, str) or not arn.startswith("arn:"):
            doc.error(line_of(data[items], i), f"{noun} entry {i + 1} has no {key}")
            continue
        found.setdefault(arn, _Entry(entry, doc))


def _read_joined(
    doc: _Doc,
    what: str,
    shape: dict[str, Any],
    table: dict[str, Joined],
    key: str = "TrailARN",
) -> None:
    doc.used = True
    data = doc.data
    arn = data.get(key)
    if not isinstance(arn, str) or not arn:
        whose = "trail" if key == "TrailARN" else "event data store"
        doc.error(line_of(data), f"{what} output has no {key}: cannot tell which {whose} it "
                                 "belongs to")  # fmt: skip
        return
    bad = misfit(data, shape)
    if bad is not None:
        path, expected = bad
        doc.error(line_at(data, path), f"{_show(path)} in {what} output is not {expected}")
        return
    table.setdefault(arn, (doc, data))


def _read_store_list(doc: _Doc, stores: dict[str, _Entry]) -> None:
    _read_listing(doc, stores, "list-event-data-stores", EVENT_DATA_STORES_OUTPUT,
                  "EventDataStores", STORE_ARN, "event data store")


def _show(path: tuple[Any, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def _join_statuses(statuses: list[Joined], trails: dict[str, _Entry]) -> dict[str, Joined]:
    joined: dict[str, Joined] = {}
    for doc, data in statuses:
        if not isinstance(data.get("IsLogging"), bool):
            doc.error(line_of(data, "IsLogging"), "IsLogging in get-trail-status is not true/false")
            continue
        key = data.get("TrailARN") or data.get("Name")
        how = "its TrailARN" if data.get("TrailARN") else "its Name"
        if not key and doc.name.endswith(STATUS_SUFFIX):
            key, how = doc.name[: -len(STATUS_SUFFIX)], "the file name"
        if not isinstance(key, str) or not key:
            doc.error(
                line_of(data),
                "get-trail-status output does not say which trail it is about: add a "
                '"TrailARN" key, or name the file <trail-name>.status.json',
            )
            continue
        if key.startswith("arn:"):
            matches = [key] if key in trails else []
        else:
            matches = [arn for arn, e in trails.items() if e.data.get("Name") == key]
        if len(matches) != 1:
            problem = "no trail" if not matches else f"{len(matches)} trails"
            doc.error(
                line_of(data),
                f"get-trail-status output names {key!r} ({how}), which matches {problem} of "
                "the describe-trails output in the scan"
                + ("; add a TrailARN key" if matches else ""),
            )
            continue
        joined.setdefault(matches[0], (doc, data))
    return joined


def _trail(
    arn: str, entry: _Entry, status: Joined | None, selectors: Joined | None,
    insights: Joined | None, *, described: bool = True,
) -> Trail:
    trail = _described_trail(arn, entry, status, selectors, insights)
    return trail if described else _only_listed(trail, selectors, insights)


# A trail that only list-trails names: it exists, in its home Region; its settings are not known
_LISTED_ONLY = ("list-trails output names the trail and its home Region only; save `aws "
                "cloudtrail describe-trails` output for its settings")


def _only_listed(trail: Trail, selectors: Joined | None, insights: Joined | None) -> Trail:
    u = Unknown(_LISTED_ONLY)
    ref = Reference(u)
    return replace(
        trail, is_multi_region=u, is_organization=u, include_global_service_events=u,
        log_file_validation=u, bucket=ref, s3_key_prefix=u, kms_key=ref, log_group=ref,
        cloudwatch_logs_role_arn=u, sns_topic=ref,
        selectors=trail.selectors if selectors is not None else u,
        insight_selectors=trail.insight_selectors if insights is not None else u,
    )  # fmt: skip


def _described_trail(
    arn: str, entry: _Entry, status: Joined | None, selectors: Joined | None,
    insights: Joined | None,
) -> Trail:
    t = entry.data
    status_result: Result = (
        status[1] if status is not None else Failed("no get-trail-status output for this trail")
    )
    selector_result = _optional(
        selectors and selectors[1], t.get("HasCustomEventSelectors"), "get-event-selectors",
        "custom event selectors",
    )  # fmt: skip
    insight_result = _optional(
        insights and insights[1], t.get("HasInsightSelectors"), "get-insight-selectors",
        "Insights selectors",
    )  # fmt: skip
    trail = trail_from_api(t, status_result, selector_result, insight_result, "")
    location = Location(entry.doc.display, line_of(t))
    lines: dict[str, int | Location] = {
        f: line_of(t, k) for f, k in FIELD_KEYS.items() if isinstance(t, LineDict) and k in t
    }
    names = dict(FIELD_KEYS)
    # a value read from another output is found, and named, where that output says it
    for field_name, joined, keys in (
        ("is_logging", status, ("IsLogging",)),
        ("selectors", selectors, ("AdvancedEventSelectors", "EventSelectors")),
        ("insight_selectors", insights, ("InsightSelectors",)),
    ):
        key = next((k for k in keys if joined is not None and k in joined[1]), None)
        if joined is not None and key is not None:
            lines[field_name] = Location(joined[0].display, line_of(joined[1], key))
            names[field_name] = key
    if status is not None:
        doc, data = status
        lines["delivery"] = Location(doc.display, line_of(data))
        # each destination's finding points at its own error (trail_status.FIELDS)
        for dest, spec in STATUS_FIELDS.items():
            if spec.error in data:
                lines[f"delivery.{dest}"] = Location(doc.display, line_of(data, spec.error))
    return replace(trail, location=location, lines=lines, names=names)


def _optional(data: dict[str, Any] | None, has: Any, call: str, what: str) -> Result:
    if data is not None:
        return data
    if has is False:
        return ABSENT
    if has is True:
        return Failed(f"no {call} output for this trail")
    return Failed(
        f"no {call} output for this trail, and describe-trails does not say whether it has {what}"
    )


def _store(
    arn: str, listed: _Entry | None, got: Joined | None, insights: Joined | None
) -> EventDataStore:
    """A store from its get-event-data-store output, else from its list-event-data-stores entry
    (whose settings CloudTrail keeps for now, deprecated; it has no KmsKeyId or BillingMode)."""
    entry = _Entry(got[1], got[0]) if got is not None else listed
    assert entry is not None
    insight_result: Result = insights[1] if insights is not None else Failed(
        "no get-insight-selectors --event-data-store output for this event data store (for a "
        'store without Insights, which AWS answers with InsightNotEnabledException, save '
        f'{{"{STORE_ARN}": "{arn}", "InsightSelectors": []}})'
    )
    store = store_from_api(entry.data, entry.data, insight_result, "", arn_part(arn, 3))
    if got is None:
        why = "list-event-data-stores does not give it; save get-event-data-store output too"
        store = replace(store, kms_key=Reference(Unknown(why)),
                        billing_mode=Unknown(why))  # fmt: skip
    t = entry.data
    lines = {f: line_of(t, k) for f, k in STORE_KEYS.items() if isinstance(t, LineDict) and k in t}
    return replace(store, location=Location(entry.doc.display, line_of(t)), lines=lines,
                   names=STORE_KEYS)  # fmt: skip
