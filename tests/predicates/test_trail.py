"""CT008 (`insights_enabled`) on trails and event data stores built directly: which trail or
source store enables Insights, and why not when none does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from checker.model import (
    AdvancedSelector,
    Estate,
    EventDataStore,
    FieldSelector,
    InputFile,
    InsightSelector,
    Location,
    Reference,
    Selectors,
    Unknown,
)
from tests.predicates.evidence_models import one, trail

BOTH = (InsightSelector("ApiCallRateInsight"), InsightSelector("ApiErrorRateInsight"))
INSIGHT_ONLY = Selectors("advanced", advanced=(
    AdvancedSelector((FieldSelector("eventCategory", equals=("Insight",)),)),))  # fmt: skip
DEST_REF = Reference("insights", target="Dest")


def source(**kw: Any) -> EventDataStore:
    kw.setdefault("insight_selectors", BOTH)
    kw.setdefault("insights_destination", DEST_REF)
    return EventDataStore(id="Source", name="source", location=Location("lake.yaml", 3),
                          lines={"insight_selectors": 8}, **kw)  # fmt: skip


def dest(**kw: Any) -> EventDataStore:
    kw.setdefault("selectors", INSIGHT_ONLY)
    return EventDataStore(id="Dest", name="insights", location=Location("lake.yaml", 14), **kw)


def lake(*stores: EventDataStore, trails: tuple[Any, ...] = ()) -> Estate:
    return Estate(trails=trails, event_data_stores=stores,
                  inputs=(InputFile("lake.yaml", "cloudformation"),))  # fmt: skip


def test_a_source_store_with_an_insights_destination_passes_and_is_named() -> None:
    f = one("CT008", lake(source(), dest()))
    assert f.status == "pass" and (f.resource, f.file, f.line) == ("Source", "lake.yaml", 8)
    assert "Source" in f.message and "Dest" in f.message


def test_a_source_without_a_destination_fails_naming_it() -> None:
    f = one("CT008", lake(source(insights_destination=None), dest()))
    assert f.status == "fail"
    assert "Insights are enabled on event data store Source, but it names no Insights" in f.message
    assert "no trail has Insights enabled" not in f.message


def test_a_destination_that_does_not_select_insights_fails_naming_it() -> None:
    # default selectors: management events only
    f = one("CT008", lake(source(), dest(selectors=Selectors.default())))
    assert f.status == "fail"
    assert (
        "Insights are enabled on event data store Source, but its destination Dest does not "
        "collect Insights events" in f.message
    )
    assert "event data store" in f.message.split("(")[0]


def test_suspended_or_unknown_ingestion() -> None:
    stopped = one("CT008", lake(source(), dest(status="STOPPED_INGESTION")))
    assert stopped.status == "fail" and "Dest is not ingesting" in stopped.message
    assert one("CT008", lake(source(status="STOPPED_INGESTION"), dest())).status == "fail"
    maybe = one("CT008", lake(source(), dest(status=Unknown("var.ingest"))))
    assert maybe.status == "unknown" and "var.ingest" in maybe.message
    # a fail of the destination holds whatever the source's unknown ingestion
    held = one(
        "CT008", lake(source(status=Unknown("var.ingest")), dest(selectors=Selectors.default()))
    )
    assert held.status == "fail" and "does not collect" in held.message


def test_unknown_destination_or_selectors_are_unknown_naming_why() -> None:
    outside = one("CT008", lake(source(insights_destination=Reference("arn:elsewhere"))))
    assert outside.status == "unknown" and "arn:elsewhere is not in the inputs" in outside.message
    unresolved = one("CT008", lake(source(insights_destination=Reference(Unknown("var.dest")))))
    assert unresolved.status == "unknown" and "var.dest" in unresolved.message
    sel = one("CT008", lake(source(), dest(selectors=Unknown("var.selectors"))))
    assert sel.status == "unknown" and "var.selectors" in sel.message
    ins = one("CT008", lake(source(insight_selectors=Unknown("var.insights")), dest()))
    assert ins.status == "unknown" and "var.insights" in ins.message


def test_a_store_with_one_type_fails_saying_which_is_missing() -> None:
    f = one("CT008", lake(source(insight_selectors=BOTH[:1]), dest()))
    assert f.status == "fail" and "Source lacks ApiErrorRateInsight" in f.message


def test_trail_messages_do_not_change_when_no_store_has_insights() -> None:
    none = one("CT008", lake(dest(), trails=(trail(),)))
    assert none.message == ("no logging trail has both ApiCallRateInsight and "
                            "ApiErrorRateInsight (no trail has Insights enabled)")  # fmt: skip
    t = trail(insight_selectors=BOTH)
    passing = one("CT008", lake(source(insights_destination=None), trails=(t,)))
    assert passing.status == "pass" and passing.message.startswith("aws_cloudtrail.main has both")
    stopped = one("CT008", lake(trails=(trail(insight_selectors=BOTH, is_logging=False),)))
    assert "aws_cloudtrail.main has Insights but is not logging" in stopped.message
    assert stopped.message.startswith("no logging trail has")


def test_scan_of_lake_fixtures_end_to_end(capsys: pytest.CaptureFixture[str]) -> None:
    root = Path(__file__).resolve().parents[2] / "fixtures" / "rules" / "CT008"
    found = {}
    for case in ("pass/cloudformation-lake", "fail/cloudformation-lake", "fail/terraform-lake"):
        main(["scan", str(root / case), "--format", "json"])
        doc = json.loads(capsys.readouterr().out)
        [found[case]] = [f for f in doc["findings"] if f["rule_id"] == "CT008"]
    passing = found["pass/cloudformation-lake"]
    assert passing["status"] == "pass" and passing["resource"] == "AuditStore"
    assert "its destination InsightsStore collects Insights events" in passing["message"]
    failing = found["fail/cloudformation-lake"]
    assert failing["status"] == "fail"
    assert "but its destination OtherStore does not collect Insights events" in failing["message"]
    terraform = found["fail/terraform-lake"]
    assert terraform["status"] == "fail" and "no trail has Insights enabled" in terraform["message"]


@pytest.mark.parametrize(("selectors", "says"), [
    ((InsightSelector("ApiCallRateInsight"), InsightSelector("ApiErrorRateInsight", ("Data",))),
     "lacks ApiErrorRateInsight on management events (ApiErrorRateInsight only on data events)"),
    ((InsightSelector("ApiCallRateInsight", ("Data",)),
      InsightSelector("ApiErrorRateInsight", ("Data",))),
     "lacks ApiCallRateInsight, ApiErrorRateInsight on management events"),
])
def test_insights_on_data_events_only_do_not_watch_management_api_rates(
    selectors: tuple[InsightSelector, ...], says: str
) -> None:
    """EventCategories ["Data"] turns Insights on for data API calls instead of management
    ones (InsightSelector): the management call and error rates CT008 is about are unwatched."""
    f = one("CT008", Estate(trails=(trail(insight_selectors=selectors),)))
    assert f.status == "fail" and says in f.message


def test_insights_on_both_categories_pass() -> None:
    both = tuple(InsightSelector(t, ("Management", "Data"))
                 for t in ("ApiCallRateInsight", "ApiErrorRateInsight"))  # fmt: skip
    assert one("CT008", Estate(trails=(trail(insight_selectors=both),))).status == "pass"
