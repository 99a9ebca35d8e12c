"""The price table of `trailcheck cost`: the shipped table validates, a broken one is refused with
its file and place, and a lookup uses the charge's Region, falls back to the default Region by
name, and leaves other partitions unpriced."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.replay.prices import ITEMS, UNKNOWN_REGION, PriceTableError, Pricing, load_prices

REPO = Path(__file__).resolve().parents[2]
REGIONAL = REPO / "fixtures" / "replay" / "prices" / "regional.yaml"


def test_shipped_table_validates_and_the_default_region_prices_everything() -> None:
    table = load_prices()
    assert table.default_region == "us-east-1" and table.currency == "USD"
    assert set(table.regions["us-east-1"]) == set(ITEMS)
    assert all(set(prices) <= set(ITEMS) for prices in table.regions.values())
    assert all(url.startswith("https://") for url in table.sources.values())
    assert "CNY" in table.unpriced_partitions["aws-cn"]


@pytest.mark.parametrize(("text", "where"), [
    ("regions:\n  us-east-1:\n    data_events_per_100k: -1\n", "regions/us-east-1/data_events"),
    ("regions:\n  us-east-1:\n    data_event_per_100k: 0.1\n", "regions/us-east-1"),
    ("regions:\n  Ireland:\n    data_events_per_100k: 0.1\n", "regions"),
    ("regions:\n  us-east-1:\n    data_events_per_100k: 0.1\n", "default Region lacks"),
])  # fmt: skip
def test_a_broken_table_is_refused_naming_the_file_and_place(
    tmp_path: Path, text: str, where: str
) -> None:
    path = tmp_path / "prices.yaml"
    path.write_text('as_of: "2026-12-06"\ncurrency: USD\ndefault_region: us-east-1\n'
                    "sources:\n  x: https://example.com/\n" + text)  # fmt: skip
    with pytest.raises(PriceTableError) as err:
        load_prices(path)
    assert str(path) in str(err.value) and where in str(err.value)


def test_a_charge_uses_its_regions_price_and_a_missing_one_falls_back_by_name() -> None:
    pricing = Pricing(load_prices(REGIONAL))
    assert pricing.price("eu-west-1", "data_events_per_100k") == 0.40
    assert pricing.price("us-east-1", "data_events_per_100k") == 0.10
    assert not pricing.fallbacks
    # eu-west-1 has no Insights price, us-west-2 no price at all: both us-east-1's, both named
    assert pricing.price("eu-west-1", "insights_per_100k_analyzed") == 0.35
    assert pricing.price("us-west-2", "data_events_per_100k") == 0.10
    assert pricing.price(None, "s3_standard_per_gb_month") == 0.023
    assert pricing.fallbacks == {"eu-west-1": {"insights_per_100k_analyzed"},
                                 "us-west-2": {"data_events_per_100k"},
                                 UNKNOWN_REGION: {"s3_standard_per_gb_month"}}  # fmt: skip
    note = pricing.note
    assert "default us-east-1" in note and "priced as us-east-1" in note
    assert "us-west-2 (data events)" in note and "eu-west-1 (Insights)" in note
    assert f"{UNKNOWN_REGION} (S3 storage)" in note


def test_other_partitions_are_not_priced_and_say_why() -> None:
    pricing = Pricing(load_prices(REGIONAL))
    assert pricing.price("cn-north-1", "data_events_per_100k") is None
    assert pricing.price("us-gov-west-1", "data_events_per_100k") is None
    assert not pricing.fallbacks
    assert pricing.unpriced["cn-north-1"] == "priced in CNY, which this table does not hold"
    assert "aws-us-gov" in pricing.unpriced["us-gov-west-1"]
    assert "not priced: cn-north-1 (priced in CNY" in pricing.note
    assert pricing.to_json()["not_priced"]["cn-north-1"].startswith("priced in CNY")


def test_price_region_prices_every_charge_as_that_region() -> None:
    pricing = Pricing(load_prices(REGIONAL), override="eu-west-1")
    assert pricing.price("us-east-1", "data_events_per_100k") == 0.40
    assert pricing.price("ap-southeast-7", "management_events_additional_copy_per_100k") == 2.00
    assert pricing.fallbacks == {"eu-west-1": {"management_events_additional_copy_per_100k"}}
    assert "of eu-west-1 for every charge" in pricing.note
