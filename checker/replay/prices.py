"""The price table of `trailcheck cost` (policies/pricing/aws-logging-prices.yaml) and the record
of which prices one estimate used.

AWS charges each item in a Region: CloudTrail events in the Region that records them (Cost
Explorer usage types such as `region-PaidEventsRecorded` begin with the code of the Region where
the charge was incurred: CloudTrail UG, "Viewing your CloudTrail cost and usage with AWS Cost
Explorer"), CloudWatch Logs ingestion in the log group's Region, S3 storage in the bucket's
("Some prices vary across Amazon S3 Regions and are based on the location of your bucket", S3
FAQs), CloudTrail Lake in the event data store's. The table holds prices per Region where a figure
could be read from an AWS source; a price a commercial Region lacks is the default Region's, and
the estimate names that Region. Other partitions have their own prices (China's in CNY), so their
charges are counted and not priced.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from checker.regions import partition_of
from checker.resources import policies_root, schema_path, validate_once

PRICES_FILE = "pricing/aws-logging-prices.yaml"
SCHEMA = "prices.schema.json"
PRICED_PARTITION = "aws"
UNKNOWN_REGION = "Region not known"

# price name -> what it prices, as the output names it
ITEMS: Mapping[str, str] = {
    "management_events_additional_copy_per_100k": "management event copies",
    "data_events_per_100k": "data events",
    "network_activity_events_per_100k": "network activity events",
    "insights_per_100k_analyzed": "Insights",
    "lake_ingestion_per_gb_one_year": "Lake ingestion",
    "lake_ingestion_per_gb_seven_year": "Lake ingestion (seven-year retention pricing)",
    "lake_retention_per_gb_month_after_first_year": "Lake retention",
    "cloudwatch_logs_ingestion_per_gb": "CloudWatch Logs ingestion",
    "s3_standard_per_gb_month": "S3 storage",
}


class PriceTableError(ValueError):
    """The price table does not follow prices.schema.json; the message names the file and where."""


@dataclass(frozen=True)
class PriceTable:
    as_of: str
    currency: str
    default_region: str
    regions: Mapping[str, Mapping[str, float]]
    unpriced_partitions: Mapping[str, str]
    sources: Mapping[str, str]


def load_prices(path: Path | None = None) -> PriceTable:
    """The shipped price table, or the one at `path`, validated."""
    return _load(path or policies_root() / PRICES_FILE)


@cache
def _load(path: Path) -> PriceTable:
    try:
        doc: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise PriceTableError(f"{path}: {e}") from e
    validate_once("prices", doc, SCHEMA, lambda: _check(path, doc))
    default = doc["default_region"]
    missing = sorted(set(ITEMS) - set(doc["regions"].get(default, {})))
    if missing:  # the fallback must price everything
        raise PriceTableError(f"{path}: regions/{default}: the default Region lacks "
                              f"{', '.join(missing)}")  # fmt: skip
    return PriceTable(
        as_of=doc["as_of"], currency=doc["currency"], default_region=default,
        regions={r: {k: float(v) for k, v in p.items()} for r, p in doc["regions"].items()},
        unpriced_partitions=dict(doc.get("unpriced_partitions") or {}), sources=doc["sources"],
    )  # fmt: skip


def _check(path: Path, doc: Any) -> None:
    import jsonschema

    schema = json.loads(schema_path(SCHEMA).read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(doc),
                    key=lambda e: list(e.path))  # fmt: skip
    if errors:
        where = "/".join(str(p) for p in errors[0].path) or "(top)"
        raise PriceTableError(f"{path}: {where}: {errors[0].message}")


@dataclass
class Pricing:
    """The prices one estimate looks up, and where they did not come from the charge's own
    Region: `fallbacks` (Region -> items priced as the default Region) and `unpriced` (Region of
    another partition -> why it is not priced). `override` prices every charge as that Region
    (`--price-region`)."""

    table: PriceTable
    override: str | None = None
    fallbacks: dict[str, set[str]] = field(default_factory=dict)
    unpriced: dict[str, str] = field(default_factory=dict)

    def price(self, region: str | None, item: str) -> float | None:
        """The price of `item` charged in `region` (None: not known), or None when the Region's
        partition is not priced."""
        asked = self.override or region or UNKNOWN_REGION
        partition = partition_of(asked) if asked != UNKNOWN_REGION else PRICED_PARTITION
        if partition != PRICED_PARTITION:
            self.unpriced[asked] = self.table.unpriced_partitions.get(
                partition, f"the table holds no prices of the {partition} partition")
            return None
        own = self.table.regions.get(asked, {}).get(item)
        if own is not None:
            return own
        self.fallbacks.setdefault(asked, set()).add(item)
        return self.table.regions[self.table.default_region][item]

    def _fallback_text(self) -> list[str]:
        return [f"{region} ({', '.join(ITEMS[i] for i in sorted(items))})"
                for region, items in sorted(self.fallbacks.items())]  # fmt: skip

    @property
    def note(self) -> str:
        t = self.table
        head = f"prices as of {t.as_of} ({t.currency}), "
        head += (f"of {self.override} for every charge (--price-region)" if self.override else
                 f"of the Region of each charge (default {t.default_region})")  # fmt: skip
        if self.fallbacks:
            head += (f"; priced as {t.default_region}, the table having no price there: "
                     + ", ".join(self._fallback_text()))
        if self.unpriced:
            head += "; not priced: " + ", ".join(f"{r} ({why})"
                                                 for r, why in sorted(self.unpriced.items()))
        return head

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.table.as_of, "currency": self.table.currency,
            "default_region": self.table.default_region, "price_region": self.override,
            "priced_as_default": {r: sorted(i) for r, i in sorted(self.fallbacks.items())},
            "not_priced": dict(sorted(self.unpriced.items())),
        }  # fmt: skip
