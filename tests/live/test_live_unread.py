"""A listing the audit could not read is never "none": `model.Unread`, end to end.

Per collection, a failed call (AccessDenied, throttling) gives one `Unread` entry, one unknown
CT000 per account, one unknown per rule about each trail or store (not one per Region), and
unknown simulated capture exactly where what was not read could record the event; what a known
trail captures stays captured, what nothing could record stays missed.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from checker.engine import evaluate, load_rules
from checker.findings import Finding
from checker.loaders.aws import live
from checker.loaders.aws.live import AuditOptions, LiveAudit, audit
from checker.model import Estate, Unread
from checker.simulator.coverage import compiled_trails
from checker.simulator.events import Event, Resource
from checker.simulator.pipeline import EventResult, simulate_event
from checker.units import unit_views
from tests.live.account import ACCOUNT_ID, Account
from tests.live.conftest import FakeAws, response
from tests.live.test_live_faults import JSON11, REGIONS, _denied_in

STORE_RULES = ("CT050", "CT051", "CT052", "CT053", "CT054")
TRAIL_RULES = ("CT002", "CT003", "CT004", "CT005", "CT006", "CT007", "CT011", "CT012")


def run(aws: FakeAws) -> tuple[LiveAudit, list[Finding]]:
    result = audit(AuditOptions(regions=REGIONS, endpoint_url=aws.url), aws.factory)
    return result, evaluate(result.estate, load_rules())


def simulate(estate: Estate, event: Event) -> EventResult:
    """The event through the account's view, as the rules see it (with its stand-ins)."""
    (view,) = unit_views(estate)
    return simulate_event(view.estate, compiled_trails(view.estate), event)


def put_object(region: str, account: str = ACCOUNT_ID) -> Event:
    """An S3 object write no known trail records (the main trail logs payroll/ only)."""
    return Event("s3.amazonaws.com", "PutObject", region, read_only=False,
                 event_category="Data", recipient_account_id=account,
                 resources=(Resource("AWS::S3::Object", "arn:aws:s3:::other/x"),))  # fmt: skip


def changed(before: list[Finding], after: list[Finding]) -> Counter[tuple[str, str]]:
    """(rule, status) -> how many more findings after than before (negative: fewer)."""
    out = Counter((f.rule_id, f.status) for f in after)
    out.subtract(Counter((f.rule_id, f.status) for f in before))
    return Counter({k: v for k, v in out.items() if v})


@pytest.mark.parametrize("code", ["AccessDeniedException", "ThrottlingException"])
def test_event_data_stores_that_cannot_be_listed(
    aws: FakeAws, account: Account, code: str
) -> None:
    _, before = run(aws)
    aws.lake_errors = dict.fromkeys(REGIONS, code)
    result, after = run(aws)
    estate = result.estate
    assert [(u.collection, u.account_id, u.region) for u in estate.unread] == [
        ("event_data_stores", ACCOUNT_ID, r) for r in sorted(REGIONS)
    ]
    assert all(code in u.reason for u in estate.unread)
    # one CT000 for the account and one unknown per store rule: 6 findings, not 6 per Region
    assert changed(before, after) == Counter(
        {("CT000", "unknown"): 1, **{(r, "unknown"): 1 for r in STORE_RULES}}
    )
    (ct000,) = [f for f in after if f.rule_id == "CT000"]
    assert "event data stores in eu-west-1, us-east-1, us-west-2 may be missing" in ct000.message
    for f in after:
        if f.rule_id in STORE_RULES:
            assert f.resource == f"aws://{ACCOUNT_ID}" and "ListEventDataStores" in f.message

    # captured by a known trail: captured, whatever the unread stores hold
    login = Event("signin.amazonaws.com", "ConsoleLogin", "eu-west-1", read_only=False,
                  recipient_account_id=ACCOUNT_ID)  # fmt: skip
    assert simulate(estate, login).status == "pass"
    # recorded by no known trail: a store may record it (multi-Region), so unknown with the reason
    write = simulate(estate, put_object("ap-south-1"))
    assert write.status == "unknown"
    assert "ListEventDataStores" in write.to_json()["unknown_by"][0]["reason"]
    # no store of an aws-partition account records an event of another partition
    assert simulate(estate, put_object("cn-north-1")).status == "fail"


def test_trails_that_cannot_be_listed_in_one_region(
    aws: FakeAws, account: Account, no_backoff: None
) -> None:
    aws.add_hook("before-send.cloudtrail.DescribeTrails", _denied_in("eu-west-1"))
    result, findings = run(aws)
    estate = result.estate
    (unread,) = estate.unread
    assert (unread.collection, unread.region) == ("trails", "eu-west-1")
    # each rule about one trail: one unknown for the trails not listed, never a pass for them
    for rule in TRAIL_RULES:
        found = [f for f in findings if f.rule_id == rule and f.resource == f"aws://{ACCOUNT_ID}"]
        assert [f.status for f in found] == ["unknown"], rule
        assert "homed in eu-west-1" in found[0].message
    # only single-Region trails homed in eu-west-1 can be missing (the others are listed as
    # shadow trails in every Region): an unrecorded write there is unknown, elsewhere missed
    assert simulate(estate, put_object("eu-west-1")).status == "unknown"
    assert simulate(estate, put_object("ap-south-1")).status == "fail"


def test_trails_that_cannot_be_listed_anywhere(aws: FakeAws, account: Account) -> None:
    def denied(request: Any, **_: Any) -> Any:
        body = b'{"__type":"AccessDeniedException","message":"no"}'
        return response(request.url, 400, body, JSON11)

    aws.add_hook("before-send.cloudtrail.DescribeTrails", denied)
    result, findings = run(aws)
    (unread,) = result.estate.unread
    assert (unread.collection, unread.region) == ("trails", "")
    # "no trail" is not known: the rules about the set of trails cannot fail on it
    ct001 = [f for f in findings if f.rule_id == "CT001"]
    assert [f.status for f in ct001] == ["unknown"]
    assert "every audited Region" in ct001[0].message


def test_subscriptions_that_cannot_be_listed(aws: FakeAws, account: Account) -> None:
    _, before = run(aws)

    def denied(request: Any, **_: Any) -> Any:
        body = (b"<ErrorResponse><Error><Type>Sender</Type><Code>AuthorizationError</Code>"
                b"<Message>no</Message></Error></ErrorResponse>")  # fmt: skip
        return response(request.url, 403, body, "text/xml")

    aws.add_hook("before-send.sns.ListSubscriptionsByTopic", denied)
    result, after = run(aws)
    assert [(u.collection, u.target) for u in result.estate.unread] == [
        ("subscriptions", account.topic_arn)
    ]
    # the CIS 5 alarm notifies the topic: whether anyone is subscribed is unknown, not "no one"
    (ct105,) = [f for f in after if f.rule_id == "CT105"]
    assert ct105.status == "unknown" and "subscriptions could not be read" in ct105.message
    assert [f.status for f in before if f.rule_id == "CT105"] == ["pass"]
    assert changed(before, after) == Counter(
        {("CT000", "unknown"): 1, ("CT105", "unknown"): 1, ("CT105", "pass"): -1}
    )


def test_scps_that_cannot_be_listed(aws: FakeAws, account: Account) -> None:
    def denied(request: Any, **_: Any) -> Any:
        body = b'{"__type":"AccessDeniedException","message":"no"}'
        return response(request.url, 400, body, JSON11)

    aws.add_hook("before-send.organizations.ListPolicies", denied)
    result, findings = run(aws)
    assert [u.collection for u in result.estate.unread] == ["policies"]
    (ct040,) = [f for f in findings if f.rule_id == "CT040"]
    assert ct040.status == "unknown"
    assert "SCPs could not be read" in ct040.message and "ListPolicies" in ct040.message


def test_audit_command_and_its_snapshot_agree(
    aws: FakeAws, account: Account, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """`trailcheck audit` with the injected session factory, and a scan of its --save."""
    monkeypatch.setattr(live, "default_session_factory", aws.factory)
    aws.lake_errors = {"us-west-2": "AccessDeniedException"}
    snapshot = tmp_path / "account.json"
    argv = ["--format", "json", "--no-config", "--regions", ",".join(REGIONS)]
    audit_code = main(["audit", "--endpoint-url", aws.url, "--save", str(snapshot), *argv])
    report = json.loads(capsys.readouterr().out)
    saved = json.loads(snapshot.read_text())
    assert saved["unread"] == [{
        "collection": "event_data_stores", "account_id": ACCOUNT_ID, "region": "us-west-2",
        "reason": "cloudtrail:ListEventDataStores in us-west-2 failed: AccessDeniedException",
        "target": "",
    }]  # fmt: skip
    unknown = {f["rule_id"] for f in report["findings"] if f["status"] == "unknown"}
    assert set(STORE_RULES) <= unknown
    assert not [f for f in report["findings"] if f["rule_id"] in STORE_RULES
                and f["status"] != "unknown"]  # fmt: skip
    scan_code = main(["scan", str(snapshot), *argv])
    offline = json.loads(capsys.readouterr().out)

    def key(f: dict[str, Any]) -> tuple[str, ...]:
        return (f["rule_id"], f["status"], f["resource"], f["message"])

    assert sorted(map(key, offline["findings"])) == sorted(map(key, report["findings"]))
    assert scan_code == audit_code


def test_unread_entries_are_not_resources() -> None:
    """A stand-in is no trail or store: the rules about each one never judge it."""
    entry = Unread("event_data_stores", ACCOUNT_ID, "us-east-1", "denied")
    estate = Estate(unread=(entry,), origin="live")
    findings = evaluate(estate, load_rules())
    assert {f.rule_id for f in findings if f.rule_id in STORE_RULES} == set(STORE_RULES)
    assert all(f.resource == f"aws://{ACCOUNT_ID}" for f in findings if f.rule_id in STORE_RULES)
