"""trailcheck's snapshot format: schema, loading, and dump/load round trips."""

from __future__ import annotations

import json
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.estate_builder import COLLECTIONS
from checker.loaders import LoadOptions, load_paths
from checker.loaders.aws import live_shapes as shapes
from checker.loaders.aws.snapshot import (
    NOT_SERIALIZED,
    dump_snapshot,
    load_snapshot,
    validate,
)
from checker.model import (
    Alarm,
    Bucket,
    Computed,
    ControlPolicy,
    Diagnostic,
    Estate,
    InputFile,
    Location,
    PublicAccessBlock,
    Reference,
    Selectors,
    Trail,
    Unknown,
    Unread,
)
from checker.resources import schema_path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "snapshot"
ACCOUNT = "111122223333"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:security-alerts"


def load(path: Path) -> Estate:
    return load_snapshot(path, path.name, LoadOptions())


def round_trip(estate: Estate, tmp_path: Path) -> Estate:
    doc = dump_snapshot(estate)
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return load(path)


def same(a: Estate, b: Estate) -> bool:
    return replace(a, inputs=()) == replace(b, inputs=())


# -- the fixture ------------------------------------------------------------------------------


def test_fixture_loads_as_a_live_estate() -> None:
    e = load(FIXTURES / "account.json")
    assert e.diagnostics == () and e.origin == "live"
    assert e.inputs == (InputFile("account.json", "snapshot", "ok"),)
    t = e.trails[0]
    assert t.id == t.arn == f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/org-audit"
    assert (t.is_logging, t.is_organization, t.account_id) == (True, True, ACCOUNT)
    assert isinstance(t.selectors, Selectors) and t.selectors.kind == "advanced"
    assert len(t.insight_selectors) == 2  # type: ignore[arg-type]
    assert e.bucket_of(t) is e.buckets[0] and e.buckets[0].id == "arn:aws:s3:::org-audit-logs"
    assert e.buckets[0].origin == "live" and e.buckets[0].object_lock_days == 365
    assert e.key_of(t) is e.keys[0] and e.log_group_of(t) is e.log_groups[0]
    assert e.filters_on(e.log_groups[0]) == e.metric_filters
    assert e.subscriptions_of(e.topics[0]) == e.subscriptions
    assert e.policies[0].kind == "scp" and e.policies[0].targets == ("r-abcd",)
    assert e.account_public_access_blocks == (PublicAccessBlock(True, True, True, True),)
    assert e.organization_accounts == (ACCOUNT, "444455556666")
    # the not_checked entry with affects makes the topic policy unknown
    assert e.topics[0].policy == Unknown(
        f"sns:GetTopicAttributes on {TOPIC} failed: AccessDenied"
    )
    assert (t.location.file, t.location.line) == ("account.json", 26)


def test_fixture_dump_round_trips(tmp_path: Path) -> None:
    e = load(FIXTURES / "account.json")
    assert same(round_trip(e, tmp_path), e)


def test_schema_error_is_one_ct000_at_the_line() -> None:
    for e in (
        load(FIXTURES / "broken-schema.json"),
        load_paths([str(FIXTURES / "broken-schema.json")], LoadOptions(cwd=str(FIXTURES))),
    ):
        assert len(e.diagnostics) == 1
        d = e.diagnostics[0]
        assert (d.rule_id, d.status, d.location.file, d.location.line) == (
            "CT000", "fail", "broken-schema.json", 32
        )  # fmt: skip
        assert "trails/0/is_logging" in d.message
        assert e.trails == () and e.inputs[0].status == "error"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('{"trailcheck_snapshot": 2}', 1, "trailcheck_snapshot"),
        ('{"trailcheck_snapshot": 1,\n "trails": [{"name": "x"}]}', 2, "trails/0"),
        ('{"trailcheck_snapshot": 1,\n "buckets": [{"name": "b", "colour": 1}]}', 2, "colour"),
        ('{"trailcheck_snapshot": 1,\n\n "trails": [}', 3, "invalid JSON"),
        ('{"trailcheck_snapshot": 1, "metric_filters": [{"id": "m", "log_group": "g",\n'
         '  "pattern": "", "transformations": [{"name": "n"}]}]}', 2, "namespace"),
    ],
)  # fmt: skip
def test_invalid_snapshots(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = tmp_path / "s.json"
    path.write_text(text, encoding="utf-8")
    e = load(path)
    assert [(d.rule_id, d.location.line) for d in e.diagnostics] == [("CT000", line)]
    assert words in e.diagnostics[0].message


# -- round trips ------------------------------------------------------------------------------


def live_estate() -> Estate:
    """An estate as the live loader builds it, with calls that failed."""
    denied = shapes.Failed("s3:GetBucketPolicy on logs failed: AccessDenied")
    bucket = shapes.bucket_from_api(
        "logs", account=ACCOUNT, region="eu-west-1", reader=(ACCOUNT, "eu-west-1"),
        policy=denied, acl={"Grants": [{"Grantee": {"URI": "x/AllUsers"}, "Permission": "READ"}]},
        versioning={"Status": "Enabled", "MFADelete": "Enabled"},
        object_lock={"ObjectLockConfiguration": {"ObjectLockEnabled": "Enabled",
                     "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Years": 2}}}},
        public_access=shapes.ABSENT, logging=shapes.ABSENT,
        lifecycle={"Rules": [{"Status": "Enabled", "Expiration": {"Date": "2030-01-01"}}]},
        encryption=shapes.Failed("s3:GetBucketEncryption on logs failed: Throttling"),
    )  # fmt: skip
    arn = f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/t"
    trail = shapes.trail_from_api(
        {"TrailARN": arn, "Name": "t", "HomeRegion": "eu-west-1", "S3BucketName": "logs",
         "IsMultiRegionTrail": True},
        {"IsLogging": True},
        shapes.Failed("cloudtrail:GetEventSelectors on t failed: AccessDenied"),
        shapes.ABSENT,
        ACCOUNT,
    )  # fmt: skip
    key_arn = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/k"
    key = shapes.key_from_api(
        key_arn, {"KeyMetadata": {"Arn": key_arn, "KeyId": "k", "KeyManager": "CUSTOMER"}},
        shapes.Failed("kms:GetKeyRotationStatus failed: AccessDenied"), shapes.ABSENT, ACCOUNT,
    )  # fmt: skip
    filters = shapes.metric_filters_from_api(
        f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:g:*",
        shapes.Failed("logs:DescribeMetricFilters failed: AccessDenied"),
    )
    alarm = Alarm(id=f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT}:alarm:a", metric_name="M",
                  namespace="N", actions=(Reference(TOPIC),), actions_enabled=False)  # fmt: skip
    scp = ControlPolicy(id="arn:aws:organizations::1:policy/p", kind="scp",
                        document=Unknown("organizations:DescribePolicy failed"),
                        targets=Unknown("organizations:ListTargetsForPolicy failed"))  # fmt: skip
    return Estate(
        trails=(trail,), buckets=(bucket,), keys=(key,), metric_filters=filters, alarms=(alarm,),
        policies=(scp,),
        account_public_access_blocks=(
            shapes.unknown_public_access_block("s3control denied", Location("x")),
        ),
        organization_accounts=Unknown("organizations:ListAccounts failed: AccessDenied"),
        diagnostics=(Diagnostic("CT000", "fail", "account 444455556666 could not be read",
                                Location("aws://444455556666"), resource="444455556666"),),
        origin="live",
    )  # fmt: skip


def test_live_estate_round_trips(tmp_path: Path) -> None:
    e = live_estate()
    back = round_trip(e, tmp_path)
    assert same(back, e)
    assert back.inputs == (InputFile("snapshot.json", "snapshot", "ok"),)
    assert isinstance(back.buckets[0].policy, Unknown)
    assert back.diagnostics[0].location == Location("aws://444455556666")


def test_dump_is_json_and_valid_under_the_schema() -> None:
    doc = dump_snapshot(live_estate())
    assert json.loads(json.dumps(doc)) == doc
    assert validate(doc) is None
    assert doc["trails"][0]["selectors"] == {
        "$unknown": "cloudtrail:GetEventSelectors on t failed: AccessDenied"
    }
    assert doc["accounts"] == [{"account_id": ACCOUNT, "regions": ["eu-west-1"]}]


def test_what_the_audit_command_saves_loads(tmp_path: Path) -> None:
    doc = dump_snapshot(live_estate())
    doc["not_checked"] = [
        {"account": ACCOUNT, "region": "eu-west-1", "call": "s3:GetBucketPolicy", "target": "logs",
         "error": "AccessDenied", "message": "", "reason": "s3:GetBucketPolicy on logs failed"},
    ]  # fmt: skip
    path = tmp_path / "saved.json"
    path.write_text(json.dumps(doc, indent=2, sort_keys=True), encoding="utf-8")
    assert same(load(path), live_estate())  # entries without affects only inform


def test_computed_and_unknown_values_keep_their_kind(tmp_path: Path) -> None:
    trail = Trail(
        id="arn:aws:cloudtrail:us-east-1:1:trail/x", name="x",
        kms_key=Reference(Computed("assigned later")), is_logging=Unknown("denied"),
        s3_key_prefix=Unknown("denied"), cloudwatch_logs_role_arn=Computed("later"),
    )  # fmt: skip
    bucket = Bucket(
        id="arn:aws:s3:::b", name="b", origin="live",
        policy={"Statement": [{"Resource": Unknown("from a variable")}]},
    )  # fmt: skip
    e = Estate(trails=(trail,), buckets=(bucket,), origin="live")
    back = round_trip(e, tmp_path)
    assert same(back, e)
    assert type(back.trails[0].kms_key.value) is Computed  # type: ignore[union-attr]
    assert type(back.trails[0].is_logging) is Unknown


tri = st.booleans() | st.builds(Unknown, st.text(max_size=20))
maybe_str = st.text(max_size=20) | st.builds(Unknown, st.text(max_size=20))


@settings(max_examples=60, deadline=None)
@given(
    st.builds(
        Trail,
        id=st.text(min_size=1, max_size=30), name=maybe_str, is_logging=tri,
        is_multi_region=tri, include_global_service_events=tri, log_file_validation=tri,
        account_id=maybe_str, home_region=maybe_str,
        bucket=st.none() | st.builds(Reference, maybe_str),
        s3_key_prefix=st.none() | maybe_str,
        selectors=st.just(Selectors.default()) | st.builds(Unknown, st.text(max_size=10)),
    ),
    st.lists(st.text(alphabet="0123456789", min_size=12, max_size=12), max_size=3)
    | st.builds(Unknown, st.text(max_size=10)),
)  # fmt: skip
def test_round_trip_property(tmp_path_factory: Any, trail: Trail, members: Any) -> None:
    members = tuple(members) if isinstance(members, list) else members
    e = Estate(trails=(trail,), organization_accounts=members, origin="live")
    assert same(round_trip(e, tmp_path_factory.mktemp("rt")), e)


# -- affects: fields the audit could not read -------------------------------------------------


def test_not_checked_affects_fields_members_and_collections(tmp_path: Path) -> None:
    doc = dump_snapshot(Estate(trails=(Trail(id="T", name="t"),), origin="live"))
    doc["not_checked"] = [
        {"call": "cloudtrail:GetTrailStatus", "region": "us-east-1", "error": "AccessDenied",
         "affects": ["is_logging@T", "kms_key@T"]},
        {"call": "organizations:ListAccounts", "region": "us-east-1", "error": "AccessDenied",
         "affects": ["organization_accounts", f"account_public_access_block@{ACCOUNT}"]},
        {"call": "cloudtrail:DescribeTrails", "region": "ap-south-2", "error": "OptInRequired",
         "affects": ["trails"]},
    ]  # fmt: skip
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    e = load(path)
    reason = "cloudtrail:GetTrailStatus in us-east-1 failed: AccessDenied"
    assert e.trails[0].is_logging == Unknown(reason)
    assert e.trails[0].kms_key == Reference(Unknown(reason))
    assert isinstance(e.organization_accounts, Unknown)
    assert isinstance(e.account_public_access_blocks[0].block_public_policy, Unknown)
    assert [(d.rule_id, d.status) for d in e.diagnostics] == [("CT000", "unknown")]
    assert "trails may be incomplete" in e.diagnostics[0].message


def test_ids_default_to_arns(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(
        json.dumps(
            {
                "trailcheck_snapshot": 1,
                "trails": [{"arn": "arn:aws:cloudtrail:us-east-1:1:trail/x", "name": "x"}],
                "buckets": [{"name": "logs"}],
            }
        ),
        encoding="utf-8",
    )
    e = load(path)
    assert e.trails[0].id == "arn:aws:cloudtrail:us-east-1:1:trail/x"
    assert e.buckets[0].id == "arn:aws:s3:::logs"
    assert e.origin == "live" and isinstance(e.organization_accounts, Unknown)


# -- the schema follows the model -------------------------------------------------------------


def _def(schema: dict[str, Any], name: str) -> dict[str, Any]:
    node = schema["properties"][name]["items"]
    return schema["$defs"][node["$ref"].rsplit("/", 1)[1]]  # type: ignore[no-any-return]


def test_schema_lists_every_model_field() -> None:
    schema = json.loads(schema_path("snapshot.schema.json").read_text())
    for name, cls in COLLECTIONS:
        expected = {f.name for f in fields(cls)} - NOT_SERIALIZED
        assert set(_def(schema, name)["properties"]) == expected, name
    pab = {f.name for f in fields(PublicAccessBlock)} - NOT_SERIALIZED
    assert set(schema["$defs"]["publicAccessBlock"]["properties"]) == pab
    # `removals` are a change's deletions (a plan's), never the state a snapshot holds
    estate_fields = {f.name for f in fields(Estate)} - {"inputs", "removals"}
    assert estate_fields <= set(schema["properties"])


def test_a_folder_of_snapshots_is_one_unit_per_file(tmp_path: Path) -> None:
    """What `audit --organization --save DIR` writes: `scan DIR` loads every file, each as its own
    load unit, and the organization trail of one file joins the bucket of another by name."""
    org_trail = Trail(
        id="arn:aws:cloudtrail:us-east-1:111111111111:trail/org", name="org",
        arn="arn:aws:cloudtrail:us-east-1:111111111111:trail/org", account_id="111111111111",
        home_region="us-east-1", is_organization=True, bucket=Reference("org-logs"),
    )  # fmt: skip
    logs = Bucket(id="arn:aws:s3:::org-logs", name="org-logs", account_id="222222222222")
    folder = tmp_path / "snapshots"
    folder.mkdir()
    for account, estate in (("111111111111", Estate(trails=(org_trail,))),
                            ("222222222222", Estate(buckets=(logs,)))):  # fmt: skip
        members = ("111111111111", "222222222222")
        doc = dump_snapshot(replace(estate, organization_accounts=members))
        (folder / f"{account}.json").write_text(json.dumps(doc), encoding="utf-8")
    loaded = load_paths([str(folder)], LoadOptions(cwd=str(tmp_path)))
    assert sorted(i.path for i in loaded.inputs) == [
        "snapshots/111111111111.json", "snapshots/222222222222.json",
    ]  # fmt: skip
    (trail,) = loaded.trails
    assert trail.location.unit == "snapshots/111111111111.json"
    assert loaded.buckets[0].location.unit == "snapshots/222222222222.json"
    assert loaded.bucket_of(trail) is loaded.buckets[0]
    assert loaded.organization_accounts == ("111111111111", "222222222222")


# -- delivery errors --------------------------------------------------------------------------


def test_delivery_state_round_trips(tmp_path: Path) -> None:
    from checker.delivery_state import DeliveryState, DeliveryStatus

    status = DeliveryStatus(
        s3=DeliveryState(False, "AccessDenied", "2026-01-01T00:00:00Z", "2026-01-02T09:15:00Z"),
        cloudwatch_logs=DeliveryState(Unknown("cannot be dated"), "AccessDeniedException"),
    )
    trails = (Trail(id="arn:aws:cloudtrail:us-east-1:1:trail/a", name="a", delivery=status),
              Trail(id="arn:aws:cloudtrail:us-east-1:1:trail/b", name="b",
                    delivery=Unknown("denied")),
              Trail(id="arn:aws:cloudtrail:us-east-1:1:trail/c", name="c"))  # fmt: skip
    e = Estate(trails=trails, origin="live")
    assert validate(dump_snapshot(e)) is None
    back = round_trip(e, tmp_path)
    assert same(back, e)
    assert [t.delivery for t in back.trails] == [status, Unknown("denied"), None]


def test_an_older_snapshot_has_delivery_unknown() -> None:
    t = load(FIXTURES / "account.json").trails[0]
    assert isinstance(t.delivery, Unknown) and "trailcheck audit --save" in t.delivery.reason


def test_what_could_not_be_read_round_trips(tmp_path: Path) -> None:
    unread = (
        Unread("event_data_stores", ACCOUNT, "us-east-1", "cloudtrail:ListEventDataStores failed"),
        Unread("subscriptions", ACCOUNT, "us-east-1", "denied", target=TOPIC),
    )
    e = replace(live_estate(), unread=unread)
    doc = dump_snapshot(e)
    assert validate(doc) is None and len(doc["unread"]) == 2
    back = round_trip(e, tmp_path)
    assert back.unread == unread and same(back, e)
    assert "unread" not in dump_snapshot(live_estate())  # nothing unread: as before
