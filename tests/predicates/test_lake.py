"""Rules CT050-CT053 on event data stores built directly: messages, locations and unknowns."""

from __future__ import annotations

from typing import Any

from checker.model import Estate, EventDataStore, Key, Location, Reference, Unknown
from checker.rules import Options
from tests.predicates.evidence_models import one

LINES = {"retention_days": 7, "kms_key": 8, "termination_protection": 9, "status": 10}


def store(**kw: Any) -> Estate:
    kw.setdefault("retention_days", 2555)
    s = EventDataStore(id="aws_cloudtrail_event_data_store.lake", name="lake",
                       location=Location("lake.tf", 3), lines=LINES, **kw)  # fmt: skip
    return Estate(event_data_stores=(s,))


def test_retention_against_the_configured_minimum() -> None:
    short = one("CT051", store(retention_days=90))
    assert short.status == "fail" and short.line == 7 and "90 days" in short.message
    assert one("CT051", store(retention_days=400)).status == "pass"
    strict = Options(min_retention_days=730)
    assert one("CT051", store(retention_days=400), strict).status == "fail"
    unknown = one("CT051", store(retention_days=Unknown("var.days")))
    assert unknown.status == "unknown" and "var.days" in unknown.message


def test_termination_protection_and_ingestion_are_attribute_checks() -> None:
    off = one("CT050", store(termination_protection=False))
    assert off.status == "fail" and off.line == 9
    assert one("CT050", store()).status == "pass"
    stopped = one("CT053", store(status="STOPPED_INGESTION"))
    assert stopped.status == "fail" and "STOPPED_INGESTION" in stopped.message
    assert one("CT053", store(status=Unknown("not read"))).status == "unknown"


def test_kms_key_customer_managed_or_not() -> None:
    assert one("CT052", store()).status == "fail"
    aws_managed = one("CT052", store(kms_key=Reference("alias/aws/cloudtrail")))
    assert aws_managed.status == "fail" and aws_managed.line == 8
    key = Key(id="aws_kms_key.lake", location=Location("lake.tf", 20))
    e = store(kms_key=Reference("arn", target="aws_kms_key.lake"))
    e = Estate(event_data_stores=e.event_data_stores, keys=(key,))
    assert one("CT052", e).status == "pass"


def test_retention_the_billing_mode_does_not_allow_fails_whatever_the_minimum() -> None:
    """CreateEventDataStore RetentionPeriod: 7-3653 days (extendable), 7-2557 (fixed)."""
    fixed = one("CT051", store(retention_days=3000, billing_mode="FIXED_RETENTION_PRICING"))
    assert fixed.status == "fail" and fixed.line == 7 and "7 to 2557" in fixed.message
    assert one("CT051", store(retention_days=3000)).status == "pass"  # extendable by default
    assert one("CT051", store(retention_days=4000)).status == "fail"
    # an unknown mode matters only between the two maximums
    mode = Unknown("var.mode")
    between = one("CT051", store(retention_days=3000, billing_mode=mode))
    assert between.status == "unknown" and "var.mode" in between.message
    assert one("CT051", store(retention_days=2000, billing_mode=mode)).status == "pass"
    assert one("CT051", store(retention_days=4000, billing_mode=mode)).status == "fail"
