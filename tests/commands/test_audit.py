"""`trailcheck audit` (checker/commands/audit.py): the Regions a live audit judges."""

from __future__ import annotations

import argparse

from checker.commands.audit import engine_options
from checker.loaders.aws.live_account import AuditOptions
from checker.model import Estate
from checker.regions import DEFAULT_REGIONS
from tests.simulator.capture_cases import trail


def _args(regions: str | None = None) -> argparse.Namespace:
    return argparse.Namespace(min_retention_days=None, regions=regions)


def test_a_govcloud_account_is_judged_on_the_govcloud_regions() -> None:
    """`audit --regions all` of a GovCloud account judged it on the 17 commercial Regions:
    every multi-Region GovCloud trail missed all of them."""
    gov = Estate(trails=(trail(home_region="us-gov-west-1"),))
    options = engine_options(_args(), AuditOptions(), gov)
    assert options.expected_regions == ("us-gov-west-1", "us-gov-east-1")


def test_the_regions_audited_or_configured_still_win() -> None:
    gov = Estate(trails=(trail(home_region="us-gov-west-1"),))
    audited = AuditOptions(regions=("us-gov-east-1",))
    assert engine_options(_args(), audited, gov).expected_regions == ("us-gov-east-1",)
    configured = engine_options(_args("us-gov-west-1"), AuditOptions(), gov)
    assert configured.expected_regions == ("us-gov-west-1",)
    commercial = Estate(trails=(trail(),))
    assert engine_options(_args(), AuditOptions(), commercial).expected_regions == DEFAULT_REGIONS
