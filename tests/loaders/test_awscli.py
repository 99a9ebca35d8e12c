"""Saved AWS CLI output: joins, shadow trails, defaults, malformed files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker.delivery_state import DeliveryState, DeliveryStatus
from checker.loaders import LoadOptions, load_paths
from checker.loaders.aws.cli import load_awscli
from checker.model import (
    AdvancedSelector,
    BasicSelector,
    DataResource,
    Diagnostic,
    Estate,
    FieldSelector,
    InsightSelector,
    Location,
    Reference,
    Selectors,
    Unknown,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "awscli"
ARN = "arn:aws:cloudtrail:us-east-1:111122223333:trail/org-audit"
REGIONAL = "arn:aws:cloudtrail:eu-west-1:111122223333:trail/regional"


def folder(name: str) -> Estate:
    root = FIXTURES / name
    docs = [(p, p.name) for p in sorted(root.glob("*.json"))]
    return load_awscli(docs, LoadOptions(cwd=str(root)))


def write(tmp_path: Path, files: dict[str, Any]) -> Estate:
    docs = []
    for name, data in files.items():
        path = tmp_path / name
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")
        docs.append((path, name))
    return load_awscli(docs, LoadOptions(cwd=str(tmp_path)))


def entry(name: str = "t", region: str = "us-east-1", **fields: Any) -> dict[str, Any]:
    base = {
        "Name": name,
        "S3BucketName": f"{name}-logs",
        "IncludeGlobalServiceEvents": True,
        "IsMultiRegionTrail": False,
        "HomeRegion": region,
        "TrailARN": f"arn:aws:cloudtrail:{region}:111122223333:trail/{name}",
        "LogFileValidationEnabled": False,
        "HasCustomEventSelectors": False,
        "HasInsightSelectors": False,
        "IsOrganizationTrail": False,
    }
    return base | fields


def only_ct000(estate: Estate) -> Diagnostic:
    assert len(estate.diagnostics) == 1, estate.diagnostics
    d = estate.diagnostics[0]
    assert (d.rule_id, d.status) == ("CT000", "fail")
    return d


# -- joins --------------------------------------------------------------------------------------


def test_every_output_joins_its_trail() -> None:
    e = folder("joined")
    assert e.diagnostics == () and e.origin == "live"
    assert {i.status for i in e.inputs} == {"ok"} and len(e.inputs) == 6
    org, regional = (next(t for t in e.trails if t.id == a) for a in (ARN, REGIONAL))
    assert org.arn == ARN and org.name == "org-audit"
    assert (org.account_id, org.home_region) == ("111122223333", "us-east-1")
    assert org.is_logging is True  # org-audit.status.json: joined by file name
    assert regional.is_logging is False  # regional-status.json: joined by its Name key
    assert (org.is_multi_region, org.is_organization, org.log_file_validation) == (True, True, True)
    assert org.bucket == Reference("org-audit-logs") and org.s3_key_prefix == "audit"
    assert org.kms_key == Reference(
        "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )
    assert org.sns_topic == Reference("arn:aws:sns:us-east-1:111122223333:trail-deliveries")
    assert org.selectors == Selectors(
        "basic",
        basic=(
            BasicSelector(
                data_resources=(DataResource("AWS::S3::Object", ("arn:aws:s3",)),),
                exclude_management_event_sources=("kms.amazonaws.com",),
            ),
        ),
    )
    assert org.insight_selectors == (
        InsightSelector("ApiCallRateInsight"),
        InsightSelector("ApiErrorRateInsight", ("Management", "Data")),
    )
    assert regional.home_region == "eu-west-1" and regional.include_global_service_events is False
    assert regional.selectors == Selectors(
        "advanced",
        advanced=(
            AdvancedSelector(
                (
                    FieldSelector("eventCategory", equals=("Data",)),
                    FieldSelector("resources.type", equals=("AWS::S3::Object",)),
                    FieldSelector("readOnly", equals=("false",)),
                    FieldSelector(
                        "resources.ARN",
                        starts_with=("arn:aws:s3:::regional-data/",),
                        not_starts_with=("arn:aws:s3:::regional-data/tmp/",),
                    ),
                ),
                name="Log writes to one bucket",
            ),
        ),
    )
    assert regional.insight_selectors == ()


def test_trails_point_at_their_lines_in_describe_trails() -> None:
    org = next(t for t in folder("joined").trails if t.id == ARN)
    assert (org.location.file, org.location.line) == ("describe-trails.json", 3)
    assert org.where("is_multi_region").line == 10
    assert org.where("kms_key").line == 16
    # read from another output: found, and named, where that output says it
    assert org.where("is_logging") == Location("org-audit.status.json", 2)
    assert org.where("selectors") == Location("get-event-selectors-org-audit.json", 3)
    assert org.where("insight_selectors") == Location("get-insight-selectors.json", 3)
    assert (org.spelling("is_logging"), org.spelling("selectors")) == (
        "IsLogging", "EventSelectors")


def test_shadow_copies_are_one_trail() -> None:
    e = folder("shadow")
    assert e.diagnostics == ()
    assert sorted(t.name for t in e.trails) == ["everywhere", "ireland-only"]  # type: ignore[type-var]
    everywhere = next(t for t in e.trails if t.name == "everywhere")
    assert everywhere.is_logging is True and everywhere.home_region == "us-east-1"


def test_missing_outputs_give_defaults_or_unknowns() -> None:
    plain, custom = sorted(folder("defaults").trails, key=lambda t: str(t.name), reverse=True)
    assert plain.name == "plain" and plain.selectors == Selectors.default()
    assert plain.insight_selectors == ()
    assert plain.is_logging == Unknown("no get-trail-status output for this trail")
    assert custom.selectors == Unknown("no get-event-selectors output for this trail")
    assert custom.insight_selectors == Unknown("no get-insight-selectors output for this trail")
    assert plain.account_id == "444455556666" and plain.home_region == "us-west-2"


def test_without_the_has_flags_missing_selectors_are_unknown(tmp_path: Path) -> None:
    t = entry()
    del t["HasCustomEventSelectors"], t["HasInsightSelectors"]
    trail = write(tmp_path, {"describe-trails.json": {"trailList": [t]}}).trails[0]
    assert isinstance(trail.selectors, Unknown) and isinstance(trail.insight_selectors, Unknown)


def test_the_default_selector_reported_by_aws_is_the_default(tmp_path: Path) -> None:
    arn = entry()["TrailARN"]
    selectors = {
        "TrailARN": arn,
        "EventSelectors": [
            {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [],
             "ExcludeManagementEventSources": []}
        ],
    }  # fmt: skip
    e = write(tmp_path, {"describe-trails.json": {"trailList": [entry()]}, "s.json": selectors})
    assert e.trails[0].selectors == Selectors.default()


def test_get_trail_and_a_bare_trail_list_count_as_trails(tmp_path: Path) -> None:
    e = write(
        tmp_path,
        {"get-trail.json": {"Trail": entry("a")}, "list.json": [entry("b", "eu-west-1")]},
    )
    assert sorted(str(t.name) for t in e.trails) == ["a", "b"] and e.diagnostics == ()


def test_status_joined_by_trail_arn_key(tmp_path: Path) -> None:
    t = entry()
    e = write(
        tmp_path,
        {
            "describe-trails.json": {"trailList": [t]},
            "status.json": {"TrailARN": t["TrailARN"], "IsLogging": False},
        },
    )
    assert e.trails[0].is_logging is False and e.diagnostics == ()


def test_a_json_file_of_no_known_shape_is_skipped(tmp_path: Path) -> None:
    e = write(tmp_path, {"other.json": {"TrailARN": "arn:aws:cloudtrail:x", "Foo": 1}})
    assert e.inputs[0].status == "skipped" and e.diagnostics == () and e.trails == ()


# -- malformed output: one CT000 each, naming file and line ---------------------------------------


def test_describe_trails_without_traillist() -> None:
    d = only_ct000(folder("broken-missing-traillist"))
    assert d.location.file == "describe-trails-broken.json" and d.location.line == 1
    assert "no trailList" in d.message


def test_event_selectors_without_trail_arn() -> None:
    e = folder("broken-selectors-without-arn")
    d = only_ct000(e)
    assert d.location.file == "get-event-selectors-broken.json" and d.location.line == 1
    assert "no TrailARN" in d.message
    assert [i.status for i in e.inputs] == ["ok", "error"]
    assert isinstance(e.trails[0].selectors, Unknown)  # nothing joined


def test_discovery_routes_the_broken_file_to_this_loader() -> None:
    path = FIXTURES / "broken-missing-traillist" / "describe-trails-broken.json"
    e = load_paths([str(path)], LoadOptions(cwd=str(path.parent)))
    d = only_ct000(e)
    assert (d.location.file, d.location.line) == ("describe-trails-broken.json", 1)
    assert e.inputs[0].kind == "awscli"


@pytest.mark.parametrize(
    ("files", "bad", "line", "words"),
    [
        ({"describe-trails.json": {"trailList": {"Name": "x"}}}, "describe-trails.json", 2,
         "trailList in describe-trails is not a list"),
        ({"describe-trails.json": {"trailList": [entry(), {"Name": "no-arn"}]}},
         "describe-trails.json", 15, "trail entry 2 has no TrailARN"),
        ({"describe-trails.json": {"trailList": [entry()]},
          "ins.json": {"TrailARN": "arn:aws:cloudtrail:us-east-1:111122223333:trail/other",
                       "InsightSelectors": []}},
         "ins.json", 1, "which no describe-trails or list-trails output of the scan lists"),
        ({"describe-trails.json": {"trailList": [entry()]},
          "sel.json": {"TrailARN": entry()["TrailARN"], "EventSelectors": {"x": 1}}},
         "sel.json", 3, "EventSelectors in get-event-selectors output is not a list"),
        ({"describe-trails.json": {"trailList": [entry()]}, "status.json": {"IsLogging": True}},
         "status.json", 1, "does not say which trail it is about"),
        ({"describe-trails.json": {"trailList": [entry()]},
          "nobody.status.json": {"IsLogging": True}},
         "nobody.status.json", 1, "matches no trail"),
        ({"describe-trails.json": {"trailList": [entry(), entry(region="eu-west-1")]},
          "t.status.json": {"IsLogging": True}},
         "t.status.json", 1, "matches 2 trails"),
        ({"describe-trails.json": {"trailList": [entry()]},
          "t.status.json": {"IsLogging": "yes"}},
         "t.status.json", 2, "IsLogging in get-trail-status is not true/false"),
        ({"describe-trails.json": {"trailList": [entry(IsMultiRegionTrail="yes")]}},
         "describe-trails.json", 7, "trail entry 1: IsMultiRegionTrail is not true or false"),
        ({"describe-trails.json": {"trailList": [entry()]},
          "sel.json": {"TrailARN": entry()["TrailARN"],
                       "EventSelectors": [{"DataResources": [{"Type": "AWS::S3::Object",
                                                              "Values": ["a", 3]}]}]}},
         "sel.json", 10, "EventSelectors[0].DataResources[0].Values[1] in get-event-selectors"),
        ({"describe-trails.json": {"trailList": [entry()]},
          "ins.json": {"TrailARN": entry()["TrailARN"], "InsightSelectors": [None]}},
         "ins.json", 4, "InsightSelectors[0] in get-insight-selectors output is not an object"),
    ],
)  # fmt: skip
def test_malformed_outputs(
    tmp_path: Path, files: dict[str, Any], bad: str, line: int, words: str
) -> None:
    _one_error_at(tmp_path, files, bad, line, words)


def _one_error_at(tmp_path: Path, files: dict[str, Any], bad: str, line: int,
                  words: str) -> None:  # fmt: skip
    """The files give one CT000, at `bad`'s `line`, saying `words`; only `bad` is in error."""
    e = write(tmp_path, files)
    d = only_ct000(e)
    assert (d.location.file, d.location.line) == (bad, line)
    assert words in d.message
    statuses = {i.path: i.status for i in e.inputs}
    assert statuses[bad] == "error"
    assert all(s == "ok" for p, s in statuses.items() if p != bad)


def test_a_file_that_cannot_be_read_is_a_ct000_and_the_others_still_load(tmp_path: Path) -> None:
    good = tmp_path / "describe-trails.json"
    good.write_text(json.dumps({"trailList": [entry()]}), encoding="utf-8")
    missing = tmp_path / "gone.json"  # listed, then removed before it was read
    e = load_awscli([(good, "describe-trails.json"), (missing, "gone.json")], LoadOptions())
    assert len(e.trails) == 1
    assert [(d.rule_id, d.location.file) for d in e.diagnostics] == [("CT000", "gone.json")]


def test_an_empty_trail_list_is_a_live_account_without_trails(tmp_path: Path) -> None:
    e = write(tmp_path, {"describe-trails.json": {"trailList": []}})
    assert e.origin == "live" and e.trails == () and e.diagnostics == ()


def test_stray_json_does_not_make_the_scan_an_audit(tmp_path: Path) -> None:
    e = write(tmp_path, {"fixture.json": {"IsLogging": True, "TrailARN": ""}})
    assert e.origin == "iac"


def test_trails_name_their_fields_as_describe_trails_does() -> None:
    t = folder("defaults").trails[0]
    assert t.spelling("log_file_validation") == "LogFileValidationEnabled"
    assert t.spelling("sns_topic") == "SnsTopicARN"  # absent, named by its key


# -- CloudTrail Lake ------------------------------------------------------------------------------

STORES = "arn:aws:cloudtrail:eu-central-1:111122223333:eventdatastore/"
ARCHIVE = STORES + "0c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f"
LISTED = STORES + "9f8e7d6c-5b4a-3c2d-1e0f-a9b8c7d6e5f4"


def test_event_data_stores_join_their_outputs_by_arn() -> None:
    """get-event-data-store output (which has AdvancedEventSelectors, as get-event-selectors
    output does) is a store, not selectors without a TrailARN; its Insights join by ARN."""
    e = folder("lake")
    assert all(d.status == "unknown" for d in e.diagnostics)  # the page note, below
    stores = {s.id: s for s in e.event_data_stores}
    assert set(stores) == {ARCHIVE, LISTED}
    archive = stores[ARCHIVE]
    assert (archive.name, archive.home_region, archive.account_id) == (
        "audit-archive", "eu-central-1", "111122223333")
    assert (archive.retention_days, archive.billing_mode) == (3000, "EXTENDABLE_RETENTION_PRICING")
    assert archive.kms_key == Reference(
        "arn:aws:kms:eu-central-1:111122223333:key/5e6f7a8b-1c2d-3e4f-5a6b-7c8d9e0f1a2b")
    assert archive.insight_selectors == (
        InsightSelector("ApiCallRateInsight", ("Management",)),
        InsightSelector("ApiErrorRateInsight", ("Management",)),
    )
    assert archive.insights_destination is not None
    assert archive.location.file == "get-event-data-store-audit-archive.json"
    assert archive.where("retention_days").line == 13
    assert archive.spelling("retention_days") == "RetentionPeriod"


def test_a_store_only_listed_has_the_lists_settings_and_says_what_it_lacks() -> None:
    listed = {s.id: s for s in folder("lake").event_data_stores}[LISTED]
    assert (listed.status, listed.is_multi_region, listed.retention_days) == (
        "STOPPED_INGESTION", False, 90)
    assert isinstance(listed.billing_mode, Unknown)
    assert listed.kms_key is not None and isinstance(listed.kms_key.value, Unknown)
    assert "get-event-data-store" in listed.kms_key.value.reason
    assert isinstance(listed.insight_selectors, Unknown)
    assert "InsightNotEnabledException" in listed.insight_selectors.reason


def test_discovery_takes_lake_output_as_cli_output(tmp_path: Path) -> None:
    got = {"EventDataStoreArn": ARCHIVE, "Name": "a", "Status": "ENABLED",
           "RetentionPeriod": 7, "BillingMode": "FIXED_RETENTION_PRICING"}  # fmt: skip
    (tmp_path / "store.json").write_text(json.dumps(got), encoding="utf-8")
    e = load_paths([str(tmp_path)], LoadOptions(cwd=str(tmp_path)))
    assert [s.id for s in e.event_data_stores] == [ARCHIVE]
    assert e.event_data_stores[0].billing_mode == "FIXED_RETENTION_PRICING"


@pytest.mark.parametrize(
    ("files", "bad", "line", "words"),
    [
        ({"stores.json": {"EventDataStores": [{"EventDataStoreArn": ARCHIVE,
                                               "RetentionPeriod": "long"}]}},
         "stores.json", 5, "EventDataStores[0].RetentionPeriod in list-event-data-stores output "
                           "is not a whole number"),
        ({"stores.json": {"EventDataStores": [{"Name": "no-arn"}]}},
         "stores.json", 3, "event data store entry 1 has no EventDataStoreArn"),
        ({"stores.json": {"EventDataStores": [{"EventDataStoreArn": ARCHIVE}]},
          "ins.json": {"EventDataStoreArn": LISTED, "InsightSelectors": []}},
         "ins.json", 1, "which no list-event-data-stores or get-event-data-store output"),
        ({"store.json": {"EventDataStoreArn": ARCHIVE, "MultiRegionEnabled": "yes"}},
         "store.json", 3, "MultiRegionEnabled in get-event-data-store output is not true or"),
    ],
)  # fmt: skip
def test_malformed_lake_outputs(
    tmp_path: Path, files: dict[str, Any], bad: str, line: int, words: str
) -> None:
    _one_error_at(tmp_path, files, bad, line, words)


def test_one_page_of_stores_says_the_others_are_missing() -> None:
    """A NextToken in saved list output: the CLI stopped after one page (--no-paginate,
    --max-items); the stores of the other pages are not in the scan."""
    e = folder("lake")
    (note,) = e.diagnostics
    assert (note.rule_id, note.status, note.location.line) == ("CT000", "unknown", 32)
    assert all(i.status == "ok" for i in e.inputs)
    assert "one page" in note.message


def test_outputs_appended_to_one_file_are_named_as_such(tmp_path: Path) -> None:
    """`aws cloudtrail describe-trails >> out.json; aws cloudtrail get-event-selectors ... >>
    out.json`: the second document starts where the first ends."""
    text = json.dumps({"trailList": [entry()]}, indent=2) + "\n" + json.dumps(
        {"TrailARN": entry()["TrailARN"], "EventSelectors": []}, indent=2)
    (tmp_path / "describe-trails.json").write_text(text, encoding="utf-8")
    d = only_ct000(load_paths([str(tmp_path)], LoadOptions(cwd=str(tmp_path))))
    assert d.location.line == 17 and "more than one JSON document" in d.message


# -- delivery errors (get-trail-status) --------------------------------------------------------


def test_a_current_delivery_error_from_cli_v1_output() -> None:
    [t] = folder("delivery-current").trails
    assert isinstance(t.delivery, DeliveryStatus)
    assert t.delivery.s3 == DeliveryState(
        False, "AccessDenied", "2026-01-01T00:00:00Z", "2026-01-02T09:15:00Z"
    )
    assert t.delivery.digest == DeliveryState(False, "AccessDenied", None)
    assert t.delivery.cloudwatch_logs.delivering is True
    # a finding about S3 delivery points at the error in the status file
    assert t.where("delivery.s3") == Location("audit.status.json", 3)


def test_a_stale_delivery_error_from_cli_v2_output() -> None:
    [t] = folder("delivery-stale").trails
    assert isinstance(t.delivery, DeliveryStatus)
    assert t.delivery.s3 == DeliveryState(True, "NoSuchBucket", "2026-01-02T09:20:00Z")
    assert t.delivery.digest.last_delivered == "2026-01-02T09:00:00Z"


def test_no_status_output_leaves_delivery_unknown(tmp_path: Path) -> None:
    [t] = write(tmp_path, {"describe-trails.json": {"trailList": [entry()]}}).trails
    assert t.delivery == Unknown("no get-trail-status output for this trail")


def test_delivery_errors_judged_and_simulated(capsys: pytest.CaptureFixture[str]) -> None:
    from checker.cli import main

    current, stale = (str(FIXTURES / n) for n in ("delivery-current", "delivery-stale"))
    assert main(["scan", current, stale, "--format", "json"]) == 1
    found = {(f["file"].split("/")[-2], f["status"]) for f in json.loads(
        capsys.readouterr().out)["findings"] if f["rule_id"] == "CT012"}  # fmt: skip
    assert found == {("delivery-current", "fail"), ("delivery-stale", "pass")}


def test_trails_without_a_store_listing_leave_the_stores_unread(tmp_path: Path) -> None:
    """As when the live audit cannot list them: not "no store" (`model.Unread`)."""
    e = write(tmp_path, {"describe-trails.json": {"trailList": [entry()]}})
    (unread,) = e.unread
    assert (unread.collection, unread.account_id, unread.region) == (
        "event_data_stores", "111122223333", "")
    assert "list-event-data-stores" in unread.reason
    assert unread.location.file == "describe-trails.json"


def test_an_empty_store_listing_says_there_is_no_store(tmp_path: Path) -> None:
    e = write(tmp_path, {"describe-trails.json": {"trailList": [entry()]},
                         "list-event-data-stores.json": {"EventDataStores": []}})
    assert e.unread == () and e.event_data_stores == ()


def test_stores_without_trails_are_not_an_account_description(tmp_path: Path) -> None:
    e = write(tmp_path, {"selectors.json": {"TrailARN": "arn:aws:cloudtrail:us-east-1:1:trail/t",
                                            "EventSelectors": []}})
    assert e.unread == ()
