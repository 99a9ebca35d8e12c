"""`trailcheck cost` and the cost change of `trailcheck diff --events`: management events (the
first copy free), data events, CloudWatch Logs ingestion and S3, extrapolated to a month, each
charge priced in its Region."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from checker.cli import main
from checker.model import Bucket, Estate, Reference, Trail
from checker.replay.cost import MONTH_DAYS, Estimate, Line, estimate, estimate_text
from checker.replay.prices import load_prices
from checker.replay.summary import Summary, TrailStats
from tests.replay.helpers import write_jsonl

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "fixtures" / "replay" / "config"

DATA_TRAIL = '''
resource "aws_cloudtrail" "data" {
  name                          = "s3-data"
  s3_bucket_name                = "example-data-logs"
  is_multi_region_trail         = true
  advanced_event_selector {
    field_selector {
      field  = "eventCategory"
      equals = ["Data"]
    }
    field_selector {
      field  = "resources.type"
      equals = ["AWS::S3::Object"]
    }
  }
}
'''


def _sample(tmp_path: Path) -> Path:
    records = []
    for day in ("2026-11-01", "2026-11-02"):
        for i in range(50):
            records.append({"eventVersion": "1.09", "eventTime": f"{day}T10:00:{i:02d}Z",
                            "eventID": f"{day}-m{i}", "eventSource": "ec2.amazonaws.com",
                            "eventName": "RunInstances", "awsRegion": "us-east-1",
                            "eventCategory": "Management", "readOnly": False,
                            "recipientAccountId": "111122223333"})
            records.append({"eventVersion": "1.09", "eventTime": f"{day}T11:00:{i:02d}Z",
                            "eventID": f"{day}-d{i}", "eventSource": "s3.amazonaws.com",
                            "eventName": "GetObject", "awsRegion": "us-east-1",
                            "eventCategory": "Data", "readOnly": True, "managementEvent": False,
                            "recipientAccountId": "111122223333",
                            "resources": [{"type": "AWS::S3::Object",
                                           "ARN": "arn:aws:s3:::bkt/key"}]})  # fmt: skip
    return write_jsonl(tmp_path / "sample.jsonl", records)


def test_cost_prices_each_trail_per_month(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    head = tmp_path / "head"
    shutil.copytree(CONFIG, head)
    (head / "data.tf").write_text(DATA_TRAIL)
    sample = _sample(tmp_path)
    assert main(["cost", str(head), "--events", str(sample), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["sample_days"] == 2 and "default us-east-1" in doc["prices"]
    # the configuration does not say where the buckets are: S3 is priced as us-east-1, by name
    assert doc["pricing"]["priced_as_default"] == {"Region not known": ["s3_standard_per_gb_month"]}
    lines = {(x["trail"], x["item"]): x for x in doc["lines"]}
    per_month = 50 * MONTH_DAYS  # 50 events of each kind a day
    mgmt = lines[("aws_cloudtrail.main", "management events (first copy, free)")]
    assert mgmt["usd_per_month"] == 0 and mgmt["events_per_month"] == round(per_month)
    # the write-only trail records the same write events again: a charged second copy
    second = lines[("aws_cloudtrail.writes", "management events (additional copy)")]
    price = load_prices().regions["us-east-1"]["management_events_additional_copy_per_100k"]
    assert second["usd_per_month"] == round(per_month / 1e5 * price, 2)
    data = lines[("aws_cloudtrail.data", "S3 data events")]
    assert data["events_per_month"] == round(per_month)
    assert lines[("aws_cloudtrail.main", "CloudWatch Logs ingestion")]["events_per_month"] == \
        round(per_month)


def test_diff_adds_the_cost_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base, head = tmp_path / "base", tmp_path / "head"
    shutil.copytree(CONFIG, base)
    shutil.copytree(CONFIG, head)
    (head / "data.tf").write_text(DATA_TRAIL)
    sample = _sample(tmp_path)
    main(["diff", str(base), str(head), "--events", str(sample), "--no-config"])
    out = capsys.readouterr().out
    assert "Cost change per month" in out
    line = next(x for x in out.splitlines() if "S3 data events" in x)
    assert f"+{round(50 * MONTH_DAYS):,} events/month" in line and "+$" in line
    main(["diff", str(base), str(head), "--events", str(sample), "--no-config",
          "--format", "json"])  # fmt: skip
    doc = json.loads(capsys.readouterr().out)
    assert doc["cost"]["changes"][0]["item"] in ("S3 data events", "CloudWatch Logs ingestion",
                                                 "S3 storage of a month of log files")
    assert any(c["item"] == "S3 data events" for c in doc["cost"]["changes"])


LAKE_STORE = '''
resource "aws_cloudtrail_event_data_store" "lake" {
  name             = "audit-lake"
  retention_period = 731

  advanced_event_selector {
    field_selector {
      field  = "eventCategory"
      equals = ["Management"]
    }
  }
}
'''


def test_event_data_store_is_priced_by_the_bytes_it_ingests(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head = tmp_path / "head"
    shutil.copytree(CONFIG, head)
    (head / "lake.tf").write_text(LAKE_STORE)
    sample = _sample(tmp_path)
    # as if the sample were 0.002 days of logs: a month is then large enough to round
    assert main(["cost", str(head), "--events", str(sample), "--format", "json",
                 "--days", "0.002"]) == 0  # fmt: skip
    doc = json.loads(capsys.readouterr().out)
    store = [x for x in doc["lines"] if x["trail"] == "aws_cloudtrail_event_data_store.lake"]
    ingestion, retention = store  # and no management-event copy: Lake charges ingestion only
    assert ingestion["item"].startswith("CloudTrail Lake ingestion")
    assert ingestion["events_per_month"] == round(100 * MONTH_DAYS / 0.002)  # its management
    record_bytes = sample.stat().st_size / 200  # the sample's records as written, one a line
    gb = ingestion["events_per_month"] * record_bytes / 1e9
    price = load_prices().regions["us-east-1"]
    assert ingestion["gb_per_month"] == pytest.approx(gb, rel=0.05)
    assert ingestion["usd_per_month"] == pytest.approx(
        gb * price["lake_ingestion_per_gb_one_year"], rel=0.05)
    # 731 days: each month's ingestion is kept 365 days beyond the included 366
    assert "beyond 366 days" in retention["item"]
    assert retention["gb_per_month"] == pytest.approx(gb * 365 / MONTH_DAYS, rel=0.05)
    # the trails' own lines are unchanged by the store: the free copy is still a trail's
    assert any(x["item"] == "management events (first copy, free)" and
               x["trail"] == "aws_cloudtrail.main" for x in doc["lines"])  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Per-Region prices (fixtures/replay/prices/regional.yaml: eu-west-1's figures differ on purpose)

REGIONAL = REPO / "fixtures" / "replay" / "prices" / "regional.yaml"
ACCOUNT = "111122223333"


def _regional_estimate(trail: Trail, usage: dict[tuple[str, str], int],
                       *buckets: Bucket) -> Estimate:  # fmt: skip
    """`trail` captured `usage` ((category, Region) -> records of 1,000 bytes) in one day, and
    sent every record to CloudWatch Logs."""
    summary = Summary(events=sum(usage.values()), bytes=1000 * sum(usage.values()))
    summary.days["2026-11-01"] = Counter()
    source = {"Data": "s3.amazonaws.com", "Management": "", "": ""}
    for (category, region), n in usage.items():
        summary.usage[(trail.id, category, source[category], ACCOUNT, region)] = n
    summary.trails[trail.id] = TrailStats(trail.id, captured=sum(usage.values()),
                                          cloudwatch=sum(usage.values()))  # fmt: skip
    estate = Estate(trails=(trail,), buckets=buckets)
    return estimate(estate, summary, prices=load_prices(REGIONAL), gzip_ratio=0.1)


def _lines(est: Estimate) -> dict[str, Line]:
    return {line.item: line for line in est.lines}


def test_a_record_is_priced_in_the_region_that_records_it() -> None:
    trail = Trail("aws_cloudtrail.t", "t", home_region="us-east-1", bucket=Reference("b"))
    est = _regional_estimate(trail, {("Data", "us-east-1"): 1000, ("Data", "eu-west-1"): 3000})
    data = _lines(est)["S3 data events"]
    assert data.events == pytest.approx(4000 * MONTH_DAYS)
    # us-east-1's records at $0.10, eu-west-1's at the table's $0.40 per 100,000
    assert data.dollars == pytest.approx((1000 * 0.10 + 3000 * 0.40) * MONTH_DAYS / 1e5)
    assert "eu-west-1" not in est.pricing.fallbacks


def test_a_region_without_a_price_falls_back_and_the_output_says_so() -> None:
    trail = Trail("aws_cloudtrail.t", "t", home_region="us-east-1")
    est = _regional_estimate(trail, {("Data", "us-west-2"): 1000})
    data = _lines(est)["S3 data events"]
    assert data.dollars == pytest.approx(1000 * 0.10 * MONTH_DAYS / 1e5)
    assert est.pricing.fallbacks["us-west-2"] == {"data_events_per_100k"}
    text = "\n".join(estimate_text(est))
    assert "priced as us-east-1" in text and "us-west-2 (data events)" in text
    # the trail names no bucket: its Region is not known, so S3 is priced as us-east-1 too
    assert est.to_json()["pricing"]["priced_as_default"]["Region not known"] == \
        ["s3_standard_per_gb_month"]


def test_events_of_unknown_category_are_counted_and_not_priced() -> None:
    # management (the free copy, or a paid one) or data events: no price holds for both
    trail = Trail("aws_cloudtrail.t", "t", home_region="us-east-1")
    est = _regional_estimate(trail, {("", "us-east-1"): 1000, ("Management", "us-east-1"): 10})
    line = _lines(est)["events whose category, management or data, is not known (not priced)"]
    assert line.events == pytest.approx(1000 * MONTH_DAYS)
    assert line.to_json()["usd_per_month"] is None and line.dollars == 0


def test_the_record_size_averages_over_every_record_read() -> None:
    # 2 events, 1 copy dropped and 1 Insights record read: 4,000 bytes are 1,000 per record
    summary = Summary(events=2, bytes=4000, duplicate_records=1)
    summary.insights.records = 1
    assert summary.records_read == 4
    trail = Trail("aws_cloudtrail.t", "t", home_region="us-east-1")
    summary.days["2026-11-01"] = Counter()
    summary.usage[(trail.id, "Management", "", ACCOUNT, "us-east-1")] = 2
    summary.trails[trail.id] = TrailStats(trail.id, captured=2, cloudwatch=2)
    est = estimate(Estate(trails=(trail,)), summary, prices=load_prices(REGIONAL), gzip_ratio=1)
    assert _lines(est)["CloudWatch Logs ingestion"].gigabytes == pytest.approx(
        2 * MONTH_DAYS * 1000 / 1e9)


def test_cloudwatch_logs_and_s3_are_priced_in_the_log_groups_and_buckets_region() -> None:
    # records of us-east-1, recorded by a trail of eu-west-1 into its log group and a bucket there
    trail = Trail("aws_cloudtrail.t", "t", home_region="eu-west-1",
                  bucket=Reference("logs", target="aws_s3_bucket.logs"))  # fmt: skip
    bucket = Bucket("aws_s3_bucket.logs", "logs", region="eu-west-1")
    est = _regional_estimate(trail, {("Data", "us-east-1"): 1000}, bucket)
    lines = _lines(est)
    cwl, s3 = lines["CloudWatch Logs ingestion"], lines["S3 storage of a month of log files"]
    assert cwl.dollars == pytest.approx(cwl.gigabytes * 1.00)  # eu-west-1, not us-east-1's 0.50
    assert s3.dollars == pytest.approx(s3.gigabytes * 0.05)
    assert lines["S3 data events"].dollars == pytest.approx(1000 * 0.10 * MONTH_DAYS / 1e5)
    assert not est.pricing.fallbacks


def test_records_of_another_partition_are_counted_and_not_priced() -> None:
    trail = Trail("aws_cloudtrail.t", "t", home_region="us-east-1")
    est = _regional_estimate(trail, {("Data", "cn-north-1"): 1000})
    line = _lines(est)["S3 data events in cn-north-1 (not priced)"]
    assert line.events == pytest.approx(1000 * MONTH_DAYS) and line.dollars == 0
    doc = est.to_json()
    item = next(x for x in doc["lines"] if x["item"].endswith("(not priced)"))
    assert item["usd_per_month"] is None
    assert "not priced: cn-north-1" in doc["prices"]
    assert "not priced" in "\n".join(estimate_text(est))


def test_a_broken_price_table_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    import checker.replay.cost as cost
    from checker.replay.prices import PriceTableError

    def broken() -> None:
        raise PriceTableError("prices.yaml: regions: 'Ireland' does not match")

    monkeypatch.setattr(cost, "load_prices", broken)
    assert main(["cost", str(CONFIG), "--events", str(_sample(tmp_path))]) == 2
    assert "the price table is broken: prices.yaml: regions" in capsys.readouterr().err
